package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"adwatch/bench/scale"
	"adwatch/internal/testdb"
)

// The multi-process tests run the real binary, built once per test binary.
var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

func adwatchBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "adwatch-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "adwatch")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// scaleFixture is a slow site, a database with the site's advertisers and a
// Slack stand-in, shared by several adwatch processes.
type scaleFixture struct {
	site   *scale.Site
	dsn    string
	config string
	slack  *slackRecorder
}

type scaleSettings struct {
	feeds, docs   int
	delay         time.Duration
	parallelism   int
	concurrency   int
	jobTimeout    time.Duration
	rescueAfter   time.Duration
	schedule      string
	webAuthOff    bool
	shutdownGrace time.Duration
}

func newScaleFixture(t *testing.T, s scaleSettings) *scaleFixture {
	t.Helper()
	f := &scaleFixture{site: scale.NewSite(s.feeds, s.docs, s.delay), dsn: testdb.DSN(t), slack: newSlackRecorder(t)}
	t.Cleanup(f.site.Close)
	var b strings.Builder
	fmt.Fprintf(&b, "database:\n  url: %q\n", f.dsn)
	fmt.Fprintf(&b, "crawler:\n  allow_private_networks: true\n  delay: 0s\n  per_host_parallelism: %d\n  concurrency: %d\n",
		s.parallelism, s.concurrency)
	if s.shutdownGrace == 0 {
		s.shutdownGrace = 5 * time.Second
	}
	fmt.Fprintf(&b, "  job_timeout: %s\n  rescue_after: %s\n  shutdown_grace: %s\n", s.jobTimeout, s.rescueAfter, s.shutdownGrace)
	if s.schedule != "" {
		fmt.Fprintf(&b, "  schedule: %q\n", s.schedule)
	}
	fmt.Fprintf(&b, "alerts:\n  deliver_timeout: 1m\n  slack:\n    webhook_url: %q\n", f.slack.srv.URL+"/services/T000/B000/XXXX")
	if s.webAuthOff {
		b.WriteString("web:\n  auth: false\n")
	}
	b.WriteString("sources:\n")
	for _, src := range f.site.Sources() {
		fmt.Fprintf(&b, "  - {name: %s, kind: %s, type: %s, url: %q, follow: true}\n", src.Name, src.Kind, src.Type, src.URL)
	}
	f.config = filepath.Join(t.TempDir(), "adwatch.yaml")
	if err := os.WriteFile(f.config, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	csv := filepath.Join(t.TempDir(), "advertisers.csv")
	if err := os.WriteFile(csv, scale.AdvertisersCSV(), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := cli(t, "", "advertisers", "import", csv, "--config", f.config); code != 0 {
		t.Fatalf("import: exit %d: %s %s", code, out, errs)
	}
	return f
}

// proc is one adwatch process of a test.
type proc struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	err            error
}

// start starts the binary with the fixture's configuration and an
// environment without ADWATCH_ overrides from the test's own.
func (f *scaleFixture) start(t *testing.T, extraEnv []string, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: exec.Command(adwatchBinary(t), append(args, "--config", f.config)...), done: make(chan struct{})}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADWATCH_") {
			p.cmd.Env = append(p.cmd.Env, kv)
		}
	}
	p.cmd.Env = append(p.cmd.Env, extraEnv...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	// Registered after the database: runs before it is dropped.
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
	})
	return p
}

