package crawler

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"adwatch"
)

// validatorSite serves a feed and its articles honouring either ETag or
// Last-Modified (not both), and counts full (200) answers per path.
type validatorSite struct {
	mu      sync.Mutex
	full    map[string]int
	notMod  atomic.Int64
	useETag bool
	items   int
	updated time.Time
}

func (v *validatorSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	var body, ct string
	if r.URL.Path == "/feed" {
		ct = "application/rss+xml"
		var b strings.Builder
		b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Notices</title>`)
		for i := range v.items {
			fmt.Fprintf(&b, `<item><title>Notice %d</title><link>http://%s/n/%d</link><pubDate>%s</pubDate></item>`,
				i, r.Host, i, v.updated.Format(time.RFC1123Z))
		}
		b.WriteString(`</channel></rss>`)
		body = b.String()
	} else {
		ct = "text/html; charset=utf-8"
		body = articlePage(r.URL.Path, strings.Repeat("Huawei Technologies was added to the Entity List. ", 100))
	}
	version := fmt.Sprintf("%x", len(body)+int(v.updated.Unix()))
	mod := v.updated.UTC().Format(http.TimeFormat)
	if r.URL.Path == "/feed" { // the feed changes when an item is added
		mod = v.updated.Add(time.Duration(v.items) * time.Minute).UTC().Format(http.TimeFormat)
	}
	if v.useETag {
		w.Header().Set("ETag", `"`+version+`"`)
		if r.Header.Get("If-None-Match") == `"`+version+`"` {
			v.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		w.Header().Set("Last-Modified", mod)
		if r.Header.Get("If-Modified-Since") == mod {
			v.notMod.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	v.mu.Lock()
	v.full[r.URL.Path]++
	v.mu.Unlock()
	w.Header().Set("Content-Type", ct)
	fmt.Fprint(w, body)
}

func TestConditionalGET(t *testing.T) {
	t.Parallel()
	for _, useETag := range []bool{true, false} {
		name := "Last-Modified"
		if useETag {
			name = "ETag"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			site := &validatorSite{full: map[string]int{}, useETag: useETag, items: 20, updated: time.Date(2021, 3, 12, 17, 0, 0, 0, time.UTC)}
			srv := newServer(t, site)
			st := newMemState()
			cfg := testConfig()
			c := New(cfg, st, nil)
			src := adwatch.Source{Name: "n", Type: adwatch.SourceFeed, URL: srv.URL + "/feed", Follow: true}
			k1 := sink{state: st}
			first := mustCrawl(t, c, src, k1.emit)
			if k1.count() != 20 {
				t.Fatalf("first run emitted %d, want 20 (errors %q)", k1.count(), first.Errors)
			}
			k2 := sink{state: st}
			second := mustCrawl(t, c, src, k2.emit)
			if got := k2.count(); got != 0 {
				t.Errorf("second run emitted %d, want 0", got)
			}
			if got := site.full["/feed"]; got != 1 {
				t.Errorf("feed fully downloaded %d times, want 1 (then 304)", got)
			}
			if second.Unchanged != 1 || second.Bytes*20 > first.Bytes {
				t.Errorf("second run: Unchanged = %d, Bytes = %d of %d", second.Unchanged, second.Bytes, first.Bytes)
			}

			// A week later the feed has one more item: the known documents,
			// past the revalidation window, are asked for conditionally
			// (304s) and only the new one is emitted.
			site.items = 21
			c.now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
			k3 := sink{state: st}
			third := mustCrawl(t, c, src, k3.emit)
			if _, ok := k3.byURL()[srv.URL+"/n/20"]; !ok || k3.count() != 1 {
				t.Errorf("revalidation emitted %v, want only the new item", keys(k3.byURL()))
			}
			if got, want := third.Unchanged, 20; got != want {
				t.Errorf("revalidation Unchanged = %d, want %d", got, want)
			}
			for p, n := range site.full {
				if want := map[bool]int{true: 2, false: 1}[p == "/feed"]; n != want {
					t.Errorf("%s fully downloaded %d times, want %d", p, n, want)
				}
			}
		})
	}
}

func TestUpdatedFeedItemIsFetchedAgain(t *testing.T) {
	t.Parallel()
	site := &validatorSite{full: map[string]int{}, useETag: true, items: 3, updated: time.Date(2022, 3, 25, 18, 0, 0, 0, time.UTC)}
	srv := newServer(t, site)
	st := newMemState()
	c := New(testConfig(), st, nil)
	src := adwatch.Source{Name: "n", Type: adwatch.SourceFeed, URL: srv.URL + "/feed", Follow: true}
	k := sink{state: st}
	mustCrawl(t, c, src, k.emit)
	site.updated = site.updated.Add(time.Hour) // every item now says it changed
	k2 := sink{state: st}
	mustCrawl(t, c, src, k2.emit)
	if got, want := k2.count(), 3; got != want {
		t.Errorf("after the items' update, emitted %d, want %d", got, want)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	var first, second atomic.Int64
	srv := listingSite(t, []string{"/busy"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			first.Store(time.Now().UnixNano())
			w.Header().Set("Retry-After", "1")
			http.Error(w, "slow down", http.StatusTooManyRequests)
		case 2:
			second.Store(time.Now().UnixNano())
			w.Header().Set("Retry-After", "0")
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
		default:
			okPage(w, r)
		}
	}))
	cfg := testConfig()
	cfg.MaxRetries = 3
	c := New(cfg, newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	if k.count() != 1 || len(run.Errors) != 0 {
		t.Fatalf("emitted %d, errors %q; want the page after two retries", k.count(), run.Errors)
	}
	if waited := time.Duration(second.Load() - first.Load()); waited < time.Second {
		t.Errorf("retried after %v, want at least the 1s Retry-After", waited)
	}
	if got, want := calls.Load(), int64(3); got != want {
		t.Errorf("requests = %d, want %d", got, want)
	}
}

func TestPermanentFailuresAreNotRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := listingSite(t, []string{"/missing"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		http.NotFound(w, r)
	}))
	cfg := testConfig()
	cfg.MaxRetries = 3
	c := New(cfg, newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	if got := calls.Load(); got != 1 || len(run.Errors) != 1 {
		t.Errorf("404 requested %d times with errors %q, want once and one error", got, run.Errors)
	}
}

