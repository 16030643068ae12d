package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// decodeText turns bytes of unknown encoding into valid UTF-8. Text that is
// mostly invalid UTF-8 is taken as Windows-1252 (what old government pages and
// office exports are); a few stray bytes in otherwise good UTF-8 become U+FFFD.
func decodeText(b []byte) string {
	b = trimBOM(b)
	if utf8.Valid(b) {
		return string(b)
	}
	if looksSingleByte(b) {
		if s, err := charmap.Windows1252.NewDecoder().Bytes(b); err == nil {
			return string(s)
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func trimBOM(b []byte) []byte {
	if len(b) >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf {
		return b[3:]
	}
	return b
}

// looksSingleByte reports whether most non-ASCII bytes fail to form UTF-8.
func looksSingleByte(b []byte) bool {
	var bad, good int
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			bad++
			i++
			continue
		}
		good++
		i += n
	}
	return bad > 0 && bad >= 2*good
}

// cleanText makes extracted text safe and uniform: valid UTF-8, mojibake
// repaired, line endings \n, invisible characters gone, spaces collapsed
// within lines, at most one blank line between paragraphs.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	var c cleaner
	c.write(&b, s)
	return b.String()
}

// cleanPlain is cleanText for plain text, where a tab separates columns
// (TSV exports, screening lists) and is kept: it is a hard boundary between
// names. In HTML a tab is only layout, and cleanText makes it a space.
func cleanPlain(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	c := cleaner{keepTabs: true}
	c.write(&b, s)
	return b.String()
}

// cleaner is cleanText as a stream: text cut at line breaks and fed piece by
// piece comes out exactly as if it had been cleaned whole.
type cleaner struct {
	newlines int // pending line breaks
	space    bool
	wrote    bool
	cr       bool // last rune was \r, so a following \n is the same break
	tab      bool // the pending space includes a tab
	keepTabs bool
}

func (c *cleaner) write(b *strings.Builder, s string) {
	s = fixMojibake(strings.ToValidUTF8(s, "\uFFFD"))
	for i := 0; i < len(s); {
		if ch := s[i]; ch > ' ' && ch < 0x7f {
			// Fast path: a run of printable ASCII goes out in one write.
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
				j++
			}
			c.separate(b)
			b.WriteString(s[i:j])
			i = j
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == '\n' && c.cr {
			c.cr = false
			continue
		}
		c.cr = r == '\r'
		switch {
		case r == '\n' || r == '\r' || r == '\v' || r == '\u2028':
			c.newlines++
			c.space, c.tab = false, false
		case r == '\f' || r == '\u2029':
			c.newlines += 2
			c.space, c.tab = false, false
		case r == '\t':
			c.space, c.tab = true, c.keepTabs
		case r == ' ' || unicode.Is(unicode.Zs, r):
			c.space = true
		case isInvisible(r):
			// dropped
		default:
			c.separate(b)
			b.WriteRune(r)
		}
	}
}

// separate writes the break or space pending before the next visible text.
func (c *cleaner) separate(b *strings.Builder) {
	if c.wrote {
		switch {
		case c.newlines >= 2:
			b.WriteString("\n\n")
		case c.newlines == 1:
			b.WriteByte('\n')
		case c.tab:
			b.WriteByte('\t')
		case c.space:
			b.WriteByte(' ')
		}
	}
	c.newlines, c.space, c.tab, c.cr, c.wrote = 0, false, false, false, true
}

// cleanLine is cleanText for one-line values such as titles.
func cleanLine(s string) string {
	return strings.Join(strings.Fields(cleanText(s)), " ")
}

// isInvisible reports characters that carry no text: controls, zero-width
// joiners and spaces, soft hyphens (which split "Kasper\u00adsky").
func isInvisible(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u200e', '\u200f':
		return true
	}
	return unicode.IsControl(r)
}

// fixMojibake repairs UTF-8 that was once decoded as Windows-1252 or Latin-1
// ("NestlÃ©" for "Nestlé", "â€™" for "’"). A run of such characters is
// mapped back to bytes and replaced only where those bytes are a valid
// multi-byte UTF-8 sequence, which genuine Latin text practically never is.
// It runs twice to undo double encoding.
func fixMojibake(s string) string {
	for range 2 {
		fixed, changed := fixMojibakeOnce(s)
		if !changed {
			return s
		}
		s = fixed
	}
	return s
}

// fixMojibakeOnce undoes one layer; it allocates only when it finds some.
// A mis-decoded lead byte 0xC2–0xF4 is one of the runes U+00C2–U+00F4,
// whose UTF-8 encoding starts with 0xC3, so only those positions are tried.
func fixMojibakeOnce(s string) (string, bool) {
	var out strings.Builder
	done := 0 // s[:done] is already in out
	for i := 0; i < len(s); {
		if s[i] != 0xc3 {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		b0, _ := cp1252Byte(r)
		if b0 < 0xc2 || b0 > 0xf4 {
			i += n
			continue
		}
		want := utf8Len(b0)
		buf := [4]byte{b0}
		k, j := 1, i+n
		for k < want && j < len(s) {
			r2, n2 := utf8.DecodeRuneInString(s[j:])
			c, ok := cp1252Byte(r2)
			if !ok || c < 0x80 || c > 0xbf {
				break
			}
			buf[k] = c
			k++
			j += n2
		}
		if k == want {
			if fixed, size := utf8.DecodeRune(buf[:k]); fixed != utf8.RuneError && size == k {
				out.Grow(len(s))
				out.WriteString(s[done:i])
				out.WriteRune(fixed)
				i, done = j, j
				continue
			}
		}
		i += n
	}
	if done == 0 {
		return s, false
	}
	out.WriteString(s[done:])
	return out.String(), true
}

func utf8Len(lead byte) int {
	switch {
	case lead >= 0xf0:
		return 4
	case lead >= 0xe0:
		return 3
	default:
		return 2
	}
}

// cp1252Byte maps a rune back to the Windows-1252 byte it would have come
// from; C1 controls stand for themselves (Latin-1 decoding of the holes).
func cp1252Byte(r rune) (byte, bool) {
	if r < 0x100 {
		return byte(r), true
	}
	b, ok := cp1252High[r]
	return b, ok
}

var cp1252High = map[rune]byte{
	'€': 0x80, '‚': 0x82, 'ƒ': 0x83, '„': 0x84, '…': 0x85, '†': 0x86, '‡': 0x87,
	'ˆ': 0x88, '‰': 0x89, 'Š': 0x8a, '‹': 0x8b, 'Œ': 0x8c, 'Ž': 0x8e,
	'‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97,
	'˜': 0x98, '™': 0x99, 'š': 0x9a, '›': 0x9b, 'œ': 0x9c, 'ž': 0x9e, 'Ÿ': 0x9f,
}
