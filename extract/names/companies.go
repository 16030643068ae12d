package names

import (
	"slices"
	"strings"
	"sync"

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
func (t ftok) in(set map[uint64]bool) bool { return set[t.hash] }

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
	var occs []occ
	if m != nil {
		occs = m.judgeDoc(Doc{Text: d.Text, Kind: d.Kind, Source: d.Source}, new(scratch))
	}
	return findCompanies(d, m, occs)
}

// Analyze is Match and FindCompanies in one pass over the text, sharing the
// scan and the judgement: what extraction calls for each document.
func (m *Matcher) Analyze(d Doc) ([]adwatch.Match, []adwatch.Company, []adwatch.Span) {
	if m == nil {
		cs, spans := findCompanies(d, nil, nil)
		return nil, cs, spans
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	occs := m.judgeDoc(d, sc)
	var ms []adwatch.Match
	if len(occs) > 0 {
		ms = m.matches(d, occs, sc)
	}
	cs, spans := findCompanies(d, m, occs)
	return ms, cs, spans
}

// findCompanies runs the company rules and adds the advertiser occurrences
// judgement accepted in the body.
func findCompanies(d Doc, m *Matcher, occs []occ) ([]adwatch.Company, []adwatch.Span) {
	var lines lineStats
	toks := finderTokens(d.Text, &lines)
	defer func() { ftokPool.Put(&toks) }()
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
		trig := triggerFilter.may(t.hash) && triggersH[t.hash]
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
		} else if t.in(listNounsH) && i+1 < len(toks) && !toks[i+1].boundary && onlySpace(toks[i+1].gap) &&
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

// nameList adds the names of a list "X, Y, and Z" starting at toks[j].
func nameList(toks []ftok, j int, add func(i, j int)) {
	for j < len(toks) && !toks[j].boundary {
		if toks[j].flags&fUpperFirst == 0 {
			if toks[j].is(hAnd) || toks[j].is(hOr) {
				j++
				continue
			}
			return
		}
		e := runEnd(toks, j)
		if e <= j {
			return // "The", a capitalised function word: no name here
		}
		add(j, e)
		j = e
		if j < len(toks) && !strings.Contains(toks[j].gap, ",") && !toks[j].is(hAnd) && !toks[j].is(hOr) {
			return
		}
	}
}

// trimCommonLead drops two or more ordinary words that lead a run into a
// distinctive word, as labels of a table row do: "Security Entity ZTE" →
// "ZTE". "Red Hat" and "Royal Bank of Scotland" (joined by a connector) keep
// their words.
func trimCommonLead(toks []ftok, i, j int) int {
	for k := i; k < j; k++ {
		t := toks[k]
		if t.in(connectorsH) {
			return i
		}
		if !t.in(commonWordsH) && !t.in(companyTailsH) && !t.in(stopwordsH) {
			if t.flags&fDigit != 0 || k-i < 2 {
				return i // one ordinary word is often part of the name: "Red Hat"
			}
			return k
		}
	}
	return i
}

// hasDistinctWord reports a word that is not an ordinary English word, a
// company word or a number: "Mattel", "Huawei", not "Close Nine Stores".
func hasDistinctWord(ts []ftok) bool {
	for _, t := range ts {
		if !t.in(commonWordsH) && !t.in(companyTailsH) && !t.in(stopwordsH) && t.flags&fDigit == 0 && t.end-t.start > 1 {
			return true
		}
	}
	return false
}

// capsContext reports a word in capitals between words in capitals: an
// ALL-CAPS line, where capitals say nothing about names.
func capsContext(toks []ftok, i int) bool {
	if toks[i].flags&fAllUpper == 0 {
		return false
	}
	near := 0
	for _, k := range []int{i - 2, i - 1, i + 1, i + 2} {
		if k >= 0 && k < len(toks) && toks[k].flags&fAllUpper != 0 && toks[k].end-toks[k].start > 1 {
			near++
		}
	}
	return near >= 2
}

// cueNouns before a name make it a company: "the cybersecurity company Kaspersky".
var cueNouns = wordSet(`company firm retailer maker manufacturer giant conglomerate carrier airline bank lender insurer
	chain operator startup supplier vendor provider subsidiary rival competitor automaker carmaker chipmaker
	drugmaker distributor producer developer publisher contractor`)

var ftokPool = sync.Pool{New: func() any { return new([]ftok) }}

// finderTokens tokenises the whole text with the boundary before each word.
func finderTokens(text string, lines *lineStats) []ftok {
	var tz tokenizer
	tz.reset(text)
	tz.noText = true
	out := (*ftokPool.Get().(*[]ftok))[:0]
	var tok token
	prevEnd := 0
	*lines = append((*lines)[:0], struct{ words, capped int32 }{})
	for tz.next(&tok) {
		t := ftok{token: tok, gap: text[prevEnd:tok.start]}
		if strings.IndexByte(t.gap, '\n') >= 0 {
			*lines = append(*lines, struct{ words, capped int32 }{})
		}
		t.line = int32(len(*lines) - 1)
		if l := &(*lines)[t.line]; tok.flags&fDigit == 0 && !stopwordsH[tok.hash] {
			l.words++
			if tok.flags&fUpperFirst != 0 {
				l.capped++
			}
		}
		if len(out) == 0 {
			t.boundary = true
		} else {
			p := out[len(out)-1]
			t.boundary = isBoundary(ctxTok{h: p.hash, flags: p.flags, start: p.start, end: p.end, gap: t.gap})
		}
		out = append(out, t)
		prevEnd = tok.end
	}
	return out
}

// nameWord reports whether t can be part of a company name: capitalised, a
// number, &, or a connector between capitalised words.
func nameWord(t ftok) bool {
	return t.flags&(fUpperFirst|fDigit|fAmp) != 0
}

// connectors join the words of one name ("Bank of America", "Banco de
// Chile"); "and" is left out: it joins names far more often than it sits in one.
var connectors = wordSet("of de du der des la le van von y e")

// runStart walks back from words[i] over a capitalised run that stays within
// one sentence and is joined by spaces (and the comma before a legal form).
func runStart(toks []ftok, i int) int {
	s := i
	for j := i - 1; j >= 0 && i-j <= 6; j-- {
		g := toks[j+1].gap
		if j+1 == i {
			if !formGap(g) {
				break
			}
		} else if !nameGapAfter(toks[j], g) {
			break
		}
		t := toks[j]
		if nameWord(t) && !(t.in(stopwordsH) && t.flags&fAmp == 0) {
			s = j
		} else if t.in(connectorsH) && j > 0 && nameWord(toks[j-1]) && s == j+1 {
			continue
		} else {
			break
		}
		if t.boundary {
			break
		}
	}
	return s
}

// runEnd walks forward from words[i] over a capitalised run.
func runEnd(toks []ftok, i int) int {
	e := i
	for j := i; j < len(toks) && j-i < 6; j++ {
		t := toks[j]
		if j > i && (t.boundary || !nameGapAfter(toks[j-1], t.gap)) {
			break
		}
		if nameWord(t) && (!t.in(stopwordsH) || t.flags&fAmp != 0) {
			e = j + 1
			continue
		}
		if t.in(connectorsH) && j+1 < len(toks) && nameWord(toks[j+1]) && !toks[j+1].boundary {
			continue
		}
		break
	}
	// A legal form inside the run ends the name: "Huawei Technologies Co".
	for j := i + 1; j < e; j++ {
		if legalSuffixAt(toks, j) > 0 {
			return j
		}
	}
	return e
}

func nameGap(g string) bool { return g == " " || g == "-" || g == "\u00a0" }

// nameGapAfter also lets an abbreviation's dot sit inside a name: "Huawei
// Tech. Investment".
func nameGapAfter(prev ftok, g string) bool {
	return nameGap(g) || g == ". " && (prev.in(abbrevsH) || prev.end-prev.start == 1)
}

// legalSuffixAt returns how many words of a legal form written after a name
// start at toks[i], 0 if none.
func legalSuffixAt(toks []ftok, i int) int {
	if toks[i].flags&(fUpperFirst|fAmp) == 0 || !legal.first.may(toks[i].hash) {
		return 0
	}
	k := legal.longestAfter(func(n int) (uint64, bool) {
		j := i + n
		if j >= len(toks) || n > 0 && (!formGap(toks[j].gap) || toks[j].boundary && !strings.Contains(toks[j].gap, ".")) {
			return 0, false
		}
		return toks[j].hash, true
	}, lfSuffix)
	if k == 1 && toks[i].in(commonWordsH) && toks[i].end-toks[i].start <= 3 && toks[i].flags&fAllUpper == 0 {
		return 0 // "As", "At": English, not Norwegian
	}
	return k
}

// legalPrefixAt returns how many words of a prefix legal form start at toks[i].
func legalPrefixAt(toks []ftok, i int) int {
	if toks[i].flags&fAllUpper == 0 || !legal.first.may(toks[i].hash) {
		return 0
	}
	return legal.longestAfter(func(n int) (uint64, bool) {
		if i+n >= len(toks) || n >= 3 {
			return 0, false
		}
		return toks[i+n].hash, true
	}, lfPrefix)
}

func legalFormWord(h uint64) bool { return legal.hashes[combine(seqSeed, h)]&(lfSuffix|lfPrefix) != 0 }

// listIntroduced reports "companies such as", "firms including", "vendors
// like": a plural company noun shortly before.
func listIntroduced(toks []ftok, i int) bool {
	for j := i - 1; j >= 0 && i-j <= 3; j-- {
		if toks[j].in(listNounsH) {
			return true
		}
		if toks[j+1].boundary {
			return false
		}
	}
	return false
}

// apposition reports ", a Chinese telecommunications company" after a name.
func apposition(toks []ftok, e int) bool {
	if e >= len(toks) || !strings.HasPrefix(strings.TrimSpace(toks[e].gap), ",") {
		return false
	}
	if w := toks[e]; !w.is(hA) && !w.is(hAn) && !w.is(hThe) {
		return false
	}
	for j := e + 1; j < len(toks) && j-e <= 5; j++ {
		if toks[j].boundary || strings.Contains(toks[j].gap, ",") {
			return false
		}
		if toks[j].in(cueNounsH) {
			return true
		}
	}
	return false
}

// nameOK rejects government bodies, people and places.
func nameOK(ts []ftok) bool {
	if len(ts) == 0 || len(ts) > 8 {
		return false
	}
	if ts[0].flags&(fUpperFirst|fDigit) == 0 {
		return false
	}
	for _, t := range ts {
		if t.in(governmentWordsH) || t.in(titleWordsH) {
			return false
		}
	}
	if ts[0].in(givenNamesH) && len(ts) <= 3 && !ts[len(ts)-1].in(companyTailsH) {
		return false
	}
	real := false
	for _, t := range ts {
		real = real || t.flags&fDigit == 0 && t.end-t.start > 1 && !legalFormWord(t.hash)
	}
	if !real {
		return false // "2", "Ltd", "Private"
	}
	if len(ts) == 1 {
		t := ts[0]
		if t.in(placesH) || t.in(stopwordsH) || t.in(commonWordsH) && t.flags&fAllUpper == 0 {
			return false
		}
	}
	return true
}

// places that company cues and lists may otherwise pick up.
var placesH = hashSet(wordSet(`china russia moscow beijing shenzhen hangzhou shanghai washington usa us america europe japan
	tokyo korea seoul taiwan taipei india iran israel germany france london britain uk canada mexico brazil
	virginia california texas new`))

var (
	cueNounsH        = hashSet(cueNouns)
	connectorsH      = hashSet(connectors)
	governmentWordsH = hashSet(governmentWords)
	givenNamesH      = hashSet(givenNames)
	honorificsH      = hashSet(honorifics)
	listNounsH       = hashSet(wordSet(`companies firms vendors suppliers manufacturers makers providers brands retailers
		carriers entities businesses corporations conglomerates rivals competitors`))

	// triggersH holds every lower-case word a rule starts from, so most words
	// cost one lookup.
	triggersH = func() map[uint64]bool {
		m := hashSet(cueNouns)
		for _, w := range []string{"based", "such", "including", "include", "of", "acquired", "acquire", "acquiring", "bought", "buy", "buying", "rival", "rivals"} {
			m[hw(w)] = true
		}
		return m
	}()

	triggerFilter = newWordFilter(triggersH)

	afterNounsH = hashSet(afterNouns)
	titleWordsH = hashSet(wordSet(`chief officer secretary minister director president chairman chairwoman executive
		spokesperson counsel commissioner administrator undersecretary ambassador governor senator representative`))
	dealVerbsH  = hashSet(wordSet("acquired acquire acquiring bought buy buying rival rivals"))
	stakeNounsH = hashSet(wordSet("shares stake unit subsidiary division owner parent stock"))
	bizVerbsH   = hashSet(wordSet(`announced reported posted sells sold acquired bought launched shipped manufactures makes
		recalled employs hired laid unveiled agreed plans filed sued settled invested pledged partnered disclosed
		introduced operates owns`))
	hOf = hw("of")

	hBased, hSuch, hAs, hIncluding, hInclude = hw("based"), hw("such"), hw("as"), hw("including"), hw("include")
	hAnd, hOr, hA, hAn, hThe                 = hw("and"), hw("or"), hw("a"), hw("an"), hw("the")
)

func hw(s string) uint64 { return hashBytes([]byte(s)) }

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
		if len(ws) < 2 || commonWords[ws[0]] || stopwords[ws[0]] || placesH[hw(ws[0])] || len(ws[0]) < 3 {
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
