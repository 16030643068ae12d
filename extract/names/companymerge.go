package names

import (
	"slices"
	"strings"

	"adwatch"
)

// mergeCompanies groups mentions by name, folds a name into a longer one it
// begins ("Kaspersky" into "Kaspersky Lab"), counts every mention of each
// name in the text, and returns companies in order of first mention.
func mergeCompanies(text string, toks []ftok, cands []candidate) ([]adwatch.Company, []adwatch.Span) {
	if len(cands) == 0 {
		return nil, nil
	}
	type group struct {
		key, display string
		first        int
	}
	groups := make(map[string]*group)
	for _, c := range cands {
		g := groups[c.key]
		if g == nil {
			g = &group{key: c.key, display: c.display, first: c.start}
			groups[c.key] = g
		}
		if len(c.display) > len(g.display) {
			g.display = c.display
		}
		g.first = min(g.first, c.start)
	}
	// canonical maps each key to the longest key it begins.
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	// Longest first, each key claims its word prefixes that are keys too:
	// linear in the keys, whatever the size of a screening list.
	canonical := make(map[string]string, len(keys))
	for _, k := range keys {
		if _, ok := canonical[k]; !ok {
			canonical[k] = k
		}
		for i := len(k) - 1; i > 0; i-- {
			if k[i] != ' ' {
				continue
			}
			p := k[:i]
			if _, isKey := groups[p]; isKey {
				if _, claimed := canonical[p]; !claimed {
					canonical[p] = canonical[k]
				}
			}
		}
	}
	// "Kaspersky" alone names "Kaspersky Lab": a distinctive first word
	// followed only by generic company words is the company's short name.
	for _, k := range keys {
		ws := strings.Fields(k)
		if len(ws) < 2 || commonWords[ws[0]] || stopwords[ws[0]] || placesH.has(hw(ws[0])) || len(ws[0]) < 3 {
			continue
		}
		generic := true
		for _, w := range ws[1:] {
			generic = generic && companyTails[w]
		}
		if _, ok := groups[ws[0]]; generic && !ok {
			groups[ws[0]] = &group{key: ws[0], display: ws[0], first: groups[k].first}
			canonical[ws[0]] = canonical[k]
			keys = append(keys, ws[0])
		}
	}
	// Count every capitalised occurrence of every known name in one walk:
	// mentions found by no rule ("Kaspersky said") count too.
	first := make(map[uint64][]string) // first word → keys
	words := make(map[string][]uint64) // key → its word hashes
	for _, k := range keys {
		var hs []uint64
		for _, w := range strings.Fields(k) {
			hs = append(hs, hashBytes([]byte(w)))
		}
		words[k] = hs
		first[hs[0]] = append(first[hs[0]], k)
	}
	starts := make(map[int]bool, len(cands))
	for _, c := range cands {
		starts[c.start] = true
	}
	counts := make(map[string]int)
	var spans []adwatch.Span
	for i := 0; i < len(toks); i++ {
		if toks[i].flags&(fUpperFirst|fDigit|fInnerUpper) == 0 {
			continue
		}
		ks := first[toks[i].hash]
		if len(ks) == 0 {
			continue
		}
		if i > 0 && !toks[i].boundary && onlySpace(toks[i].gap) && (toks[i-1].in(givenNamesH) && toks[i-1].flags&fUpperFirst != 0 || toks[i-1].in(honorificsH)) {
			continue // Eugene Kaspersky is a person
		}
		for _, k := range ks { // longest first
			hs := words[k]
			n := len(hs)
			if i+n > len(toks) || !sameWords(toks[i:i+n], hs) {
				continue
			}
			c := canonical[k]
			if len(hs) == 1 && commonWords[k] && toks[i].flags&fAllUpper == 0 && !starts[toks[i].start] {
				break // a common word counts only where a rule found it
			}
			counts[c]++
			spans = append(spans, adwatch.Span{Start: toks[i].start, End: toks[i+n-1].end, Name: groups[c].display})
			i += n - 1
			break
		}
	}
	var found []*group
	for _, k := range keys {
		if canonical[k] == k && counts[k] > 0 {
			found = append(found, groups[k])
		}
	}
	slices.SortStableFunc(found, func(a, b *group) int { return a.first - b.first })
	out := make([]adwatch.Company, 0, len(found))
	for _, g := range found {
		out = append(out, adwatch.Company{Name: strings.Join(strings.Fields(g.display), " "), Mentions: counts[g.key]})
	}
	slices.SortFunc(spans, func(a, b adwatch.Span) int { return a.Start - b.Start })
	return out, spans
}

func sameWords(ts []ftok, hs []uint64) bool {
	for i, t := range ts {
		if t.hash != hs[i] {
			return false
		}
	}
	return true
}
