package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"adwatch"
	"adwatch/store"
)

func health(t *testing.T, db *store.DB, name string) adwatch.SourceHealth {
	t.Helper()
	all, err := db.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("source %s not listed", name)
	return adwatch.SourceHealth{}
}

func TestRecordRunHealth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	start := time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)
	runs := []adwatch.SourceRun{
		{Source: "dhs-notices", StartedAt: start, ItemsSeen: 12, NewDocuments: 2, Duration: 3 * time.Second},
		{Source: "dhs-notices", StartedAt: start.Add(24 * time.Hour), Err: "GET rss.xml: 503 Service Unavailable"},
		{Source: "dhs-notices", StartedAt: start.Add(48 * time.Hour), Err: "GET rss.xml: timeout"},
	}
	for _, r := range runs {
		if err := db.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	h := health(t, db, "dhs-notices")
	if h.ConsecutiveFailures != 2 || h.LastError != "GET rss.xml: timeout" || !h.LastSuccessAt.Equal(start) ||
		!h.LastRunAt.Equal(start.Add(48*time.Hour)) || h.TotalDocuments != 2 {
		t.Errorf("after two failures: got %+v", h)
	}
	for i := range 2 {
		r := adwatch.SourceRun{Source: "dhs-notices", StartedAt: start.Add(time.Duration(72+24*i) * time.Hour)}
		if err := db.RecordRun(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	h = health(t, db, "dhs-notices")
	if h.ConsecutiveFailures != 0 || h.EmptyRuns != 2 || h.LastError != "" || h.ItemsSeen != 0 {
		t.Errorf("after two empty successes: got %+v, want failures reset and 2 empty runs", h)
	}
	if err := db.RecordRun(ctx, adwatch.SourceRun{Source: "dhs-notices", StartedAt: start.Add(200 * time.Hour), ItemsSeen: 3}); err != nil {
		t.Fatal(err)
	}
	if h = health(t, db, "dhs-notices"); h.EmptyRuns != 0 || h.ItemsSeen != 3 {
		t.Errorf("after a run with items: got %+v, want empty runs reset", h)
	}
	history, err := db.SourceRuns(ctx, "dhs-notices", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 6 || history[len(history)-1].Duration != 3*time.Second || history[4].Err == "" {
		t.Errorf("run history: got %+v", history)
	}
	if err := db.RecordRun(ctx, adwatch.SourceRun{Source: "unknown", StartedAt: start}); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("run of unknown source: got %v, want ErrNotFound", err)
	}
}

func TestSyncSourcesUpdatesByName(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	err := db.SyncSources(ctx, []adwatch.Source{
		{Name: "tech-press", Kind: adwatch.KindPress, Type: adwatch.SourceHTML, URL: "https://press.example/news/"},
	})
	if err != nil {
		t.Fatal(err)
	}
	h := health(t, db, "tech-press")
	if h.Type != adwatch.SourceHTML || h.URL != "https://press.example/news/" {
		t.Errorf("after sync: got %+v", h)
	}
	all, err := db.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("sources: got %d, want 3 (sources absent from config are kept)", len(all))
	}
}

func TestURLState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	u := "https://www.dhs.example/news/rss.xml"
	if _, err := db.URLState(ctx, u); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown url: got %v, want ErrNotFound", err)
	}
	updated := time.Date(2017, 9, 13, 14, 0, 0, 0, time.UTC)
	st := adwatch.URLState{URL: u, Source: "dhs-notices", ETag: `W/"17-01"`, LastModified: "Wed, 13 Sep 2017 14:00:00 GMT",
		Status: 200, FetchedAt: time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC), Updated: &updated}
	if err := db.PutURLState(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Status = 304
	if err := db.PutURLState(ctx, st); err != nil {
		t.Fatal(err)
	}
	got, err := db.URLState(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != st.ETag || got.Status != 304 || !got.FetchedAt.Equal(st.FetchedAt) || got.Updated == nil || !got.Updated.Equal(updated) {
		t.Errorf("url state: got %+v, want %+v", got, st)
	}
	if err := db.PutURLState(ctx, adwatch.URLState{}); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("empty url: got %v, want ErrInvalid", err)
	}
}
