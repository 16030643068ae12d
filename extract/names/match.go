package names

import (
	"slices"
	"strings"
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
	occs := m.judgeDoc(d)
	if len(occs) == 0 {
		return nil
	}
	return m.matches(d, occs)
}

// judgeDoc finds and judges every occurrence in the document.
func (m *Matcher) judgeDoc(d Doc) []occ {
	var occs []occ
	m.scan(d.Text, func(h hit) { occs = append(occs, occ{hit: h}) })
	m.scan(d.Title, func(h hit) { occs = append(occs, occ{hit: h, title: true}) })
	if len(occs) == 0 {
		return nil
	}
	di := &docInfo{lowercase: make(map[int32]bool)}
	for _, o := range occs {
		if o.caps&capsNone != 0 && !o.title && !inURL(d.Text, o.start, o.end) {
			di.lowercase[o.alias] = true
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

	// An advertiser named with strong evidence once vouches for its other
	// capitalised mentions: "Apple Inc. said … Apple's" and a headline "Apple".
	strong := make(map[int32]map[int32]bool) // advertiser → aliases with strong accepted occurrences
	for _, o := range occs {
		if o.v.accept && o.v.strong {
			adv := m.aliases[o.alias].adv
			if strong[adv] == nil {
				strong[adv] = make(map[int32]bool)
			}
			strong[adv][o.alias] = true
		}
	}
	for i := range occs {
		o := &occs[i]
		if !o.v.pending {
			continue
		}
		by := strong[m.aliases[o.alias].adv]
		if len(by) == 0 {
			continue
		}
		reason, w := "company_elsewhere_in_doc", wElsewhere
		for al := range by {
			if al != o.alias && m.aliases[al].text != m.aliases[o.alias].text {
				reason, w = "other_alias_in_doc", wOtherAlias
				break
			}
		}
		o.v.reasons = append(o.v.reasons, reason)
		o.v.score = 1 - (1-o.v.score)*(1-w)
		o.v.accept = o.v.score >= acceptAt
	}
	return occs
}

// matches keeps the best accepted occurrence per advertiser.
func (m *Matcher) matches(d Doc, occs []occ) []adwatch.Match {
	type best struct {
		o        *occ
		mentions int
	}
	byAdv := make(map[int32]*best)
	var order []int32
	for i := range occs {
		o := &occs[i]
		if !o.v.accept {
			continue
		}
		adv := m.aliases[o.alias].adv
		b := byAdv[adv]
		if b == nil {
			b = &best{o: o}
			byAdv[adv] = b
			order = append(order, adv)
		}
		b.mentions++
		if better(o, b.o) {
			b.o = o
		}
	}
	out := make([]adwatch.Match, 0, len(order))
	for _, adv := range order {
		b := byAdv[adv]
		o := b.o
		a := &m.aliases[o.alias]
		mt := adwatch.Match{
			AdvertiserID: m.advs[adv].id,
			Advertiser:   m.advs[adv].name,
			Alias:        a.text,
			Score:        round3(o.v.score),
			Reasons:      slices.Clone(o.v.reasons),
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
