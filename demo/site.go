// Package demo is the sample site behind `adwatch demo` and the end-to-end
// tests: government notices and press coverage in their real published formats
// (Federal Register API JSON with raw-text and HTML bodies, an agency
// press-release listing, RSS 2.0 and Atom feeds with article pages, one PDF),
// embedded in the binary and served on loopback, plus the sample advertisers
// and the analyst's labels of which documents must and must not alert.
//
// Layout of site/ (URL paths mirror the real publishers'):
//
//	api/v1/_documents.json            Federal Register results; /api/v1/documents.json pages them
//	documents/full_text/text/…/N.txt  printed text of each notice; its body_html_url and
//	                                  html_url pages are rendered from it (frdoc.go)
//	content/pkg/FR-…/pdf/N.pdf        the notices as PDF, made by internal/mkpdf (go generate)
//	news/press-releases/              agency newsroom listing (two pages); releases in news/YYYY/
//	press/rss.xml, press/atom.xml     feeds; articles under press/YYYY/MM/DD/
//	private/                          disallowed by robots.txt; linked from one article
//
// Files and directories named with a leading "_" are data, never served as is.
//
// It only serves and describes content. It must not crawl, extract, match or
// store anything itself, and it must never reach the network beyond the
// listener it opens.
package demo

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:generate go run ./internal/mkpdf -in internal/mkpdf/publ91-sec1634.txt -out site/news/documents/publ91-sec1634.pdf -date 2017-12-12 -title "Public Law 115-91, Section 1634"
//go:generate go run ./internal/mkpdf -in site/documents/full_text/text/2017/09/19/2017-19838.txt -out site/content/pkg/FR-2017-09-19/pdf/2017-19838.pdf -date 2017-09-19 -title "Federal Register, Vol. 82, No. 180"
//go:generate go run ./internal/mkpdf -in site/documents/full_text/text/2018/06/15/2018-12847.txt -out site/content/pkg/FR-2018-06-15/pdf/2018-12847.pdf -date 2018-06-15 -title "Federal Register, Vol. 83, No. 116"
//go:generate go run ./internal/mkpdf -in site/documents/full_text/text/2019/05/21/2019-10616.txt -out site/content/pkg/FR-2019-05-21/pdf/2019-10616.pdf -date 2019-05-21 -title "Federal Register, Vol. 84, No. 98"
//go:generate go run ./internal/mkpdf -in site/documents/full_text/text/2022/08/10/2022-17130.txt -out site/content/pkg/FR-2022-08-10/pdf/2022-17130.pdf -date 2022-08-10 -title "Federal Register, Vol. 87, No. 153"
//go:generate go run ./internal/mkpdf -in site/documents/full_text/text/2023/02/06/2023-01878.txt -out site/content/pkg/FR-2023-02-06/pdf/2023-01878.pdf -date 2023-02-06 -title "Federal Register, Vol. 88, No. 24"

//go:embed all:site
var siteFS embed.FS

// baseTemplate is replaced in every served text body by the server's base URL,
// so absolute links (next_page_url, raw_text_url, feed links) point at the
// running server whatever port it got.
const baseTemplate = "{{.Base}}"

// LastModified is the Last-Modified time of every page: the site is fixed
// content, so one date for all keeps If-Modified-Since simple and honest.
var LastModified = time.Date(2024, time.June, 21, 14, 0, 0, 0, time.UTC)

// PrivatePrefix is the path robots.txt disallows. A page under it is linked
// from an article and must never be fetched by a polite crawler.
const PrivatePrefix = "/private/"

// contentTypes maps file extensions to what the real sites send.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".pdf":  "application/pdf",
	".css":  "text/css; charset=utf-8",
}

// Handler serves the sample site. baseURL gives the scheme and host that
// absolute links must carry (for example "http://127.0.0.1:41234"); when it is
// nil, the request's own Host is used, which suits httptest servers.
func Handler(baseURL func() string) http.Handler {
	return newSite(baseURL)
}

func newSite(baseURL func() string) *site {
	sub, err := fs.Sub(siteFS, "site")
	if err != nil {
		// fs.Sub fails only on an invalid directory name, a constant here.
		panic("demo: " + err.Error())
	}
	return &site{files: sub, baseURL: baseURL, edits: map[string]edit{}}
}

