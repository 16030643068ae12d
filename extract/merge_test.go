package extract

import (
	"reflect"
	"testing"

	"adwatch"
)

// A mention in the overlap of two chunks is seen by both but counted once,
// by the chunk that owns its start; offsets become global.
func TestMergerCountsOverlapOnce(t *testing.T) {
	t.Parallel()
	var m merger
	// Chunk 1 covers [0,100), owns [0,90); chunk 2 starts at 80, owns
	// [90,150); chunk 3 starts at 200 (offsets only matter here), owns the rest.
	m.add([]adwatch.Company{{Name: "Kaspersky Lab", Mentions: 2}},
		[]adwatch.Match{{AdvertiserID: "a1", Score: 0.6, Start: 10, End: 23, Mentions: 2}},
		[]adwatch.Span{{Start: 10, End: 23, Name: "Kaspersky Lab"}, {Start: 92, End: 99, Name: "Kaspersky Lab"}},
		0, 0, 90, true)
	m.add([]adwatch.Company{{Name: "Kaspersky Lab", Mentions: 2}, {Name: "ZTE Corporation", Mentions: 1}},
		[]adwatch.Match{{AdvertiserID: "a1", Score: 0.9, Start: 12, End: 19, Mentions: 1}, {AdvertiserID: "t", Start: -1, End: -1, Score: 0.5}},
		[]adwatch.Span{{Start: 12, End: 19, Name: "Kaspersky Lab"}, {Start: 40, End: 55, Name: "Kaspersky Lab"}, {Start: 60, End: 75, Name: "ZTE Corporation"}},
		80, 90, 150, true)
	// A third chunk spells the company in capitals: one entry.
	m.add([]adwatch.Company{{Name: "KASPERSKY LAB", Mentions: 1}}, nil,
		[]adwatch.Span{{Start: 5, End: 18, Name: "KASPERSKY LAB"}}, 200, 150, 1<<62, false)
	companies, matches, spans := m.result()
	wantCompanies := []adwatch.Company{{Name: "Kaspersky Lab", Mentions: 4}, {Name: "ZTE Corporation", Mentions: 1}}
	if !reflect.DeepEqual(companies, wantCompanies) {
		t.Errorf("companies: got %+v, want %+v", companies, wantCompanies)
	}
	wantSpans := []adwatch.Span{{Start: 10, End: 23, Name: "Kaspersky Lab"}, {Start: 92, End: 99, Name: "Kaspersky Lab"},
		{Start: 120, End: 135, Name: "Kaspersky Lab"}, {Start: 140, End: 155, Name: "ZTE Corporation"}}
	if !reflect.DeepEqual(spans, wantSpans) {
		t.Errorf("spans: got %+v, want %+v", spans, wantSpans)
	}
	if len(matches) != 2 {
		t.Fatalf("got %d matches, want 2", len(matches))
	}
	if got := matches[0]; got.Score != 0.9 || got.Start != 92 || got.Mentions != 3 {
		t.Errorf("merged match: got %+v, want the better one at global offset 92 with 3 mentions", got)
	}
	if got := matches[1]; got.Start != -1 {
		t.Errorf("title-only match: got Start %d, want -1", got.Start)
	}
}
