package alerts_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
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

// memDigests is an in-memory DigestSource: alerts waiting per channel.
type memDigests struct {
	mu      sync.Mutex
	waiting map[string][]adwatch.Alert
	sent    map[string][][]int64 // channel → ids per digest message
}

func (m *memDigests) SendDigest(ctx context.Context, channel, period string, limit int, send func(context.Context, []adwatch.Alert) error) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock() // like the store's row locks: one digest at a time
	batch := m.waiting[channel]
	if len(batch) > limit {
		batch = batch[:limit]
	}
	if len(batch) == 0 {
		return 0, nil
	}
	if err := send(ctx, batch); err != nil {
		return 0, err
	}
	ids := make([]int64, len(batch))
	for i, a := range batch {
		ids[i] = a.ID
	}
	m.sent[channel] = append(m.sent[channel], ids)
	m.waiting[channel] = m.waiting[channel][len(batch):]
	return len(batch), nil
}

func digestAlerts(n int) []adwatch.Alert {
	out := make([]adwatch.Alert, n)
	for i := range out {
		a := alerttest.FCC()
		if i%2 == 0 {
			a = alerttest.DHS()
		}
		a.ID = int64(100 + i)
		a.DocumentURL = fmt.Sprintf("%s?copy=%d", a.DocumentURL, i)
		out[i] = a
	}
	return out
}

func TestDigestWorkerSendsOnceThroughFailures(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	srv := alerttest.NewSlack(t, alerttest.Reply{Status: 500}, alerttest.Reply{Status: 429, RetryAfter: "1"})
	src := &memDigests{waiting: map[string][]adwatch.Alert{"slack": digestAlerts(5)}, sent: map[string][][]int64{}}
	w := alerts.NewDigestWorker(src, []alerts.Notifier{slack.New(srv.URL, srv.Client(), alerts.Links{BaseURL: "http://127.0.0.1:8080"})},
		slog.New(slog.DiscardHandler))
	w.RetryBase, w.RetryMax, w.Limit = 10*time.Millisecond, 50*time.Millisecond, 3
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	c := startWorkers(t, db, workers)

	ctx := context.Background()
	args := alerts.DigestArgs{Channel: "slack", Period: "2024-03-02T07:00:00Z"}
	for range 2 { // a second leader enqueuing the same tick
		if _, err := c.Insert(ctx, args, nil); err != nil {
			t.Fatal(err)
		}
	}
	waitKind(t, db, "alert_digest")

	if got := src.sent["slack"]; len(got) != 2 || len(got[0]) != 3 || len(got[1]) != 2 {
		t.Errorf("digest messages: got %v, want 3 then 2 alerts", got)
	}
	acc := srv.Accepted()
	if len(acc) != 2 {
		t.Fatalf("Slack accepted %d messages, want 2", len(acc))
	}
	if p := srv.Problems(); len(p) > 0 {
		t.Errorf("payload problems: %v", p)
	}
	body, _ := json.Marshal(acc[0])
	for _, want := range []string{"adwatch digest: 3 alerts for 2 advertisers", "AO Kaspersky Lab", "Huawei Technologies Co., Ltd.",
		"dhs-statement-issuance-binding-operational-directive-17-01?copy=0"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("first digest lacks %q", want)
		}
	}
}

func TestSlackDigestStaysWithinLimits(t *testing.T) {
	t.Parallel()
	var as []adwatch.Alert
	for i := range 70 { // 70 advertisers, some with long titles and many alerts
		for j := range 1 + i%4 {
			a := alerttest.FCC()
			a.ID = int64(i*10 + j)
			a.AdvertiserID = fmt.Sprintf("a-%d", i)
			a.Advertiser = fmt.Sprintf("Advertiser <%d> & Sons", i)
			a.Title = strings.Repeat("Covered List & equipment <update> ", 20)
			as = append(as, a)
		}
	}
	d := alerts.NewDigest("slack", "2024-03-02T07:00:00Z", as)
	msg := slack.BuildDigest(d, alerts.Links{BaseURL: "http://127.0.0.1:8080"})
	body, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if p := alerttest.ValidateSlack("application/json", body); p != "" {
		t.Errorf("digest payload: %s", p)
	}
	if last := msg.Blocks[len(msg.Blocks)-1]; last.Text == nil || !strings.HasPrefix(last.Text.Text, "*Also:* Advertiser &lt;") {
		t.Errorf("advertisers beyond the block limit are not named in a closing section")
	}
}

func TestNewDigestGroupsByAdvertiser(t *testing.T) {
	t.Parallel()
	d := alerts.NewDigest("email", "p", digestAlerts(5))
	if got, want := d.Title(), "adwatch digest: 5 alerts for 2 advertisers"; got != want {
		t.Errorf("Title = %q, want %q", got, want)
	}
	if len(d.Groups) != 2 || d.Groups[0].Advertiser != "AO Kaspersky Lab" || len(d.Groups[0].Alerts) != 3 || len(d.Groups[1].Alerts) != 2 {
		t.Fatalf("groups: %+v", d.Groups)
	}
	if a := d.Groups[0].Alerts; a[0].ID < a[1].ID {
		t.Errorf("alerts within a group: got ids %d, %d, want newest first", a[0].ID, a[1].ID)
	}
}

func startWorkers(t *testing.T, db *sql.DB, workers *river.Workers) *river.Client[*sql.Tx] {
	t.Helper()
	c, err := river.NewClient(riverdatabasesql.New(db), &river.Config{
		PollOnly: true, FetchPollInterval: 20 * time.Millisecond, FetchCooldown: 5 * time.Millisecond,
		Queues:  map[string]river.QueueConfig{alerts.Queue: {MaxWorkers: 2}},
		Workers: workers, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = c.Stop(ctx)
	})
	return c
}

// waitKind waits until no job of kind is left to work, at most 30 s.
func waitKind(t *testing.T, db *sql.DB, kind string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var busy int
		if err := db.QueryRow(`SELECT count(*) FROM river_job WHERE kind = $1
			AND state NOT IN ('completed', 'cancelled', 'discarded')`, kind).Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if busy == 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s jobs still busy after 30 s", kind)
}
