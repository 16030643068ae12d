package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/lib/pq"

	"adwatch"
)

const documentCols = `d.id, d.url, d.title, s.name AS source, d.kind, d.published_at, d.fetched_at,
	d.content_hash, d.version, d.meta, d.content_type, d.status, d.final_url, d.raw_size`

type documentRow struct {
	ID          int64        `db:"id"`
	URL         string       `db:"url"`
	Title       string       `db:"title"`
	Source      string       `db:"source"`
	Kind        string       `db:"kind"`
	PublishedAt sql.NullTime `db:"published_at"`
	FetchedAt   sql.NullTime `db:"fetched_at"`
	ContentHash string       `db:"content_hash"`
	Version     int          `db:"version"`
	Meta        []byte       `db:"meta"`
	ContentType string       `db:"content_type"`
	Status      int          `db:"status"`
	FinalURL    string       `db:"final_url"`
	RawSize     int          `db:"raw_size"`
	// Only for Document.
	Text         string `db:"text"`
	Raw          []byte `db:"raw"`
	RawHeaders   []byte `db:"raw_headers"`
	CompanySpans []byte `db:"company_spans"`
	PreviousID   int64  `db:"previous_id"`
}

func (r documentRow) noun() adwatch.Document {
	d := adwatch.Document{
		ID: r.ID, URL: r.URL, Title: r.Title, Source: r.Source, Kind: adwatch.Kind(r.Kind),
		PublishedAt: timePtr(r.PublishedAt), FetchedAt: r.FetchedAt.Time, ContentHash: r.ContentHash,
		Version: r.Version, ContentType: r.ContentType, Status: r.Status, FinalURL: r.FinalURL,
		RawSize: r.RawSize, Text: r.Text, PreviousID: r.PreviousID,
	}
	_ = json.Unmarshal(r.Meta, &d.Meta)
	if len(d.Meta) == 0 {
		d.Meta = nil
	}
	return d
}

// Document returns one stored document version with everything kept about
// it: text, metadata, companies, matches, advertisers alerted on, the
// previous version's id, and the raw response (decompressed) with headers.
func (db *DB) Document(ctx context.Context, id int64) (adwatch.Document, error) {
	var r documentRow
	err := db.db.GetContext(ctx, &r, `
		SELECT `+documentCols+`, d.text, d.raw, d.raw_headers, d.company_spans,
			coalesce((SELECT p.id FROM documents p WHERE md5(p.url) = md5(d.url) AND p.url = d.url AND p.version < d.version
				ORDER BY p.version DESC LIMIT 1), 0) AS previous_id
		FROM documents d JOIN sources s ON s.id = d.source_id WHERE d.id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return adwatch.Document{}, fmt.Errorf("document %d: %w", id, adwatch.ErrNotFound)
	}
	if err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: %w", id, err)
	}
	d := r.noun()
	if d.Raw, err = gunzipBytes(r.Raw); err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: %w", id, err)
	}
	if err := json.Unmarshal(r.RawHeaders, &d.RawHeader); err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: headers: %w", id, err)
	}
	if len(d.RawHeader) == 0 {
		d.RawHeader = http.Header{}
	}
	if err := json.Unmarshal(r.CompanySpans, &d.CompanySpans); err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: spans: %w", id, err)
	}
	if err := db.db.SelectContext(ctx, &d.Companies, `SELECT name, mentions FROM document_companies
		WHERE document_id = $1 ORDER BY mentions DESC, name`, id); err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: companies: %w", id, err)
	}
	// Advertisers alerted on this document, or on its story when the
	// document is a copy attached to another document's alert.
	if err := db.db.SelectContext(ctx, &d.Advertisers, `SELECT DISTINCT a.name FROM alerts al
		JOIN advertisers a ON a.id = al.advertiser_id
		WHERE al.document_id = $1 OR al.id IN (SELECT alert_id FROM alert_documents WHERE document_id = $1)
		ORDER BY a.name`, id); err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: advertisers: %w", id, err)
	}
	if d.Matches, err = db.documentMatches(ctx, id); err != nil {
		return adwatch.Document{}, fmt.Errorf("document %d: %w", id, err)
	}
	return d, nil
}

func (db *DB) documentMatches(ctx context.Context, id int64) ([]adwatch.Match, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT a.ext_id, a.name, m.alias, m.score, m.reasons, m.snippet, m.start_offset, m.end_offset, m.mentions
		FROM document_matches m JOIN advertisers a ON a.id = m.advertiser_id
		WHERE m.document_id = $1 ORDER BY m.score DESC, a.ext_id`, id)
	if err != nil {
		return nil, fmt.Errorf("matches: %w", err)
	}
	defer rows.Close()
	var out []adwatch.Match
	for rows.Next() {
		var m adwatch.Match
		var reasons pq.StringArray
		if err := rows.Scan(&m.AdvertiserID, &m.Advertiser, &m.Alias, &m.Score, &reasons, &m.Snippet,
			&m.Start, &m.End, &m.Mentions); err != nil {
			return nil, fmt.Errorf("matches: %w", err)
		}
		if len(reasons) > 0 {
			m.Reasons = reasons
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("matches: %w", err)
	}
	return out, nil
}

// DocumentVersions lists every stored version of url, oldest first, without
// text or raw evidence.
func (db *DB) DocumentVersions(ctx context.Context, url string) ([]adwatch.Document, error) {
	var rows []documentRow
	err := db.db.SelectContext(ctx, &rows, `SELECT `+documentCols+`
		FROM documents d JOIN sources s ON s.id = d.source_id
		WHERE md5(d.url) = md5($1) AND d.url = $1 ORDER BY d.version`, clean(url))
	if err != nil {
		return nil, fmt.Errorf("versions of %s: %w", url, err)
	}
	out := make([]adwatch.Document, len(rows))
	for i, r := range rows {
		out[i] = r.noun()
		if i > 0 {
			out[i].PreviousID = rows[i-1].ID
		}
	}
	return out, nil
}

// DocumentCount counts archived documents: one per URL, however many
// versions it has.
func (db *DB) DocumentCount(ctx context.Context) (int, error) {
	var n int
	if err := db.db.GetContext(ctx, &n, `SELECT count(*) FROM documents WHERE latest`); err != nil {
		return 0, fmt.Errorf("count documents: %w", err)
	}
	return n, nil
}
