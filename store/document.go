package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// SaveResult says what SaveDocuments did with one document.
type SaveResult struct {
	DocumentID int64
	New        bool // false when (url, content_hash) already existed: nothing else was written
	Version    int
	Alerts     []adwatch.Alert // alerts created by this save, fully populated
}

// AlertHook runs inside the saving transaction with the alerts it created, so
// that delivery jobs are enqueued atomically with the alerts.
type AlertHook func(ctx context.Context, tx *sql.Tx, alerts []adwatch.Alert) error

// urlLockClass is the first key of the advisory locks that serialise version
// numbering per URL between concurrent savers.
const urlLockClass = 0x6164 // "ad"

// SaveDocuments stores a batch of fetched documents in one transaction (one
// commit for a whole crawl page of results). A document whose (URL, content
// hash) is already stored is not new: only its crawl state is refreshed. A new
// one gets the next version number for its URL, its company mentions and
// advertiser matches, one alert per active matched advertiser, and a pending
// delivery per alert and channel. hook, when not nil, runs last in the same
// transaction, also when no alert was created (with an empty slice); its
// error rolls everything back.
func (db *DB) SaveDocuments(ctx context.Context, docs []adwatch.Document, channels []string, hook AlertHook) ([]SaveResult, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	channels = uniq(channels)
	results := make([]SaveResult, len(docs))
	var created []adwatch.Alert
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		sources, err := sourceIDs(ctx, tx, docs)
		if err != nil {
			return err
		}
		if err := lockURLs(ctx, tx, docs); err != nil {
			return err
		}
		hashes := make([]string, len(docs))
		for i := range docs {
			hashes[i] = contentHash(&docs[i])
		}
		known, err := storedVersions(ctx, tx, docs, hashes)
		if err != nil {
			return err
		}
		prints, err := lockStories(ctx, tx, docs, hashes, known)
		if err != nil {
			return err
		}
		var alertIDs []int64
		perDoc := make([][]int64, len(docs))
		for i := range docs {
			st := known[versionKey{clean(docs[i].URL), hashes[i]}]
			res, ids, err := saveDocument(ctx, tx, &docs[i], hashes[i], st, sources[docs[i].Source], prints[i])
			if err != nil {
				return fmt.Errorf("document %s: %w", docs[i].URL, err)
			}
			results[i] = res
			perDoc[i] = ids
			alertIDs = append(alertIDs, ids...)
		}
		created = []adwatch.Alert{}
		if len(alertIDs) > 0 {
			if created, err = loadAlerts(ctx, tx, alertFilter{ids: alertIDs}); err != nil {
				return err
			}
			if err := addDeliveries(ctx, tx, created, channels, db.router()); err != nil {
				return err
			}
		}
		byID := make(map[int64]adwatch.Alert, len(created))
		for _, a := range created {
			byID[a.ID] = a
		}
		for i, ids := range perDoc {
			for _, id := range ids {
				results[i].Alerts = append(results[i].Alerts, byID[id])
			}
		}
		if hook != nil {
			if err := hook(ctx, tx.Tx, created); err != nil {
				return fmt.Errorf("alert hook: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save documents: %w", err)
	}
	return results, nil
}

func sourceIDs(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document) (map[string]int64, error) {
	names := make([]string, 0, len(docs))
	for _, d := range docs {
		names = append(names, d.Source)
	}
	rows, err := tx.QueryContext(ctx, `SELECT name, id FROM sources WHERE name = ANY($1)`, pq.Array(uniq(names)))
	if err != nil {
		return nil, fmt.Errorf("look up sources: %w", err)
	}
	defer rows.Close()
	ids := make(map[string]int64)
	for rows.Next() {
		var name string
		var id int64
		if err := rows.Scan(&name, &id); err != nil {
			return nil, fmt.Errorf("look up sources: %w", err)
		}
		ids[name] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up sources: %w", err)
	}
	for _, d := range docs {
		if _, ok := ids[d.Source]; !ok {
			return nil, fmt.Errorf("document %s names unknown source %q: %w", d.URL, d.Source, adwatch.ErrInvalid)
		}
	}
	return ids, nil
}

// lockURLs takes the per-URL locks for the whole batch in one sorted pass,
// so two batches sharing URLs cannot deadlock.
func lockURLs(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document) error {
	urls := make([]string, 0, len(docs))
	for _, d := range docs {
		if d.URL == "" {
			return fmt.Errorf("document without URL: %w", adwatch.ErrInvalid)
		}
		urls = append(urls, clean(d.URL))
	}
	_, err := tx.ExecContext(ctx, `
		SELECT pg_advisory_xact_lock($1, k)
		FROM (SELECT DISTINCT hashtext(u) AS k FROM unnest($2::text[]) AS u ORDER BY k) AS keys`,
		urlLockClass, pq.Array(urls))
	if err != nil {
		return fmt.Errorf("lock urls: %w", err)
	}
	return nil
}

// contentHash is the document's content hash, computed from the raw body
// (or the text) when the crawler did not give one.
func contentHash(d *adwatch.Document) string {
	if d.ContentHash != "" {
		return clean(d.ContentHash)
	}
	sum := sha256.Sum256([]byte(d.Text))
	if len(d.Raw) > 0 {
		sum = sha256.Sum256(d.Raw)
	}
	return hex.EncodeToString(sum[:])
}

type versionKey struct{ url, hash string }

type storedVersion struct {
	ID      int64
	Version int
	Latest  bool
	New     bool // inserted by this save
}

// storedVersions finds which documents of the batch are already stored, in
// one query, so unchanged pages (most of a nightly crawl) cost no insert:
// an INSERT … ON CONFLICT would compute the tsvector before noticing.
func storedVersions(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document, hashes []string) (map[versionKey]*storedVersion, error) {
	urls := make([]string, len(docs))
	for i := range docs {
		urls[i] = clean(docs[i].URL)
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT d.url, d.content_hash, d.id, d.version, d.latest
		FROM documents d JOIN unnest($1::text[], $2::text[]) AS k(u, h) ON md5(d.url) = md5(k.u) AND d.url = k.u AND d.content_hash = k.h`,
		pq.Array(urls), pq.Array(hashes))
	if err != nil {
		return nil, fmt.Errorf("look up stored versions: %w", err)
	}
	defer rows.Close()
	out := make(map[versionKey]*storedVersion)
	for rows.Next() {
		var k versionKey
		var v storedVersion
		if err := rows.Scan(&k.url, &k.hash, &v.ID, &v.Version, &v.Latest); err != nil {
			return nil, fmt.Errorf("look up stored versions: %w", err)
		}
		out[k] = &v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("look up stored versions: %w", err)
	}
	return out, nil
}

func saveDocument(ctx context.Context, tx *sqlx.Tx, d *adwatch.Document, hash string, known *storedVersion, sourceID int64, fp fingerprint) (SaveResult, []int64, error) {
	url := clean(d.URL)
	if known == nil {
		var err error
		if fp, err = findStoryOf(ctx, tx, d, fp); err != nil {
			return SaveResult{}, nil, err
		}
		if known, err = insertDocument(ctx, tx, d, url, hash, sourceID, fp); err != nil {
			return SaveResult{}, nil, fmt.Errorf("insert: %w", err)
		}
	}
	res := SaveResult{DocumentID: known.ID, Version: known.Version, New: known.New}
	// A new version supersedes the latest; an old content seen again (the
	// page went back) is current again.
	if (res.New && res.Version > 1) || (!res.New && !known.Latest) {
		if err := markLatest(ctx, tx, url, known.ID); err != nil {
			return SaveResult{}, nil, fmt.Errorf("mark latest: %w", err)
		}
	}
	if err := saveCrawlState(ctx, tx, d, hash); err != nil {
		return SaveResult{}, nil, fmt.Errorf("url state: %w", err)
	}
	if !res.New {
		return res, nil, nil
	}
	if err := saveCompanies(ctx, tx, res.DocumentID, d.Companies); err != nil {
		return SaveResult{}, nil, err
	}
	ids, err := saveMatches(ctx, tx, res.DocumentID, d.Matches, false, fp.story)
	if err != nil {
		return SaveResult{}, nil, err
	}
	return res, ids, nil
}

// insertDocument inserts d as the next version of its URL. When the same
// (url, content hash) is already there (it appeared twice in the batch) it
// returns that row, not new.
func insertDocument(ctx context.Context, tx *sqlx.Tx, d *adwatch.Document, url, hash string, sourceID int64, fp fingerprint) (*storedVersion, error) {
	meta, err := jsonMap(d.Meta)
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	headers, err := jsonHeader(d.RawHeader)
	if err != nil {
		return nil, fmt.Errorf("headers: %w", err)
	}
	spans, err := json.Marshal(nonNilSpans(d.CompanySpans))
	if err != nil {
		return nil, fmt.Errorf("spans: %w", err)
	}
	raw, err := gzipBytes(d.Raw)
	if err != nil {
		return nil, err
	}
	fetched := d.FetchedAt
	if fetched.IsZero() {
		fetched = time.Now()
	}
	sh, b0, b1, b2, b3 := fp.columns()
	var story any
	if fp.story != 0 {
		story = fp.story
	}
	v := storedVersion{New: true, Latest: true}
	err = tx.QueryRowContext(ctx, `
		INSERT INTO documents (url, version, title, source_id, kind, published_at, fetched_at, text,
			content_hash, meta, content_type, status, final_url, raw, raw_headers, raw_size, company_spans,
			simhash, simhash_b0, simhash_b1, simhash_b2, simhash_b3, story_id)
		SELECT $1, coalesce((SELECT max(version) FROM documents WHERE md5(url) = md5($1) AND url = $1), 0) + 1,
			$2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22
		ON CONFLICT (md5(url), content_hash) DO NOTHING
		RETURNING id, version`,
		url, clean(d.Title), sourceID, string(d.Kind), d.PublishedAt, fetched, clean(d.Text),
		hash, meta, clean(d.ContentType), d.Status, clean(d.FinalURL), raw, headers,
		len(d.Raw), string(spans), sh, b0, b1, b2, b3, story).Scan(&v.ID, &v.Version)
	if errors.Is(err, sql.ErrNoRows) {
		v.New = false
		err = tx.QueryRowContext(ctx, `SELECT id, version, latest FROM documents
			WHERE md5(url) = md5($1) AND url = $1 AND content_hash = $2`,
			url, hash).Scan(&v.ID, &v.Version, &v.Latest)
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

func markLatest(ctx context.Context, tx *sqlx.Tx, url string, id int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE documents SET latest = (id = $2)
		WHERE md5(url) = md5($1) AND url = $1 AND (latest OR id = $2)`, url, id)
	return err
}

// saveCrawlState records the fetch under the canonical URL and, when it
// differs, the URL the response finally came from: the crawler may ask
// about either next time.
func saveCrawlState(ctx context.Context, tx *sqlx.Tx, d *adwatch.Document, hash string) error {
	st := adwatch.URLState{
		URL: d.URL, Source: d.Source, ContentHash: hash, Status: d.Status, FetchedAt: d.FetchedAt,
		ETag: d.RawHeader.Get("ETag"), LastModified: d.RawHeader.Get("Last-Modified"),
	}
	if err := putURLState(ctx, tx, st); err != nil {
		return err
	}
	if d.FinalURL != "" && d.FinalURL != d.URL {
		st.URL = d.FinalURL
		return putURLState(ctx, tx, st)
	}
	return nil
}

func saveCompanies(ctx context.Context, tx *sqlx.Tx, docID int64, companies []adwatch.Company) error {
	if len(companies) == 0 {
		return nil
	}
	// One row per name: the primary key would refuse a repeated name.
	count := make(map[string]int, len(companies))
	var names []string
	for _, c := range companies {
		n := clean(c.Name)
		if n == "" {
			continue
		}
		if _, ok := count[n]; !ok {
			names = append(names, n)
		}
		count[n] += max(c.Mentions, 1)
	}
	mentions := make([]int64, len(names))
	for i, n := range names {
		mentions[i] = int64(count[n])
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO document_companies (document_id, name, mentions)
		SELECT $1, n, m FROM unnest($2::text[], $3::int[]) AS t(n, m)`,
		docID, pq.Array(names), pq.Array(mentions))
	if err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	return nil
}

// saveMatches records each match and raises an alert for each active
// advertiser among them, returning the ids of alerts created (an alert that
// already existed for the pair is not created again). When the document
// belongs to a story (story != 0) and the advertiser already has an alert on
// that story, the document is attached to that alert instead: one story, one
// alert. Matches naming an advertiser that is not in the database are
// ignored: extraction may have used another list.
func saveMatches(ctx context.Context, tx *sqlx.Tx, docID int64, matches []adwatch.Match, rescreen bool, story int64) ([]int64, error) {
	var ids []int64
	for _, m := range bestMatches(matches) {
		var id int64
		err := tx.QueryRowContext(ctx, `
			WITH adv AS (SELECT id, active FROM advertisers WHERE ext_id = $2),
			m AS (
				INSERT INTO document_matches (document_id, advertiser_id, alias, score, reasons, snippet,
					start_offset, end_offset, mentions)
				SELECT $1, adv.id, $3, $4, $5, $6, $7, $8, $9 FROM adv
				ON CONFLICT (document_id, advertiser_id) DO NOTHING),
			story AS (
				SELECT al.id FROM adv, documents d JOIN alerts al ON al.document_id = d.id
				WHERE $11::bigint <> 0 AND (d.story_id = $11 OR d.id = $11) AND al.advertiser_id = adv.id
					AND adv.active AND al.document_id <> $1
				ORDER BY al.id LIMIT 1),
			attached AS (
				INSERT INTO alert_documents (alert_id, document_id) SELECT id, $1 FROM story
				ON CONFLICT DO NOTHING)
			INSERT INTO alerts (advertiser_id, document_id, alias, score, reasons, snippet, rescreen)
			SELECT adv.id, $1, $3, $4, $5, $6, $10 FROM adv WHERE adv.active AND NOT EXISTS (SELECT FROM story)
			ON CONFLICT (advertiser_id, document_id) DO NOTHING
			RETURNING id`,
			docID, m.AdvertiserID, clean(m.Alias), m.Score, pq.Array(cleanAll(m.Reasons)), clean(m.Snippet),
			m.Start, m.End, m.Mentions, rescreen, story).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("match %s: %w", m.AdvertiserID, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// bestMatches keeps one match per advertiser, the highest scored.
func bestMatches(matches []adwatch.Match) []adwatch.Match {
	best := make(map[string]int, len(matches))
	var out []adwatch.Match
	for _, m := range matches {
		if i, ok := best[m.AdvertiserID]; ok {
			if m.Score > out[i].Score {
				out[i] = m
			}
			continue
		}
		best[m.AdvertiserID] = len(out)
		out = append(out, m)
	}
	return out
}
