package names

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// snippetRadius is how much text each side of a mention a snippet shows; with
// the mention and word boundaries that makes about 160-240 characters.
const snippetRadius = 100

// snippet returns the text around text[start:end] on word boundaries, with
// whitespace collapsed and "…" where it was cut.
func snippet(text string, start, end int) string {
	if start < 0 || end > len(text) || start > end {
		return ""
	}
	lo := max(0, start-snippetRadius)
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	if lo > 0 {
		// Start after the first space so no word is cut.
		if i := strings.IndexAny(text[lo:start], " \n\t"); i >= 0 {
			lo += i + 1
		} else {
			lo = start
		}
	}
	hi := min(len(text), end+snippetRadius)
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	if hi < len(text) {
		if i := strings.LastIndexAny(text[end:hi], " \n\t"); i >= 0 {
			hi = end + i
		} else {
			hi = end
		}
	}
	b := make([]byte, 0, hi-lo+8)
	if lo > 0 {
		b = append(b, "… "...)
	}
	space := false
	seg := text[lo:hi]
	for i := 0; i < len(seg); {
		c := seg[i]
		if c < utf8.RuneSelf {
			i++
			if c <= ' ' || c == 0x7f {
				space = true
				continue
			}
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(seg[i:])
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			i += size
			continue
		}
		if space && len(b) > 0 {
			b = append(b, ' ')
		}
		space = false
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\uFFFD"...)
		} else {
			b = append(b, seg[i:i+size]...)
		}
		i += size
	}
	if hi < len(text) {
		b = append(b, " …"...)
	}
	return strings.TrimSpace(string(b))
}
