package store

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// SendDigest sends, through send, up to limit alerts waiting for channel's
// digest (delivery status "digest"), oldest first, and when send succeeds
// marks their deliveries delivered and records the digest, in the same
// transaction. The waiting rows stay locked (FOR UPDATE SKIP LOCKED) while
// send runs, so a second digest running at the same time cannot take the
// same alerts; if send fails or the process dies, the transaction rolls
// back and the alerts wait for the next attempt. Alerts dismissed while
// they waited are not sent (their delivery becomes "skipped"). It returns
// how many alerts were sent.
func (db *DB) SendDigest(ctx context.Context, channel, period string, limit int, send func(context.Context, []adwatch.Alert) error) (int, error) {
	if limit <= 0 {
		limit = 100
	}
	sent := 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			UPDATE alert_deliveries ad SET status = 'skipped', updated_at = now()
			FROM alerts al WHERE al.id = ad.alert_id AND ad.channel = $1 AND ad.status = 'digest'
				AND al.status = 'dismissed'`, channel); err != nil {
			return fmt.Errorf("skip dismissed: %w", err)
		}
		var ids []int64
		if err := tx.SelectContext(ctx, &ids, `
			SELECT alert_id FROM alert_deliveries WHERE channel = $1 AND status = 'digest'
			ORDER BY alert_id LIMIT $2 FOR UPDATE SKIP LOCKED`, channel, limit); err != nil {
			return fmt.Errorf("waiting alerts: %w", err)
		}
		if len(ids) == 0 {
			return nil
		}
		as, err := loadAlerts(ctx, tx, alertFilter{ids: ids})
		if err != nil {
			return err
		}
		// Oldest first reads best in a summary.
		for i, j := 0, len(as)-1; i < j; i, j = i+1, j-1 {
			as[i], as[j] = as[j], as[i]
		}
		if err := send(ctx, as); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO digests (channel, period, alert_ids) VALUES ($1, $2, $3)`,
			channel, clean(period), pq.Array(ids)); err != nil {
			return fmt.Errorf("record digest: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE alert_deliveries SET status = 'delivered', attempts = attempts + 1, last_error = '',
				delivered_at = now(), updated_at = now()
			WHERE channel = $1 AND alert_id = ANY($2)`, channel, pq.Array(ids)); err != nil {
			return fmt.Errorf("mark digest delivered: %w", err)
		}
		sent = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("digest %s for %s: %w", period, channel, err)
	}
	return sent, nil
}

// DigestRecord is one digest that was sent.
type DigestRecord struct {
	ID       int64   `db:"id" json:"id"`
	Channel  string  `db:"channel" json:"channel"`
	Period   string  `db:"period" json:"period"`
	AlertIDs []int64 `db:"-" json:"alert_ids"`
}

// Digests lists the digests sent on channel ("" for all), newest first.
func (db *DB) Digests(ctx context.Context, channel string, limit int) ([]DigestRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.db.QueryContext(ctx, `SELECT id, channel, period, alert_ids FROM digests
		WHERE $1 = '' OR channel = $1 ORDER BY id DESC LIMIT $2`, channel, limit)
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	defer rows.Close()
	var out []DigestRecord
	for rows.Next() {
		var d DigestRecord
		var ids pq.Int64Array
		if err := rows.Scan(&d.ID, &d.Channel, &d.Period, &ids); err != nil {
			return nil, fmt.Errorf("list digests: %w", err)
		}
		d.AlertIDs = ids
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	return out, nil
}
