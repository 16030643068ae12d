package web

import (
	"encoding/csv"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxExport bounds one CSV export; a larger set wants a narrower query.
const maxExport = 10000

// exportSearch writes the whole result set of a search (all pages, up to
// maxExport rows) as CSV, for analysts who continue in a spreadsheet.
func (s *server) exportSearch(w http.ResponseWriter, r *http.Request) {
	q, err := parseSearch(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q.Limit = 100
	// The first page is read before any output, so a bad query or cursor is
	// still a clean 400 rather than a truncated file.
	res, err := s.store.Search(r.Context(), q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="adwatch-search.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "url", "title", "source", "kind", "published_at", "fetched_at", "advertisers"})
	rows := 0
	for {
		for _, h := range res.Results {
			published := ""
			if h.PublishedAt != nil {
				published = h.PublishedAt.UTC().Format(time.RFC3339)
			}
			_ = cw.Write([]string{strconv.FormatInt(h.ID, 10), cell(h.URL), cell(h.Title), cell(h.Source),
				string(h.Kind), published, h.FetchedAt.UTC().Format(time.RFC3339), cell(strings.Join(h.Advertisers, "|"))})
			rows++
		}
		if res.NextCursor == "" || rows >= maxExport {
			break
		}
		q.Cursor = res.NextCursor
		if res, err = s.store.Search(r.Context(), q); err != nil {
			// Headers are gone; all that is left is to log and stop short.
			s.log.ErrorContext(r.Context(), "csv export stopped", slog.Int("rows", rows), slog.String("error", err.Error()))
			break
		}
	}
	cw.Flush()
}

// cell defuses crawled text that a spreadsheet would run as a formula.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
