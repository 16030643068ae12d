package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lib/pq"

	"adwatch"
)

// SearchQuery asks the archive for documents. Q takes web-search syntax
// (words, "exact phrase", -exclude, or). Advertiser is a CSV id or a name;
// Company forgives misspellings. From and To bound the publication date
// (fetch date when unknown), both inclusive.
type SearchQuery struct {
	Q          string
	Kind       adwatch.Kind
	Source     string
	Advertiser string
	Company    string
	From, To   time.Time
	Limit      int // default 20, at most 100
	Cursor     string
	// RankWindow is how many of the newest matching documents are ranked
	// by relevance (default and at most 500). Ranking reads every
	// candidate's full tsvector, so ranking all matches of a common word in
	// a million documents would take seconds; beyond the window, pages go
	// on newest first, so every match is still reachable.
	RankWindow int
}

// SearchHit is one document found. Snippet is HTML: escaped text with the
// query's words in <mark></mark>.
type SearchHit struct {
	ID          int64        `json:"id"`
	URL         string       `json:"url"`
	Title       string       `json:"title"`
	Source      string       `json:"source"`
	Kind        adwatch.Kind `json:"kind"`
	PublishedAt *time.Time   `json:"published_at"`
	FetchedAt   time.Time    `json:"fetched_at"`
	Snippet     string       `json:"snippet"`
	Advertisers []string     `json:"advertisers"`
	Rank        float64      `json:"rank"`
}

// SearchResult is one page of hits. NextCursor is empty on the last page.
// Facets counts the hits of the query (every page) by "source", "kind" and
// "advertiser": all of them, or when FacetsLimited the newest FacetWindow
// of them (counting every hit of a common word costs a scan of the archive).
type SearchResult struct {
	Results       []SearchHit               `json:"results"`
	NextCursor    string                    `json:"next_cursor"`
	Facets        map[string]map[string]int `json:"facets,omitempty"`
	FacetsLimited bool                      `json:"facets_limited,omitempty"`
}

// FacetWindow bounds the hits that facets count, newest first, for queries
// without words; with words, facets count the rank window.
const FacetWindow = 2000

// rankWindow is the default and maximum SearchQuery.RankWindow.
const rankWindow = 500

const (
	maxQueryBytes = 4096
	// Ranking and headlines grow steeply with the number of query terms
	// (400 terms take seconds): a query is a handful of words, not a page.
	maxQueryWords = 64
	// Private-use characters mark ts_headline's matches; whatever the text
	// contains, markSnippet turns them into balanced <mark> tags.
	markStart = "\ue000"
	markStop  = "\ue001"
	// ts_headline reads the whole text it is given: cap it.
	headlineChars = 100000
)

// cursor is the sort key of the last hit of a page. Tail marks a ranked
// query's pages beyond its rank window: newest first from Time, ID.
type cursor struct {
	Ranked bool      `json:"r,omitempty"`
	Tail   bool      `json:"w,omitempty"`
	Rank   float64   `json:"k,omitempty"`
	Time   time.Time `json:"t"`
	ID     int64     `json:"i"`
}

// Search runs q over the latest version of every archived document: ranked
// by relevance when q.Q has words (the newest RankWindow matches; older
// matches follow newest first), newest first otherwise, paged by keyset.
// Bad input (a cursor it did not make, invalid UTF-8, an oversized query, an
// unknown kind) is adwatch.ErrInvalid, never a database error.
func (db *DB) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	w, err := searchWhere(q)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
	}
	if q.Advertiser != "" && !w.ranked {
		if err := db.byAdvertiser(ctx, w, q.Advertiser); err != nil {
			return SearchResult{}, fmt.Errorf("search: %w", err)
		}
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, 100)
	var after *cursor
	if q.Cursor != "" {
		if after, err = decodeCursor(q.Cursor, w.ranked); err != nil {
			return SearchResult{}, fmt.Errorf("search: %w", err)
		}
	}
	window := q.RankWindow
	if window <= 0 || window > rankWindow {
		window = rankWindow
	}
	if w.ranked && (after == nil || !after.Tail) {
		res, err := db.rankedPage(ctx, w, after, limit, window)
		if err != nil {
			return SearchResult{}, fmt.Errorf("search: %w", err)
		}
		return res, nil
	}
	// Below a ranked query's window, facets still describe the window.
	facetWindow := FacetWindow
	if w.ranked {
		facetWindow = window
	}
	res, err := db.newestPage(ctx, w, after, limit, facetWindow)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
	}
	if len(res.Results) == 0 && after != nil {
		// Past the last page: no row carried the facets.
		if res.Facets, res.FacetsLimited, err = db.facets(ctx, w, facetWindow); err != nil {
			return SearchResult{}, fmt.Errorf("search: %w", err)
		}
	}
	return res, nil
}

