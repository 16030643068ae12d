package email

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"

	"adwatch"
	"adwatch/alerts"
)

// view is what both templates see.
type view struct {
	A         adwatch.Alert
	Subject   string
	Kind      string
	Agency    string
	Published string
	Segments  []alerts.Segment
	Reasons   string
	Link      string
}

func newView(a adwatch.Alert, links alerts.Links) view {
	v := view{
		A:        a,
		Subject:  alerts.Subject(a),
		Kind:     alerts.KindLabel(a),
		Segments: alerts.MarkAlias(a.Snippet, a.Alias),
		Reasons:  strings.Join(a.Reasons, "; "),
		Link:     links.Document(a.DocumentID),
	}
	if a.Kind == adwatch.KindGovernment {
		v.Agency = alerts.Agency(a.Source)
	}
	if a.PublishedAt != nil {
		v.Published = a.PublishedAt.UTC().Format("2 January 2006")
	}
	return v
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`{{.Subject}}

Advertiser: {{.A.Advertiser}}{{if .A.AdvertiserID}} ({{.A.AdvertiserID}}){{end}}
Document:   {{.A.Title}}
URL:        {{.A.DocumentURL}}
Source:     {{.A.Source}}{{if .Agency}} ({{.Agency}}){{end}}
Kind:       {{.Kind}}
Published:  {{if .Published}}{{.Published}}{{else}}unknown{{end}}
Score:      {{printf "%.2f" .A.Score}}{{if .Reasons}} ({{.Reasons}}){{end}}

Snippet:
  {{range .Segments}}{{if .Match}}*{{.Text}}*{{else}}{{.Text}}{{end}}{{end}}
{{if .Link}}
Open in adwatch: {{.Link}}
{{end}}
-- 
adwatch alert #{{.A.ID}}
`))

// The HTML part: html/template escapes every value for its context; the
// document URL goes through its URL filter, so a javascript: URL is inert.
var htmlTmpl = template.Must(template.New("html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font-family:sans-serif">
<h2>{{.A.Advertiser}}</h2>
<p><strong>{{.Kind}}</strong> · {{.A.Source}}{{if .Agency}} ({{.Agency}}){{end}}<br>
<a href="{{.A.DocumentURL}}">{{.A.Title}}</a><br>
Published {{if .Published}}{{.Published}}{{else}}(date unknown){{end}}</p>
<blockquote>{{range .Segments}}{{if .Match}}<strong>{{.Text}}</strong>{{else}}{{.Text}}{{end}}{{end}}</blockquote>
<p style="color:#555">Score {{printf "%.2f" .A.Score}}{{if .A.Alias}} · matched “{{.A.Alias}}”{{end}}{{if .Reasons}} · {{.Reasons}}{{end}}</p>
{{if .Link}}<p><a href="{{.Link}}">Open in adwatch</a></p>{{end}}
<p style="color:#888;font-size:small">adwatch alert #{{.A.ID}}{{if .A.AdvertiserID}} · advertiser {{.A.AdvertiserID}}{{end}}</p>
</body></html>
`))

// render returns the plain-text and HTML bodies for one alert.
func render(a adwatch.Alert, links alerts.Links) (text, html string, err error) {
	v := newView(a, links)
	var tb, hb bytes.Buffer
	if err := textTmpl.Execute(&tb, v); err != nil {
		return "", "", fmt.Errorf("email: render text: %w", err)
	}
	if err := htmlTmpl.Execute(&hb, v); err != nil {
		return "", "", fmt.Errorf("email: render html: %w", err)
	}
	return tb.String(), hb.String(), nil
}
