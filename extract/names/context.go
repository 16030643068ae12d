package names

import (
	"strings"
	"unicode/utf8"
	"unsafe"
)

// ctxTok is a word near an occurrence.
type ctxTok struct {
	w        string
	h        uint64
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
	prevBuf   [5]ctxTok
	nextBuf   [8]ctxTok
	sentStart bool // the occurrence starts a sentence, line item or heading
	headline  bool // the line is a heading: Title Case, ALL CAPS, or the title (after shape)
	capsLine  bool // the line is written in capitals (after shape)

	shaped     bool
	title      bool
	text       string
	start, end int
}

const ctxWindow = 160

// contextOf reads the words around text[start:end]. Only occurrences pay for
// this, so it re-tokenises a small window instead of keeping every token of
// the scan.
func contextOf(c *occContext, text string, start, end int, hitFlags uint8, title bool, ar *arena) {
	c.prev, c.next = c.prevBuf[:0], c.nextBuf[:0]
	c.title = title
	c.text, c.start, c.end = text, start, end
	// Read back a short window first and widen it only if it held too few
	// words: most occurrences need five words of context, not a paragraph.
	var tz tokenizer
	var tok token
	var all [24]ctxTok
	n := 0
	ws := start
	for _, back := range [...]int{40, ctxWindow} {
		ws = max(0, start-back)
		for ws > 0 && !utf8.RuneStart(text[ws]) {
			ws--
		}
		tz.reset(text[ws:start])
		n = 0
		for tz.next(&tok) {
			if n == len(all) {
				copy(all[:], all[1:])
				n--
			}
			all[n] = ctxTok{w: ar.str(tz.buf), h: tok.hash, flags: tok.flags, start: ws + tok.start, end: ws + tok.end}
			n++
		}
		if ws > 0 && n > 0 && all[0].start == ws {
			copy(all[:], all[1:n]) // may be the tail of a word cut by the window
			n--
		}
		if n >= 5 || ws == 0 {
			break
		}
	}
	right := start
	boundary := false
	for i := n - 1; i >= 0 && len(c.prev) < 5; i-- {
		t := all[i]
		t.gap = text[t.end:right]
		boundary = boundary || isBoundary(t)
		t.boundary = boundary
		c.prev = append(c.prev, t)
		right = t.start
	}
	c.sentStart = len(c.prev) == 0 || c.prev[0].boundary
	if len(c.prev) == 0 && ws > 0 {
		c.sentStart = isBoundary(ctxTok{gap: text[ws:start]})
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
		t := ctxTok{w: ar.str(tz.buf), h: tok.hash, flags: tok.flags, start: end + tok.start, end: end + tok.end}
		if t.end == we && we < len(text) {
			break // may be cut by the window
		}
		t.gap = text[left:t.start]
		if len(c.next) > 0 {
			boundary = boundary || isBoundary(ctxTok{h: prevNext.h, flags: prevNext.flags, start: prevNext.start, end: prevNext.end, gap: t.gap})
		} else {
			boundary = isBoundary(ctxTok{h: 1, flags: hitFlags, start: start, end: end, gap: t.gap})
		}
		t.boundary = boundary
		c.next = append(c.next, t)
		prevNext = t
		left = t.end
	}
}

// shape computes, once and only when judgement asks, whether the occurrence
// sits in a heading and whether its line is in capitals.
func (c *occContext) shape() {
	if c.shaped {
		return
	}
	c.shaped = true
	if c.title {
		c.headline, c.capsLine = true, isCapsLine(c.text)
		return
	}
	c.headline, c.capsLine = lineShape(c.text, c.start, c.end)
}

func (c *occContext) isHeadline() bool { c.shape(); return c.headline }
func (c *occContext) isCaps() bool     { c.shape(); return c.capsLine }

// arena hands out strings backed by one reusable buffer, so reading context
// words allocates nothing per occurrence. Strings stay valid until reset.
type arena struct{ b []byte }

func (a *arena) reset() { a.b = a.b[:0] }

func (a *arena) str(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	if cap(a.b)-len(a.b) < len(p) {
		a.b = make([]byte, 0, max(4096, 2*len(p))) // old strings keep the old array alive
	}
	i := len(a.b)
	a.b = append(a.b, p...)
	return unsafe.String(&a.b[i], len(p))
}

// isBoundary reports whether the gap after word t ends a sentence or a line
// item. Dots after initials, honorifics and abbreviated legal forms do not;
// a line break does unless the line before ends mid-sentence (PDF text wraps
// lines anywhere).
func isBoundary(t ctxTok) bool {
	g := t.gap
	if g == " " {
		return false // by far the most common gap
	}
	if strings.ContainsAny(g, "!?;:|\t•·▪►■●") {
		return true
	}
	if strings.Contains(g, ".") && !strings.Contains(g, "..") {
		if t.flags&fInitialism != 0 || honorificsH.has(t.h) || abbrevsH.has(t.h) || t.end-t.start == 1 {
			// "U.S. Commerce", "Mr. Kaspersky", "Inc. (NASDAQ", "J. Smith"
		} else {
			return true
		}
	}
	if i := strings.IndexByte(g, '\n'); i >= 0 {
		if strings.Count(g, "\n") >= 2 || t.h == 0 {
			return true // a blank line, or nothing before
		}
		before := strings.TrimRight(g[:i], " \t\r")
		if strings.HasSuffix(before, ",") || strings.HasSuffix(before, "-") {
			return false
		}
		// PDF and plain text wrap lines anywhere, so a single line break
		// ends a sentence only after a number or a word in capitals, as at
		// the end of a heading ("DIRECTIVE 17-01").
		return t.flags&fDigit != 0 || t.flags&fAllUpper != 0 && t.end-t.start > 1
	}
	return false
}

// Abbreviations whose dot does not end a sentence.
var abbrevsH = hashSet(wordSet("inc corp co ltd llc plc no nos st vs jr sr dept gov sec art para fig vol pp approx est etc al tech intl mfg bros ind hldgs grp svcs assoc natl mgmt"))

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
	// A heading does not end like a sentence or a wrapped line of one.
	if len(line) > 250 || strings.HasSuffix(line, ".") || strings.HasSuffix(line, ",") || strings.HasSuffix(line, ";") {
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
