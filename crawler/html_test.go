package crawler

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"adwatch"
)

// pagedListing serves /notices?page=N (3 notices per page, 5 pages), each
// with a "next" link, like an agency's press-release archive.
func pagedListing(t *testing.T, pagesServed *atomic.Int64) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/notices", func(w http.ResponseWriter, r *http.Request) {
		pagesServed.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		if page == 0 {
			page = 1
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><base href="/press/"></head><body><nav><a href="/about">About</a></nav><ul class="releases">`)
		for i := range 3 {
			n := (page-1)*3 + i
			if n == 0 {
				fmt.Fprint(w, `<li class="release"><a href="/files/bod-17-01.pdf">BOD 17-01 (PDF)</a></li>`)
				continue
			}
			fmt.Fprintf(w, `<li class="release"><span>2017-09-13</span> <a href="release-%d?utm_campaign=x">Release %d</a></li>`, n, n)
		}
		fmt.Fprint(w, `</ul>`)
		if page < 5 {
			fmt.Fprintf(w, `<a rel="next" class="next" href="/notices?page=%d">Next</a>`, page+1)
		}
		fmt.Fprint(w, `</body></html>`)
	})
	mux.HandleFunc("/press/", okPage)
	mux.HandleFunc("/files/bod-17-01.pdf", serveFixture(t, "bod-17-01.pdf", "application/octet-stream"))
	return newServer(t, mux).URL
}

func TestHTMLListingPagesAndDocuments(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	base := pagedListing(t, &served)
	c := New(testConfig(), newMemState(), nil)
	var k sink
	src := adwatch.Source{Name: "press", Kind: adwatch.KindPress, Type: adwatch.SourceHTML, URL: base + "/notices",
		ItemSelector: "li.release", NextSelector: "a.next", MaxPages: 3}
	run := mustCrawl(t, c, src, k.emit)
	if got, want := served.Load(), int64(3); got != want {
		t.Errorf("listing pages served = %d, want %d (MaxPages)", got, want)
	}
	if got, want := run.ItemsSeen, 9; got != want {
		t.Errorf("ItemsSeen = %d, want %d", got, want)
	}
	docs := k.byURL()
	if got, want := len(docs), 9; got != want {
		t.Fatalf("emitted %d documents, want %d: %v (errors %q)", got, want, keys(docs), run.Errors)
	}
	r := docs[base+"/press/release-4"]
	if got, want := r.Meta["title"], "Release 4"; got != want {
		t.Errorf("release-4 title = %q, want %q (links resolved against <base>, tracking dropped: %v)", got, want, keys(docs))
	}
	pdf := docs[base+"/files/bod-17-01.pdf"]
	if pdf.ContentType != "application/pdf" || !bytes.Equal(pdf.Body, fixture(t, "bod-17-01.pdf")) {
		t.Errorf("PDF served as octet-stream: content type %q, body intact %v", pdf.ContentType, bytes.Equal(pdf.Body, fixture(t, "bod-17-01.pdf")))
	}
}

func TestHTMLListingWithoutMatchesWarns(t *testing.T) {
	t.Parallel()
	var served atomic.Int64
	base := pagedListing(t, &served)
	c := New(testConfig(), newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, adwatch.Source{Name: "press", Type: adwatch.SourceHTML, URL: base + "/notices", ItemSelector: "li.renamed-class"}, k.emit)
	if k.count() != 0 || len(run.Errors) != 1 || !strings.Contains(run.Errors[0], "no links match") {
		t.Errorf("emitted %d, errors %q; want a 'no links match' warning", k.count(), run.Errors)
	}
}

func TestMalformedHTMLListing(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/list", serveBytes([]byte(`<html><body><table><tr><td><a class="notice" href="/a">A<td><a class="notice" href='/b'>B</a></table></div></span><<<>>> <a class="notice" href="/c"`), "text/html"))
	mux.HandleFunc("/", okPage)
	srv := newServer(t, mux)
	c := New(testConfig(), newMemState(), nil)
	var k sink
	mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	if _, ok := k.byURL()[srv.URL+"/b"]; !ok || k.count() < 2 {
		t.Errorf("from broken HTML emitted %v, want at least /a and /b", keys(k.byURL()))
	}
}
