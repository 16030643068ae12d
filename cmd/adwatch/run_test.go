package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"adwatch"
	"adwatch/demo"
	"adwatch/internal/testdb"
)

// cli runs one adwatch command line in-process and returns its exit code and
// what it printed.
func cli(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), e, args)
	return code, out.String(), errb.String()
}

// fixture is a loopback sample site, a fresh migrated database and a config
// file pointing at both.
type fixture struct {
	site    *demo.Server
	dsn     string
	config  string
	csv     string
	slack   *slackRecorder
	dataDir string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	site, err := demo.Start(ctx, "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start sample site: %v", err)
	}
	t.Cleanup(func() { site.Close() })
	f := &fixture{site: site, dsn: testdb.DSN(t), dataDir: t.TempDir(), slack: newSlackRecorder(t)}
	f.csv = filepath.Join(f.dataDir, "advertisers.csv")
	if err := os.WriteFile(f.csv, demo.AdvertisersCSV(), 0o600); err != nil {
		t.Fatal(err)
	}
	f.config = filepath.Join(f.dataDir, "adwatch.yaml")
	f.writeConfig(t, demo.Sources(site.URL()))
	return f
}

func (f *fixture) writeConfig(t *testing.T, srcs []adwatch.Source) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "database:\n  url: %q\n", f.dsn)
	b.WriteString("crawler:\n  allow_private_networks: true\n  delay: 0s\n  per_host_parallelism: 4\n")
	fmt.Fprintf(&b, "alerts:\n  deliver_timeout: 1m\n  slack:\n    webhook_url: %q\n", f.slack.srv.URL+"/services/T000/B000/XXXX")
	b.WriteString("sources:\n")
	for _, s := range srcs {
		js, _ := json.Marshal(s) // JSON is YAML; field names match the yaml tags
		fmt.Fprintf(&b, "  - %s\n", js)
	}
	if err := os.WriteFile(f.config, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// slackRecorder is a stand-in for a Slack incoming webhook that checks the
// payload the way Slack documents it and records each message.
type slackRecorder struct {
	srv  *httptest.Server
	mu   sync.Mutex
	msgs []string
}

func newSlackRecorder(t *testing.T) *slackRecorder {
	r := &slackRecorder{}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		var p struct {
			Text   string            `json:"text"`
			Blocks []json.RawMessage `json:"blocks"`
		}
		if req.Method != http.MethodPost || !strings.HasPrefix(req.Header.Get("Content-Type"), "application/json") ||
			json.Unmarshal(body, &p) != nil || p.Text == "" || len(p.Blocks) > 50 {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		r.mu.Lock()
		r.msgs = append(r.msgs, string(body))
		r.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *slackRecorder) count(sub ...string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
next:
	for _, m := range r.msgs {
		for _, s := range sub {
			if !strings.Contains(m, s) {
				continue next
			}
		}
		n++
	}
	return n
}

type alertLine struct {
	ID           int64           `json:"id"`
	AdvertiserID string          `json:"advertiser_id"`
	Advertiser   string          `json:"advertiser"`
	DocumentURL  string          `json:"document_url"`
	Title        string          `json:"title"`
	Source       string          `json:"source"`
	Kind         string          `json:"kind"`
	Status       string          `json:"status"`
	Delivered    map[string]bool `json:"delivered"`
}

func listAlerts(t *testing.T, config string) []alertLine {
	t.Helper()
	code, out, errs := cli(t, "", "alerts", "list", "--json", "--config", config)
	if code != 0 {
		t.Fatalf("alerts list: exit %d: %s", code, errs)
	}
	var as []alertLine
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var a alertLine
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alerts list line %q: %v", sc.Text(), err)
		}
		as = append(as, a)
	}
	return as
}

func TestRunEndToEndThenSecondRunChangesNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if code, out, errs := cli(t, "", "advertisers", "import", f.csv, "--config", f.config); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	code, out, errs := cli(t, "", "run", "--config", f.config)
	if code != 0 {
		t.Fatalf("first run: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	first := listAlerts(t, f.config)
	if len(first) == 0 {
		t.Fatalf("first run raised no alerts\n%s", out)
	}
	checkExpectations(t, first)
	for _, a := range first {
		if !a.Delivered["slack"] || !a.Delivered["console"] {
			t.Errorf("alert %d (%s in %s) not delivered everywhere: %v", a.ID, a.Advertiser, a.DocumentURL, a.Delivered)
		}
		if n := f.slack.count(a.DocumentURL); n < 1 {
			t.Errorf("slack got %d messages for %s, want at least 1", n, a.DocumentURL)
		}
	}
	bytesFirst := f.site.Bytes()
	f.site.Reset()

	code, out, errs = cli(t, "", "run", "--config", f.config, "--json")
	if code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, out, errs)
	}
	var newDocs, newAlerts int
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r adwatch.SourceRun
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("run --json line %q: %v", sc.Text(), err)
		}
		newDocs += r.NewDocuments
		newAlerts += r.Alerts
	}
	if newDocs != 0 || newAlerts != 0 {
		t.Errorf("second run over an unchanged site: got %d new documents and %d alerts, want 0 and 0", newDocs, newAlerts)
	}
	if second := listAlerts(t, f.config); len(second) != len(first) {
		t.Errorf("alerts after second run: got %d, want %d", len(second), len(first))
	}
	if got := f.site.Bytes(); got*20 > bytesFirst {
		t.Errorf("second run downloaded %d bytes, more than 5%% of the first run's %d", got, bytesFirst)
	}
	reqs := f.site.Requests()
	for _, x := range demo.Expected() {
		for _, p := range append([]string{x.Path}, x.AltPaths...) {
			if n := reqs[p]; n > 0 {
				t.Errorf("second run requested known document %s %d times, want 0", p, n)
			}
		}
	}
}

// checkExpectations compares alerts with the site's hand labels.
func checkExpectations(t *testing.T, as []alertLine) {
	t.Helper()
	got := map[string]map[string]bool{} // path → advertiser ids
	for _, a := range as {
		u, err := url.Parse(a.DocumentURL)
		if err != nil {
			t.Fatalf("alert %d has bad document_url %q", a.ID, a.DocumentURL)
		}
		if got[u.Path] == nil {
			got[u.Path] = map[string]bool{}
		}
		if got[u.Path][a.AdvertiserID] {
			t.Errorf("advertiser %s alerted twice for %s", a.AdvertiserID, u.Path)
		}
		got[u.Path][a.AdvertiserID] = true
	}
	for _, x := range demo.Expected() {
		alerted := map[string]bool{}
		for _, p := range append([]string{x.Path}, x.AltPaths...) {
			for id := range got[p] {
				alerted[id] = true
			}
		}
		for _, id := range x.MustAlert {
			if !alerted[id] {
				t.Errorf("%s: advertiser %s did not alert (%s)", x.Path, id, x.Note)
			}
		}
		for _, id := range x.MustNotAlert {
			if alerted[id] {
				t.Errorf("%s: advertiser %s alerted but must not (%s)", x.Path, id, x.Note)
			}
		}
	}
}
