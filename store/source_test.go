package store_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"adwatch"
	"adwatch/crawler"
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

// record stores runs of one source, failing the test on error.
func record(t *testing.T, db *store.DB, runs ...adwatch.SourceRun) {
	t.Helper()
	for _, r := range runs {
		if err := db.RecordRun(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
}

// nightly returns a run of source on night n of March 2024.
func nightly(source string, n int, items, notModified int, failure string) adwatch.SourceRun {
	return adwatch.SourceRun{Source: source, StartedAt: time.Date(2024, 3, 1+n, 2, 0, 0, 0, time.UTC),
		ItemsSeen: items, ListingsNotModified: notModified, Err: failure}
}

func TestEmptyRunsCountOnlyListingsReadEmpty(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	const src = "fcc-notices"

	record(t, db, nightly(src, 0, 0, 0, ""), nightly(src, 1, 0, 0, ""))
	if h := health(t, db, src); h.EmptyRuns != 0 {
		t.Errorf("a source that never listed items: EmptyRuns = %d, want 0 (nothing broke)", h.EmptyRuns)
	}
	record(t, db, nightly(src, 2, 5, 0, ""))
	for n := 3; n < 3+store.EmptyRunsWarning+2; n++ {
		record(t, db, nightly(src, n, 0, 1, "")) // listing answered 304
	}
	h := health(t, db, src)
	if h.EmptyRuns != 0 || h.ItemsSeen != 5 || h.Warning != "" {
		t.Errorf("after unchanged runs: EmptyRuns = %d, ItemsSeen = %d, Warning = %q; want 0, 5 (last listing), none",
			h.EmptyRuns, h.ItemsSeen, h.Warning)
	}

	record(t, db, nightly(src, 10, 0, 0, ""), nightly(src, 11, 0, 0, ""),
		nightly(src, 12, 0, 0, "listing https://www.fcc.example/covered-list: HTTP 503"))
	if h := health(t, db, src); h.EmptyRuns != 2 || h.Warning != "" {
		t.Errorf("two empty runs and a failure: EmptyRuns = %d, Warning = %q; want 2, none", h.EmptyRuns, h.Warning)
	}
	record(t, db, nightly(src, 13, 0, 0, ""))
	if h := health(t, db, src); h.EmptyRuns != 3 || !strings.Contains(h.Warning, "no items") {
		t.Errorf("third empty run: EmptyRuns = %d, Warning = %q; want 3 and a warning", h.EmptyRuns, h.Warning)
	}
	record(t, db, nightly(src, 14, 0, 1, "")) // still broken, and the listing did not change
	if h := health(t, db, src); h.EmptyRuns != 4 || h.Warning == "" {
		t.Errorf("unchanged after the warning: EmptyRuns = %d, Warning = %q; want 4 (the empty listing again) and the warning kept", h.EmptyRuns, h.Warning)
	}
	record(t, db, nightly(src, 15, 4, 0, ""))
	if h := health(t, db, src); h.EmptyRuns != 0 || h.Warning != "" || h.ItemsSeen != 4 {
		t.Errorf("listing items again: EmptyRuns = %d, Warning = %q, ItemsSeen = %d; want 0, none, 4", h.EmptyRuns, h.Warning, h.ItemsSeen)
	}
}

// A federalregister source asks only for what was published since its last
// run: empty answers are quiet days.
func TestEmptyRunsIgnoreIncrementalAPISources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	const src = "fr-bis"
	err := db.SyncSources(ctx, []adwatch.Source{{Name: src, Kind: adwatch.KindGovernment, Type: adwatch.SourceFederalRegister,
		URL: "https://www.federalregister.example/api/v1/documents.json"}})
	if err != nil {
		t.Fatal(err)
	}
	record(t, db, nightly(src, 0, 7, 0, ""))
	for n := 1; n <= 5; n++ {
		record(t, db, nightly(src, n, 0, 0, ""))
	}
	if h := health(t, db, src); h.EmptyRuns != 0 || h.Warning != "" {
		t.Errorf("quiet week: EmptyRuns = %d, Warning = %q; want 0, none", h.EmptyRuns, h.Warning)
	}
}

func TestSourceWarningDeliveredOncePerBreakage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	const src = "tech-press"
	pending := func() []string {
		t.Helper()
		hs, err := db.SourceWarningsToNotify(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, h := range hs {
			if h.Warning == "" {
				t.Errorf("%s to notify without a warning: %+v", h.Name, h)
			}
			names = append(names, h.Name)
		}
		return names
	}
	mark := func() {
		t.Helper()
		if err := db.MarkSourceWarningNotified(ctx, src); err != nil {
			t.Fatal(err)
		}
	}

	record(t, db, nightly(src, 0, 12, 0, ""))
	mark() // no warning yet: must not silence the coming one
	record(t, db, nightly(src, 1, 0, 0, ""), nightly(src, 2, 0, 0, ""), nightly(src, 3, 0, 0, ""))
	if got := pending(); len(got) != 1 || got[0] != src {
		t.Fatalf("after three empty runs: to notify %q, want [%s]", got, src)
	}
	mark()
	record(t, db, nightly(src, 4, 0, 0, ""))
	if got := pending(); len(got) != 0 {
		t.Errorf("after delivery and a fourth empty run: to notify %q, want none (once, not every night)", got)
	}
	if h := health(t, db, src); h.Warning == "" {
		t.Errorf("delivered warning no longer shown: %+v", h)
	}

	// The selector is fixed, then breaks again: a new warning is due.
	record(t, db, nightly(src, 5, 9, 0, ""))
	record(t, db, nightly(src, 6, 0, 0, ""), nightly(src, 7, 0, 0, ""), nightly(src, 8, 0, 0, ""))
	if got := pending(); len(got) != 1 || got[0] != src {
		t.Errorf("after a second breakage: to notify %q, want [%s]", got, src)
	}
	if err := db.MarkSourceWarningNotified(ctx, "no-such-source"); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("marking an unknown source: got %v, want ErrNotFound", err)
	}
}

