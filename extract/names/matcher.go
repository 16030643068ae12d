package names

import (
	"fmt"
	"strings"

	"adwatch"
)

// Alias classes: how much evidence an occurrence needs.
const (
	classDistinctive  uint8 = iota // Kaspersky, Huawei Technologies: a word-boundary hit is enough
	classAcronym                   // IBM, ZTE, BP: must be written in capitals
	classCommonMulti               // General Motors, Best Buy: must be written as a name
	classCommonSingle              // Apple, Target, Shell: needs company evidence
)

// maxAliasTokens bounds alias length; longer "aliases" are descriptions.
const maxAliasTokens = 24

// alias is one indexed spelling of an advertiser.
type alias struct {
	text    string // as written in the advertiser list (or its name without legal form)
	adv     int32  // index into Matcher.advs
	class   uint8
	ntok    uint8
	full    bool // the advertiser's name, with or without its legal form
	hasForm bool // carries a legal form ("Apple Inc.")
}

type advertiser struct {
	id, name string
}

// Matcher finds active advertisers named as companies in documents. It is
// safe for concurrent use; build it once per advertiser list.
type Matcher struct {
	advs    []advertiser
	aliases []alias
	ix      *index
	supp    []suppression
}

type suppression struct {
	adv    int32 // -1: any advertiser
	alias  string
	source string
	phrase string // normalised
}

// Suppression is an analyst's dismissal turned into a rule: the alias (or any
// alias, if empty) of the advertiser, in documents from Source, or inside
// Phrase, does not alert.
type Suppression struct {
	AdvertiserID, Alias, Source, Phrase string
}

// pending is an alias waiting for the index, with its word hashes in builder.hashes.
type pendingAlias struct {
	alias
	from, to int
}

type builder struct {
	m       *Matcher
	tz      tokenizer
	toks    [maxAliasTokens + 1]token
	lens    [maxAliasTokens + 1]int // normalised byte length of each word
	hashes  []uint64
	pending []pendingAlias
	seen    map[uint64]bool // per advertiser: spellings already indexed
	firsts  map[uint64]struct{}
}

// NewMatcher indexes the active advertisers' names and aliases. Inactive
// advertisers are left out, so they never match.
func NewMatcher(ads []adwatch.Advertiser) (*Matcher, error) {
	b := &builder{m: &Matcher{}, seen: make(map[uint64]bool), firsts: make(map[uint64]struct{})}
	b.tz.noText = false
	for _, a := range ads {
		if !a.Active {
			continue
		}
		if strings.TrimSpace(a.ID) == "" {
			return nil, fmt.Errorf("advertiser %q: empty id: %w", a.Name, adwatch.ErrInvalid)
		}
		ai := int32(len(b.m.advs))
		b.m.advs = append(b.m.advs, advertiser{id: a.ID, name: a.Name})
		clear(b.seen)
		b.spelling(ai, a.Name, true)
		for _, al := range a.Aliases {
			b.spelling(ai, al, false)
		}
	}
	m := b.m
	m.aliases = make([]alias, len(b.pending))
	keys := 0
	for _, p := range b.pending {
		keys += p.to - p.from
	}
	m.ix = newIndex(keys, len(b.firsts))
	b.firsts = nil
	for i, p := range b.pending {
		m.aliases[i] = p.alias
		m.ix.add(int32(i), b.hashes[p.from:p.to])
	}
	m.ix.finish()
	return m, nil
}

// spelling indexes one way an advertiser is written, and the same without
// its legal form: "AO Kaspersky Lab" is also "Kaspersky Lab".
func (b *builder) spelling(adv int32, text string, full bool) {
	text = strings.TrimSpace(text)
	n := 0
	b.tz.reset(text)
	for b.tz.next(&b.toks[n]) {
		b.lens[n] = len(b.tz.buf)
		if n++; n > maxAliasTokens {
			return // a description, not a name
		}
	}
	if n == 0 {
		return
	}
	toks, lens := b.toks[:n], b.lens[:n]
	suf := legalSuffixLen(toks)
	pre := legalPrefixLen(toks[:n-suf])
	b.variant(adv, text, toks, lens, full, suf+pre > 0)
	// "The Home Depot" is also written "Home Depot".
	if n-suf > 1 && toks[0].hash == hThe {
		end := len(text)
		if suf > 0 {
			end = toks[n-suf].start
		}
		b.variant(adv, trimName(text[toks[1].start:end]), toks[1:n-suf], lens[1:n-suf], full, false)
	}
	if (suf > 0 || pre > 0) && n-suf-pre > 0 {
		lo, hi := pre, n-suf
		end := len(text)
		if hi < n {
			end = toks[hi].start // keep a possessive: "McDonald's Corporation" → "McDonald's"
		}
		base := trimName(text[toks[lo].start:end])
		b.variant(adv, base, toks[lo:hi], lens[lo:hi], full, false)
	}
}

