package extract

import (
	"adwatch"
	"adwatch/extract/names"
)

// Options configure an Extractor.
type Options struct {
	// Matcher judges advertiser matches. Nil: companies only, no matches.
	Matcher *names.Matcher
}

// Extractor extracts documents. It holds no per-document state and is safe
// for concurrent use.
type Extractor struct {
	matcher *names.Matcher
	sizes   streamSizes // zero: defaults; tests shrink them
}

// New returns an Extractor.
func New(opts Options) *Extractor {
	return &Extractor{matcher: opts.Matcher}
}

// mentions runs company finding and advertiser matching over one text.
func (e *Extractor) mentions(in Input, title, text string) ([]adwatch.Company, []adwatch.Match, []adwatch.Span) {
	nd := names.Doc{Title: title, Text: text, Kind: in.Kind, Source: in.Source}
	// One pass over the words finds companies and judges advertiser matches
	// (a nil matcher finds companies only).
	matches, companies, spans := e.matcher.Analyze(nd)
	// JSON consumers expect arrays, never null.
	if companies == nil {
		companies = []adwatch.Company{}
	}
	if matches == nil {
		matches = []adwatch.Match{}
	}
	return companies, matches, spans
}
