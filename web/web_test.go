package web_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"adwatch"
	"adwatch/internal/testdb"
	"adwatch/store"
	"adwatch/web"

	"golang.org/x/crypto/bcrypt"
)

var _ web.Store = (*store.DB)(nil)

// fixture is a running server over a real, seeded database.
type fixture struct {
	srv      *httptest.Server
	db       *store.DB
	admin    string // API token of an admin service account
	analyst  string // API token of an analyst service account
	docID    int64  // the DHS directive notice
	hostile  int64  // a crawled page titled <script>…
	alertID  int64
	password string // of the person "ana", an analyst

	mu      sync.Mutex
	changes [][]adwatch.Advertiser // what Deps.AdvertisersChanged was told, per call
	retries []string               // "id/channel" per Deps.RetryDeliveries call
}

// retried records a retry by hand the way cmd/adwatch re-queues deliveries.
func (f *fixture) retried(_ context.Context, id int64, channel string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retries = append(f.retries, strconv.FormatInt(id, 10)+"/"+channel)
	return []string{"slack"}, nil
}

// changed records an advertiser change the way cmd/adwatch queues a re-screen.
func (f *fixture) changed(_ context.Context, before []adwatch.Advertiser) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.changes = append(f.changes, before)
	return nil
}

const bod1701 = `DHS Statement on the Issuance of Binding Operational Directive 17-01

September 13, 2017. The Department of Homeland Security has issued a Binding Operational Directive
directing Federal Executive Branch departments and agencies to take actions related to the use or
presence of information security products, solutions, and services supplied directly or indirectly
by AO Kaspersky Lab or related entities. The directive calls on agencies to identify any use or
presence of Kaspersky products on their information systems within 30 days, to develop detailed
plans to remove and discontinue present and future use of the products within 60 days, and, at
90 days, unless directed otherwise by DHS based on new information, to begin to implement the
agency plans to discontinue use and remove the products from information systems.
`

func newFixture(t testing.TB, auth bool) *fixture {
	t.Helper()
	ctx := context.Background()
	db := store.FromSQL(testDB(t))
	f := &fixture{db: db, password: "correct horse battery"}

	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.SyncSources(ctx, []adwatch.Source{
		{Name: "dhs-notices", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: "https://www.dhs.gov/news/rss.xml"},
		{Name: "tech-press", Kind: adwatch.KindPress, Type: adwatch.SourceHTML, URL: "https://press.example/tech"},
	}))
	_, err := db.ImportAdvertisers(ctx, []adwatch.Advertiser{
		{ID: "a-17", Name: "AO Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true},
		{ID: "a-20", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei"}, Active: true},
	}, false)
	must(err)

	kasp := strings.Index(bod1701, "Kaspersky products")
	published := time.Date(2017, 9, 13, 0, 0, 0, 0, time.UTC)
	raw := "<html><body><h1>DHS Statement on the Issuance of Binding Operational Directive 17-01</h1></body></html>"
	res, err := db.SaveDocuments(ctx, []adwatch.Document{{
		URL:         "https://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01",
		Title:       "DHS Statement on the Issuance of Binding Operational Directive 17-01",
		Source:      "dhs-notices",
		Kind:        adwatch.KindGovernment,
		PublishedAt: &published,
		FetchedAt:   time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC),
		Text:        bod1701,
		ContentType: "text/html; charset=utf-8",
		Status:      200,
		Raw:         []byte(raw),
		RawHeader:   http.Header{"Content-Type": {"text/html; charset=utf-8"}},
		Companies:   []adwatch.Company{{Name: "AO Kaspersky Lab", Mentions: 2}},
		Matches: []adwatch.Match{{
			AdvertiserID: "a-17", Advertiser: "AO Kaspersky Lab", Alias: "Kaspersky", Score: 0.97,
			Reasons: []string{"company suffix", "products of"}, Snippet: "presence of Kaspersky products on their information systems",
			Start: kasp, End: kasp + len("Kaspersky"), Mentions: 2,
		}},
	}, {
		URL:       "https://press.example/tech/2019/05/16/entity-list",
		Title:     `<script>alert(1)</script> Commerce adds Huawei to the Entity List`,
		Source:    "tech-press",
		Kind:      adwatch.KindPress,
		FetchedAt: time.Date(2026, 11, 28, 2, 5, 0, 0, time.UTC),
		Text:      `The Bureau of Industry and Security added Huawei to the Entity List on May 16, 2019. <img src=x onerror=alert(2)>`,
		Status:    200,
		Raw:       []byte(`<html><head><title><script>alert(1)</script></title></head></html>`),
	}}, []string{"slack"}, nil)
	must(err)
	if len(res) != 2 || len(res[0].Alerts) != 1 {
		t.Fatalf("seeding: SaveDocuments = %+v, want 2 documents and 1 alert", res)
	}
	f.docID, f.hostile, f.alertID = res[0].DocumentID, res[1].DocumentID, res[0].Alerts[0].ID

	must(addUser(ctx, db, "ana", f.password, store.RoleAnalyst))
	f.admin, err = db.CreateToken(ctx, "ops-admin", store.RoleAdmin)
	must(err)
	f.analyst, err = db.CreateToken(ctx, "nightly-report", store.RoleAnalyst)
	must(err)

	var out io.Writer = testLog{t}
	if _, bench := t.(*testing.B); bench {
		out = io.Discard // a log line per request would be what is measured
	}
	log := slog.New(slog.NewTextHandler(out, nil))
	f.srv = httptest.NewServer(web.New(web.Deps{Store: db, AdvertisersChanged: f.changed, RetryDeliveries: f.retried}, web.Options{Auth: auth, Logger: log}))
	t.Cleanup(f.srv.Close)
	return f
}

