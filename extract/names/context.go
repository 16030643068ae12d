package names

import (
	"strings"
	"unicode/utf8"
)

// ctxTok is a word near an occurrence.
type ctxTok struct {
	w        string
	flags    uint8
	start    int
	end      int
	gap      string // the non-word text between this word and its neighbour toward the occurrence
	boundary bool   // a sentence boundary lies between this word and the occurrence
}

// occContext is what judgement looks at around one occurrence: a few words
// each side and the shape of the line it sits in.
type occContext struct {
	prev      []ctxTok // nearest first
	next      []ctxTok // nearest first
	sentStart bool     // the occurrence starts a sentence, line item or heading
	headline  bool     // the line is a heading: Title Case, ALL CAPS, or the title
	capsLine  bool     // the line is written in capitals
}

const ctxWindow = 160

// contextOf reads the words around text[start:end]. Only occurrences pay for
// this, so it re-tokenises a small window instead of keeping every token of
// the scan.
func contextOf(text string, start, end int, title bool) occContext {
	var c occContext
	ws := max(0, start-ctxWindow)
	for ws > 0 && !utf8.RuneStart(text[ws]) {
		ws--
	}
	var tz tokenizer
	tz.reset(text[ws:start])
	var all []ctxTok
	var tok token
	for tz.next(&tok) {
		all = append(all, ctxTok{w: string(tz.buf), flags: tok.flags, start: ws + tok.start, end: ws + tok.end})
	}
	if ws > 0 && len(all) > 0 && all[0].start == ws {
		all = all[1:] // may be the tail of a word cut by the window
	}
	right := start
	boundary := false
	for i := len(all) - 1; i >= 0 && len(c.prev) < 5; i-- {
		t := all[i]
		t.gap = text[t.end:right]
		boundary = boundary || isBoundary(text, t, true)
		t.boundary = boundary
		c.prev = append(c.prev, t)
		right = t.start
	}
	c.sentStart = len(c.prev) == 0 || c.prev[0].boundary
	if len(c.prev) == 0 && ws > 0 {
		c.sentStart = isBoundary(text, ctxTok{gap: text[ws:start]}, true)
	}

	we := min(len(text), end+ctxWindow)
	for we < len(text) && !utf8.RuneStart(text[we]) {
		we++
	}
	tz.reset(text[end:we])
	left := end
	boundary = false
	var prevNext ctxTok
	for len(c.next) < 8 && tz.next(&tok) {
		t := ctxTok{w: string(tz.buf), flags: tok.flags, start: end + tok.start, end: end + tok.end}
		if t.end == we && we < len(text) {
			break // may be cut by the window
		}
		t.gap = text[left:t.start]
		if len(c.next) > 0 {
			boundary = boundary || isBoundary(text, ctxTok{w: prevNext.w, flags: prevNext.flags, gap: t.gap}, false)
		} else {
			boundary = isBoundary(text, ctxTok{gap: t.gap}, false)
		}
		t.boundary = boundary
		c.next = append(c.next, t)
		prevNext = t
		left = t.end
	}
	if title {
		c.headline = true
		c.capsLine = isCapsLine(text)
		return c
	}
	c.headline, c.capsLine = lineShape(text, start, end)
	return c
}

// isBoundary reports whether the gap after word t ends a sentence or a line
// item. Dots after initials, honorifics and abbreviated legal forms do not;
// a line break does unless the line before ends mid-sentence (PDF text wraps
// lines anywhere).
func isBoundary(text string, t ctxTok, _ bool) bool {
	g := t.gap
	if strings.ContainsAny(g, "!?;:|\t•·▪►■●") {
		return true
	}
	if strings.Contains(g, ".") && !strings.Contains(g, "..") {
		if t.flags&fInitialism != 0 || honorifics[t.w] || abbrevs[t.w] || (len(t.w) == 1 && t.w != "") {
			// "U.S. Commerce", "Mr. Kaspersky", "Inc. (NASDAQ", "J. Smith"
		} else {
			return true
		}
	}
	if i := strings.IndexByte(g, '\n'); i >= 0 {
		if strings.Count(g, "\n") >= 2 || t.w == "" {
			return true
		}
		// A wrapped line continues after a lower-case word or a comma.
		before := strings.TrimRight(g[:i], " \t\r")
		if strings.HasSuffix(before, ",") || strings.HasSuffix(before, "-") {
			return false
		}
		if before == "" && t.flags&(fUpperFirst|fDigit) == 0 {
			return false
		}
		return true
	}
	return false
}

// Abbreviations whose dot does not end a sentence.
var abbrevs = wordSet("inc corp co ltd llc plc no nos st vs jr sr dept gov sec art para fig vol pp approx est etc al")

// lineShape reports whether the line around text[start:end] is a heading
// (Title Case or ALL CAPS, short, no closing full stop) and whether it is in
// capitals.
func lineShape(text string, start, end int) (headline, caps bool) {
	const maxLine = 300
	lo := max(0, start-maxLine)
	ls := strings.LastIndexByte(text[lo:start], '\n')
	if ls < 0 {
		if lo > 0 {
			return false, false
		}
		ls = 0
	} else {
		ls += lo + 1
	}
	hi := min(len(text), end+maxLine)
	le := strings.IndexByte(text[end:hi], '\n')
	if le < 0 {
		if hi < len(text) {
			return false, false
		}
		le = len(text)
	} else {
		le += end
	}
	line := strings.TrimSpace(text[ls:le])
	caps = isCapsLine(line)
	if len(line) > 250 || strings.HasSuffix(line, ".") {
		return false, caps
	}
	words, capped := 0, 0
	var tz tokenizer
	tz.reset(line)
	var tok token
	for tz.next(&tok) {
		if tok.flags&fDigit != 0 || stopwords[string(tz.buf)] && tok.flags&fUpperFirst == 0 {
			continue
		}
		words++
		if tok.flags&fUpperFirst != 0 {
			capped++
		}
	}
	if words == 0 {
		return false, caps
	}
	return capped*4 >= words*3 || caps, caps
}

// isCapsLine reports whether most letters of s are capitals.
func isCapsLine(s string) bool {
	up, low := 0, 0
	for _, r := range s {
		switch {
		case r >= 'A' && r <= 'Z':
			up++
		case r >= 'a' && r <= 'z':
			low++
		case r >= utf8.RuneSelf:
			if isWordRune(r) {
				if strings.ToUpper(string(r)) == string(r) && strings.ToLower(string(r)) != string(r) {
					up++
				} else if strings.ToLower(string(r)) == string(r) && strings.ToUpper(string(r)) != string(r) {
					low++
				}
			}
		}
	}
	return up >= 4 && up >= 4*low
}
