package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"adwatch"
	"adwatch/crawler"
	"adwatch/extract"
	"adwatch/extract/names"
)

// runOptions are the knobs of one pass, shared by run and demo.
type runOptions struct {
	sources        []string
	deliverTimeout time.Duration
	// progress shows the crawl as it happens (nil: nothing is drawn).
	progress *progress
	// obs also watches the crawls this process works (metrics).
	obs observer
}

// runResult is what one pass did.
type runResult struct {
	runs        []adwatch.SourceRun
	newAlerts   int // alerts this process raised (the alerts themselves are in the database)
	undelivered map[string]int
	// interrupted are the sources whose crawl was not finished when a
	// signal stopped the run: handed back, not failed.
	interrupted map[string]bool
}

func (r runResult) failed() bool {
	for _, run := range r.runs {
		if run.Err != "" && !r.interrupted[run.Source] {
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
	srcs, err := a.selectSources(sources)
	if err != nil {
		return err
	}
	opt := runOptions{sources: sources, deliverTimeout: *deliver}
	if !f.wantJSON() && isTerminal(e.stdout) {
		// Redrawn in place; log lines below warnings would tear it apart.
		opt.progress = newProgress(e.stdout, srcs, true)
		a.e = &env{stdin: e.stdin, stdout: opt.progress, stderr: e.stderr, getenv: e.getenv,
			logger: newLogger(e.stderr, "warn")}
	}
	res, err := a.runOnce(ctx, opt)
	if res.runs != nil {
		printRunSummary(e, res, f.wantJSON())
	}
	if len(res.interrupted) > 0 {
		// A signal is an orderly stop, not a failure: exit 0 unless a
		// source that did finish failed.
		e.logger.Warn("run interrupted; unfinished crawls are resumed by another process or the next run",
			"unfinished", len(res.interrupted))
	}
	if err != nil {
		return err
	}
	if res.failed() {
		return &exitError{code: exitFailed, err: fmt.Errorf("%d source(s) failed", countFailed(res.runs))}
	}
	return nil
}

// runOnce is the nightly job: enqueue a crawl of every selected source
// (deduplicated against crawls another process already has), work crawls
// and deliveries in this process alongside any others until every selected
// source's crawl is finished (whoever worked it) and deliveries are drained
// or the deadline passes. The result comes from the runs recorded in the
// database, so each of several concurrent runs reports every source.
func (a *app) runOnce(ctx context.Context, opt runOptions) (runResult, error) {
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
	periodic, err := periodicJobs(a.cfg)
	if err != nil {
		return runResult{}, err
	}
	started, err := a.db.Now(ctx)
	if err != nil {
		return runResult{}, failed(err)
	}
	prog := opt.progress
	if prog == nil {
		prog = newProgress(nil, srcs, false)
	}
	client, err := newRiver(a, riverOptions{notifiers: ns, periodic: periodic, obs: observers{prog, opt.obs}})
	if err != nil {
		return runResult{}, failed(err)
	}
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return runResult{}, failed(fmt.Errorf("start workers: %w", err))
	}
	defer stopRiver(client, a.cfg.Crawler.ShutdownGrace, a.e.logger)
	wctx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWatch()
	go watchOrphans(wctx, a, 2*time.Second)

	jobs, since, err := enqueueCrawls(ctx, client, srcs, started)
	if err != nil {
		return runResult{}, failed(err)
	}
	final, interrupted, err := waitCrawls(ctx, client, jobs, prog)
	if err != nil {
		return runResult{}, failed(err)
	}
	timeout := opt.deliverTimeout
	if timeout <= 0 {
		timeout = a.cfg.Alerts.DeliverTimeout
	}
	if !interrupted {
		if err := waitDeliveries(ctx, client, timeout); err != nil {
			a.e.logger.Warn("wait for deliveries", "err", err)
		}
	}
	// Stop before reading the runs: a crawl this process was working
	// records its run while it stops (finished, or interrupted and handed
	// back).
	stopWatch()
	stopRiver(client, a.cfg.Crawler.ShutdownGrace, a.e.logger)
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if interrupted {
		// Crawls may have finished within the shutdown grace.
		for id, name := range jobs {
			if j, err := client.JobGet(dctx, id); err == nil && j.FinalizedAt != nil {
				final[name] = j.State
				delete(jobs, id)
				prog.jobState(name, j)
			}
		}
		interrupted = len(jobs) > 0
	}
	prog.stop()
	runs, err := a.db.RunsSince(dctx, since)
	if err != nil {
		return runResult{}, failed(err)
	}
	res := runResult{runs: mergeRuns(runs, srcs, final), newAlerts: prog.raisedCount(), interrupted: map[string]bool{}}
	if interrupted {
		for _, name := range jobs {
			res.interrupted[name] = true
		}
	}
	res.undelivered, err = a.db.UndeliveredAlerts(dctx)
	if err != nil {
		a.e.logger.Warn("count undelivered alerts", "err", err)
	}
	return res, nil
}

// enqueueCrawls inserts one crawl job per source. A source whose crawl is
// already waiting or running (another run, a scheduled tick) gets that job
// back instead of a second one; its runs count from when that job was made.
func enqueueCrawls(ctx context.Context, client *river.Client[*sql.Tx], srcs []adwatch.Source, started time.Time) (map[int64]string, map[string]time.Time, error) {
	params := make([]river.InsertManyParams, len(srcs))
	for i, s := range srcs {
		params[i] = river.InsertManyParams{Args: CrawlArgs{Source: s.Name}}
	}
	res, err := client.InsertMany(ctx, params)
	if err != nil {
		return nil, nil, fmt.Errorf("enqueue crawls: %w", err)
	}
	jobs := make(map[int64]string, len(res))
	since := make(map[string]time.Time, len(res))
	for i, r := range res {
		name := srcs[i].Name
		jobs[r.Job.ID] = name
		since[name] = started
		if r.Job.CreatedAt.Before(started) {
			since[name] = r.Job.CreatedAt
		}
	}
	return jobs, since, nil
}

// waitPoll is how often a run looks whether its crawls and deliveries are
// done: one cheap query each time, and at most this long idle after the
// work ends (at 250-300 ms, a 10,000-page run sat idle for half a second).
const waitPoll = 100 * time.Millisecond

// waitCrawls polls the jobs until each is in a final state and returns those
// states by source; it removes finished jobs from jobs. Cancelling ctx
// (SIGINT, SIGTERM) stops the wait and reports interrupted: the crawls left
// are finished by other processes or resumed by the next run.
func waitCrawls(ctx context.Context, client *river.Client[*sql.Tx], jobs map[int64]string, prog *progress) (final map[string]rivertype.JobState, interrupted bool, err error) {
	final = map[string]rivertype.JobState{}
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	for {
		for id, name := range jobs {
			j, err := client.JobGet(ctx, id)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				return final, false, fmt.Errorf("crawl of %s: %w", name, err)
			}
			prog.jobState(name, j)
			if j.FinalizedAt != nil {
				final[name] = j.State
				delete(jobs, id)
				continue
			}
			if j.State == rivertype.JobStateRetryable && !j.ScheduledAt.After(time.Now()) {
				// Due: make it available now rather than at the leader's
				// next scheduler pass (every 5 s). Someone is waiting.
				if _, err := client.JobRetry(ctx, id); err != nil && ctx.Err() == nil {
					return final, false, fmt.Errorf("resume crawl of %s: %w", name, err)
				}
			}
		}
		if len(jobs) == 0 {
			return final, false, nil
		}
		select {
		case <-ctx.Done():
			return final, true, nil
		case <-tick.C:
			prog.draw()
		}
	}
}