func (p *proc) wait(t *testing.T, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		p.cmd.Process.Kill()
		<-p.done
		t.Fatalf("adwatch %v did not exit within %v\nstdout:\n%s\nstderr:\n%s", p.cmd.Args[1:], d, &p.stdout, tail(p.stderr.String(), 4000))
	}
	return p.cmd.ProcessState.ExitCode()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (f *scaleFixture) db(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// checkOnceEach checks the archive and Slack after the crawls: every page
// stored once, every labelled notice alerted once for its advertiser and
// delivered to Slack exactly once.
func (f *scaleFixture) checkOnceEach(t *testing.T) {
	t.Helper()
	db := f.db(t)
	var docs, urls int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT url) FROM documents`).Scan(&docs, &urls); err != nil {
		t.Fatal(err)
	}
	if want := len(f.site.DocumentPaths()); docs != want || urls != want {
		t.Errorf("archive: got %d documents at %d URLs, want %d each", docs, urls, want)
	}
	want := f.site.Expected()
	got := map[string][]string{}
	for _, a := range listAlerts(t, f.config) {
		u, err := url.Parse(a.DocumentURL)
		if err != nil {
			t.Fatal(err)
		}
		got[u.Path] = append(got[u.Path], a.AdvertiserID)
		if !a.Delivered["slack"] {
			t.Errorf("alert %d (%s) not delivered to Slack", a.ID, a.DocumentURL)
		}
		if n := f.slack.count(a.DocumentURL); n != 1 {
			t.Errorf("Slack got %d messages for %s, want exactly 1", n, a.DocumentURL)
		}
	}
	for p, id := range want {
		if g := got[p]; len(g) != 1 || g[0] != id {
			t.Errorf("%s: got alerts for %v, want exactly one for %s", p, g, id)
		}
	}
	if len(got) != len(want) {
		t.Errorf("alerted documents: got %d, want %d", len(got), len(want))
	}
}

func TestThreeRunsCrawlEachPageOnceAndAlertOnce(t *testing.T) {
	t.Parallel()
	f := newScaleFixture(t, scaleSettings{feeds: 4, docs: 12, delay: 100 * time.Millisecond,
		parallelism: 2, concurrency: 2, jobTimeout: 30 * time.Second, rescueAfter: 31 * time.Second})
	var ps []*proc
	for i := 0; i < 3; i++ {
		ps = append(ps, f.start(t, nil, "run"))
	}
	for i, p := range ps {
		if code := p.wait(t, 60*time.Second); code != 0 {
			t.Fatalf("run #%d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, code, &p.stdout, tail(p.stderr.String(), 4000))
		}
		// Each run reports every source, whichever process crawled it.
		out := p.stdout.String()
		for _, src := range f.site.Sources() {
			if !strings.Contains(out, src.Name) {
				t.Errorf("run #%d summary lacks %s:\n%s", i+1, src.Name, out)
			}
		}
		if !strings.Contains(out, "4 sources, ") || strings.Contains(out, "FAILED") {
			t.Errorf("run #%d summary: want 4 sources, none failed:\n%s", i+1, out)
		}
	}
	reqs := f.site.Requests()
	for _, p := range f.site.DocumentPaths() {
		if n := reqs[p]; n != 1 {
			t.Errorf("%s downloaded %d times, want 1", p, n)
		}
	}
	f.checkOnceEach(t)
}

// TestKilledRunIsResumedByAnother kills one of three runs in the middle of
// its crawl: River's rescuer hands the crawl to a survivor, which fetches
// only what was not stored, and the survivors still report every source.
func TestKilledRunIsResumedByAnother(t *testing.T) {
	t.Parallel()
	f := newScaleFixture(t, scaleSettings{feeds: 3, docs: 15, delay: 150 * time.Millisecond,
		parallelism: 1, concurrency: 1, jobTimeout: 4 * time.Second, rescueAfter: 5 * time.Second})
	var ps []*proc
	for i := 0; i < 3; i++ {
		ps = append(ps, f.start(t, nil, "run"))
	}
	db := f.db(t)
	var victim *proc
	deadline := time.Now().Add(30 * time.Second)
	for victim == nil {
		if time.Now().After(deadline) {
			t.Fatal("no crawl job was seen running")
		}
		time.Sleep(100 * time.Millisecond)
		if docsRequested(f) < 3 {
			continue
		}
		var by string
		err := db.QueryRow(`SELECT attempted_by[array_length(attempted_by, 1)] FROM river_job
			WHERE kind = 'crawl_source' AND state = 'running' ORDER BY id LIMIT 1`).Scan(&by)
		if err != nil {
			continue
		}
		for _, p := range ps {
			if strings.Contains(by, fmt.Sprintf("-%d-", p.cmd.Process.Pid)) {
				victim = p
			}
		}
	}
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.done
	for i, p := range ps {
		if p == victim {
			continue
		}
		if code := p.wait(t, 75*time.Second); code != 0 {
			t.Fatalf("survivor #%d: exit %d\nstdout:\n%s\nstderr:\n%s", i+1, code, &p.stdout, tail(p.stderr.String(), 4000))
		}
		if out := p.stdout.String(); !strings.Contains(out, "3 sources, ") || strings.Contains(out, "FAILED") {
			t.Errorf("survivor #%d summary: want 3 sources, none failed:\n%s", i+1, out)
		}
	}
	var rescued int
	if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'crawl_source' AND attempt > 1 AND state = 'completed'`).Scan(&rescued); err != nil {
		t.Fatal(err)
	}
	if rescued == 0 {
		t.Errorf("no crawl job completed on a later attempt: the killed crawl was not resumed")
	}
	f.checkOnceEach(t)
}

