package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"adwatch/store"
)

// queryType is one kind of question analysts ask; make returns its i-th
// variant, so the runs do not all hit one cached plan and one set of pages.
type queryType struct {
	name string
	make func(i int, r *rand.Rand) store.SearchQuery
}

func queryTypes() []queryType {
	common := register[:60] // each in a large share of the documents
	var named []string      // in one to a few percent of them
	for _, c := range companies[:10] {
		named = append(named, c)
	}
	year := func(r *rand.Rand) (time.Time, time.Time) {
		from := time.Date(2015+r.IntN(10), time.Month(1+r.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
		return from, from.AddDate(1, 0, 0)
	}
	return []queryType{
		{"word (common)", func(i int, r *rand.Rand) store.SearchQuery {
			return store.SearchQuery{Q: common[r.IntN(len(common))]}
		}},
		{"word (company)", func(i int, r *rand.Rand) store.SearchQuery {
			return store.SearchQuery{Q: named[r.IntN(len(named))]}
		}},
		{"phrase", func(i int, r *rand.Rand) store.SearchQuery {
			return store.SearchQuery{Q: `"` + phrases[r.IntN(len(phrases))] + `"`}
		}},
		{"advertiser filter", func(i int, r *rand.Rand) store.SearchQuery {
			return store.SearchQuery{Advertiser: advertisers[r.IntN(len(advertisers))].ID}
		}},
		{"date filter", func(i int, r *rand.Rand) store.SearchQuery {
			from, to := year(r)
			return store.SearchQuery{From: from, To: to}
		}},
		{"word + date", func(i int, r *rand.Rand) store.SearchQuery {
			from, to := year(r)
			return store.SearchQuery{Q: named[r.IntN(len(named))], From: from, To: to}
		}},
		{"empty query", func(i int, r *rand.Rand) store.SearchQuery {
			return store.SearchQuery{}
		}},
		{"empty, page 2", func(i int, r *rand.Rand) store.SearchQuery {
			return store.SearchQuery{Cursor: "page2"}
		}},
	}
}

// rankWindow is the -rank-window flag.
var rankWindow int

func measure(ctx context.Context, db *store.DB, size, n int, verbose bool) error {
	r := rand.New(rand.NewPCG(uint64(size), 4))
	fmt.Printf("%-10s %-18s %9s %9s %9s %9s\n", "documents", "query", "p50_ms", "p95_ms", "max_ms", "hits_p50")
	for _, qt := range queryTypes() {
		var times []time.Duration
		var hits []int
		for i := range n + 3 {
			q := qt.make(i, r)
			if q.Cursor == "page2" {
				first, err := db.Search(ctx, store.SearchQuery{})
				if err != nil {
					return fmt.Errorf("%s: %w", qt.name, err)
				}
				q.Cursor = first.NextCursor
			}
			if q.Q != "" {
				q.RankWindow = rankWindow
			}
			start := time.Now()
			res, err := db.Search(ctx, q)
			took := time.Since(start)
			if err != nil {
				return fmt.Errorf("%s %+v: %w", qt.name, q, err)
			}
			if i < 3 {
				continue // warm-up: the first runs read from disk into the cache
			}
			times = append(times, took)
			total := 0
			for _, c := range res.Facets["kind"] {
				total += c
			}
			hits = append(hits, total)
			if verbose {
				fmt.Printf("# %d %s %s: %.1f ms, %d hits\n", size, qt.name, describe(q), ms(took), total)
			}
		}
		slices.Sort(times)
		slices.Sort(hits)
		fmt.Printf("%-10d %-18s %9.1f %9.1f %9.1f %9d\n", size, qt.name,
			ms(pct(times, 50)), ms(pct(times, 95)), ms(times[len(times)-1]), hits[len(hits)/2])
	}
	return nil
}

func pct(ts []time.Duration, p int) time.Duration {
	i := (len(ts)*p + 99) / 100
	return ts[max(0, min(len(ts)-1, i-1))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// describe is the part of a query that varies between runs.
func describe(q store.SearchQuery) string {
	var parts []string
	if q.Q != "" {
		parts = append(parts, "q="+q.Q)
	}
	if q.Advertiser != "" {
		parts = append(parts, "advertiser="+q.Advertiser)
	}
	if !q.From.IsZero() {
		parts = append(parts, "from="+q.From.Format("2006-01"))
	}
	if q.Cursor != "" {
		parts = append(parts, "page 2")
	}
	return strings.Join(parts, " ")
}
