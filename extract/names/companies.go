package names

import (
	"strings"

	"adwatch"
)

// ftok is a word of the text with what the company finder needs to know.
type ftok struct {
	token
	boundary bool   // a sentence or item boundary lies before this word
	line     int32  // index of the word's line in lineStats
	gap      string // the text between the previous word and this one
}

// lineStats counts, per line, the words that could be capitalised and those
// that are: Title Case lines are headings, where capitals say nothing.
type lineStats []struct{ words, capped int32 }

func (l lineStats) headline(i int32) bool {
	s := l[i]
	return s.words >= 3 && s.words <= 20 && s.capped*4 >= s.words*3
}

// in reports whether the word is in a hash-keyed word set.
func (t ftok) in(set *hset) bool { return set.has(t.hash) }

// is reports whether the word is w (w already normalised).
func (t ftok) is(w uint64) bool { return t.hash == w }

// candidate is one mention of a company name found by a rule.
type candidate struct {
	start, end int    // the name, without its legal form
	key        string // normalised name
	display    string
}

// FindCompanies returns every business the document names, one entry per
// company with its mention count, and the spans of those mentions in d.Text.
// It finds names with a legal form ("Huawei Technologies Co., Ltd."), names
// with a company cue ("the Moscow-based cybersecurity company Kaspersky"),
// names in lists after "companies such as", and, when m is not nil, the
// advertisers the matcher accepts. Government bodies, people and places are
// not companies. The name shown is the longest spelling seen, without its
// legal form; "Kaspersky" and "Kaspersky Lab" are one company.
func FindCompanies(d Doc, m *Matcher) ([]adwatch.Company, []adwatch.Span) {
	var lines lineStats
	toks := finderTokens(d.Text, &lines)
	defer func() { ftokPool.Put(&toks) }()
	var occs []occ
	if m != nil {
		occs = m.judgeDoc(Doc{Text: d.Text, Kind: d.Kind, Source: d.Source}, new(scratch), toks)
	}
	return findCompanies(d, m, occs, toks, lines)
}

// Analyze is Match and FindCompanies in one pass over the text, sharing the
// scan and the judgement: what extraction calls for each document.
func (m *Matcher) Analyze(d Doc) ([]adwatch.Match, []adwatch.Company, []adwatch.Span) {
	if m == nil {
		cs, spans := FindCompanies(d, nil)
		return nil, cs, spans
	}
	var lines lineStats
	toks := finderTokens(d.Text, &lines)
	defer func() { ftokPool.Put(&toks) }()
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	occs := m.judgeDoc(d, sc, toks)
	var ms []adwatch.Match
	if len(occs) > 0 {
		ms = m.matches(d, occs, sc)
	}
	cs, spans := findCompanies(d, m, occs, toks, lines)
	return ms, cs, spans
}

