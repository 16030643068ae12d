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
	var b strings.Builder
	if lo > 0 {
		b.WriteString("… ")
	}
	space := false
	for _, r := range strings.ToValidUTF8(text[lo:hi], "\uFFFD") {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	if hi < len(text) {
		b.WriteString(" …")
	}
	return strings.TrimSpace(b.String())
}
