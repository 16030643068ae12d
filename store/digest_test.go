package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"sync"
	"testing"

	"adwatch"
	"adwatch/store"
)

// pressToDigest routes press to the digest on slack, nothing to email for
// scores under 0.95, everything else at once.
func pressToDigest(a adwatch.Alert, channel string) string {
	switch {
	case channel == "slack" && a.Kind == adwatch.KindPress:
		return adwatch.DeliveryDigest
	case channel == "email" && a.Score < 0.95:
		return adwatch.DeliverySkipped
	}
	return adwatch.DeliveryPending
}

func TestRoutingDecidesEachDeliveryInTheSavingTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	db.SetRouter(pressToDigest)
	var hooked []adwatch.Alert
	_, err := db.SaveDocuments(ctx, fixtures(), []string{"slack", "email"}, func(ctx context.Context, tx *sql.Tx, as []adwatch.Alert) error {
		hooked = as
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	as, err := db.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 5 || len(hooked) != 5 {
		t.Fatalf("got %d alerts (hook saw %d), want 5", len(as), len(hooked))
	}
	for _, a := range append(as, hooked...) {
		for _, ch := range []string{"slack", "email"} {
			if got, want := a.Deliveries[ch].Status, pressToDigest(a, ch); got != want {
				t.Errorf("alert %d (%s, %s, %.2f) on %s: %q, want %q", a.ID, a.AdvertiserID, a.Kind, a.Score, ch, got, want)
			}
		}
	}
	// Waiting for a digest or skipped is not "undelivered".
	und, err := db.UndeliveredAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if und["slack"] != 4 || und["email"] != 4 {
		t.Errorf("undelivered: got %v, want slack 4 (government), email 4 (score ≥ 0.95)", und)
	}
}

func TestSendDigestSendsWaitingAlertsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	db.SetRouter(func(a adwatch.Alert, ch string) string { return adwatch.DeliveryDigest })
	seed(t, db)
	as, err := db.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	// Dismissed while waiting: not sent, skipped.
	if err := db.DecideAlert(ctx, as[0].ID, adwatch.AlertDismissed, "not the company", "test"); err != nil {
		t.Fatal(err)
	}

	// A failing send leaves everything waiting.
	boom := errors.New("slack down")
	if _, err := db.SendDigest(ctx, "slack", "2024-03-02T07:00:00Z", 100, func(context.Context, []adwatch.Alert) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("failing send: got %v, want it back", err)
	}

	// Two digests at once (two processes): each alert goes out once.
	var mu sync.Mutex
	var sent []int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := db.SendDigest(ctx, "slack", "2024-03-02T07:00:00Z", 2, func(_ context.Context, batch []adwatch.Alert) error {
					mu.Lock()
					defer mu.Unlock()
					for _, a := range batch {
						sent = append(sent, a.ID)
					}
					return nil
				})
				if err != nil {
					t.Error(err)
					return
				}
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	slices.Sort(sent)
	if len(sent) != 4 || len(slices.Compact(slices.Clone(sent))) != 4 {
		t.Errorf("sent %v, want the 4 alerts not dismissed, once each", sent)
	}
	if slices.Contains(sent, as[0].ID) {
		t.Errorf("dismissed alert %d was sent", as[0].ID)
	}
	after, err := db.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range after {
		want := adwatch.DeliveryDelivered
		if a.ID == as[0].ID {
			want = adwatch.DeliverySkipped
		}
		if got := a.Deliveries["slack"].Status; got != want {
			t.Errorf("alert %d on slack: %q, want %q", a.ID, got, want)
		}
		if got := a.Deliveries["email"].Status; got != adwatch.DeliveryDigest {
			t.Errorf("alert %d on email: %q, want still waiting", a.ID, got)
		}
	}
	ds, err := db.Digests(ctx, "slack", 10)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, d := range ds {
		total += len(d.AlertIDs)
	}
	if total != 4 {
		t.Errorf("recorded digests hold %d alerts, want 4", total)
	}
}

func TestRetryDeliveriesRequeuesFailedOnes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	as, err := db.Alerts(ctx, store.AlertFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := as[0].ID
	if err := db.MarkDelivery(ctx, id, "slack", adwatch.DeliveryFailed, "slack webhook: status 404"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDelivery(ctx, id, "email", adwatch.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	var hooked []adwatch.Alert
	chans, err := db.RetryDeliveries(ctx, id, "", func(ctx context.Context, tx *sql.Tx, as []adwatch.Alert) error {
		hooked = as
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(chans, []string{"slack"}) || len(hooked) != 1 || hooked[0].Deliveries["slack"].Status != adwatch.DeliveryPending {
		t.Errorf("retry: channels %v, hook saw %+v; want slack back to pending", chans, hooked)
	}
	// A hook error rolls the change back.
	if err := db.MarkDelivery(ctx, id, "slack", adwatch.DeliveryFailed, "again"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("queue down")
	if _, err := db.RetryDeliveries(ctx, id, "slack", func(context.Context, *sql.Tx, []adwatch.Alert) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("hook error: got %v", err)
	}
	a, err := db.Alert(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.Deliveries["slack"].Status; got != adwatch.DeliveryFailed {
		t.Errorf("after a failed retry: slack %q, want failed", got)
	}
	if _, err := db.RetryDeliveries(ctx, 999999, "", nil); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown alert: got %v, want ErrNotFound", err)
	}
}
