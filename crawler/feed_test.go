package crawler

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"adwatch"
)

// pressSite serves an RSS feed whose items link to article pages, a PDF and
// a path robots.txt forbids.
type pressSite struct {
	srv          *ttServer
	privateHits  atomic.Int64
	articleHits  atomic.Int64
	feedTemplate string
}

type ttServer = struct{ URL string }

func newPressSite(t *testing.T) *pressSite {
	t.Helper()
	p := &pressSite{}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "User-agent: *\nDisallow: /private/\n")
	})
	mux.HandleFunc("/private/", func(w http.ResponseWriter, r *http.Request) {
		p.privateHits.Add(1)
		fmt.Fprint(w, articlePage("Private", "should never be fetched"))
	})
	mux.HandleFunc("/news/", func(w http.ResponseWriter, r *http.Request) {
		p.articleHits.Add(1)
		title := strings.TrimPrefix(r.URL.Path, "/news/")
		serveBytes([]byte(articlePage(title, "Kaspersky Lab and Huawei Technologies are named in this notice.")), "text/html; charset=utf-8")(w, r)
	})
	mux.HandleFunc("/files/bod-17-01.pdf", serveFixture(t, "bod-17-01.pdf", "application/pdf"))
	srv := newServer(t, mux)
	p.srv = &ttServer{URL: srv.URL}
	rss := bytes.ReplaceAll(fixture(t, "rss.xml"), []byte("{{BASE}}"), []byte(srv.URL))
	mux.HandleFunc("/rss.xml", serveBytes(rss, "application/rss+xml"))
	for _, name := range []string{"atom.xml", "rdf.xml", "feed.json"} {
		body := bytes.ReplaceAll(fixture(t, name), []byte("{{BASE}}"), []byte(srv.URL))
		mux.HandleFunc("/"+name, serveBytes(body, "application/octet-stream"))
	}
	return p
}

func TestFeedFollowFetchesItemPagesAndObeysRobots(t *testing.T) {
	t.Parallel()
	site := newPressSite(t)
	c := New(testConfig(), newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, adwatch.Source{Name: "dhs", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: site.srv.URL + "/rss.xml", Follow: true}, k.emit)

	if got, want := run.ItemsSeen, 5; got != want {
		t.Errorf("ItemsSeen = %d, want %d", got, want)
	}
	if got := site.privateHits.Load(); got != 0 {
		t.Errorf("robots.txt-forbidden path was requested %d times", got)
	}
	if !strings.Contains(strings.Join(run.Errors, "\n"), "robots.txt") {
		t.Errorf("Errors = %q, want a robots.txt entry", run.Errors)
	}
	docs := k.byURL()
	if got, want := len(docs), 4; got != want {
		t.Fatalf("emitted %d documents, want %d: %v", got, want, docs)
	}
	bod, ok := docs[site.srv.URL+"/news/2017/09/13/bod-17-01"]
	if !ok {
		t.Fatalf("BOD 17-01 article missing or not canonicalised: %v", keys(docs))
	}
	if got, want := bod.Meta["title"], "DHS Statement on the Issuance of Binding Operational Directive 17-01"; got != want {
		t.Errorf("title = %q, want %q", got, want)
	}
	if got, want := bod.Meta["published"], "2017-09-13T20:00:00Z"; got != want {
		t.Errorf("published = %q, want %q", got, want)
	}
	if got, want := bod.Meta["feed_title"], "Homeland Security Press Releases"; got != want {
		t.Errorf("feed_title = %q, want %q", got, want)
	}
	if got, want := bod.Meta["canonical_url"], site.srv.URL+"/canonical/2017-09-13-bod-17-01"; got != want {
		t.Errorf("canonical_url = %q, want %q", got, want)
	}
	if !bytes.Contains(bod.Body, []byte("Kaspersky Lab")) || bod.ContentType != "text/html; charset=utf-8" {
		t.Errorf("article body/content type = %q / %q", bod.Body[:40], bod.ContentType)
	}
	if bod.Kind != adwatch.KindGovernment || bod.Source != "dhs" || bod.Status != 200 {
		t.Errorf("kind, source, status = %q %q %d", bod.Kind, bod.Source, bod.Status)
	}
	if _, ok := docs[site.srv.URL+"/news/2019/05/16/entity-list"]; !ok {
		t.Errorf("fragment not dropped: %v", keys(docs))
	}
	pdf := docs[site.srv.URL+"/files/bod-17-01.pdf"]
	if got, want := pdf.Body, fixture(t, "bod-17-01.pdf"); !bytes.Equal(got, want) {
		t.Errorf("PDF body changed: got %q, want %q", got, want)
	}
	if got, want := pdf.ContentType, "application/pdf"; got != want {
		t.Errorf("PDF content type = %q, want %q", got, want)
	}
}

