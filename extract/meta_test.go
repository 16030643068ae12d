package extract

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"adwatch"
)

func TestHTMLMetadata(t *testing.T) {
	t.Parallel()
	body := func(head, bodyHTML string) []byte {
		return []byte("<!DOCTYPE html><html><head>" + head + "</head><body>" + bodyHTML + "</body></html>")
	}
	article := "<article><p>" + strings.Repeat("The Commission added Kaspersky Lab to the Covered List. ", 10) + "</p></article>"
	tests := []struct {
		name                        string
		in                          Input
		wantTitle, wantDate, wantCU string
	}{
		{
			name: "json-ld graph date, twitter title, og:url",
			in: Input{URL: "https://example.com/a", Body: body(`<meta name="twitter:title" content="FCC adds Kaspersky">
<meta property="og:url" content="https://example.com/news/fcc-kaspersky">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite","name":"X"},{"@type":"NewsArticle","datePublished":"2022-03-25T16:00:00Z"}]}</script>`, article)},
			wantTitle: "FCC adds Kaspersky", wantDate: "2022-03-25T16:00:00Z", wantCU: "https://example.com/news/fcc-kaspersky",
		},
		{
			name:      "time element, h1, relative canonical",
			in:        Input{URL: "https://example.com/x/y?z=1", Body: body(`<link rel="canonical" href="../news/z">`, `<h1>Entity List additions</h1><time datetime="2019-05-16">May 16</time>`+article)},
			wantTitle: "Entity List additions", wantDate: "2019-05-16T00:00:00Z", wantCU: "https://example.com/news/z",
		},
		{
			name: "source meta as fallback",
			in: Input{Body: body("", article), Meta: map[string]string{
				"title": "Covered List update", "published": "2022-03-25", "canonical_url": "https://www.fcc.gov/covered-list"}},
			wantTitle: "Covered List update", wantDate: "2022-03-25T00:00:00Z", wantCU: "https://www.fcc.gov/covered-list",
		},
		{
			name:      "page beats source meta",
			in:        Input{Body: body(`<title>Own title</title><meta name="DC.date" content="September 13, 2017">`, article), Meta: map[string]string{"title": "Feed title", "published": "2020-01-01"}},
			wantTitle: "Own title", wantDate: "2017-09-13T00:00:00Z",
		},
	}
	e := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.in.Name = "page.html"
			got, err := e.Extract(context.Background(), tt.in)
			if err != nil {
				t.Fatal(err)
			}
			date := ""
			if got.Published != nil {
				date = got.Published.UTC().Format(time.RFC3339)
			}
			if got.Title != tt.wantTitle || date != tt.wantDate || got.CanonicalURL != tt.wantCU {
				t.Errorf("got (%q, %q, %q), want (%q, %q, %q)", got.Title, date, got.CanonicalURL, tt.wantTitle, tt.wantDate, tt.wantCU)
			}
		})
	}
}

// A server that says UTF-8 about a Windows-1252 page does not get
// replacement characters in company names.
func TestHTMLMislabelledCharset(t *testing.T) {
	t.Parallel()
	body := []byte("<html><body><p>Soci\xe9t\xe9 G\xe9n\xe9rale and Nestl\xe9 S.A. \x93signed\x94 the agreement.</p></body></html>")
	got, err := New(Options{}).Extract(context.Background(), Input{Name: "p.html", ContentType: "text/html; charset=utf-8", Kind: adwatch.KindGovernment, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Société Générale and Nestlé S.A. “signed” the agreement."; got.Text != want {
		t.Errorf("text: got %q, want %q", got.Text, want)
	}
}

// A body that is not UTF-8 at all, with no declaration, still yields valid
// UTF-8.
func TestInvalidUTF8Replaced(t *testing.T) {
	t.Parallel()
	got, err := New(Options{}).Extract(context.Background(), Input{Name: "a.txt", Body: []byte("Huawei \xff\xfe\xfd ZTE \xe2\x82 ok")})
	if err != nil {
		t.Fatal(err)
	}
	if !utf8.ValidString(got.Text) || !strings.Contains(got.Text, "Huawei ") || !strings.Contains(got.Text, " ZTE ") {
		t.Errorf("text: got %q, want valid UTF-8 keeping Huawei and ZTE", got.Text)
	}
}
