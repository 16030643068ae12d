package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"adwatch"
	"adwatch/store"
)

func TestDismissWithSuppression(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	ctx := context.Background()
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}

	// A phrase suppression without the phrase is refused, and nothing is decided.
	path := "/api/alerts/" + itoa(f.alertID) + "/dismiss"
	resp, _ := f.do(t, http.MethodPost, path, f.analyst,
		strings.NewReader(url.Values{"reason": {"not_the_company"}, "suppress": {"phrase"}}.Encode()), form)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("phrase suppression without a phrase = %d, want 400", resp.StatusCode)
	}
	resp, _ = f.do(t, http.MethodPost, "/api/alerts/"+itoa(f.alertID)+"/confirm", f.analyst,
		strings.NewReader(`{"suppress":"source"}`), http.Header{"Content-Type": {"application/json"}})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("confirm with a suppression = %d, want 400", resp.StatusCode)
	}
	if a, err := f.db.Alert(ctx, f.alertID); err != nil || a.Status != adwatch.AlertNew {
		t.Fatalf("alert after refused requests = %q, %v; want still new", a.Status, err)
	}

	resp, body := f.do(t, http.MethodPost, path, f.analyst,
		strings.NewReader(`{"reason":"not_the_company","suppress":"source"}`), http.Header{"Content-Type": {"application/json"}})
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("dismiss with a source suppression = %d %s", resp.StatusCode, body)
	}
	resp, body = f.get(t, "/api/suppressions", f.analyst)
	rules := decode[struct{ Suppressions []store.Suppression }](t, body).Suppressions
	if resp.StatusCode != http.StatusOK || len(rules) != 1 {
		t.Fatalf("GET /api/suppressions = %d with %d rules, want 1", resp.StatusCode, len(rules))
	}
	want := store.Suppression{AdvertiserID: "a-17", Alias: "Kaspersky", Source: "dhs-notices",
		Reason: "not_the_company", CreatedBy: "nightly-report"}
	got := rules[0]
	got.ID, got.CreatedAt = 0, want.CreatedAt
	if got != want {
		t.Errorf("suppression = %+v, want %+v", got, want)
	}

	// A phrase suppression (a form body) on a missing alert: 404
	// and no rule.
	resp, _ = f.do(t, http.MethodPost, "/api/alerts/999999/dismiss", f.analyst,
		strings.NewReader(url.Values{"reason": {"irrelevant"}, "suppress": {"phrase"}, "phrase": {"x"}}.Encode()), form)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("suppressing through a missing alert = %d, want 404", resp.StatusCode)
	}
	if all, _ := f.db.Suppressions(ctx); len(all) != 1 {
		t.Errorf("rules after the 404 = %d, want 1", len(all))
	}
}

func TestAdvertiserPageAndAliases(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	ctx := context.Background()

	resp, body := f.get(t, "/api/advertisers/a-17", f.analyst)
	adv := decode[struct {
		adwatch.Advertiser
		Timeline []store.MonthCount `json:"timeline"`
	}](t, body)
	if resp.StatusCode != http.StatusOK || adv.Name != "AO Kaspersky Lab" || len(adv.Timeline) != 1 ||
		adv.Timeline[0].Month.Format("2006-01") != "2017-09" || adv.Timeline[0].Alerts != 1 || adv.Timeline[0].Mentions != 1 {
		t.Errorf("GET /api/advertisers/a-17 = %d %+v, want Kaspersky with September 2017: 1 mention, 1 alert", resp.StatusCode, adv)
	}
	if resp, _ := f.get(t, "/api/advertisers/no-such", f.analyst); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown advertiser = %d, want 404", resp.StatusCode)
	}

	// The page: the chart and the document list.
	resp, body = f.get(t, "/advertisers/a-17", f.analyst)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /advertisers/a-17 = %d", resp.StatusCode)
	}
	for _, want := range []string{`<svg class="timeline"`, `<title>2017-09: 1 mentions, 1 alerts</title>`,
		`href="/documents/` + itoa(f.docID) + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("advertiser page lacks %s", want)
		}
	}
	if strings.Contains(body, `action="/advertisers/a-17/aliases"`) {
		t.Error("an analyst is offered the aliases form")
	}

	// Aliases: admins only.
	jsonHdr := http.Header{"Content-Type": {"application/json"}}
	resp, _ = f.do(t, http.MethodPost, "/api/advertisers/a-17/aliases", f.analyst, strings.NewReader(`{"aliases":["Kaspersky Lab"]}`), jsonHdr)
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("analyst edits aliases = %d, want 403", resp.StatusCode)
	}
	resp, body = f.do(t, http.MethodPost, "/api/advertisers/a-17/aliases", f.admin,
		strings.NewReader(`{"aliases":["Kaspersky","Kaspersky Lab","Лаборатория Касперского"]}`), jsonHdr)
	if got := decode[adwatch.Advertiser](t, body).Aliases; resp.StatusCode != http.StatusOK || len(got) != 3 {
		t.Errorf("admin edits aliases = %d %v, want 200 with 3 aliases", resp.StatusCode, got)
	}
	resp, _ = f.do(t, http.MethodPost, "/api/advertisers/a-17/aliases", f.admin, strings.NewReader(`{"aliases":`), jsonHdr)
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("broken JSON = %d, want 400", resp.StatusCode)
	}
	// The page form, one alias a line.
	resp, _ = f.do(t, http.MethodPost, "/advertisers/a-17/aliases", f.admin,
		strings.NewReader(url.Values{"aliases": {"Kaspersky\r\nAO Kaspersky Lab\r\n"}}.Encode()),
		http.Header{"Content-Type": {"application/x-www-form-urlencoded"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("aliases form = %d, want 303", resp.StatusCode)
	}
	a, err := f.db.Advertiser(ctx, "a-17")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Aliases) != 2 || a.Aliases[1] != "AO Kaspersky Lab" {
		t.Errorf("aliases after the form = %q, want [Kaspersky, AO Kaspersky Lab]", a.Aliases)
	}
}
