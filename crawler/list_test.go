package crawler

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"adwatch"
)

func TestScreeningListJSON(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/csl.json", serveFixture(t, "csl.json", "application/json"))
	srv := newServer(t, mux)
	c := New(testConfig(), newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, adwatch.Source{Name: "csl", Kind: adwatch.KindGovernment, Type: adwatch.SourceList, URL: srv.URL + "/csl.json"}, k.emit)
	if got, want := run.ItemsSeen, 3; got != want {
		t.Errorf("ItemsSeen = %d, want %d", got, want)
	}
	if len(run.Errors) != 1 || !strings.Contains(run.Errors[0], "entry 2") {
		t.Errorf("Errors = %q, want one for entry 2", run.Errors)
	}
	docs := k.byURL()
	huawei, ok := docs[srv.URL+"/csl.json#e1f0c5a2"]
	if !ok {
		t.Fatalf("emitted %v, want the entry id in the URL", keys(docs))
	}
	want := "Huawei Technologies Co., Ltd.\nAlso known as: Huawei; Huawei Technologies\nList: Entity List (EL) - Bureau of Industry and Security\n" +
		"Programs: EAR\nFederal Register notice: 84 FR 22961\nStart date: 2019-05-16\n"
	if got := string(huawei.Body); got != want {
		t.Errorf("body = %q, want %q", got, want)
	}
	if huawei.Meta["title"] != "Huawei Technologies Co., Ltd." || huawei.Meta["published"] != "2019-05-16T00:00:00Z" || huawei.ContentType != "text/plain; charset=utf-8" {
		t.Errorf("meta = %v, content type %q", huawei.Meta, huawei.ContentType)
	}
	hik := docs[srv.URL+"/csl.json#9a77d3b0"]
	if !strings.Contains(string(hik.Body), "Also known as: Hangzhou Hikvision Digital Technology Co., Ltd.; Hikvision Digital Technology\n") {
		t.Errorf("alt_names as a ;-string: body %q", hik.Body)
	}
	var dahua adwatch.Fetched
	for u, d := range docs {
		if strings.HasPrefix(u, srv.URL+"/csl.json#dahua-technology-") {
			dahua = d
		}
	}
	if dahua.Meta["title"] != "Dahua Technology" {
		t.Errorf("entry without id: want a slug URL, got %v", keys(docs))
	}
}

func TestScreeningListCSVChangesOnly(t *testing.T) {
	t.Parallel()
	csv := string(fixture(t, "csl.csv"))
	var current atomic.Value
	current.Store(csv)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	mux.HandleFunc("/csl.csv", func(w http.ResponseWriter, r *http.Request) {
		serveBytes([]byte(current.Load().(string)), "text/csv")(w, r)
	})
	srv := newServer(t, mux)
	st := newMemState()
	c := New(testConfig(), st, nil)
	src := adwatch.Source{Name: "csl", Type: adwatch.SourceList, URL: srv.URL + "/csl.csv"}
	k := sink{state: st}
	run := mustCrawl(t, c, src, k.emit)
	if got, want := k.count(), 3; got != want {
		t.Fatalf("emitted %d, want %d (errors %q)", got, want, run.Errors)
	}
	if len(run.Errors) != 1 || !strings.Contains(run.Errors[0], "line 4") {
		t.Errorf("Errors = %q, want the short row on line 4", run.Errors)
	}
	first := k.byURL()

	// Unchanged file: 304, nothing emitted.
	k2 := sink{state: st}
	if run := mustCrawl(t, c, src, k2.emit); k2.count() != 0 || run.Unchanged != 1 {
		t.Errorf("unchanged list: emitted %d, Unchanged %d; want 0, 1", k2.count(), run.Unchanged)
	}

	// One entry gains an alias: only that entry is emitted, as a new
	// version of the same URL.
	current.Store(strings.Replace(csv, "ZTE; Zhongxing Telecommunication Equipment", "ZTE; Zhongxing Telecommunication Equipment; ZTE Kangxun", 1))
	k3 := sink{state: st}
	mustCrawl(t, c, src, k3.emit)
	if k3.count() != 1 {
		t.Fatalf("changed list emitted %v, want only the ZTE entry", keys(k3.byURL()))
	}
	for u, d := range k3.byURL() {
		if _, ok := first[u]; !ok || !strings.Contains(string(d.Body), "ZTE Kangxun") {
			t.Errorf("changed entry %s: same URL as before %v, body %q", u, ok, d.Body)
		}
	}
}

func TestSourceFailures(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("User-agent: *\nDisallow: /internal/\n"))
	})
	mux.HandleFunc("/internal/list", okPage)
	mux.HandleFunc("/bad.json", serveBytes([]byte(`{"results": [{"name": "Huawei"`), "application/json"))
	mux.HandleFunc("/noname.csv", serveBytes([]byte("entity,country\nHuawei,CN\n"), "text/csv"))
	srv := newServer(t, mux)
	cases := []struct {
		name string
		src  adwatch.Source
		want string
	}{
		{"listing forbidden by robots.txt", adwatch.Source{Name: "a", Type: adwatch.SourceHTML, URL: srv.URL + "/internal/list", ItemSelector: "a"}, "robots.txt"},
		{"malformed list JSON", adwatch.Source{Name: "b", Type: adwatch.SourceList, URL: srv.URL + "/bad.json"}, "malformed json"},
		{"CSV without a name column", adwatch.Source{Name: "c", Type: adwatch.SourceList, URL: srv.URL + "/noname.csv"}, "no name column"},
		{"unknown type", adwatch.Source{Name: "d", Type: "sitemap", URL: srv.URL + "/"}, "unknown source type"},
		{"html without item_selector", adwatch.Source{Name: "e", Type: adwatch.SourceHTML, URL: srv.URL + "/"}, "item_selector"},
	}
	for _, tc := range cases {
		c := New(testConfig(), newMemState(), nil)
		run, err := c.Crawl(context.Background(), tc.src, func(context.Context, adwatch.Fetched) error { return nil })
		if err == nil || !strings.Contains(err.Error(), tc.want) || run.Err != err.Error() {
			t.Errorf("%s: error %v (run.Err %q), want one containing %q", tc.name, err, run.Err, tc.want)
		}
	}
}