func keys(m map[string]adwatch.Fetched) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFeedItemsEmittedWithoutFollow(t *testing.T) {
	t.Parallel()
	site := newPressSite(t)
	cases := []struct {
		file, url, title, published, text string
	}{
		{"atom.xml", "/document/covered-list-2021", "FCC Publishes List of Communications Equipment and Services Covered by the Secure Networks Act", "2021-03-12T17:00:00Z", "Hangzhou Hikvision Digital Technology Company"},
		{"rdf.xml", "/notices/huawei-entity-list", "Addition of Entities to the Entity List", "2019-05-21T00:00:00Z", "sixty-eight non-U.S. affiliates"},
		{"feed.json", "/directives/bod-17-01", "BOD 17-01: Removal of Kaspersky-branded Products", "2017-09-13T00:00:00Z", "Kaspersky-branded products from federal"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			var k sink
			c := New(testConfig(), newMemState(), nil)
			mustCrawl(t, c, adwatch.Source{Name: "fcc", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: site.srv.URL + "/" + tc.file}, k.emit)
			d, ok := k.byURL()[site.srv.URL+tc.url]
			if !ok {
				t.Fatalf("item %s not emitted: %v", tc.url, keys(k.byURL()))
			}
			if d.Meta["title"] != tc.title || d.Meta["published"] != tc.published {
				t.Errorf("meta title, published = %q, %q; want %q, %q", d.Meta["title"], d.Meta["published"], tc.title, tc.published)
			}
			if !strings.Contains(string(d.Body), tc.text) || d.ContentType != "text/html; charset=utf-8" {
				t.Errorf("body %q (%s) does not contain %q", d.Body, d.ContentType, tc.text)
			}
			if got := site.articleHits.Load(); got != 0 {
				t.Errorf("article pages fetched %d times without follow", got)
			}
		})
	}
}

func TestFeedSecondRunFetchesOnlyTheFeed(t *testing.T) {
	t.Parallel()
	site := newPressSite(t)
	st := newMemState()
	c := New(testConfig(), st, nil)
	src := adwatch.Source{Name: "dhs", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: site.srv.URL + "/rss.xml", Follow: true}
	k := sink{state: st}
	first := mustCrawl(t, c, src, k.emit)
	hits := site.articleHits.Load()
	k2 := sink{state: st}
	second := mustCrawl(t, c, src, k2.emit)
	if got := k2.count(); got != 0 {
		t.Errorf("second run emitted %d documents, want 0", got)
	}
	if got := site.articleHits.Load() - hits; got != 0 {
		t.Errorf("second run requested %d article pages, want 0", got)
	}
	if got, want := second.Unchanged, 1; got != want {
		t.Errorf("second run Unchanged = %d, want %d (the feed's 304)", got, want)
	}
	if second.Bytes*20 > first.Bytes {
		t.Errorf("second run downloaded %d bytes, more than 5%% of the first run's %d", second.Bytes, first.Bytes)
	}
}

