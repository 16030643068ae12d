package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"adwatch"
)

// AlertFilter selects alerts; zero fields do not filter. BeforeID pages:
// pass the last ID of the previous page.
type AlertFilter struct {
	Status       string
	AdvertiserID string // CSV id
	DocumentID   int64
	Source       string
	Limit        int // default 50, at most 1000
	BeforeID     int64
}

// alertFilter is AlertFilter plus what the store itself needs.
type alertFilter struct {
	AlertFilter
	ids []int64
}

// Alerts lists alerts newest first, with their deliveries per channel.
func (db *DB) Alerts(ctx context.Context, f AlertFilter) ([]adwatch.Alert, error) {
	switch f.Status {
	case "", adwatch.AlertNew, adwatch.AlertConfirmed, adwatch.AlertDismissed:
	default:
		return nil, fmt.Errorf("list alerts: unknown status %q: %w", f.Status, adwatch.ErrInvalid)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 1000)
	out, err := loadAlerts(ctx, db.db, alertFilter{AlertFilter: f})
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	return out, nil
}

// Alert returns one alert, or adwatch.ErrNotFound.
func (db *DB) Alert(ctx context.Context, id int64) (adwatch.Alert, error) {
	out, err := loadAlerts(ctx, db.db, alertFilter{ids: []int64{id}})
	if err != nil {
		return adwatch.Alert{}, fmt.Errorf("alert %d: %w", id, err)
	}
	if len(out) == 0 {
		return adwatch.Alert{}, fmt.Errorf("alert %d: %w", id, adwatch.ErrNotFound)
	}
	return out[0], nil
}

// DecideAlert records an analyst's decision (confirmed or dismissed) and who
// made it and why; the decision history is kept in alert_decisions.
func (db *DB) DecideAlert(ctx context.Context, id int64, status, reason, who string) error {
	if status != adwatch.AlertConfirmed && status != adwatch.AlertDismissed {
		return fmt.Errorf("decide alert %d: status %q is not confirmed or dismissed: %w", id, status, adwatch.ErrInvalid)
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE alerts SET status = $2 WHERE id = $1`, id, status)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return adwatch.ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO alert_decisions (alert_id, status, reason, who)
			VALUES ($1, $2, $3, $4)`, id, status, clean(reason), clean(who))
		return err
	})
	if err != nil {
		return fmt.Errorf("decide alert %d: %w", id, err)
	}
	return nil
}

// MarkDelivery records one delivery attempt of an alert on a channel.
func (db *DB) MarkDelivery(ctx context.Context, alertID int64, channel, status, lastErr string) error {
	switch status {
	case adwatch.DeliveryPending, adwatch.DeliveryDelivered, adwatch.DeliveryFailed:
	default:
		return fmt.Errorf("mark delivery of alert %d: unknown status %q: %w", alertID, status, adwatch.ErrInvalid)
	}
	if channel == "" {
		return fmt.Errorf("mark delivery of alert %d: empty channel: %w", alertID, adwatch.ErrInvalid)
	}
	// An upsert: a channel configured after the alert was raised still gets
	// its delivery recorded.
	_, err := db.db.ExecContext(ctx, `
		INSERT INTO alert_deliveries AS ad (alert_id, channel, status, attempts, last_error, delivered_at)
		VALUES ($1, $2, $3, 1, $4, CASE WHEN $3 = 'delivered' THEN now() END)
		ON CONFLICT (alert_id, channel) DO UPDATE SET
			status = EXCLUDED.status,
			attempts = ad.attempts + 1,
			last_error = EXCLUDED.last_error,
			delivered_at = CASE WHEN EXCLUDED.status = 'delivered' THEN coalesce(ad.delivered_at, now()) ELSE ad.delivered_at END,
			updated_at = now()`,
		alertID, clean(channel), status, clean(lastErr))
	if pq.As(err, pqerror.ForeignKeyViolation) != nil {
		return fmt.Errorf("mark delivery of alert %d: %w", alertID, adwatch.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("mark delivery of alert %d: %w", alertID, err)
	}
	return nil
}

// UndeliveredAlerts counts, per channel, deliveries still pending or failed.
func (db *DB) UndeliveredAlerts(ctx context.Context) (map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT channel, count(*) FROM alert_deliveries
		WHERE status IN ('pending', 'failed') GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("count undelivered alerts: %w", err)
	}
	defer rows.Close()
	out := make(map[string]int)
	for rows.Next() {
		var ch string
		var n int
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, fmt.Errorf("count undelivered alerts: %w", err)
		}
		out[ch] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count undelivered alerts: %w", err)
	}
	return out, nil
}

