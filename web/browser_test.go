package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"adwatch"
	"adwatch/store"
)

// browser drives a headless Chromium through the pages, the way an analyst
// uses them. CI installs Debian's chromium; without it this test fails
// rather than passing without having looked.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string // screenshots
}

func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("no chromium on PATH: the browser test needs it (Debian: apt-get install chromium; .ci/run installs it)")
	return ""
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first action starts the browser, on a context without a deadline
	// (a deadline there would end the browser itself).
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	dir := os.Getenv("ADWATCH_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	} else {
		dir = filepath.Join(dir, "browser")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return &browser{t: t, ctx: ctx, base: base, dir: dir}
}

// do runs steps with a deadline; a failure names the page it happened on.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(b.ctx, chromedp.Location())
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s (at %s): %v", what, loc, err)
	}
}

func run[T any](b *browser, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	return run(b, chromedp.Text(chromedp.CSS(sel)))
}

func (b *browser) count(sel string) int {
	b.t.Helper()
	return run(b, chromedp.Evaluate[int]("document.querySelectorAll("+jsString(sel)+").length"))
}

// shot keeps a full-page PNG of what the browser shows.
func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	b.t.Logf("screenshot: %s", path)
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func TestBrowserAnalystFlow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, true)
	ctx := context.Background()
	if err := addUser(ctx, f.db, "ada", "admin password 1", store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, f.srv.URL)

	// Log in: the search page sends us to the form and back.
	b.do("open search", chromedp.Navigate(f.srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("form.login")))
	b.shot("1-login")
	b.do("log in",
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "ana"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), f.password),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS("form.search")))
	if got := b.text(".who"); got != "ana (analyst)" {
		t.Errorf("logged in as %q, want ana (analyst)", got)
	}

	// Search: ranked hits with highlighted, escaped snippets and facets.
	b.do("search",
		chromedp.SendKeys(chromedp.CSS(`input[name=q]`), "kaspersky products"),
		chromedp.Submit(chromedp.CSS(`input[name=q]`)),
		chromedp.WaitVisible(chromedp.CSS("article.hit")))
	b.shot("2-search")
	if got := b.text("article.hit h2"); !strings.Contains(got, "Binding Operational Directive 17-01") {
		t.Errorf("first hit = %q, want the BOD 17-01 statement", got)
	}
	if n := b.count(".hit .snippet mark"); n == 0 {
		t.Error("no highlighted words in the snippet")
	}
	if got := b.text(".hit .advertisers"); !strings.Contains(got, "AO Kaspersky Lab") {
		t.Errorf("hit advertisers = %q, want AO Kaspersky Lab", got)
	}
	if got := b.text("aside.facets"); !strings.Contains(got, "dhs-notices") {
		t.Errorf("facets = %q, want the dhs-notices source", got)
	}

	// A crawled title carrying markup shows as text, and runs nothing.
	b.do("hostile search", chromedp.Navigate(f.srv.URL+"/?q=huawei"), chromedp.WaitVisible(chromedp.CSS("article.hit")))
	if got := b.text("article.hit h2"); !strings.Contains(got, "<script>alert(1)</script>") {
		t.Errorf("hostile title rendered as %q, want the markup shown as text", got)
	}
	if n := b.count("main script, main img"); n != 0 {
		t.Errorf("%d script or img elements made from crawled text, want 0", n)
	}

	// Document: facts, highlighted mentions, the alert it raised.
	b.do("open document", chromedp.Navigate(f.srv.URL+"/?q=kaspersky"), chromedp.WaitVisible(chromedp.CSS("article.hit")),
		chromedp.Click(chromedp.CSS("article.hit h2 a")), chromedp.WaitVisible(chromedp.CSS("article.document")))
	b.shot("3-document")
	if got := b.text("article.document h1"); got != "DHS Statement on the Issuance of Binding Operational Directive 17-01" {
		t.Errorf("document title = %q", got)
	}
	marks := run(b, chromedp.Evaluate[[]string](
		`Array.from(document.querySelectorAll('.text mark.advertiser'), m => m.textContent)`))
	if !slices.Contains(marks, "Kaspersky") || !slices.Contains(marks, "AO Kaspersky Lab") {
		t.Errorf("advertiser marks in the text = %q, want Kaspersky and AO Kaspersky Lab", marks)
	}
	if got := b.text("article.document table"); !strings.Contains(got, "AO Kaspersky Lab") {
		t.Errorf("alerts table = %q, want the Kaspersky alert", got)
	}

	// Alerts: dismiss with a reason; the queue empties and the decision is
	// recorded with who made it.
	b.do("open alerts", chromedp.Navigate(f.srv.URL+"/alerts"), chromedp.WaitVisible(chromedp.CSS("article.alert")))
	b.shot("4-alerts")
	b.do("dismiss",
		chromedp.Click(chromedp.CSS(`form.dismiss input[value=wrong_entity]`)),
		chromedp.SendKeys(chromedp.CSS(`form.dismiss input[name=note]`), "the directive names the Lab, checked"),
		chromedp.Click(chromedp.CSS(`form.dismiss input[name=suppress][value=source]`)),
		chromedp.Click(chromedp.CSS(`form.dismiss button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.empty")))
	b.shot("5-alerts-after-dismiss")
	a, err := f.db.Alert(ctx, f.alertID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != adwatch.AlertDismissed {
		t.Errorf("alert status after dismiss = %q, want dismissed", a.Status)
	}
	var who, reason string
	if err := f.db.SQL().QueryRowContext(ctx, `SELECT who, reason FROM alert_decisions WHERE alert_id = $1`, f.alertID).
		Scan(&who, &reason); err != nil {
		t.Fatal(err)
	}
	if who != "ana" || reason != "wrong_entity: the directive names the Lab, checked" {
		t.Errorf("decision = (%q, %q), want ana with the reason and note", who, reason)
	}

	rules, err := f.db.Suppressions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Alias != "Kaspersky" || rules[0].Source != "dhs-notices" || rules[0].CreatedBy != "ana" {
		t.Errorf("suppressions after the dismissal = %+v, want Kaspersky from dhs-notices by ana", rules)
	}

	// The advertiser's page: timeline chart and documents.
	b.do("advertiser page", chromedp.Navigate(f.srv.URL+"/advertisers"), chromedp.WaitVisible(chromedp.CSS("main table")),
		chromedp.Click(chromedp.CSS(`a[href="/advertisers/a-17"]`)), chromedp.WaitVisible(chromedp.CSS("svg.timeline")))
	b.shot("6-advertiser")
	if n := b.count("svg.timeline rect.alerts"); n != 1 {
		t.Errorf("timeline has %d alert bars, want 1 (September 2017)", n)
	}
	if got := b.text("main section article.hit h3"); !strings.Contains(got, "Binding Operational Directive 17-01") {
		t.Errorf("advertiser documents = %q, want the BOD 17-01 statement", got)
	}

	// Advertisers: an analyst sees no import form; an admin imports a CSV.
	b.do("advertisers as analyst", chromedp.Navigate(f.srv.URL+"/advertisers"), chromedp.WaitVisible(chromedp.CSS("table")))
	if n := b.count("form.import"); n != 0 {
		t.Errorf("analyst sees %d import forms, want 0", n)
	}
	b.do("log out", chromedp.Click(chromedp.CSS("form.logout button")), chromedp.WaitVisible(chromedp.CSS("form.login")))
	b.do("log in as admin", chromedp.Navigate(f.srv.URL+"/login?next=/advertisers"), chromedp.WaitVisible(chromedp.CSS("form.login")),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "ada"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "admin password 1"),
		chromedp.Click(chromedp.CSS(`form.login button`)),
		chromedp.WaitVisible(chromedp.CSS("form.import")))
	csv := filepath.Join(t.TempDir(), "advertisers.csv")
	if err := os.WriteFile(csv, []byte("id,name,aliases,active\n"+
		"a-30,Hangzhou Hikvision Digital Technology Co.,Hikvision,true\n"+
		"a-31,Zhejiang Dahua Technology Co.,Dahua,true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("import",
		chromedp.SetUploadFiles(chromedp.CSS(`form.import input[type=file]`), []string{csv}),
		chromedp.Click(chromedp.CSS(`form.import button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("p.notice")))
	b.shot("7-advertisers-imported")
	if got := b.text("p.notice"); !strings.Contains(got, "2 new") {
		t.Errorf("import notice = %q, want 2 new", got)
	}
	if got := b.text("main table"); !strings.Contains(got, "Hangzhou Hikvision Digital Technology Co.") {
		t.Errorf("advertisers table lacks the imported Hikvision row: %q", got)
	}
	ads, err := f.db.Advertisers(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(ads) != 4 {
		t.Errorf("advertisers after import = %d, want 4", len(ads))
	}
}
