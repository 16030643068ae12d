package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // CRON_TZ schedules work without the host's zoneinfo

	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"adwatch"
	"adwatch/config"
	"adwatch/web"
)

// serveWeb serves the UI and API until ctx is done, then drains requests.
func (a *app) serveWeb(ctx context.Context) error {
	h := web.New(web.Deps{Store: a.db}, web.Options{
		Auth:          a.cfg.Web.Auth,
		Logger:        a.e.logger,
		Metrics:       promhttp.Handler(),
		SecureCookies: strings.HasPrefix(a.cfg.Web.BaseURL, "https://"),
	})
	srv := &http.Server{Addr: a.cfg.Web.Listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", a.cfg.Web.Listen)
	if err != nil {
		return failed(fmt.Errorf("web: listen on %s: %w (set web.listen or ADWATCH_LISTEN)", a.cfg.Web.Listen, err))
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.e.logger.Info("web UI and API listening", "addr", ln.Addr().String(), "auth", a.cfg.Web.Auth)
	select {
	case err := <-errc:
		return failed(fmt.Errorf("web: %w", err))
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failed(fmt.Errorf("web shutdown: %w", err))
	}
	return nil
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	f := newFlags("serve", "serve [--config FILE]", e, false)
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	stopWorkers, err := a.startWorkers(ctx)
	if err != nil {
		return err
	}
	defer stopWorkers()
	sched, err := a.startScheduler(ctx)
	if err != nil {
		return err
	}
	defer func() { <-sched.Stop().Done() }()
	return a.serveWeb(ctx)
}

func cmdWorker(ctx context.Context, e *env, args []string) error {
	f := newFlags("worker", "worker [--config FILE]", e, false)
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	stop, err := a.startWorkers(ctx)
	if err != nil {
		return err
	}
	e.logger.Info("worker running; SIGTERM or Ctrl-C stops it")
	<-ctx.Done()
	stop()
	return nil
}

// startWorkers runs the delivery workers until the returned stop is called;
// stop lets running deliveries finish within a deadline.
func (a *app) startWorkers(ctx context.Context) (func(), error) {
	ns, err := notifiers(a.cfg, a.e)
	if err != nil {
		return nil, err
	}
	client, err := newRiver(a, ns, a.e.logger)
	if err != nil {
		return nil, failed(err)
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, failed(fmt.Errorf("start workers: %w", err))
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := client.Stop(sctx); err != nil {
			a.e.logger.Warn("stop workers", "err", err)
		}
	}, nil
}

// startScheduler crawls each source on its cron schedule (the source's own,
// else crawler.schedule). A source still running at its next tick is skipped.
func (a *app) startScheduler(ctx context.Context) (*cron.Cron, error) {
	if err := a.db.SyncSources(ctx, a.cfg.Sources); err != nil {
		return nil, failed(fmt.Errorf("sync sources: %w", err))
	}
	ns, err := notifiers(a.cfg, a.e)
	if err != nil {
		return nil, err
	}
	client, err := newRiver(a, ns, a.e.logger)
	if err != nil {
		return nil, failed(err)
	}
	c := cron.New(cron.WithParser(config.CronParser), cron.WithLocation(time.UTC),
		cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	var mu sync.Mutex // one pipeline build at a time
	for _, src := range a.cfg.Sources {
		spec := src.Schedule
		if spec == "" {
			spec = a.cfg.Crawler.Schedule
		}
		if _, err := c.AddFunc(spec, func() { a.scheduledCrawl(ctx, &mu, client, src) }); err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("source %s: schedule %q: %w", src.Name, spec, err)}
		}
		a.e.logger.Info("scheduled", "source", src.Name, "schedule", spec)
	}
	c.Start()
	return c, nil
}

func (a *app) scheduledCrawl(ctx context.Context, mu *sync.Mutex, client *river.Client[*sql.Tx], src adwatch.Source) {
	mu.Lock()
	p, err := a.newPipeline(ctx, a.e.logger) // advertisers may have changed since the last tick
	mu.Unlock()
	if err != nil {
		a.e.logger.Error("scheduled crawl", "source", src.Name, "err", err)
		return
	}
	p.hook = enqueueHook(client, p.channels)
	run, _ := p.crawlSource(ctx, src)
	logSourceRun(a.e.logger, run)
}
