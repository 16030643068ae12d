package names

import "strings"

// person reports a personal name: a capitalised given name or an honorific
// right before the occurrence ("Eugene Kaspersky", "Mr. Cook").
func person(c *occContext) bool {
	if len(c.prev) == 0 {
		return false
	}
	p := c.prev[0]
	if honorificsH.has(p.h) && !strings.ContainsAny(p.gap, ",;:\n") {
		return true
	}
	return !p.boundary && givenNamesH.has(p.h) && p.flags&fUpperFirst != 0 && onlySpace(p.gap)
}

// onlySpace reports a gap of spaces with at most one line break: the words
// either side belong together (PDF text wraps lines inside names).
func onlySpace(g string) bool {
	nl := 0
	for i := 0; i < len(g); i++ {
		switch g[i] {
		case ' ', '\r':
		case '\n':
			nl++
		case 0xc2: // U+00A0 no-break space
			if i+1 >= len(g) || g[i+1] != 0xa0 {
				return false
			}
			i++
		default:
			return false
		}
	}
	return nl <= 1
}

// formGap reports whether a gap may sit inside or before a legal form:
// "Huawei Technologies Co., Ltd.", "Kaspersky Lab, Inc.", "Acme (Pty) Ltd".
func formGap(g string) bool { return strings.Trim(g, " \u00a0,.()") == "" && len(g) <= 4 }

func hasLegalFormAfter(c *occContext, aliasHasForm bool) bool {
	k := legal.longestAfter(func(i int) (uint64, bool) {
		if i >= len(c.next) || !formGap(c.next[i].gap) {
			return 0, false
		}
		return c.next[i].h, true
	}, lfSuffix)
	if k == 0 {
		return false
	}
	first := c.next[0]
	if first.flags&(fUpperFirst|fAmp) == 0 {
		return false // "Apple as a company", "apple limited"
	}
	if k == 1 && commonWordsH.has(first.h) {
		// "Shell Company" in a headline is not a legal form; "AS" is Norwegian, "As" is English.
		if first.end-first.start <= 3 && first.flags&fAllUpper == 0 || c.isHeadline() && !aliasHasForm {
			return false
		}
	}
	return true
}

func hasLegalFormBefore(c *occContext) bool {
	// Prefix forms are abbreviations in capitals (AO, OOO, PJSC) or spelled
	// out, ending right before the name.
	if len(c.prev) == 0 || c.prev[0].boundary || !onlySpace(c.prev[0].gap) || c.prev[0].flags&fUpperFirst == 0 {
		return false
	}
	var words []string
	for i, t := range c.prev {
		if i >= legal.maxTokens || t.boundary || !onlySpace(t.gap) {
			break
		}
		words = append([]string{t.w}, words...)
	}
	for k := len(words); k > 0; k-- {
		if legal.forms[strings.Join(words[len(words)-k:], " ")]&lfPrefix != 0 {
			f := c.prev[k-1]
			return f.flags&fAllUpper != 0 || k > 1 && f.flags&fUpperFirst != 0
		}
	}
	return false
}

// hasTicker finds "(NASDAQ: AAPL)", "NYSE: TGT", "LSE:SHEL" just after the name.
func hasTicker(c *occContext) bool {
	for i := 0; i+1 < len(c.next) && i < 5; i++ {
		t := c.next[i]
		if t.boundary && !strings.Contains(c.next[i].gap, "(") {
			return false
		}
		if exchangesH.has(t.h) && t.flags&fUpperFirst != 0 {
			s := c.next[i+1]
			return strings.Contains(s.gap, ":") && s.flags&(fAllUpper|fDigit) != 0
		}
	}
	return false
}

// Nouns right after a name that make it the subject of company news:
// "Apple CEO", "Target shares", "Shell spokesperson".
var afterNouns = wordSet(`ceo cfo cto coo chief executive executives spokesperson spokesman spokeswoman shares stock
	shareholders investors employees headquarters chairman founder cofounder board subsidiary subsidiaries`)

