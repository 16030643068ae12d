package crawler

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"adwatch"
)

// frResultCap is the most results the Federal Register API lets one query
// page through; beyond it a date range must be split.
const frResultCap = 10000

// frFields are the result fields requested from the API.
var frFields = []string{"title", "document_number", "publication_date", "agencies", "html_url",
	"raw_text_url", "body_html_url", "pdf_url", "type", "abstract"}

type frPage struct {
	Count       int        `json:"count"`
	TotalPages  int        `json:"total_pages"`
	NextPageURL string     `json:"next_page_url"`
	Results     []frResult `json:"results"`
}

type frResult struct {
	Title           string `json:"title"`
	DocumentNumber  string `json:"document_number"`
	PublicationDate string `json:"publication_date"`
	Agencies        []struct {
		Name    string `json:"name"`
		RawName string `json:"raw_name"`
	} `json:"agencies"`
	HTMLURL     string `json:"html_url"`
	RawTextURL  string `json:"raw_text_url"`
	BodyHTMLURL string `json:"body_html_url"`
	PDFURL      string `json:"pdf_url"`
	Type        string `json:"type"`
	Abstract    string `json:"abstract"`
}

// crawlFederalRegister lists documents from the Federal Register API v1
// published since src.Since or the last successful run (whichever is later),
// newest first, and fetches each one's text. When a query matches more
// results than paging can reach, its date range is split in halves until
// every part fits.
//
// The API asks clients for no more than a few requests per second: run such
// sources with Config.Delay of at least 250ms (tests turn delays off).
func (s *session) crawlFederalRegister() error {
	start := s.c.now().UTC()
	gte := s.src.Since
	cursorKey := s.src.URL + "#since=" + url.QueryEscape(s.src.Name)
	if st := s.known(cursorKey); st != nil && st.Updated != nil {
		if last := st.Updated.UTC().Format(time.DateOnly); last > gte {
			gte = last
		}
	}
	before := s.retryLater.Load()
	if err := s.frRange(gte, "", true); err != nil {
		return err
	}
	if s.c.state != nil && s.retryLater.Load() == before {
		day := start.Truncate(24 * time.Hour)
		st := adwatch.URLState{URL: cursorKey, Source: s.src.Name, Status: 200, FetchedAt: start, Updated: &day}
		if err := s.c.state.PutURLState(s.ctx, st); err != nil {
			s.run.errorf("%s: save cursor: %v", cursorKey, err)
		}
	}
	return nil
}

// frRange crawls the documents published in [gte, lte] (empty: open).
// top says whether a failure of the first page fails the source.
func (s *session) frRange(gte, lte string, top bool) error {
	perPage := s.src.PerPage
	if perPage <= 0 {
		perPage = 100
	}
	maxPages := s.src.MaxPages
	if maxPages <= 0 {
		maxPages = s.c.cfg.MaxPages
	}
	next := s.frURL(gte, lte, perPage)
	for page := 1; page <= maxPages && next != ""; page++ {
		res, ok, err := s.listing(next)
		if err != nil {
			if page == 1 && top {
				return err
			}
			s.run.errorf("%v", err)
			return nil
		}
		if !ok {
			return nil
		}
		var p frPage
		if err := json.Unmarshal(res.body, &p); err != nil {
			err = fmt.Errorf("federal register %s: malformed response: %w", next, err)
			if page == 1 && top {
				return err
			}
			s.run.errorf("%v", err)
			return nil
		}
		if page == 1 && p.Count > min(perPage*maxPages, frResultCap) {
			if lo, hi, mid, ok := splitDates(gte, lte, s.c.now()); ok {
				s.c.log.InfoContext(s.ctx, "splitting federal register query", "source", s.src.Name,
					"count", p.Count, "from", lo, "to", hi)
				if err := s.frRange(lo, mid, false); err != nil {
					return err
				}
				return s.frRange(nextDay(mid), hi, false)
			}
			s.run.errorf("%s: %d results, only the newest %d reachable (set since to split by date)", next, p.Count, perPage*maxPages)
		}
		s.run.items(len(p.Results))
		before := s.retryLater.Load()
		if err := s.fetchDocs(frItems(res.url, p.Results)); err != nil {
			return err
		}
		s.finishListing(res, s.retryLater.Load() == before)
		next = ""
		if p.NextPageURL != "" {
			next = resolve(res.url, p.NextPageURL)
		}
	}
	return nil
}

