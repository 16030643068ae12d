package store_test

import (
	"context"
	"errors"
	"testing"

	"adwatch"
	"adwatch/store"
)

func TestAlertsFiltersAndPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	ids := seed(t, db)
	all, err := db.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 5 {
		t.Fatalf("alerts: got %d, want 5", len(all))
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID >= all[i-1].ID {
			t.Errorf("alerts not newest first: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	for _, tc := range []struct {
		name string
		f    store.AlertFilter
		want int
	}{
		{"by advertiser", store.AlertFilter{AdvertiserID: "a-21"}, 2},
		{"by document", store.AlertFilter{DocumentID: ids[2]}, 2},
		{"by source", store.AlertFilter{Source: "dhs-notices"}, 2},
		{"by status", store.AlertFilter{Status: adwatch.AlertNew}, 5},
		{"nothing confirmed", store.AlertFilter{Status: adwatch.AlertConfirmed}, 0},
		{"limited", store.AlertFilter{Limit: 2}, 2},
		{"before an id", store.AlertFilter{BeforeID: all[1].ID}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Alerts(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("got %d alerts, want %d", len(got), tc.want)
			}
		})
	}
	if _, err := db.Alerts(ctx, store.AlertFilter{Status: "bogus"}); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("bad status filter: got %v, want ErrInvalid", err)
	}
}

func TestDecideAlert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	alerts, err := db.Alerts(ctx, store.AlertFilter{AdvertiserID: "a-17"})
	if err != nil {
		t.Fatal(err)
	}
	id := alerts[0].ID
	if err := db.DecideAlert(ctx, id, adwatch.AlertConfirmed, "BOD 17-01 names the product line", "analyst@example.com"); err != nil {
		t.Fatal(err)
	}
	got, err := db.Alert(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != adwatch.AlertConfirmed {
		t.Errorf("status: got %q, want confirmed", got.Status)
	}
	if err := db.DecideAlert(ctx, id, adwatch.AlertDismissed, "changed my mind", "lead@example.com"); err != nil {
		t.Fatal(err)
	}
	confirmed, err := db.Alerts(ctx, store.AlertFilter{Status: adwatch.AlertDismissed})
	if err != nil {
		t.Fatal(err)
	}
	if len(confirmed) != 1 || confirmed[0].ID != id {
		t.Errorf("dismissed alerts: got %+v, want only %d", confirmed, id)
	}
	if err := db.DecideAlert(ctx, id, "deleted", "", ""); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("bad status: got %v, want ErrInvalid", err)
	}
	if err := db.DecideAlert(ctx, 999999, adwatch.AlertConfirmed, "", ""); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("missing alert: got %v, want ErrNotFound", err)
	}
	if _, err := db.Alert(ctx, 999999); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("Alert of missing id: got %v, want ErrNotFound", err)
	}
}

func TestMarkDelivery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	undelivered, err := db.UndeliveredAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if undelivered["slack"] != 5 || undelivered["email"] != 5 {
		t.Errorf("undelivered after seeding: got %v, want 5 per channel", undelivered)
	}
	alerts, err := db.Alerts(ctx, store.AlertFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	id := alerts[0].ID
	if err := db.MarkDelivery(ctx, id, "slack", adwatch.DeliveryPending, "503 from webhook"); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDelivery(ctx, id, "slack", adwatch.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkDelivery(ctx, id, "email", adwatch.DeliveryFailed, "550 mailbox unavailable"); err != nil {
		t.Fatal(err)
	}
	// A channel configured after the alert was raised.
	if err := db.MarkDelivery(ctx, id, "webhook", adwatch.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	a, err := db.Alert(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	slack := a.Deliveries["slack"]
	if slack.Status != adwatch.DeliveryDelivered || slack.Attempts != 2 || slack.DeliveredAt == nil || slack.LastError != "" {
		t.Errorf("slack delivery: got %+v, want delivered after 2 attempts", slack)
	}
	if e := a.Deliveries["email"]; e.Status != adwatch.DeliveryFailed || e.Attempts != 1 || e.LastError != "550 mailbox unavailable" || e.DeliveredAt != nil {
		t.Errorf("email delivery: got %+v", e)
	}
	if !a.Delivered["slack"] || a.Delivered["email"] || !a.Delivered["webhook"] {
		t.Errorf("delivered map: got %v", a.Delivered)
	}
	undelivered, err = db.UndeliveredAlerts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if undelivered["slack"] != 4 || undelivered["email"] != 5 || undelivered["webhook"] != 0 {
		t.Errorf("undelivered: got %v, want slack 4, email 5 (one failed), webhook 0", undelivered)
	}
	if err := db.MarkDelivery(ctx, id, "slack", "sent", ""); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("bad status: got %v, want ErrInvalid", err)
	}
	if err := db.MarkDelivery(ctx, 999999, "slack", adwatch.DeliveryDelivered, ""); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("missing alert: got %v, want ErrNotFound", err)
	}
}
