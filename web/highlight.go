package web

import (
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"adwatch"
)

// segment is a run of document text, marked when it is a mention. Templates
// print Text escaped; nothing here produces HTML.
type segment struct {
	Text string
	Mark bool
	Kind string // "advertiser" or "company", for the CSS class
}

// maxTerms bounds the alternation built from a document's company names.
const maxTerms = 500

// highlight splits text into segments with every mention marked: the stored
// offsets (matches and company spans) first, then every other occurrence of
// the company names and advertiser aliases found in the text, since the
// stored match keeps one offset per advertiser.
func highlight(doc adwatch.Document, alerts []adwatch.Alert) []segment {
	return split(doc.Text, append(storedSpans(doc), foundSpans(doc, alerts)...))
}

type span struct {
	start, end int
	kind       string
}

func storedSpans(doc adwatch.Document) []span {
	adv := map[string]bool{}
	var out []span
	for _, m := range doc.Matches {
		adv[strings.ToLower(m.AdvertiserID)] = true
		adv[strings.ToLower(m.Advertiser)] = true
		out = append(out, span{m.Start, m.End, "advertiser"})
	}
	for _, sp := range doc.CompanySpans {
		k := "company"
		if adv[strings.ToLower(sp.Name)] {
			k = "advertiser"
		}
		out = append(out, span{sp.Start, sp.End, k})
	}
	return out
}

func foundSpans(doc adwatch.Document, alerts []adwatch.Alert) []span {
	kind := map[string]string{}
	add := func(term, k string) {
		term = strings.TrimSpace(term)
		if len([]rune(term)) < 2 || len(kind) >= maxTerms {
			return
		}
		key := strings.ToLower(term)
		if kind[key] != "advertiser" {
			kind[key] = k
		}
	}
	for _, m := range doc.Matches {
		add(m.Alias, "advertiser")
		add(m.Advertiser, "advertiser")
	}
	for _, a := range alerts {
		add(a.Alias, "advertiser")
		add(a.Advertiser, "advertiser")
	}
	for _, name := range doc.Advertisers {
		add(name, "advertiser")
	}
	for _, c := range doc.Companies {
		add(c.Name, "company")
	}
	if len(kind) == 0 {
		return nil
	}
	terms := make([]string, 0, len(kind))
	for t := range kind {
		terms = append(terms, t)
	}
	// Longest first, so "Kaspersky Lab" wins over "Kaspersky".
	sort.Slice(terms, func(i, j int) bool {
		if len(terms[i]) != len(terms[j]) {
			return len(terms[i]) > len(terms[j])
		}
		return terms[i] < terms[j]
	})
	quoted := make([]string, len(terms))
	for i, t := range terms {
		quoted[i] = regexp.QuoteMeta(t)
	}
	// RE2 runs in time linear in the text whatever the names are.
	re, err := regexp.Compile(`(?i)\b(?:` + strings.Join(quoted, "|") + `)\b`)
	if err != nil {
		return nil
	}
	var out []span
	for _, loc := range re.FindAllStringIndex(doc.Text, -1) {
		out = append(out, span{loc[0], loc[1], kind[strings.ToLower(doc.Text[loc[0]:loc[1]])]})
	}
	return out
}

// split cuts text at the spans, dropping spans that are out of range,
// overlapping an earlier one, or not on UTF-8 boundaries.
func split(text string, spans []span) []segment {
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		if spans[i].end != spans[j].end {
			return spans[i].end > spans[j].end
		}
		return spans[i].kind == "advertiser" && spans[j].kind != "advertiser"
	})
	var out []segment
	pos := 0
	for _, sp := range spans {
		if sp.start < pos || sp.end <= sp.start || sp.end > len(text) ||
			!boundary(text, sp.start) || !boundary(text, sp.end) {
			continue
		}
		if sp.start > pos {
			out = append(out, segment{Text: text[pos:sp.start]})
		}
		if sp.kind == "" {
			sp.kind = "company"
		}
		out = append(out, segment{Text: text[sp.start:sp.end], Mark: true, Kind: sp.kind})
		pos = sp.end
	}
	if pos < len(text) {
		out = append(out, segment{Text: text[pos:]})
	}
	return out
}

func boundary(s string, i int) bool {
	return i == len(s) || utf8.RuneStart(s[i])
}
