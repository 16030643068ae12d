package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"adwatch"
	"adwatch/alerts"
	"adwatch/config"
	"adwatch/demo"
)

// fullAlerts is `alerts list --json`, every field.
func fullAlerts(t *testing.T, config string) []adwatch.Alert {
	t.Helper()
	code, out, errs := cli(t, "", "alerts", "list", "--json", "--config", config)
	if code != 0 {
		t.Fatalf("alerts list: exit %d: %s", code, errs)
	}
	var as []adwatch.Alert
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var a adwatch.Alert
		if err := dec.Decode(&a); err != nil {
			t.Fatalf("alerts list: %v", err)
		}
		as = append(as, a)
	}
	return as
}

// withoutAdvertiser writes the sample advertisers CSV minus one line.
func withoutAdvertiser(t *testing.T, dir, id string) string {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(string(demo.AdvertisersCSV()), "\n") {
		if !strings.HasPrefix(l, id+",") {
			lines = append(lines, l)
		}
	}
	p := filepath.Join(dir, "partial.csv")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImportRescreensTheArchive: an advertiser added after the crawl is
// screened against what is already archived, and its alerts, marked as
// re-screen findings, are delivered like any other.
func TestImportRescreensTheArchive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	const late = "adv-001" // Kaspersky: named in the sample DHS directive
	if code, out, errs := cli(t, "", "advertisers", "import", withoutAdvertiser(t, f.dataDir, late), "--config", f.config); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	before := fullAlerts(t, f.config)
	for _, a := range before {
		if a.AdvertiserID == late {
			t.Fatalf("alert %d for %s before it was imported", a.ID, late)
		}
	}
	code, out, errs := cli(t, "", "advertisers", "import", f.csv, "--config", f.config)
	if code != 0 || !strings.Contains(out, "re-screening 1 advertisers against the last 365 days") {
		t.Fatalf("second import: exit %d: %s %s", code, out, errs)
	}
	// Importing the same file again changes nothing and queues nothing.
	if code, out, _ := cli(t, "", "advertisers", "import", f.csv, "--config", f.config); code != 0 || strings.Contains(out, "re-screening") {
		t.Errorf("unchanged import: exit %d, %q; want no re-screen", code, out)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run after import: exit %d\n%s\n%s", code, out, errs)
	}
	found := 0
	for _, a := range fullAlerts(t, f.config) {
		if a.AdvertiserID != late {
			continue
		}
		found++
		if !a.Rescreen || !a.Delivered["slack"] {
			t.Errorf("alert %d for %s: rescreen %v, delivered %v; want a delivered re-screen finding", a.ID, late, a.Rescreen, a.Delivered)
		}
		if n := f.slack.count(a.DocumentURL, "re-screen"); n != 1 {
			t.Errorf("Slack got %d re-screen messages for %s, want 1", n, a.DocumentURL)
		}
	}
	if found == 0 {
		t.Errorf("no re-screen alert for %s", late)
	}
}

