package crawler

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"adwatch"
)

// memState is an in-memory State; the real one is the store, tested there.
type memState struct {
	mu      sync.Mutex
	m       map[string]adwatch.URLState
	batches int // URLStates calls
	singles int // URLState calls
}

func newMemState() *memState { return &memState{m: map[string]adwatch.URLState{}} }

func (s *memState) URLState(_ context.Context, url string) (adwatch.URLState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.singles++
	st, ok := s.m[url]
	if !ok {
		return adwatch.URLState{}, adwatch.ErrNotFound
	}
	return st, nil
}

func (s *memState) URLStates(_ context.Context, urls []string) (map[string]adwatch.URLState, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	out := map[string]adwatch.URLState{}
	for _, u := range urls {
		if st, ok := s.m[u]; ok {
			out[u] = st
		}
	}
	return out, nil
}

func (s *memState) PutURLState(_ context.Context, st adwatch.URLState) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[st.URL] = st
	return nil
}

// sink collects emitted documents and, like the store, writes URL state for
// each one.
type sink struct {
	mu    sync.Mutex
	docs  []adwatch.Fetched
	state *memState
}

func (k *sink) emit(_ context.Context, f adwatch.Fetched) error {
	k.mu.Lock()
	k.docs = append(k.docs, f)
	k.mu.Unlock()
	if k.state == nil {
		return nil
	}
	st := adwatch.URLState{URL: f.URL, Source: f.Source, ETag: f.Header.Get("ETag"),
		LastModified: f.Header.Get("Last-Modified"), ContentHash: contentHash(f.Body), Status: f.Status, FetchedAt: f.FetchedAt}
	if u, err := time.Parse(time.RFC3339, f.Meta["updated"]); err == nil {
		st.Updated = &u
	}
	return k.state.PutURLState(context.Background(), st)
}

func (k *sink) byURL() map[string]adwatch.Fetched {
	k.mu.Lock()
	defer k.mu.Unlock()
	m := map[string]adwatch.Fetched{}
	for _, d := range k.docs {
		m[d.URL] = d
	}
	return m
}

func (k *sink) count() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.docs)
}

// testConfig serves from loopback, without delays, retrying quickly.
func testConfig() Config {
	return Config{AllowPrivateNetworks: true, RequestTimeout: 5 * time.Second, MaxRetries: -1, PerHostParallelism: 4}
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveFixture serves a testdata file with validators, so conditional GET
// works the way a real server's does.
func serveFixture(t testing.TB, name, contentType string) http.HandlerFunc {
	body := fixture(t, name)
	return serveBytes(body, contentType)
}

func serveBytes(body []byte, contentType string) http.HandlerFunc {
	etag := `"` + contentHash(body)[:16] + `"`
	mod := time.Date(2017, 9, 13, 12, 0, 0, 0, time.UTC)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("ETag", etag)
		http.ServeContent(w, r, "", mod, strings.NewReader(string(body)))
	}
}

// articlePage is an article page full of site chrome, as agencies publish.
func articlePage(title, text string) string {
	return fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<link rel="canonical" href="/canonical/%s"></head>
<body><header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<main><article><h1>%s</h1><p>%s</p></article></main>
<footer>An official website of the United States government</footer></body></html>`, title, slug(title), title, text)
}

func mustCrawl(t *testing.T, c *Crawler, src adwatch.Source, emit Emit) adwatch.SourceRun {
	t.Helper()
	run, err := c.Crawl(context.Background(), src, emit)
	if err != nil {
		t.Fatalf("Crawl(%s): %v (errors %v)", src.Name, err, run.Errors)
	}
	return run
}

func newServer(t testing.TB, h http.Handler) *httptest.Server {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}
