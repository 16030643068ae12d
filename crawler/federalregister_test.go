package crawler

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"adwatch"
)

type frDoc struct {
	number, date, title, abstract, agency, typ string
	noRawText                                  bool
}

// frServer is a Federal Register API v1 stand-in: documents.json with
// publication_date conditions, newest first, paging by next_page_url, and a
// cap on how many results one query can page through (count still says how
// many matched), as the real API has.
type frServer struct {
	base    string
	docs    []frDoc
	cap     int
	mu      sync.Mutex
	queries []url.Values
	bodies  int
}

func (f *frServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/robots.txt":
		http.NotFound(w, r)
	case r.URL.Path == "/api/v1/documents.json":
		f.list(w, r)
	case strings.HasPrefix(r.URL.Path, "/documents/full_text/"), strings.HasPrefix(r.URL.Path, "/documents/html/"):
		f.mu.Lock()
		f.bodies++
		f.mu.Unlock()
		num := strings.TrimSuffix(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:], ".txt")
		for _, d := range f.docs {
			if d.number == num {
				if strings.HasPrefix(r.URL.Path, "/documents/html/") {
					w.Header().Set("Content-Type", "text/html; charset=utf-8")
					fmt.Fprintf(w, "<html><body><h1>%s</h1><p>%s</p></body></html>", d.title, d.abstract)
					return
				}
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				fmt.Fprintf(w, "[Federal Register Volume 84]\n%s\n\nAGENCY: %s.\n\nSUMMARY: %s\n", d.title, d.agency, d.abstract)
				return
			}
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *frServer) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.mu.Lock()
	f.queries = append(f.queries, q)
	f.mu.Unlock()
	gte, lte := q.Get("conditions[publication_date][gte]"), q.Get("conditions[publication_date][lte]")
	var match []frDoc
	for _, d := range f.docs {
		if (gte == "" || d.date >= gte) && (lte == "" || d.date <= lte) {
			match = append(match, d)
		}
	}
	sort.Slice(match, func(i, j int) bool { return match[i].date > match[j].date })
	perPage, _ := strconv.Atoi(q.Get("per_page"))
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(page, 1)
	reachable := match[:min(len(match), f.cap)]
	lo, hi := min((page-1)*perPage, len(reachable)), min(page*perPage, len(reachable))
	type agency struct {
		Name    string `json:"name"`
		RawName string `json:"raw_name"`
	}
	var results []map[string]any
	for _, d := range reachable[lo:hi] {
		y, m := d.date[:4], d.date[5:7]
		res := map[string]any{
			"title": d.title, "type": d.typ, "abstract": d.abstract, "document_number": d.number,
			"publication_date": d.date, "agencies": []agency{{Name: d.agency, RawName: strings.ToUpper(d.agency)}},
			"html_url":      fmt.Sprintf("%s/documents/%s/%s/%s/%s/notice?utm_source=api", f.base, y, m, d.date[8:], d.number),
			"body_html_url": fmt.Sprintf("%s/documents/html/%s", f.base, d.number),
			"pdf_url":       fmt.Sprintf("%s/pdf/%s.pdf", f.base, d.number),
		}
		if !d.noRawText {
			res["raw_text_url"] = fmt.Sprintf("%s/documents/full_text/text/%s/%s/%s.txt", f.base, y, m, d.number)
		}
		results = append(results, res)
	}
	out := map[string]any{"count": len(match), "total_pages": (len(reachable) + perPage - 1) / perPage, "results": results}
	if hi < len(reachable) {
		q.Set("page", strconv.Itoa(page+1))
		out["next_page_url"] = f.base + r.URL.Path + "?" + q.Encode()
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(out)
}

func newFRServer(t *testing.T, docs []frDoc, cap int) *frServer {
	f := &frServer{docs: docs, cap: cap}
	f.base = newServer(t, f).URL
	return f
}

func frSource(f *frServer) adwatch.Source {
	return adwatch.Source{Name: "fr-bis", Kind: adwatch.KindGovernment, Type: adwatch.SourceFederalRegister,
		URL: f.base + "/api/v1/documents.json", Agencies: []string{"industry-and-security-bureau"},
		DocumentTypes: []string{"rule", "NOTICE"}, Term: "entity list", PerPage: 5}
}