func (s *session) frURL(gte, lte string, perPage int) string {
	q := url.Values{}
	for _, a := range s.src.Agencies {
		q.Add("conditions[agencies][]", a)
	}
	for _, t := range s.src.DocumentTypes {
		q.Add("conditions[type][]", strings.ToUpper(t))
	}
	if s.src.Term != "" {
		q.Set("conditions[term]", s.src.Term)
	}
	if gte != "" {
		q.Set("conditions[publication_date][gte]", gte)
	}
	if lte != "" {
		q.Set("conditions[publication_date][lte]", lte)
	}
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("order", "newest")
	for _, f := range frFields {
		q.Add("fields[]", f)
	}
	sep := "?"
	if strings.Contains(s.src.URL, "?") {
		sep = "&"
	}
	return s.src.URL + sep + q.Encode()
}

// splitDates halves [gte, lte] (lte empty: today). ok is false when the range
// is open at the start or a single day.
func splitDates(gte, lte string, now time.Time) (lo, hi, mid string, ok bool) {
	if gte == "" {
		return "", "", "", false
	}
	from, err := time.Parse(time.DateOnly, gte)
	if err != nil {
		return "", "", "", false
	}
	to := now.UTC().Truncate(24 * time.Hour)
	if lte != "" {
		if to, err = time.Parse(time.DateOnly, lte); err != nil {
			return "", "", "", false
		}
	}
	days := int(to.Sub(from).Hours() / 24)
	if days < 1 {
		return "", "", "", false
	}
	m := from.AddDate(0, 0, (days-1)/2)
	return gte, to.Format(time.DateOnly), m.Format(time.DateOnly), true
}

func nextDay(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, 1).Format(time.DateOnly)
}

// frItems turns results into documents; URLs are resolved against the
// listing's (the API gives absolute ones; stand-ins may not).
func frItems(base string, results []frResult) []docItem {
	items := make([]docItem, 0, len(results))
	for _, r := range results {
		r.RawTextURL, r.BodyHTMLURL, r.PDFURL, r.HTMLURL = absOrEmpty(base, r.RawTextURL), absOrEmpty(base, r.BodyHTMLURL),
			absOrEmpty(base, r.PDFURL), absOrEmpty(base, r.HTMLURL)
		body := firstNonEmpty(r.RawTextURL, r.BodyHTMLURL, r.PDFURL)
		if body == "" {
			continue
		}
		var names []string
		for _, a := range r.Agencies {
			if n := firstNonEmpty(a.Name, a.RawName); n != "" {
				names = append(names, n)
			}
		}
		meta := map[string]string{
			"title": r.Title, "document_number": r.DocumentNumber, "publication_date": r.PublicationDate,
			"agencies": strings.Join(names, "; "), "html_url": r.HTMLURL, "type": r.Type,
			"abstract": r.Abstract, "body_url": body,
		}
		if t, err := time.Parse(time.DateOnly, r.PublicationDate); err == nil {
			meta["published"] = t.Format(time.RFC3339)
		}
		docURL := CanonicalURL(firstNonEmpty(r.HTMLURL, body))
		items = append(items, docItem{url: body, docURL: docURL, meta: meta})
	}
	return items
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func absOrEmpty(base, ref string) string {
	if strings.TrimSpace(ref) == "" {
		return ""
	}
	return resolve(base, ref)
}