// do sends a request with an optional bearer token and returns the response
// and its body.
func (f *fixture) do(t testing.TB, method, path, token string, body io.Reader, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func (f *fixture) get(t testing.TB, path, token string) (*http.Response, string) {
	t.Helper()
	return f.do(t, http.MethodGet, path, token, nil, nil)
}

func decode[T any](t testing.TB, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}

func TestHealthzNeedsNoAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	resp, body := f.get(t, "/healthz", "")
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(body) != "ok" {
		t.Errorf("GET /healthz = %d %q, want 200 ok", resp.StatusCode, body)
	}
}

func TestAPIRefusesWithoutValidToken(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	for _, tc := range []struct{ name, path, token string }{
		{"no token", "/api/search?q=kaspersky", ""},
		{"unknown token", "/api/search?q=kaspersky", "bm90LWEtdG9rZW4"},
		{"documents", "/api/documents/1", ""},
		{"alerts", "/api/alerts", ""},
		{"advertisers", "/api/advertisers", ""},
		{"sources", "/api/sources", ""},
	} {
		resp, body := f.get(t, tc.path, tc.token)
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: GET %s = %d, want 401", tc.name, tc.path, resp.StatusCode)
		}
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s: Content-Type = %q, want JSON", tc.name, ct)
		}
		if got := decode[map[string]string](t, body)["error"]; got == "" {
			t.Errorf("%s: body %q has no error message", tc.name, body)
		}
	}
	resp, _ := f.do(t, http.MethodGet, "/api/sources", "", nil, http.Header{"Authorization": {"Basic YW5hOnB3"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("GET with Basic auth = %d, want 401", resp.StatusCode)
	}
	// Pages send people to the login form instead.
	resp, _ = f.get(t, "/alerts?status=new", "")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login?next="+url.QueryEscape("/alerts?status=new") {
		t.Errorf("GET /alerts without login = %d to %q, want 303 to the login form", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestTokenReadsTheAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)

	resp, body := f.get(t, "/api/documents/"+itoa(f.docID), f.analyst)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET document = %d %s, want 200", resp.StatusCode, body)
	}
	doc := decode[struct {
		adwatch.Document
		Alerts []adwatch.Alert `json:"alerts"`
	}](t, body)
	if doc.Title != "DHS Statement on the Issuance of Binding Operational Directive 17-01" || len(doc.Alerts) != 1 ||
		doc.Alerts[0].AdvertiserID != "a-17" {
		t.Errorf("document = %q with alerts %+v, want the BOD 17-01 statement alerting a-17", doc.Title, doc.Alerts)
	}

	resp, body = f.get(t, "/api/alerts?status=new", f.analyst)
	alerts := decode[struct{ Alerts []adwatch.Alert }](t, body).Alerts
	if resp.StatusCode != http.StatusOK || len(alerts) != 1 || alerts[0].ID != f.alertID {
		t.Errorf("GET /api/alerts?status=new = %d, %d alerts, want 200 and alert %d", resp.StatusCode, len(alerts), f.alertID)
	}

	resp, body = f.get(t, "/api/advertisers", f.analyst)
	ads := decode[struct{ Advertisers []adwatch.Advertiser }](t, body).Advertisers
	if resp.StatusCode != http.StatusOK || len(ads) != 2 {
		t.Errorf("GET /api/advertisers = %d with %d advertisers, want 200 and 2", resp.StatusCode, len(ads))
	}

	resp, body = f.get(t, "/api/sources", f.analyst)
	srcs := decode[struct{ Sources []adwatch.SourceHealth }](t, body).Sources
	if resp.StatusCode != http.StatusOK || len(srcs) != 2 {
		t.Errorf("GET /api/sources = %d with %d sources, want 200 and 2", resp.StatusCode, len(srcs))
	}

	for _, path := range []string{"/api/documents/999999", "/api/documents/abc", "/api/alerts/999999", "/api/nothing-here"} {
		resp, _ := f.get(t, path, f.analyst)
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestTriageRecordsWhoDecided(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	path := "/api/alerts/" + itoa(f.alertID) + "/dismiss"
	resp, body := f.do(t, http.MethodPost, path, f.analyst, strings.NewReader(`{"reason":"wrong_entity"}`),
		http.Header{"Content-Type": {"application/json"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("POST %s = %d %s, want 200", path, resp.StatusCode, body)
	}
	if got := decode[adwatch.Alert](t, body).Status; got != adwatch.AlertDismissed {
		t.Errorf("alert status after dismiss = %q, want dismissed", got)
	}
	var who, reason string
	err := f.db.SQL().QueryRow(`SELECT who, reason FROM alert_decisions WHERE alert_id = $1`, f.alertID).Scan(&who, &reason)
	if err != nil || who != "nightly-report" || reason != "wrong_entity" {
		t.Errorf("decision recorded as (%q, %q, %v), want (nightly-report, wrong_entity)", who, reason, err)
	}

	resp, _ = f.do(t, http.MethodPost, "/api/alerts/"+itoa(f.alertID)+"/confirm", f.analyst,
		strings.NewReader("reason=seen+in+the+directive"), http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	if resp.StatusCode != http.StatusOK {
		t.Errorf("confirm with a form body = %d, want 200", resp.StatusCode)
	}
	resp, _ = f.do(t, http.MethodPost, "/api/alerts/999999/confirm", f.analyst, nil, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("confirm of a missing alert = %d, want 404", resp.StatusCode)
	}
	resp, _ = f.do(t, http.MethodPost, "/api/alerts/"+itoa(f.alertID)+"/dismiss", f.analyst,
		strings.NewReader(`{"reason":`), http.Header{"Content-Type": {"application/json"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("dismiss with broken JSON = %d, want 400", resp.StatusCode)
	}
}

func TestLoginFlowWithCookie(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, form url.Values) *http.Response {
		t.Helper()
		resp, err := client.PostForm(f.srv.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}

	resp := post("/login", url.Values{"name": {"ana"}, "password": {"wrong password"}, "next": {"/alerts"}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("login with a wrong password = %d, want 401", resp.StatusCode)
	}

	resp = post("/login", url.Values{"name": {"ana"}, "password": {f.password}, "next": {"/alerts"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/alerts" {
		t.Fatalf("login = %d to %q, want 303 to /alerts", resp.StatusCode, resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "adwatch_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie = %+v, want HttpOnly SameSite=Lax", session)
	}

	page, err := client.Get(f.srv.URL + "/alerts")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(body), "AO Kaspersky Lab") {
		t.Errorf("GET /alerts with the session = %d, want 200 showing the Kaspersky alert", page.StatusCode)
	}

	resp = post("/logout", nil)
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("logout = %d, want 303", resp.StatusCode)
	}
	if _, err := f.db.SessionUser(context.Background(), session.Value); err == nil {
		t.Error("session still valid after logout")
	}

	// An open redirect through ?next= is refused.
	for _, next := range []string{"//evil.example/", "/\\evil.example", "/\t/evil.example", "https://evil.example/"} {
		resp = post("/login", url.Values{"name": {"ana"}, "password": {f.password}, "next": {next}})
		if loc := resp.Header.Get("Location"); loc != "/" {
			t.Errorf("login with next=%q redirects to %q, want /", next, loc)
		}
	}
}

func TestOnlyAdminsImportAdvertisers(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	csv := "id,name,aliases,active\na-30,Hikvision Digital Technology,Hikvision|Hangzhou Hikvision,true\n"
	hdr := http.Header{"Content-Type": {"text/csv"}}

	resp, _ := f.do(t, http.MethodPost, "/api/advertisers", f.analyst, strings.NewReader(csv), hdr)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst import = %d, want 403", resp.StatusCode)
	}
	resp, _ = f.do(t, http.MethodPost, "/api/advertisers/a-17/deactivate", f.analyst, nil, nil)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst deactivate = %d, want 403", resp.StatusCode)
	}

	resp, body := f.do(t, http.MethodPost, "/api/advertisers", f.admin, strings.NewReader(csv), hdr)
	if resp.StatusCode != http.StatusOK || decode[map[string]int](t, body)["inserted"] != 1 {
		t.Errorf("admin import = %d %s, want 200 with 1 inserted", resp.StatusCode, body)
	}

	bad := "id,name,aliases,active\na-31,Dahua Technology,Dahua,true\na-32,ZTE Corporation,ZTE,perhaps\n"
	resp, body = f.do(t, http.MethodPost, "/api/advertisers", f.admin, strings.NewReader(bad), hdr)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "line 3") {
		t.Errorf("bad CSV = %d %s, want 400 naming line 3", resp.StatusCode, body)
	}
	ads, err := f.db.Advertisers(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ads) != 3 {
		t.Errorf("after a rejected file there are %d advertisers, want 3 (nothing changed)", len(ads))
	}

	resp, _ = f.do(t, http.MethodPost, "/api/advertisers/a-17/deactivate", f.admin, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("admin deactivate = %d, want 200", resp.StatusCode)
	}
	resp, _ = f.do(t, http.MethodPost, "/api/advertisers/no-such/activate", f.admin, nil, nil)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("activate unknown advertiser = %d, want 404", resp.StatusCode)
	}
}

// testLog shows the server's log with the test's output, on failure only.
type testLog struct{ t testing.TB }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func testDB(t testing.TB) *sql.DB { return testdb.New(t) }

// addUser stores a person the way store.CreateUser does, but hashed at
// bcrypt's minimum cost: Authenticate reads the cost from the hash, so every
// login in these tests runs the real check without spending a second of CPU
// (much more under -race) per attempt. CreateUser itself is tested in store.
func addUser(ctx context.Context, db *store.DB, name, password, role string) error {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return err
	}
	_, err = db.SQL().ExecContext(ctx,
		`INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3)`, name, role, string(hash))
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestLoginGuessingIsThrottled(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	login := func(password string) int {
		t.Helper()
		resp, _ := f.do(t, http.MethodPost, "/login", "", strings.NewReader(url.Values{"name": {"ana"}, "password": {password}}.Encode()),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
		return resp.StatusCode
	}
	for i := range 10 {
		if got := login("guess-" + itoa(int64(i))); got != http.StatusUnauthorized {
			t.Fatalf("wrong password #%d = %d, want 401", i+1, got)
		}
	}
	if got := login(f.password); got != http.StatusTooManyRequests {
		t.Errorf("right password after 10 failures = %d, want 429 (throttled)", got)
	}
}

func TestAdvertiserChangesAreReportedForRescreen(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	csv := "id,name,aliases,active\nadv-zte,ZTE Corporation,ZTE,true\n"
	resp, body := f.do(t, http.MethodPost, "/api/advertisers", f.admin, strings.NewReader(csv), http.Header{"Content-Type": {"text/csv"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("import: %d %s", resp.StatusCode, body)
	}
	resp, body = f.do(t, http.MethodPost, "/api/advertisers/adv-zte/deactivate", f.admin, nil, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("deactivate: %d %s", resp.StatusCode, body)
	}
	// A rejected file changes nothing and reports nothing.
	f.do(t, http.MethodPost, "/api/advertisers", f.admin, strings.NewReader("id,name\n"), http.Header{"Content-Type": {"text/csv"}})

	f.mu.Lock()
	defer f.mu.Unlock()
	if got, want := len(f.changes), 2; got != want {
		t.Fatalf("AdvertisersChanged called %d times, want %d", got, want)
	}
	for _, ad := range f.changes[0] {
		if ad.ID == "adv-zte" {
			t.Errorf("the import's before-list already holds the imported advertiser")
		}
	}
	found := false
	for _, ad := range f.changes[1] {
		found = found || (ad.ID == "adv-zte" && ad.Active)
	}
	if !found {
		t.Errorf("the deactivation's before-list lacks the active adv-zte")
	}
}

func TestFailedDeliveryCanBeRetriedByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	if err := f.db.MarkDelivery(context.Background(), f.alertID, "slack", adwatch.DeliveryFailed, "slack webhook: status 500"); err != nil {
		t.Fatal(err)
	}
	_, page := f.get(t, "/alerts?status=", f.analyst)
	if !strings.Contains(page, "Retry slack") || !strings.Contains(page, "slack: failed") {
		t.Errorf("alerts page does not offer a retry of the failed slack delivery")
	}
	id := strconv.FormatInt(f.alertID, 10)
	resp, body := f.do(t, http.MethodPost, "/api/alerts/"+id+"/retry?channel=slack", f.analyst, nil, nil)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `"queued":["slack"]`) {
		t.Fatalf("POST retry = %d %s, want 200 with the queued channel", resp.StatusCode, body)
	}
	f.mu.Lock()
	got := strings.Join(f.retries, ",")
	f.mu.Unlock()
	if want := id + "/slack"; got != want {
		t.Errorf("retries = %q, want %q", got, want)
	}
	if resp, _ := f.do(t, http.MethodPost, "/api/alerts/"+id+"/retry", "", nil, nil); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("retry without a token = %d, want 401", resp.StatusCode)
	}
}
