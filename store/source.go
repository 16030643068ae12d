package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// SyncSources records the configured sources, inserting new ones and
// updating kind, type and URL of known ones by name. Sources missing from
// srcs are kept: their documents still point at them.
func (db *DB) SyncSources(ctx context.Context, srcs []adwatch.Source) error {
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		for _, s := range srcs {
			if s.Name == "" {
				return fmt.Errorf("source without a name: %w", adwatch.ErrInvalid)
			}
			_, err := tx.ExecContext(ctx, `
				INSERT INTO sources (name, kind, type, url) VALUES ($1, $2, $3, $4)
				ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, type = EXCLUDED.type,
					url = EXCLUDED.url, updated_at = now()
				WHERE (sources.kind, sources.type, sources.url) IS DISTINCT FROM
					(EXCLUDED.kind, EXCLUDED.type, EXCLUDED.url)`,
				clean(s.Name), string(s.Kind), clean(s.Type), clean(s.URL))
			if err != nil {
				return fmt.Errorf("source %s: %w", s.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("sync sources: %w", err)
	}
	return nil
}

// EmptyRunsWarning is how many successful runs in a row must list nothing,
// after the source listed items before, for the source to carry a warning:
// one empty night can be a quiet day, three mean a selector or feed broke.
const EmptyRunsWarning = 3

// RecordRun stores the outcome of one crawl and updates the source's health:
// failures count up until a success resets them, and empty_runs counts
// successful runs in a row whose listing was read and named nothing, once
// the source has listed items before (a silently broken source).
//
// A failed run says nothing about emptiness (it counts as a failure
// instead). An unchanged run (its listings answered 304, so nothing was
// parsed) repeats the outcome of the last reading: it keeps items_seen, and
// counts as empty only if that reading was empty (a broken listing that
// stays broken answers 304 too). A federalregister source asks only for
// documents published since its last run, so an empty answer is a quiet day
// there, never a broken selector.
func (db *DB) RecordRun(ctx context.Context, run adwatch.SourceRun) error {
	ok := run.Err == ""
	unchanged := run.ItemsSeen == 0 && run.ListingsNotModified > 0
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		var id int64
		err := tx.QueryRowContext(ctx, `
			UPDATE sources SET
				last_run_at = $2,
				last_success_at = CASE WHEN $3 THEN $2 ELSE last_success_at END,
				last_error = $4,
				consecutive_failures = CASE WHEN $3 THEN 0 ELSE consecutive_failures + 1 END,
				empty_runs = CASE
					WHEN NOT $3 THEN empty_runs
					WHEN $7 THEN CASE WHEN empty_runs > 0 THEN empty_runs + 1 ELSE 0 END
					WHEN $5 > 0 OR type = $8 THEN 0
					WHEN EXISTS (SELECT 1 FROM source_runs r WHERE r.source_id = sources.id AND r.items_seen > 0)
						THEN empty_runs + 1
					ELSE 0 END,
				items_seen = CASE WHEN $3 AND $7 THEN items_seen ELSE $5 END,
				-- listing items again re-arms the warning for the next breakage
				warning_notified_at = CASE WHEN $5 > 0 THEN NULL ELSE warning_notified_at END,
				new_documents = $6,
				updated_at = now()
			WHERE name = $1
			RETURNING id`,
			run.Source, run.StartedAt, ok, clean(run.Err), run.ItemsSeen, run.NewDocuments, unchanged,
			adwatch.SourceFederalRegister).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("source %q: %w", run.Source, adwatch.ErrNotFound)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO source_runs (source_id, started_at, duration_ns, pages, unchanged,
				items_seen, new_documents, alerts, bytes, errors, error)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, run.StartedAt, int64(run.Duration), run.Pages, run.Unchanged, run.ItemsSeen,
			run.NewDocuments, run.Alerts, run.Bytes, pq.Array(cleanAll(run.Errors)), clean(run.Err))
		return err
	})
	if err != nil {
		return fmt.Errorf("record run of %s: %w", run.Source, err)
	}
	return nil
}

// SourceWarningsToNotify returns the sources whose warning has not been
// delivered yet. The caller delivers each, then calls
// MarkSourceWarningNotified: a crash in between delivers it again rather
// than never.
func (db *DB) SourceWarningsToNotify(ctx context.Context) ([]adwatch.SourceHealth, error) {
	hs, err := db.sources(ctx, `WHERE s.empty_runs >= $1 AND s.warning_notified_at IS NULL`, EmptyRunsWarning)
	if err != nil {
		return nil, fmt.Errorf("source warnings to notify: %w", err)
	}
	return hs, nil
}

