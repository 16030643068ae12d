package web

import (
	"strings"
	"testing"
)

func TestLineDiffShowsChangesWithContext(t *testing.T) {
	t.Parallel()
	old := "FCC Covered List\nHuawei Technologies Company\nZTE Corporation\nHytera Communications Corporation\nHangzhou Hikvision Digital Technology Company\nDahua Technology Company\nUpdated March 12, 2021"
	new := "FCC Covered List\nHuawei Technologies Company\nZTE Corporation\nHytera Communications Corporation\nHangzhou Hikvision Digital Technology Company\nDahua Technology Company\nAO Kaspersky Lab\nUpdated March 25, 2022"
	var got []string
	for _, l := range lineDiff(old, new) {
		got = append(got, l.Op+" "+l.Text)
	}
	want := []string{"… ", "= Hangzhou Hikvision Digital Technology Company", "= Dahua Technology Company",
		"- Updated March 12, 2021", "+ AO Kaspersky Lab", "+ Updated March 25, 2022"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lineDiff =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if d := lineDiff(old, old); d != nil {
		t.Errorf("lineDiff of equal texts = %v, want nil", d)
	}
}

func TestLineDiffOfHugeRewriteIsBounded(t *testing.T) {
	t.Parallel()
	a := strings.Repeat("old line\n", 5000) + "end"
	b := strings.Repeat("new line\n", 5000) + "end"
	d := lineDiff(a, b)
	minus, plus := 0, 0
	for _, l := range d {
		switch l.Op {
		case "-":
			minus++
		case "+":
			plus++
		}
	}
	if minus != 5000 || plus != 5000 {
		t.Errorf("huge rewrite: %d removed, %d added; want 5000 and 5000", minus, plus)
	}
}
