package crawler

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"adwatch"
)

// listingSite serves /list linking to the given paths, handled by h.
func listingSite(t *testing.T, paths []string, h http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/list", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, "<html><body><ul>")
		for _, p := range paths {
			fmt.Fprintf(w, `<li><a class="notice" href="%s">%s</a></li>`, p, p)
		}
		fmt.Fprint(w, "</ul></body></html>")
	})
	mux.Handle("/", h)
	return newServer(t, mux)
}

func htmlSource(url string) adwatch.Source {
	return adwatch.Source{Name: "site", Kind: adwatch.KindGovernment, Type: adwatch.SourceHTML, URL: url + "/list", ItemSelector: "a.notice"}
}

func okPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprint(w, articlePage(r.URL.Path, "Federal agencies must remove Kaspersky-branded products."))
}

// hostileRun crawls a listing with one good page and one hostile path, and
// checks the good page arrived and the hostile one was recorded as an error
// mentioning want.
func hostileRun(t *testing.T, cfg Config, hostile string, h http.HandlerFunc, want string) {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/good", okPage)
	mux.HandleFunc("/", h)
	srv := listingSite(t, []string{"/good", hostile}, mux)
	c := New(cfg, newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	docs := k.byURL()
	if _, ok := docs[srv.URL+"/good"]; !ok || len(docs) != 1 {
		t.Errorf("emitted %v, want only /good", keys(docs))
	}
	if len(run.Errors) != 1 || !strings.Contains(run.Errors[0], want) {
		t.Errorf("Errors = %q, want one error containing %q", run.Errors, want)
	}
}

func TestBodyLargerThanCapIsCut(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.MaxBodyBytes = 64 << 10
	var sent atomic.Int64
	hostileRun(t, cfg, "/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		chunk := []byte(strings.Repeat("<p>Kaspersky</p>", 1024))
		for range 1 << 14 { // 256 MiB if nobody stops reading
			n, err := w.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}, ErrBodyTooLarge.Error())
	if got := sent.Load(); got > 64<<20 {
		t.Errorf("server managed to send %d bytes; the body was not cut", got)
	}
}

// TestGzipBombIsCutAfterDecompression is not parallel: it measures the
// allocations of the whole process.
func TestGzipBombIsCutAfterDecompression(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 1 << 20
	zeros := make([]byte, 1<<20)
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	hostileRun(t, cfg, "/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("Content-Encoding", "gzip")
		zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
		for range 1024 { // 1 GiB of zeros, about 1 MiB compressed
			if _, err := zw.Write(zeros); err != nil {
				return
			}
		}
		zw.Close()
	}, ErrBodyTooLarge.Error())
	runtime.ReadMemStats(&ms1)
	// The cap's buffer, the server's compressor (about 1 MiB) and the test
	// site account for this (about 3 MiB measured); inflating the bomb
	// would be a thousand times more.
	if got, limit := ms1.TotalAlloc-ms0.TotalAlloc, uint64(8<<20); got > limit {
		t.Errorf("allocated %d bytes crawling a gzip bomb with a 1 MiB cap, want < %d", got, limit)
	}
}

func TestEndlessSlowResponseTimesOut(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.RequestTimeout = 300 * time.Millisecond
	hostileRun(t, cfg, "/slow", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		for {
			if _, err := w.Write([]byte("<p>")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}, "timeout after 300ms")
}

func TestRedirectLoopAndLongChain(t *testing.T) {
	t.Parallel()
	t.Run("loop", func(t *testing.T) {
		t.Parallel()
		hostileRun(t, testConfig(), "/loop/a", func(w http.ResponseWriter, r *http.Request) {
			next := "/loop/b"
			if r.URL.Path == "/loop/b" {
				next = "/loop/a"
			}
			http.Redirect(w, r, next, http.StatusFound)
		}, "redirect loop")
	})
	t.Run("same page once, to set a cookie", func(t *testing.T) {
		t.Parallel()
		mux := http.NewServeMux()
		mux.HandleFunc("/session", func(w http.ResponseWriter, r *http.Request) {
			if _, err := r.Cookie("session"); err != nil {
				http.SetCookie(w, &http.Cookie{Name: "session", Value: "1", Path: "/"})
				http.Redirect(w, r, "/session", http.StatusFound)
				return
			}
			okPage(w, r)
		})
		srv := listingSite(t, []string{"/session"}, mux)
		var k sink
		run := mustCrawl(t, New(testConfig(), newMemState(), nil), htmlSource(srv.URL), k.emit)
		if k.count() != 1 || len(run.Errors) != 0 {
			t.Errorf("emitted %d, errors %q; want the page", k.count(), run.Errors)
		}
	})
	t.Run("chain of 20", func(t *testing.T) {
		t.Parallel()
		hostileRun(t, testConfig(), "/hop/0", func(w http.ResponseWriter, r *http.Request) {
			var n int
			fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
			if n >= 20 {
				okPage(w, r)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n+1), http.StatusMovedPermanently)
		}, "stopped after 10 redirects")
	})
}