func sortTime(h SearchHit) time.Time {
	if h.PublishedAt != nil {
		return *h.PublishedAt
	}
	return h.FetchedAt
}

// where is the filtering part of a search, shared by the page and the facets.
type where struct {
	conds  []string
	args   []any
	ranked bool
	// docs is the table d of the newest-first statements: search_docs, or
	// advertiser_docs for one advertiser's documents (see byAdvertiser).
	docs string
	// advCond indexes the advertiser condition in conds (-1: none),
	// advArg its parameter in args.
	advCond, advArg int
	dated           bool // bounded by From or To
	// from and to are the date bounds (zero when absent); dateConds
	// indexes their conditions in conds.
	from, to  time.Time
	dateConds []int
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return "true"
	}
	return strings.Join(w.conds, " AND ")
}

func searchWhere(q SearchQuery) (*where, error) {
	if len(q.Q) > maxQueryBytes {
		return nil, fmt.Errorf("query longer than %d bytes: %w", maxQueryBytes, adwatch.ErrInvalid)
	}
	if !utf8.ValidString(q.Q) {
		return nil, fmt.Errorf("query is not valid UTF-8: %w", adwatch.ErrInvalid)
	}
	words := strings.FieldsFunc(q.Q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(words) > maxQueryWords {
		return nil, fmt.Errorf("query has more than %d words: %w", maxQueryWords, adwatch.ErrInvalid)
	}
	if q.Kind != "" && !q.Kind.Valid() {
		return nil, fmt.Errorf("unknown kind %q: %w", q.Kind, adwatch.ErrInvalid)
	}
	// d is search_docs: latest documents only.
	w := &where{docs: "search_docs", advCond: -1}
	// When there are words, they are $1: ranking and snippets refer to it.
	text := strings.TrimSpace(strings.ReplaceAll(q.Q, "\x00", " "))
	if text != "" {
		w.ranked = true
		w.arg(text)
		w.conds = append(w.conds, tsMatch)
	}
	if q.Kind != "" {
		w.conds = append(w.conds, "d.kind = "+w.arg(string(q.Kind)))
	}
	if q.Source != "" {
		// By key, so that a statement needs sources only for names.
		w.conds = append(w.conds, "d.source_id = ANY (ARRAY(SELECT s.id FROM sources s WHERE s.name = "+w.arg(clean(q.Source))+"))")
	}
	if q.Advertiser != "" {
		p := w.arg(clean(q.Advertiser))
		w.advCond, w.advArg = len(w.conds), len(w.args)-1
		// Advertiser ids first, so both lists come from (advertiser,
		// document) indexes; an array (computed once), so the planner
		// looks its few thousand documents up by key rather than hashing
		// them against a scan of the whole archive (it cannot estimate
		// the size of the union).
		w.conds = append(w.conds, `d.id = ANY (ARRAY(
			SELECT al.document_id FROM alerts al WHERE al.advertiser_id IN (
				SELECT a.id FROM advertisers a WHERE a.ext_id = `+p+` OR lower(a.name) = lower(`+p+`))
			UNION
			SELECT m.document_id FROM document_matches m WHERE m.advertiser_id IN (
				SELECT a.id FROM advertisers a WHERE a.ext_id = `+p+` OR lower(a.name) = lower(`+p+`))))`)
	}
	if c := strings.TrimSpace(clean(q.Company)); c != "" {
		p := w.arg(c)
		w.conds = append(w.conds, `EXISTS (SELECT 1 FROM document_companies c
			WHERE c.document_id = d.id AND (c.name % `+p+` OR `+p+` <% c.name))`)
	}
	if !q.From.IsZero() {
		w.dateConds = append(w.dateConds, len(w.conds))
		w.conds = append(w.conds, "d.t >= "+w.arg(q.From))
		w.dated, w.from = true, q.From
	}
	if !q.To.IsZero() {
		w.dateConds = append(w.dateConds, len(w.conds))
		w.conds = append(w.conds, "d.t <= "+w.arg(q.To))
		w.dated, w.to = true, q.To
	}
	return w, nil
}

// byAdvertiser lists the documents of an advertiser filter from
// advertiser_docs when it names one advertiser (by CSV id or name): newest
// first from its index, where search_docs would look up every one of the
// advertiser's documents to sort them. Queries with words keep search_docs:
// their window comes from the full-text index.
func (db *DB) byAdvertiser(ctx context.Context, w *where, advertiser string) error {
	var ids []int64
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM advertisers WHERE ext_id = $1 OR lower(name) = lower($1)`, clean(advertiser))
	if err != nil {
		return fmt.Errorf("advertiser: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return fmt.Errorf("advertiser: %w", err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("advertiser: %w", err)
	}
	if len(ids) != 1 || w.advCond < 0 {
		return nil
	}
	// The advertiser's parameter becomes its key.
	w.docs = "advertiser_docs"
	w.args[w.advArg] = ids[0]
	w.conds[w.advCond] = "d.advertiser_id = $" + strconv.Itoa(w.advArg+1) + "::bigint"
	return nil
}

func (w *where) clone() *where {
	c := *w
	c.conds = append([]string(nil), w.conds...)
	c.args = append([]any(nil), w.args...)
	return &c
}

const (
	tsMatch = "d.tsv @@ websearch_to_tsquery('english', $1)"
	// newestKey is the sort date in search_docs (the choosing CTEs),
	// docKey the same date in documents (the page shown).
	newestKey = "d.t"
	docKey    = "coalesce(d.published_at, d.fetched_at)"
	rankExpr  = "ts_rank(d.tsv, websearch_to_tsquery('english', $1), 1)::float8"
)

// pageSelect shows a page chosen by the CTE p (columns id, rank): snippets
// and advertisers are computed for the page's rows only. extra columns and
// joins come from the caller's other CTEs.
func pageSelect(ranked bool, with, extraCols, extraFrom, order string) string {
	snippet := "left(d.text, 300)"
	if ranked {
		snippet = `ts_headline('english',
			translate(left(d.text, ` + strconv.Itoa(headlineChars) + `), '` + markStart + markStop + `', ''),
			websearch_to_tsquery('english', $1),
			'StartSel=` + markStart + `, StopSel=` + markStop + `, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "')`
	}
	return with + `
		SELECT d.id, d.url, d.title, s.name, d.kind, d.published_at, d.fetched_at, p.rank,
			` + snippet + ` AS snippet,
			ARRAY(SELECT a.name FROM alerts al JOIN advertisers a ON a.id = al.advertiser_id
				WHERE al.document_id = d.id ORDER BY a.name) AS advertisers` + extraCols + `
		FROM p JOIN documents d ON d.id = p.id JOIN sources s ON s.id = d.source_id` + extraFrom + `
		ORDER BY ` + order
}

// rankedPage ranks the newest window matches by relevance and returns the
// page after the cursor, with facets counted over the same window (one pass
// over the candidates). When the window was full and this is its last page,
// the next cursor goes on newest first below the window's oldest member.
func (db *DB) rankedPage(ctx context.Context, base *where, after *cursor, limit, window int) (SearchResult, error) {
	// The candidates are the window, found through the full-text index or
	// by walking the newest-first index, whichever the planner expects to
	// be cheaper. Reading a tsvector is the expensive step (it is stored
	// out of line), so only the window's are read.
	//
	// PostgreSQL costs that read as one operator call, so left alone it
	// walks the newest-first index for a word in 4% of the documents and
	// reads 25 tsvectors per candidate; chooseBitmap corrects that.
	est, err := db.chooseBitmap(ctx, base, window)
	if err != nil {
		return SearchResult{}, err
	}
	if base.dated && est.bitmap {
		// The date range, as months ANDed with the words inside the
		// full-text index, and hidden from the date index: beside it, the
		// planner would read every document of the range and test its
		// tsvector.
		months, ok, err := db.rangeMonths(ctx, base.from, base.to)
		if err != nil {
			return SearchResult{}, err
		}
		w := base.clone()
		for _, i := range w.dateConds {
			w.conds[i] = strings.Replace(w.conds[i], "d.t ", "(d.t + interval '0 s') ", 1)
		}
		if !ok {
			months = ""
		}
		res, _, err := db.rankedWindow(ctx, w, after, limit, window, true, months)
		return res, err
	}
	if !base.dated {
		// A word in thousands of documents: its newest window lies in
		// the last few months, so the full-text index ANDs the word with
		// those months and only their matches are fetched (no tsvector
		// read), whether or not walking would beat fetching every match.
		// Were the estimate wrong and the bounded window not full, the
		// unbounded query decides.
		months, ok, err := db.recentMonths(ctx, est, window)
		if err != nil {
			return SearchResult{}, err
		}
		if ok {
			res, full, err := db.rankedWindow(ctx, base, after, limit, window, true, months)
			if err != nil || full {
				return res, err
			}
		}
	}
	res, _, err := db.rankedWindow(ctx, base, after, limit, window, est.bitmap, "")
	return res, err
}

// cutoffSlack is how many times more of the newest documents than the
// estimate says hold a window's matches the date bound lets through.
const cutoffSlack = 3

// maxMonths bounds the months a bounded window ORs together.
const maxMonths = 120

// recentMonths returns a tsquery ORing the months (search_docs.month) from
// that of the k-th newest document to that of the newest, where the newest
// k should hold cutoffSlack windows of matches; ok is false when that is
// most of the archive anyway. Both dates come from the newest-first index.
func (db *DB) recentMonths(ctx context.Context, est estimate, window int) (string, bool, error) {
	if est.matches < 1 {
		return "", false, nil
	}
	k := cutoffSlack * float64(window) * est.docs / est.matches
	if k > est.docs/4 {
		return "", false, nil
	}
	var from, to *time.Time
	err := db.db.QueryRowContext(ctx, `SELECT (SELECT t FROM search_docs ORDER BY t DESC, id DESC OFFSET $1 LIMIT 1),
		(SELECT max(t) FROM search_docs)`, int64(k)).Scan(&from, &to)
	if err != nil {
		return "", false, fmt.Errorf("recent months: %w", err)
	}
	if from == nil || to == nil {
		return "", false, nil
	}
	return monthQuery(*from, *to)
}

// rangeMonths returns a tsquery ORing the months from from to to (the
// archive's first or last document's when zero); ok is false when they are
// more than maxMonths.
func (db *DB) rangeMonths(ctx context.Context, from, to time.Time) (string, bool, error) {
	if from.IsZero() || to.IsZero() {
		var first, last *time.Time
		if err := db.db.QueryRowContext(ctx, `SELECT min(t), max(t) FROM search_docs`).Scan(&first, &last); err != nil {
			return "", false, fmt.Errorf("range months: %w", err)
		}
		if first == nil || last == nil {
			return "", false, nil
		}
		if from.IsZero() {
			from = *first
		}
		if to.IsZero() {
			to = *last
		}
	}
	return monthQuery(from, to)
}

// monthQuery ORs the month lexemes (search_docs.month) from from to to.
func monthQuery(from, to time.Time) (string, bool, error) {
	var months []string
	m := time.Date(from.UTC().Year(), from.UTC().Month(), 1, 0, 0, 0, 0, time.UTC)
	for ; !m.After(to) && len(months) <= maxMonths; m = m.AddDate(0, 1, 0) {
		months = append(months, m.Format("m200601"))
	}
	if len(months) == 0 || len(months) > maxMonths {
		return "", false, nil
	}
	return strings.Join(months, " | "), true, nil
}

// rankedWindow is rankedPage for one way of finding the window, bounded
// to the months of a tsquery when it is not empty; full reports a full
// window.
func (db *DB) rankedWindow(ctx context.Context, base *where, after *cursor, limit, window int, bitmap bool, months string) (_ SearchResult, full bool, _ error) {
	w := base.clone()
	if months != "" {
		w.conds = append(w.conds, "d.month @@ "+w.arg(months)+"::tsquery")
	}
	keyset := "true"
	if after != nil {
		r, id := w.arg(after.Rank), w.arg(after.ID)
		keyset = "(r.rank < " + r + " OR (r.rank = " + r + " AND r.id < " + id + "))"
	}
	order := newestKey + " DESC, d.id DESC"
	if bitmap {
		// Hide the newest-first index (the sort key gets "+ 0 seconds"):
		// the full-text index finds the matches, sorted by date without
		// reading their tsvectors.
		order = "(" + newestKey + " + interval '0 s') DESC, d.id DESC"
	}
	// Ranking comes after the LIMIT, so only the window's tsvectors are read
	// for it. The window carries each tsvector's out-of-line pointer, not
	// its value: ranking reads it without looking the row up again. Source
	// names are joined to the window only, not to every match it is chosen
	// from.
	with := `WITH w AS MATERIALIZED (
			SELECT d.id, ` + newestKey + ` AS t, d.kind, d.source_id, d.tsv
			FROM search_docs d
			WHERE ` + w.sql() + ` ORDER BY ` + order + ` LIMIT ` + w.arg(window) + `),
		c AS MATERIALIZED (
			SELECT w.id, w.t, w.kind, s.name AS source, ts_rank(w.tsv, websearch_to_tsquery('english', $1), 1)::float8 AS rank
			FROM w JOIN sources s ON s.id = w.source_id),
		p AS (SELECT r.id, r.rank FROM c r WHERE ` + keyset + ` ORDER BY r.rank DESC, r.id DESC LIMIT ` + w.arg(limit+1) + `),
		e AS (SELECT count(*) AS n,
			(SELECT coalesce(jsonb_object_agg(source, k), '{}') FROM (SELECT source, count(*) AS k FROM c GROUP BY source) x) AS sources,
			(SELECT coalesce(jsonb_object_agg(kind, k), '{}') FROM (SELECT kind, count(*) AS k FROM c GROUP BY kind) x) AS kinds,
			(SELECT coalesce(jsonb_object_agg(name, k), '{}') FROM (
				SELECT name, count(*) AS k FROM (SELECT DISTINCT a.name, h.id FROM ` + w.alertedBy("c", true) + `) y GROUP BY name) x) AS advertisers
			FROM c),
		o AS (SELECT c.t, c.id FROM c ORDER BY c.t, c.id LIMIT 1)`
	query := pageSelect(true, with, ", e.n, e.sources, e.kinds, e.advertisers, o.t, o.id",
		" CROSS JOIN e CROSS JOIN o", "p.rank DESC, d.id DESC")
	var n int
	var sources, kinds, ads []byte
	var edge cursor
	// search_docs is narrow, so a plain scan testing every row's tsvector
	// (or its month first) looks cheap to the planner up to some ten
	// thousand documents, and reads a tsvector per document: rule it out
	// for this statement.
	tx, err := db.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return SearchResult{}, false, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		return SearchResult{}, false, err
	}
	hits, err := db.scanHits(ctx, tx, true, query, w.args, &n, &sources, &kinds, &ads, &edge.Time, &edge.ID)
	if err != nil {
		return SearchResult{}, false, err
	}
	res := SearchResult{Results: hits, FacetsLimited: n >= window}
	if len(hits) > 0 {
		res.Facets = map[string]map[string]int{}
		for name, js := range map[string][]byte{"source": sources, "kind": kinds, "advertiser": ads} {
			var counts map[string]int
			if err := json.Unmarshal(js, &counts); err != nil {
				return SearchResult{}, false, fmt.Errorf("facets: %w", err)
			}
			if len(counts) > 0 {
				res.Facets[name] = counts
			}
		}
	}
	switch {
	case len(hits) > limit:
		res.Results = hits[:limit]
		last := res.Results[limit-1]
		res.NextCursor = encodeCursor(cursor{Ranked: true, Rank: last.Rank, Time: sortTime(last), ID: last.ID})
	case len(hits) > 0 && n >= window:
		edge.Ranked, edge.Tail = true, true
		res.NextCursor = encodeCursor(edge)
	}
	return res, n >= window, nil
}

// estimate is what chooseBitmap learned: the planner's count of matches
// (documents holding all the words) and of documents.
type estimate struct {
	bitmap        bool
	matches, docs float64
}

// chooseBitmap decides how a ranked query finds its window of newest
// matches: all matches through the full-text index (each costs a fetch of
// a narrow search_docs row, about a hundredth of a tsvector read, but a
// phrase costs a tsvector read per document holding its words), or walking
// the newest-first index until the window is full (a tsvector read per
// document walked). With E estimated matches among N documents, the walk
// reads about window*N/E tsvectors, so the index wins when
// E*E < 100*window*N for words, E*E < window*N for phrases. PostgreSQL's
// estimate of E is good; its costing of the tsvector reads is not. Only
// words (not phrases) get a date bound (see recentMonths): a phrase is rarer
// than its words, so a bound sized for the words would come up short.
func (db *DB) chooseBitmap(ctx context.Context, w *where, window int) (estimate, error) {
	var n float64
	var phrase bool
	var tsq string
	if err := db.db.QueryRowContext(ctx, `SELECT reltuples, websearch_to_tsquery('english', $1)::text LIKE '%<->%',
		websearch_to_tsquery('english', $1)::text
		FROM pg_class WHERE oid = 'search_docs'::regclass`, w.args[0]).Scan(&n, &phrase, &tsq); err != nil {
		return estimate{}, fmt.Errorf("estimate: %w", err)
	}
	if n < 0 { // never analyzed: small
		return estimate{bitmap: true}, nil
	}
	and := strings.Replace(w.sql(), tsMatch, "d.tsv @@ replace(websearch_to_tsquery('english', $1)::text, '<->', '&')::tsquery", 1)
	query := "SELECT d.id FROM search_docs d JOIN sources s ON s.id = d.source_id WHERE " + and
	args := w.args
	// PostgreSQL multiplies the frequencies of words it ANDs, as if
	// independent; the words of a name ("china telecom") go together, so
	// their product can be a hundredth of the truth, and a window bounded
	// on it would be most of the archive. The rarest word's count is an
	// upper bound: the estimate is scaled down to it from the product.
	lexemes := andedLexemes(tsq)
	if !phrase && len(lexemes) > 1 {
		args = append([]any(nil), w.args...)
		for _, q := range append([]string{tsq}, lexemes...) {
			args = append(args, q)
			query += " UNION ALL SELECT id FROM search_docs WHERE tsv @@ $" + strconv.Itoa(len(args)) + "::tsquery"
		}
	}
	var plan []byte
	if err := db.db.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+query, args...).Scan(&plan); err != nil {
		return estimate{}, fmt.Errorf("estimate: %w", err)
	}
	type node struct {
		Rows  float64 `json:"Plan Rows"`
		Plans []node  `json:"Plans"`
	}
	var p []struct{ Plan node }
	if err := json.Unmarshal(plan, &p); err != nil || len(p) == 0 {
		return estimate{}, fmt.Errorf("estimate: unreadable plan: %v", err)
	}
	e := p[0].Plan.Rows
	if parts := p[0].Plan.Plans; len(args) > len(w.args) && len(parts) == 2+len(lexemes) {
		e = parts[0].Rows
		if product := parts[1].Rows; product >= 1 {
			rarest := parts[2].Rows
			for _, part := range parts[3:] {
				rarest = min(rarest, part.Rows)
			}
			e = max(e, e*rarest/product)
		}
	}
	factor := 100.0
	if phrase {
		factor = 1
	}
	est := estimate{bitmap: e*e < factor*float64(window)*n, docs: n}
	if !phrase {
		est.matches = e
	}
	return est, nil
}

// andedLexemes returns the lexemes of a tsquery (its text form) that are
// only ANDed words, such as 'china' & 'telecom' & !'mobil' (negated words
// are left out: they only remove matches); nil for anything else (or,
// phrases, prefixes, weights).
func andedLexemes(tsq string) []string {
	var out []string
	for _, part := range strings.Split(tsq, " & ") {
		if strings.HasPrefix(part, "!") {
			continue
		}
		if len(part) < 3 || part[0] != '\'' || part[len(part)-1] != '\'' ||
			strings.Contains(strings.ReplaceAll(part[1:len(part)-1], "''", ""), "'") {
			return nil
		}
		out = append(out, part)
	}
	if len(out) > maxQueryWords {
		return nil
	}
	return out
}

// newestPage lists matches newest first: queries without words, and ranked
// queries below their rank window (their hits still carry a rank). The
// facets over the newest facetWindow hits come in the same statement, and
// a first page is taken from those hits rather than found again.
func (db *DB) newestPage(ctx context.Context, base *where, after *cursor, limit, facetWindow int) (SearchResult, error) {
	w := base.clone()
	all := w.sql()
	fw := w.arg(facetWindow)
	// Hits are numbered in their order (n), so the window and the first
	// page are taken from them without sorting them again.
	with := `WITH hits AS MATERIALIZED (
			SELECT d.id, ` + newestKey + ` AS t, ` + w.hitCols() + `,
				row_number() OVER (ORDER BY ` + newestKey + ` DESC, d.id DESC) AS n
			FROM ` + w.docs + ` d JOIN sources s ON s.id = d.source_id
			WHERE ` + all + ` ORDER BY ` + newestKey + ` DESC, d.id DESC LIMIT ` + fw + ` + 1),
		win AS (SELECT * FROM hits WHERE n <= ` + fw + `),`
	// The facets come from one aggregate over the window: its hits counted
	// by source, kind and (from advertiser_docs) alerted advertisers, a few
	// dozen groups that facetGroups adds up. Elsewhere the advertiser facet
	// is a join of its own.
	alerted, ads := "'{}'::bigint[]", `(SELECT coalesce(jsonb_object_agg(name, k), '{}') FROM (
				SELECT name, count(*) AS k FROM (SELECT DISTINCT a.name, h.id FROM `+w.alertedBy("win", false)+`) y GROUP BY name) x)`
	if w.docs == "advertiser_docs" {
		alerted, ads = "alerted", "'{}'::jsonb"
	}
	with += `
		f AS (SELECT EXISTS (SELECT FROM hits WHERE n > ` + fw + `) AS more,
			(SELECT coalesce(jsonb_agg(jsonb_build_array(g.source, g.kind,
				ARRAY(SELECT DISTINCT a.name FROM advertisers a WHERE a.id = ANY (g.alerted)), g.k)), '[]')
			FROM (SELECT source, kind, ` + alerted + ` AS alerted, count(*) AS k FROM win GROUP BY 1, 2, 3) g) AS groups,
			` + ads + ` AS advertisers),`
	rank := "0::float8"
	if w.ranked {
		rank = rankExpr
	}
	// The LIMIT keeps the page's choice from being flattened into the outer
	// query, so snippets are made for its rows only.
	if after == nil && !w.ranked && limit < facetWindow {
		with += `
		p AS (SELECT h.id, 0::float8 AS rank FROM hits h WHERE h.n <= ` + w.arg(limit+1) + ` ORDER BY h.n LIMIT ` + w.arg(limit+1) + `)`
	} else {
		if after != nil {
			w.conds = append(w.conds, "("+newestKey+", d.id) < ("+w.arg(after.Time)+"::timestamptz, "+w.arg(after.ID)+"::bigint)")
		}
		with += `
		p AS (SELECT d.id, ` + rank + ` AS rank FROM ` + w.docs + ` d JOIN sources s ON s.id = d.source_id
			WHERE ` + w.sql() + ` ORDER BY ` + newestKey + ` DESC, d.id DESC LIMIT ` + w.arg(limit+1) + `)`
	}
	var more bool
	var groups, adCounts []byte
	hits, err := db.scanHits(ctx, db.db, w.ranked, pageSelect(w.ranked, with, ", f.more, f.groups, f.advertisers",
		" CROSS JOIN f", docKey+" DESC, d.id DESC"), w.args, &more, &groups, &adCounts)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Results: hits, FacetsLimited: more}
	if len(hits) > 0 {
		if res.Facets, err = facetGroups(groups, adCounts); err != nil {
			return SearchResult{}, err
		}
	}
	if len(hits) > limit {
		res.Results = hits[:limit]
		last := res.Results[limit-1]
		res.NextCursor = encodeCursor(cursor{Ranked: w.ranked, Tail: w.ranked, Time: sortTime(last), ID: last.ID})
	}
	return res, nil
}

// alertedBy joins each hit of a facet window (h) to the advertisers its
// alerts name (a). advertiser_docs carries them (alerted). A ranked window
// (at most rankWindow hits) looks each hit's alerts up by its id: joined as
// tables, the planner hashes every alert of the archive (25,000 at a million
// documents) for a window of a few hundred. For the newest-first window
// (FacetWindow hits) the plain join is left to the planner: a subquery per
// hit costs more than hashing a small archive's alerts.
func (w *where) alertedBy(window string, ranked bool) string {
	switch {
	case w.docs == "advertiser_docs":
		return window + ` h CROSS JOIN unnest(h.alerted) AS x(advertiser_id)
		JOIN advertisers a ON a.id = x.advertiser_id`
	case ranked:
		return window + ` h CROSS JOIN LATERAL unnest(ARRAY(
			SELECT al.advertiser_id FROM alerts al WHERE al.document_id = h.id)) AS x(advertiser_id)
		JOIN advertisers a ON a.id = x.advertiser_id`
	}
	return window + ` h JOIN alerts al ON al.document_id = h.id JOIN advertisers a ON a.id = al.advertiser_id`
}

// hitCols are the columns of a newest-first window's hits beyond id and t.
func (w *where) hitCols() string {
	if w.docs == "advertiser_docs" {
		return "d.kind, s.name AS source, d.alerted"
	}
	return "d.kind, s.name AS source"
}

// facetGroups adds up a window's hits counted by source, kind and the
// names of the advertisers they alerted ([source, kind, [name...], count]
// each), plus advertiser counts made apart (an object); nil when there are
// none. A hit counts once for each name of its group.
func facetGroups(groups, ads []byte) (map[string]map[string]int, error) {
	var gs [][4]json.RawMessage
	if err := json.Unmarshal(groups, &gs); err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	var counts map[string]int
	if err := json.Unmarshal(ads, &counts); err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	out := map[string]map[string]int{"source": {}, "kind": {}, "advertiser": {}}
	for name, n := range counts {
		out["advertiser"][name] += n
	}
	for _, g := range gs {
		var source, kind string
		var names []string
		var n int
		for i, dst := range []any{&source, &kind, &names, &n} {
			if err := json.Unmarshal(g[i], dst); err != nil {
				return nil, fmt.Errorf("facets: %w", err)
			}
		}
		out["source"][source] += n
		out["kind"][kind] += n
		for _, name := range names {
			out["advertiser"][name] += n
		}
	}
	for name, m := range out {
		if len(m) == 0 {
			delete(out, name)
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// queryer is a *sql.DB or a *sql.Tx.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (db *DB) scanHits(ctx context.Context, q queryer, ranked bool, query string, args []any, extra ...any) ([]SearchHit, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	hits := []SearchHit{}
	for rows.Next() {
		var h SearchHit
		var kind, snip string
		var published *time.Time
		var advertisers pq.StringArray
		dest := append([]any{&h.ID, &h.URL, &h.Title, &h.Source, &kind, &published, &h.FetchedAt,
			&h.Rank, &snip, &advertisers}, extra...)
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		h.Kind = adwatch.Kind(kind)
		h.PublishedAt = published
		h.Advertisers = nonNilStrings(advertisers)
		if ranked {
			h.Snippet = markSnippet(snip)
		} else {
			h.Snippet = leadSnippet(snip)
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

// facets counts the newest window hits; limited reports that there were
// more.
func (db *DB) facets(ctx context.Context, base *where, window int) (out map[string]map[string]int, limited bool, err error) {
	w := base.clone()
	rows, err := db.db.QueryContext(ctx, `
		WITH hits AS MATERIALIZED (
			SELECT d.id, `+w.hitCols()+`
			FROM `+w.docs+` d JOIN sources s ON s.id = d.source_id
			WHERE `+w.sql()+`
			ORDER BY `+newestKey+` DESC, d.id DESC LIMIT `+w.arg(window+1)+`),
		win AS (SELECT * FROM hits LIMIT `+w.arg(window)+`)
		SELECT 'source', source, count(*) FROM win GROUP BY source
		UNION ALL
		SELECT 'kind', kind, count(*) FROM win GROUP BY kind
		UNION ALL
		SELECT 'advertiser', a.name, count(DISTINCT h.id) FROM `+w.alertedBy("win", false)+`
		GROUP BY a.name
		UNION ALL
		SELECT 'more', '', count(*) FROM hits HAVING count(*) > `+w.arg(window), w.args...)
	if err != nil {
		return nil, false, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	out = map[string]map[string]int{}
	for rows.Next() {
		var facet, value string
		var n int
		if err := rows.Scan(&facet, &value, &n); err != nil {
			return nil, false, fmt.Errorf("facets: %w", err)
		}
		if facet == "more" {
			limited = true
			continue
		}
		if out[facet] == nil {
			out[facet] = map[string]int{}
		}
		out[facet][value] = n
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("facets: %w", err)
	}
	if len(out) == 0 {
		return nil, limited, nil
	}
	return out, limited, nil
}

// markSnippet escapes a ts_headline result for HTML and turns the match
// markers into <mark> tags, balanced even if the text held stray markers.
func markSnippet(s string) string {
	var b strings.Builder
	open := false
	for len(s) > 0 {
		i := strings.IndexAny(s, markStart+markStop)
		if i < 0 {
			b.WriteString(html.EscapeString(s))
			break
		}
		b.WriteString(html.EscapeString(s[:i]))
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case string(r) == markStart && !open:
			b.WriteString("<mark>")
			open = true
		case string(r) == markStop && open:
			b.WriteString("</mark>")
			open = false
		}
		s = s[i+size:]
	}
	if open {
		b.WriteString("</mark>")
	}
	return strings.TrimSpace(b.String())
}

// leadSnippet is the start of the text, cut at a word, for listings
// without a query.
func leadSnippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 240 {
		cut := strings.LastIndexByte(s[:240], ' ')
		if cut < 120 {
			cut = 240
		}
		s = strings.ToValidUTF8(s[:cut], "") + " …"
	}
	return html.EscapeString(strings.NewReplacer(markStart, "", markStop, "").Replace(s))
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, ranked bool) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("bad cursor: %w", adwatch.ErrInvalid)
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID <= 0 {
		return nil, fmt.Errorf("bad cursor: %w", adwatch.ErrInvalid)
	}
	if c.Ranked != ranked || (c.Tail && !ranked) {
		return nil, fmt.Errorf("cursor belongs to another query: %w", adwatch.ErrInvalid)
	}
	return &c, nil
}
