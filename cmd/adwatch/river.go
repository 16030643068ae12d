package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivertype"

	"adwatch"
	"adwatch/alerts"
	"adwatch/alerts/console"
	"adwatch/alerts/email"
	"adwatch/alerts/slack"
	"adwatch/alerts/webhook"
	"adwatch/config"
)

const alertsQueue = "alerts"

// notifiers builds the configured channels; console is always on.
func notifiers(cfg config.Config, e *env) ([]alerts.Notifier, error) {
	links := alerts.Links{BaseURL: cfg.BaseURL()}
	client := &http.Client{Timeout: 30 * time.Second}
	ns := []alerts.Notifier{console.New(e.stdout)}
	if u := cfg.Alerts.Slack.WebhookURL; u != "" {
		ns = append(ns, slack.New(u, client, links))
	}
	if ec := cfg.Alerts.Email; ec.SMTPURL != "" {
		n, err := email.New(email.Config{URL: ec.SMTPURL, TLS: ec.TLS, From: ec.From, To: ec.To}, links)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("alerts.email: %w", err)}
		}
		ns = append(ns, n)
	}
	if u := cfg.Alerts.Webhook.URL; u != "" {
		ns = append(ns, webhook.New(u, client, links))
	}
	return ns, nil
}

// riverOptions say what a process's job client does besides working the
// crawl and alerts queues.
type riverOptions struct {
	notifiers []alerts.Notifier
	periodic  []*river.PeriodicJob
	obs       observer
}

// newRiver makes a River client on the archive's own pool, in poll-only mode
// (the database/sql driver has no LISTEN/NOTIFY), working the crawl and
// alerts queues. Every client takes part in leader election: the leader runs
// River's rescuer (jobs of dead processes), its scheduler (retries) and the
// periodic crawl jobs.
func newRiver(a *app, opt riverOptions) (*river.Client[*sql.Tx], error) {
	logger := a.e.logger
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, newDeliverWorker(a, opt.notifiers)); err != nil { // alertjobs.go
		return nil, fmt.Errorf("register delivery worker: %w", err)
	}
	if err := addAlertWorkers(workers, a, opt.notifiers); err != nil { // digests, re-screens, routing (alertjobs.go)
		return nil, err
	}
	cw := &crawlWorker{a: a, obs: opt.obs, notifiers: opt.notifiers}
	if err := river.AddWorkerSafely(workers, cw); err != nil {
		return nil, fmt.Errorf("register crawl worker: %w", err)
	}
	// Both job kinds set their own timeout; River rescues a running job only
	// after that and after RescueStuckJobsAfter, so this bound is what a
	// delivery of a dead process waits (alerts.JobTimeout at least), while a
	// crawl waits crawler.rescue_after.
	rescue := min(a.cfg.Crawler.RescueAfterOrDefault(), 2*time.Minute)
	client, err := river.NewClient(riverdatabasesql.New(a.db.SQL()), &river.Config{
		ID:                clientID(),
		PollOnly:          true,
		FetchPollInterval: 250 * time.Millisecond,
		FetchCooldown:     50 * time.Millisecond,
		Queues: map[string]river.QueueConfig{
			alertsQueue: {MaxWorkers: alertWorkers, FetchCooldown: alertFetchCooldown},
			crawlQueue:  {MaxWorkers: a.cfg.Crawler.Concurrency},
		},
		Workers:              workers,
		Logger:               logger.With("component", "river"),
		JobTimeout:           rescue,
		RescueStuckJobsAfter: rescue,
		PeriodicJobs:         append(opt.periodic, alertPeriodicJobs(a.cfg)...),
	})
	if err != nil {
		return nil, fmt.Errorf("start job client: %w", err)
	}
	cw.client = client
	return client, nil
}

// A queue's throughput is at most MaxWorkers jobs per FetchCooldown: River
// fetches again only that often. With 4 workers and 50 ms, a night with
// 2,000 alerts delivered 80 a second and `adwatch run` waited 9 s after its
// crawl for them. 8 workers and 10 ms allow 800 a second; deliveries are
// short (one message, one mark), Slack's rate limit is answered by its
// Retry-After (the job snoozes), and 8 SMTP sessions at once are well
// within what mail servers accept from one client.
const (
	alertWorkers       = 8
	alertFetchCooldown = 10 * time.Millisecond
)

// clientID names this process in River's tables (attempted_by, the leader),
// so an operator can tell which host and process holds a job.
func clientID() string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "unknown"
	}
	return fmt.Sprintf("%s-%d-%d", host, os.Getpid(), time.Now().UnixNano()%1e6)
}

// stopRiver stops taking jobs and lets running ones finish within grace;
// then it cancels them (River retries them, and a crawl resumes where it
// stopped in whichever process takes it next).
func stopRiver(client *river.Client[*sql.Tx], grace time.Duration, logger *slog.Logger) {
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := client.Stop(sctx)
	if err == nil {
		return
	}
	logger.Warn("jobs still running at the shutdown deadline; cancelling them", "grace", grace)
	hctx, hcancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer hcancel()
	if err := client.StopAndCancel(hctx); err != nil {
		logger.Error("stop job client", "err", err)
	}
}

// enqueueHook inserts the delivery jobs of new alerts inside the transaction
// that stores them, so an alert can never exist without its deliveries.
func enqueueHook(client *river.Client[*sql.Tx], channels []string) func(ctx context.Context, tx *sql.Tx, as []adwatch.Alert) error {
	return func(ctx context.Context, tx *sql.Tx, as []adwatch.Alert) error {
		if len(as) == 0 {
			return nil
		}
		return alerts.EnqueueTx(ctx, client, tx, as, channels)
	}
}

// waitDeliveries returns when no delivery job is left to work, or at the
// deadline: what is still undelivered then is taken up by the next process.
func waitDeliveries(ctx context.Context, client *river.Client[*sql.Tx], deadline time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	tick := time.NewTicker(waitPoll)
	defer tick.Stop()
	// Deliveries are waited for until they are final, retries included. Other
	// jobs of the alerts queue (re-screens, digests) are waited for only while
	// they are at work, since their alerts are then still to come: one
	// that failed and waits for its retry must not hold every run until the
	// deadline; the next run, serve or worker takes it up.
	deliveries := river.NewJobListParams().Queues(alertsQueue).Kinds(alerts.DeliverArgs{}.Kind()).First(1).States(
		rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled, rivertype.JobStatePending)
	working := river.NewJobListParams().Queues(alertsQueue).First(1).States(
		rivertype.JobStateAvailable, rivertype.JobStateRunning)
	for {
		busy := false
		for _, params := range []*river.JobListParams{deliveries, working} {
			res, err := client.JobList(ctx, params)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("list delivery jobs: %w", err)
			}
			busy = busy || len(res.Jobs) > 0
		}
		if !busy {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// insertClient is a River client that only inserts jobs (no queues, no
// workers): for commands that queue work for run, serve or worker to do.
func (a *app) insertClient() (*river.Client[*sql.Tx], error) {
	return river.NewClient(riverdatabasesql.New(a.db.SQL()), &river.Config{Logger: a.e.logger.With("component", "river")})
}
