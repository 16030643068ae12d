package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// RescreenCandidates returns, in id order after afterID, up to limit archived
// documents (latest versions, with text) whose full text contains any of
// names as a phrase (stemmed). When advertisers change, only these need
// re-matching instead of the whole archive; the matcher then decides.
// Names that are only stop words select nothing.
func (db *DB) RescreenCandidates(ctx context.Context, names []string, afterID int64, limit int) ([]adwatch.Document, error) {
	return db.RescreenCandidatesSince(ctx, names, time.Time{}, afterID, limit)
}

// RescreenCandidatesSince is RescreenCandidates limited to documents
// published (or, without a date, fetched) at or after since; a zero since
// does not limit.
func (db *DB) RescreenCandidatesSince(ctx context.Context, names []string, since time.Time, afterID int64, limit int) ([]adwatch.Document, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	// One query ORing thousands of names nests the tsquery so deep that
	// PostgreSQL stops with "stack depth limit exceeded" (20,000 names did):
	// ask in chunks and merge. Each chunk returns its first limit ids after
	// afterID, so the union holds the overall first limit ids.
	seen := map[int64]bool{}
	var rows []documentRow
	for start := 0; start < len(names); start += rescreenChunk {
		chunk, err := db.rescreenChunk(ctx, names[start:min(start+rescreenChunk, len(names))], since, afterID, limit)
		if err != nil {
			return nil, err
		}
		for _, r := range chunk {
			if !seen[r.ID] {
				seen[r.ID] = true
				rows = append(rows, r)
			}
		}
	}
	slices.SortFunc(rows, func(a, b documentRow) int { return cmp.Compare(a.ID, b.ID) })
	if len(rows) > limit {
		rows = rows[:limit]
	}
	out := make([]adwatch.Document, len(rows))
	for i, r := range rows {
		out[i] = r.noun()
	}
	return out, nil
}

// rescreenChunk is how many names one candidate query ORs together.
const rescreenChunk = 200

func (db *DB) rescreenChunk(ctx context.Context, names []string, since time.Time, afterID int64, limit int) ([]documentRow, error) {
	var query string
	err := db.db.GetContext(ctx, &query, `
		SELECT coalesce(string_agg('(' || q::text || ')', ' | '), '')
		FROM (SELECT phraseto_tsquery('english', n) AS q FROM unnest($1::text[]) AS n) AS t
		WHERE numnode(q) > 0`, pq.Array(cleanAll(names)))
	if err != nil {
		return nil, fmt.Errorf("rescreen candidates: %w", err)
	}
	if query == "" {
		return nil, nil
	}
	var rows []documentRow
	err = db.db.SelectContext(ctx, &rows, `SELECT `+documentCols+`, d.text
		FROM search_docs sd JOIN documents d ON d.id = sd.id JOIN sources s ON s.id = d.source_id
		WHERE sd.id > $1 AND sd.tsv @@ $2::tsquery AND ($4::timestamptz IS NULL OR sd.t >= $4)
		ORDER BY sd.id LIMIT $3`, afterID, query, limit, nullTime(since))
	if err != nil {
		return nil, fmt.Errorf("rescreen candidates: %w", err)
	}
	return rows, nil
}

// SaveRescreen records what re-matching an archived document found: matches
// not recorded before, and an alert (marked Rescreen) for each active
// advertiser not yet alerted on that document, with pending deliveries. Like
// SaveDocuments it runs hook in the same transaction and returns the alerts
// it created, fully populated.
func (db *DB) SaveRescreen(ctx context.Context, documentID int64, matches []adwatch.Match, channels []string, hook AlertHook) ([]adwatch.Alert, error) {
	var created []adwatch.Alert
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		// The document's story, so that re-screening syndicated copies
		// raises one alert per story, as crawling does.
		var story int64
		err := tx.GetContext(ctx, &story, `SELECT CASE WHEN kind = 'press' AND simhash IS NOT NULL
			THEN coalesce(story_id, id) ELSE 0 END FROM documents WHERE id = $1`, documentID)
		if errors.Is(err, sql.ErrNoRows) {
			return adwatch.ErrNotFound
		}
		if err != nil {
			return err
		}
		byDoc, err := saveMatches(ctx, tx, []docMatches{{docID: documentID, story: story, matches: matches}}, true)
		if err != nil {
			return err
		}
		ids := byDoc[0]
		if len(ids) == 0 {
			return nil
		}
		if created, err = loadAlerts(ctx, tx, alertFilter{ids: ids}); err != nil {
			return err
		}
		if err := addDeliveries(ctx, tx, created, uniq(channels), db.router()); err != nil {
			return err
		}
		if hook != nil {
			if err := hook(ctx, tx.Tx, created); err != nil {
				return fmt.Errorf("alert hook: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save rescreen of document %d: %w", documentID, err)
	}
	return created, nil
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}
