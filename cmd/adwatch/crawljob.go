package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"adwatch/alerts"
)

const crawlQueue = "crawl"

// crawlMaxAttempts bounds how often one tick's crawl is resumed after a
// timeout, a shutdown or a dead process before it is given up (the next tick
// starts afresh).
const crawlMaxAttempts = 10

// crawlUniqueStates are the states in which a crawl job blocks another for
// the same source: while it waits or runs. Completed (and cancelled or
// discarded) jobs must not block, or tonight's tick would be deduplicated
// against last night's job.
var crawlUniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
	rivertype.JobStateRunning, rivertype.JobStateScheduled,
}

// CrawlArgs is one crawl of one source: one scheduled tick or one `adwatch
// run`. Two processes never crawl the same source at once because at most
// one such job per source exists in a non-final state.
type CrawlArgs struct {
	Source string `json:"source"`
}

// Kind implements river.JobArgs.
func (CrawlArgs) Kind() string { return "crawl_source" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (CrawlArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       crawlQueue,
		MaxAttempts: crawlMaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true, ByState: crawlUniqueStates},
	}
}

// crawlWorker crawls one source per job. Advertisers imported or changed
// since the last job are matched: the pipeline is rebuilt when they change.
type crawlWorker struct {
	river.WorkerDefaults[CrawlArgs]
	a *app
	// client is set once the River client exists: the pipeline enqueues
	// delivery jobs through it.
	client *river.Client[*sql.Tx]
	obs    observer
	// notifiers deliver operator notices (a source that stopped listing).
	notifiers []alerts.Notifier

	// base is the pipeline of the advertisers with fingerprint fp, shared
	// by this process's crawls until the advertisers change.
	build sync.Mutex
	fp    string
	base  *pipeline
}

// pipeline returns a pipeline for one job, rebuilding the matcher only when
// the advertisers changed since the last job (imports, edits).
func (w *crawlWorker) pipeline(ctx context.Context, logger *slog.Logger) (*pipeline, error) {
	w.build.Lock()
	defer w.build.Unlock()
	fp, err := w.a.db.AdvertisersFingerprint(ctx)
	if err != nil {
		return nil, err
	}
	if w.base == nil || fp != w.fp {
		p, err := w.a.newPipeline(ctx, w.a.e.logger) // shared: no job's attributes
		if err != nil {
			return nil, err
		}
		w.base, w.fp = p, fp
	}
	p := *w.base // crawler and extractor are safe for concurrent crawls
	p.logger = logger
	p.hook = enqueueHook(w.client, p.channels)
	p.obs = w.obs
	return &p, nil
}

// Timeout implements river.Worker. River's own deadline is rescue_after:
// the crawl stops itself at job_timeout and then still has time to store
// what it fetched; River's rescuer hands a job back only after this
// deadline, so it never hands out a crawl that is still winding down.
func (w *crawlWorker) Timeout(*river.Job[CrawlArgs]) time.Duration {
	return w.a.cfg.Crawler.RescueAfterOrDefault()
}

// NextRetry implements river.Worker: an interrupted crawl resumes soon (what
// it stored is not fetched again); repeated failures back off a little.
func (w *crawlWorker) NextRetry(job *river.Job[CrawlArgs]) time.Time {
	return time.Now().Add(time.Duration(min(job.Attempt, 30)) * time.Second)
}

// errInterrupted marks a crawl stopped by its deadline or a shutdown: River
// retries it, and the next attempt continues where this one stopped.
var errInterrupted = errors.New("crawl interrupted; the next attempt resumes it")

// Work implements river.Worker.
func (w *crawlWorker) Work(ctx context.Context, job *river.Job[CrawlArgs]) error {
	logger := w.a.e.logger.With("job_id", job.ID, "attempt", job.Attempt)
	src, ok := w.a.cfg.SourceNamed(job.Args.Source)
	if !ok {
		// Another process's configuration has a source this one lacks; a
		// retry here would not help, and its next tick comes from there.
		return river.JobCancel(fmt.Errorf("crawl %s: source not in this process's configuration", job.Args.Source))
	}
	// The lock lives as long as this process's session: while it is held no
	// other process crawls the source, even one River handed the job to
	// because this one looked stuck; once this process dies it is free.
	lock, ok, err := w.a.db.TryLock(ctx, crawlLockName(src.Name))
	if err != nil {
		return fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	if !ok {
		logger.Warn("source is still being crawled by another process; waiting", "source", src.Name)
		return river.JobSnooze(10 * time.Second)
	}
	defer lock.Release()
	crawlCtx, cancel := context.WithTimeout(ctx, w.a.cfg.Crawler.JobTimeout)
	defer cancel()
	p, err := w.pipeline(crawlCtx, logger)
	if err != nil {
		return fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	run := p.crawlSource(crawlCtx, src)
	logSourceRun(logger, run)
	w.a.notifySourceWarnings(ctx, w.notifiers)
	if run.Err != "" && crawlCtx.Err() != nil {
		return fmt.Errorf("crawl %s: %w: %s", src.Name, errInterrupted, run.Err)
	}
	// A failed source is recorded in its run and its health; retrying it
	// at once rarely helps, the next tick will.
	return nil
}

func crawlLockName(source string) string { return "crawl:" + source }

// orphanMinAge is how long a crawl job must have been running before its
// lock is checked: the worker takes the lock within milliseconds of starting.
const orphanMinAge = 5 * time.Second

// watchOrphans hands back, within seconds, a crawl whose process died: River
// shows its job running, but the process's database session, and with it
// the source's lock, is gone. River's rescuer would do the same only after
// crawler.rescue_after. A job must look orphaned twice in a row, so that a
// crawl that has just finished and released its lock, but is not yet marked
// completed, is not taken for dead.
func watchOrphans(ctx context.Context, a *app, every time.Duration) {
	suspects := map[int64]int{} // job id → attempt seen orphaned last round
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		jobs, err := a.db.RunningJobs(ctx, CrawlArgs{}.Kind(), orphanMinAge)
		if err != nil {
			if ctx.Err() == nil {
				a.e.logger.Warn("look for orphaned crawls", "err", err)
			}
			continue
		}
		next := map[int64]int{}
		for _, j := range jobs {
			var args CrawlArgs
			if json.Unmarshal(j.Args, &args) != nil {
				continue
			}
			held, err := a.db.LockHeld(ctx, crawlLockName(args.Source))
			if err != nil || held {
				continue
			}
			if attempt, ok := suspects[j.ID]; !ok || attempt != j.Attempt {
				next[j.ID] = j.Attempt
				continue
			}
			ok, err := a.db.RequeueRunningJob(ctx, j, "crawl process gone (its database session ended); resumed by another")
			if err != nil {
				a.e.logger.Warn("requeue orphaned crawl", "source", args.Source, "job_id", j.ID, "err", err)
				continue
			}
			if ok {
				a.e.logger.Info("orphaned crawl handed back", "source", args.Source, "job_id", j.ID, "attempt", j.Attempt)
			}
		}
		suspects = next
	}
}