// legalSuffixLen is the number of words of the longest legal form ending
// toks, at most all but one word; chained forms ("(Persero) Tbk") count too.
func legalSuffixLen(toks []token) int {
	total := 0
	for range 2 {
		n := len(toks) - total
		best := 0
		for k := 1; k <= legal.maxTokens && k < n; k++ {
			g := uint64(seqSeed)
			for _, t := range toks[n-k : n] {
				g = combine(g, t.hash)
			}
			if legal.hashes[g]&lfSuffix != 0 {
				best = k
			}
		}
		if best == 0 {
			break
		}
		total += best
	}
	return total
}

// legalPrefixLen is the number of words of the longest prefix legal form
// starting toks ("AO", "OOO"), at most all but one word.
func legalPrefixLen(toks []token) int {
	return legal.longestAfter(func(i int) (uint64, bool) {
		if i >= len(toks)-1 {
			return 0, false
		}
		return toks[i].hash, true
	}, lfPrefix)
}

// variant indexes one token sequence, and for a possessive ("McDonald's")
// also its joined spelling ("McDonalds").
func (b *builder) variant(adv int32, text string, toks []token, lens []int, full, hasForm bool) {
	if onlyFormsAndStopwords(toks) {
		return
	}
	a := alias{text: text, adv: adv, class: classify(toks, lens, hasForm), ntok: uint8(len(toks)), full: full, hasForm: hasForm}
	possessive := false
	for _, t := range toks {
		possessive = possessive || t.flags&fPossessive != 0
	}
	for v := range 2 {
		if v == 1 && !possessive {
			break
		}
		from := len(b.hashes)
		g := uint64(seqSeed)
		for _, t := range toks {
			h := t.hash
			if v == 1 && t.flags&fPossessive != 0 {
				h = (h ^ 's') * fnvPrime // FNV goes on byte by byte: the hash of the word + "s"
			}
			b.hashes = append(b.hashes, h)
			g = combine(g, h)
		}
		if b.seen[g] {
			b.hashes = b.hashes[:from]
			continue
		}
		b.seen[g] = true
		b.firsts[b.hashes[from]] = struct{}{}
		b.pending = append(b.pending, pendingAlias{alias: a, from: from, to: len(b.hashes)})
	}
}

func onlyFormsAndStopwords(toks []token) bool {
	for _, t := range toks {
		if legal.hashes[combine(seqSeed, t.hash)]&(lfSuffix|lfPrefix) == 0 && !stopwordsH.has(t.hash) {
			return false
		}
	}
	return true
}

// classify decides how much evidence an alias needs. A name stripped down to a
// common word ("Apple Inc." → "Apple") is kept, but as a common word: it is
// judged, never matched silently.
func classify(toks []token, lens []int, hasForm bool) uint8 {
	if hasForm {
		return classDistinctive
	}
	if len(toks) == 1 {
		t, n := toks[0], lens[0]
		common := commonWordsH.has(t.hash) || stopwordsH.has(t.hash)
		if t.flags&fAllUpper != 0 && n <= 5 && !common {
			return classAcronym
		}
		if common || n <= 3 {
			return classCommonSingle
		}
		return classDistinctive
	}
	// Several words: a name made only of ordinary words and company words
	// ("General Motors", "Delta Air Lines", "Best Buy") must be written as a name.
	for _, t := range toks {
		if !commonWordsH.has(t.hash) && !stopwordsH.has(t.hash) && !companyTailsH.has(t.hash) {
			return classDistinctive
		}
	}
	return classCommonMulti
}

// WithSuppressions returns a matcher that shares m's index and also applies
// the given suppressions. It is cheap: call it per run with the current
// dismissals.
func (m *Matcher) WithSuppressions(s []Suppression) *Matcher {
	c := *m
	c.supp = nil
	ids := make(map[string]int32, len(m.advs))
	for i, a := range m.advs {
		ids[a.id] = int32(i)
	}
	for _, x := range s {
		adv := int32(-1)
		if x.AdvertiserID != "" {
			i, ok := ids[x.AdvertiserID]
			if !ok {
				continue
			}
			adv = i
		}
		c.supp = append(c.supp, suppression{adv: adv, alias: Normalize(x.Alias), source: x.Source, phrase: Normalize(x.Phrase)})
	}
	return &c
}

// hit is one alias occurrence found by the scan.
type hit struct {
	start, end int // bytes in the scanned text
	alias      int32
	caps       uint8 // capsAll / capsNone / capsUpper / capsFolded
}

const (
	capsAll    uint8 = 1 << iota // every word starts with a capital (or is a number)
	capsNone                     // no capital at all
	capsUpper                    // every letter is a capital
	capsFolded                   // diacritics or other folding happened (Nestlé)
	capsPoss                     // the last word carried a possessive 's
)

