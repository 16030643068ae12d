package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"adwatch"
	"adwatch/bench/matchbench/synth"
	"adwatch/config"
	"adwatch/internal/testdb"
	"adwatch/store"
)

// TestPipelineStoresEveryBatch crawls more pages than fit in the savers'
// batches and queue: every page is stored once and counted.
func TestPipelineStoresEveryBatch(t *testing.T) {
	t.Parallel()
	const pages = 3*saveBatch + saveBatch/2
	p, src, db, _ := newTestPipeline(t, pages, true)
	run := p.crawlSource(context.Background(), src)
	if run.Err != "" || len(run.Errors) > 0 {
		t.Fatalf("run failed: %s %q", run.Err, run.Errors)
	}
	if run.NewDocuments != pages {
		t.Errorf("new documents: got %d, want %d", run.NewDocuments, pages)
	}
	var docs, alerts int
	if err := db.SQL().QueryRow(`SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM alerts)`).Scan(&docs, &alerts); err != nil {
		t.Fatal(err)
	}
	if docs != pages || alerts != run.Alerts || alerts == 0 {
		t.Errorf("stored %d documents and %d alerts; the run counted %d and %d (want %d documents, some alerts)",
			docs, alerts, run.NewDocuments, run.Alerts, pages)
	}
}

// TestPipelineStoresSlowCrawlWithinSeconds: a crawl too slow to fill a batch
// still stores (and alerts) what it fetched within saveWait, while it is
// running, not when it ends. The last page is held until the first ones are
// in the database.
func TestPipelineStoresSlowCrawlWithinSeconds(t *testing.T) {
	t.Parallel()
	const pages = 5
	ads := synth.Advertisers(200)
	var db atomic.Pointer[store.DB]
	var sawStored atomic.Bool
	site := benchSite(pages, ads)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == fmt.Sprintf("/articles/%06d.html", pages-1) {
			for deadline := time.Now().Add(4 * saveWait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				var n int
				if err := db.Load().SQL().QueryRowContext(r.Context(), `SELECT count(*) FROM documents`).Scan(&n); err == nil && n > 0 {
					sawStored.Store(true)
					break
				}
			}
		}
		site.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p, src, sdb := pipelineOn(t, srv.URL, ads, 4, true)
	db.Store(sdb)
	run := p.crawlSource(context.Background(), src)
	if run.Err != "" || len(run.Errors) > 0 {
		t.Fatalf("run failed: %s %q", run.Err, run.Errors)
	}
	if !sawStored.Load() {
		t.Errorf("no document was stored within %v while the crawl waited on its last page", 4*saveWait)
	}
	if run.NewDocuments != pages {
		t.Errorf("new documents: got %d, want %d", run.NewDocuments, pages)
	}
}

// TestPipelineStopsWhenSavingFails: when a batch cannot be stored the crawl
// stops with the store's error instead of fetching on.
func TestPipelineStopsWhenSavingFails(t *testing.T) {
	t.Parallel()
	const pages = 20 * saveBatch
	p, src, _, fetched := newTestPipeline(t, pages, false) // the source is not in the database
	run := p.crawlSource(context.Background(), src)
	if !strings.Contains(run.Err, "store") || !strings.Contains(run.Err, "unknown source") {
		t.Errorf("run error: got %q, want the store's", run.Err)
	}
	if run.NewDocuments != 0 {
		t.Errorf("new documents: got %d, want 0", run.NewDocuments)
	}
	if n := fetched.Load(); n >= pages {
		t.Errorf("the crawl fetched all %d pages after the first failed save", n)
	}
}

func newTestPipeline(t *testing.T, pages int, syncSource bool) (*pipeline, adwatch.Source, *store.DB, *atomic.Int64) {
	t.Helper()
	ads := synth.Advertisers(200)
	var fetched atomic.Int64
	srv := httptest.NewServer(countRequests(benchSite(pages, ads), &fetched))
	t.Cleanup(srv.Close)
	p, src, db := pipelineOn(t, srv.URL, ads, 4, syncSource)
	return p, src, db, &fetched
}

// pipelineOn makes the nightly pipeline for one feed source at siteURL on a
// fresh database holding ads (and the source, when syncSource).
func pipelineOn(tb testing.TB, siteURL string, ads []adwatch.Advertiser, parallelism int, syncSource bool) (*pipeline, adwatch.Source, *store.DB) {
	tb.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, testdb.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.ImportAdvertisers(ctx, ads, false); err != nil {
		tb.Fatal(err)
	}
	src := adwatch.Source{Name: "policy-wire", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: siteURL + "/feed.xml", Follow: true}
	if syncSource {
		if err := db.SyncSources(ctx, []adwatch.Source{src}); err != nil {
			tb.Fatal(err)
		}
	}
	var cfg config.Config
	cfg.Crawler.AllowPrivateNetworks = true
	cfg.Crawler.PerHostParallelism = parallelism
	a := &app{cfg: cfg, db: db, e: &env{getenv: os.Getenv}}
	p, err := a.newPipeline(ctx, slog.New(slog.DiscardHandler))
	if err != nil {
		tb.Fatal(err)
	}
	return p, src, db
}

// countRequests counts the article pages served.
func countRequests(next http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/articles/") {
			n.Add(1)
		}
		next.ServeHTTP(w, r)
	})
}