// loadAlerts reads alerts with everything a message or a page needs.
func loadAlerts(ctx context.Context, q sqlx.QueryerContext, f alertFilter) ([]adwatch.Alert, error) {
	ids := f.ids
	if ids == nil || f.AlertFilter != (AlertFilter{}) {
		var err error
		if ids, err = alertIDs(ctx, q, f); err != nil {
			return nil, err
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// adwatch_alerts (migration 00052) keeps its plan for the connection:
	// a delivery loads its alert, and planning the join each time cost
	// three times running it.
	rows, err := q.QueryContext(ctx, `SELECT * FROM adwatch_alerts($1)`, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("query alerts: %w", err)
	}
	defer rows.Close()
	var out []adwatch.Alert
	withStory := map[int64]int{} // alert ID → index into out, for alerts with documents of their story
	for rows.Next() {
		var a adwatch.Alert
		var kind string
		var published sql.NullTime
		var reasons pq.StringArray
		var deliveries []byte
		var hasStory bool
		if err := rows.Scan(&a.ID, &a.AdvertiserID, &a.Advertiser, &a.OwnerEmail, &a.DocumentID,
			&a.DocumentURL, &a.Title, &a.Source, &kind, &published, &a.Alias, &a.Score, &reasons,
			&a.Snippet, &a.Status, &a.Rescreen, &a.CreatedAt, &deliveries, &hasStory); err != nil {
			return nil, fmt.Errorf("scan alert: %w", err)
		}
		a.Kind = adwatch.Kind(kind)
		a.PublishedAt = timePtr(published)
		a.Reasons = nonNilStrings(reasons)
		if err := setDeliveries(&a, deliveries); err != nil {
			return nil, err
		}
		if hasStory {
			withStory[a.ID] = len(out)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("query alerts: %w", err)
	}
	if len(withStory) == 0 {
		return out, nil
	}
	if err := loadStories(ctx, q, out, withStory); err != nil {
		return nil, err
	}
	return out, nil
}

// alertIDs selects the ids of the alerts f's filters admit, newest first.
func alertIDs(ctx context.Context, q sqlx.QueryerContext, f alertFilter) ([]int64, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.ids != nil {
		where = append(where, "al.id = ANY("+arg(pq.Array(f.ids))+")")
	}
	if f.Status != "" {
		where = append(where, "al.status = "+arg(f.Status))
	}
	if f.AdvertiserID != "" {
		where = append(where, "al.advertiser_id = (SELECT id FROM advertisers WHERE ext_id = "+arg(clean(f.AdvertiserID))+")")
	}
	if f.DocumentID != 0 {
		where = append(where, "al.document_id = "+arg(f.DocumentID))
	}
	if f.Source != "" {
		where = append(where, "EXISTS (SELECT FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = al.document_id AND s.name = "+arg(clean(f.Source))+")")
	}
	if f.BeforeID != 0 {
		where = append(where, "al.id < "+arg(f.BeforeID))
	}
	query := `SELECT al.id FROM alerts al`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY al.id DESC"
	if f.Limit > 0 {
		query += " LIMIT " + arg(f.Limit)
	}
	var ids []int64
	if err := sqlx.SelectContext(ctx, q, &ids, query, args...); err != nil {
		return nil, fmt.Errorf("query alerts: %w", err)
	}
	return ids, nil
}

// setDeliveries fills an alert's deliveries from their JSON aggregate (NULL
// when there are none).
func setDeliveries(a *adwatch.Alert, deliveries []byte) error {
	a.Deliveries = map[string]adwatch.Delivery{}
	a.Delivered = map[string]bool{}
	if deliveries == nil {
		return nil
	}
	var ds []adwatch.Delivery
	if err := json.Unmarshal(deliveries, &ds); err != nil {
		return fmt.Errorf("alert %d: deliveries: %w", a.ID, err)
	}
	for _, d := range ds {
		a.Deliveries[d.Channel] = d
		a.Delivered[d.Channel] = d.Status == adwatch.DeliveryDelivered
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// RetryDeliveries puts alert id's failed (and stuck pending) deliveries
// back to pending, on channel or on every channel when channel is "", and
// runs hook with the alert in the same transaction, so the jobs that send
// them are enqueued atomically with the change. Deliveries already
// delivered, routed to the digest or skipped are left alone. It returns
// the channels put back; adwatch.ErrNotFound when the alert does not exist.
func (db *DB) RetryDeliveries(ctx context.Context, id int64, channel string, hook AlertHook) ([]string, error) {
	var channels []string
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var exists bool
		if err := tx.GetContext(ctx, &exists, `SELECT EXISTS (SELECT FROM alerts WHERE id = $1)`, id); err != nil {
			return err
		}
		if !exists {
			return adwatch.ErrNotFound
		}
		if err := tx.SelectContext(ctx, &channels, `
			UPDATE alert_deliveries SET status = 'pending', updated_at = now()
			WHERE alert_id = $1 AND ($2 = '' OR channel = $2) AND status IN ('failed', 'pending')
			RETURNING channel`, id, clean(channel)); err != nil {
			return err
		}
		if len(channels) == 0 || hook == nil {
			return nil
		}
		as, err := loadAlerts(ctx, tx, alertFilter{ids: []int64{id}})
		if err != nil {
			return err
		}
		return hook(ctx, tx.Tx, as)
	})
	if err != nil {
		return nil, fmt.Errorf("retry deliveries of alert %d: %w", id, err)
	}
	return channels, nil
}
