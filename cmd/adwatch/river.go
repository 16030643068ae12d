package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
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

// newRiver makes a River client on the archive's own pool, in poll-only mode
// (the database/sql driver has no LISTEN/NOTIFY), working the alerts queue.
func newRiver(a *app, ns []alerts.Notifier, logger *slog.Logger) (*river.Client[*sql.Tx], error) {
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, alerts.NewDeliverWorker(a.db, ns, logger)); err != nil {
		return nil, fmt.Errorf("register delivery worker: %w", err)
	}
	client, err := river.NewClient(riverdatabasesql.New(a.db.SQL()), &river.Config{
		PollOnly:          true,
		FetchPollInterval: 250 * time.Millisecond,
		FetchCooldown:     50 * time.Millisecond,
		Queues:            map[string]river.QueueConfig{alertsQueue: {MaxWorkers: 4}},
		Workers:           workers,
		Logger:            logger.With("component", "river"),
		JobTimeout:        2 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("start job client: %w", err)
	}
	return client, nil
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
	tick := time.NewTicker(300 * time.Millisecond)
	defer tick.Stop()
	params := river.NewJobListParams().Queues(alertsQueue).First(1).States(
		rivertype.JobStateAvailable, rivertype.JobStateRunning, rivertype.JobStateRetryable,
		rivertype.JobStateScheduled, rivertype.JobStatePending)
	for {
		res, err := client.JobList(ctx, params)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("list delivery jobs: %w", err)
		}
		if len(res.Jobs) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}
