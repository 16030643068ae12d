package main

import (
	"testing"
	"time"

	"adwatch"
	"adwatch/config"
)

func TestPeriodicJobsFollowEachSourcesScheduleInItsZone(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Crawler.Schedule = "0 2 * * *"
	cfg.Sources = []adwatch.Source{
		{Name: "dhs-notices", Schedule: "CRON_TZ=America/New_York 0 2 * * *"},
		{Name: "fcc-notices"},
	}
	jobs, err := periodicJobs(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 2 {
		t.Fatalf("got %d periodic jobs, want 2", len(jobs))
	}
	// The schedules themselves, as River sees them: New York is UTC-5 in
	// December (no host tzdata needed: time/tzdata is embedded).
	from := time.Date(2017, 12, 12, 12, 0, 0, 0, time.UTC) // the day the FY2018 NDAA was signed
	ny, err := config.CronParser.Parse(cfg.Sources[0].Schedule)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ny.Next(from).UTC(), time.Date(2017, 12, 13, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("New York 02:00: got %v, want %v", got, want)
	}
	// A schedule without CRON_TZ= is UTC even when asked in another zone.
	utc, err := config.CronParser.Parse("0 2 * * *")
	if err != nil {
		t.Fatal(err)
	}
	tokyo := time.FixedZone("JST", 9*3600)
	if got, want := (utcSchedule{utc}).Next(from.In(tokyo)).UTC(), time.Date(2017, 12, 13, 2, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("0 2 * * * asked in Tokyo time: got %v, want %v", got, want)
	}
	if got, want := (utcSchedule{ny}).Next(from.In(tokyo)).UTC(), time.Date(2017, 12, 13, 7, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("New York schedule through the UTC wrapper: got %v, want %v", got, want)
	}
	cfg.Sources[1].Schedule = "every night"
	if _, err := periodicJobs(cfg); err == nil {
		t.Errorf("a bad schedule: got no error")
	}
}

func TestCrawlJobsAreUniqueOnlyWhileUnfinished(t *testing.T) {
	t.Parallel()
	opts := CrawlArgs{Source: "dhs-notices"}.InsertOpts()
	if !opts.UniqueOpts.ByArgs || opts.Queue != crawlQueue {
		t.Fatalf("got %+v, want unique by args in the crawl queue", opts)
	}
	for _, s := range opts.UniqueOpts.ByState {
		if s == "completed" || s == "cancelled" || s == "discarded" {
			t.Errorf("unique states include %s: tomorrow's tick would be deduplicated against today's job", s)
		}
	}
}
