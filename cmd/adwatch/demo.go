package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"syscall"
	"time"

	"adwatch/advcsv"
	"adwatch/demo"
	"adwatch/migrations"
	"adwatch/store"
)

// defaultDemoSite is a fixed loopback address: document URLs include the
// host and port, so a second demo run must see the same URLs to recognise
// what it already has.
const defaultDemoSite = "127.0.0.1:18089"

func cmdDemo(ctx context.Context, e *env, args []string) error {
	f := newFlags("demo", "demo [--once] [--site 127.0.0.1:18089] [--listen ADDR]", e, false)
	once := f.Bool("once", false, "exit after the crawl instead of serving the web UI")
	siteAddr := f.String("site", defaultDemoSite, "loopback address of the built-in sample site")
	listen := f.String("listen", "", "web UI address (default web.listen, 127.0.0.1:8080)")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usageError("demo takes no arguments")
	}
	cfg, err := loadConfig(e, *f.config)
	if err != nil {
		return err
	}
	site, err := demo.Start(ctx, *siteAddr)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			return failed(fmt.Errorf("sample site: %s is in use (another demo running?); choose another with --site", *siteAddr))
		}
		return failed(fmt.Errorf("sample site: %w", err))
	}
	defer site.Close()
	fmt.Fprintf(e.stdout, "adwatch demo: sample site (government notices and press, in their published formats) at %s\n", site.URL())

	// The demo crawls its own loopback site: private addresses must be
	// allowed, and politeness delays would only slow the tour down.
	cfg.Sources = demo.Sources(site.URL())
	cfg.Crawler.AllowPrivateNetworks = true
	cfg.Crawler.Delay = 0
	cfg.Crawler.PerHostParallelism = 4
	if *listen != "" {
		cfg.Web.Listen = *listen
	}
	a, err := openAppWith(ctx, e, cfg, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := migrations.Up(ctx, a.db.SQL()); err != nil {
		return failed(fmt.Errorf("migrate: %w", err))
	}
	ads, err := advcsv.Parse(bytes.NewReader(demo.AdvertisersCSV()))
	if err != nil {
		return failed(fmt.Errorf("sample advertisers: %w", err))
	}
	st, err := a.db.ImportAdvertisers(ctx, ads, false)
	if err != nil {
		return failed(fmt.Errorf("import sample advertisers: %w", err))
	}
	fmt.Fprintf(e.stdout, "advertisers: %d from the sample list (%d new)\ncrawling %d sources…\n", len(ads), st.Inserted, len(cfg.Sources))

	res, err := a.runOnce(ctx, runOptions{deliverTimeout: 2 * time.Minute})
	if err != nil {
		return err
	}
	printRunSummary(e, res, false)
	all, err := a.db.Alerts(ctx, store.AlertFilter{Limit: 200})
	if err != nil {
		return failed(fmt.Errorf("list alerts: %w", err))
	}
	fmt.Fprintf(e.stdout, "\nAlerts in the archive (%d; new this run: %d):\n", len(all), res.newAlerts)
	printAlerts(e.stdout, all, alertChannels(all))
	if res.failed() {
		return failed(fmt.Errorf("%d demo source(s) failed", countFailed(res.runs)))
	}
	if *once {
		return nil
	}
	a.cfg.Web.Auth = false // loopback tour; `adwatch serve` keeps authentication on
	fmt.Fprintf(e.stdout, "\nWeb UI (authentication off for the demo): http://%s/  — Ctrl-C to stop\n", a.cfg.Web.Listen)
	return a.serveWeb(ctx)
}
