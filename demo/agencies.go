package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
)

// The listing's agencies carry url and json_url; both are served from the
// agencies named in the listing so that no link on the site leads nowhere.

var (
	agencyPagePath = regexp.MustCompile(`^/agencies/([a-z0-9-]+)$`)
	agencyJSONPath = regexp.MustCompile(`^/api/v1/agencies/(\d+)$`)
)

// frAgency is an agency as the API describes it.
type frAgency struct {
	ID                int           `json:"id"`
	Name              string        `json:"name"`
	URL               string        `json:"url"`
	JSONURL           string        `json:"json_url"`
	ParentID          *int          `json:"parent_id"`
	Slug              string        `json:"slug"`
	RecentArticlesURL string        `json:"recent_articles_url"`
	Documents         []frAgencyDoc `json:"-"`
}

type frAgencyDoc struct{ Title, HTMLURL, PublicationDate string }

var agencyTemplate = template.Must(template.New("agency").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Federal Register :: Agencies - {{.Name}}</title>
<link rel="canonical" href="{{.URL}}">
</head>
<body class="agencies show">
<header id="masthead"><a class="logo" href="{{.Base}}/">Federal Register <span>The Daily Journal of the United States Government</span></a></header>
<main>
<h1>{{.Name}}</h1>
<h2>Most Recent Documents</h2>
<ul class="document-list">
{{range .Documents}}<li><a href="{{.HTMLURL}}">{{.Title}}</a> <span class="date">{{.PublicationDate}}</span></li>
{{end}}</ul>
<p><a href="{{.RecentArticlesURL}}">JSON</a></p>
</main>
</body>
</html>
`))

// serveAgency serves an agency's page or JSON; it reports false when p is
// neither.
func (s *site) serveAgency(w http.ResponseWriter, r *http.Request, p string) bool {
	page, js := agencyPagePath.FindStringSubmatch(p), agencyJSONPath.FindStringSubmatch(p)
	if page == nil && js == nil {
		return false
	}
	base := s.base(r)
	agencies, err := s.agencies(base)
	if err != nil {
		http.Error(w, "agency unavailable", http.StatusInternalServerError)
		return true
	}
	for _, a := range agencies {
		switch {
		case page != nil && a.Slug == page[1]:
			var buf bytes.Buffer
			data := struct {
				Base string
				frAgency
			}{base, a}
			if err := agencyTemplate.Execute(&buf, data); err != nil {
				http.Error(w, "agency unavailable", http.StatusInternalServerError)
				return true
			}
			serve(w, r, contentTypes[".html"], buf.Bytes())
			return true
		case js != nil && strconv.Itoa(a.ID) == js[1]:
			body, err := json.Marshal(a)
			if err != nil {
				http.Error(w, "agency unavailable", http.StatusInternalServerError)
				return true
			}
			serve(w, r, contentTypes[".json"], append(body, '\n'))
			return true
		}
	}
	http.NotFound(w, r)
	return true
}

// agencies collects the agencies named in the listing, with their documents.
func (s *site) agencies(base string) ([]frAgency, error) {
	raw, err := fs.ReadFile(s.files, frDataFile)
	if err != nil {
		return nil, fmt.Errorf("read listing: %w", err)
	}
	var results []struct {
		Title           string     `json:"title"`
		HTMLURL         string     `json:"html_url"`
		PublicationDate string     `json:"publication_date"`
		Agencies        []frAgency `json:"agencies"`
	}
	if err := json.Unmarshal(expand(raw, base), &results); err != nil {
		return nil, fmt.Errorf("parse listing: %w", err)
	}
	var out []frAgency
	index := map[int]int{}
	for _, res := range results {
		for _, a := range res.Agencies {
			i, ok := index[a.ID]
			if !ok {
				a.RecentArticlesURL = base + frListingPath + "?conditions%5Bagencies%5D%5B%5D=" + url.QueryEscape(a.Slug)
				i = len(out)
				index[a.ID] = i
				out = append(out, a)
			}
			out[i].Documents = append(out[i].Documents, frAgencyDoc{res.Title, res.HTMLURL, res.PublicationDate})
		}
	}
	return out, nil
}