type site struct {
	files   fs.FS
	baseURL func() string

	mu    sync.Mutex
	edits map[string]edit // by URL path; see Server.Update
}

// edit is a page changed or removed after the site started.
type edit struct {
	body    []byte // nil: the page is gone
	modTime time.Time
}

func (s *site) base(r *http.Request) string {
	if s.baseURL != nil {
		if b := s.baseURL(); b != "" {
			return strings.TrimSuffix(b, "/")
		}
	}
	return "http://" + r.Host
}

func (s *site) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	p := path.Clean("/" + r.URL.Path)
	if strings.HasSuffix(r.URL.Path, "/") && p != "/" {
		p += "/"
	}
	if s.serveEdit(w, r, p) {
		return
	}
	if p == frListingPath {
		s.serveListing(w, r)
		return
	}
	if s.serveFRDocument(w, r, p) || s.serveAgency(w, r, p) {
		return
	}
	name, ok := fileFor(p)
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, err := fs.ReadFile(s.files, name)
	if err != nil {
		// "/news/press-releases" names a directory: send the client to the
		// slash form, as static hosts do, so relative links keep working.
		if dir := strings.TrimPrefix(p, "/") + "/index.html"; path.Ext(p) == "" && fs.ValidPath(dir) {
			if _, err := fs.Stat(s.files, dir); err == nil {
				http.Redirect(w, r, p+"/", http.StatusMovedPermanently)
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	ctype := contentTypeFor(name)
	if !strings.HasSuffix(name, ".pdf") {
		body = expand(body, s.base(r))
	}
	serve(w, r, ctype, body)
}

func (s *site) serveEdit(w http.ResponseWriter, r *http.Request, p string) bool {
	s.mu.Lock()
	e, ok := s.edits[p]
	s.mu.Unlock()
	if !ok {
		return false
	}
	if e.body == nil {
		http.NotFound(w, r)
		return true
	}
	name, _ := fileFor(p)
	body := e.body
	if !strings.HasSuffix(name, ".pdf") {
		body = expand(body, s.base(r))
	}
	serveAt(w, r, contentTypeFor(name), body, e.modTime)
	return true
}

// fileFor maps a URL path to a file in the site tree the way static hosts do:
// "/dir/" → "dir/index.html", "/a/b" → "a/b.html", "/a/b.xml" → "a/b.xml".
// Files and directories whose names start with "_" hold data for dynamic
// responses and are not served as they are.
func fileFor(p string) (string, bool) {
	name := strings.TrimPrefix(p, "/")
	switch {
	case name == "" || strings.HasSuffix(name, "/"):
		name += "index.html"
	case path.Ext(name) == "":
		name += ".html"
	}
	for _, part := range strings.Split(name, "/") {
		if strings.HasPrefix(part, "_") || strings.HasPrefix(part, ".") {
			return "", false
		}
	}
	return name, true
}

func contentTypeFor(name string) string {
	switch path.Base(name) {
	case "rss.xml":
		return "application/rss+xml; charset=utf-8"
	case "atom.xml":
		return "application/atom+xml; charset=utf-8"
	}
	ext := path.Ext(name)
	if ct, ok := contentTypes[ext]; ok {
		return ct
	}
	if ext == ".xml" {
		return "application/xml; charset=utf-8"
	}
	if ct := mime.TypeByExtension(ext); ct != "" {
		return ct
	}
	return "application/octet-stream"
}

func expand(body []byte, base string) []byte {
	return bytes.ReplaceAll(body, []byte(baseTemplate), []byte(base))
}

// serve writes body with a strong ETag derived from its bytes and the site's
// Last-Modified; http.ServeContent answers If-None-Match and
// If-Modified-Since with 304 and handles HEAD and Range.
func serve(w http.ResponseWriter, r *http.Request, ctype string, body []byte) {
	serveAt(w, r, ctype, body, LastModified)
}

func serveAt(w http.ResponseWriter, r *http.Request, ctype string, body []byte, modTime time.Time) {
	sum := sha256.Sum256(body)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("ETag", `"`+hex.EncodeToString(sum[:10])+`"`)
	h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	http.ServeContent(w, r, "", modTime, bytes.NewReader(body))
}
