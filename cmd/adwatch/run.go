package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"adwatch"
	"adwatch/crawler"
	"adwatch/extract"
	"adwatch/extract/names"
)

// runOptions are the knobs of one pass, shared by run and demo.
type runOptions struct {
	sources        []string
	deliverTimeout time.Duration
}

// runResult is what one pass did.
type runResult struct {
	runs        []adwatch.SourceRun
	alerts      []adwatch.Alert
	undelivered map[string]int
}

func (r runResult) failed() bool {
	for _, run := range r.runs {
		if run.Err != "" {
			return true
		}
	}
	return false
}

func cmdRun(ctx context.Context, e *env, args []string) error {
	f := newFlags("run", "run [--source NAME]... [--deliver-timeout 10m] [--json]", e, true)
	var sources multi
	f.Var(&sources, "source", "crawl only this source (repeatable)")
	deliver := f.Duration("deliver-timeout", 0, "keep retrying deliveries this long before exiting (default alerts.deliver_timeout, 10m)")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usageError("run takes no arguments, got %q", f.Args())
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.runOnce(ctx, runOptions{sources: sources, deliverTimeout: *deliver})
	if err != nil {
		return err
	}
	printRunSummary(e, res, f.wantJSON())
	if res.failed() {
		return &exitError{code: exitFailed, err: fmt.Errorf("%d source(s) failed", countFailed(res.runs))}
	}
	return nil
}

// runOnce is the nightly job: crawl every selected source, store, enqueue and
// work deliveries until done or the deadline.
func (a *app) runOnce(ctx context.Context, opt runOptions) (runResult, error) {
	logger := a.e.logger
	srcs, err := a.selectSources(opt.sources)
	if err != nil {
		return runResult{}, err
	}
	if err := a.db.SyncSources(ctx, a.cfg.Sources); err != nil {
		return runResult{}, failed(fmt.Errorf("sync sources: %w", err))
	}
	ns, err := notifiers(a.cfg, a.e)
	if err != nil {
		return runResult{}, err
	}
	client, err := newRiver(a, ns, logger)
	if err != nil {
		return runResult{}, failed(err)
	}
	if err := client.Start(ctx); err != nil {
		return runResult{}, failed(fmt.Errorf("start workers: %w", err))
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if err := client.Stop(sctx); err != nil {
			logger.Warn("stop workers", "err", err)
		}
	}()
	p, err := a.newPipeline(ctx, logger)
	if err != nil {
		return runResult{}, err
	}
	p.hook = enqueueHook(client, p.channels)

	var res runResult
	var mu sync.Mutex
	sem := make(chan struct{}, a.cfg.Crawler.Concurrency)
	var wg sync.WaitGroup
	for _, src := range srcs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			run, as := p.crawlSource(ctx, src)
			logSourceRun(logger, run)
			mu.Lock()
			res.runs = append(res.runs, run)
			res.alerts = append(res.alerts, as...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	sortRuns(res.runs, srcs)

	timeout := opt.deliverTimeout
	if timeout <= 0 {
		timeout = a.cfg.Alerts.DeliverTimeout
	}
	if err := waitDeliveries(ctx, client, timeout); err != nil {
		logger.Warn("wait for deliveries", "err", err)
	}
	res.undelivered, err = a.db.UndeliveredAlerts(context.WithoutCancel(ctx))
	if err != nil {
		logger.Warn("count undelivered alerts", "err", err)
	}
	return res, nil
}

func (a *app) selectSources(names []string) ([]adwatch.Source, error) {
	if len(names) == 0 {
		if len(a.cfg.Sources) == 0 {
			return nil, usageError("no sources configured: add sources to %s (see adwatch.example.yaml)", cfgName(a.cfg.File))
		}
		return a.cfg.Sources, nil
	}
	var out []adwatch.Source
	for _, n := range names {
		s, ok := a.cfg.SourceNamed(n)
		if !ok {
			return nil, usageError("unknown source %q", n)
		}
		out = append(out, s)
	}
	return out, nil
}

func cfgName(file string) string {
	if file == "" {
		return "adwatch.yaml"
	}
	return file
}

// newPipeline loads the active advertisers and builds the matcher once.
func (a *app) newPipeline(ctx context.Context, logger *slog.Logger) (*pipeline, error) {
	ads, err := a.db.Advertisers(ctx, true)
	if err != nil {
		return nil, failed(fmt.Errorf("load advertisers: %w", err))
	}
	if len(ads) == 0 {
		logger.Warn("no active advertisers: documents are archived but nothing can alert (adwatch advertisers import FILE.csv)")
	}
	m, err := names.NewMatcher(ads)
	if err != nil {
		return nil, failed(fmt.Errorf("build advertiser index: %w", err))
	}
	c := a.cfg.Crawler
	cr := crawler.New(crawler.Config{
		UserAgent:            c.UserAgent,
		AllowPrivateNetworks: c.AllowPrivateNetworks,
		MaxBodyBytes:         c.MaxBodyBytes,
		PerHostParallelism:   c.PerHostParallelism,
		Delay:                c.Delay,
		RequestTimeout:       c.RequestTimeout,
		MaxRetries:           zeroMeansNone(c.MaxRetries),
		Revalidate:           time.Duration(zeroMeansNone(int(c.Revalidate))),
		MaxPages:             c.MaxPages,
	}, a.db, logger)
	return &pipeline{
		db:        a.db,
		crawler:   cr,
		extractor: extract.New(extract.Options{Matcher: m}),
		channels:  a.cfg.Channels(),
		logger:    logger,
	}, nil
}

func logSourceRun(logger *slog.Logger, r adwatch.SourceRun) {
	attrs := []any{"source", r.Source, "pages", r.Pages, "items", r.ItemsSeen, "new_documents", r.NewDocuments,
		"unchanged", r.Unchanged, "alerts", r.Alerts, "bytes", r.Bytes, "page_errors", len(r.Errors),
		"duration", r.Duration.Round(time.Millisecond)}
	if r.Err != "" {
		logger.Error("source failed", append(attrs, "err", r.Err)...)
		return
	}
	logger.Info("source done", attrs...)
}

func countFailed(runs []adwatch.SourceRun) int {
	n := 0
	for _, r := range runs {
		if r.Err != "" {
			n++
		}
	}
	return n
}

// sortRuns puts runs in configuration order, so the summary is stable.
func sortRuns(runs []adwatch.SourceRun, srcs []adwatch.Source) {
	pos := map[string]int{}
	for i, s := range srcs {
		pos[s.Name] = i
	}
	for i := 1; i < len(runs); i++ {
		for j := i; j > 0 && pos[runs[j].Source] < pos[runs[j-1].Source]; j-- {
			runs[j], runs[j-1] = runs[j-1], runs[j]
		}
	}
}

// zeroMeansNone maps a configured 0 ("no retries", "always revalidate") to the
// crawler's negative value; the crawler reads 0 as "use the default".
func zeroMeansNone(v int) int {
	if v == 0 {
		return -1
	}
	return v
}
