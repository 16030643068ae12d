package main

import (
	"fmt"

	"github.com/riverqueue/river"

	"adwatch"
	"adwatch/alerts"
	"adwatch/config"
	"adwatch/store"
)

// alertRouter turns alerts.routes into the store's per-delivery decision,
// taken inside the transaction that saves the alert.
func alertRouter(cfg config.Config) store.Router {
	routes := cfg.Alerts.Routes
	return func(a adwatch.Alert, channel string) string {
		switch routes.Mode(a, channel) {
		case config.RouteDigest:
			return adwatch.DeliveryDigest
		case config.RouteNone:
			return adwatch.DeliverySkipped
		}
		return adwatch.DeliveryPending
	}
}

// newDeliverWorker is the delivery worker with the configured attempt
// timeout and number of attempts.
func newDeliverWorker(a *app, ns []alerts.Notifier) *alerts.DeliverWorker {
	w := alerts.NewDeliverWorker(a.db, ns, a.e.logger)
	if t := a.cfg.Alerts.JobTimeout; t > 0 {
		w.JobTimeout = t
	}
	w.MaxAttempts = a.cfg.Alerts.MaxAttempts
	return w
}

// addAlertWorkers registers the alert jobs besides single deliveries
// (digests and re-screens) and makes the store route new alerts' deliveries
// by alerts.routes: every process that saves alerts builds its job client
// through here.
func addAlertWorkers(workers *river.Workers, a *app, ns []alerts.Notifier) error {
	a.db.SetRouter(alertRouter(a.cfg))
	if err := river.AddWorkerSafely(workers, alerts.NewDigestWorker(a.db, ns, a.e.logger)); err != nil {
		return fmt.Errorf("register digest worker: %w", err)
	}
	if err := river.AddWorkerSafely(workers, &rescreenWorker{a: a}); err != nil {
		return fmt.Errorf("register re-screen worker: %w", err)
	}
	return nil
}

// alertPeriodicJobs enqueues, at every alerts.digest_schedule tick, a digest
// job for each configured channel that some route sends to the digest. Only
// the elected leader enqueues periodic jobs, and the digest job is unique
// per channel × tick, so a digest goes out once however many processes run.
func alertPeriodicJobs(cfg config.Config) []*river.PeriodicJob {
	channels := cfg.Alerts.Routes.Digests(cfg.Channels())
	if len(channels) == 0 {
		return nil
	}
	sched, err := config.CronParser.Parse(string(cfg.Alerts.DigestSchedule))
	if err != nil { // checked when the configuration was read
		sched, _ = config.CronParser.Parse(config.DefaultDigestSchedule)
	}
	jobs := make([]*river.PeriodicJob, 0, len(channels))
	for _, ch := range channels {
		jobs = append(jobs, alerts.DigestPeriodicJob(sched, ch))
	}
	return jobs
}
