package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"sync"
	"time"
)

// DefaultAddr keeps the sample site on loopback with a free port.
const DefaultAddr = "127.0.0.1:0"

// Server is the sample site listening on a local address. It counts what it
// serves so tests can check that a second crawl asks little and downloads
// less.
type Server struct {
	url  string
	site *site
	srv  *http.Server
	once sync.Once
	done chan struct{}

	mu       sync.Mutex
	requests map[string]int // by URL path
	status   map[int]int
	bytes    int64
}

// Start listens on addr ("" means DefaultAddr) and serves the site until ctx
// is done or Close is called.
func Start(ctx context.Context, addr string) (*Server, error) {
	if addr == "" {
		addr = DefaultAddr
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demo site: listen %s: %w", addr, err)
	}
	s := &Server{
		url:      "http://" + ln.Addr().String(),
		done:     make(chan struct{}),
		requests: map[string]int{},
		status:   map[int]int{},
	}
	s.site = newSite(s.URL)
	s.srv = &http.Server{
		Handler:           s.count(s.site),
		ReadHeaderTimeout: 5 * time.Second,
	}
	go func() {
		// Serve returns ErrServerClosed after Close; any other error means the
		// listener died, and Close still releases everything.
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Close()
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return s, nil
}

// URL is the base URL of the running site, without a trailing slash.
func (s *Server) URL() string { return s.url }

// Close stops the server and drops open connections. It is safe to call more
// than once.
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		close(s.done)
		err = s.srv.Close()
	})
	return err
}

// Done is closed when the server has been closed.
func (s *Server) Done() <-chan struct{} { return s.done }

// Update changes the page at path (a URL path such as
// "/press/2017/09/13/us-orders-agencies-to-remove-kaspersky-software") as if
// its publisher had edited it: from now on it serves body, with a new ETag and
// a Last-Modified of now, so a crawler sees a new version. "{{.Base}}" in body
// is expanded as in the embedded pages. A nil body removes the page (404).
func (s *Server) Update(path string, body []byte) {
	s.site.mu.Lock()
	defer s.site.mu.Unlock()
	s.site.edits[path] = edit{body: bytes.Clone(body), modTime: time.Now().UTC().Truncate(time.Second)}
}

// Requests returns how many requests each URL path received (query strings
// are not part of the key, so both listing pages count under one path).
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.requests)
}

// Statuses returns how many responses were sent with each status code, so a
// test can see how many requests ended in 304 Not Modified.
func (s *Server) Statuses() map[int]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.status)
}

// Bytes returns the total number of body bytes served.
func (s *Server) Bytes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bytes
}

// Reset zeroes the counters, for example between a first and a second crawl.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.requests)
	clear(s.status)
	s.bytes = 0
}

func (s *Server) count(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(cw, r)
		s.mu.Lock()
		s.requests[r.URL.Path]++
		s.status[cw.status]++
		s.bytes += cw.n
		s.mu.Unlock()
	})
}

type countingWriter struct {
	http.ResponseWriter
	status int
	n      int64
}

func (w *countingWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n += int64(n)
	return n, err
}