func TestFeedMalformedFailsTheSource(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/broken.xml", serveBytes([]byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Broken`), "application/rss+xml"))
	mux.HandleFunc("/notfeed", serveBytes([]byte(`just some words`), "text/plain"))
	srv := newServer(t, mux)
	for _, path := range []string{"/broken.xml", "/notfeed", "/missing.xml"} {
		c := New(testConfig(), newMemState(), nil)
		var k sink
		run, err := c.Crawl(context.Background(), adwatch.Source{Name: "x", Type: adwatch.SourceFeed, URL: srv.URL + path}, k.emit)
		if err == nil || run.Err == "" {
			t.Errorf("%s: Crawl error = %v, run.Err = %q; want the source to fail", path, err, run.Err)
		}
	}
}

func TestFeedSuddenlyEmptyIsAWarning(t *testing.T) {
	t.Parallel()
	var empty atomic.Bool
	full := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Notices</title>
<item><title>BOD 17-01</title><link>http://example.invalid/bod</link><description>Kaspersky</description></item></channel></rss>`)
	none := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Notices</title></channel></rss>`)
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		if empty.Load() {
			w.Write(none)
			return
		}
		w.Write(full)
	}))
	c := New(testConfig(), newMemState(), nil)
	src := adwatch.Source{Name: "n", Type: adwatch.SourceFeed, URL: srv.URL + "/feed"}
	var k sink
	if run := mustCrawl(t, c, src, k.emit); run.ItemsSeen != 1 || k.count() != 1 {
		t.Fatalf("first run ItemsSeen = %d, emitted %d; want 1, 1", run.ItemsSeen, k.count())
	}
	empty.Store(true)
	run := mustCrawl(t, c, src, k.emit)
	if run.ItemsSeen != 0 || len(run.Errors) != 1 || !strings.Contains(run.Errors[0], "no items") {
		t.Errorf("empty feed: ItemsSeen = %d, Errors = %q; want 0 and a 'no items' warning", run.ItemsSeen, run.Errors)
	}
}

// oneByOne is a State without URLStates: the crawler must ask per URL.
type oneByOne struct{ m *memState }

func (o oneByOne) URLState(ctx context.Context, url string) (adwatch.URLState, error) {
	return o.m.URLState(ctx, url)
}

func (o oneByOne) PutURLState(ctx context.Context, st adwatch.URLState) error {
	return o.m.PutURLState(ctx, st)
}

// TestKnownDocumentsAreLookedUpInBatches: when the feed changed, its known
// items are looked up a window at a time through BatchState, and with a
// State that can only answer one URL at a time the crawl is the same.
func TestKnownDocumentsAreLookedUpInBatches(t *testing.T) {
	t.Parallel()
	for _, batch := range []bool{true, false} {
		site := newPressSite(t)
		st := newMemState()
		var state State = st
		if !batch {
			state = oneByOne{st}
		}
		c := New(testConfig(), state, nil)
		src := adwatch.Source{Name: "dhs", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: site.srv.URL + "/rss.xml", Follow: true}
		k := sink{state: st}
		mustCrawl(t, c, src, k.emit)
		if k.count() != 4 {
			t.Fatalf("batch=%v: first run emitted %d documents, want 4", batch, k.count())
		}
		// The feed is fetched whole again, as when it changed.
		st.mu.Lock()
		delete(st.m, src.URL)
		st.batches, st.singles = 0, 0
		st.mu.Unlock()
		hits := site.articleHits.Load()
		k2 := sink{state: st}
		mustCrawl(t, c, src, k2.emit)
		if got := k2.count(); got != 0 {
			t.Errorf("batch=%v: second run emitted %d documents, want 0", batch, got)
		}
		if got := site.articleHits.Load() - hits; got != 0 {
			t.Errorf("batch=%v: second run requested %d article pages, want 0", batch, got)
		}
		st.mu.Lock()
		batches, singles := st.batches, st.singles
		st.mu.Unlock()
		if batch && (batches != 1 || singles > 1) {
			t.Errorf("batch state: %d URLStates calls and %d URLState calls, want 1 and at most 1 (the feed's own)", batches, singles)
		}
		if !batch && (batches != 0 || singles < 5) {
			t.Errorf("one-by-one state: %d URLStates calls and %d URLState calls, want 0 and one per item", batches, singles)
		}
	}
}
