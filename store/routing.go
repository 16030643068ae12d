package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// Router decides what happens to a new alert on one channel:
// adwatch.DeliveryPending (send it now: a delivery job is enqueued),
// adwatch.DeliveryDigest (wait for the channel's next digest) or
// adwatch.DeliverySkipped (never send it there). Any other answer counts as
// pending: an alert is never lost to a routing mistake.
type Router func(a adwatch.Alert, channel string) string

// SetRouter makes r decide the deliveries of every alert saved from now on
// (documents and re-screens), inside the saving transaction. Without a
// router every delivery is pending.
func (db *DB) SetRouter(r Router) {
	if r == nil {
		db.route.Store(nil)
		return
	}
	db.route.Store(&r)
}

func (db *DB) router() Router {
	if r := db.route.Load(); r != nil {
		return *r
	}
	return nil
}

// routeStatus is r's decision, normalised.
func routeStatus(r Router, a adwatch.Alert, channel string) string {
	if r == nil {
		return adwatch.DeliveryPending
	}
	switch s := r(a, channel); s {
	case adwatch.DeliveryDigest, adwatch.DeliverySkipped:
		return s
	default:
		return adwatch.DeliveryPending
	}
}

// addDeliveries records one delivery per new alert and channel, with the
// status the router decides, and fills the alerts' Deliveries to match, so
// the hook sees which deliveries to enqueue.
func addDeliveries(ctx context.Context, tx *sqlx.Tx, alerts []adwatch.Alert, channels []string, r Router) error {
	if len(alerts) == 0 || len(channels) == 0 {
		return nil
	}
	n := len(alerts) * len(channels)
	ids, chans, statuses := make([]int64, 0, n), make([]string, 0, n), make([]string, 0, n)
	for i := range alerts {
		a := &alerts[i]
		if a.Deliveries == nil {
			a.Deliveries = map[string]adwatch.Delivery{}
		}
		if a.Delivered == nil {
			a.Delivered = map[string]bool{}
		}
		for _, ch := range channels {
			st := routeStatus(r, *a, ch)
			ids, chans, statuses = append(ids, a.ID), append(chans, ch), append(statuses, st)
			a.Deliveries[ch] = adwatch.Delivery{Channel: ch, Status: st}
			a.Delivered[ch] = false
		}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO alert_deliveries (alert_id, channel, status)
		SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])
		ON CONFLICT DO NOTHING`, pq.Array(ids), pq.Array(chans), pq.Array(statuses))
	if err != nil {
		return fmt.Errorf("deliveries: %w", err)
	}
	return nil
}
