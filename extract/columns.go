package extract

import (
	"slices"
	"sort"
	"strings"
)

// textRect is a run of text on one line of a PDF page, in points with y up.
type textRect struct {
	text                     string
	left, right, top, bottom float64
}

// columnText puts the text of a page set in two columns into reading order:
// the left column, then the right, band by band between headings that span
// both. PDFium reports text in drawing order, and generators that draw
// line by line across the page make "Huawei Technologies Co., Ltd. and named
// Kaspersky Lab in its" out of two unrelated sentences. ok is false when the
// page is not in columns; its plain text is then used as it is.
func columnText(rects []textRect) (text string, ok bool) {
	if len(rects) < 6 {
		return "", false
	}
	gutter, ok := findGutter(rects)
	if !ok {
		return "", false
	}
	var spanning, left, right []textRect
	for _, r := range rects {
		switch {
		case r.right <= gutter:
			left = append(left, r)
		case r.left >= gutter:
			right = append(right, r)
		default:
			spanning = append(spanning, r)
		}
	}
	if !proseColumns(left, right) {
		return "", false // a table, most likely: keep its rows together
	}
	sort.Slice(spanning, func(i, j int) bool { return spanning[i].top > spanning[j].top })
	var b strings.Builder
	above := func(rs []textRect, y float64) (in, rest []textRect) {
		for _, r := range rs {
			if r.top > y {
				in = append(in, r)
			} else {
				rest = append(rest, r)
			}
		}
		return in, rest
	}
	emit := func(rs []textRect) {
		if s := joinLines(rs); s != "" {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
			b.WriteString(s)
		}
	}
	for _, s := range spanning {
		var l, r []textRect
		l, left = above(left, s.top)
		r, right = above(right, s.top)
		emit(l)
		emit(r)
		emit([]textRect{s})
	}
	emit(left)
	emit(right)
	return b.String(), true
}

// findGutter looks for a vertical line in the middle half of the page that
// almost no text crosses and that has text on both sides.
func findGutter(rects []textRect) (float64, bool) {
	minL, maxR := rects[0].left, rects[0].right
	for _, r := range rects {
		minL, maxR = min(minL, r.left), max(maxR, r.right)
	}
	width := maxR - minL
	if width <= 0 {
		return 0, false
	}
	best, bestCross := 0.0, len(rects)+1
	for _, c := range rects {
		x := c.right + 0.5
		if x < minL+width/4 || x > minL+3*width/4 {
			continue
		}
		var l, r, cross int
		for _, o := range rects {
			switch {
			case o.right <= x:
				l++
			case o.left >= x:
				r++
			default:
				cross++
			}
		}
		if l >= 3 && r >= 3 && cross*20 <= len(rects) && cross < bestCross {
			best, bestCross = x, cross
		}
	}
	return best, bestCross <= len(rects)
}

// proseColumns reports whether two sides look like columns of running
// text: in each, most lines fill the column, and the columns are of like
// width, each a good part of the page. A table's columns (names beside
// dates) fail the last test and keep their rows.
func proseColumns(left, right []textRect) bool {
	lw, lspan, lok := columnWidths(left)
	rw, rspan, rok := columnWidths(right)
	if !lok || !rok {
		return false
	}
	total := max(lspan, rspan) * 2
	return lw >= 0.3*total && rw >= 0.3*total && lw <= 2*rw && rw <= 2*lw &&
		lw >= 0.6*lspan && rw >= 0.6*rspan
}

// columnWidths returns the median line width and the width of a column.
func columnWidths(rs []textRect) (median, span float64, ok bool) {
	if len(rs) < 3 {
		return 0, 0, false
	}
	minL, maxR := rs[0].left, rs[0].right
	widths := make([]float64, len(rs))
	for i, r := range rs {
		minL, maxR = min(minL, r.left), max(maxR, r.right)
		widths[i] = r.right - r.left
	}
	slices.Sort(widths)
	return widths[len(widths)/2], maxR - minL, true
}

// joinLines orders rects top to bottom, left to right, and joins those on
// the same line with a space and lines with a newline.
func joinLines(rs []textRect) string {
	sort.SliceStable(rs, func(i, j int) bool {
		if sameLine(rs[i], rs[j]) {
			return rs[i].left < rs[j].left
		}
		return rs[i].top > rs[j].top
	})
	var b strings.Builder
	for i, r := range rs {
		t := strings.TrimSpace(r.text)
		if t == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			prev := rs[i-1]
			switch {
			case sameLine(prev, r):
				b.WriteByte(' ')
			case prev.bottom-r.top > min(prev.top-prev.bottom, r.top-r.bottom):
				b.WriteString("\n\n") // a blank line's worth of space: new paragraph
			default:
				b.WriteByte('\n')
			}
		}
		b.WriteString(t)
	}
	return b.String()
}

func sameLine(a, b textRect) bool {
	h := min(a.top-a.bottom, b.top-b.bottom)
	d := a.bottom - b.bottom
	return d < h/2 && -d < h/2
}
