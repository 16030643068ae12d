package names

import (
	"strings"
	"sync"
)

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
		plain := t.gap == " "
		if !plain && strings.IndexByte(t.gap, '\n') >= 0 {
			*lines = append(*lines, struct{ words, capped int32 }{})
		}
		t.line = int32(len(*lines) - 1)
		// A line of more than 20 words is no heading: stop counting it.
		if l := &(*lines)[t.line]; l.words <= 20 && tok.flags&fDigit == 0 && !stopwordsH.has(tok.hash) {
			l.words++
			if tok.flags&fUpperFirst != 0 {
				l.capped++
			}
		}
		switch {
		case len(out) == 0:
			t.boundary = true
		case plain:
		default:
			p := &out[len(out)-1]
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
	listNouns        = wordSet(`companies firms vendors suppliers manufacturers makers providers brands retailers
		carriers entities businesses corporations conglomerates rivals competitors`)
	listNounsH = hashSet(listNouns)

	// triggersH holds every lower-case word a rule starts from, so most words
	// cost one lookup.
	triggersH = func() *hset {
		m := make(map[string]bool)
		for w := range cueNouns {
			m[w] = true
		}
		for w := range listNouns {
			m[w] = true
		}
		for _, w := range []string{"based", "such", "including", "include", "of", "acquired", "acquire", "acquiring", "bought", "buy", "buying", "rival", "rivals"} {
			m[w] = true
		}
		return hashSet(m)
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
