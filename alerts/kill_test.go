package alerts_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
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

// The kill tests run this test binary again as a child process that does
// part of a delivery and is then killed with SIGKILL, as a crashed or
// killed `adwatch run` would be.
const (
	childMode  = "ADWATCH_ALERTS_CHILD_MODE" // enqueue | work
	childDSN   = "ADWATCH_ALERTS_CHILD_DSN"
	childSlack = "ADWATCH_ALERTS_CHILD_SLACK"
)

func killAlerts() []adwatch.Alert {
	var as []adwatch.Alert
	for i := int64(1); i <= 3; i++ {
		a := alerttest.DHS()
		a.ID = i
		as = append(as, a)
	}
	return as
}

// TestChildProcess is not a test: it is the child the kill tests start.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(childMode)
	if mode == "" {
		t.Skip("child process of the kill tests; runs only when they start it")
	}
	db, err := sql.Open("postgres", os.Getenv(childDSN))
	if err != nil {
		t.Fatal(err)
	}
	switch mode {
	case "enqueue":
		c, err := river.NewClient(riverdatabasesql.New(db), &river.Config{})
		if err != nil {
			t.Fatal(err)
		}
		enqueue(t, db, c, killAlerts(), slack.Channel)
	case "work":
		n := slack.New(os.Getenv(childSlack), nil, alerts.Links{})
		startClient(t, db, newWorker(newMemSource(killAlerts()...), n))
	}
	os.Stdout.WriteString("ready\n")
	select {} // until killed
}

// runChild starts the child in mode and waits until it says it is ready.
func runChild(t *testing.T, mode, dsn, slackURL string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.v=false")
	cmd.Env = append(os.Environ(), childMode+"="+mode, childDSN+"="+dsn, childSlack+"="+slackURL)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if sc.Text() == "ready" {
				ready <- true
				return
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatal("child exited before it was ready")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("child not ready after 30s")
	}
	return cmd
}

func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup runs
		t.Fatal(err)
	}
	_ = cmd.Wait()
}

func TestKilledAfterCommitDeliversOnce(t *testing.T) {
	t.Parallel()
	dsn := testdb.DSN(t)
	db := openDB(t, dsn)
	srv := alerttest.NewSlack(t)
	kill(t, runChild(t, "enqueue", dsn, ""))

	src := newMemSource(killAlerts()...)
	startClient(t, db, newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{})))
	if got := waitJobs(t, db); got["completed"] != 3 {
		t.Fatalf("job states = %v, want 3 completed", got)
	}
	assertOncePerAlert(t, srv, 3)
}

func TestKilledMidDeliveryIsRescued(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for River's leader lease and rescuer (about 20s)")
	}
	t.Parallel()
	dsn := testdb.DSN(t)
	db := openDB(t, dsn)
	srv := alerttest.NewSlack(t, alerttest.Reply{Hold: true})
	c, err := river.NewClient(riverdatabasesql.New(db), &river.Config{})
	if err != nil {
		t.Fatal(err)
	}
	enqueue(t, db, c, killAlerts()[:1], slack.Channel)
	child := runChild(t, "work", dsn, srv.URL)
	select {
	case <-srv.Held: // the child is sending
	case <-time.After(30 * time.Second):
		t.Fatal("child did not send within 30s")
	}
	kill(t, child)

	src := newMemSource(killAlerts()...)
	w := newWorker(src, slack.New(srv.URL, srv.Client(), alerts.Links{}))
	w.JobTimeout = time.Second
	startClientConfig(t, db, w, river.Config{JobTimeout: time.Second, RescueStuckJobsAfter: 2 * time.Second})
	if got := waitJobsFor(t, db, 90*time.Second); got["completed"] != 1 {
		t.Fatalf("job states = %v, want 1 completed", got)
	}
	assertOncePerAlert(t, srv, 1)
	if got := src.status(1, slack.Channel); got != adwatch.DeliveryDelivered {
		t.Errorf("delivery status = %q, want delivered", got)
	}
}

func openDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.PingContext(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func assertOncePerAlert(t *testing.T, srv *alerttest.Slack, want int) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range srv.Accepted() {
		raw, _ := json.Marshal(m)
		if id := reAlertID.FindStringSubmatch(string(raw)); id != nil {
			seen[id[1]]++
		}
	}
	if len(seen) != want {
		t.Errorf("Slack got %d distinct alerts, want %d", len(seen), want)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("alert %s delivered %d times, want 1", id, n)
		}
	}
}
