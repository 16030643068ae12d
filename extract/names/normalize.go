package names

import "strings"

// Normalize returns the form of s that names are compared in: NFKC, case
// folded, diacritics removed (Nestlé → nestle, Straße → strasse), & spelled
// "and", punctuation and hyphens turned into spaces (Kaspersky-branded →
// kaspersky branded), dotted initialisms joined (I.B.M. → ibm, S.p.A. → spa),
// apostrophes inside words dropped (O’Reilly → oreilly) and a possessive 's
// dropped (McDonald’s → mcdonald, Apple's → apple), words separated by one
// space.
//
// Dropping the possessive lets "Apple's chief executive" name Apple; the
// matcher also indexes the joined spelling of a possessive alias, so that an
// advertiser called "McDonald's" matches both "McDonald’s" and "McDonalds".
func Normalize(s string) string {
	var t tokenizer
	t.reset(s)
	var b strings.Builder
	b.Grow(len(s))
	var tok token
	for t.next(&tok) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.Write(t.buf)
	}
	return b.String()
}

// normTokens returns the normalised words of s with their tokens.
func normTokens(s string) ([]string, []token) {
	var t tokenizer
	t.reset(s)
	var words []string
	var toks []token
	var tok token
	for t.next(&tok) {
		words = append(words, string(t.buf))
		toks = append(toks, tok)
	}
	return words, toks
}
