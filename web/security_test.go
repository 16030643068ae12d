package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestCrossOriginPostRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	path := "/api/alerts/" + itoa(f.alertID) + "/confirm"
	for _, h := range []http.Header{
		{"Sec-Fetch-Site": {"cross-site"}},
		{"Origin": {"https://evil.example"}},
	} {
		resp, body := f.do(t, http.MethodPost, path, f.analyst, nil, h)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-origin POST with %v = %d %s, want 403", h, resp.StatusCode, body)
		}
	}
	// The login form is a state change too (login CSRF).
	resp, _ := f.do(t, http.MethodPost, "/login", "", strings.NewReader("name=ana&password=x"),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Sec-Fetch-Site": {"cross-site"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site login POST = %d, want 403", resp.StatusCode)
	}
	a, err := f.db.Alert(t.Context(), f.alertID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != "new" {
		t.Errorf("alert status after refused requests = %q, want new", a.Status)
	}
	resp, _ = f.do(t, http.MethodPost, path, f.analyst, nil, http.Header{"Sec-Fetch-Site": {"same-origin"}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("same-origin POST = %d, want 200", resp.StatusCode)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	for _, path := range []string{"/healthz", "/login", "/api/search", "/", "/documents/" + itoa(f.docID), "/static/style.css"} {
		resp, _ := f.get(t, path, f.analyst)
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: Content-Security-Policy %q lacks %q", path, csp, want)
			}
		}
		if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("GET %s: X-Content-Type-Options = %q, want nosniff", path, got)
		}
		if resp.Header.Get("Referrer-Policy") == "" {
			t.Errorf("GET %s: no Referrer-Policy", path)
		}
	}
}

func TestCrawledMarkupRendersAsText(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	for _, path := range []string{"/documents/" + itoa(f.hostile), "/?q=huawei", "/"} {
		resp, body := f.get(t, path, f.analyst)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d, want 200", path, resp.StatusCode)
		}
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "<img src=x") {
			t.Errorf("GET %s: crawled markup appears unescaped", path)
		}
	}
	_, body := f.get(t, "/documents/"+itoa(f.hostile), f.analyst)
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("document page does not show the hostile title as text")
	}

	// The raw evidence is a download, never a page of this site.
	resp, body := f.get(t, "/documents/"+itoa(f.hostile)+"/raw", f.analyst)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "<script>alert(1)</script>") {
		t.Fatalf("raw evidence = %d %q, want 200 with the stored bytes", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/octet-stream" {
		t.Errorf("raw evidence Content-Type = %q, want application/octet-stream", ct)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("raw evidence Content-Disposition = %q, want attachment", cd)
	}
	if resp.Header.Get("X-Adwatch-Fetched-At") == "" || len(resp.Header.Get("X-Adwatch-Raw-Sha256")) != 64 {
		t.Errorf("raw evidence lacks fetch time or hash headers: %v", resp.Header)
	}
}

func TestDocumentPageHighlightsMentions(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	_, body := f.get(t, "/documents/"+itoa(f.docID), f.analyst)
	if !strings.Contains(body, `<mark class="advertiser">Kaspersky</mark> products`) {
		t.Errorf("document page does not mark the Kaspersky mention")
	}
	if !strings.Contains(body, `<mark class="advertiser">AO Kaspersky Lab</mark> or related`) {
		t.Errorf("document page does not mark the full company name in the text")
	}
}

func TestHostileQueriesNeverFail(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	hostile := []string{
		"'; DROP TABLE documents; --",
		`"unbalanced`,
		`kaspersky" OR 1=1 --`,
		"\x00nul",
		"\xff\xfe invalid utf-8",
		strings.Repeat("kaspersky ", 1000),
		"!!! ::: &&& |||",
		"-",
		`""`,
		"(kaspersky",
	}
	params := []url.Values{
		{"kind": {"gov"}},
		{"from": {"yesterday"}},
		{"to": {"2019-13-45"}},
		{"from": {"2020-01-01"}, "to": {"2019-01-01"}},
		{"limit": {"-1"}},
		{"limit": {"1000000000000000000000"}},
		{"cursor": {"not-a-cursor"}},
		{"cursor": {"eyJ4IjoiJzsgZHJvcCJ9"}},
		{"advertiser": {"'; drop table advertisers; --"}},
		{"company": {"\x00"}},
	}
	for _, q := range hostile {
		params = append(params, url.Values{"q": {q}})
	}
	for _, v := range params {
		for _, base := range []string{"/api/search?", "/?"} {
			resp, body := f.get(t, base+v.Encode(), f.analyst)
			if resp.StatusCode >= 500 {
				t.Errorf("GET %s%.80s = %d, want no 5xx", base, v.Encode(), resp.StatusCode)
			}
			if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusBadRequest {
				t.Errorf("GET %s%.80s = %d, want 200 or 400", base, v.Encode(), resp.StatusCode)
			}
			if leaks(body) {
				t.Errorf("GET %s%.80s leaks internals: %.300s", base, v.Encode(), body)
			}
		}
	}
	// And the archive is still there.
	resp, body := f.get(t, "/api/search?q=kaspersky", f.analyst)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Binding Operational Directive") {
		t.Errorf("search after hostile queries = %d %.200s, want the directive", resp.StatusCode, body)
	}
}

// leaks reports whether a response shows database or Go internals.
func leaks(body string) bool {
	for _, s := range []string{"pq:", "SQLSTATE", "syntax error", "goroutine", "panic", "sql:", "postgres", ".go:"} {
		if strings.Contains(body, s) {
			return true
		}
	}
	return false
}

func TestErrorsShowNoInternals(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	// Closing the pool makes every store call fail with a driver error.
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/documents/" + itoa(f.docID), "/api/alerts", "/alerts", "/sources"} {
		// With the pool closed even the token cannot be checked.
		resp, body := f.get(t, path, f.analyst)
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("GET %s with the database gone = %d, want 500", path, resp.StatusCode)
		}
		if leaks(body) || strings.Contains(body, "closed") {
			t.Errorf("GET %s shows internals: %.300s", path, body)
		}
	}
	resp, _ := f.get(t, "/healthz", "")
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /healthz with the database gone = %d, want 503", resp.StatusCode)
	}
}

func TestAuthOffServesEveryone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	for _, path := range []string{"/api/sources", "/", "/advertisers"} {
		resp, _ := f.get(t, path, "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with auth off = %d, want 200", path, resp.StatusCode)
		}
	}
}
