package alerts_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"

	"adwatch"
	"adwatch/alerts"
	"adwatch/alerts/internal/alerttest"
	"adwatch/alerts/slack"
	"adwatch/internal/testdb"
)

// memSource is an in-memory AlertSource that remembers every mark.
type memSource struct {
	mu     sync.Mutex
	alerts map[int64]adwatch.Alert
	marks  []string // "id/channel/status"
	errs   []string // lastErr of every mark
}

func newMemSource(as ...adwatch.Alert) *memSource {
	m := &memSource{alerts: map[int64]adwatch.Alert{}}
	for _, a := range as {
		m.alerts[a.ID] = a
	}
	return m
}

func (m *memSource) Alert(_ context.Context, id int64) (adwatch.Alert, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.alerts[id]
	if !ok {
		return adwatch.Alert{}, fmt.Errorf("alert %d: %w", id, adwatch.ErrNotFound)
	}
	d := make(map[string]adwatch.Delivery, len(a.Deliveries))
	for k, v := range a.Deliveries {
		d[k] = v
	}
	a.Deliveries = d
	return a, nil
}

func (m *memSource) MarkDelivery(_ context.Context, id int64, channel, status, lastErr string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	a, ok := m.alerts[id]
	if !ok {
		return fmt.Errorf("alert %d: %w", id, adwatch.ErrNotFound)
	}
	if a.Deliveries == nil {
		a.Deliveries = map[string]adwatch.Delivery{}
	}
	d := a.Deliveries[channel]
	d.Channel, d.Status, d.LastError = channel, status, lastErr
	d.Attempts++
	a.Deliveries[channel] = d
	m.alerts[id] = a
	m.marks = append(m.marks, fmt.Sprintf("%d/%s/%s", id, channel, status))
	m.errs = append(m.errs, lastErr)
	return nil
}

func (m *memSource) status(id int64, channel string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.alerts[id].Deliveries[channel].Status
}

func (m *memSource) history() ([]string, []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.marks...), append([]string(nil), m.errs...)
}

// newWorker returns a delivery worker with millisecond backoff for tests.
func newWorker(src alerts.AlertSource, ns ...alerts.Notifier) *alerts.DeliverWorker {
	w := alerts.NewDeliverWorker(src, ns, slog.New(slog.DiscardHandler))
	w.RetryBase, w.RetryMax = 10*time.Millisecond, 50*time.Millisecond
	return w
}

// startClient starts a poll-only River client working the alerts queue.
func startClient(t *testing.T, db *sql.DB, w *alerts.DeliverWorker) *river.Client[*sql.Tx] {
	t.Helper()
	return startClientConfig(t, db, w, river.Config{})
}