func docsRequested(f *scaleFixture) int {
	n := 0
	for p, c := range f.site.Requests() {
		if strings.Contains(p, "/notices/") {
			n += c
		}
	}
	return n
}

// TestTwoServesEnqueueEachTickOnce runs two serve processes with a 2-second
// schedule: only the leader enqueues, so each source gets one crawl job per
// tick, and both stop cleanly on SIGTERM.
func TestTwoServesEnqueueEachTickOnce(t *testing.T) {
	t.Parallel()
	f := newScaleFixture(t, scaleSettings{feeds: 2, docs: 3, delay: 0, parallelism: 2, concurrency: 2,
		jobTimeout: 30 * time.Second, rescueAfter: 31 * time.Second, schedule: "@every 2s", webAuthOff: true})
	var ps []*proc
	var addrs []string
	for i := 0; i < 2; i++ {
		addr := freeAddr(t)
		addrs = append(addrs, addr)
		ps = append(ps, f.start(t, []string{"ADWATCH_LISTEN=" + addr}, "serve"))
	}
	db := f.db(t)
	// Wait for three ticks of crawls to finish.
	deadline := time.Now().Add(40 * time.Second)
	for {
		var done int
		db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = 'crawl_source' AND state = 'completed'`).Scan(&done)
		if done >= 3*len(f.site.Sources()) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("got %d completed crawls within 40s, want %d\nstderr:\n%s", done, 3*len(f.site.Sources()), tail(ps[0].stderr.String(), 3000))
		}
		time.Sleep(200 * time.Millisecond)
	}
	metrics := httpGet(t, "http://"+addrs[0]+"/metrics") + httpGet(t, "http://"+addrs[1]+"/metrics")
	for _, name := range []string{"adwatch_queue_jobs{queue=\"crawl\",state=\"available\"}", "adwatch_source_consecutive_failures{source=\"notices-0\"} 0",
		"adwatch_documents_fetched_total{source=\"notices-1\"}", "adwatch_alerts_raised_total{source=",
		"adwatch_deliveries_total{channel=\"slack\",outcome=\"delivered\"}", "adwatch_extract_seconds_count", "adwatch_job_wait_seconds_bucket{queue=\"crawl\""} {
		if !strings.Contains(metrics, name) {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	for i, p := range ps {
		if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := p.wait(t, 30*time.Second); code != 0 {
			t.Errorf("serve #%d after SIGTERM: exit %d\n%s", i+1, code, tail(p.stderr.String(), 3000))
		}
	}
	rows, err := db.Query(`SELECT args->>'source', created_at FROM river_job WHERE kind = 'crawl_source' ORDER BY 1, 2`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	ticks := map[string][]time.Time{}
	for rows.Next() {
		var src string
		var at time.Time
		if err := rows.Scan(&src, &at); err != nil {
			t.Fatal(err)
		}
		ticks[src] = append(ticks[src], at)
	}
	for src, ts := range ticks {
		sort.Slice(ts, func(i, j int) bool { return ts[i].Before(ts[j]) })
		for i := 1; i < len(ts); i++ {
			if gap := ts[i].Sub(ts[i-1]); gap < time.Second {
				t.Errorf("%s: crawl jobs enqueued %v apart, want one per 2s tick (enqueued twice?)", src, gap)
			}
		}
	}
	if len(ticks) != len(f.site.Sources()) {
		t.Errorf("sources with scheduled crawls: got %d, want %d", len(ticks), len(f.site.Sources()))
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(t *testing.T, u string) string {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: status %d", u, resp.StatusCode)
	}
	return string(body)
}

// TestSignalledRunHandsBackAndExitsZero stops a run with SIGTERM in the
// middle of its crawls: it exits 0 and says the crawls were interrupted; the
// next run finishes them without fetching again what was stored.
func TestSignalledRunHandsBackAndExitsZero(t *testing.T) {
	t.Parallel()
	f := newScaleFixture(t, scaleSettings{feeds: 2, docs: 15, delay: 150 * time.Millisecond,
		parallelism: 1, concurrency: 2, jobTimeout: 30 * time.Second, rescueAfter: 31 * time.Second,
		shutdownGrace: time.Second})
	p := f.start(t, nil, "run")
	deadline := time.Now().Add(30 * time.Second)
	for docsRequested(f) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("no pages fetched within 30s\n%s", tail(p.stderr.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("run after SIGTERM: exit %d\nstdout:\n%s\nstderr:\n%s", code, &p.stdout, tail(p.stderr.String(), 3000))
	}
	if out := p.stdout.String(); !strings.Contains(out, "interrupted") {
		t.Errorf("summary after SIGTERM does not say interrupted:\n%s", out)
	}
	first := docsRequested(f)
	if first >= 30 {
		t.Fatalf("the first run fetched all %d pages before the signal took effect; nothing was interrupted", first)
	}
	stored := map[string]bool{}
	rows, err := f.db(t).Query(`SELECT url FROM documents`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		stored[u.Path] = true
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if len(stored) == 0 {
		t.Fatalf("the first run stored nothing before the signal (%d pages requested)", first)
	}
	before := f.site.Requests()
	q := f.start(t, nil, "run")
	if code := q.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("second run: exit %d\nstdout:\n%s\nstderr:\n%s", code, &q.stdout, tail(q.stderr.String(), 3000))
	}
	// What the first run stored is not fetched again; what it fetched and
	// did not store (in flight or not yet handed over at the signal) is.
	for p, n := range f.site.Requests() {
		if stored[p] && n > before[p] {
			t.Errorf("%s: stored by the interrupted run, fetched again by the next", p)
		}
	}
	f.checkOnceEach(t)
}

// TestWorkerServesMetricsAndStopsOnSIGTERM: a worker with --listen answers
// /healthz and /metrics, works queued crawls, and exits 0 on SIGTERM.
func TestWorkerServesMetricsAndStopsOnSIGTERM(t *testing.T) {
	t.Parallel()
	f := newScaleFixture(t, scaleSettings{feeds: 1, docs: 3, parallelism: 2, concurrency: 1,
		jobTimeout: 30 * time.Second, rescueAfter: 31 * time.Second})
	addr := freeAddr(t)
	w := f.start(t, nil, "worker", "--listen", addr)
	// A run that only enqueues would be the CronJob; here a run works too,
	// and the worker shares the crawl and the deliveries.
	r := f.start(t, nil, "run")
	if code := r.wait(t, 60*time.Second); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, tail(r.stderr.String(), 3000))
	}
	if got := httpGet(t, "http://"+addr+"/healthz"); !strings.Contains(got, "ok") {
		t.Errorf("/healthz: got %q, want ok", got)
	}
	if got := httpGet(t, "http://"+addr+"/metrics"); !strings.Contains(got, "adwatch_queue_jobs{queue=\"crawl\"") {
		t.Errorf("/metrics lacks the queue depth:\n%s", tail(got, 2000))
	}
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := w.wait(t, 30*time.Second); code != 0 {
		t.Errorf("worker after SIGTERM: exit %d\n%s", code, tail(w.stderr.String(), 3000))
	}
	f.checkOnceEach(t)
}
