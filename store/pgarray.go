package store

import (
	"database/sql/driver"
	"encoding/hex"
	"strings"
)

// textArray is a text[] parameter. Unlike pq.Array([]string), it writes its
// literal once, into a buffer sized in advance, and hands lib/pq the bytes,
// which lib/pq sends as they are for a parameter that is not bytea. A
// batch's texts, search vectors and evidence are most of what a crawl
// allocates, and pq.StringArray copied each of them three times more (the
// growing literal, a string of it, and lib/pq's bytes of that string).
type textArray []string

// Value implements driver.Valuer: NULL for a nil slice, else the literal.
func (a textArray) Value() (driver.Value, error) {
	if a == nil {
		return nil, nil
	}
	size := 2
	for _, s := range a {
		size += len(s) + 3 + strings.Count(s, `"`) + strings.Count(s, `\`)
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, s := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		for {
			j := strings.IndexAny(s, `"\`)
			if j < 0 {
				b = append(b, s...)
				break
			}
			b = append(b, s[:j]...)
			b = append(b, '\\', s[j])
			s = s[j+1:]
		}
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// byteaArray is a bytea[] parameter, written like textArray: the elements
// in hex, in one buffer sized in advance, handed over as bytes.
type byteaArray [][]byte

// Value implements driver.Valuer: NULL for a nil slice, else the literal.
func (a byteaArray) Value() (driver.Value, error) {
	if a == nil {
		return nil, nil
	}
	size := 2
	for _, x := range a {
		size += len(`,"\\x"`) + hex.EncodedLen(len(x))
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, x := range a {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `"\\x`...)
		b = hex.AppendEncode(b, x)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}
