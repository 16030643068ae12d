package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// frListingPath is the Federal Register API v1 documents search.
const frListingPath = "/api/v1/documents.json"

// frMaxPerPage caps the page size so that the demo listing always has more
// than one page and a crawler has to follow next_page_url.
const frMaxPerPage = 3

// frDataFile holds every result, newest first, in the API's own field order.
const frDataFile = "api/v1/_documents.json"

// frResult is the part of a result the listing filters on; the result itself
// is passed through as raw JSON so field order and content stay as written.
type frResult struct {
	Type            string `json:"type"`
	PublicationDate string `json:"publication_date"`
	Title           string `json:"title"`
	Abstract        string `json:"abstract"`
	Agencies        []struct {
		Slug string `json:"slug"`
	} `json:"agencies"`
}

// frListing is the response envelope of /api/v1/documents.json.
type frListing struct {
	Count           int               `json:"count"`
	Description     string            `json:"description"`
	TotalPages      int               `json:"total_pages"`
	NextPageURL     string            `json:"next_page_url,omitempty"`
	PreviousPageURL string            `json:"previous_page_url,omitempty"`
	Results         []json.RawMessage `json:"results"`
}

// frTypes maps the API's type condition codes to result types.
var frTypes = map[string]string{
	"RULE":     "Rule",
	"PRORULE":  "Proposed Rule",
	"NOTICE":   "Notice",
	"PRESDOCU": "Presidential Document",
}

func (s *site) serveListing(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, perPage, err := pageParams(q)
	if err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"errors":{"page":[%q]}}`, err.Error())
		return
	}
	raw, err := fs.ReadFile(s.files, frDataFile)
	if err != nil {
		http.Error(w, "listing unavailable", http.StatusInternalServerError)
		return
	}
	var all []json.RawMessage
	if err := json.Unmarshal(expand(raw, s.base(r)), &all); err != nil {
		http.Error(w, "listing unavailable", http.StatusInternalServerError)
		return
	}
	matched := make([]json.RawMessage, 0, len(all))
	for _, res := range all {
		var f frResult
		if err := json.Unmarshal(res, &f); err != nil {
			http.Error(w, "listing unavailable", http.StatusInternalServerError)
			return
		}
		if frMatches(f, q) {
			matched = append(matched, res)
		}
	}
	out := frListing{Count: len(matched), Description: "All Documents", Results: []json.RawMessage{}}
	out.TotalPages = (len(matched) + perPage - 1) / perPage
	if lo := (page - 1) * perPage; lo < len(matched) {
		out.Results = matched[lo:min(lo+perPage, len(matched))]
	}
	if fields := q["fields[]"]; len(fields) > 0 {
		for i, res := range out.Results {
			if out.Results[i], err = selectFields(res, fields); err != nil {
				http.Error(w, "listing unavailable", http.StatusInternalServerError)
				return
			}
		}
	}
	base := s.base(r) + frListingPath
	if page < out.TotalPages {
		out.NextPageURL = pageURL(base, q, page+1, perPage)
	}
	if page > 1 && page-1 <= out.TotalPages {
		out.PreviousPageURL = pageURL(base, q, page-1, perPage)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		http.Error(w, "listing unavailable", http.StatusInternalServerError)
		return
	}
	serve(w, r, contentTypes[".json"], buf.Bytes())
}

// selectFields keeps only the requested fields, in the order asked, as the
// real API does when fields[] is given; unknown names are left out.
func selectFields(res json.RawMessage, fields []string) (json.RawMessage, error) {
	var all map[string]json.RawMessage
	if err := json.Unmarshal(res, &all); err != nil {
		return nil, fmt.Errorf("select fields: %w", err)
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for _, f := range fields {
		v, ok := all[f]
		if !ok {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(f)
		b.Write(key)
		b.WriteByte(':')
		b.Write(v)
		delete(all, f) // a field asked for twice appears once
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func pageParams(q url.Values) (page, perPage int, err error) {
	page, perPage = 1, frMaxPerPage
	if v := q.Get("page"); v != "" {
		page, err = strconv.Atoi(v)
		if err != nil || page < 1 {
			return 0, 0, fmt.Errorf("page must be a positive integer, got %q", v)
		}
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, fmt.Errorf("per_page must be a positive integer, got %q", v)
		}
		perPage = min(n, frMaxPerPage)
	}
	return page, perPage, nil
}

// frMatches applies the search conditions the crawler may send: publication
// date range, agency slugs, document types and a plain term.
func frMatches(f frResult, q url.Values) bool {
	if v := q.Get("conditions[publication_date][gte]"); v != "" && f.PublicationDate < v {
		return false
	}
	if v := q.Get("conditions[publication_date][lte]"); v != "" && f.PublicationDate > v {
		return false
	}
	if v := q.Get("conditions[publication_date][is]"); v != "" && f.PublicationDate != v {
		return false
	}
	if want := q["conditions[agencies][]"]; len(want) > 0 && !anyAgency(f, want) {
		return false
	}
	if want := q["conditions[type][]"]; len(want) > 0 && !anyType(f, want) {
		return false
	}
	if v := strings.ToLower(q.Get("conditions[term]")); v != "" {
		text := strings.ToLower(f.Title + " " + f.Abstract)
		for _, word := range strings.Fields(v) {
			if !strings.Contains(text, word) {
				return false
			}
		}
	}
	return true
}

func anyAgency(f frResult, slugs []string) bool {
	for _, a := range f.Agencies {
		for _, s := range slugs {
			if a.Slug == s {
				return true
			}
		}
	}
	return false
}

func anyType(f frResult, codes []string) bool {
	for _, c := range codes {
		if frTypes[strings.ToUpper(c)] == f.Type {
			return true
		}
	}
	return false
}

// pageURL keeps the caller's conditions and changes only the page, the way
// the real API builds next_page_url.
func pageURL(base string, q url.Values, page, perPage int) string {
	v := url.Values{}
	for k, vals := range q {
		v[k] = vals
	}
	v.Set("page", strconv.Itoa(page))
	v.Set("per_page", strconv.Itoa(perPage))
	return base + "?" + v.Encode()
}
