package names

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"adwatch"
)

// Doc is what the matcher reads: the extracted title and text, and where it
// came from (for suppressions).
type Doc struct {
	Title, Text string
	Kind        adwatch.Kind
	Source      string
}

// occ is one occurrence with its judgement.
type occ struct {
	hit
	title bool
	v     verdict
}

// Match returns the active advertisers the document names as companies, at
// most one match per advertiser: its best-evidenced occurrence, with the alias
// that fired, a score in [0,1], the reasons, a snippet, and the number of
// accepted occurrences. Start and End are byte offsets into d.Text; when the
// only evidence is in the title they are -1 and the snippet is the title.
func (m *Matcher) Match(d Doc) []adwatch.Match {
	if m == nil {
		return nil
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	occs := m.judgeDoc(d, sc, nil)
	if len(occs) == 0 {
		return nil
	}
	return m.matches(d, occs, sc)
}

// scratch is the working memory of one Match, pooled: a document costs the
// allocations of its results, not of its judgement.
type scratch struct {
	occs  []occ
	di    docInfo
	pairs []advAlias
	order []advBest
}

type advAlias struct{ adv, alias int32 }

type advBest struct {
	adv      int32
	best     int // index into occs
	mentions int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// judgeDoc finds and judges every occurrence in the document.
//
// toks, when not nil, are the words of d.Text already read by the company
// finder: Analyze then scans them instead of reading the text twice.
func (m *Matcher) judgeDoc(d Doc, sc *scratch, toks []ftok) []occ {
	occs := sc.occs[:0]
	if toks != nil {
		m.scanTokens(toks, func(h hit) { occs = append(occs, occ{hit: h}) })
	} else {
		m.scan(d.Text, func(h hit) { occs = append(occs, occ{hit: h}) })
	}
	m.scan(d.Title, func(h hit) { occs = append(occs, occ{hit: h, title: true}) })
	sc.occs = occs
	if len(occs) == 0 {
		return nil
	}
	di := &sc.di
	di.lowercase, di.people, di.otherUse = di.lowercase[:0], di.people[:0], di.otherUse[:0]
	for _, o := range occs {
		if o.caps&capsNone != 0 && !o.title && !inURL(d.Text, o.start, o.end) && !slices.Contains(di.lowercase, o.alias) {
			di.lowercase = append(di.lowercase, o.alias)
		}
	}
	di.mixed = di.mixed[:0]
	for _, o := range occs {
		if o.caps&capsNone == 0 && slices.Contains(di.lowercase, o.alias) && !slices.Contains(di.mixed, o.alias) {
			di.mixed = append(di.mixed, o.alias)
		}
	}
	kept := occs[:0]
	for _, o := range occs {
		src := d.Text
		if o.title {
			src = d.Title
		}
		if m.suppressed(o.hit, src, d.Source) {
			continue
		}
		o.v = m.judge(src, o.hit, o.title, di)
		kept = append(kept, o)
	}
	occs = kept

	// A surname used for a person anywhere in the document makes its bare
	// mentions elsewhere need company evidence; a word used for a place or
	// feature makes its capitals weak evidence. Judge those again.
	di.people, di.otherUse = di.people[:0], di.otherUse[:0]
	for _, o := range occs {
		if o.v.why&rPerson != 0 && !slices.Contains(di.people, o.alias) {
			di.people = append(di.people, o.alias)
		}
		if o.v.otherUse && !slices.Contains(di.otherUse, o.alias) {
			di.otherUse = append(di.otherUse, o.alias)
		}
	}
	if len(di.people) > 0 || len(di.otherUse) > 0 {
		for i := range occs {
			o := &occs[i]
			if o.v.accept && (slices.Contains(di.people, o.alias) || slices.Contains(di.otherUse, o.alias)) {
				src := d.Text
				if o.title {
					src = d.Title
				}
				o.v = m.judge(src, o.hit, o.title, di)
			}
		}
	}

	// An advertiser named with strong evidence once vouches for its other
	// capitalised mentions: "Apple Inc. said … Apple's" and a headline "Apple".
	strong := sc.pairs[:0] // (advertiser, alias) with strong accepted occurrences
	for _, o := range occs {
		if o.v.accept && o.v.strong {
			p := advAlias{m.aliases[o.alias].adv, o.alias}
			if !slices.Contains(strong, p) {
				strong = append(strong, p)
			}
		}
	}
	sc.pairs = strong
	for i := range occs {
		o := &occs[i]
		if !o.v.pending {
			continue
		}
		adv := m.aliases[o.alias].adv
		reason, w := reasons(0), 0.0
		for _, p := range strong {
			if p.adv != adv {
				continue
			}
			if p.alias != o.alias && m.aliases[p.alias].text != m.aliases[o.alias].text {
				reason, w = rOtherAliasInDoc, wOtherAlias
				break
			}
			reason, w = rCompanyElsewhereInDoc, wElsewhere
		}
		if reason == 0 {
			continue
		}
		o.v.why |= reason
		o.v.score = 1 - (1-o.v.score)*(1-w)
		o.v.accept = o.v.score >= acceptAt
	}
	return occs
}

// matches keeps the best accepted occurrence per advertiser.
func (m *Matcher) matches(d Doc, occs []occ, sc *scratch) []adwatch.Match {
	order := sc.order[:0]
	for i := range occs {
		o := &occs[i]
		if !o.v.accept {
			continue
		}
		adv := m.aliases[o.alias].adv
		k := slices.IndexFunc(order, func(b advBest) bool { return b.adv == adv })
		if k < 0 {
			order = append(order, advBest{adv: adv, best: i})
			k = len(order) - 1
		}
		b := &order[k]
		b.mentions++
		if better(o, &occs[b.best]) {
			b.best = i
		}
	}
	sc.order = order
	if len(order) == 0 {
		return nil
	}
	out := make([]adwatch.Match, 0, len(order))
	for _, b := range order {
		adv := b.adv
		o := &occs[b.best]
		a := &m.aliases[o.alias]
		mt := adwatch.Match{
			AdvertiserID: m.advs[adv].id,
			Advertiser:   m.advs[adv].name,
			Alias:        a.text,
			Score:        round3(o.v.score),
			Reasons:      o.v.why.list(),
			Start:        o.start,
			End:          o.end,
			Mentions:     b.mentions,
		}
		if o.title {
			mt.Start, mt.End = -1, -1
			mt.Snippet = snippet(d.Title, o.start, o.end)
		} else {
			mt.Snippet = snippet(d.Text, o.start, o.end)
		}
		out = append(out, mt)
	}
	slices.SortStableFunc(out, func(x, y adwatch.Match) int {
		switch {
		case x.Score > y.Score:
			return -1
		case x.Score < y.Score:
			return 1
		}
		return strings.Compare(x.AdvertiserID, y.AdvertiserID)
	})
	return out
}

// better prefers the higher score, then the body over the title, then the
// earlier occurrence.
func better(a, b *occ) bool {
	if a.v.score != b.v.score {
		return a.v.score > b.v.score
	}
	if a.title != b.title {
		return !a.title
	}
	return a.start < b.start
}

func round3(f float64) float64 { return float64(int(f*1000+0.5)) / 1000 }

// inURL reports an occurrence inside a URL or e-mail address (kaspersky.com),
// where lower case says nothing about the word.
func inURL(text string, start, end int) bool {
	isURLByte := func(c byte) bool { return c == '.' || c == '/' || c == '@' || c == '_' }
	if start > 0 && isURLByte(text[start-1]) {
		return true
	}
	return end+1 < len(text) && isURLByte(text[end]) && text[end+1] != ' ' && text[end+1] != '\n'
}

// suppressed applies the analysts' dismissals.
func (m *Matcher) suppressed(h hit, text, source string) bool {
	if len(m.supp) == 0 {
		return false
	}
	a := &m.aliases[h.alias]
	for _, s := range m.supp {
		if s.adv >= 0 && s.adv != a.adv {
			continue
		}
		if s.alias != "" && s.alias != Normalize(a.text) {
			continue
		}
		if s.source != "" && s.source != source {
			continue
		}
		if s.phrase != "" && !insidePhrase(text, h, s.phrase) {
			continue
		}
		return true
	}
	return false
}

// insidePhrase reports whether the occurrence sits inside the normalised
// phrase in the text.
func insidePhrase(text string, h hit, phrase string) bool {
	lo := max(0, h.start-len(phrase)-8)
	hi := min(len(text), h.end+len(phrase)+8)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	return strings.Contains(" "+Normalize(text[lo:hi])+" ", " "+phrase+" ")
}
