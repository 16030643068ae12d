package extract

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html/charset"
)

// readFeed reads an RSS 2.0, Atom, RDF or JSON Feed file: the feed's title is
// the document's title, and every item (title, then its content or
// description as text) is a paragraph of its text.
func readFeed(in Input) (doc, error) {
	body := in.Body
	var f *gofeed.Feed
	var err error
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("feed parser: %v", r)
			}
		}()
		f, err = parseFeed(body, in.ContentType)
	}()
	if err != nil {
		if bytes.HasPrefix(trimLeadingNoise(head(body)), []byte("<")) {
			// Not a feed after all (a .xml of something else): its
			// words are still the document.
			d := readHTML(Input{Body: body, ContentType: "text/html", Kind: "government"})
			if d.Text != "" {
				return d, nil
			}
		}
		return doc{}, fmt.Errorf("parse feed: %w", err)
	}
	d := doc{Title: cleanLine(f.Title), Canonical: absURL(f.FeedLink, "")}
	if d.Canonical == "" {
		d.Canonical = absURL(f.Link, "")
	}
	d.Published = f.PublishedParsed
	if d.Published == nil {
		d.Published = f.UpdatedParsed
	}
	var b strings.Builder
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		b.WriteString(htmlFragmentText(it.Title))
		b.WriteString("\n\n")
		body := it.Content
		if strings.TrimSpace(htmlFragmentText(body)) == "" {
			body = it.Description
		}
		b.WriteString(htmlFragmentText(body))
		b.WriteString("\n\n")
		if d.Published == nil {
			d.Published = latest(it.PublishedParsed, it.UpdatedParsed)
		}
	}
	d.Text = cleanText(b.String())
	if d.Published != nil {
		t := *d.Published
		d.Published = plausible(t)
	}
	return d, nil
}

// parseFeed decodes non-UTF-8 XML feeds through their declared charset.
func parseFeed(body []byte, contentType string) (*gofeed.Feed, error) {
	p := gofeed.NewParser()
	f, err := p.Parse(bytes.NewReader(body))
	if err == nil {
		return f, nil
	}
	r, cerr := charset.NewReader(bytes.NewReader(body), contentType)
	if cerr != nil {
		return nil, err
	}
	return p.Parse(r)
}

func latest(ts ...*time.Time) *time.Time {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}
