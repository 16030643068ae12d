package web

import "strings"

// diffLine is one line of a comparison between two versions of a document.
type diffLine struct {
	Op   string // "=", "-" (only in the older), "+" (only in the newer), "…" (skipped)
	Text string
}

// maxDiffCells bounds the quadratic part of the comparison, so a huge
// rewritten page costs milliseconds, not the server.
const maxDiffCells = 4_000_000

// diffContext is how many unchanged lines are shown around each change.
const diffContext = 2

// lineDiff compares old and new text line by line and returns the changes
// with a little context: what an analyst needs to see what a page said
// before. Common prefix and suffix are cut first, which is the usual case
// of a small edit; the middle is aligned with a longest-common-subsequence
// table when small enough, else shown as replaced wholesale.
func lineDiff(old, new string) []diffLine {
	a, b := strings.Split(old, "\n"), strings.Split(new, "\n")
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var all []diffLine
	for _, l := range a[:pre] {
		all = append(all, diffLine{"=", l})
	}
	all = append(all, middle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf:] {
		all = append(all, diffLine{"=", l})
	}
	return withContext(all)
}

func middle(a, b []string) []diffLine {
	var out []diffLine
	if len(a)*len(b) > maxDiffCells {
		for _, l := range a {
			out = append(out, diffLine{"-", l})
		}
		for _, l := range b {
			out = append(out, diffLine{"+", l})
		}
		return out
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, diffLine{"=", a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, diffLine{"-", a[i]})
			i++
		default:
			out = append(out, diffLine{"+", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, diffLine{"-", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, diffLine{"+", b[j]})
	}
	return out
}

// withContext keeps changed lines and diffContext unchanged lines around
// them, replacing each longer unchanged run by one "…" line. No change at
// all gives nil.
func withContext(all []diffLine) []diffLine {
	keep := make([]bool, len(all))
	changed := false
	for i, l := range all {
		if l.Op == "=" {
			continue
		}
		changed = true
		for k := max(0, i-diffContext); k <= min(len(all)-1, i+diffContext); k++ {
			keep[k] = true
		}
	}
	if !changed {
		return nil
	}
	var out []diffLine
	skipping := false
	for i, l := range all {
		if keep[i] {
			out = append(out, l)
			skipping = false
		} else if !skipping {
			out = append(out, diffLine{Op: "…"})
			skipping = true
		}
	}
	return out
}