// companyCue finds words around the occurrence that make it a company.
func companyCue(c *occContext) bool {
	// Right before the name, or one small word away: "the retailer Target",
	// "shares of Apple", "workers at Target"; not "retailer in the United States".
	for i, p := range c.prev {
		if i >= 2 || p.boundary {
			break
		}
		if companyNounsH.has(p.h) || p.h == hBased && i == 0 && strings.TrimSpace(p.gap) == "" {
			return true
		}
		if !cueJoinersH.has(p.h) {
			break
		}
	}
	if len(c.next) == 0 {
		return false
	}
	n := c.next[0]
	if n.boundary {
		return false
	}
	if afterNounsH.has(n.h) {
		return true
	}
	if companyVerbsH.has(n.h) && (n.flags&fUpperFirst == 0 || c.isHeadline()) {
		return true
	}
	if n.flags&fUpperFirst != 0 && companyTailsH.has(n.h) && onlySpace(n.gap) {
		return true
	}
	if strings.Contains(n.gap, "'") || strings.Contains(n.gap, "\u2019") {
		return companyNounsH.has(n.h)
	}
	// Apposition: "Target, the Minneapolis-based retailer,"
	if strings.HasPrefix(strings.TrimSpace(n.gap), ",") {
		for i, t := range c.next {
			if i >= 6 || t.boundary {
				break
			}
			if companyNounsH.has(t.h) {
				return true
			}
		}
	}
	return false
}

var cueJoinersH = hashSet(wordSet("of at from by with in"))

// negativeCue finds what makes a capitalised common word something other
// than the company: a longer proper name around it ("United States",
// "Mississippi Delta"), a non-company head noun ("Corona virus"), a verb use.
func negativeCue(c *occContext, h hit) reasons {
	if nonCompanyHead(c) {
		return rNotCompanyNoun
	}
	if len(c.prev) > 0 {
		p := c.prev[0]
		if !p.boundary && modalsH.has(p.h) && p.h != hTo {
			return rVerbUse
		}
		if !c.isHeadline() && !c.isCaps() && !p.boundary && onlySpace(p.gap) && p.flags&fUpperFirst != 0 &&
			!stopwordsH.has(p.h) && !companyNounsH.has(p.h) && !afterNounsH.has(p.h) && p.flags&fDigit == 0 {
			return rPartOfName
		}
	}
	return 0
}

// followedByName reports a capitalised word right after the occurrence that
// is not a company word: "United States", "Amazon River", but also "Amazon
// Web Services" and "Apple Watch". It takes the capitals away as evidence
// without ruling the company out: a cue, or the company named elsewhere in
// the document, still decides.
func followedByName(c *occContext, h hit) bool {
	if len(c.next) == 0 || c.isHeadline() || c.isCaps() || h.caps&capsPoss != 0 {
		return false
	}
	n := c.next[0]
	if n.boundary || !onlySpace(n.gap) || n.flags&fUpperFirst == 0 || companyTailsH.has(n.h) || afterNounsH.has(n.h) ||
		stopwordsH.has(n.h) || exchangesH.has(n.h) {
		return false
	}
	return !legalFormWord(n.h)
}

func nonCompanyHead(c *occContext) bool {
	return len(c.next) > 0 && !c.next[0].boundary && nonCompanyHeadsH.has(c.next[0].h) &&
		strings.Trim(c.next[0].gap, " -") == ""
}

// reasons is a set of short codes saying why an occurrence was judged as it
// was; a bit set so judging allocates nothing.
type reasons uint32

const (
	rLegalForm reasons = 1 << iota
	rTicker
	rExactFullName
	rDistinctiveName
	rCapitalisedName
	rCompanyCue
	rCapitalisedMidSentence
	rNameSpelling
	rOtherAliasInDoc
	rCompanyElsewhereInDoc
	rPerson
	rLowercase
	rNotCapitals
	rNotCompanyNoun
	rNotAName
	rPartOfName
	rVerbUse
)

var reasonNames = [...]string{"legal_form", "ticker", "exact_full_name", "distinctive_name", "capitalised_name", "company_cue", "capitalised_mid_sentence", "name_spelling", "other_alias_in_doc", "company_elsewhere_in_doc", "person", "lowercase", "not_capitals", "not_company_noun", "not_a_name", "part_of_name", "verb_use"}

// list returns the codes in a fixed order, strongest evidence first.
func (r reasons) list() []string {
	var out []string
	for i, n := range reasonNames {
		if r&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}
