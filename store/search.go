package store

import (
	"context"
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
// Facets counts all hits of the query (every page) by "source", "kind" and
// "advertiser".
type SearchResult struct {
	Results    []SearchHit               `json:"results"`
	NextCursor string                    `json:"next_cursor"`
	Facets     map[string]map[string]int `json:"facets,omitempty"`
}

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

// cursor is the sort key of the last hit of a page.
type cursor struct {
	Ranked bool      `json:"r,omitempty"`
	Rank   float64   `json:"k,omitempty"`
	Time   time.Time `json:"t"`
	ID     int64     `json:"i"`
}

// Search runs q over the latest version of every archived document: ranked
// by relevance when q.Q has words, newest first otherwise, paged by keyset.
// Bad input (a cursor it did not make, invalid UTF-8, an oversized query, an
// unknown kind) is adwatch.ErrInvalid, never a database error.
func (db *DB) Search(ctx context.Context, q SearchQuery) (SearchResult, error) {
	w, err := searchWhere(q)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
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
	hits, err := db.searchPage(ctx, w, after, limit+1)
	if err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
	}
	res := SearchResult{Results: hits}
	if len(hits) > limit {
		res.Results = hits[:limit]
		last := res.Results[limit-1]
		res.NextCursor = encodeCursor(cursor{Ranked: w.ranked, Rank: last.Rank,
			Time: sortTime(last), ID: last.ID})
	}
	if res.Facets, err = db.facets(ctx, w); err != nil {
		return SearchResult{}, fmt.Errorf("search: %w", err)
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
}

func (w *where) arg(v any) string {
	w.args = append(w.args, v)
	return "$" + strconv.Itoa(len(w.args))
}

func (w *where) sql() string { return strings.Join(w.conds, " AND ") }

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
	w := &where{conds: []string{"d.latest"}}
	// When there are words, they are $1: ranking and snippets refer to it.
	text := strings.TrimSpace(strings.ReplaceAll(q.Q, "\x00", " "))
	if text != "" {
		w.ranked = true
		w.conds = append(w.conds, "d.tsv @@ websearch_to_tsquery('english', "+w.arg(text)+")")
	}
	if q.Kind != "" {
		w.conds = append(w.conds, "d.kind = "+w.arg(string(q.Kind)))
	}
	if q.Source != "" {
		w.conds = append(w.conds, "s.name = "+w.arg(clean(q.Source)))
	}
	if q.Advertiser != "" {
		p := w.arg(clean(q.Advertiser))
		w.conds = append(w.conds, `d.id IN (
			SELECT al.document_id FROM alerts al JOIN advertisers a ON a.id = al.advertiser_id
			WHERE a.ext_id = `+p+` OR lower(a.name) = lower(`+p+`)
			UNION
			SELECT m.document_id FROM document_matches m JOIN advertisers a ON a.id = m.advertiser_id
			WHERE a.ext_id = `+p+` OR lower(a.name) = lower(`+p+`))`)
	}
	if c := strings.TrimSpace(clean(q.Company)); c != "" {
		p := w.arg(c)
		w.conds = append(w.conds, `EXISTS (SELECT 1 FROM document_companies c
			WHERE c.document_id = d.id AND (c.name % `+p+` OR `+p+` <% c.name))`)
	}
	if !q.From.IsZero() {
		w.conds = append(w.conds, "coalesce(d.published_at, d.fetched_at) >= "+w.arg(q.From))
	}
	if !q.To.IsZero() {
		w.conds = append(w.conds, "coalesce(d.published_at, d.fetched_at) <= "+w.arg(q.To))
	}
	return w, nil
}

