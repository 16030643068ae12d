package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"adwatch"
)

// Now is the database's clock. Processes on several machines compare times
// recorded by each other, so they all take "now" from here.
func (db *DB) Now(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := db.db.QueryRowContext(ctx, "SELECT now()").Scan(&t); err != nil {
		return time.Time{}, fmt.Errorf("database clock: %w", err)
	}
	return t, nil
}

// RunsSince returns the runs of each named source that started at or after
// its time in since, oldest first. Whoever crawled them (this process or
// another), they are the runs of one `adwatch run`.
func (db *DB) RunsSince(ctx context.Context, since map[string]time.Time) ([]adwatch.SourceRun, error) {
	if len(since) == 0 {
		return nil, nil
	}
	names := make([]string, 0, len(since))
	times := make([]time.Time, 0, len(since))
	for n, t := range since {
		names = append(names, n)
		times = append(times, t.UTC())
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT s.name, r.started_at, r.duration_ns, r.pages, r.unchanged, r.items_seen,
			r.new_documents, r.alerts, r.bytes, r.errors, r.error
		FROM unnest($1::text[], $2::timestamptz[]) AS w(name, since)
		JOIN sources s ON s.name = w.name
		JOIN source_runs r ON r.source_id = s.id AND r.started_at >= w.since
		ORDER BY r.started_at, r.id`, pq.Array(names), pq.Array(times))
	if err != nil {
		return nil, fmt.Errorf("runs since: %w", err)
	}
	defer rows.Close()
	var out []adwatch.SourceRun
	for rows.Next() {
		var r adwatch.SourceRun
		var dur int64
		var errs pq.StringArray
		if err := rows.Scan(&r.Source, &r.StartedAt, &dur, &r.Pages, &r.Unchanged, &r.ItemsSeen,
			&r.NewDocuments, &r.Alerts, &r.Bytes, &errs, &r.Err); err != nil {
			return nil, fmt.Errorf("runs since: %w", err)
		}
		r.Duration = time.Duration(dur)
		if len(errs) > 0 {
			r.Errors = errs
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("runs since: %w", err)
	}
	return out, nil
}

// SourceFailures is a source's health as a metric: failures in a row and
// when it last succeeded.
type SourceFailures struct {
	Name                string
	ConsecutiveFailures int
	LastSuccessAt       *time.Time
}

// SourcesFailures is the cheap part of Sources (no document counts), for a
// metrics scrape every few seconds.
func (db *DB) SourcesFailures(ctx context.Context) ([]SourceFailures, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT name, consecutive_failures, last_success_at FROM sources ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("source failures: %w", err)
	}
	defer rows.Close()
	var out []SourceFailures
	for rows.Next() {
		var s SourceFailures
		var last sql.NullTime
		if err := rows.Scan(&s.Name, &s.ConsecutiveFailures, &last); err != nil {
			return nil, fmt.Errorf("source failures: %w", err)
		}
		s.LastSuccessAt = timePtr(last)
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("source failures: %w", err)
	}
	return out, nil
}

// AdvertisersFingerprint changes whenever any advertiser is added, removed or
// changed (name, aliases, active). Building the matcher for a million
// advertisers takes seconds; a process rebuilds it only when this changes.
// It reads every row but sends back one line.
func (db *DB) AdvertisersFingerprint(ctx context.Context) (string, error) {
	var n, sum int64
	err := db.db.QueryRowContext(ctx, `
		SELECT count(*), coalesce(sum(hashtext(ext_id || E'\x1f' || name || E'\x1f' ||
			array_to_string(aliases, E'\x1e') || E'\x1f' || active::text)::bigint), 0)
		FROM advertisers`).Scan(&n, &sum)
	if err != nil {
		return "", fmt.Errorf("advertisers fingerprint: %w", err)
	}
	return fmt.Sprintf("%d:%d", n, sum), nil
}
