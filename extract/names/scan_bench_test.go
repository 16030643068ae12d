package names

import (
	"testing"

	"adwatch/bench/matchbench/synth"
)

// BenchmarkScan isolates the one-pass scan (tokenise, hash, look up) from
// judgement, to see which of the two a change affects.
func BenchmarkScan(b *testing.B) {
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
	hits := 0
	b.ResetTimer()
	cpuRate(b, int64(size), func() {
		for b.Loop() {
			for _, d := range docs {
				m.scan(d, func(hit) { hits++ })
			}
		}
	})
}