// pressFeed is an RSS 2.0 feed with ETag support whose item selector can
// "break" (the site moved its items and the feed comes out empty).
type pressFeed struct {
	mu     sync.Mutex
	broken bool
}

func (p *pressFeed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	broken := p.broken
	p.mu.Unlock()
	if r.URL.Path != "/feed.xml" {
		http.NotFound(w, r) // robots.txt too: everything allowed
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Tech press</title>`)
	if !broken {
		b.WriteString(`<item><title>Commerce adds Huawei to the Entity List</title>` +
			`<link>https://press.example/2019/05/16/huawei-entity-list</link><pubDate>Thu, 16 May 2019 21:00:00 +0000</pubDate>` +
			`<description>The Bureau of Industry and Security added Huawei Technologies to the Entity List.</description></item>` +
			`<item><title>FCC publishes the Covered List</title>` +
			`<link>https://press.example/2021/03/12/fcc-covered-list</link><pubDate>Fri, 12 Mar 2021 20:00:00 +0000</pubDate>` +
			`<description>Huawei, ZTE, Hytera, Hikvision and Dahua equipment is named.</description></item>`)
	}
	b.WriteString(`</channel></rss>`)
	etag := `"` + hashOf(b.String())[:16] + `"`
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml")
	io.WriteString(w, b.String())
}

// The real crawler, with the store as its State, over nights of an
// unchanged feed (304s: no warning) and then a broken one (warning after
// EmptyRunsWarning nights, delivered once).
func TestCrawledSourceHealth(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	feed := &pressFeed{}
	srv := httptest.NewServer(feed)
	t.Cleanup(srv.Close)
	src := adwatch.Source{Name: "tech-press", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: srv.URL + "/feed.xml"}
	if err := db.SyncSources(ctx, []adwatch.Source{src}); err != nil {
		t.Fatal(err)
	}
	c := crawler.New(crawler.Config{AllowPrivateNetworks: true, MaxRetries: -1}, db, nil)
	emit := func(ctx context.Context, f adwatch.Fetched) error {
		d := adwatch.Document{URL: f.URL, Title: f.Meta["title"], Source: f.Source, Kind: f.Kind, FetchedAt: f.FetchedAt,
			Text: string(f.Body), ContentHash: hashOf(string(f.Body)), ContentType: f.ContentType, Status: f.Status,
			Raw: f.Body, RawHeader: f.Header, FinalURL: f.URL, Meta: f.Meta}
		_, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil)
		return err
	}
	night := func() adwatch.SourceRun {
		t.Helper()
		run, err := c.Crawl(ctx, src, emit)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RecordRun(ctx, run); err != nil {
			t.Fatal(err)
		}
		return run
	}

	if run := night(); run.ItemsSeen != 2 {
		t.Fatalf("first night: ItemsSeen = %d, want 2 (errors %q)", run.ItemsSeen, run.Errors)
	}
	for range store.EmptyRunsWarning + 1 {
		night()
	}
	if h := health(t, db, src.Name); h.EmptyRuns != 0 || h.Warning != "" || h.ItemsSeen != 2 {
		t.Errorf("unchanged feed for %d nights: EmptyRuns = %d, Warning = %q, ItemsSeen = %d; want 0, none, 2",
			store.EmptyRunsWarning+1, h.EmptyRuns, h.Warning, h.ItemsSeen)
	}

	feed.mu.Lock()
	feed.broken = true
	feed.mu.Unlock()
	for range store.EmptyRunsWarning { // read empty once, then 304s of the empty feed
		night()
	}
	hs, err := db.SourceWarningsToNotify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || hs[0].Name != src.Name || hs[0].EmptyRuns != store.EmptyRunsWarning {
		t.Fatalf("broken feed: to notify %+v, want %s with %d empty runs", hs, src.Name, store.EmptyRunsWarning)
	}
	if err := db.MarkSourceWarningNotified(ctx, src.Name); err != nil {
		t.Fatal(err)
	}
	if run := night(); run.ListingsNotModified != 1 { // still broken, already told
		t.Errorf("last night: ListingsNotModified = %d, want 1 (the empty feed's 304)", run.ListingsNotModified)
	}
	if hs, err := db.SourceWarningsToNotify(ctx); err != nil || len(hs) != 0 {
		t.Errorf("next night: to notify %+v (err %v), want none", hs, err)
	}
}
