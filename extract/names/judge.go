package names

import "slices"

// verdict is the judgement of one occurrence.
type verdict struct {
	score    float64
	why      reasons
	accept   bool
	pending  bool // capitalised, nothing against it, no evidence of its own: the document decides
	strong   bool // evidence that vouches for other mentions of the same advertiser
	negative bool // something in the text says this is not the company
	otherUse bool // a use of the word as a place or feature ("the Delta, the plain", "in Corona")
}

// Evidence weights for names that are also common words; they combine as
// independent chances, 1 - Π(1 - w).
const (
	wLegalForm  = 0.95
	wTicker     = 0.9
	wCue        = 0.75
	wOtherAlias = 0.7
	wCapMid     = 0.6
	wCapMidWeak = 0.4 // the word is also used in lower case in this document
	wElsewhere  = 0.6
	acceptAt    = 0.5
)

// docInfo is what judgement knows about the whole document.
type docInfo struct {
	lowercase []int32 // aliases also used in lower case as ordinary words
	mixed     []int32 // of those, aliases also written with capitals in the document
	people    []int32 // aliases also used as a person's surname ("Eugene Kaspersky")
	otherUse  []int32 // aliases also used for a place or feature in this document
	arena     arena
	ctx       occContext // reused: one occurrence is judged at a time
}