func TestPrivateAddressesRefusedAtDialTime(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/good", okPage)
	mux.HandleFunc("/to/", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://"+strings.TrimPrefix(r.URL.Path, "/to/")+"/admin", http.StatusFound)
	})
	// A second loopback server: what an attacker would want reached.
	var inside atomic.Int64
	internal := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inside.Add(1)
		okPage(w, r)
	}))
	internalPort := internal.URL[strings.LastIndex(internal.URL, ":")+1:]
	targets := []string{
		"/to/127.0.0.1:" + internalPort,
		"/to/localhost:" + internalPort, // a DNS name whose answer is loopback
		"/to/10.1.2.3",
		"/to/169.254.169.254",
		"/to/[::1]:" + internalPort,
	}
	srv := listingSite(t, append([]string{"/good"}, targets...), mux)
	cfg := testConfig()
	cfg.AllowPrivateNetworks = false
	c := New(cfg, newMemState(), nil)
	// Only the listing server itself may be dialled on loopback.
	c.exempt.Store(strings.TrimPrefix(srv.URL, "http://"), true)
	var k sink
	run := mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	if got := inside.Load(); got != 0 {
		t.Errorf("internal server was reached %d times", got)
	}
	if got, want := k.count(), 1; got != want {
		t.Errorf("emitted %d documents, want %d", got, want)
	}
	if got, want := len(run.Errors), len(targets); got != want {
		t.Fatalf("Errors = %q, want %d", run.Errors, want)
	}
	for _, e := range run.Errors {
		if !strings.Contains(e, ErrPrivateAddress.Error()) {
			t.Errorf("error %q does not say the address was refused", e)
		}
	}
}

func TestPrivateListingFailsTheSource(t *testing.T) {
	t.Parallel()
	srv := newServer(t, http.HandlerFunc(okPage))
	c := New(Config{}, newMemState(), nil) // defaults: private networks refused
	var k sink
	_, err := c.Crawl(context.Background(), htmlSource(srv.URL), k.emit)
	if !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("Crawl error = %v, want ErrPrivateAddress", err)
	}
}

func TestKnownDocumentGone(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusNotFound, http.StatusGone} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			var gone atomic.Bool
			mux := http.NewServeMux()
			mux.HandleFunc("/good", okPage)
			mux.HandleFunc("/notice", func(w http.ResponseWriter, r *http.Request) {
				if gone.Load() {
					http.Error(w, "gone", status)
					return
				}
				okPage(w, r)
			})
			srv := listingSite(t, []string{"/good", "/notice"}, mux)
			st := newMemState()
			cfg := testConfig()
			cfg.Revalidate = -1 // always ask again
			c := New(cfg, st, nil)
			k := sink{state: st}
			mustCrawl(t, c, htmlSource(srv.URL), k.emit)
			gone.Store(true)
			k2 := sink{state: st}
			run := mustCrawl(t, c, htmlSource(srv.URL), k2.emit)
			if len(run.Errors) != 1 || !strings.Contains(run.Errors[0], "known document gone") {
				t.Errorf("Errors = %q, want one 'known document gone'", run.Errors)
			}
			if _, ok := k2.byURL()[srv.URL+"/good"]; !ok {
				t.Errorf("the other document was not crawled: %v", keys(k2.byURL()))
			}
		})
	}
}

func TestEmitErrorStopsTheCrawl(t *testing.T) {
	t.Parallel()
	var paths []string
	for i := range 200 {
		paths = append(paths, fmt.Sprintf("/n/%d", i))
	}
	srv := listingSite(t, paths, http.HandlerFunc(okPage))
	c := New(testConfig(), newMemState(), nil)
	boom := errors.New("disk full")
	var calls atomic.Int64
	_, err := c.Crawl(context.Background(), htmlSource(srv.URL), func(context.Context, adwatch.Fetched) error {
		calls.Add(1)
		return boom
	})
	// Emit runs on a few goroutines: each may have started one call.
	if got, limit := calls.Load(), int64(max(2, runtime.GOMAXPROCS(0))); !errors.Is(err, boom) || got > limit {
		t.Errorf("Crawl error = %v after %d emits, want the emit error after at most %d", err, got, limit)
	}
}

func TestCancelledContextStopsTheCrawl(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	srv := listingSite(t, []string{"/a"}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	c := New(testConfig(), newMemState(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Crawl(ctx, htmlSource(srv.URL), func(context.Context, adwatch.Fetched) error { return nil })
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Crawl error = %v, want context.Canceled", err)
	}
}

func TestCancelEndsAHangingRobotsFetch(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	cfg := testConfig()
	cfg.RequestTimeout = time.Minute
	c := New(cfg, newMemState(), nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Crawl(ctx, htmlSource(srv.URL), func(context.Context, adwatch.Fetched) error { return nil })
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Crawl error = %v, want context.Canceled", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Crawl still running 30s after cancel while robots.txt hangs")
	}
}
