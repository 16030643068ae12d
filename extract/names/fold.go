package names

import (
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

func hashBytes(b []byte) uint64 {
	h := uint64(fnvOffset)
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

// Multi-word keys are hashes of token hashes, so the text is hashed once per
// token and never re-joined into strings while scanning.
const seqSeed = 0x9e3779b97f4a7c15

func combine(g, h uint64) uint64 {
	g = (g ^ h) * 0xbf58476d1ce4e5b9
	return g ^ (g >> 31)
}

var (
	foldOnce  sync.Once
	foldTable []string // folded form of runes below foldTableSize
)

const foldTableSize = 0x3000

// special folds that Unicode decomposition does not do.
var specialFold = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ø': "o", 'Ø': "o",
	'ł': "l", 'Ł': "l", 'đ': "d", 'Đ': "d", 'ð': "d", 'Ð': "d", 'þ': "th", 'Þ': "th", 'ı': "i",
	'ħ': "h", 'Ħ': "h", 'ŧ': "t", 'Ŧ': "t", 'ĸ': "k", 'ŀ': "l", 'Ŀ': "l",
}

// foldRune is NFKC + case fold + diacritics removed, for one rune.
func foldRune(r rune) string {
	if r < foldTableSize {
		foldOnce.Do(func() {
			foldTable = make([]string, foldTableSize)
			for x := rune(0x80); x < foldTableSize; x++ {
				foldTable[x] = computeFold(x)
			}
		})
		return foldTable[r]
	}
	return computeFold(r)
}

func computeFold(r rune) string {
	if f, ok := specialFold[r]; ok {
		return f
	}
	var out []rune
	for _, d := range norm.NFKD.String(string(r)) {
		if isIgnorable(d) || !isWordRune(d) || isApostrophe(d) {
			continue // U+0374 decomposes to ʹ, which the next pass would drop
		}
		if f, ok := specialFold[d]; ok {
			out = append(out, []rune(f)...)
			continue
		}
		out = append(out, unicode.ToLower(d))
	}
	return string(out)
}