func (db *DB) searchPage(ctx context.Context, base *where, after *cursor, n int) ([]SearchHit, error) {
	w := *base
	w.conds = append([]string(nil), base.conds...)
	w.args = append([]any(nil), base.args...)
	rank := "0::float8"
	order := "coalesce(d.published_at, d.fetched_at) DESC, d.id DESC"
	if w.ranked {
		rank = "ts_rank(d.tsv, websearch_to_tsquery('english', $1), 1)::float8"
		order = "rank DESC, d.id DESC"
	}
	if after != nil {
		if w.ranked {
			r, id := w.arg(after.Rank), w.arg(after.ID)
			w.conds = append(w.conds, "("+rank+" < "+r+" OR ("+rank+" = "+r+" AND d.id < "+id+"))")
		} else {
			w.conds = append(w.conds, "(coalesce(d.published_at, d.fetched_at), d.id) < ("+
				w.arg(after.Time)+"::timestamptz, "+w.arg(after.ID)+"::bigint)")
		}
	}
	snippet := "left(d.text, 300)"
	if w.ranked {
		snippet = `ts_headline('english',
			translate(left(d.text, ` + strconv.Itoa(headlineChars) + `), '` + markStart + markStop + `', ''),
			websearch_to_tsquery('english', $1),
			'StartSel=` + markStart + `, StopSel=` + markStop + `, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "')`
	}
	// The page is chosen first; snippets and advertisers are computed for
	// its rows only (the LIMIT keeps the inner query from being flattened).
	query := `
		SELECT p.id, p.url, p.title, p.source, p.kind, p.published_at, p.fetched_at, p.rank,
			(SELECT ` + snippet + ` FROM documents d WHERE d.id = p.id) AS snippet,
			ARRAY(SELECT a.name FROM alerts al JOIN advertisers a ON a.id = al.advertiser_id
				WHERE al.document_id = p.id ORDER BY a.name) AS advertisers
		FROM (
			SELECT d.id, d.url, d.title, s.name AS source, d.kind, d.published_at, d.fetched_at,
				` + rank + ` AS rank
			FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE ` + w.sql() + `
			ORDER BY ` + order + `
			LIMIT ` + w.arg(n) + `
		) p
		ORDER BY ` + strings.ReplaceAll(order, "d.", "p.")
	rows, err := db.db.QueryContext(ctx, query, w.args...)
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
		if err := rows.Scan(&h.ID, &h.URL, &h.Title, &h.Source, &kind, &published, &h.FetchedAt,
			&h.Rank, &snip, &advertisers); err != nil {
			return nil, err
		}
		h.Kind = adwatch.Kind(kind)
		h.PublishedAt = published
		h.Advertisers = nonNilStrings(advertisers)
		if w.ranked {
			h.Snippet = markSnippet(snip)
		} else {
			h.Snippet = leadSnippet(snip)
		}
		hits = append(hits, h)
	}
	return hits, rows.Err()
}

func (db *DB) facets(ctx context.Context, w *where) (map[string]map[string]int, error) {
	rows, err := db.db.QueryContext(ctx, `
		WITH hits AS (
			SELECT d.id, d.kind, s.name AS source
			FROM documents d JOIN sources s ON s.id = d.source_id
			WHERE `+w.sql()+`)
		SELECT 'source', source, count(*) FROM hits GROUP BY source
		UNION ALL
		SELECT 'kind', kind, count(*) FROM hits GROUP BY kind
		UNION ALL
		SELECT 'advertiser', a.name, count(DISTINCT h.id)
		FROM hits h JOIN alerts al ON al.document_id = h.id JOIN advertisers a ON a.id = al.advertiser_id
		GROUP BY a.name`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]int{}
	for rows.Next() {
		var facet, value string
		var n int
		if err := rows.Scan(&facet, &value, &n); err != nil {
			return nil, fmt.Errorf("facets: %w", err)
		}
		if out[facet] == nil {
			out[facet] = map[string]int{}
		}
		out[facet][value] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("facets: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
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
	if c.Ranked != ranked {
		return nil, fmt.Errorf("cursor belongs to another query: %w", adwatch.ErrInvalid)
	}
	return &c, nil
}
