package demo

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// apiListing mirrors the Federal Register API v1 documents response.
type apiListing struct {
	Count           int         `json:"count"`
	TotalPages      int         `json:"total_pages"`
	NextPageURL     string      `json:"next_page_url"`
	PreviousPageURL string      `json:"previous_page_url"`
	Results         []apiResult `json:"results"`
}

type apiResult struct {
	Title                  string      `json:"title"`
	Type                   string      `json:"type"`
	Abstract               string      `json:"abstract"`
	DocumentNumber         string      `json:"document_number"`
	HTMLURL                string      `json:"html_url"`
	PDFURL                 string      `json:"pdf_url"`
	PublicInspectionPDFURL string      `json:"public_inspection_pdf_url"`
	PublicationDate        string      `json:"publication_date"`
	Agencies               []apiAgency `json:"agencies"`
	Excerpts               string      `json:"excerpts"`
	RawTextURL             string      `json:"raw_text_url"`
	BodyHTMLURL            string      `json:"body_html_url"`
}

type apiAgency struct {
	RawName  string `json:"raw_name"`
	Name     string `json:"name"`
	ID       int    `json:"id"`
	URL      string `json:"url"`
	JSONURL  string `json:"json_url"`
	ParentID *int   `json:"parent_id"`
	Slug     string `json:"slug"`
}

func fetchListing(t *testing.T, url string) apiListing {
	t.Helper()
	resp, body := get(t, url, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", url, resp.StatusCode)
	}
	var l apiListing
	dec := json.NewDecoder(strings.NewReader(string(body)))
	if err := dec.Decode(&l); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return l
}

// fetchAllResults follows next_page_url the way a crawler does.
func fetchAllResults(t *testing.T, url string) []apiResult {
	t.Helper()
	var all []apiResult
	for page := 0; url != ""; page++ {
		if page > 10 {
			t.Fatalf("next_page_url never ends")
		}
		l := fetchListing(t, url)
		all = append(all, l.Results...)
		url = l.NextPageURL
	}
	return all
}

func TestListingHasTheAPIShapeAndTwoPages(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	first := fetchListing(t, s.URL()+frListingPath)
	if first.TotalPages < 2 || first.NextPageURL == "" {
		t.Fatalf("total_pages %d, next_page_url %q: want at least two pages", first.TotalPages, first.NextPageURL)
	}
	if !strings.HasPrefix(first.NextPageURL, s.URL()+frListingPath+"?") {
		t.Errorf("next_page_url %q, want absolute on %s", first.NextPageURL, s.URL())
	}
	all := fetchAllResults(t, s.URL()+frListingPath)
	if len(all) != first.Count {
		t.Errorf("results over all pages = %d, count = %d", len(all), first.Count)
	}
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	number := regexp.MustCompile(`^\d{4}-\d{5}$`)
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.DocumentNumber] {
			t.Errorf("document %s listed twice", r.DocumentNumber)
		}
		seen[r.DocumentNumber] = true
		if r.Title == "" || r.Abstract == "" || r.Excerpts == "" || !number.MatchString(r.DocumentNumber) || !date.MatchString(r.PublicationDate) {
			t.Errorf("result %+v: missing title, abstract, excerpts, document_number or publication_date", r)
		}
		switch r.Type {
		case "Rule", "Proposed Rule", "Notice", "Presidential Document":
		default:
			t.Errorf("%s: type %q is not an API document type", r.DocumentNumber, r.Type)
		}
		for _, u := range []string{r.HTMLURL, r.PDFURL, r.PublicInspectionPDFURL, r.RawTextURL, r.BodyHTMLURL} {
			if !strings.HasPrefix(u, s.URL()+"/") || !strings.Contains(u, r.DocumentNumber) {
				t.Errorf("%s: URL %q is not absolute on the server or lacks the document number", r.DocumentNumber, u)
			}
		}
		if len(r.Agencies) == 0 {
			t.Errorf("%s: no agencies", r.DocumentNumber)
		}
		for _, a := range r.Agencies {
			if a.RawName == "" || a.Name == "" || a.ID == 0 || a.Slug == "" || a.URL == "" || a.JSONURL == "" {
				t.Errorf("%s: agency %+v incomplete", r.DocumentNumber, a)
			}
		}
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].PublicationDate < all[i].PublicationDate {
			t.Errorf("results not newest first: %s before %s", all[i-1].PublicationDate, all[i].PublicationDate)
		}
	}
}

