package demo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestServerCountsRequestsAndBytes(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	resp, body := get(t, s.URL()+"/press/rss.xml", nil)
	get(t, s.URL()+"/press/rss.xml", map[string]string{"If-None-Match": resp.Header.Get("ETag")})
	get(t, s.URL()+frListingPath+"?page=2", nil)

	if got := s.Requests()["/press/rss.xml"]; got != 2 {
		t.Errorf("requests for rss.xml = %d, want 2", got)
	}
	if got := s.Requests()[frListingPath]; got != 1 {
		t.Errorf("requests for the listing = %d, want 1", got)
	}
	if got := s.Statuses()[http.StatusNotModified]; got != 1 {
		t.Errorf("304 responses = %d, want 1", got)
	}
	if s.Bytes() <= int64(len(body)) {
		t.Errorf("bytes served = %d, want more than the %d of the first feed", s.Bytes(), len(body))
	}
	// Requests returns a copy: changing it does not change the server's count.
	s.Requests()["/press/rss.xml"] = 99
	if got := s.Requests()["/press/rss.xml"]; got != 2 {
		t.Errorf("requests after editing the copy = %d, want 2", got)
	}
	s.Reset()
	if len(s.Requests()) != 0 || s.Bytes() != 0 || len(s.Statuses()) != 0 {
		t.Errorf("after Reset: %v, %d bytes, %v", s.Requests(), s.Bytes(), s.Statuses())
	}
}

func TestServerStopsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	s, err := Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if !strings.HasPrefix(s.URL(), "http://127.0.0.1:") {
		t.Errorf("URL = %q, want loopback", s.URL())
	}
	cancel()
	<-s.Done()
	if _, err := http.Get(s.URL() + "/robots.txt"); err == nil {
		t.Errorf("GET after cancel succeeded, want connection refused")
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestStartRejectsBadAddress(t *testing.T) {
	t.Parallel()
	if _, err := Start(t.Context(), "127.0.0.1:notaport"); err == nil {
		t.Errorf("Start with a bad address succeeded")
	}
}

// Handler(nil) takes the base URL from the request, so it works behind
// httptest without knowing the port in advance.
func TestHandlerWithoutBaseUsesHost(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(Handler(nil))
	defer ts.Close()
	resp, body := get(t, ts.URL+"/press/atom.xml", nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `href="`+ts.URL+`/press/atom.xml"`) {
		t.Errorf("atom self link not on %s (status %d)", ts.URL, resp.StatusCode)
	}
}

func TestUpdateServesANewVersion(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	const p = "/press/2017/09/13/us-orders-agencies-to-remove-kaspersky-software"
	resp, old := get(t, s.URL()+p, nil)
	etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")

	edited := strings.Replace(string(old), "</article>", "<p>Correction: an earlier version misstated a date.</p></article>", 1)
	s.Update(p, []byte(strings.ReplaceAll(edited, s.URL(), "{{.Base}}")))
	resp, body := get(t, s.URL()+p, map[string]string{"If-None-Match": etag})
	if resp.StatusCode != http.StatusOK || string(body) != edited {
		t.Errorf("after Update, If-None-Match old ETag: status %d, body changed %v; want 200 and the edit", resp.StatusCode, string(body) == edited)
	}
	if resp.Header.Get("ETag") == etag || resp.Header.Get("Last-Modified") == lm {
		t.Errorf("after Update: ETag %q and Last-Modified %q unchanged", etag, lm)
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("after Update: Content-Type %q", resp.Header.Get("Content-Type"))
	}
	if resp, _ := get(t, s.URL()+p, map[string]string{"If-Modified-Since": lm}); resp.StatusCode != http.StatusOK {
		t.Errorf("after Update, If-Modified-Since the old date: status %d, want 200", resp.StatusCode)
	}
	s.Update(p, nil)
	if resp, _ := get(t, s.URL()+p, nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("after removal: status %d, want 404", resp.StatusCode)
	}
}
