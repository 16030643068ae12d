// Package scale is the scale-out harness: a slow loopback site of RSS feeds
// and notice pages (site.go), used by cmd/adwatch's multi-process tests, and
// a measurement of documents per second with 1, 2 and 4 worker processes
// (scale_test.go). It must not be imported by the product.
package scale

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"adwatch"
)

// Site is a loopback site of feeds, each listing notice pages, that answers
// every feed and page after a fixed delay, like a slow government server.
// It counts requests per path.
type Site struct {
	srv     *httptest.Server
	feeds   int
	docs    int
	delay   time.Duration
	mu      sync.Mutex
	reqs    map[string]int
	first   time.Time
	pubDate time.Time
}

// NewSite starts a site with feeds feeds of docs pages each.
func NewSite(feeds, docs int, delay time.Duration) *Site {
	s := &Site{feeds: feeds, docs: docs, delay: delay, reqs: map[string]int{},
		pubDate: time.Date(2019, 5, 16, 14, 0, 0, 0, time.UTC)}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// URL is the site's base URL.
func (s *Site) URL() string { return s.srv.URL }

// Close stops the site.
func (s *Site) Close() { s.srv.Close() }

// Requests returns how often each path was requested.
func (s *Site) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.reqs))
	for k, v := range s.reqs {
		out[k] = v
	}
	return out
}

// FirstRequest is when the first feed or page was requested (zero if none).
func (s *Site) FirstRequest() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.first
}

// Reset forgets the requests seen so far.
func (s *Site) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = map[string]int{}
	s.first = time.Time{}
}

// Sources are the site's feeds as adwatch sources, one per feed.
func (s *Site) Sources() []adwatch.Source {
	out := make([]adwatch.Source, s.feeds)
	for i := range out {
		out[i] = adwatch.Source{Name: fmt.Sprintf("notices-%d", i), Kind: adwatch.KindGovernment,
			Type: adwatch.SourceFeed, URL: fmt.Sprintf("%s/feeds/%d.xml", s.URL(), i), Follow: true}
	}
	return out
}

// DocumentPaths lists the path of every notice page.
func (s *Site) DocumentPaths() []string {
	var out []string
	for i := 0; i < s.feeds; i++ {
		for j := 0; j < s.docs; j++ {
			out = append(out, docPath(i, j))
		}
	}
	return out
}

// Expected maps each page that names an advertiser to that advertiser's id.
func (s *Site) Expected() map[string]string {
	out := map[string]string{}
	for i := 0; i < s.feeds; i++ {
		for j := 0; j < s.docs; j++ {
			if n, ok := notice(i, j); ok {
				out[docPath(i, j)] = n.advertiser
			}
		}
	}
	return out
}

// AdvertisersCSV is the advertiser list the notices are about, in the
// import format.
func AdvertisersCSV() []byte {
	var b strings.Builder
	b.WriteString("id,name,aliases,active\n")
	for _, n := range notices {
		fmt.Fprintf(&b, "%s,%s,%s,true\n", n.advertiser, csvQuote(n.name), csvQuote(n.alias))
	}
	return []byte(b.String())
}

func csvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func docPath(feed, doc int) string { return fmt.Sprintf("/feeds/%d/notices/%d.html", feed, doc) }

func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/robots.txt" {
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprint(w, "User-agent: *\nAllow: /\n")
		return
	}
	s.mu.Lock()
	s.reqs[r.URL.Path]++
	if s.first.IsZero() {
		s.first = time.Now()
	}
	s.mu.Unlock()
	select {
	case <-time.After(s.delay):
	case <-r.Context().Done():
		return
	}
	var feed, doc int
	switch {
	case scan(r.URL.Path, "/feeds/%d/notices/%d.html", &feed, &doc) && feed < s.feeds && doc < s.docs:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, s.page(feed, doc))
	case scan(r.URL.Path, "/feeds/%d.xml", &feed) && feed < s.feeds:
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		fmt.Fprint(w, s.feed(feed))
	default:
		http.NotFound(w, r)
	}
}