// MarkSourceWarningNotified records that the source's current warning was
// delivered, so it is not delivered again until the source has listed items
// and broken anew. A source without a warning is left as it is (marking it
// would silence its next warning); an unknown source is adwatch.ErrNotFound.
func (db *DB) MarkSourceWarningNotified(ctx context.Context, name string) error {
	var marked bool
	err := db.db.QueryRowContext(ctx, `
		UPDATE sources SET warning_notified_at = CASE WHEN empty_runs >= $2 THEN now() ELSE warning_notified_at END
		WHERE name = $1
		RETURNING empty_runs >= $2`, name, EmptyRunsWarning).Scan(&marked)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("mark warning of %s: %w", name, adwatch.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("mark warning of %s: %w", name, err)
	}
	return nil
}

type sourceRow struct {
	Name                string       `db:"name"`
	Kind                string       `db:"kind"`
	Type                string       `db:"type"`
	URL                 string       `db:"url"`
	LastRunAt           sql.NullTime `db:"last_run_at"`
	LastSuccessAt       sql.NullTime `db:"last_success_at"`
	LastError           string       `db:"last_error"`
	ItemsSeen           int          `db:"items_seen"`
	NewDocuments        int          `db:"new_documents"`
	TotalDocuments      int          `db:"total_documents"`
	ConsecutiveFailures int          `db:"consecutive_failures"`
	EmptyRuns           int          `db:"empty_runs"`
}

// Sources returns every known source's health, by name. TotalDocuments
// counts documents (the latest version of each URL), not versions.
func (db *DB) Sources(ctx context.Context) ([]adwatch.SourceHealth, error) {
	hs, err := db.sources(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("list sources: %w", err)
	}
	return hs, nil
}

// sources lists source health; where filters sources s.
func (db *DB) sources(ctx context.Context, where string, args ...any) ([]adwatch.SourceHealth, error) {
	var rows []sourceRow
	err := db.db.SelectContext(ctx, &rows, `
		SELECT s.name, s.kind, s.type, s.url, s.last_run_at, s.last_success_at, s.last_error,
			s.items_seen, s.new_documents, s.consecutive_failures, s.empty_runs,
			(SELECT count(*) FROM documents d WHERE d.source_id = s.id AND d.latest) AS total_documents
		FROM sources s `+where+` ORDER BY s.name`, args...)
	if err != nil {
		return nil, err
	}
	out := make([]adwatch.SourceHealth, len(rows))
	for i, r := range rows {
		out[i] = adwatch.SourceHealth{
			Name: r.Name, Kind: adwatch.Kind(r.Kind), Type: r.Type, URL: r.URL,
			LastRunAt: timePtr(r.LastRunAt), LastSuccessAt: timePtr(r.LastSuccessAt),
			LastError: r.LastError, ItemsSeen: r.ItemsSeen, NewDocuments: r.NewDocuments,
			TotalDocuments: r.TotalDocuments, ConsecutiveFailures: r.ConsecutiveFailures,
			EmptyRuns: r.EmptyRuns, Warning: emptyWarning(r.EmptyRuns),
		}
	}
	return out, nil
}

// emptyWarning is the operators' warning for a source that listed nothing
// for emptyRuns runs in a row after listing items before.
func emptyWarning(emptyRuns int) string {
	if emptyRuns < EmptyRunsWarning {
		return ""
	}
	return fmt.Sprintf("listed no items in the last %d runs after listing some before: check its selector or feed", emptyRuns)
}

// SourceRuns returns a source's most recent runs, newest first.
func (db *DB) SourceRuns(ctx context.Context, source string, limit int) ([]adwatch.SourceRun, error) {
	if limit <= 0 || limit > 1000 {
		limit = 50
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT r.started_at, r.duration_ns, r.pages, r.unchanged, r.items_seen, r.new_documents,
			r.alerts, r.bytes, r.errors, r.error
		FROM source_runs r JOIN sources s ON s.id = r.source_id
		WHERE s.name = $1 ORDER BY r.started_at DESC, r.id DESC LIMIT $2`, source, limit)
	if err != nil {
		return nil, fmt.Errorf("runs of %s: %w", source, err)
	}
	defer rows.Close()
	var out []adwatch.SourceRun
	for rows.Next() {
		r := adwatch.SourceRun{Source: source}
		var dur int64
		var errs pq.StringArray
		if err := rows.Scan(&r.StartedAt, &dur, &r.Pages, &r.Unchanged, &r.ItemsSeen, &r.NewDocuments,
			&r.Alerts, &r.Bytes, &errs, &r.Err); err != nil {
			return nil, fmt.Errorf("runs of %s: %w", source, err)
		}
		r.Duration = time.Duration(dur)
		if len(errs) > 0 {
			r.Errors = errs
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("runs of %s: %w", source, err)
	}
	return out, nil
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}
