package main

import (
	"fmt"

	"github.com/riverqueue/river"

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
		// A cron.Schedule already has Next(time.Time) time.Time, which is
		// all river.PeriodicSchedule asks; CRON_TZ= is handled by the parser.
		sched, err := config.CronParser.Parse(spec)
		if err != nil {
			return nil, &exitError{code: exitUsage, err: fmt.Errorf("source %s: schedule %q: %w", src.Name, spec, err)}
		}
		name := src.Name
		jobs = append(jobs, river.NewPeriodicJob(sched, func() (river.JobArgs, *river.InsertOpts) {
			return CrawlArgs{Source: name}, nil
		}, &river.PeriodicJobOpts{ID: "crawl:" + name}))
	}
	return jobs, nil
}
