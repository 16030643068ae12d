package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
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

// crawlWorker crawls one source per job with a pipeline built for that job,
// so advertisers imported since the last tick are matched.
type crawlWorker struct {
	river.WorkerDefaults[CrawlArgs]
	a *app
	// client is set once the River client exists: the pipeline enqueues
	// delivery jobs through it.
	client *river.Client[*sql.Tx]
	obs    observer
	build  sync.Mutex // one matcher build at a time bounds memory
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
	crawlCtx, cancel := context.WithTimeout(ctx, w.a.cfg.Crawler.JobTimeout)
	defer cancel()
	w.build.Lock()
	p, err := w.a.newPipeline(crawlCtx, logger)
	w.build.Unlock()
	if err != nil {
		return fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	p.hook = enqueueHook(w.client, p.channels)
	p.obs = w.obs
	run, _ := p.crawlSource(crawlCtx, src)
	logSourceRun(logger, run)
	if run.Err != "" && crawlCtx.Err() != nil {
		return fmt.Errorf("crawl %s: %w: %s", src.Name, errInterrupted, run.Err)
	}
	// A failed source is recorded in its run and its health; retrying it
	// at once rarely helps, the next tick will.
	return nil
}
