package store

import (
	"context"
	"fmt"
	"time"
)

// MonthCount is one month of an advertiser's timeline: documents matching
// it and alerts raised for it, both by the document's date (publication,
// else fetch), so the two series line up.
type MonthCount struct {
	Month    time.Time `json:"month"` // first day, UTC
	Mentions int       `json:"mentions"`
	Alerts   int       `json:"alerts"`
}

// AdvertiserTimeline counts, per month, the latest documents that matched the
// advertiser and the alerts raised for it, oldest month first, without gaps
// between the first and the last month. An unknown advertiser has an
// empty timeline (check it with Advertiser).
func (db *DB) AdvertiserTimeline(ctx context.Context, id string) ([]MonthCount, error) {
	rows, err := db.db.QueryContext(ctx, `
		WITH adv AS (SELECT id FROM advertisers WHERE ext_id = $1),
		m AS (
			SELECT date_trunc('month', coalesce(d.published_at, d.fetched_at), 'UTC') AS month,
				count(*) AS mentions
			FROM document_matches dm JOIN adv ON dm.advertiser_id = adv.id
			JOIN documents d ON d.id = dm.document_id
			GROUP BY 1),
		a AS (
			SELECT date_trunc('month', coalesce(d.published_at, d.fetched_at), 'UTC') AS month,
				count(*) AS alerts
			FROM alerts al JOIN adv ON al.advertiser_id = adv.id
			JOIN documents d ON d.id = al.document_id
			GROUP BY 1),
		span AS (SELECT min(month) AS lo, max(month) AS hi FROM (SELECT month FROM m UNION ALL SELECT month FROM a) x)
		SELECT g.month, coalesce(m.mentions, 0), coalesce(a.alerts, 0)
		FROM span, generate_series(span.lo, span.hi, interval '1 month') AS g(month)
		LEFT JOIN m ON m.month = g.month LEFT JOIN a ON a.month = g.month
		WHERE span.lo IS NOT NULL
		ORDER BY g.month`, id)
	if err != nil {
		return nil, fmt.Errorf("timeline of %q: %w", id, err)
	}
	defer rows.Close()
	out := []MonthCount{}
	for rows.Next() {
		var c MonthCount
		if err := rows.Scan(&c.Month, &c.Mentions, &c.Alerts); err != nil {
			return nil, fmt.Errorf("timeline of %q: %w", id, err)
		}
		c.Month = c.Month.UTC()
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("timeline of %q: %w", id, err)
	}
	return out, nil
}
