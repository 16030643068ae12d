package web

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"adwatch"
	"adwatch/store"
)

// maxQuery bounds the search text: web-search syntax needs no more, and a
// megabyte of query is an attack, not a question.
const maxQuery = 4096

// parseSearch turns query parameters into a store query; every malformed
// value is a 400 naming the parameter, never a 500.
func parseSearch(v url.Values) (store.SearchQuery, error) {
	q := store.SearchQuery{
		Q:          v.Get("q"),
		Source:     strings.TrimSpace(v.Get("source")),
		Advertiser: strings.TrimSpace(v.Get("advertiser")),
		Company:    strings.TrimSpace(v.Get("company")),
		Cursor:     v.Get("cursor"),
	}
	for _, vs := range v {
		for _, s := range vs {
			// PostgreSQL text cannot hold NUL, and invalid UTF-8 is no
			// question anyone asked: refuse both before the store sees them.
			if strings.ContainsRune(s, 0) || !utf8.ValidString(s) {
				return q, errBadRequest("parameters must be valid UTF-8 text without NUL bytes")
			}
		}
	}
	if len(q.Q) > maxQuery {
		return q, errBadRequest("q is too long")
	}
	if k := adwatch.Kind(strings.TrimSpace(v.Get("kind"))); k != "" {
		if !k.Valid() {
			return q, errBadRequest("kind must be government or press")
		}
		q.Kind = k
	}
	var err error
	if q.From, err = parseDate(v.Get("from"), false); err != nil {
		return q, errBadRequest("from must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if q.To, err = parseDate(v.Get("to"), true); err != nil {
		return q, errBadRequest("to must be a date (YYYY-MM-DD) or an RFC 3339 time")
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, errBadRequest("to is before from")
	}
	if s := strings.TrimSpace(v.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return q, errBadRequest("limit must be a number from 1 to 100")
		}
		q.Limit = n
	}
	return q, nil
}

// parseDate reads YYYY-MM-DD or RFC 3339. A bare date used as an upper
// bound means the whole of that day.
func parseDate(s string, endOfDay bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if endOfDay {
			// Microseconds: PostgreSQL's precision, so it cannot round up
			// into the next day.
			t = t.Add(24*time.Hour - time.Microsecond)
		}
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.Year() < 1 || t.Year() > 9999 {
		return time.Time{}, errBadRequest("bad date")
	}
	return t, nil
}

func (s *server) search(r *http.Request) (store.SearchQuery, store.SearchResult, error) {
	q, err := parseSearch(r.URL.Query())
	if err != nil {
		return q, store.SearchResult{}, err
	}
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		return q, res, err
	}
	// Scripts get arrays, never null.
	if res.Results == nil {
		res.Results = []store.SearchHit{}
	}
	for i := range res.Results {
		if res.Results[i].Advertisers == nil {
			res.Results[i].Advertisers = []string{}
		}
	}
	return q, res, nil
}

func (s *server) apiSearch(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("format") == "csv" {
		s.exportSearch(w, r)
		return
	}
	_, res, err := s.search(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

type facetItem struct {
	Value string
	Count int
}

type facetGroup struct {
	Label, Param string
	Items        []facetItem
}

// facetGroups orders the store's facet counts for display: largest first.
func facetGroups(f map[string]map[string]int) []facetGroup {
	var out []facetGroup
	for _, g := range []struct{ key, label string }{{"kind", "Kind"}, {"source", "Source"}, {"advertiser", "Advertiser"}} {
		counts := f[g.key]
		if len(counts) == 0 {
			continue
		}
		fg := facetGroup{Label: g.label, Param: g.key}
		for v, n := range counts {
			fg.Items = append(fg.Items, facetItem{v, n})
		}
		sort.Slice(fg.Items, func(i, j int) bool {
			if fg.Items[i].Count != fg.Items[j].Count {
				return fg.Items[i].Count > fg.Items[j].Count
			}
			return fg.Items[i].Value < fg.Items[j].Value
		})
		out = append(out, fg)
	}
	return out
}

func (s *server) searchPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	data := map[string]any{"Query": v, "Q": v.Get("q")}
	q, res, err := s.search(r)
	if err != nil {
		status, msg := statusOf(err)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
		data["Error"] = msg
		s.render(w, r, status, "search", data)
		return
	}
	data["Results"] = res.Results
	data["Facets"] = facetGroups(res.Facets)
	data["FacetsLimited"] = res.FacetsLimited
	if res.NextCursor != "" {
		next := url.Values{}
		for k, vs := range v {
			next[k] = vs
		}
		next.Set("cursor", res.NextCursor)
		data["Next"] = "?" + next.Encode()
	}
	data["Paged"] = q.Cursor != ""
	export := url.Values{}
	for k, vs := range v {
		export[k] = vs
	}
	export.Del("cursor")
	export.Set("format", "csv")
	data["Export"] = "/api/search?" + export.Encode()
	s.render(w, r, http.StatusOK, "search", data)
}
