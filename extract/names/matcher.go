package names

import (
	"fmt"
	"strings"
	"sync"

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
	adv     int32  // index into Matcher.advs
	text    string // as written in the advertiser list
	norm    string // normalised
	class   uint8
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

// NewMatcher indexes the active advertisers' names and aliases. Inactive
// advertisers are left out, so they never match.
func NewMatcher(ads []adwatch.Advertiser) (*Matcher, error) {
	m := &Matcher{}
	var seqs [][]uint64
	var firsts []uint64
	seen := make(map[string]bool)
	for _, a := range ads {
		if !a.Active {
			continue
		}
		if strings.TrimSpace(a.ID) == "" {
			return nil, fmt.Errorf("advertiser %q: empty id: %w", a.Name, adwatch.ErrInvalid)
		}
		ai := int32(len(m.advs))
		m.advs = append(m.advs, advertiser{id: a.ID, name: a.Name})
		clear(seen)
		for _, sp := range advertiserSpellings(a) {
			for _, v := range sp.variants() {
				key := v.norm
				if key == "" || seen[key] {
					continue
				}
				seen[key] = true
				m.aliases = append(m.aliases, alias{adv: ai, text: sp.text, norm: v.norm, class: v.class, full: sp.full, hasForm: v.hasForm})
				seqs = append(seqs, v.hashes)
				firsts = append(firsts, v.hashes[0])
			}
		}
	}
	m.ix = buildIndex(seqs, firsts)
	return m, nil
}

// spelling is one way an advertiser is written: its name, an alias, or
// either without its legal form.
type spelling struct {
	text string
	full bool
}

func advertiserSpellings(a adwatch.Advertiser) []spelling {
	var out []spelling
	add := func(s string, full bool) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, spelling{s, full})
		}
	}
	add(a.Name, true)
	if base, form := StripLegalForm(a.Name); form != "" {
		add(base, true)
	}
	for _, al := range a.Aliases {
		add(al, false)
		if base, form := StripLegalForm(al); form != "" {
			add(base, false)
		}
	}
	return out
}

// variant is one indexable token sequence of a spelling.
type variant struct {
	norm    string
	hashes  []uint64
	class   uint8
	hasForm bool
}

// variants returns the token sequences a spelling is indexed under: itself,
// and for a possessive ("McDonald's") also the joined form ("McDonalds").
func (sp spelling) variants() []variant {
	words, toks := normTokens(sp.text)
	if len(words) == 0 || len(words) > maxAliasTokens || onlyFormsAndStopwords(words) {
		return nil
	}
	hasForm := legal.longest(words, lfSuffix, true) > 0 || legal.longest(words, lfPrefix, false) > 0
	class := classify(sp.text, words, toks, hasForm)
	v := variant{norm: strings.Join(words, " "), class: class, hasForm: hasForm}
	possessive := false
	for i, w := range words {
		v.hashes = append(v.hashes, hashBytes([]byte(w)))
		if toks[i].flags&fPossessive != 0 {
			possessive = true
		}
	}
	out := []variant{v}
	if possessive {
		j := variant{class: class, hasForm: hasForm}
		var jw []string
		for i, w := range words {
			if toks[i].flags&fPossessive != 0 {
				w += "s"
			}
			jw = append(jw, w)
			j.hashes = append(j.hashes, hashBytes([]byte(w)))
		}
		j.norm = strings.Join(jw, " ")
		out = append(out, j)
	}
	return out
}

func onlyFormsAndStopwords(words []string) bool {
	for _, w := range words {
		if _, ok := legal.forms[w]; !ok && !stopwords[w] {
			return false
		}
	}
	return true
}

// classify decides how much evidence an alias needs. A name stripped down to a
// common word ("Apple Inc." → "Apple") is kept, but as a common word: it is
// judged, never matched silently.
func classify(text string, words []string, toks []token, hasForm bool) uint8 {
	if hasForm {
		return classDistinctive
	}
	if len(words) == 1 {
		w := words[0]
		if toks[0].flags&fAllUpper != 0 && len(w) <= 5 && !commonWords[w] {
			return classAcronym
		}
		if commonWords[w] || len(w) <= 3 || stopwords[w] {
			if toks[0].flags&fAllUpper != 0 && len(w) <= 4 {
				return classAcronym // "GAP", "BOX" as written by the advertiser: still needs capitals
			}
			return classCommonSingle
		}
		return classDistinctive
	}
	for _, w := range words {
		if !commonWords[w] && !stopwords[w] {
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

var tokPool = sync.Pool{New: func() any { b := make([]token, 0, 1024); return &b }}

// scan finds every alias occurrence in text in one pass, calling fn for the
// longest alias starting at each word. Occurrences inside a longer one are
// dropped: "Delta" inside "Delta Air Lines" is not a second mention.
func (m *Matcher) scan(text string, fn func(hit)) {
	ix := m.ix
	if ix == nil || len(m.aliases) == 0 {
		return
	}
	bp := tokPool.Get().(*[]token)
	defer tokPool.Put(bp)
	buf := (*bp)[:0]
	var tz tokenizer
	tz.reset(text)
	var tok token
	coveredTo := -1
	done := false
	for !done {
		for len(buf) < cap(buf) {
			if !tz.next(&tok) {
				done = true
				break
			}
			buf = append(buf, tok)
		}
		limit := len(buf)
		if !done {
			limit = len(buf) - ix.maxTokens
		}
		for i := 0; i < limit; i++ {
			h := buf[i].hash
			if !ix.mayStart(h) {
				continue
			}
			g := combine(seqSeed, h)
			var best *entry
			bestK := 0
			for k := i; ; {
				e := ix.get(g)
				if e == nil {
					break
				}
				if e.n > 0 {
					best, bestK = e, k
				}
				if !e.prefix || k+1 >= len(buf) {
					break
				}
				k++
				g = combine(g, buf[k].hash)
			}
			if best == nil || buf[bestK].end <= coveredTo {
				continue
			}
			coveredTo = buf[bestK].end
			caps := capsOf(buf[i : bestK+1])
			for _, a := range ix.refs[best.ref : best.ref+best.n] {
				fn(hit{start: buf[i].start, end: buf[bestK].end, alias: a, caps: caps})
			}
		}
		n := copy(buf, buf[limit:])
		buf = buf[:n]
	}
	*bp = buf
}

func capsOf(ts []token) uint8 {
	c := capsAll | capsNone | capsUpper
	for _, t := range ts {
		if t.flags&fUpperFirst == 0 && t.flags&fDigit == 0 && t.flags&fAmp == 0 {
			c &^= capsAll
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