func startClientConfig(t *testing.T, db *sql.DB, w *alerts.DeliverWorker, cfg river.Config) *river.Client[*sql.Tx] {
	t.Helper()
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	cfg.PollOnly = true
	cfg.FetchPollInterval = 20 * time.Millisecond
	cfg.FetchCooldown = 5 * time.Millisecond
	cfg.Queues = map[string]river.QueueConfig{alerts.Queue: {MaxWorkers: 2}}
	cfg.Workers = workers
	cfg.Logger = slog.New(slog.DiscardHandler)
	c, err := river.NewClient(riverdatabasesql.New(db), &cfg)
	if err != nil {
		t.Fatalf("river.NewClient: %v", err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatalf("river start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

func enqueue(t *testing.T, db *sql.DB, c *river.Client[*sql.Tx], as []adwatch.Alert, channels ...string) {
	t.Helper()
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := alerts.EnqueueTx(ctx, c, tx, as, channels); err != nil {
		t.Fatalf("EnqueueTx: %v", err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// waitJobs waits until no delivery job is left to work (or 30s pass) and
// returns the jobs' states by count.
func waitJobs(t *testing.T, db *sql.DB) map[string]int {
	t.Helper()
	return waitJobsFor(t, db, 30*time.Second)
}

func waitJobsFor(t *testing.T, db *sql.DB, limit time.Duration) map[string]int {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		states := map[string]int{}
		rows, err := db.Query(`SELECT state, count(*) FROM river_job WHERE kind = 'deliver_alert' GROUP BY state`)
		if err != nil {
			t.Fatal(err)
		}
		busy := 0
		for rows.Next() {
			var s string
			var n int
			if err := rows.Scan(&s, &n); err != nil {
				t.Fatal(err)
			}
			states[s] = n
			if s != "completed" && s != "cancelled" && s != "discarded" {
				busy += n
			}
		}
		rows.Close()
		if busy == 0 || time.Now().After(deadline) {
			return states
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDeliverRetriesThroughOutageExactlyOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t,
		alerttest.Reply{Status: 500, Body: "internal_error"},
		alerttest.Reply{Status: 500},
		alerttest.Reply{Status: 429, RetryAfter: "1"},
	)
	a := alerttest.DHS()
	src := newMemSource(a)
	c := startClient(t, db, newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{})))
	enqueue(t, db, c, []adwatch.Alert{a}, slack.Channel)

	if got, want := waitJobs(t, db), map[string]int{"completed": 1}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("job states = %v, want %v", got, want)
	}
	if got, want := len(srv.Accepted()), 1; got != want {
		t.Errorf("Slack accepted %d messages, want %d", got, want)
	}
	if got, want := srv.Requests(), 4; got != want {
		t.Errorf("Slack saw %d requests, want %d (500, 500, 429, 200)", got, want)
	}
	marks, errs := src.history()
	wantMarks := []string{"17/slack/pending", "17/slack/pending", "17/slack/pending", "17/slack/delivered"}
	if strings.Join(marks, " ") != strings.Join(wantMarks, " ") {
		t.Errorf("marks = %v, want %v", marks, wantMarks)
	}
	for _, e := range errs {
		if strings.Contains(e, "sEcReTtOkEn42") || strings.Contains(e, srv.URL) {
			t.Errorf("stored error %q reveals the webhook URL", e)
		}
	}
	if len(errs) == 4 && (!strings.Contains(errs[0], "status 500") || errs[3] != "") {
		t.Errorf("stored errors = %q, want a status 500 first and none once delivered", errs)
	}
}

func TestDeliverDoesNotResendDelivered(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t)
	a := alerttest.DHS()
	a.Deliveries = map[string]adwatch.Delivery{slack.Channel: {Channel: slack.Channel, Status: adwatch.DeliveryDelivered}}
	src := newMemSource(a)
	c := startClient(t, db, newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{})))
	// The job of a delivery that was sent and marked before its process
	// died: EnqueueTx would not enqueue it at all.
	if _, err := c.Insert(context.Background(), alerts.DeliverArgs{AlertID: a.ID, Channel: slack.Channel}, nil); err != nil {
		t.Fatal(err)
	}

	if got := waitJobs(t, db); got["completed"] != 1 {
		t.Fatalf("job states = %v, want one completed", got)
	}
	if got := srv.Requests(); got != 0 {
		t.Errorf("Slack saw %d requests for an alert already delivered, want 0", got)
	}
}

func TestEnqueueOnlyImmediateDeliveries(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	c := startClient(t, db, newWorker(newMemSource()))
	var as []adwatch.Alert
	for i, st := range []string{adwatch.DeliveryPending, adwatch.DeliveryFailed, adwatch.DeliveryDigest, adwatch.DeliverySkipped, adwatch.DeliveryDelivered, ""} {
		a := alerttest.FCC()
		a.ID = int64(500 + i)
		if st != "" {
			a.Deliveries = map[string]adwatch.Delivery{"slack": {Channel: "slack", Status: st}}
		}
		as = append(as, a)
	}
	if err := c.Stop(context.Background()); err != nil { // only count what is enqueued
		t.Fatal(err)
	}
	enqueue(t, db, c, as, "slack")
	var ids []int64
	rows, err := db.Query(`SELECT (args->>'alert_id')::bigint FROM river_job WHERE kind = 'deliver_alert' ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if got, want := fmt.Sprint(ids), "[500 501 505]"; got != want {
		t.Errorf("jobs for alerts %s, want %s (pending, failed, no delivery recorded)", got, want)
	}
}

func TestDeliverPermanentFailureStopsAndMarksFailed(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t, alerttest.Reply{Status: 404, Body: "no_service"})
	a := alerttest.FCC()
	src := newMemSource(a)
	c := startClient(t, db, newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{})))
	enqueue(t, db, c, []adwatch.Alert{a}, slack.Channel)

	if got := waitJobs(t, db); got["cancelled"] != 1 {
		t.Fatalf("job states = %v, want one cancelled", got)
	}
	if got, want := src.status(a.ID, slack.Channel), adwatch.DeliveryFailed; got != want {
		t.Errorf("delivery status = %q, want %q", got, want)
	}
	if got := srv.Requests(); got != 1 {
		t.Errorf("Slack saw %d requests, want 1: a 404 is not retried", got)
	}
}

func TestDeliverLastAttemptMarksFailed(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t, alerttest.Reply{Status: 500}, alerttest.Reply{Status: 502}, alerttest.Reply{Status: 503})
	a := alerttest.FCC()
	src := newMemSource(a)
	c := startClient(t, db, newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{})))
	if _, err := c.Insert(context.Background(), alerts.DeliverArgs{AlertID: a.ID, Channel: slack.Channel},
		&river.InsertOpts{MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	if got := waitJobs(t, db); got["discarded"] != 1 {
		t.Fatalf("job states = %v, want one discarded", got)
	}
	marks, _ := src.history()
	want := []string{"21/slack/pending", "21/slack/failed"}
	if strings.Join(marks, " ") != strings.Join(want, " ") {
		t.Errorf("marks = %v, want %v", marks, want)
	}
}

func TestDeliverConfiguredMaxAttemptsMarksFailed(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t, alerttest.Reply{Status: 500}, alerttest.Reply{Status: 502}, alerttest.Reply{Status: 503})
	a := alerttest.FCC()
	src := newMemSource(a)
	w := newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{}))
	w.MaxAttempts = 2 // the job itself allows alerts.MaxAttempts
	c := startClient(t, db, w)
	enqueue(t, db, c, []adwatch.Alert{a}, slack.Channel)
	if got := waitJobs(t, db); got["cancelled"] != 1 {
		t.Fatalf("job states = %v, want one cancelled", got)
	}
	marks, _ := src.history()
	want := []string{"21/slack/pending", "21/slack/failed"}
	if strings.Join(marks, " ") != strings.Join(want, " ") {
		t.Errorf("marks = %v, want %v", marks, want)
	}
	if got := srv.Requests(); got != 2 {
		t.Errorf("Slack saw %d requests, want 2", got)
	}
}

func TestEnqueueTxOneJobPerAlertAndChannel(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	c, err := river.NewClient(riverdatabasesql.New(db), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	as := []adwatch.Alert{alerttest.DHS(), alerttest.FCC()}
	enqueue(t, db, c, as, "slack", "email")
	enqueue(t, db, c, as, "slack", "email") // a second run finds them all

	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	third := alerttest.DHS()
	third.ID = 99
	if err := alerts.EnqueueTx(ctx, c, tx, []adwatch.Alert{third}, []string{"slack"}); err != nil {
		t.Fatal(err)
	}
	_ = tx.Rollback() // the alert was not stored, so neither is its job

	var got []string
	rows, err := db.Query(`SELECT args, queue FROM river_job WHERE kind = 'deliver_alert' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var args []byte
		var queue string
		if err := rows.Scan(&args, &queue); err != nil {
			t.Fatal(err)
		}
		var da alerts.DeliverArgs
		if err := json.Unmarshal(args, &da); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d/%s@%s", da.AlertID, da.Channel, queue))
	}
	want := []string{"17/slack@alerts", "17/email@alerts", "21/slack@alerts", "21/email@alerts"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("jobs = %v, want %v", got, want)
	}
}

var reAlertID = regexp.MustCompile(`alert #(\d+)`)

func TestTwoWorkersDeliverEachAlertOnce(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t, alerttest.Reply{Status: 500}, alerttest.Reply{Status: 503}, alerttest.Reply{Status: 500})
	var as []adwatch.Alert
	for i := int64(1); i <= 12; i++ {
		a := alerttest.FCC()
		a.ID = i
		as = append(as, a)
	}
	src := newMemSource(as...)
	n := slack.New(srv.URL, srv.Client(), alerts.Links{})
	c1 := startClient(t, db, newWorker(src, n))
	startClient(t, db, newWorker(src, n))
	enqueue(t, db, c1, as, slack.Channel)

	if got := waitJobs(t, db); got["completed"] != len(as) {
		t.Fatalf("job states = %v, want %d completed", got, len(as))
	}
	seen := map[string]int{}
	for _, m := range srv.Accepted() {
		raw, _ := json.Marshal(m)
		if id := reAlertID.FindStringSubmatch(string(raw)); id != nil {
			seen[id[1]]++
		}
	}
	if len(seen) != len(as) {
		t.Errorf("Slack got %d distinct alerts, want %d", len(seen), len(as))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("alert %s delivered %d times, want 1", id, n)
		}
	}
}

