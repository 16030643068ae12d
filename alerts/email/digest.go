package email

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"strings"
	texttemplate "text/template"

	gomail "github.com/wneessen/go-mail"

	"adwatch"
	"adwatch/alerts"
)

// digestView is what both digest templates see.
type digestView struct {
	D      alerts.Digest
	Title  string
	Groups []digestGroupView
}

type digestGroupView struct {
	Advertiser, AdvertiserID string
	Alerts                   []digestLine
}

type digestLine struct {
	A         adwatch.Alert
	Kind      string
	Published string
	Link      string
	Others    []adwatch.StoryDocument // the story's other sources
}

func newDigestView(d alerts.Digest, links alerts.Links) digestView {
	v := digestView{D: d, Title: d.Title()}
	for _, g := range d.Groups {
		gv := digestGroupView{Advertiser: g.Advertiser, AdvertiserID: g.AdvertiserID}
		for _, a := range g.Alerts {
			l := digestLine{A: a, Kind: alerts.KindLabel(a), Link: links.Document(a.DocumentID)}
			if a.PublishedAt != nil {
				l.Published = a.PublishedAt.UTC().Format("2 Jan 2006")
			}
			if len(a.Story) > 1 {
				l.Others = a.Story[1:]
			}
			gv.Alerts = append(gv.Alerts, l)
		}
		v.Groups = append(v.Groups, gv)
	}
	return v
}

var digestText = texttemplate.Must(texttemplate.New("digest-text").Parse(`{{.Title}}
Alerts routed to the {{.D.Channel}} digest, period {{.D.Period}}.
{{range .Groups}}
{{.Advertiser}} ({{.AdvertiserID}}): {{len .Alerts}}
{{range .Alerts}}  - {{.A.Title}}
    {{.A.DocumentURL}}
    {{.Kind}} · {{.A.Source}}{{if .Published}} · {{.Published}}{{end}} · score {{printf "%.2f" .A.Score}}{{if .A.Rescreen}} · re-screen{{end}}
{{range .Others}}    also: {{.URL}} ({{.Source}})
{{end}}{{if .Link}}    adwatch: {{.Link}}
{{end}}{{end}}{{end}}
-- 
adwatch digest
`))

var digestHTML = template.Must(template.New("digest-html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{.Title}}</title></head>
<body style="font-family:sans-serif">
<h2>{{.Title}}</h2>
<p style="color:#555">Alerts routed to the {{.D.Channel}} digest, period {{.D.Period}}.</p>
{{range .Groups}}<h3>{{.Advertiser}} <small style="color:#888">{{.AdvertiserID}} · {{len .Alerts}}</small></h3>
<ul>{{range .Alerts}}
<li><a href="{{.A.DocumentURL}}">{{.A.Title}}</a><br>
<small>{{.Kind}} · {{.A.Source}}{{if .Published}} · {{.Published}}{{end}} · score {{printf "%.2f" .A.Score}}{{if .A.Rescreen}} · re-screen{{end}}{{if .Link}} · <a href="{{.Link}}">open in adwatch</a>{{end}}</small>
{{if .Others}}<br><small>Also reported by: {{range $i, $o := .Others}}{{if $i}}, {{end}}<a href="{{$o.URL}}">{{$o.Source}}</a>{{end}}</small>{{end}}</li>{{end}}
</ul>
{{end}}</body></html>
`))

func renderDigest(d alerts.Digest, links alerts.Links) (text, html string, err error) {
	v := newDigestView(d, links)
	var tb, hb bytes.Buffer
	if err := digestText.Execute(&tb, v); err != nil {
		return "", "", fmt.Errorf("email: render digest text: %w", err)
	}
	if err := digestHTML.Execute(&hb, v); err != nil {
		return "", "", fmt.Errorf("email: render digest html: %w", err)
	}
	return tb.String(), hb.String(), nil
}

// SendDigest implements alerts.DigestNotifier. A digest goes to the policy
// list only: it names many advertisers, and an owner should see only their
// own.
func (n *Notifier) SendDigest(ctx context.Context, d alerts.Digest) error {
	text, html, err := renderDigest(d, n.links)
	if err != nil {
		return alerts.Permanent(err)
	}
	m := gomail.NewMsg()
	if err := m.From(n.cfg.From); err != nil {
		return alerts.Permanent(fmt.Errorf("email: from: %w", err))
	}
	if err := m.To(n.Recipients(adwatch.Alert{})...); err != nil {
		return alerts.Permanent(fmt.Errorf("email: to: %w", err))
	}
	m.Subject(d.Title())
	m.SetDate()
	period := strings.NewReplacer(":", "", "-", "").Replace(d.Period)
	m.SetMessageIDWithValue(fmt.Sprintf("adwatch-digest-%s-%s@%s", d.Channel, period, domain(n.cfg.From)))
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetUserAgent("adwatch/1.0")
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	client, err := gomail.NewClient(n.srv.host, n.options()...)
	if err != nil {
		return alerts.Permanent(n.redact(fmt.Errorf("email: client: %w", err)))
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return n.redact(classify(fmt.Errorf("email: send digest to %s: %w", n.srv.addr(), err)))
	}
	return nil
}