// judge decides whether one occurrence names the advertiser as a company.
func (m *Matcher) judge(text string, h hit, title bool, di *docInfo) verdict {
	a := &m.aliases[h.alias]
	class := a.class
	if class == classDistinctive && a.ntok == 1 && slices.Contains(di.mixed, h.alias) && !a.hasForm {
		// "gillette" in lower case beside "Gillette": the name is also a word
		// here. (A text all in lower case says nothing of the kind.)
		class = classCommonSingle
	}
	if a.ntok == 1 && class != classCommonSingle && slices.Contains(di.people, h.alias) {
		// The document speaks of Eugene Kaspersky: a bare "Kaspersky" may be
		// him, so it needs company evidence like a common word.
		class = classCommonSingle
	}
	// Cheap rejections first: most occurrences of common words are in lower case.
	switch {
	case class == classAcronym && h.caps&capsUpper == 0:
		return verdict{why: rNotCapitals, negative: true}
	case (class == classCommonSingle || class == classCommonMulti) && h.caps&capsNone != 0:
		return verdict{why: rLowercase, negative: true}
	}
	di.arena.reset()
	c := &di.ctx
	*c = occContext{}
	var hf uint8
	if h.caps&capsAll != 0 {
		hf |= fUpperFirst
	}
	if h.caps&capsUpper != 0 {
		hf |= fAllUpper
	}
	contextOf(c, text, h.start, h.end, hf, title, &di.arena)
	var v verdict
	if person(c) {
		v.why = rPerson
		v.negative = true
		return v
	}
	legalForm := hasLegalFormAfter(c, a.hasForm) || hasLegalFormBefore(c)
	ticker := hasTicker(c)

	switch class {
	case classDistinctive, classAcronym:
		if class == classAcronym && h.caps&capsUpper == 0 {
			v.why = rNotCapitals
			v.negative = true
			return v
		}
		v.score = 0.9
		v.why |= rDistinctiveName
		if a.full {
			v.score += 0.05
			v.why |= rExactFullName
		}
		if legalForm || a.hasForm {
			v.score += 0.05
			v.why |= rLegalForm
		}
		if ticker {
			v.score += 0.03
			v.why |= rTicker
		}
		if h.caps&capsNone != 0 {
			v.score -= 0.15 // a URL or a careless spelling; still the name
		}
		v.score = min(v.score, 1)
		v.accept, v.strong = true, true
		return v

	case classCommonMulti:
		if h.caps&capsNone != 0 && !legalForm {
			return verdict{why: rLowercase, negative: true}
		}
		if nonCompanyHead(c) {
			return verdict{why: rNotCompanyNoun, negative: true}
		}
		if h.caps&capsAll == 0 && !legalForm {
			return verdict{why: rNotAName, negative: true}
		}
		v.score = 0.85
		v.why = rCapitalisedName
		if c.isHeadline() {
			v.score = 0.65
		}
		if legalForm {
			v.score = 0.97
			v.why |= rLegalForm
		}
		if ticker || companyCue(c) {
			v.score = max(v.score, 0.9)
			v.why |= rCompanyCue
		}
		v.accept, v.strong = true, !c.isHeadline() || legalForm
		return v
	}

	// A single common word: Apple, Target, Shell, Delta, United.
	var ws []float64
	if legalForm {
		ws = append(ws, wLegalForm)
		v.why |= rLegalForm
	}
	if ticker {
		ws = append(ws, wTicker)
		v.why |= rTicker
	}
	hard := legalForm || ticker
	if h.caps&capsNone != 0 && !hard {
		return verdict{why: rLowercase, negative: true}
	}
	if !hard {
		if neg := negativeCue(c, h); neg != 0 {
			// "Mississippi Delta", "Delta variant": the word names something
			// else here; "United States" is a name of its own and says nothing.
			other := neg == rNotCompanyNoun || neg == rPartOfName && len(c.prev) > 0 && !c.prev[0].boundary &&
				onlySpace(c.prev[0].gap) && c.prev[0].flags&fUpperFirst != 0
			return verdict{why: neg, negative: true, otherUse: other}
		}
	}
	v.otherUse = afterLocative(c) || afterArticle(c) && !nextCapitalised(c)
	if companyCue(c) {
		ws = append(ws, wCue)
		v.why |= rCompanyCue
	}
	if h.caps&capsAll != 0 && h.caps&capsUpper == 0 && !c.sentStart && !c.isHeadline() && !c.isCaps() && !afterArticle(c) &&
		!followedByName(c, h) {
		w := wCapMid
		if slices.Contains(di.lowercase, h.alias) || slices.Contains(di.otherUse, h.alias) || afterLocative(c) {
			w = wCapMidWeak // "apple" in lower case elsewhere; "lived in Corona"
		}
		ws = append(ws, w)
		v.why |= rCapitalisedMidSentence
	}
	if h.caps&capsFolded != 0 && h.caps&capsAll != 0 {
		ws = append(ws, wCapMid) // "Nestlé" is spelled as the name, not the verb
		v.why |= rNameSpelling
	}
	v.score = combineWeights(ws)
	v.accept = v.score >= acceptAt
	v.strong = legalForm || ticker || v.score >= 0.75
	v.pending = !v.accept && h.caps&capsNone == 0
	return v
}

// afterArticle: "the Amazon", "the Delta", "the United States" — proper
// nouns of places and features take the article; companies rarely do, so
// capitals after "the" are no evidence.
func afterArticle(c *occContext) bool {
	return len(c.prev) > 0 && !c.prev[0].boundary && c.prev[0].h == hThe
}

func nextCapitalised(c *occContext) bool {
	return len(c.next) > 0 && !c.next[0].boundary && onlySpace(c.next[0].gap) && c.next[0].flags&fUpperFirst != 0
}

// afterLocative: "in Corona", "near Delta" read as places.
func afterLocative(c *occContext) bool {
	if len(c.prev) == 0 || c.prev[0].boundary || !locativesH.has(c.prev[0].h) {
		return false
	}
	// "a stake in Apple", "shares in Shell" are about the company.
	return len(c.prev) < 2 || c.prev[1].boundary || !companyNounsH.has(c.prev[1].h)
}

var locativesH = hashSet(wordSet("in near outside around across throughout inside within"))

func combineWeights(ws []float64) float64 {
	miss := 1.0
	for _, w := range ws {
		miss *= 1 - w
	}
	return 1 - miss
}
