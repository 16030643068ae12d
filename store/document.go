package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
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
//
// The batch is written set-wise: one statement each for the new documents,
// their crawl state and their companies, whatever the batch's size, and
// one per advertiser match. The result is the same as saving the documents
// one by one in order: a URL seen twice gets two versions (the later one
// latest), and a near-duplicate of an earlier document of the batch joins
// its story.
func (db *DB) SaveDocuments(ctx context.Context, docs []adwatch.Document, channels []string, hook AlertHook) ([]SaveResult, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	channels = uniq(channels)
	vectorsInGo := db.vectors.ok(ctx, db.db)
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
		stored, err := storedVersions(ctx, tx, docs)
		if err != nil {
			return err
		}
		b := newBatch(docs, hashes, stored)
		prints := fingerprints(docs, b.isNew)
		if err := b.assignIDs(ctx, tx); err != nil {
			return err
		}
		if err := insertDocuments(ctx, tx, docs, hashes, b, sources, prints, vectorsInGo); err != nil {
			return err
		}
		if err := markLatest(ctx, tx, b.relatest); err != nil {
			return err
		}
		if err := putURLStates(ctx, tx, crawlStates(docs, hashes)); err != nil {
			return fmt.Errorf("url state: %w", err)
		}
		if err := saveCompanies(ctx, tx, docs, b); err != nil {
			return err
		}
		// Stories last: their locks serialise batches holding copies of
		// one story (and, fingerprints being what they are, batches that
		// merely share a band), so they are held for the shortest time,
		// after the costly inserts, until the commit.
		if err := lockStories(ctx, tx, prints); err != nil {
			return err
		}
		if err := findStories(ctx, tx, docs, b, prints); err != nil {
			return err
		}
		if err := setStories(ctx, tx, b, prints); err != nil {
			return err
		}
		var toMatch []docMatches
		var matched []int // index into docs of each toMatch
		for i := range docs {
			v := b.versions[i]
			results[i] = SaveResult{DocumentID: v.ID, Version: v.Version, New: v.New && b.isNew[i]}
			if results[i].New && len(docs[i].Matches) > 0 {
				toMatch = append(toMatch, docMatches{docID: v.ID, story: prints[i].story, matches: docs[i].Matches})
				matched = append(matched, i)
			}
		}
		byDoc, err := saveMatches(ctx, tx, toMatch, false)
		if err != nil {
			return err
		}
		var alertIDs []int64
		perDoc := make([][]int64, len(docs))
		for j, ids := range byDoc {
			perDoc[matched[j]] = ids
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

// storedURLs is what the archive holds for the batch's URLs: every version
// by (URL, content hash), and each URL's highest version number.
type storedURLs struct {
	versions map[versionKey]*storedVersion
	maxVer   map[string]int
}

// storedVersions reads, in one query and under the URL locks, the versions
// already stored for the batch's URLs (through the md5(url) index whatever
// the planner thinks of the array's size: a hash join here read the whole
// table once per batch), so unchanged pages (most of a
// nightly crawl) cost no insert, and new versions are numbered without
// asking again.
func storedVersions(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document) (storedURLs, error) {
	urls := make([]string, len(docs))
	for i := range docs {
		urls[i] = clean(docs[i].URL)
	}
	out := storedURLs{versions: make(map[versionKey]*storedVersion), maxVer: make(map[string]int)}
	rows, err := tx.QueryContext(ctx, `
		SELECT d.url, d.content_hash, d.id, d.version, d.latest
		FROM documents d
		WHERE md5(d.url) = ANY(ARRAY(SELECT md5(u) FROM unnest($1::text[]) AS u)) AND d.url = ANY($1::text[])`,
		pq.Array(urls))
	if err != nil {
		return out, fmt.Errorf("look up stored versions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k versionKey
		var v storedVersion
		if err := rows.Scan(&k.url, &k.hash, &v.ID, &v.Version, &v.Latest); err != nil {
			return out, fmt.Errorf("look up stored versions: %w", err)
		}
		out.versions[k] = &v
		out.maxVer[k.url] = max(out.maxVer[k.url], v.Version)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("look up stored versions: %w", err)
	}
	return out, nil
}

// batch is the plan for saving one batch: which documents are new, the
// version each document is (new or stored), and which URLs need their
// latest version moved.
type batch struct {
	isNew    []bool                    // docs[i] is the first occurrence of a (URL, hash) not stored
	versions []*storedVersion          // the version docs[i] is, new or stored
	latest   []bool                    // a new docs[i] is its URL's latest (its last occurrence in the batch)
	relatest map[string]*storedVersion // URL → the version to make latest, where the stored rows must change
	newCount int
}

// newBatch numbers the batch's new versions in document order, as saving
// them one by one would: a (URL, hash) already stored or earlier in the
// batch is not new; a URL's last document in the batch is its latest.
func newBatch(docs []adwatch.Document, hashes []string, stored storedURLs) *batch {
	b := &batch{
		isNew:    make([]bool, len(docs)),
		versions: make([]*storedVersion, len(docs)),
		latest:   make([]bool, len(docs)),
		relatest: make(map[string]*storedVersion),
	}
	last := make(map[string]int, len(docs))
	for i := range docs {
		last[clean(docs[i].URL)] = i
	}
	for i := range docs {
		url := clean(docs[i].URL)
		k := versionKey{url, hashes[i]}
		v := stored.versions[k]
		if v == nil {
			stored.maxVer[url]++
			v = &storedVersion{Version: stored.maxVer[url], Latest: true, New: true}
			stored.versions[k] = v
			b.isNew[i] = true
			b.newCount++
		}
		b.versions[i] = v
	}
	// A new row is inserted as latest when it is what its URL's last
	// document in the batch is; where that leaves another stored version
	// marked latest, markLatest moves it.
	for i := range docs {
		url := clean(docs[i].URL)
		final := b.versions[last[url]]
		b.latest[i] = b.versions[i] == final
		if last[url] == i && ((final.New && final.Version > 1) || (!final.New && !final.Latest)) {
			b.relatest[url] = final // a new one's id is set by assignIDs
		}
	}
	return b
}

// assignIDs takes the new documents' ids from the sequence before they are
// inserted, in document order, so that a later document of the batch can
// name an earlier one as its story.
func (b *batch) assignIDs(ctx context.Context, tx *sqlx.Tx) error {
	if b.newCount == 0 {
		return nil
	}
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `
		SELECT nextval(pg_get_serial_sequence('documents', 'id')) FROM generate_series(1, $1)`, b.newCount)
	if err != nil {
		return fmt.Errorf("document ids: %w", err)
	}
	if len(ids) != b.newCount {
		return fmt.Errorf("document ids: got %d for %d documents", len(ids), b.newCount)
	}
	slices.Sort(ids)
	n := 0
	for i, isNew := range b.isNew {
		if isNew {
			b.versions[i].ID = ids[n]
			n++
		}
	}
	return nil
}

// insertDocuments inserts the batch's new documents in one statement; their
// stories are set after (setStories). With vectorsInGo, the same statement
// writes the search vectors searchVector could compute into search_docs,
// and the insert trigger computes only the others.
func insertDocuments(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document, hashes []string, b *batch, sources map[string]int64, prints []fingerprint, vectorsInGo bool) error {
	if b.newCount == 0 {
		return nil
	}
	n := b.newCount
	var (
		ids, sourceIDs, simhashes                            = make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		versions, statuses, rawSizes                         = make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		b0, b1, b2, b3                                       = make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n), make([]int64, 0, n)
		latest, hasPrint                                     = make([]bool, 0, n), make([]bool, 0, n)
		urls, titles, kinds, published, fetched              = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		texts, contentHashes, metas, contentTypes, finalURLs = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		headers, spans                                       = make([]string, 0, n), make([]string, 0, n)
		raws                                                 = make(byteaArray, 0, n)
		vecIDs                                               []int64
		vecs                                                 []string
	)
	for i := range docs {
		if !b.isNew[i] {
			continue
		}
		d := &docs[i]
		meta, err := jsonMap(d.Meta)
		if err != nil {
			return fmt.Errorf("document %s: meta: %w", d.URL, err)
		}
		header, err := jsonHeader(d.RawHeader)
		if err != nil {
			return fmt.Errorf("document %s: headers: %w", d.URL, err)
		}
		sp, err := json.Marshal(nonNilSpans(d.CompanySpans))
		if err != nil {
			return fmt.Errorf("document %s: spans: %w", d.URL, err)
		}
		raw, err := gzipBytes(d.Raw)
		if err != nil {
			return fmt.Errorf("document %s: %w", d.URL, err)
		}
		fetchedAt := d.FetchedAt
		if fetchedAt.IsZero() {
			fetchedAt = time.Now()
		}
		pub := ""
		if d.PublishedAt != nil {
			pub = d.PublishedAt.Format(time.RFC3339Nano)
		}
		fp := prints[i]
		sh, bands := int64(fp.fp), bands(fp.fp)
		v := b.versions[i]
		ids, versions, latest = append(ids, v.ID), append(versions, int64(v.Version)), append(latest, b.latest[i])
		title, text := clean(d.Title), clean(d.Text)
		urls, titles, sourceIDs = append(urls, clean(d.URL)), append(titles, title), append(sourceIDs, sources[d.Source])
		kinds, published, fetched = append(kinds, string(d.Kind)), append(published, pub), append(fetched, fetchedAt.Format(time.RFC3339Nano))
		texts, contentHashes, metas = append(texts, text), append(contentHashes, hashes[i]), append(metas, meta)
		contentTypes, statuses, finalURLs = append(contentTypes, clean(d.ContentType)), append(statuses, int64(d.Status)), append(finalURLs, clean(d.FinalURL))
		raws, headers, rawSizes, spans = append(raws, raw), append(headers, header), append(rawSizes, int64(len(d.Raw))), append(spans, string(sp))
		hasPrint, simhashes = append(hasPrint, fp.ok), append(simhashes, sh)
		b0, b1, b2, b3 = append(b0, int64(bands[0])), append(b1, int64(bands[1])), append(b2, int64(bands[2])), append(b3, int64(bands[3]))
		if vectorsInGo && b.latest[i] {
			if vec, ok := searchVector(title, text); ok {
				vecIDs, vecs = append(vecIDs, v.ID), append(vecs, vec)
			}
		}
	}
	// The search_docs rows are inserted by the same statement, so the
	// documents' insert trigger, which fires at its end, finds them.
	_, err := tx.ExecContext(ctx, `
		WITH d AS (
		INSERT INTO documents (id, url, version, latest, title, source_id, kind, published_at, fetched_at, text,
			content_hash, meta, content_type, status, final_url, raw, raw_headers, raw_size, company_spans,
			simhash, simhash_b0, simhash_b1, simhash_b2, simhash_b3)
		SELECT id, url, version, latest, title, source_id, kind, nullif(published, '')::timestamptz,
			fetched::timestamptz, text, hash, meta::jsonb, content_type, status, final_url,
			nullif(raw, '\x'::bytea), headers::jsonb, raw_size, spans::jsonb,
			CASE WHEN fp THEN simhash END, CASE WHEN fp THEN b0 END, CASE WHEN fp THEN b1 END,
			CASE WHEN fp THEN b2 END, CASE WHEN fp THEN b3 END
		FROM unnest($1::bigint[], $2::text[], $3::int[], $4::bool[], $5::text[], $6::bigint[], $7::text[],
			$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::int[], $15::text[],
			$16::bytea[], $17::text[], $18::int[], $19::text[], $20::bool[], $21::bigint[], $22::int[],
			$23::int[], $24::int[], $25::int[])
			AS t(id, url, version, latest, title, source_id, kind, published, fetched, text, hash, meta,
				content_type, status, final_url, raw, headers, raw_size, spans, fp, simhash, b0, b1, b2, b3)
		RETURNING id, latest, coalesce(published_at, fetched_at) AS t, source_id, kind)
		INSERT INTO search_docs (id, t, source_id, kind, tsv, month)
		SELECT d.id, d.t, d.source_id, d.kind, v.tsv::tsvector, adwatch_search_month(d.t)
		FROM d JOIN unnest($26::bigint[], $27::text[]) AS v(id, tsv) ON v.id = d.id
		WHERE d.latest`,
		pq.Array(ids), textArray(urls), pq.Array(versions), pq.Array(latest), textArray(titles), pq.Array(sourceIDs),
		textArray(kinds), textArray(published), textArray(fetched), textArray(texts), textArray(contentHashes), textArray(metas),
		textArray(contentTypes), pq.Array(statuses), textArray(finalURLs), raws, textArray(headers), pq.Array(rawSizes),
		textArray(spans), pq.Array(hasPrint), pq.Array(simhashes), pq.Array(b0), pq.Array(b1), pq.Array(b2),
		pq.Array(b3), pq.Array(vecIDs), textArray(vecs))
	if err != nil {
		return fmt.Errorf("insert %d documents: %w", n, err)
	}
	return nil
}

// markLatest makes the given version of each URL its latest, and no other.
func markLatest(ctx context.Context, tx *sqlx.Tx, latest map[string]*storedVersion) error {
	if len(latest) == 0 {
		return nil
	}
	urls := make([]string, 0, len(latest))
	ids := make([]int64, 0, len(latest))
	for u, v := range latest {
		urls = append(urls, u)
		ids = append(ids, v.ID)
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE documents d SET latest = (d.id = k.id)
		FROM unnest($1::text[], $2::bigint[]) AS k(u, id)
		WHERE md5(d.url) = ANY(ARRAY(SELECT md5(u) FROM unnest($1::text[]) AS u))
			AND md5(d.url) = md5(k.u) AND d.url = k.u AND (d.latest OR d.id = k.id)
			AND d.latest IS DISTINCT FROM (d.id = k.id)`,
		pq.Array(urls), pq.Array(ids))
	if err != nil {
		return fmt.Errorf("mark latest: %w", err)
	}
	return nil
}

// crawlStates is the crawl state the batch leaves: each fetch recorded
// under the canonical URL and, when it differs, the URL the response
// finally came from (the crawler may ask about either next time); a URL
// fetched twice keeps its last fetch.
func crawlStates(docs []adwatch.Document, hashes []string) []adwatch.URLState {
	var out []adwatch.URLState
	at := make(map[string]int, len(docs))
	put := func(st adwatch.URLState) {
		u := clean(st.URL)
		if i, ok := at[u]; ok {
			out[i] = st
			return
		}
		at[u] = len(out)
		out = append(out, st)
	}
	for i := range docs {
		d := &docs[i]
		st := adwatch.URLState{
			URL: d.URL, Source: d.Source, ContentHash: hashes[i], Status: d.Status, FetchedAt: d.FetchedAt,
			ETag: d.RawHeader.Get("ETag"), LastModified: d.RawHeader.Get("Last-Modified"),
		}
		put(st)
		if d.FinalURL != "" && d.FinalURL != d.URL {
			st.URL = d.FinalURL
			put(st)
		}
	}
	return out
}

// saveCompanies records the companies named by the batch's new documents,
// one row per document and name, in one statement.
func saveCompanies(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document, b *batch) error {
	var ids, mentions []int64
	var names []string
	for i := range docs {
		if !b.isNew[i] || len(docs[i].Companies) == 0 {
			continue
		}
		// One row per name: the primary key would refuse a repeated name.
		count := make(map[string]int, len(docs[i].Companies))
		first := len(names)
		for _, c := range docs[i].Companies {
			n := clean(c.Name)
			if n == "" {
				continue
			}
			if _, ok := count[n]; !ok {
				names = append(names, n)
				ids = append(ids, b.versions[i].ID)
			}
			count[n] += max(c.Mentions, 1)
		}
		for _, n := range names[first:] {
			mentions = append(mentions, int64(count[n]))
		}
	}
	if len(names) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO document_companies (document_id, name, mentions)
		SELECT d, n, m FROM unnest($1::bigint[], $2::text[], $3::int[]) AS t(d, n, m)`,
		pq.Array(ids), pq.Array(names), pq.Array(mentions))
	if err != nil {
		return fmt.Errorf("companies: %w", err)
	}
	return nil
}

// docMatches is one document's advertiser matches, for saveMatches.
type docMatches struct {
	docID   int64
	story   int64 // the document's story (an earlier near-duplicate's); 0: none or its own
	matches []adwatch.Match
}

// saveMatches records each document's matches and raises an alert for each
// active advertiser among them, returning per document the ids of the alerts
// created (an alert that already existed for the pair is not created again).
// When a document belongs to a story (story != 0) and the advertiser already
// has an alert on that story, the document is attached to that alert
// instead: one story, one alert. Matches naming an advertiser that is not in
// the database are ignored: extraction may have used another list.
//
// The result is that of saving the documents one by one, in order, in at
// most two statements whatever the batch's size: first every match, with the
// alert or attachment of the first document of each story and advertiser;
// then the later documents of those stories, which by then find the first
// one's alert. (One statement cannot do both: it does not see the alerts it
// inserts itself.)
func saveMatches(ctx context.Context, tx *sqlx.Tx, docs []docMatches, rescreen bool) ([][]int64, error) {
	var first, later matchRows
	type pair struct {
		story int64
		adv   string
	}
	seen := map[pair]bool{}
	for i, d := range docs {
		story := d.story
		if story == 0 {
			story = d.docID // a story's first document is the story
		}
		for _, m := range bestMatches(d.matches) {
			k := pair{story, m.AdvertiserID}
			if d.story != 0 && seen[k] {
				later.add(i, d, m)
				continue
			}
			seen[k] = true
			first.add(i, d, m)
		}
	}
	out := make([][]int64, len(docs))
	for _, rows := range []*matchRows{&first, &later} {
		if len(rows.docs) == 0 {
			continue
		}
		if err := rows.save(ctx, tx, rescreen, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// matchRows are matches to save in one statement, as parallel arrays.
type matchRows struct {
	index                  []int // into saveMatches' docs
	docs, stories          []int64
	advs, aliases, reasons []string
	snippets               []string
	scores                 []float64
	starts, ends, mentions []int64
}

func (r *matchRows) add(i int, d docMatches, m adwatch.Match) {
	reasons, _ := json.Marshal(cleanAll(m.Reasons)) // strings always encode
	r.index, r.docs, r.stories = append(r.index, i), append(r.docs, d.docID), append(r.stories, d.story)
	r.advs, r.aliases, r.reasons = append(r.advs, m.AdvertiserID), append(r.aliases, clean(m.Alias)), append(r.reasons, string(reasons))
	r.snippets, r.scores = append(r.snippets, clean(m.Snippet)), append(r.scores, m.Score)
	r.starts, r.ends, r.mentions = append(r.starts, int64(m.Start)), append(r.ends, int64(m.End)), append(r.mentions, int64(m.Mentions))
}

// save inserts the rows' matches, attaches each row whose story already has
// an alert for its advertiser to the earliest such alert, and raises an
// alert for the others whose advertiser is active. The ids of the alerts
// created are appended to created, by document.
func (r *matchRows) save(ctx context.Context, tx *sqlx.Tx, rescreen bool, created [][]int64) error {
	rows, err := tx.QueryContext(ctx, `
		WITH adv AS (
			SELECT k.*, ARRAY(SELECT jsonb_array_elements_text(k.reasons_json::jsonb)) AS reasons, a.id AS aid, a.active
			FROM unnest($1::bigint[], $2::text[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::int[],
				$8::int[], $9::int[], $10::bigint[]) WITH ORDINALITY
				AS k(doc, ext, alias, score, reasons_json, snippet, so, eo, mentions, story, ord)
			JOIN advertisers a ON a.ext_id = k.ext),
		m AS (
			INSERT INTO document_matches (document_id, advertiser_id, alias, score, reasons, snippet,
				start_offset, end_offset, mentions)
			SELECT doc, aid, alias, score, reasons, snippet, so, eo, mentions
			FROM adv ORDER BY ord
			ON CONFLICT (document_id, advertiser_id) DO NOTHING),
		story AS (
			SELECT adv.ord, adv.doc, (
				SELECT al.id FROM documents d JOIN alerts al ON al.document_id = d.id
				WHERE (d.story_id = adv.story OR d.id = adv.story) AND al.advertiser_id = adv.aid
					AND al.document_id <> adv.doc
				ORDER BY al.id LIMIT 1) AS alert
			FROM adv WHERE adv.story <> 0 AND adv.active),
		attached AS (
			INSERT INTO alert_documents (alert_id, document_id)
			SELECT alert, doc FROM story WHERE alert IS NOT NULL
			ON CONFLICT DO NOTHING),
		raised AS (
			INSERT INTO alerts (advertiser_id, document_id, alias, score, reasons, snippet, rescreen)
			SELECT adv.aid, adv.doc, adv.alias, adv.score, adv.reasons, adv.snippet, $11
			FROM adv LEFT JOIN story ON story.ord = adv.ord
			WHERE adv.active AND story.alert IS NULL
			ORDER BY adv.ord
			ON CONFLICT (advertiser_id, document_id) DO NOTHING
			RETURNING id, advertiser_id, document_id)
		SELECT adv.ord, raised.id FROM raised JOIN adv ON adv.aid = raised.advertiser_id AND adv.doc = raised.document_id
		ORDER BY adv.ord`,
		pq.Array(r.docs), pq.Array(r.advs), pq.Array(r.aliases), pq.Array(r.scores), pq.Array(r.reasons),
		pq.Array(r.snippets), pq.Array(r.starts), pq.Array(r.ends), pq.Array(r.mentions), pq.Array(r.stories), rescreen)
	if err != nil {
		return fmt.Errorf("save %d matches: %w", len(r.docs), err)
	}
	defer rows.Close()
	for rows.Next() {
		var ord, id int64
		if err := rows.Scan(&ord, &id); err != nil {
			return fmt.Errorf("save %d matches: %w", len(r.docs), err)
		}
		i := r.index[ord-1]
		created[i] = append(created[i], id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("save %d matches: %w", len(r.docs), err)
	}
	return nil
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
