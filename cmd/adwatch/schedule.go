package main

import (
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/robfig/cron/v3"

	"adwatch/config"
)

// periodicJobs turns each source's cron schedule (its own, else
// crawler.schedule) into a River periodic job. Only the elected leader among
// all processes on the database enqueues them, so each tick is enqueued once
// however many processes run; a tick whose previous crawl still runs is
// deduplicated by CrawlArgs' unique options. Every process registers the
// same jobs, since any of them may become the leader.
func periodicJobs(cfg config.Config) ([]*river.PeriodicJob, error) {
	var jobs []*river.PeriodicJob
	for _, src := range cfg.Sources {
		spec := src.Schedule
		if spec == "" {
			spec = cfg.Crawler.Schedule
		}
		sched, err := config.CronParser.Parse(spec)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("source %s: schedule %q: %w", src.Name, spec, err)}
		}
		name := src.Name
		jobs = append(jobs, river.NewPeriodicJob(utcSchedule{sched}, func() (river.JobArgs, *river.InsertOpts) {
			return CrawlArgs{Source: name}, nil
		}, &river.PeriodicJobOpts{ID: "crawl:" + name}))
	}
	return jobs, nil
}

// utcSchedule reads a schedule without CRON_TZ= in UTC, whatever the host's
// zone (River asks with the local time; robfig reads zone-less specs in the
// zone of the time it is given). A CRON_TZ= schedule keeps its own zone.
// A cron.Schedule otherwise already is a river.PeriodicSchedule.
type utcSchedule struct{ s cron.Schedule }

func (u utcSchedule) Next(t time.Time) time.Time { return u.s.Next(t.UTC()) }
