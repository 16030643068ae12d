package names

import (
	"fmt"
	"testing"

	"adwatch/bench/matchbench/synth"
)

// BenchmarkMatch measures scan throughput with the full judgement on, over
// news-like text, for growing alias counts. The rate should barely depend on
// the number of aliases.
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("aliases=%s", short(n)), func(b *testing.B) {
			if testing.Short() && n > 100_000 {
				b.Skip("1M aliases takes a while to build")
			}
			ads := synth.Advertisers(n)
			m, err := NewMatcher(ads)
			if err != nil {
				b.Fatal(err)
			}
			docs := synth.Docs(4<<20, ads, 1)
			size := 0
			for _, d := range docs {
				size += len(d)
			}
			b.SetBytes(int64(size))
			b.ResetTimer()
			cpuRate(b, int64(size), func() {
				for b.Loop() {
					for _, d := range docs {
						m.Match(Doc{Text: d})
					}
				}
			})
		})
	}
}

func short(n int) string {
	switch {
	case n >= 1_000_000:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1_000:
		return fmt.Sprintf("%dk", n/1_000)
	}
	return fmt.Sprint(n)
}

// BenchmarkAnalyze measures Match and the company finder together, as
// extraction runs them on every document.
func BenchmarkAnalyze(b *testing.B) {
	ads := synth.Advertisers(100_000)
	m, err := NewMatcher(ads)
	if err != nil {
		b.Fatal(err)
	}
	docs := synth.Docs(4<<20, ads, 1)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpuRate(b, int64(size), func() {
		for b.Loop() {
			for _, d := range docs {
				m.Analyze(Doc{Text: d})
			}
		}
	})
}
