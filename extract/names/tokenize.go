package names

import (
	"unicode"
	"unicode/utf8"
)

// Token flags, set from the original spelling so judgement can look at case
// without going back to the text.
const (
	fUpperFirst uint8 = 1 << iota // first letter is upper case
	fAllUpper                     // every letter is upper case (at least one letter)
	fPossessive                   // a possessive 's followed and was dropped
	fDigit                        // contains a digit
	fInitialism                   // dotted initialism joined (I.B.M.)
	fAmp                          // "and" written as &
	fFolded                       // a diacritic or compatibility form was folded away
	fInnerUpper                   // an upper-case letter after a lower-case one (eBay, McDonald)
)

// token is one normalised word of a text with its place in the original.
type token struct {
	start, end int // byte offsets into the original text; a dropped possessive 's lies after end
	hash       uint64
	flags      uint8
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// tokenizer walks a text once and yields normalised tokens. Normalize and the
// matcher share it, so both sides of a comparison are normalised by the same
// code: this is what makes "Nestlé" meet "Nestle" and "I.B.M." meet "IBM".
type tokenizer struct {
	s   string
	i   int
	buf []byte // normalised bytes of the last token (see noText)
	// noText lets plain ASCII words skip filling buf: the scan only needs
	// their hashes, and copying every word of a text costs a third of it.
	noText bool
}

func (t *tokenizer) reset(s string) { t.s, t.i, t.buf = s, 0, t.buf[:0] }

var asciiAlnum = func() (a [128]bool) {
	for c := '0'; c <= '9'; c++ {
		a[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		a[c] = true
		a[c-32] = true
	}
	return a
}()

// isApostrophe reports the runes people and word processors use for '.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u02bc' || r == '\u2018' || r == '\u02b9' || r == '\u2032'
}

// isIgnorable are runes that sit inside words without separating them:
// combining marks, soft hyphens and zero-width joiners.
func isIgnorable(r rune) bool {
	switch r {
	case '\u00ad', '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff':
		return true
	}
	return unicode.In(r, unicode.Mn, unicode.Me)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// wordAt reports whether a word character (not an ignorable) starts at s[k].
func wordAt(s string, k int) bool {
	if k >= len(s) {
		return false
	}
	if c := s[k]; c < utf8.RuneSelf {
		return asciiAlnum[c]
	}
	r, _ := utf8.DecodeRuneInString(s[k:])
	return isWordRune(r)
}

func asciiLetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// next reads the next token into tok. It returns false at the end of the text.
func (t *tokenizer) next(tok *token) bool {
	for {
		if ok, again := t.next1(tok); !again {
			return ok
		}
	}
}

// next1 reads one token; again says it skipped something that was no word
// and the caller should read on (a loop, not recursion: a text may hold
// millions of such runes).
func (t *tokenizer) next1(tok *token) (ok, again bool) {
	s, i, n := t.s, t.i, len(t.s)
	// Skip to the start of a word; & is a word of its own ("and").
	for i < n {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiAlnum[c] {
				break
			}
			if c == '&' {
				t.buf = append(t.buf[:0], "and"...)
				*tok = token{start: i, end: i + 1, hash: hashBytes(t.buf), flags: fAmp}
				t.i = i + 1
				return true, false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) && !isApostrophe(r) { // ʼ is a letter to Unicode, an apostrophe to us
			break
		}
		i += size
	}
	if i >= n {
		t.i = n
		return false, false
	}
	if tok.start = i; t.fast(tok) {
		return true, false
	}
	start := i
	buf := t.buf[:0]
	var flags uint8
	letters, uppers := 0, 0
	initialism := false // so far single letters joined by dots
	prevLower := false
	possEnd := -1 // where a dropped possessive 's starts
loop:
	for i < n {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z':
				// Runs of lower-case letters are most of any text: copy them at once.
				j := i + 1
				for j < n && s[j]-'a' < 26 {
					j++
				}
				buf = append(buf, s[i:j]...)
				letters += j - i
				prevLower = true
				i = j
				continue
			case c >= 'A' && c <= 'Z':
				if letters == 0 {
					flags |= fUpperFirst
				} else if prevLower {
					flags |= fInnerUpper
				}
				buf = append(buf, c+32)
				letters++
				uppers++
				prevLower = false
				i++
				continue
			case c >= '0' && c <= '9':
				buf = append(buf, c)
				flags |= fDigit
				prevLower = false
				i++
				continue
			case c == '\'':
				if j, ok := t.apostrophe(i, 1, &flags); ok {
					i = j
					continue
				}
				if flags&fPossessive != 0 {
					possEnd = i
					i += 2
				}
				break loop
			case c == '.':
				// Dotted initialisms are one word: I.B.M. → ibm, S.p.A. → spa.
				if (initialism || (len(buf) == 1 && letters == 1)) && i+1 < n && asciiLetter(s[i+1]) &&
					(i+2 >= n || !wordAt(s, i+2)) {
					initialism = true
					flags |= fInitialism
					i++
					continue
				}
				break loop
			default:
				break loop
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isApostrophe(r):
			if j, ok := t.apostrophe(i, size, &flags); ok {
				i = j
				continue
			}
			if flags&fPossessive != 0 {
				possEnd = i
				i += size + 1
			}
			break loop
		case isIgnorable(r):
			flags |= fFolded
			i += size
		case isWordRune(r):
			if unicode.IsLetter(r) {
				if unicode.IsUpper(r) {
					if letters == 0 {
						flags |= fUpperFirst
					} else if prevLower {
						flags |= fInnerUpper
					}
					uppers++
					prevLower = false
				} else {
					prevLower = true
				}
				letters++
			} else {
				flags |= fDigit
			}
			buf = append(buf, foldRune(r)...)
			flags |= fFolded
			i += size
		default:
			break loop
		}
	}
	if letters > 0 && uppers == letters {
		flags |= fAllUpper
	}
	if i == start {
		// Nothing was read (a rune that starts no word after all): step over
		// it, so a text can never stall the scan.
		_, size := utf8.DecodeRuneInString(s[i:])
		t.i = i + size
		return false, true
	}
	if len(buf) == 0 {
		t.buf, t.i = buf, i // only runes that fold to nothing (U+0374): no word
		return false, true
	}
	t.buf, t.i = buf, i
	end := i
	if possEnd >= 0 {
		end = possEnd
	}
	*tok = token{start: start, end: end, hash: hashBytes(buf), flags: flags}
	return true, false
}

// apostrophe decides what an apostrophe of width w at s[i] does inside a word:
// it is dropped and the word goes on (O'Reilly → oreilly), or it starts a
// possessive 's that is dropped and ends the word (McDonald's → mcdonald).
// It returns the index to continue from and whether the word goes on.
func (t *tokenizer) apostrophe(i, w int, flags *uint8) (int, bool) {
	s := t.s
	j := i + w
	if !wordAt(s, j) {
		return i, false
	}
	if (s[j] == 's' || s[j] == 'S') && !wordAt(s, j+1) {
		*flags |= fPossessive
		return i, false
	}
	return j, true
}