func TestBackoffGrowsToCap(t *testing.T) {
	t.Parallel()
	base, maxDelay := time.Second, 5*time.Minute
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 9: 256 * time.Second, 10: maxDelay, 25: maxDelay} {
		got := alerts.Backoff(base, maxDelay, attempt)
		if lo, hi := want*8/10, want*12/10; got < lo || got > hi {
			t.Errorf("Backoff(attempt %d) = %s, want %s ±20%%", attempt, got, want)
		}
	}
}

func TestDeliverBoundsRetryAfterSnoozes(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var script []alerttest.Reply
	for i := 0; i < 10; i++ {
		script = append(script, alerttest.Reply{Status: 429, RetryAfter: "0"})
	}
	srv := alerttest.NewSlack(t, script...)
	a := alerttest.FCC()
	src := newMemSource(a)
	w := newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{}))
	w.MaxSnoozes = 2
	c := startClient(t, db, w)
	if _, err := c.Insert(context.Background(), alerts.DeliverArgs{AlertID: a.ID, Channel: slack.Channel},
		&river.InsertOpts{MaxAttempts: 2}); err != nil {
		t.Fatal(err)
	}
	if got := waitJobs(t, db); got["discarded"] != 1 {
		t.Fatalf("job states = %v, want one discarded: a server answering 429 for ever must not keep the job alive", got)
	}
	// Two snoozes, then two attempts that count.
	if got, want := srv.Requests(), 4; got != want {
		t.Errorf("Slack saw %d requests, want %d", got, want)
	}
	if got := src.status(a.ID, slack.Channel); got != adwatch.DeliveryFailed {
		t.Errorf("delivery status = %q, want failed", got)
	}
}

func TestDeliverUnknownChannelOrAlert(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	a := alerttest.DHS()
	src := newMemSource(a)
	c := startClient(t, db, newWorker(src)) // no channels configured
	missing := alerttest.FCC()
	enqueue(t, db, c, []adwatch.Alert{a}, "slack")
	enqueue(t, db, c, []adwatch.Alert{missing}, "console") // alert not in the source either
	if got := waitJobs(t, db); got["cancelled"] != 2 {
		t.Fatalf("job states = %v, want two cancelled", got)
	}
	if got := src.status(a.ID, "slack"); got != adwatch.DeliveryFailed {
		t.Errorf("delivery on an unconfigured channel = %q, want failed (visible, retryable by hand)", got)
	}
}
