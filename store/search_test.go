package store_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"adwatch"
	"adwatch/store"
)

func urls(res store.SearchResult) []string {
	var out []string
	for _, h := range res.Results {
		out = append(out, h.URL)
	}
	return out
}

func TestSearchSyntax(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	for _, tc := range []struct {
		name, q string
		want    []string
	}{
		{"words match stems in any order", "removing products kaspersky", []string{bod1701.URL}},
		{"phrase must be exact", `"Kaspersky Lab"`, []string{ndaa1634.URL}},
		{"exclusion drops documents", "kaspersky -directive", []string{ndaa1634.URL}},
		{"or unites", "hikvision or entity", []string{coveredList.URL, entityList.URL}},
		{"title words count", "binding operational", []string{bod1701.URL}},
		{"nothing matches", "semiconductor", nil},
		{"stop words only match nothing", "the and of", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := db.Search(ctx, store.SearchQuery{Q: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			got := urls(res)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("Search(%q): got %v, want %v", tc.q, got, want)
			}
		})
	}
}

func TestSearchRanksTitleAboveBody(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	// "Entity List" is in the press title; the covered list text does not say it.
	// "Huawei" is in both bodies but only one title.
	res, err := db.Search(ctx, store.SearchQuery{Q: "huawei"})
	if err != nil {
		t.Fatal(err)
	}
	if got := urls(res); len(got) != 2 || got[0] != entityList.URL {
		t.Errorf("ranking for huawei: got %v, want the entity list article (title match) first", got)
	}
	if res.Results[0].Rank < res.Results[1].Rank {
		t.Errorf("ranks not descending: %v then %v", res.Results[0].Rank, res.Results[1].Rank)
	}
}