// mergeRuns makes one summary line per source from the runs of its crawl
// (an interrupted crawl records a run per attempt): counts add up, the last
// attempt says whether the source failed.
func mergeRuns(runs []adwatch.SourceRun, srcs []adwatch.Source, final map[string]rivertype.JobState) []adwatch.SourceRun {
	by := map[string]*adwatch.SourceRun{}
	for _, r := range runs {
		m, ok := by[r.Source]
		if !ok {
			r := r
			by[r.Source] = &r
			continue
		}
		m.Duration += r.Duration
		m.Pages += r.Pages
		m.Unchanged += r.Unchanged
		m.ItemsSeen = max(m.ItemsSeen, r.ItemsSeen)
		m.NewDocuments += r.NewDocuments
		m.Alerts += r.Alerts
		m.Bytes += r.Bytes
		m.Errors = append(m.Errors, r.Errors...)
		m.Err = r.Err
	}
	out := make([]adwatch.SourceRun, 0, len(srcs))
	for _, s := range srcs {
		m, ok := by[s.Name]
		if !ok {
			state, done := final[s.Name]
			msg := "not crawled: interrupted before its crawl finished"
			if done {
				msg = fmt.Sprintf("no run recorded (crawl job %s)", state)
			}
			out = append(out, adwatch.SourceRun{Source: s.Name, Err: msg})
			continue
		}
		if st := final[s.Name]; m.Err == "" && (st == rivertype.JobStateDiscarded || st == rivertype.JobStateCancelled) {
			m.Err = fmt.Sprintf("crawl job %s", st)
		}
		out = append(out, *m)
	}
	return out
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
	if m, err = a.withSuppressions(ctx, m); err != nil { // analysts' dismissals (suppress.go)
		return nil, failed(err)
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

// zeroMeansNone maps a configured 0 ("no retries", "always revalidate") to the
// crawler's negative value; the crawler reads 0 as "use the default".
func zeroMeansNone(v int) int {
	if v == 0 {
		return -1
	}
	return v
}
