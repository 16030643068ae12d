package crawler

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// listEntry is one row of a screening list (Consolidated Screening List
// shape).
type listEntry struct {
	ID                    string
	Name                  string
	AltNames              []string
	Source                string
	Programs              []string
	FederalRegisterNotice string
	StartDate             string
}

// crawlList reads a screening list published as CSV or JSON and emits one
// document per entry. Entries are rendered the same way every run, so an
// unchanged entry has the same body (and is skipped when State already holds
// that content hash) while a changed entry becomes a new version.
func (s *session) crawlList() error {
	res, ok, err := s.listing(s.src.URL)
	if err != nil || !ok {
		return err
	}
	ct, body := normalize(res.header, res.body)
	var entries []listEntry
	if strings.Contains(ct, "json") {
		entries, err = s.parseListJSON(body)
	} else {
		entries, err = s.parseListCSV(body)
	}
	if err != nil {
		return fmt.Errorf("list %s: %w", s.src.URL, err)
	}
	s.run.items(len(entries))
	if len(entries) == 0 {
		s.run.errorf("%s: list has no entries", s.src.URL)
	}
	before := s.retryLater.Load()
	for _, e := range entries {
		if err := s.emitEntry(res, e); err != nil {
			return err
		}
	}
	s.finishListing(res, s.retryLater.Load() == before)
	return nil
}

func (s *session) emitEntry(res *result, e listEntry) error {
	id := e.ID
	if id == "" {
		id = slug(e.Name) + "-" + contentHash([]byte(e.Name + "\x00" + e.Source))[:12]
	}
	docURL := CanonicalURL(s.src.URL) + "#" + id
	if !s.firstSight(docURL) {
		return nil
	}
	body := []byte(e.text())
	if st := s.known(docURL); st != nil && st.ContentHash == contentHash(body) {
		return nil
	}
	meta := map[string]string{"title": e.Name, "list_source": e.Source, "programs": strings.Join(e.Programs, "; "),
		"federal_register_notice": e.FederalRegisterNotice, "start_date": e.StartDate}
	if t, err := time.Parse(time.DateOnly, e.StartDate); err == nil {
		meta["published"] = t.Format(time.RFC3339)
	}
	r := &result{job: &job{url: docURL}, url: docURL, status: res.status, fetchedAt: res.fetchedAt,
		header: map[string][]string{"Content-Type": {"text/plain; charset=utf-8"}}, body: body}
	return s.emitDoc(docItem{url: docURL, docURL: docURL, meta: meta}, r)
}

// text renders an entry as the readable document extraction sees.
func (e listEntry) text() string {
	var b strings.Builder
	b.WriteString(e.Name)
	b.WriteString("\n")
	line := func(label, v string) {
		if v != "" {
			b.WriteString(label + ": " + v + "\n")
		}
	}
	line("Also known as", strings.Join(e.AltNames, "; "))
	line("List", e.Source)
	line("Programs", strings.Join(e.Programs, "; "))
	line("Federal Register notice", e.FederalRegisterNotice)
	line("Start date", e.StartDate)
	return b.String()
}

// parseListJSON accepts {"results": [...]} or a bare array. An entry that is
// not an object or has no name is recorded and skipped.
func (s *session) parseListJSON(body []byte) ([]listEntry, error) {
	var raws []json.RawMessage
	var wrapped struct {
		Results []json.RawMessage `json:"results"`
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &raws); err != nil {
			return nil, fmt.Errorf("malformed json: %w", err)
		}
	} else {
		if err := json.Unmarshal(trimmed, &wrapped); err != nil {
			return nil, fmt.Errorf("malformed json: %w", err)
		}
		raws = wrapped.Results
	}
	entries := make([]listEntry, 0, len(raws))
	for i, raw := range raws {
		var v struct {
			ID                    any    `json:"id"`
			Name                  string `json:"name"`
			AltNames              any    `json:"alt_names"`
			Source                string `json:"source"`
			Programs              any    `json:"programs"`
			FederalRegisterNotice string `json:"federal_register_notice"`
			StartDate             string `json:"start_date"`
		}
		if err := json.Unmarshal(raw, &v); err != nil {
			s.run.errorf("%s: entry %d: %v", s.src.URL, i, err)
			continue
		}
		if strings.TrimSpace(v.Name) == "" {
			s.run.errorf("%s: entry %d: no name", s.src.URL, i)
			continue
		}
		id := ""
		if v.ID != nil {
			id = strings.TrimSpace(fmt.Sprint(v.ID))
		}
		entries = append(entries, listEntry{ID: id, Name: strings.TrimSpace(v.Name), AltNames: splitList(v.AltNames),
			Source: strings.TrimSpace(v.Source), Programs: splitList(v.Programs),
			FederalRegisterNotice: strings.TrimSpace(v.FederalRegisterNotice), StartDate: strings.TrimSpace(v.StartDate)})
	}
	return entries, nil
}

// splitList reads a JSON array of strings or a ";"-separated string.
func splitList(v any) []string {
	var parts []string
	switch t := v.(type) {
	case string:
		parts = strings.Split(t, ";")
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				parts = append(parts, s)
			}
		}
	}
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseListCSV reads a CSV with a header naming at least "name". Rows with
// the wrong number of columns are recorded with their line and skipped.
func (s *session) parseListCSV(body []byte) ([]listEntry, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.LazyQuotes = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))] = i
	}
	if _, ok := col["name"]; !ok {
		return nil, fmt.Errorf("csv header has no name column")
	}
	if _, ok := col["id"]; !ok {
		if i, ok := col["_id"]; ok {
			col["id"] = i
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var entries []listEntry
	bad := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// csv errors name the line; the reader goes on with the next record.
			s.run.errorf("%s: %v", s.src.URL, err)
			if bad++; bad > maxBadRows {
				return entries, fmt.Errorf("more than %d bad rows", maxBadRows)
			}
			continue
		}
		name := get(rec, "name")
		if name == "" {
			line, _ := r.FieldPos(0)
			s.run.errorf("%s: line %d: no name", s.src.URL, line)
			continue
		}
		entries = append(entries, listEntry{ID: get(rec, "id"), Name: name, AltNames: splitList(get(rec, "alt_names")),
			Source: get(rec, "source"), Programs: splitList(get(rec, "programs")),
			FederalRegisterNotice: get(rec, "federal_register_notice"), StartDate: get(rec, "start_date")})
	}
	return entries, nil
}

// maxBadRows stops reading a file that is not the CSV it claims to be.
const maxBadRows = 1000

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slug(s string) string {
	out := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(out) > 60 {
		out = strings.TrimRight(out[:60], "-")
	}
	if out == "" {
		out = "entry"
	}
	return out
}