func TestBackoffGrowsWithJitter(t *testing.T) {
	t.Parallel()
	for attempt := range 4 {
		base := 500 * time.Millisecond << attempt
		for range 50 {
			if d := backoff(attempt); d < base/2 || d >= base*3/2 {
				t.Fatalf("backoff(%d) = %v, want in [%v, %v)", attempt, d, base/2, base*3/2)
			}
		}
	}
	if d := backoff(30); d >= maxRetryAfter*3/2 {
		t.Errorf("backoff(30) = %v, want capped near %v", d, maxRetryAfter)
	}
}

func TestDroppedConnectionIsRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int64
	srv := listingSite(t, []string{"/flaky"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Dropped twice: net/http itself retries once on a reused
		// connection, the second drop is the crawler's to retry.
		if calls.Add(1) <= 2 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close() // no response at all
			}
			return
		}
		okPage(w, r)
	}))
	cfg := testConfig()
	cfg.MaxRetries = 2
	c := New(cfg, newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	if k.count() != 1 || len(run.Errors) != 0 || calls.Load() != 3 {
		t.Errorf("emitted %d after %d requests, errors %q; want 1 after 3", k.count(), calls.Load(), run.Errors)
	}
}

// The run must tell "the listing did not change" (304) from "the listing
// was read and named nothing": the store warns about the second only. Items
// count whether or not their documents are fetched again.
func TestRunTellsUnchangedListingFromEmpty(t *testing.T) {
	t.Parallel()
	site := &validatorSite{full: map[string]int{}, useETag: true, items: 4, updated: time.Date(2019, 5, 16, 12, 0, 0, 0, time.UTC)}
	srv := newServer(t, site)
	st := newMemState()
	c := New(testConfig(), st, nil)
	src := adwatch.Source{Name: "bis", Type: adwatch.SourceFeed, URL: srv.URL + "/feed", Follow: true}

	k := sink{state: st}
	first := mustCrawl(t, c, src, k.emit)
	if first.ItemsSeen != 4 || first.ListingsNotModified != 0 {
		t.Errorf("first run: ItemsSeen = %d, ListingsNotModified = %d; want 4, 0", first.ItemsSeen, first.ListingsNotModified)
	}
	unchanged := mustCrawl(t, c, src, k.emit)
	if unchanged.ItemsSeen != 0 || unchanged.ListingsNotModified != 1 {
		t.Errorf("unchanged feed: ItemsSeen = %d, ListingsNotModified = %d; want 0, 1", unchanged.ItemsSeen, unchanged.ListingsNotModified)
	}
	site.items = 5 // the feed changes: four known items and a new one
	k2 := sink{state: st}
	changed := mustCrawl(t, c, src, k2.emit)
	if changed.ItemsSeen != 5 || changed.ListingsNotModified != 0 || k2.count() != 1 {
		t.Errorf("changed feed: ItemsSeen = %d, ListingsNotModified = %d, emitted %d; want 5 (known ones too), 0, 1",
			changed.ItemsSeen, changed.ListingsNotModified, k2.count())
	}
}
