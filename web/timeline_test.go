package web

import (
	"testing"
	"time"

	"adwatch/store"
)

func TestTimelineChartStaysInside(t *testing.T) {
	t.Parallel()
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1, 5, 120, 400} {
		var months []store.MonthCount
		for i := range n {
			months = append(months, store.MonthCount{Month: start.AddDate(0, i, 0), Mentions: 1 + i%7, Alerts: i % 3})
		}
		c := newChart(months)
		if len(c.Bars) != n {
			t.Fatalf("%d months: %d bars", n, len(c.Bars))
		}
		for _, b := range c.Bars {
			if b.X < chartLeft || b.AlertX+b.W > float64(c.Width)+1e-6 || b.MentionY < float64(c.Top)-1e-6 ||
				b.MentionY+b.MentionH > float64(c.Base)+1e-6 || b.W > 20 {
				t.Fatalf("%d months: bar %+v outside the %dx%d chart or too wide", n, b, c.Width, c.Height)
			}
		}
		wantTicks := map[int]int{1: 1, 5: 5, 120: 10, 400: 12}[n] // months, else years (every third year over 33 years, and the first)
		if len(c.Ticks) != wantTicks {
			t.Errorf("%d months: %d labels, want %d", n, len(c.Ticks), wantTicks)
		}
	}
	if newChart(nil) != nil {
		t.Error("a chart for no months, want none")
	}
}