func TestListingConditions(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	cases := []struct {
		name  string
		query string
		want  []string
	}{
		{"since 2019", "conditions[publication_date][gte]=2019-01-01&per_page=20", []string{"2023-01878", "2022-17130", "2019-10616"}},
		{"agency", "conditions[agencies][]=homeland-security-department", []string{"2017-19838"}},
		{"type", "conditions[type][]=NOTICE", []string{"2022-17130", "2017-19838"}},
		{"term", "conditions[term]=kaspersky", []string{"2018-12847", "2017-19838"}},
		{"none", "conditions[publication_date][gte]=2030-01-01", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, r := range fetchAllResults(t, s.URL()+frListingPath+"?"+c.query) {
				got = append(got, r.DocumentNumber)
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("documents = %v, want %v", got, c.want)
			}
		})
	}
	if resp, _ := get(t, s.URL()+frListingPath+"?page=x", nil); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("page=x: status %d, want 400", resp.StatusCode)
	}
	_, body := get(t, s.URL()+frListingPath+"?fields[]=title&fields[]=raw_text_url&fields[]=nope&fields[]=title", nil)
	var raw struct{ Results []map[string]any }
	if err := json.Unmarshal(body, &raw); err != nil || len(raw.Results) == 0 {
		t.Fatalf("fields[]: %v, %d results", err, len(raw.Results))
	}
	for _, r := range raw.Results {
		if len(r) != 2 || r["title"] == nil || r["raw_text_url"] == nil {
			t.Errorf("fields[]=title,raw_text_url: got keys %v", r)
		}
	}
	l := fetchListing(t, s.URL()+frListingPath+"?per_page=1&page=2")
	if len(l.Results) != 1 || l.PreviousPageURL == "" || l.NextPageURL == "" {
		t.Errorf("per_page=1&page=2: %d results, previous %q, next %q", len(l.Results), l.PreviousPageURL, l.NextPageURL)
	}
}

func TestDocumentBodiesHaveThePrintedSections(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	for _, r := range fetchAllResults(t, s.URL()+frListingPath) {
		_, text := get(t, r.RawTextURL, nil)
		for _, h := range []string{"[FR Doc No: " + r.DocumentNumber + "]", "AGENCY:", "ACTION:", "SUMMARY:",
			"FOR FURTHER INFORMATION CONTACT:", "SUPPLEMENTARY INFORMATION:"} {
			if !strings.Contains(string(text), h) {
				t.Errorf("%s raw text lacks %q", r.DocumentNumber, h)
			}
		}
		if strings.Contains(strings.ToLower(string(text)), "demo") {
			t.Errorf("%s raw text says demo", r.DocumentNumber)
		}
		_, page := get(t, r.HTMLURL, nil)
		_, body := get(t, r.BodyHTMLURL, nil)
		for name, html := range map[string]string{"html_url": string(page), "body_html_url": string(body)} {
			if !strings.Contains(html, "<h4>SUMMARY:</h4>") {
				t.Errorf("%s %s lacks the SUMMARY heading", r.DocumentNumber, name)
			}
		}
		if !strings.Contains(string(page), `<link rel="canonical" href="`+r.HTMLURL+`">`) {
			t.Errorf("%s html_url page lacks its canonical link", r.DocumentNumber)
		}
		// A shortened slug redirects to the canonical URL, as on the real site.
		short := r.HTMLURL[:strings.LastIndex(r.HTMLURL, "/")] + "/x"
		if resp, _ := get(t, short, nil); resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != r.HTMLURL {
			t.Errorf("GET %s: status %d to %q, want 301 to %s", short, resp.StatusCode, resp.Header.Get("Location"), r.HTMLURL)
		}
	}
}
