package demo

import (
	"bytes"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// startSite runs the site on a free loopback port for one test.
func startSite(t *testing.T) *Server {
	t.Helper()
	s, err := Start(t.Context(), "")
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatalf("new request %s: %v", url, err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read %s: %v", url, err)
	}
	return resp, body
}

// sitePaths lists the URL path of every static file the site serves, the way
// fileFor maps them.
func sitePaths(t *testing.T) []string {
	t.Helper()
	var paths []string
	err := fs.WalkDir(siteFS, "site", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if strings.HasPrefix(d.Name(), "_") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		p := strings.TrimPrefix(name, "site")
		switch {
		case strings.HasSuffix(p, "/index.html"):
			p = strings.TrimSuffix(p, "index.html")
		case strings.HasSuffix(p, ".html"):
			p = strings.TrimSuffix(p, ".html")
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatalf("walk site: %v", err)
	}
	return paths
}

// frPaths lists the Federal Register document URLs the listing announces.
func frPaths(t *testing.T, base string) []string {
	t.Helper()
	var out []string
	for _, r := range fetchAllResults(t, base+frListingPath) {
		for _, u := range []string{r.HTMLURL, r.RawTextURL, r.BodyHTMLURL, r.PDFURL, r.PublicInspectionPDFURL} {
			out = append(out, strings.TrimPrefix(u, base))
		}
	}
	return out
}

func TestEveryPathServedWithItsContentType(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	want := map[string]string{
		".txt":  "text/plain; charset=utf-8",
		".json": "application/json; charset=utf-8",
		".pdf":  "application/pdf",
		".xml":  "application/", // rss+xml or atom+xml, checked below
		"":      "text/html; charset=utf-8",
	}
	paths := append(sitePaths(t), frPaths(t, s.URL())...)
	if len(paths) < 30 {
		t.Fatalf("site has %d paths, want at least 30", len(paths))
	}
	for _, p := range paths {
		resp, body := get(t, s.URL()+p, nil)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status %d, want 200", p, resp.StatusCode)
			continue
		}
		ext := ""
		if i := strings.LastIndex(p, "."); i > strings.LastIndex(p, "/") {
			ext = p[i:]
		}
		if p == "/robots.txt" {
			ext = ".txt"
		}
		ct := resp.Header.Get("Content-Type")
		if !strings.HasPrefix(ct, want[ext]) {
			t.Errorf("GET %s: Content-Type %q, want %q", p, ct, want[ext])
		}
		if ext == "" && !bytes.Contains(body, []byte("<html")) {
			t.Errorf("GET %s: served as HTML but has no <html>", p)
		}
		if resp.Header.Get("ETag") == "" || resp.Header.Get("Last-Modified") == "" {
			t.Errorf("GET %s: ETag %q, Last-Modified %q, want both set", p,
				resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
		}
	}
	for p, ct := range map[string]string{"/press/rss.xml": "application/rss+xml", "/press/atom.xml": "application/atom+xml"} {
		resp, _ := get(t, s.URL()+p, nil)
		if got := resp.Header.Get("Content-Type"); !strings.HasPrefix(got, ct) {
			t.Errorf("GET %s: Content-Type %q, want %q", p, got, ct)
		}
	}
}

func TestTemplatesExpandedInEveryBody(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	paths := append(sitePaths(t), frPaths(t, s.URL())...)
	paths = append(paths, frListingPath+"?page=2")
	for _, p := range paths {
		if strings.HasSuffix(p, ".pdf") {
			continue
		}
		_, body := get(t, s.URL()+p, nil)
		if bytes.Contains(body, []byte("{{")) || bytes.Contains(body, []byte("}}")) {
			t.Errorf("GET %s: body still holds a template marker", p)
		}
	}
}

// Every link on every page and in every listing leads somewhere on the site.
func TestLinksResolve(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	href := regexp.MustCompile(`(?:href="|<link>|<guid[^>]*>|"(?:html_url|raw_text_url|body_html_url|pdf_url|public_inspection_pdf_url|next_page_url|url|json_url|recent_articles_url)":")(` + regexp.QuoteMeta(s.URL()) + `[^"<]*)`)
	seen := map[string]bool{}
	queue := append(sitePaths(t), frPaths(t, s.URL())...)
	queue = append(queue, frListingPath)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if strings.HasSuffix(p, ".pdf") {
			continue
		}
		_, body := get(t, s.URL()+p, nil)
		for _, m := range href.FindAllSubmatch(body, -1) {
			link := strings.ReplaceAll(string(m[1]), "&amp;", "&")
			if seen[link] {
				continue
			}
			queue = append(queue, strings.TrimPrefix(link, s.URL()))
			seen[link] = true
			resp, _ := get(t, link, nil)
			if resp.StatusCode != http.StatusOK {
				t.Errorf("link %s on %s: status %d", link, p, resp.StatusCode)
			}
		}
	}
	if len(seen) < 40 {
		t.Errorf("checked %d distinct links, want at least 40", len(seen))
	}
}

func TestConditionalGet(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	for _, p := range []string{"/press/rss.xml", "/news/press-releases/", frListingPath, "/news/documents/publ91-sec1634.pdf",
		"/documents/full_text/text/2017/09/19/2017-19838.txt"} {
		t.Run(strings.ReplaceAll(p, "/", "_"), func(t *testing.T) {
			resp, body := get(t, s.URL()+p, nil)
			etag, lm := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
			if len(body) == 0 {
				t.Fatalf("GET %s: empty body", p)
			}
			resp, body = get(t, s.URL()+p, map[string]string{"If-None-Match": etag})
			if resp.StatusCode != http.StatusNotModified || len(body) != 0 {
				t.Errorf("If-None-Match %s: status %d with %d bytes, want 304 and none", etag, resp.StatusCode, len(body))
			}
			resp, _ = get(t, s.URL()+p, map[string]string{"If-None-Match": `"other"`})
			if resp.StatusCode != http.StatusOK {
				t.Errorf("If-None-Match other: status %d, want 200", resp.StatusCode)
			}
			resp, _ = get(t, s.URL()+p, map[string]string{"If-Modified-Since": lm})
			if resp.StatusCode != http.StatusNotModified {
				t.Errorf("If-Modified-Since %s: status %d, want 304", lm, resp.StatusCode)
			}
			earlier := LastModified.Add(-time.Hour).Format(http.TimeFormat)
			resp, _ = get(t, s.URL()+p, map[string]string{"If-Modified-Since": earlier})
			if resp.StatusCode != http.StatusOK {
				t.Errorf("If-Modified-Since %s: status %d, want 200", earlier, resp.StatusCode)
			}
		})
	}
}

func TestRobotsDisallowsPrivate(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	_, body := get(t, s.URL()+"/robots.txt", nil)
	if !regexp.MustCompile(`(?m)^User-agent: \*$`).Match(body) || !regexp.MustCompile(`(?m)^Disallow: /private/$`).Match(body) {
		t.Errorf("robots.txt = %q, want User-agent: * and Disallow: /private/", body)
	}
	// The forbidden page exists and an article links to it: only robots.txt
	// keeps a crawler out.
	var linked bool
	for _, p := range sitePaths(t) {
		if strings.HasPrefix(p, "/press/20") {
			_, page := get(t, s.URL()+p, nil)
			linked = linked || bytes.Contains(page, []byte(`href="`+s.URL()+PrivatePrefix))
		}
	}
	if !linked {
		t.Errorf("no article links under %s", PrivatePrefix)
	}
}

func TestNotFoundAndMethods(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	for _, p := range []string{"/nope", "/api/v1/_documents.json", "/documents/_page", "/documents/2017/09/19/2099-00001/x"} {
		if resp, _ := get(t, s.URL()+p, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, resp.StatusCode)
		}
	}
	if resp, _ := get(t, s.URL()+"/news/press-releases", nil); resp.StatusCode != http.StatusMovedPermanently {
		t.Errorf("GET /news/press-releases: status %d, want 301 to the slash form", resp.StatusCode)
	}
	resp, err := http.Post(s.URL()+"/press/rss.xml", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatalf("POST: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
}