// findCompanies runs the company rules and adds the advertiser occurrences
// judgement accepted in the body.
func findCompanies(d Doc, m *Matcher, occs []occ, toks []ftok, lines lineStats) ([]adwatch.Company, []adwatch.Span) {
	var cands []candidate
	add := func(i, j int) { // words i..j-1 name a company
		for i < j && (toks[i].in(stopwordsH) || legalPrefixAt(toks, i) > 0) {
			i++
		}
		for j > i && toks[j-1].in(stopwordsH) {
			j--
		}
		i = trimCommonLead(toks, i, j)
		if i >= j || !nameOK(toks[i:j]) {
			return
		}
		s, e := toks[i].start, toks[j-1].end
		cands = append(cands, candidate{start: s, end: e, key: Normalize(d.Text[s:e]), display: d.Text[s:e]})
	}
	for i := 0; i < len(toks); i++ {
		// A legal form after a capitalised run: "Kaspersky Lab, Inc."
		if k := legalSuffixAt(toks, i); k > 0 && i > 0 && formGap(toks[i].gap) && !toks[i].boundary {
			if s := runStart(toks, i); s < i {
				add(s, i)
			}
			// "…, OOO Kaspersky Group": a form that may also lead the next name.
			if legalPrefixAt(toks, i) == 0 || i+k >= len(toks) || toks[i+k].boundary {
				i += k - 1
				continue
			}
		}
		// A legal form before: "AO Kaspersky Lab", "OOO Yandex".
		if k := legalPrefixAt(toks, i); k > 0 && i+k < len(toks) && !toks[i+k].boundary {
			if e := runEnd(toks, i+k); e > i+k {
				add(i+k, e)
			}
			continue
		}
		t := toks[i]
		trig := triggerFilter.may(t.hash) && triggersH.has(t.hash)
		// A cue noun or "-based" before a capitalised run: "company Kaspersky".
		if trig && (t.in(cueNounsH) || t.is(hBased) && strings.HasSuffix(t.gap, "-")) && i+1 < len(toks) &&
			!toks[i+1].boundary && toks[i+1].flags&fUpperFirst != 0 && onlySpace(toks[i+1].gap) {
			if e := runEnd(toks, i+1); e > i+1 {
				add(i+1, e)
			}
		}
		// A list after "companies such as" / "firms including", or right
		// after a plural company noun: "rivals Mastercard and PayPal".
		if trig && (t.is(hSuch) && i+1 < len(toks) && toks[i+1].is(hAs) || t.is(hIncluding) || t.is(hInclude)) &&
			listIntroduced(toks, i) && !capsContext(toks, i) {
			j := i + 1
			if t.is(hSuch) {
				j++
			}
			nameList(toks, j, add)
		} else if trig && t.in(listNounsH) && i+1 < len(toks) && !toks[i+1].boundary && onlySpace(toks[i+1].gap) &&
			toks[i+1].flags&fUpperFirst != 0 && !capsContext(toks, i+1) {
			nameList(toks, i+1, add)
		}
		// After an acquisition verb or "shares of": "acquired Red Hat".
		if trig && (t.in(dealVerbsH) || t.is(hOf) && i > 0 && toks[i-1].in(stakeNounsH)) && i+1 < len(toks) &&
			!toks[i+1].boundary && onlySpace(toks[i+1].gap) && toks[i+1].flags&fUpperFirst != 0 && !capsContext(toks, i+1) {
			if e := runEnd(toks, i+1); e > i+1 && hasDistinctWord(toks[i+1:e]) {
				add(i+1, e)
			}
		}
		// A capitalised run ending in a company word ("Huawei Technologies",
		// "Delta Air Lines"), followed by an apposition ("X, a … company"), by
		// a business verb ("Mattel announced") or by a company noun ("a former
		// Mattel executive", "Boeing's shares"). Runs of ordinary words and runs in capitals
		// are headings, not names.
		if t.flags&fUpperFirst != 0 && (i == 0 || toks[i-1].flags&fUpperFirst == 0 || toks[i].boundary) && !capsContext(toks, i) &&
			!lines.headline(t.line) {
			e := runEnd(toks, i)
			s := trimCommonLead(toks, i, e)
			if e > s && hasDistinctWord(toks[s:e]) && !(toks[s].boundary && toks[s].in(commonWordsH)) {
				switch {
				case e-s >= 2 && toks[e-1].in(companyTailsH) && !legalFormWord(toks[e-1].hash):
					add(s, e)
				case apposition(toks, e):
					add(s, e)
				case e < len(toks) && !toks[e].boundary && onlySpace(toks[e].gap) && toks[e].flags&fUpperFirst == 0 &&
					(toks[e].in(bizVerbsH) || toks[e].in(afterNounsH)):
					add(s, e)
				}
			}
			i = max(i, e-1)
		}
	}
	if m != nil {
		for _, o := range occs {
			if o.title || !o.v.accept {
				continue
			}
			s, e := o.start, o.end
			words, toks := normTokens(d.Text[s:e])
			if base, form := StripLegalForm(d.Text[s:e]); form != "" {
				words, toks = normTokens(base)
				off := strings.Index(d.Text[s:e], base)
				if off >= 0 && len(toks) > 0 {
					s, e = s+off, s+off+toks[len(toks)-1].end
				}
			}
			if len(words) > 0 {
				cands = append(cands, candidate{start: s, end: e, key: strings.Join(words, " "), display: d.Text[s:e]})
			}
		}
	}
	return mergeCompanies(d.Text, toks, cands)
}
