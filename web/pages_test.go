package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"adwatch"
	"adwatch/store"
	"adwatch/web"
)

func TestSearchAPIShapeAndPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)

	resp, body := f.get(t, "/api/search?q=kaspersky&kind=government", f.analyst)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("search = %d %s, want 200", resp.StatusCode, body)
	}
	var raw struct {
		Results    []map[string]any `json:"results"`
		NextCursor *string          `json:"next_cursor"`
	}
	raw = decode[struct {
		Results    []map[string]any `json:"results"`
		NextCursor *string          `json:"next_cursor"`
	}](t, body)
	if len(raw.Results) != 1 || raw.NextCursor == nil {
		t.Fatalf("search results = %v, next_cursor %v; want one hit and a next_cursor field", raw.Results, raw.NextCursor)
	}
	for _, key := range []string{"id", "url", "title", "source", "kind", "published_at", "snippet", "advertisers"} {
		if _, ok := raw.Results[0][key]; !ok {
			t.Errorf("search hit lacks %q: %v", key, raw.Results[0])
		}
	}
	if ads, _ := raw.Results[0]["advertisers"].([]any); len(ads) != 1 || ads[0] != "AO Kaspersky Lab" {
		t.Errorf("hit advertisers = %v, want [AO Kaspersky Lab]", raw.Results[0]["advertisers"])
	}

	// Empty query, one per page: both documents, newest first, via the cursor.
	var seen []float64
	path := "/api/search?limit=1"
	for range 3 {
		resp, body := f.get(t, path, f.analyst)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, resp.StatusCode, body)
		}
		page := decode[struct {
			Results    []map[string]any `json:"results"`
			NextCursor string           `json:"next_cursor"`
		}](t, body)
		for _, r := range page.Results {
			seen = append(seen, r["id"].(float64))
		}
		if page.NextCursor == "" {
			break
		}
		path = "/api/search?limit=1&cursor=" + url.QueryEscape(page.NextCursor)
	}
	if len(seen) != 2 || int64(seen[0]) != f.hostile || int64(seen[1]) != f.docID {
		t.Errorf("paged empty query gave ids %v, want [%d %d] (newest first)", seen, f.hostile, f.docID)
	}

	for _, q := range []string{"from=yesterday", "limit=0", "limit=101", "kind=blog", "to=2019-02-30"} {
		resp, body := f.get(t, "/api/search?"+q, f.analyst)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"error"`) {
			t.Errorf("GET /api/search?%s = %d %s, want 400 with a JSON error", q, resp.StatusCode, body)
		}
	}
}

func TestTriageAndImportThroughPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	resp, _ := f.do(t, http.MethodPost, "/alerts/"+itoa(f.alertID)+"/dismiss?status=new", f.analyst,
		strings.NewReader("reason=not_the_company&note=the+antivirus+review+site"), form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts?status=new" {
		t.Errorf("dismiss form = %d to %q, want 303 back to the queue", resp.StatusCode, resp.Header.Get("Location"))
	}
	a, err := f.db.Alert(context.Background(), f.alertID)
	if err != nil || a.Status != "dismissed" {
		t.Errorf("alert after dismiss form = %q, %v; want dismissed", a.Status, err)
	}

	upload := func(token, csv string) (*http.Response, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile("file", "advertisers.csv")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte(csv))
		mw.Close()
		return f.do(t, http.MethodPost, "/advertisers/import", token, &buf, http.Header{"Content-Type": {mw.FormDataContentType()}})
	}
	good := "id,name,aliases,active\na-40,ZTE Corporation,ZTE,true\n"
	if resp, _ := upload(f.analyst, good); resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst import form = %d, want 403", resp.StatusCode)
	}
	if resp, body := upload(f.admin, good); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("admin import form = %d %.200s, want 303", resp.StatusCode, body)
	}
	resp, body := upload(f.admin, "id,name,aliases,active\na-41,Hytera Communications,Hytera,maybe\n")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "line 2") {
		t.Errorf("bad import form = %d, want 400 naming line 2", resp.StatusCode)
	}
	_, body = f.get(t, "/advertisers", f.admin)
	if !strings.Contains(body, "ZTE Corporation") || strings.Contains(body, "Hytera Communications") {
		t.Errorf("advertisers page after imports: want ZTE listed and Hytera absent")
	}
}

func TestMetricsBehindAuth(t *testing.T) {
	t.Parallel()
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("adwatch_up 1\n")) })
	db := store.FromSQL(testDB(t))
	token, err := db.CreateToken(context.Background(), "prometheus", store.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(web.New(web.Deps{Store: db}, web.Options{Auth: true, Metrics: metrics, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))}))
	defer srv.Close()
	f := &fixture{srv: srv}
	if resp, _ := f.get(t, "/metrics", ""); resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET /metrics without auth = %d, want refused", resp.StatusCode)
	}
	if resp, body := f.get(t, "/metrics", token); resp.StatusCode != http.StatusOK || body != "adwatch_up 1\n" {
		t.Errorf("GET /metrics with a token = %d %q, want 200 and the metrics", resp.StatusCode, body)
	}
}

func TestSearchExportsCSV(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	resp, body := f.get(t, "/api/search?q=huawei&format=csv", f.analyst)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV export = %d %q, want 200 text/csv", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "id,url,title,") || !strings.Contains(lines[1], "Entity List") {
		t.Errorf("CSV export = %q, want a header and the Entity List article", body)
	}
	resp, _ = f.get(t, "/api/search?format=csv&from=never", f.analyst)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("CSV export with a bad date = %d, want 400", resp.StatusCode)
	}
}

func TestDocumentPageShowsVersionsAndChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	ctx := context.Background()
	first, err := f.db.Document(ctx, f.docID)
	if err != nil {
		t.Fatal(err)
	}
	second := first
	second.ID, second.Version, second.PreviousID = 0, 0, 0
	second.Text = first.Text + "Update: the FY2018 NDAA, section 1634, signed December 12, 2017, bans Kaspersky products government-wide.\n"
	second.ContentHash = ""
	second.Raw = append(append([]byte(nil), first.Raw...), "<p>Update: FY2018 NDAA section 1634.</p>"...)
	second.Matches, second.Companies, second.CompanySpans = nil, nil, nil
	second.FetchedAt = first.FetchedAt.Add(24 * time.Hour)
	res, err := f.db.SaveDocuments(ctx, []adwatch.Document{second}, nil, nil)
	if err != nil || len(res) != 1 || !res[0].New {
		t.Fatalf("saving a second version: %+v, %v", res, err)
	}

	resp, body := f.get(t, "/documents/"+itoa(res[0].DocumentID), f.analyst)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET second version = %d", resp.StatusCode)
	}
	if !strings.Contains(body, `<span class="diff-add">&#43; Update: the FY2018 NDAA`) {
		t.Errorf("second version page does not show the added line as a change")
	}
	if !strings.Contains(body, `href="/documents/`+itoa(f.docID)+`">version 1`) {
		t.Errorf("second version page does not link version 1")
	}
}
