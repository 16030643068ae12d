//go:build nonames

package extract

import "adwatch"

// Temporary stand-in while adwatch/extract/names is being written.

type Options struct{ Matcher *struct{} }

type Extractor struct{ sizes streamSizes }

func New(opts Options) *Extractor { return &Extractor{} }

func (e *Extractor) mentions(in Input, title, text string) ([]adwatch.Company, []adwatch.Match, []adwatch.Span) {
	return []adwatch.Company{}, []adwatch.Match{}, nil
}