// TestDigestRouteThenRetryByHand routes press to Slack's digest, sends the
// digest, then fails a delivery and retries it from the CLI.
func TestDigestRouteThenRetryByHand(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	routes := "  routes:\n    slack:\n      - {kind: press, mode: digest}\n    console:\n      - {kind: press, mode: none}\n"
	cfgs := strings.Replace(string(cfg), "alerts:\n", "alerts:\n"+routes, 1)
	if err := os.WriteFile(f.config, []byte(cfgs), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, "", "advertisers", "import", f.csv, "--config", f.config); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	as := fullAlerts(t, f.config)
	var press, gov []adwatch.Alert
	for _, a := range as {
		if a.Kind == adwatch.KindPress {
			press = append(press, a)
		} else {
			gov = append(gov, a)
		}
	}
	if len(press) == 0 || len(gov) == 0 {
		t.Fatalf("got %d press and %d government alerts, want some of each", len(press), len(gov))
	}
	for _, a := range press {
		if got := a.Deliveries["slack"].Status; got != adwatch.DeliveryDigest {
			t.Errorf("press alert %d on slack: %q, want digest", a.ID, got)
		}
		if got := a.Deliveries["console"].Status; got != adwatch.DeliverySkipped {
			t.Errorf("press alert %d on console: %q, want skipped", a.ID, got)
		}
		if n := f.slack.count(a.DocumentURL); n != 0 {
			t.Errorf("press alert %d went to Slack at once (%d messages)", a.ID, n)
		}
	}
	for _, a := range gov {
		if !a.Delivered["slack"] {
			t.Errorf("government alert %d not delivered to Slack at once", a.ID)
		}
	}

	// The digest tick (enqueued here as the leader would), worked by the next run.
	db, err := sql.Open("postgres", f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ins, err := river.NewClient(riverdatabasesql.New(db), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ins.Insert(context.Background(), alerts.DigestArgs{Channel: "slack", Period: "2026-01-01T07:00:00Z"}, nil); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run with the digest: exit %d\n%s\n%s", code, out, errs)
	}
	digests := f.slack.count(fmt.Sprintf("adwatch digest: %d alert", len(press)))
	if digests != 1 {
		t.Errorf("Slack got %d digests of %d alerts, want 1", digests, len(press))
	}
	for _, a := range fullAlerts(t, f.config) {
		if a.Kind == adwatch.KindPress && !a.Delivered["slack"] {
			t.Errorf("press alert %d not delivered by the digest", a.ID)
		}
		if a.Kind == adwatch.KindPress {
			if n := f.slack.count(a.DocumentURL); n != 1 {
				t.Errorf("press alert %d: in %d Slack messages, want only the digest", a.ID, n)
			}
		}
	}

	// A delivery that failed for good is retried by hand.
	g := gov[0]
	if _, err := db.Exec(`UPDATE alert_deliveries SET status = 'failed', last_error = 'slack webhook: status 404'
		WHERE alert_id = $1 AND channel = 'slack'`, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE river_job SET state = 'discarded', finalized_at = now()
		WHERE kind = 'deliver_alert' AND (args->>'alert_id')::bigint = $1 AND args->>'channel' = 'slack'`, g.ID); err != nil {
		t.Fatal(err)
	}
	before := f.slack.count(g.DocumentURL)
	code, out, errs := cli(t, "", "alerts", "retry", fmt.Sprint(g.ID), "--channel", "slack", "--config", f.config)
	if code != 0 || !strings.Contains(out, "queued again on slack") {
		t.Fatalf("alerts retry: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run after retry: exit %d\n%s\n%s", code, out, errs)
	}
	if got := f.slack.count(g.DocumentURL); got != before+1 {
		t.Errorf("retried alert: %d Slack messages after, %d before; want one more", got, before)
	}
	if code, _, _ := cli(t, "", "alerts", "retry", fmt.Sprint(g.ID), "--channel", "pager", "--config", f.config); code != exitUsage {
		t.Errorf("retry on an unknown channel: exit %d, want %d", code, exitUsage)
	}
}

func TestDismissWithSuppression(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if code, out, errs := cli(t, "", "advertisers", "import", f.csv, "--config", f.config); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}
	as := fullAlerts(t, f.config)
	if len(as) < 2 {
		t.Fatalf("got %d alerts, want at least 2", len(as))
	}
	code, out, errs := cli(t, "", "alerts", "dismiss", fmt.Sprint(as[0].ID), "--reason", "not the company", "--suppress", "source", "--by", "analyst-1", "--config", f.config)
	if code != 0 || !strings.Contains(out, "no longer alerts from source "+as[0].Source) {
		t.Fatalf("dismiss --suppress source: exit %d: %s %s", code, out, errs)
	}
	code, out, errs = cli(t, "", "alerts", "dismiss", fmt.Sprint(as[1].ID), "--reason", "wrong entity", "--suppress", "phrase",
		"--phrase", "a phrase given by hand", "--config", f.config)
	if code != 0 || !strings.Contains(out, `in the phrase "a phrase given by hand"`) {
		t.Fatalf("dismiss --suppress phrase: exit %d: %s %s", code, out, errs)
	}
	if code, _, _ := cli(t, "", "alerts", "dismiss", fmt.Sprint(as[1].ID), "--reason", "x", "--suppress", "everything", "--config", f.config); code != exitUsage {
		t.Errorf("--suppress everything: exit %d, want %d", code, exitUsage)
	}
	if code, _, _ := cli(t, "", "alerts", "confirm", fmt.Sprint(as[1].ID), "--suppress", "source", "--config", f.config); code != exitUsage {
		t.Errorf("confirm --suppress: exit %d, want %d (only a dismissal suppresses)", code, exitUsage)
	}
}

func TestPhraseAround(t *testing.T) {
	t.Parallel()
	cases := []struct{ snippet, alias, want string }{
		{"… the directive orders agencies to remove Kaspersky-branded products from federal systems …", "Kaspersky",
			"agencies to remove Kaspersky-branded products from"},
		{"Shell companies were used to hide the owners.", "Shell", "Shell companies were used"},
		{"… named  Huawei …", "huawei", "named Huawei"},
		{"no mention here", "Apple", ""},
	}
	for _, c := range cases {
		if got := phraseAround(c.snippet, c.alias); got != c.want {
			t.Errorf("phraseAround(%q, %q) = %q, want %q", c.snippet, c.alias, got, c.want)
		}
	}
}

// TestWorkerSendsScheduledDigestsOnce: a worker process, elected leader,
// enqueues each channel's digest at every alerts.digest_schedule tick; the
// press alerts routed to Slack's digest reach Slack once, however many
// ticks pass.
func TestWorkerSendsScheduledDigestsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	cfg, err := os.ReadFile(f.config)
	if err != nil {
		t.Fatal(err)
	}
	routes := "  digest_schedule: \"@every 1s\"\n  routes:\n    slack:\n      - {kind: press, mode: digest}\n"
	if err := os.WriteFile(f.config, []byte(strings.Replace(string(cfg), "alerts:\n", "alerts:\n"+routes, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := len(alertPeriodicJobs(mustLoad(t, f.config))); got != 1 {
		t.Fatalf("periodic digest jobs: got %d, want 1 (slack)", got)
	}
	if code, out, errs := cli(t, "", "advertisers", "import", f.csv, "--config", f.config); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("run: exit %d\n%s\n%s", code, out, errs)
	}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out, errb strings.Builder
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		done <- run(ctx, e, []string{"worker", "--config", f.config})
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		waiting := 0
		for _, a := range fullAlerts(t, f.config) {
			if a.Deliveries["slack"].Status == adwatch.DeliveryDigest {
				waiting++
			}
		}
		if waiting == 0 {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("%d press alerts still wait for the digest after 30 s", waiting)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(1500 * time.Millisecond) // another tick: it must send nothing again
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("worker: exit %d", code)
	}
	press := 0
	for _, a := range fullAlerts(t, f.config) {
		if a.Kind != adwatch.KindPress {
			continue
		}
		press++
		if n := f.slack.count(a.DocumentURL); n != 1 {
			t.Errorf("press alert %d (%s): in %d Slack messages, want 1 digest", a.ID, a.DocumentURL, n)
		}
	}
	if press == 0 {
		t.Error("no press alerts to digest")
	}
	if n := f.slack.count("adwatch digest: "); n < 1 {
		t.Errorf("Slack got %d digests, want at least 1", n)
	}
}

func mustLoad(t *testing.T, path string) config.Config {
	t.Helper()
	cfg, err := config.Load(path, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}