func TestFederalRegisterDocuments(t *testing.T) {
	t.Parallel()
	f := newFRServer(t, []frDoc{
		{number: "2019-10616", date: "2019-05-21", title: "Addition of Entities to the Entity List", typ: "Rule", agency: "Industry and Security Bureau",
			abstract: "This rule adds Huawei Technologies Co., Ltd. (Huawei) and sixty-eight non-U.S. affiliates of Huawei to the Entity List."},
		{number: "2019-22210", date: "2019-10-09", title: "Addition of Certain Entities to the Entity List", typ: "Rule", agency: "Industry and Security Bureau",
			abstract: "This final rule adds Hikvision and Dahua to the Entity List.", noRawText: true},
	}, 10000)
	st := newMemState()
	c := New(testConfig(), st, nil)
	today := time.Date(2024, 6, 21, 9, 0, 0, 0, time.UTC)
	c.now = func() time.Time { return today }
	src := frSource(f)
	k := sink{state: st}
	run := mustCrawl(t, c, src, k.emit)
	if run.ItemsSeen != 2 || len(run.Errors) != 0 {
		t.Fatalf("ItemsSeen = %d, errors %q", run.ItemsSeen, run.Errors)
	}
	q := f.queries[0]
	for key, want := range map[string]string{"conditions[agencies][]": "industry-and-security-bureau", "conditions[term]": "entity list",
		"order": "newest", "per_page": "5"} {
		if got := q.Get(key); got != want {
			t.Errorf("query %s = %q, want %q", key, got, want)
		}
	}
	if got := strings.Join(q["conditions[type][]"], ","); got != "RULE,NOTICE" {
		t.Errorf("query types = %q, want RULE,NOTICE", got)
	}
	if got := strings.Join(q["fields[]"], ","); !strings.Contains(got, "raw_text_url") || !strings.Contains(got, "html_url") {
		t.Errorf("query fields = %q", got)
	}
	docs := k.byURL()
	huawei, ok := docs[f.base+"/documents/2019/05/21/2019-10616/notice"]
	if !ok {
		t.Fatalf("emitted %v, want the html_url of 2019-10616", keys(docs))
	}
	want := map[string]string{"title": "Addition of Entities to the Entity List", "document_number": "2019-10616",
		"publication_date": "2019-05-21", "published": "2019-05-21T00:00:00Z", "agencies": "Industry and Security Bureau",
		"type": "Rule", "body_url": f.base + "/documents/full_text/text/2019/05/2019-10616.txt"}
	for key, w := range want {
		if got := huawei.Meta[key]; got != w {
			t.Errorf("meta %s = %q, want %q", key, got, w)
		}
	}
	if !strings.Contains(string(huawei.Body), "sixty-eight non-U.S. affiliates") || huawei.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("body %q (%s), want the raw text", huawei.Body, huawei.ContentType)
	}
	hik := docs[f.base+"/documents/2019/10/09/2019-22210/notice"]
	if !strings.Contains(string(hik.Body), "<h1>") || !strings.HasPrefix(hik.ContentType, "text/html") {
		t.Errorf("without raw_text_url, body %q (%s), want body_html_url's HTML", hik.Body, hik.ContentType)
	}

	// The next run starts from the last successful run's date and finds
	// nothing new.
	bodies := f.bodies
	k2 := sink{state: st}
	mustCrawl(t, c, src, k2.emit)
	if k2.count() != 0 || f.bodies != bodies {
		t.Errorf("second run emitted %d and fetched %d bodies, want 0 and 0", k2.count(), f.bodies-bodies)
	}
	last := f.queries[len(f.queries)-1]
	if got, want := last.Get("conditions[publication_date][gte]"), "2024-06-21"; got != want {
		t.Errorf("second run gte = %q, want the last run's date %q", got, want)
	}
}

func TestFederalRegisterBackfillSplitsCappedQueries(t *testing.T) {
	t.Parallel()
	var docs []frDoc
	start := time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)
	for i := range 30 {
		d := start.AddDate(0, 0, i).Format(time.DateOnly)
		docs = append(docs, frDoc{number: fmt.Sprintf("2019-%05d", 10000+i), date: d, typ: "Notice",
			title: "Entity List notice " + d, agency: "Industry and Security Bureau", abstract: "Entity List additions."})
	}
	// Each query can page through 10 results at most; the crawl may read
	// 2 pages of 5: the 30 documents need the range split.
	f := newFRServer(t, docs, 10)
	cfg := testConfig()
	cfg.MaxPages = 2
	c := New(cfg, newMemState(), nil)
	c.now = func() time.Time { return time.Date(2019, 5, 30, 12, 0, 0, 0, time.UTC) }
	src := frSource(f)
	src.Since = "2019-05-01"
	var k sink
	run := mustCrawl(t, c, src, k.emit)
	if got, want := k.count(), 30; got != want {
		t.Errorf("emitted %d documents, want all %d (errors %q)", got, want, run.Errors)
	}
	for _, q := range f.queries {
		if q.Get("conditions[publication_date][gte]") == "" {
			t.Errorf("a query without a date bound: %v", q)
		}
	}
}