func TestSearchSnippetIsSafeHTML(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := bod1701
	d.URL = "https://www.dhs.example/xss"
	d.Text = `Kaspersky <script>alert(1)</script> & "friends" <b onclick=x>` + "\ue000stray\ue001\ue001 marker"
	d.ContentHash = hashOf(d.Text)
	if _, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, store.SearchQuery{Q: "kaspersky"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 1 {
		t.Fatalf("got %d results, want 1", len(res.Results))
	}
	s := res.Results[0].Snippet
	if bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s); strings.ContainsAny(bare, "<>\"") || !strings.Contains(s, "&amp;") {
		t.Errorf("snippet not escaped: %q", s)
	}
	if strings.Contains(s, "<mark>stray") {
		t.Errorf("markers in the text became marks: %q", s)
	}
	if !strings.Contains(s, "<mark>Kaspersky</mark>") {
		t.Errorf("snippet does not mark the match: %q", s)
	}
	if strings.Count(s, "<mark>") != strings.Count(s, "</mark>") {
		t.Errorf("unbalanced marks: %q", s)
	}
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	for _, tc := range []struct {
		name string
		q    store.SearchQuery
		want []string
	}{
		{"kind press", store.SearchQuery{Kind: adwatch.KindPress}, []string{entityList.URL}},
		{"source", store.SearchQuery{Source: "fcc-notices"}, []string{coveredList.URL}},
		{"advertiser by csv id", store.SearchQuery{Advertiser: "a-21"}, []string{coveredList.URL, entityList.URL}},
		{"advertiser by name, any case", store.SearchQuery{Advertiser: "zte corporation"}, []string{coveredList.URL}},
		{"inactive advertiser by its match", store.SearchQuery{Advertiser: "a-30"}, []string{coveredList.URL}},
		{"company misspelt", store.SearchQuery{Company: "Kasperski Lab"}, []string{bod1701.URL, ndaa1634.URL}},
		{"company by one word", store.SearchQuery{Company: "ZTE"}, []string{coveredList.URL}},
		{"published range", store.SearchQuery{From: *day("2017-12-01"), To: *day("2019-12-31")}, []string{ndaa1634.URL, entityList.URL}},
		{"words and filter", store.SearchQuery{Q: "kaspersky", Source: "dhs-notices", From: *day("2017-10-01")}, []string{ndaa1634.URL}},
		{"unknown source", store.SearchQuery{Source: "nowhere"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := db.Search(ctx, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			got := urls(res)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestSearchEmptyQueryNewestFirstWithAdvertisers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	res, err := db.Search(ctx, store.SearchQuery{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{coveredList.URL, entityList.URL, ndaa1634.URL, bod1701.URL}
	if got := urls(res); !slices.Equal(got, want) {
		t.Errorf("newest first: got %v, want %v", got, want)
	}
	if got := res.Results[0].Advertisers; !slices.Equal(got, []string{"Huawei Technologies Co., Ltd.", "ZTE Corporation"}) {
		t.Errorf("advertisers of the covered list: got %v", got)
	}
	if res.Results[0].Snippet == "" || res.NextCursor != "" {
		t.Errorf("got snippet %q and cursor %q, want a lead snippet and no next page", res.Results[0].Snippet, res.NextCursor)
	}
	if got := res.Facets["kind"]; got["government"] != 3 || got["press"] != 1 {
		t.Errorf("kind facets: got %v", got)
	}
	if got := res.Facets["advertiser"]; got["AO Kaspersky Lab"] != 2 || got["Huawei Technologies Co., Ltd."] != 2 {
		t.Errorf("advertiser facets: got %v", got)
	}
	if got := res.Facets["source"]; got["dhs-notices"] != 2 || got["fcc-notices"] != 1 || got["tech-press"] != 1 {
		t.Errorf("source facets: got %v", got)
	}
}

func TestSearchOnlyLatestVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	v2 := ndaa1634
	v2.Text = "Section 1634 was amended: the prohibition now also covers successor entities."
	v2.ContentHash = hashOf(v2.Text)
	if _, err := db.SaveDocuments(ctx, []adwatch.Document{ndaa1634, v2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]int{"kaspersky": 0, "successor": 1, "": 1} {
		res, err := db.Search(ctx, store.SearchQuery{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Results) != want {
			t.Errorf("Search(%q) over two versions: got %d hits, want %d", q, len(res.Results), want)
		}
	}
	// The page went back to its first content: that version is current again.
	if _, err := db.SaveDocuments(ctx, []adwatch.Document{ndaa1634}, nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, store.SearchQuery{Q: "kaspersky"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 1 {
		t.Errorf("after the page reverted: got %d hits for kaspersky, want 1", len(res.Results))
	}
}

func TestSearchPaging(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	var docs []adwatch.Document
	for i := range 23 {
		d := entityList
		d.URL = fmt.Sprintf("https://press.example/entity-list/%02d", i)
		// Equal ranks for some, different for others, and shared dates: the
		// keyset must still visit each document once.
		d.Text = strings.Repeat("Huawei entity list. ", 1+i%3) + fmt.Sprintf("item %d", i)
		d.ContentHash = hashOf(d.Text)
		d.PublishedAt = day(fmt.Sprintf("2019-05-%02d", 10+i%4))
		docs = append(docs, d)
	}
	if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"huawei", ""} {
		seen := map[int64]bool{}
		var pages int
		var prev store.SearchHit
		cursor := ""
		for {
			res, err := db.Search(ctx, store.SearchQuery{Q: q, Limit: 5, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			pages++
			for _, h := range res.Results {
				if seen[h.ID] {
					t.Errorf("q=%q: document %d on two pages", q, h.ID)
				}
				seen[h.ID] = true
				if prev.ID != 0 && q != "" && h.Rank > prev.Rank {
					t.Errorf("q=%q: rank rose from %v to %v across pages", q, prev.Rank, h.Rank)
				}
				if prev.ID != 0 && q == "" && h.PublishedAt.After(*prev.PublishedAt) {
					t.Errorf("q=%q: date rose from %v to %v", q, prev.PublishedAt, h.PublishedAt)
				}
				prev = h
			}
			if res.NextCursor == "" {
				break
			}
			cursor = res.NextCursor
		}
		if len(seen) != 23 || pages != 5 {
			t.Errorf("q=%q: got %d documents in %d pages, want 23 in 5", q, len(seen), pages)
		}
	}
}

func TestSearchLimits(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	res, err := db.Search(ctx, store.SearchQuery{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 4 {
		t.Errorf("limit above the maximum: got %d results, want all 4", len(res.Results))
	}
	res, err = db.Search(ctx, store.SearchQuery{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 1 || res.NextCursor == "" {
		t.Errorf("limit 1: got %d results and cursor %q", len(res.Results), res.NextCursor)
	}
	// A cursor from the newest-first listing does not fit a ranked query.
	if _, err := db.Search(ctx, store.SearchQuery{Q: "kaspersky", Cursor: res.NextCursor}); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("cursor of another query: got %v, want ErrInvalid", err)
	}
}

func TestSearchHostileInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	queries := []store.SearchQuery{
		{Q: "'; drop table documents; --"},
		{Q: `kaspersky" OR 1=1 --`},
		{Q: `"unbalanced quote`},
		{Q: `'''"""((()))&&&|||!!!:*:*<->`},
		{Q: "- - or or -"},
		{Q: "kaspersky\x00lab"},
		{Q: strings.Repeat("kaspersky ", 400)},
		{Q: strings.Repeat("x", 10000)},
		{Q: "bad \xff\xfe utf-8"},
		{Q: "kaspersky", Source: "'; drop table sources; --\x00\xff"},
		{Q: "kaspersky", Advertiser: "a-17' OR '1'='1"},
		{Q: "kaspersky", Company: "%_\\\x00\xff"},
		{Q: "kaspersky", Kind: "gov'ernment"},
		{Cursor: "not base64 !!!"},
		{Cursor: "eyJpIjotMX0"},                                         // {"i":-1}
		{Q: "kaspersky", Cursor: "eyJyIjp0cnVlLCJrIjoiTmFOIiwiaSI6MX0"}, // rank "NaN" as a string
		{Q: strings.Repeat("\"a\" -b or ", 300)},
		{Q: strings.Repeat("kaspersky-lab.", 60)},
		{Q: strings.Repeat("kaspersky ", 60)},
	}
	for _, q := range queries {
		_, err := db.Search(ctx, q)
		if err != nil && !errors.Is(err, adwatch.ErrInvalid) {
			t.Errorf("Search(%.60q …): got %v, want results or ErrInvalid", fmt.Sprintf("%+v", q), err)
		}
	}
	if _, err := db.Search(ctx, store.SearchQuery{Q: strings.Repeat("kaspersky ", 100)}); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("100-word query: got %v, want ErrInvalid", err)
	}
	// The tables are all still there.
	if n, err := db.DocumentCount(ctx); err != nil || n != 4 {
		t.Errorf("after hostile queries: got %d documents, %v", n, err)
	}
	if _, err := db.Search(ctx, store.SearchQuery{Q: "x", From: time.Now(), To: time.Now().Add(-time.Hour)}); err != nil {
		t.Errorf("empty date range: %v", err)
	}
}

func TestSearchPagingBeyondTheRankWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	var docs []adwatch.Document
	for i := range 23 {
		d := entityList
		d.URL = fmt.Sprintf("https://press.example/entity-list/window/%02d", i)
		d.Text = strings.Repeat("Huawei entity list. ", 1+i%4) + fmt.Sprintf("item %d", i)
		d.ContentHash = hashOf(d.Text)
		d.PublishedAt = day(fmt.Sprintf("2019-05-%02d", 1+i))
		docs = append(docs, d)
	}
	if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
		t.Fatal(err)
	}
	// A window of 7: the 7 newest matches (published May 17-23) come first,
	// by rank; then the other 16, newest first, each exactly once.
	var got []store.SearchHit
	var cursors []string
	cursor := ""
	for range 10 {
		res, err := db.Search(ctx, store.SearchQuery{Q: "huawei", Limit: 5, Cursor: cursor, RankWindow: 7})
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Results...)
		if cursor = res.NextCursor; cursor == "" {
			break
		}
		cursors = append(cursors, cursor)
	}
	seen := map[int64]bool{}
	for _, h := range got {
		if seen[h.ID] {
			t.Errorf("document %d listed twice", h.ID)
		}
		seen[h.ID] = true
	}
	if len(got) != 23 {
		t.Fatalf("got %d hits over all pages, want 23", len(got))
	}
	for i, h := range got {
		inWindow := h.PublishedAt.Day() >= 17
		if inWindow != (i < 7) {
			t.Errorf("hit %d published %s: in the window = %v, want %v", i, h.PublishedAt.Format("2006-01-02"), inWindow, i < 7)
		}
		if i > 0 && i < 7 && h.Rank > got[i-1].Rank {
			t.Errorf("hit %d: rank rose from %v to %v inside the window", i, got[i-1].Rank, h.Rank)
		}
		if i > 7 && h.PublishedAt.After(*got[i-1].PublishedAt) {
			t.Errorf("hit %d: date rose from %s to %s below the window", i, got[i-1].PublishedAt, h.PublishedAt)
		}
	}
	// The cursor leaving the window (after page 2) belongs to ranked
	// queries only.
	if len(cursors) < 2 {
		t.Fatalf("got %d cursors, want at least 2", len(cursors))
	}
	if _, err := db.Search(ctx, store.SearchQuery{Cursor: cursors[1]}); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("window-leaving cursor on an empty query: err = %v, want ErrInvalid", err)
	}
}

// TestSearchDateBoundedWindow covers the bound a common word's window gets
// from the planner's estimate (search only fetches matches newer than the
// date of the k-th newest document): where the matches are spread evenly
// the bound holds the window, where they are all old it comes up short and
// the unbounded query must answer. Both must give the window an unbounded
// search gives: the newest matches, by rank, then the rest newest first.
func TestSearchDateBoundedWindow(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		matches func(i int) bool
	}{
		{"spread evenly", func(i int) bool { return i%2 == 0 }},
		{"all old", func(i int) bool { return i < 50 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := newStore(t)
			var docs []adwatch.Document
			var want []string // matches, newest first
			for i := range 100 {
				d := entityList
				d.URL = fmt.Sprintf("https://press.example/bounded/%03d", i)
				d.Title = fmt.Sprintf("Export controls notice %d", i)
				d.Text = fmt.Sprintf("Commerce published notice %d on export controls.", i)
				if tc.matches(i) {
					d.Text += strings.Repeat(" Huawei Technologies was added to the Entity List.", 1+i%3)
					want = append([]string{d.URL}, want...)
				}
				d.ContentHash = hashOf(d.Text)
				d.PublishedAt = day(time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i).Format("2006-01-02"))
				docs = append(docs, d)
			}
			if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
				t.Fatal(err)
			}
			// Statistics make the planner's estimate (50 matches in 100)
			// available, as in a real archive.
			if _, err := db.SQL().ExecContext(ctx, "ANALYZE search_docs"); err != nil {
				t.Fatal(err)
			}
			const window = 3
			// Two words that always go together are estimated by the
			// rarer one, not by the product of their frequencies: the
			// same documents either way.
			for _, q := range []string{"huawei", "huawei technologies"} {
				var got []string
				cursor := ""
				for range 30 {
					res, err := db.Search(ctx, store.SearchQuery{Q: q, Limit: 4, Cursor: cursor, RankWindow: window})
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, urls(res)...)
					if cursor = res.NextCursor; cursor == "" {
						break
					}
				}
				if len(got) != len(want) {
					t.Fatalf("%q: got %d hits over all pages, want %d", q, len(got), len(want))
				}
				inWindow := slices.Clone(got[:window])
				slices.Sort(inWindow)
				wantWindow := slices.Clone(want[:window])
				slices.Sort(wantWindow)
				if !slices.Equal(inWindow, wantWindow) {
					t.Errorf("%q window: got %v, want the newest matches %v", q, inWindow, wantWindow)
				}
				if !slices.Equal(got[window:], want[window:]) {
					t.Errorf("%q below the window: got %v, want %v", q, got[window:], want[window:])
				}
			}
			// A date range becomes months inside the full-text index, with
			// the exact bounds checked on the rows: ranges cutting months,
			// open at either end.
			for _, r := range []struct{ from, to time.Time }{
				{time.Date(2019, 2, 10, 12, 0, 0, 0, time.UTC), time.Date(2019, 3, 20, 0, 0, 0, 0, time.UTC)},
				{time.Date(2019, 3, 31, 0, 0, 0, 0, time.UTC), time.Time{}},
				{time.Time{}, time.Date(2019, 1, 15, 0, 0, 0, 0, time.UTC)},
			} {
				res, err := db.Search(ctx, store.SearchQuery{Q: "huawei", From: r.from, To: r.to, Limit: 100})
				if err != nil {
					t.Fatal(err)
				}
				var wantIn []string
				for i, d := range docs {
					p := *d.PublishedAt
					if tc.matches(i) && (r.from.IsZero() || !p.Before(r.from)) && (r.to.IsZero() || !p.After(r.to)) {
						wantIn = append(wantIn, d.URL)
					}
				}
				gotIn := urls(res)
				slices.Sort(gotIn)
				if !slices.Equal(gotIn, wantIn) {
					t.Errorf("huawei from %v to %v: got %v, want %v", r.from, r.to, gotIn, wantIn)
				}
			}
		})
	}
}

// TestSearchFollowsDocumentChanges checks that search sees a document's
// row as it is now, whatever wrote it: a corrected publication date moves
// it in date filters and in the month a common word's window is bounded
// by, and a deleted document is gone from search.
func TestSearchFollowsDocumentChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	in2017 := store.SearchQuery{From: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2017, 12, 31, 0, 0, 0, 0, time.UTC)}
	before, err := db.Search(ctx, in2017)
	if err != nil {
		t.Fatal(err)
	}
	// BIS published the Huawei Entity List rule in May 2019; suppose the
	// page's date was first read wrong as 2017.
	if _, err := db.SQL().ExecContext(ctx, `UPDATE documents SET published_at = '2017-05-16' WHERE url = $1`, entityList.URL); err != nil {
		t.Fatal(err)
	}
	after, err := db.Search(ctx, in2017)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(after.Results), len(before.Results)+1; got != want {
		t.Errorf("2017 after the date moved there: got %d hits %v, want %d", got, urls(after), want)
	}
	var month string
	if err := db.SQL().QueryRowContext(ctx, `SELECT s.month::text FROM search_docs s JOIN documents d ON d.id = s.id WHERE d.url = $1`,
		entityList.URL).Scan(&month); err != nil {
		t.Fatal(err)
	}
	if month != "'m201705'" {
		t.Errorf("month lexeme: got %s, want 'm201705'", month)
	}
	// Its matches, alerts and mentions go with it (ON DELETE CASCADE).
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM documents WHERE url = $1`, bod1701.URL); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, store.SearchQuery{Q: "binding operational"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 0 {
		t.Errorf("after the delete: got %v, want no hits", urls(res))
	}
}

// TestSearchAdvertiserListingFollowsChanges checks the advertiser filter
// without words (listed from advertiser_docs) against what the archive
// holds after each kind of change: a new version of a page, a corrected
// date, a new alert, a deleted document, and paging newest first.
func TestSearchAdvertiserListingFollowsChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	seed(t, db)
	list := func(q store.SearchQuery) []string {
		t.Helper()
		var got []string
		for range 10 {
			res, err := db.Search(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, urls(res)...)
			if q.Cursor = res.NextCursor; q.Cursor == "" {
				return got
			}
		}
		t.Fatalf("more than 10 pages for %+v", q)
		return nil
	}
	huawei := store.SearchQuery{Advertiser: "a-21", Limit: 1}
	if got, want := list(huawei), []string{coveredList.URL, entityList.URL}; !slices.Equal(got, want) {
		t.Errorf("huawei, one a page: got %v, want %v", got, want)
	}
	// The entity list page changes: its new version is listed, once.
	v2 := entityList
	v2.Text += " The rule took effect on publication."
	v2.ContentHash = hashOf(v2.Text)
	if _, err := db.SaveDocuments(ctx, []adwatch.Document{v2}, nil, nil); err != nil {
		t.Fatal(err)
	}
	res, err := db.Search(ctx, store.SearchQuery{Advertiser: "a-21"})
	if err != nil {
		t.Fatal(err)
	}
	if got := urls(res); !slices.Equal(got, []string{coveredList.URL, entityList.URL}) || res.Results[1].Snippet == "" ||
		!strings.Contains(res.Results[1].Snippet, "took effect") {
		t.Errorf("after a new version: got %v (snippet %q), want the covered list and the new entity list", got, res.Results[1].Snippet)
	}
	if got := res.Facets["kind"]; got["government"] != 1 || got["press"] != 1 {
		t.Errorf("kind facets: got %v", got)
	}
	// A corrected date moves it before the covered list (2021).
	if _, err := db.SQL().ExecContext(ctx, `UPDATE documents SET published_at = '2022-01-10' WHERE url = $1 AND latest`, entityList.URL); err != nil {
		t.Fatal(err)
	}
	if got, want := list(huawei), []string{entityList.URL, coveredList.URL}; !slices.Equal(got, want) {
		t.Errorf("after the date moved: got %v, want %v", got, want)
	}
	if got, want := list(store.SearchQuery{Advertiser: "a-21", From: *day("2021-06-01")}), []string{entityList.URL}; !slices.Equal(got, want) {
		t.Errorf("from June 2021: got %v, want %v", got, want)
	}
	// A new alert lists the document under its advertiser.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO alerts (advertiser_id, document_id, alias)
		SELECT a.id, d.id, 'Huawei' FROM advertisers a, documents d WHERE a.ext_id = 'a-21' AND d.url = $1`, bod1701.URL); err != nil {
		t.Fatal(err)
	}
	if got, want := list(huawei), []string{entityList.URL, coveredList.URL, bod1701.URL}; !slices.Equal(got, want) {
		t.Errorf("after a new alert: got %v, want %v", got, want)
	}
	// Its facets count every advertiser the listed documents alerted.
	res, err = db.Search(ctx, store.SearchQuery{Advertiser: "Huawei Technologies Co., Ltd."})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res.Facets["advertiser"], map[string]int{"Huawei Technologies Co., Ltd.": 3, "ZTE Corporation": 1, "AO Kaspersky Lab": 1}; !maps.Equal(got, want) {
		t.Errorf("advertiser facets: got %v, want %v", got, want)
	}
	// A deleted document goes, with its alerts and matches.
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM documents WHERE url = $1`, coveredList.URL); err != nil {
		t.Fatal(err)
	}
	if got, want := list(huawei), []string{entityList.URL, bod1701.URL}; !slices.Equal(got, want) {
		t.Errorf("after the delete: got %v, want %v", got, want)
	}
	if got := list(store.SearchQuery{Advertiser: "a-30"}); len(got) != 0 {
		t.Errorf("hikvision (matched only in the deleted document): got %v, want nothing", got)
	}
	// A page past the end (its documents went after the cursor was made)
	// still carries the query's facets.
	first, err := db.Search(ctx, huawei)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM documents WHERE url = $1`, bod1701.URL); err != nil {
		t.Fatal(err)
	}
	res, err = db.Search(ctx, store.SearchQuery{Advertiser: "a-21", Limit: 1, Cursor: first.NextCursor})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 0 || res.Facets["kind"]["press"] != 1 || res.Facets["advertiser"]["Huawei Technologies Co., Ltd."] != 1 {
		t.Errorf("past the end: got %v with facets %v, want no hits and the entity list's facets", urls(res), res.Facets)
	}
	// The table holds exactly what alerts and matches name.
	var stray int
	if err := db.SQL().QueryRowContext(ctx, `WITH want AS (
			SELECT x.advertiser_id, s.id, s.t, s.source_id, s.kind,
				ARRAY(SELECT al.advertiser_id FROM alerts al WHERE al.document_id = s.id ORDER BY 1) AS alerted
			FROM (SELECT advertiser_id, document_id FROM alerts UNION SELECT advertiser_id, document_id FROM document_matches) x
			JOIN search_docs s ON s.id = x.document_id),
		have AS (SELECT advertiser_id, id, t, source_id, kind, alerted FROM advertiser_docs)
		SELECT count(*) FROM ((TABLE have EXCEPT TABLE want) UNION ALL (TABLE want EXCEPT TABLE have)) d`).Scan(&stray); err != nil {
		t.Fatal(err)
	}
	if stray != 0 {
		t.Errorf("advertiser_docs differs from alerts and matches in %d rows", stray)
	}
}