// scan is fmt.Sscanf that also insists the whole path matched.
func scan(path, format string, args ...any) bool {
	n, err := fmt.Sscanf(path, format, args...)
	if err != nil || n != len(args) {
		return false
	}
	ints := make([]any, len(args))
	for i, a := range args {
		ints[i] = *(a.(*int))
	}
	return fmt.Sprintf(format, ints...) == path
}

func (s *Site) feed(i int) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
<title>Notices, office %d</title><link>%s/feeds/%d.xml</link><description>Notices and directives</description>
`, i, s.URL(), i)
	for j := 0; j < s.docs; j++ {
		fmt.Fprintf(&b, "<item><title>%s</title><link>%s%s</link><guid>%s%s</guid><pubDate>%s</pubDate></item>\n",
			html.EscapeString(title(i, j)), s.URL(), docPath(i, j), s.URL(), docPath(i, j),
			s.pubDate.Add(time.Duration(j)*time.Hour).Format(time.RFC1123Z))
	}
	b.WriteString("</channel></rss>\n")
	return b.String()
}

func title(i, j int) string {
	if n, ok := notice(i, j); ok {
		return fmt.Sprintf("%s (office %d, notice %d)", n.title, i, j)
	}
	return fmt.Sprintf("Notice of public meeting of the advisory committee (office %d, notice %d)", i, j)
}

func (s *Site) page(i, j int) string {
	body := fmt.Sprintf("<p>The advisory committee will meet in open session to discuss records management, "+
		"the annual budget of office %d and comments received on notice %d. Members of the public may attend "+
		"and submit written statements before the meeting.</p>", i, j)
	if n, ok := notice(i, j); ok {
		body = "<p>" + html.EscapeString(n.text) + "</p>" + body
	}
	return fmt.Sprintf(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s</title>
<meta name="dcterms.date" content="%s"></head>
<body><main><article><h1>%s</h1>
%s
<p>Reference %d-%d. This notice is published for information.</p>
</article></main></body></html>
`, html.EscapeString(title(i, j)), s.pubDate.Add(time.Duration(j)*time.Hour).Format("2006-01-02"),
		html.EscapeString(title(i, j)), body, i, j)
}

type noticeText struct {
	advertiser, name, alias, title, text string
}

// notices are about real public events; every third page carries one.
var notices = []noticeText{
	{"a-1", "AO Kaspersky Lab", "Kaspersky Lab|Kaspersky",
		"Removal of Kaspersky-branded products",
		"Binding Operational Directive 17-01, issued by the Department of Homeland Security on September 13, 2017, " +
			"directs federal agencies to identify and remove Kaspersky-branded products from their information systems. " +
			"The products are supplied by AO Kaspersky Lab, the Moscow-based antivirus company."},
	{"a-2", "Huawei Technologies Co., Ltd.", "Huawei Technologies|Huawei",
		"Addition of Huawei to the Entity List",
		"In May 2019 the Bureau of Industry and Security added Huawei Technologies Co., Ltd. and its non-U.S. affiliates " +
			"to the Entity List, requiring a license for exports of items subject to the Export Administration Regulations."},
	{"a-3", "ZTE Corporation", "ZTE",
		"Covered List of communications equipment",
		"The Federal Communications Commission published its Covered List in March 2021. It names communications " +
			"equipment produced by ZTE Corporation, the Shenzhen-based telecommunications equipment maker, among others."},
	{"a-4", "Hangzhou Hikvision Digital Technology Co., Ltd.", "Hikvision",
		"Video surveillance equipment on the Covered List",
		"The Covered List of March 2021 includes video surveillance equipment produced by Hangzhou Hikvision Digital " +
			"Technology Co., Ltd., the video surveillance company, to the extent it is used for public safety."},
}

func notice(i, j int) (noticeText, bool) {
	if j%3 != 0 {
		return noticeText{}, false
	}
	return notices[(i+j/3)%len(notices)], true
}
