package names

import "unicode/utf8"

// byteClass: 1 lower-case letter, 2 capital, 3 digit, 0 anything else.
var byteClass = func() (a [256]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		a[c], a[c-32] = 1, 2
	}
	for c := '0'; c <= '9'; c++ {
		a[c] = 3
	}
	return a
}()

// lowerTab maps ASCII letters and digits to their lower-case byte, anything
// else to 0.
var lowerTab = func() (a [256]byte) {
	for c := 0; c < 256; c++ {
		if byteClass[c] != 0 {
			a[c] = byte(c) | 0x20
		}
	}
	return a
}()

// nextHash is next for the scan: plain ASCII words get only their span and
// hash (no flags, no text), which is all the index lookup needs; anything
// else goes through next.
func (t *tokenizer) nextHash(tok *token) bool {
	s, i, n := t.s, t.i, len(t.s)
	for i < n && lowerTab[s[i]] == 0 {
		if c := s[i]; c >= utf8.RuneSelf || c == '&' {
			t.i = i
			return t.next(tok)
		}
		i++
	}
	if i >= n {
		t.i = n
		return false
	}
	h := uint64(fnvOffset)
	j := i
	for ; j < n; j++ {
		l := lowerTab[s[j]]
		if l == 0 {
			break
		}
		h = (h ^ uint64(l)) * fnvPrime
	}
	if j < n {
		if c := s[j]; c >= utf8.RuneSelf || c == '\'' || c == '.' && j-i == 1 {
			t.i = i
			return t.next(tok)
		}
	}
	*tok = token{start: i, end: j, hash: h}
	t.i = j
	return true
}

// fast reads a plain ASCII word starting at tok.start, one ended by a space
// or by punctuation that cannot continue it. It leaves anything else (accents,
// apostrophes, initialisms) to the general path and returns false.
func (t *tokenizer) fast(tok *token) bool {
	s, i, n := t.s, tok.start, len(t.s)
	h := uint64(fnvOffset)
	var flags uint8
	uppers, letters := 0, 0
	prevLower := false
	j := i
	for ; j < n; j++ {
		c := s[j]
		switch byteClass[c] {
		case 1:
			letters++
			prevLower = true
		case 2:
			if letters == 0 {
				flags |= fUpperFirst
			} else if prevLower {
				flags |= fInnerUpper
			}
			letters++
			uppers++
			prevLower = false
		case 3:
			flags |= fDigit
			prevLower = false
		default:
			goto end
		}
		h ^= uint64(c | 0x20)
		h *= fnvPrime
	}
end:
	if j < n {
		switch c := s[j]; {
		case c >= utf8.RuneSelf, c == '\'':
			return false
		case c == '.' && j-i == 1:
			return false // maybe an initialism
		}
	}
	if letters > 0 && uppers == letters {
		flags |= fAllUpper
	}
	if !t.noText {
		t.buf = t.buf[:0]
		for k := i; k < j; k++ {
			t.buf = append(t.buf, s[k]|0x20)
		}
	}
	*tok = token{start: i, end: j, hash: h, flags: flags}
	t.i = j
	return true
}
