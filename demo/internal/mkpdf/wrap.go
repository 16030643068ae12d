package main

import "strings"

// helvetica holds the Helvetica advance widths (1/1000 em) of printable ASCII,
// from the font's published metrics; other characters count as 556.
var helvetica = [95]int{
	278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, // space … /
	556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // 0 … 9
	278, 278, 584, 584, 584, 556, 1015, // : … @
	667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A … M
	722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N … Z
	278, 278, 278, 469, 556, 333, // [ … `
	556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a … m
	556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n … z
	334, 260, 334, 584, // { … ~
}

// width of s in points at fontSize.
func width(s string) float64 {
	total := 0
	for _, r := range s {
		if r >= 32 && r <= 126 {
			total += helvetica[r-32]
		} else {
			total += 556
		}
	}
	return float64(total) * fontSize / 1000
}

// wrap breaks a line at spaces so that each piece fits in max points; the
// continuation keeps the line's indentation. A single word wider than max is
// left whole rather than split.
func wrap(line string, max float64) []string {
	if width(line) <= max {
		return []string{line}
	}
	indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
	var out []string
	cur := indent
	for _, word := range strings.Fields(line) {
		next := cur + word
		if cur != indent {
			next = cur + " " + word
		}
		if width(next) > max && cur != indent {
			out = append(out, cur)
			next = indent + word
		}
		cur = next
	}
	return append(out, cur)
}
