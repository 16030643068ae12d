package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"adwatch"
	"adwatch/alerts"
	"adwatch/store"
)

// metrics are what /metrics exports. Counters count what this process did;
// the gauges read the shared database, so every process reports the same
// queue depth and source health.
type metrics struct {
	reg        *prometheus.Registry
	docs       *prometheus.CounterVec
	bytes      *prometheus.CounterVec
	errors     *prometheus.CounterVec
	extract    prometheus.Histogram
	raised     *prometheus.CounterVec
	runs       *prometheus.CounterVec
	deliveries *prometheus.CounterVec
	jobWait    *prometheus.HistogramVec
	jobRun     *prometheus.HistogramVec
}

func newMetrics(db *store.DB, logger *slog.Logger) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		docs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_documents_fetched_total", Help: "Documents fetched and extracted, by source.",
		}, []string{"source"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_fetched_bytes_total", Help: "Bytes downloaded (listings and documents), by source.",
		}, []string{"source"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_crawl_errors_total", Help: "Crawl errors by source and kind: page (one page failed), extract (a parser failed), source (the whole source failed).",
		}, []string{"source", "kind"}),
		extract: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "adwatch_extract_seconds", Help: "Time to extract text and companies and match advertisers, per document.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}),
		raised: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_alerts_raised_total", Help: "Alerts raised, by source.",
		}, []string{"source"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_source_runs_total", Help: "Crawls of a source by outcome (ok, failed).",
		}, []string{"source", "outcome"}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adwatch_deliveries_total", Help: "Delivery attempts by channel and outcome (delivered, retrying, failed).",
		}, []string{"channel", "outcome"}),
		jobWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "adwatch_job_wait_seconds", Help: "Time a job waited in the queue before a worker took it.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 12),
		}, []string{"queue"}),
		jobRun: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "adwatch_job_run_seconds", Help: "Time a job ran, by queue.",
			Buckets: prometheus.ExponentialBuckets(0.01, 3, 14),
		}, []string{"queue"}),
	}
	m.reg.MustRegister(m.docs, m.bytes, m.errors, m.extract, m.raised, m.runs, m.deliveries, m.jobWait, m.jobRun,
		&dbCollector{db: db, logger: logger},
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) fetched(source string, _ int, d time.Duration, failed bool) {
	m.docs.WithLabelValues(source).Inc()
	m.extract.Observe(d.Seconds())
	if failed {
		m.errors.WithLabelValues(source, "extract").Inc()
	}
}

func (m *metrics) stored(source string, _ int, as []adwatch.Alert) {
	if len(as) > 0 {
		m.raised.WithLabelValues(source).Add(float64(len(as)))
	}
}

func (m *metrics) finished(run adwatch.SourceRun) {
	m.bytes.WithLabelValues(run.Source).Add(float64(run.Bytes))
	if n := len(run.Errors); n > 0 {
		m.errors.WithLabelValues(run.Source, "page").Add(float64(n))
	}
	if run.Err != "" {
		m.errors.WithLabelValues(run.Source, "source").Inc()
		m.runs.WithLabelValues(run.Source, "failed").Inc()
		return
	}
	m.runs.WithLabelValues(run.Source, "ok").Inc()
}

// watch counts the outcomes of the jobs this process works, from River's
// events (deliveries by channel, queue wait and run times), until the client
// stops. Events are dropped, never blocking River, if this falls behind.
func (m *metrics) watch(client *river.Client[*sql.Tx]) {
	events, cancel := client.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed,
		river.EventKindJobCancelled, river.EventKindJobSnoozed)
	go func() {
		defer cancel()
		for ev := range events {
			m.event(ev)
		}
	}()
}

func (m *metrics) event(ev *river.Event) {
	if ev.Job == nil {
		return
	}
	if ev.JobStats != nil {
		m.jobWait.WithLabelValues(ev.Job.Queue).Observe(ev.JobStats.QueueWaitDuration.Seconds())
		m.jobRun.WithLabelValues(ev.Job.Queue).Observe(ev.JobStats.RunDuration.Seconds())
	}
	if ev.Job.Kind != (alerts.DeliverArgs{}).Kind() {
		return
	}
	var args alerts.DeliverArgs
	if json.Unmarshal(ev.Job.EncodedArgs, &args) != nil {
		return
	}
	outcome := "retrying"
	switch {
	case ev.Kind == river.EventKindJobCompleted:
		outcome = "delivered"
	case ev.Kind == river.EventKindJobCancelled, ev.Job.State == rivertype.JobStateDiscarded:
		outcome = "failed"
	}
	m.deliveries.WithLabelValues(args.Channel, outcome).Inc()
}

// dbCollector reads queue depth and source health at scrape time.
type dbCollector struct {
	db     *store.DB
	logger *slog.Logger
}

var (
	queueJobsDesc = prometheus.NewDesc("adwatch_queue_jobs",
		"Jobs not yet finished, by queue and state (all processes).", []string{"queue", "state"}, nil)
	queueOldestDesc = prometheus.NewDesc("adwatch_queue_oldest_seconds",
		"Age of the oldest job in a queue and state: how long it has been due, or running.", []string{"queue", "state"}, nil)
	failuresDesc = prometheus.NewDesc("adwatch_source_consecutive_failures",
		"Failed crawls of a source in a row (0 after a success).", []string{"source"}, nil)
	lastSuccessDesc = prometheus.NewDesc("adwatch_source_last_success_timestamp_seconds",
		"When a source was last crawled successfully (Unix time).", []string{"source"}, nil)
)

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueJobsDesc
	ch <- queueOldestDesc
	ch <- failuresDesc
	ch <- lastSuccessDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	qs, err := c.db.QueueStats(ctx)
	if err != nil {
		c.logger.Warn("metrics: queue depth", "err", err)
	}
	if err == nil {
		// An empty queue is reported as 0, not as a missing series, so
		// alerting rules and graphs see it.
		type key struct{ queue, state string }
		seen := map[key]store.QueueStat{}
		for _, q := range qs {
			seen[key{q.Queue, q.State}] = q
		}
		for _, queue := range []string{crawlQueue, alertsQueue} {
			for _, state := range crawlUniqueStates {
				k := key{queue, string(state)}
				if _, ok := seen[k]; !ok {
					seen[k] = store.QueueStat{Queue: queue, State: string(state)}
				}
			}
		}
		for _, q := range seen {
			ch <- prometheus.MustNewConstMetric(queueJobsDesc, prometheus.GaugeValue, float64(q.Jobs), q.Queue, q.State)
			ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, q.Oldest.Seconds(), q.Queue, q.State)
		}
	}
	fs, err := c.db.SourcesFailures(ctx)
	if err != nil {
		c.logger.Warn("metrics: source health", "err", err)
	}
	for _, f := range fs {
		ch <- prometheus.MustNewConstMetric(failuresDesc, prometheus.GaugeValue, float64(f.ConsecutiveFailures), f.Name)
		if f.LastSuccessAt != nil {
			ch <- prometheus.MustNewConstMetric(lastSuccessDesc, prometheus.GaugeValue, float64(f.LastSuccessAt.Unix()), f.Name)
		}
	}
}