// scan finds every alias occurrence in text in one pass, calling fn for the
// longest alias starting at each word. Occurrences inside a longer one are
// dropped: "Delta" inside "Delta Air Lines" is not a second mention.
//
// Most words start no alias, and the first-word bitset says so without
// touching the table; only words that pass it read ahead.
func (m *Matcher) scan(text string, fn func(hit)) {
	ix := m.ix
	if ix == nil || len(m.aliases) == 0 {
		return
	}
	var tz, ahead tokenizer
	tz.reset(text)
	tz.noText = true
	var tok, t2 token
	coveredTo := -1
	for tz.nextHash(&tok) {
		if !ix.mayStart(tok.hash) {
			continue
		}
		g := combine(seqSeed, tok.hash)
		e := ix.get(g)
		if e == nil {
			continue
		}
		var best *slot
		bestEnd := 0
		if e.n() > 0 {
			best, bestEnd = e, tok.end
		}
		if e.prefix() {
			ahead = tz
			for k := 1; k < ix.maxTokens && ahead.nextHash(&t2); k++ {
				g = combine(g, t2.hash)
				if e = ix.get(g); e == nil {
					break
				}
				if e.n() > 0 {
					best, bestEnd = e, t2.end
				}
				if !e.prefix() {
					break
				}
			}
		}
		if best == nil || bestEnd <= coveredTo {
			continue
		}
		coveredTo = bestEnd
		caps := capsOfText(text, tok.start, bestEnd)
		if best.n() == 1 {
			fn(hit{start: tok.start, end: bestEnd, alias: int32(best.ref), caps: caps})
			continue
		}
		for _, a := range ix.refs[best.ref : best.ref+best.n()] {
			fn(hit{start: tok.start, end: bestEnd, alias: a, caps: caps})
		}
	}
}

// scanTokens is scan over words already read: the same lookups, and the
// case of an occurrence comes from the words' own flags.
func (m *Matcher) scanTokens(toks []ftok, fn func(hit)) {
	ix := m.ix
	if ix == nil || len(m.aliases) == 0 {
		return
	}
	coveredTo := -1
	var ts [maxAliasTokens]token
	for i := range toks {
		if !ix.mayStart(toks[i].hash) {
			continue
		}
		g := combine(seqSeed, toks[i].hash)
		e := ix.get(g)
		if e == nil {
			continue
		}
		var best *slot
		bestK := i
		if e.n() > 0 {
			best = e
		}
		if e.prefix() {
			for k := i + 1; k < len(toks) && k-i < ix.maxTokens; k++ {
				g = combine(g, toks[k].hash)
				if e = ix.get(g); e == nil {
					break
				}
				if e.n() > 0 {
					best, bestK = e, k
				}
				if !e.prefix() {
					break
				}
			}
		}
		if best == nil || toks[bestK].end <= coveredTo {
			continue
		}
		end := toks[bestK].end
		coveredTo = end
		n := 0
		for k := i; k <= bestK && n < len(ts); k++ {
			ts[n] = toks[k].token
			n++
		}
		caps := capsOf(ts[:n])
		if best.n() == 1 {
			fn(hit{start: toks[i].start, end: end, alias: int32(best.ref), caps: caps})
			continue
		}
		for _, a := range ix.refs[best.ref : best.ref+best.n()] {
			fn(hit{start: toks[i].start, end: end, alias: a, caps: caps})
		}
	}
}

// capsOfText reads the case of an occurrence's words; only hits pay for it.
func capsOfText(text string, start, end int) uint8 {
	var tz tokenizer
	// Read on past the end so a possessive 's is seen and dropped as in the scan.
	tz.reset(text[start:min(len(text), end+4)])
	var ts [maxAliasTokens]token
	n := 0
	for n < len(ts) && tz.next(&ts[n]) && start+ts[n].end <= end {
		n++
	}
	if n == 0 {
		return capsNone
	}
	return capsOf(ts[:n])
}

func capsOf(ts []token) uint8 {
	c := capsAll | capsNone | capsUpper
	for _, t := range ts {
		if t.flags&fUpperFirst == 0 && t.flags&fDigit == 0 && t.flags&fAmp == 0 && !stopwordsH.has(t.hash) {
			c &^= capsAll // "Bank of America", "the Home Depot": small words stay small
		}
		if t.flags&(fUpperFirst|fInnerUpper) != 0 {
			c &^= capsNone
		}
		if t.flags&fAllUpper == 0 && t.flags&fAmp == 0 && t.flags&fDigit == 0 {
			c &^= capsUpper
		}
		if t.flags&fFolded != 0 {
			c |= capsFolded
		}
	}
	if ts[len(ts)-1].flags&fPossessive != 0 {
		c |= capsPoss
	}
	return c
}
