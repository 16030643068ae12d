package store_test

import (
	"context"
	"testing"
	"time"

	"adwatch"
)

func TestRunsSinceReturnsOnlyRunsOfThisPass(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	ctx := context.Background()
	now, err := db.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	old := adwatch.SourceRun{Source: "dhs-notices", StartedAt: now.Add(-24 * time.Hour), NewDocuments: 9}
	fresh := []adwatch.SourceRun{
		{Source: "dhs-notices", StartedAt: now.Add(time.Second), Pages: 3, NewDocuments: 2, Alerts: 1, Errors: []string{"x: 404"}},
		{Source: "fcc-notices", StartedAt: now.Add(2 * time.Second), Err: "listing: 500"},
		{Source: "tech-press", StartedAt: now.Add(3 * time.Second), NewDocuments: 5}, // not asked for
	}
	for _, r := range append([]adwatch.SourceRun{old}, fresh...) {
		if err := db.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.RunsSince(ctx, map[string]time.Time{"dhs-notices": now, "fcc-notices": now})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d runs %+v, want 2", len(got), got)
	}
	if got[0].Source != "dhs-notices" || got[0].NewDocuments != 2 || got[0].Alerts != 1 || len(got[0].Errors) != 1 {
		t.Errorf("first run: got %+v, want dhs-notices with 2 documents, 1 alert, 1 page error", got[0])
	}
	if got[1].Source != "fcc-notices" || got[1].Err != "listing: 500" {
		t.Errorf("second run: got %+v, want fcc-notices failed", got[1])
	}
	fs, err := db.SourcesFailures(ctx)
	if err != nil {
		t.Fatal(err)
	}
	failures := map[string]int{}
	for _, f := range fs {
		failures[f.Name] = f.ConsecutiveFailures
	}
	if failures["fcc-notices"] != 1 || failures["dhs-notices"] != 0 {
		t.Errorf("consecutive failures: got %v, want fcc-notices 1 and dhs-notices 0", failures)
	}
}

func TestQueueStatsCountsUnfinishedJobs(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	ctx := context.Background()
	_, err := db.SQL().ExecContext(ctx, `
		INSERT INTO river_job (args, kind, max_attempts, queue, state, scheduled_at, finalized_at) VALUES
			('{}', 'crawl', 5, 'crawl', 'available', now() - interval '90 seconds', NULL),
			('{}', 'crawl', 5, 'crawl', 'available', now() - interval '10 seconds', NULL),
			('{}', 'crawl', 5, 'crawl', 'completed', now() - interval '1 hour', now())`)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := db.QueueStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 {
		t.Fatalf("got %+v, want one row (crawl, available)", stats)
	}
	s := stats[0]
	if s.Queue != "crawl" || s.State != "available" || s.Jobs != 2 {
		t.Errorf("got %+v, want 2 available crawl jobs", s)
	}
	if s.Oldest < 80*time.Second || s.Oldest > time.Hour {
		t.Errorf("oldest: got %v, want about 90s", s.Oldest)
	}
}

func TestLockIsHeldUntilReleased(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	ctx := context.Background()
	l, ok, err := db.TryLock(ctx, "crawl:dhs-notices")
	if err != nil || !ok {
		t.Fatalf("first TryLock: got %v %v, want the lock", ok, err)
	}
	if _, ok, err := db.TryLock(ctx, "crawl:dhs-notices"); err != nil || ok {
		t.Errorf("second TryLock: got %v %v, want refused", ok, err)
	}
	if held, err := db.LockHeld(ctx, "crawl:dhs-notices"); err != nil || !held {
		t.Errorf("LockHeld while held: got %v %v, want true", held, err)
	}
	if held, err := db.LockHeld(ctx, "crawl:fcc-notices"); err != nil || held {
		t.Errorf("LockHeld of another name: got %v %v, want false", held, err)
	}
	l.Release()
	if held, err := db.LockHeld(ctx, "crawl:dhs-notices"); err != nil || held {
		t.Errorf("LockHeld after Release: got %v %v, want false", held, err)
	}
}

func TestRequeueRunningJobOnlyTheSameAttempt(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	ctx := context.Background()
	_, err := db.SQL().ExecContext(ctx, `
		INSERT INTO river_job (args, kind, max_attempts, queue, state, attempt, attempted_at, scheduled_at) VALUES
			('{"source":"dhs-notices"}', 'crawl_source', 5, 'crawl', 'running', 1, now() - interval '1 minute', now() - interval '1 minute'),
			('{"source":"fcc-notices"}', 'crawl_source', 5, 'crawl', 'running', 1, now(), now())`)
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := db.RunningJobs(ctx, "crawl_source", 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || string(jobs[0].Args) != `{"source": "dhs-notices"}` {
		t.Fatalf("got %+v, want the one job running for a minute", jobs)
	}
	stale := jobs[0]
	stale.Attempt = 2
	if ok, err := db.RequeueRunningJob(ctx, stale, "gone"); err != nil || ok {
		t.Errorf("requeue of another attempt: got %v %v, want no change", ok, err)
	}
	if ok, err := db.RequeueRunningJob(ctx, jobs[0], "crawl process gone"); err != nil || !ok {
		t.Fatalf("requeue: got %v %v, want done", ok, err)
	}
	var state string
	var errs int
	if err := db.SQL().QueryRowContext(ctx, `SELECT state, cardinality(errors) FROM river_job WHERE id = $1`, jobs[0].ID).Scan(&state, &errs); err != nil {
		t.Fatal(err)
	}
	if state != "available" || errs != 1 {
		t.Errorf("after requeue: got state %s with %d errors, want available with 1", state, errs)
	}
}

func TestAdvertisersFingerprintFollowsChanges(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	ctx := context.Background()
	fp := func() string {
		t.Helper()
		s, err := db.AdvertisersFingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := fp()
	if again := fp(); again != before {
		t.Fatalf("unchanged advertisers: got %q then %q", before, again)
	}
	_, err := db.ImportAdvertisers(ctx, []adwatch.Advertiser{
		{ID: "a-22", Name: "ZTE Corporation", Aliases: []string{"ZTE", "Zhongxing"}, Active: true},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	if after := fp(); after == before {
		t.Errorf("a new alias left the fingerprint at %q", after)
	}
}
