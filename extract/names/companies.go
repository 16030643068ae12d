package names

import (
	"slices"
	"strings"

	"adwatch"
)

// ftok is a word of the text with what the company finder needs to know.
type ftok struct {
	token
	w        string
	boundary bool // a sentence or item boundary lies before this word
	gap      string
}

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
	toks := finderTokens(d.Text)
	var cands []candidate
	add := func(i, j int) { // words i..j-1 name a company
		for i < j && (stopwords[toks[i].w] || legalPrefixAt(toks, i) > 0) {
			i++
		}
		for j > i && stopwords[toks[j-1].w] {
			j--
		}
		if i >= j || !nameOK(toks[i:j]) {
			return
		}
		s, e := toks[i].start, toks[j-1].end
		cands = append(cands, candidate{start: s, end: e, key: joinWords(toks[i:j]), display: d.Text[s:e]})
	}
	for i := 0; i < len(toks); i++ {
		// A legal form after a capitalised run: "Kaspersky Lab, Inc."
		if k := legalSuffixAt(toks, i); k > 0 && i > 0 && formGap(toks[i].gap) && !toks[i].boundary {
			if s := runStart(toks, i); s < i {
				add(s, i)
			}
			i += k - 1
			continue
		}
		// A legal form before: "AO Kaspersky Lab", "OOO Yandex".
		if k := legalPrefixAt(toks, i); k > 0 && i+k < len(toks) && !toks[i+k].boundary {
			if e := runEnd(toks, i+k); e > i+k {
				add(i+k, e)
			}
			continue
		}
		t := toks[i]
		// A cue noun or "-based" before a capitalised run: "company Kaspersky".
		if (cueNouns[t.w] || t.w == "based" && strings.HasSuffix(t.gap, "-")) && i+1 < len(toks) &&
			!toks[i+1].boundary && toks[i+1].flags&fUpperFirst != 0 && onlySpace(toks[i+1].gap) {
			if e := runEnd(toks, i+1); e > i+1 {
				add(i+1, e)
			}
		}
		// A list after "companies such as" / "firms including".
		if (t.w == "such" && i+1 < len(toks) && toks[i+1].w == "as" || t.w == "including" || t.w == "include") &&
			listIntroduced(toks, i) {
			j := i + 1
			if t.w == "such" {
				j++
			}
			for j < len(toks) && !toks[j].boundary {
				if toks[j].flags&fUpperFirst == 0 {
					if toks[j].w == "and" || toks[j].w == "or" {
						j++
						continue
					}
					break
				}
				e := runEnd(toks, j)
				add(j, e)
				j = e
				if j < len(toks) && !strings.Contains(toks[j].gap, ",") && toks[j].w != "and" && toks[j].w != "or" {
					break
				}
			}
		}
		// A capitalised run ending in a company word: "Huawei Technologies",
		// "Delta Air Lines", or followed by an apposition "X, a … company".
		if t.flags&fUpperFirst != 0 && (i == 0 || toks[i-1].flags&fUpperFirst == 0 || toks[i].boundary) {
			e := runEnd(toks, i)
			if e-i >= 2 && companyTails[toks[e-1].w] && !legalFormWord(toks[e-1].w) {
				add(i, e)
			} else if e > i && apposition(toks, e) {
				add(i, e)
			}
		}
	}
	if m != nil {
		for _, o := range m.judgeDoc(Doc{Text: d.Text, Kind: d.Kind, Source: d.Source}, new(scratch)) {
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

// cueNouns before a name make it a company: "the cybersecurity company Kaspersky".
var cueNouns = wordSet(`company firm retailer maker manufacturer giant conglomerate carrier airline bank lender insurer
	chain operator startup supplier vendor provider subsidiary rival competitor automaker carmaker chipmaker
	drugmaker distributor producer developer publisher contractor`)

// finderTokens tokenises the whole text with the boundary before each word.
func finderTokens(text string) []ftok {
	var tz tokenizer
	tz.reset(text)
	var out []ftok
	var tok token
	prevEnd := 0
	for tz.next(&tok) {
		t := ftok{token: tok, w: string(tz.buf), gap: text[prevEnd:tok.start]}
		if len(out) == 0 {
			t.boundary = true
		} else {
			p := out[len(out)-1]
			t.boundary = isBoundary(ctxTok{w: p.w, flags: p.flags, gap: t.gap})
		}
		out = append(out, t)
		prevEnd = tok.end
	}
	return out
}

func joinWords(ts []ftok) string {
	ws := make([]string, len(ts))
	for i, t := range ts {
		ws[i] = t.w
	}
	return strings.Join(ws, " ")
}

// nameWord reports whether t can be part of a company name: capitalised, a
// number, &, or a connector between capitalised words.
func nameWord(t ftok) bool {
	return t.flags&(fUpperFirst|fDigit|fAmp) != 0
}

var connectors = wordSet("of de du der des la le van von y e and")

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
		} else if !nameGap(g) {
			break
		}
		t := toks[j]
		if nameWord(t) && !(stopwords[t.w] && t.flags&fAmp == 0) {
			s = j
		} else if connectors[t.w] && j > 0 && nameWord(toks[j-1]) && s == j+1 {
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
		if j > i && (t.boundary || !nameGap(t.gap)) {
			break
		}
		if nameWord(t) && (!stopwords[t.w] || t.flags&fAmp != 0) {
			e = j + 1
			continue
		}
		if connectors[t.w] && j+1 < len(toks) && nameWord(toks[j+1]) && !toks[j+1].boundary {
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

func nameGap(g string) bool { return g == " " || g == "-" || g == "\u00a0" || g == ". " && false }

// legalSuffixAt returns how many words of a legal form written after a name
// start at toks[i], 0 if none.
func legalSuffixAt(toks []ftok, i int) int {
	if toks[i].flags&(fUpperFirst|fAmp) == 0 {
		return 0
	}
	var words []string
	for j := i; j < len(toks) && j-i < legal.maxTokens; j++ {
		if j > i && (!formGap(toks[j].gap) || toks[j].boundary && !strings.Contains(toks[j].gap, ".")) {
			break
		}
		words = append(words, toks[j].w)
	}
	k := legal.longest(words, lfSuffix, false)
	if k == 1 && commonWords[words[0]] && len(words[0]) <= 3 && toks[i].flags&fAllUpper == 0 {
		return 0 // "As", "At": English, not Norwegian
	}
	return k
}

// legalPrefixAt returns how many words of a prefix legal form start at toks[i].
func legalPrefixAt(toks []ftok, i int) int {
	if toks[i].flags&fAllUpper == 0 {
		return 0
	}
	var words []string
	for j := i; j < len(toks) && j-i < 3; j++ {
		words = append(words, toks[j].w)
	}
	for k := len(words); k > 0; k-- {
		if legal.forms[strings.Join(words[:k], " ")]&lfPrefix != 0 {
			return k
		}
	}
	return 0
}

func legalFormWord(w string) bool { _, ok := legal.forms[w]; return ok }

// listIntroduced reports "companies such as", "firms including", "vendors
// like": a plural company noun shortly before.
func listIntroduced(toks []ftok, i int) bool {
	for j := i - 1; j >= 0 && i-j <= 3; j-- {
		switch toks[j].w {
		case "companies", "firms", "vendors", "suppliers", "manufacturers", "makers", "providers", "brands",
			"retailers", "carriers", "entities", "businesses", "corporations", "conglomerates", "rivals", "competitors":
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
	if w := toks[e].w; w != "a" && w != "an" && w != "the" {
		return false
	}
	for j := e + 1; j < len(toks) && j-e <= 5; j++ {
		if toks[j].boundary || strings.Contains(toks[j].gap, ",") {
			return false
		}
		if cueNouns[toks[j].w] {
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
		if governmentWords[t.w] {
			return false
		}
	}
	if givenNames[ts[0].w] && len(ts) <= 3 && !companyTails[ts[len(ts)-1].w] {
		return false
	}
	key := joinWords(ts)
	if places[key] || stopwords[key] || commonWords[key] && len(ts) == 1 && ts[0].flags&fAllUpper == 0 {
		return false
	}
	return true
}

// places that company cues and lists may otherwise pick up.
var places = wordSet(`china russia moscow beijing shenzhen hangzhou shanghai washington usa us america europe japan
	tokyo korea seoul taiwan taipei india iran israel germany france london britain uk canada mexico brazil
	virginia california texas new`)

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
	slices.SortFunc(keys, func(a, b string) int { return len(b) - len(a) })
	canonical := make(map[string]string)
	for _, k := range keys {
		canonical[k] = k
		for _, l := range keys {
			if len(l) > len(k) && strings.HasPrefix(l, k+" ") {
				canonical[k] = canonical[l]
				break
			}
		}
	}
	// Count every capitalised occurrence of every known name in one walk:
	// mentions found by no rule ("Kaspersky said") count too.
	first := make(map[string][]string) // first word → keys
	for _, k := range keys {
		w, _, _ := strings.Cut(k, " ")
		first[w] = append(first[w], k)
	}
	counts := make(map[string]int)
	var spans []adwatch.Span
	for i := 0; i < len(toks); i++ {
		ks := first[toks[i].w]
		if len(ks) == 0 || toks[i].flags&(fUpperFirst|fDigit|fInnerUpper) == 0 {
			continue
		}
		if i > 0 && !toks[i].boundary && onlySpace(toks[i].gap) && (givenNames[toks[i-1].w] && toks[i-1].flags&fUpperFirst != 0 || honorifics[toks[i-1].w]) {
			continue // Eugene Kaspersky is a person
		}
		for _, k := range ks { // longest first
			n := strings.Count(k, " ") + 1
			if i+n > len(toks) || joinWords(toks[i:i+n]) != k {
				continue
			}
			c := canonical[k]
			if len(strings.Fields(k)) == 1 && commonWords[k] && toks[i].flags&fAllUpper == 0 && !covered(cands, toks[i].start) {
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

func covered(cands []candidate, start int) bool {
	for _, c := range cands {
		if c.start == start {
			return true
		}
	}
	return false
}
