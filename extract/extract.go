// Package extract turns the bytes of one fetched document or local file into
// readable text, a title, a publication date and a canonical URL, and then
// names the companies in that text and the advertisers they match (through
// adwatch/extract/names).
//
// It is pure: bytes in, text and mentions out. It must not touch a database,
// the network or the file system (beyond reading the input it is handed), and
// it must not panic on any input, however broken. That is what lets
// `adwatch extract` run offline and lets every rule here be tested on fixtures.
package extract

import (
	"context"
	"fmt"
	"strings"
	"time"

	"adwatch"
)

// Input is one document to extract.
type Input struct {
	Name        string            // file name or URL; its extension is a type hint
	URL         string            // document URL if any (to resolve relative canonical links)
	ContentType string            // from HTTP, may be wrong or empty: sniffed
	Kind        adwatch.Kind      // government | press: government HTML keeps the full body
	Source      string            // source name, for suppressions
	Body        []byte            // the raw bytes
	Meta        map[string]string // fallbacks: title, published, canonical_url, summary
}

// doc is what a format reader makes of the bytes, before fallbacks and names.
type doc struct {
	Title     string
	Text      string
	Published *time.Time
	Canonical string
}

// Extract reads in.Body whatever its format and returns its text, metadata,
// the companies it names and the advertisers it matches. Errors are returned
// only for input that cannot be read at all (a broken PDF, a malformed feed);
// odd HTML or text always yields something.
func (e *Extractor) Extract(ctx context.Context, in Input) (adwatch.Extracted, error) {
	if err := ctx.Err(); err != nil {
		return adwatch.Extracted{}, fmt.Errorf("extract %s: %w", in.Name, err)
	}
	d, err := readDoc(ctx, in)
	if err != nil {
		return adwatch.Extracted{}, fmt.Errorf("extract %s: %w", displayName(in), err)
	}
	return e.finish(in, d), nil
}

// readDoc dispatches on the detected format.
func readDoc(ctx context.Context, in Input) (doc, error) {
	format := Detect(in.Name, in.ContentType, head(in.Body))
	switch format {
	case FormatHTML:
		return readHTML(in), nil
	case FormatFeed:
		return readFeed(in)
	case FormatJSON:
		return readJSON(in)
	case FormatPDF:
		return readPDF(ctx, in.Body)
	case FormatMarkdown:
		return readMarkdown(in.Body), nil
	default:
		return readPlain(in.Body), nil
	}
}

// finish applies the source's fallbacks and runs company finding and matching.
func (e *Extractor) finish(in Input, d doc) adwatch.Extracted {
	applyMeta(&d, in)
	out := adwatch.Extracted{
		Title:        d.Title,
		Text:         d.Text,
		Published:    d.Published,
		CanonicalURL: d.Canonical,
	}
	out.Companies, out.Matches, out.Spans = e.mentions(in, d.Title, d.Text)
	return out
}

// applyMeta fills what the document did not say from what its source said.
func applyMeta(d *doc, in Input) {
	d.Title = cleanLine(d.Title)
	if d.Title == "" {
		d.Title = cleanLine(in.Meta["title"])
	}
	if d.Published == nil {
		d.Published = parseDate(in.Meta["published"])
	}
	if d.Canonical == "" {
		d.Canonical = absURL(in.Meta["canonical_url"], in.URL)
	}
	if d.Canonical == "" && in.URL != "" {
		d.Canonical = absURL(in.URL, "")
	}
	if strings.TrimSpace(d.Text) == "" && in.Meta["summary"] != "" {
		d.Text = cleanText(htmlFragmentText(in.Meta["summary"]))
	}
}

func displayName(in Input) string {
	if in.Name != "" {
		return in.Name
	}
	if in.URL != "" {
		return in.URL
	}
	return "document"
}

func head(b []byte) []byte {
	if len(b) > 1024 {
		return b[:1024]
	}
	return b
}
