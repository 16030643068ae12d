package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"adwatch"
	"adwatch/bench/matchbench/synth"
	"adwatch/internal/testdb"
)

// vectorPair is a title and body to vectorise both ways.
type vectorPair struct{ title, body string }

// compareVectors vectorises every pair in Go and, where Go accepts it, in
// the database, and fails on each difference. It returns how many pairs Go
// accepted.
func compareVectors(t *testing.T, db *sql.DB, pairs []vectorPair) int {
	t.Helper()
	var titles, bodies, vecs []string
	for _, p := range pairs {
		v, ok := searchVector(p.title, p.body)
		if !ok {
			continue
		}
		titles, bodies, vecs = append(titles, p.title), append(bodies, p.body), append(vecs, v)
	}
	rows, err := db.QueryContext(context.Background(), `
		SELECT t.title, t.body, t.vec, adwatch_document_tsv(t.title, t.body)::text
		FROM unnest($1::text[], $2::text[], $3::text[]) AS t(title, body, vec)
		WHERE adwatch_document_tsv(t.title, t.body) IS DISTINCT FROM t.vec::tsvector`,
		pq.Array(titles), pq.Array(bodies), pq.Array(vecs))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	bad := 0
	for rows.Next() {
		var title, body, goVec, pgVec string
		if err := rows.Scan(&title, &body, &goVec, &pgVec); err != nil {
			t.Fatal(err)
		}
		if bad++; bad <= 20 {
			t.Errorf("title %q body %q:\n go %s\n pg %s", title, body, goVec, pgVec)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if bad > 20 {
		t.Errorf("... %d differences in all", bad)
	}
	return len(vecs)
}

// vectorFragments are the pieces random texts are made of: every construct
// searchVector accepts or refuses, next to each other in every order.
var vectorFragments = []string{
	"a", "I", "the", "The", "THE", "kaspersky", "Kaspersky", "banned", "running", "ponies",
	"agencies", "x", "ray", "co", "founder", "U", "S", "St", "Louis", "e", "g", "s", "t", "n",
	"don", "1", "19", "2024", "06", "000", "3", "5", "35", "1e5", "2nd", "abc123", "A1", "v1",
	" ", " ", " ", "  ", "\n", "\t", "\r", "\v", "\f", ".", ".", "-", "-", "+", "'", "'", ",", ";", ":", "!", "?",
	"(", ")", "[", "]", "\"", "%", "$", "=", "*", "#", "|", "^", "`", "{", "}",
	"’", "‘", "“", "”", "—", "–", "…", "•", "·", "\u00a0", "©", "®", "™",
	"é", "café", "_", "@", "/", "<", ">", "&", "\\", "~", "\x01",
	"www", "com", "example", "0", "9", "e5", "E", "x1", "http", "..", "...", "--", "'s", "n't",
	"Inc", "Ltd", "Co", "AG", "e-mail", "mid", "year", "old", "related", "organizations", "generously",
}

// numbers is n distinct tokens.
func numbers(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "%d ", i)
	}
	return b.String()
}

func randomText(r *rand.Rand, maxParts int) string {
	var b strings.Builder
	for range r.IntN(maxParts) + 1 {
		b.WriteString(vectorFragments[r.IntN(len(vectorFragments))])
	}
	return b.String()
}

func TestSearchVectorMatchesDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)

	t.Run("random", func(t *testing.T) {
		// Seeds are fixed so that a failure repeats; 2,000,000 pairs of
		// other seeds, bodies up to 60 fragments, passed when this was
		// written.
		r := rand.New(rand.NewPCG(1, 2))
		pairs := make([]vectorPair, 100000)
		for i := range pairs {
			pairs[i] = vectorPair{randomText(r, 6), randomText(r, 20)}
		}
		accepted := compareVectors(t, db, pairs)
		// Most random texts hold something refused; enough must be
		// accepted for the comparison to mean anything.
		if accepted < len(pairs)/10 {
			t.Errorf("Go vectorised %d of %d random texts, want at least a tenth", accepted, len(pairs))
		}
		t.Logf("Go vectorised %d of %d random texts", accepted, len(pairs))
	})

	t.Run("limits", func(t *testing.T) {
		// At the limits Go vectorises and agrees; past them it refuses
		// (PostgreSQL keeps 256 positions of a lexeme and caps positions
		// at 16383, which Go does not reproduce).
		at := []vectorPair{
			{"Kaspersky", strings.Repeat("kaspersky ", maxLexemePositions-1)},
			{"", strings.Repeat("word", maxVectorWord/4)},
			{"", numbers(maxVectorTokens - 1)},
		}
		if n := compareVectors(t, db, at); n != len(at) {
			t.Errorf("Go vectorised %d of the %d texts at its limits", n, len(at))
		}
		for _, p := range []vectorPair{
			{"Kaspersky", strings.Repeat("kaspersky ", maxLexemePositions)},
			{"", strings.Repeat("word", maxVectorWord/4+1)},
			{"", numbers(maxVectorTokens + 1)},
			{strings.Repeat("t ", 5001), "body"},
			{"", strings.Repeat("b ", maxVectorBody/2+1)},
		} {
			if _, ok := searchVector(p.title, p.body); ok {
				t.Errorf("vectorised past its limits: title %.20q (%d bytes), body %.20q (%d bytes)", p.title, len(p.title), p.body, len(p.body))
			}
		}
	})

	t.Run("press", func(t *testing.T) {
		var pairs []vectorPair
		ads := synth.Advertisers(200)
		for i := range 300 {
			pairs = append(pairs, vectorPair{synth.Name(i) + " named in notice", synth.Article(2000+i*10, ads, uint64(i))})
		}
		pairs = append(pairs, pressSamples...)
		accepted := compareVectors(t, db, pairs)
		if accepted < len(pairs)*9/10 {
			t.Errorf("Go vectorised %d of %d press texts, want nine in ten", accepted, len(pairs))
		}
	})
}

// pressSamples are the constructs of English news copy, written for this
// test.
var pressSamples = []vectorPair{
	{"DHS orders Kaspersky products off federal networks",
		"WASHINGTON — The U.S. Department of Homeland Security on Sept. 13, 2017, ordered federal agencies to " +
			"remove Kaspersky-branded products within 90 days. Binding Operational Directive 17-01 said the " +
			"company’s ties to Russian intelligence were a risk. AO Kaspersky Lab said it “has never helped” any " +
			"government; its co-founder called the move \"unfounded.\" Agencies had 30 days to identify the " +
			"software, 60 days to plan and 90 to act (about 3.5 months in all)."},
	{"NDAA bans Kaspersky software government-wide",
		"The National Defense Authorization Act for Fiscal Year 2018, signed Dec. 12, 2017, bars any federal " +
			"department from using hardware, software or services developed by Kaspersky Lab — a 19-year-old " +
			"ban's successor. Section 1634 takes effect Oct. 1, 2018; the vote was 89-8. Shares of rivals rose " +
			"1.5% to $42.10. Covid-19-era budgets, mid-2024 plans and the 2024-06-20 rule aren't related."},
	{"Commerce adds Huawei to the Entity List",
		"On May 15, 2019, the Bureau of Industry and Security (BIS) added Huawei Technologies Co., Ltd. and 68 " +
			"non-U.S. affiliates to its Entity List, effective May 16. Exports of U.S.-origin items now need a " +
			"license; a 90-day temporary general license followed. Huawei's founder said the firm would be " +
			"\"fine\". The F.C.C. later named it in its covered list, v1.2 of which runs 12 pages."},
	{"", "Only a body: e.g. Inc., Ltd., N.Y., 10:30 a.m., 1,000 jobs, 2nd quarter, x-ray, C++ and \"quotes\"."},
	{"The", "the the the"},
}

func TestStopWordsMatchDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	words := make([]string, 0, len(stopWords))
	for w := range stopWords {
		words = append(words, w)
	}
	// Candidates besides the list: the commonest words of English prose,
	// none of which may be a stop word the list lacks.
	candidates := append(words, strings.Fields(`also been being could would should might must shall
		may me mine yes not nor nothing every other another however therefore said says year years
		one two three new will can just don doesn didn isn aren wasn weren hasn haven hadn won wouldn
		shan shouldn mightn mustn needn couldn ain ll ve re d m o y ma`)...)
	var stops []string
	err := db.QueryRowContext(context.Background(), `
		SELECT coalesce(array_agg(w), '{}') FROM unnest($1::text[]) AS w
		WHERE ts_lexize('english_stem', w) = '{}'`, pq.Array(candidates)).Scan(pq.Array(&stops))
	if err != nil {
		t.Fatal(err)
	}
	isStop := map[string]bool{}
	for _, w := range stops {
		isStop[w] = true
	}
	for _, w := range candidates {
		if isStop[w] != stopWords[w] {
			t.Errorf("%q: stop word in the database %v, in Go %v", w, isStop[w], stopWords[w])
		}
	}
	// On a machine with PostgreSQL installed beside the tests, the list
	// is also the server's own file.
	files, _ := filepath.Glob("/usr/share/postgresql/*/tsearch_data/english.stop")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fileWords := strings.Fields(string(b))
		if len(fileWords) != len(stopWords) {
			t.Errorf("%s has %d words, the list %d", f, len(fileWords), len(stopWords))
		}
		for _, w := range fileWords {
			if !stopWords[w] {
				t.Errorf("%s: %q missing from the list", f, w)
			}
		}
	}
}

// TestVectorCheck: the store uses Go's vectors only on a database that
// computes the same, and documents saved either way are found by the
// database's own vectors.
func TestVectorCheck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, changed := range []bool{false, true} {
		sqlDB := testdb.New(t)
		if changed {
			// A server whose configuration indexes differently.
			_, err := sqlDB.ExecContext(ctx, `CREATE OR REPLACE FUNCTION adwatch_document_tsv(title text, body text)
				RETURNS tsvector LANGUAGE sql IMMUTABLE
				RETURN to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(body, ''))`)
			if err != nil {
				t.Fatal(err)
			}
		}
		db := FromSQL(sqlDB)
		if err := vectorsAgree(ctx, db.db); (err == nil) == changed {
			t.Fatalf("changed configuration %v: vectorsAgree = %v", changed, err)
		}
		err := db.SyncSources(ctx, []adwatch.Source{{Name: "press", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://press.example/feed"}})
		if err != nil {
			t.Fatal(err)
		}
		var docs []adwatch.Document
		for i, p := range append(pressSamples, vectorPair{"Café owner", "Nestlé and Müller, naïve résumés"}) {
			docs = append(docs, adwatch.Document{
				URL: fmt.Sprintf("https://press.example/a/%d", i), Title: p.title, Text: p.body, Source: "press",
				Kind: adwatch.KindPress, FetchedAt: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Status: 200,
			})
		}
		if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
			t.Fatal(err)
		}
		if db.vectors.same == changed {
			t.Errorf("changed configuration %v: Go vectors used %v", changed, db.vectors.same)
		}
		var wrong, rows int
		err = sqlDB.QueryRowContext(ctx, `
			SELECT count(*) FILTER (WHERE s.tsv IS DISTINCT FROM adwatch_document_tsv(d.title, d.text)), count(s.id)
			FROM documents d LEFT JOIN search_docs s ON s.id = d.id`).Scan(&wrong, &rows)
		if err != nil {
			t.Fatal(err)
		}
		if wrong != 0 || rows != len(docs) {
			t.Errorf("changed configuration %v: %d of %d search vectors differ from the database's, want 0 of %d", changed, wrong, rows, len(docs))
		}
	}
}

// BenchmarkSearchVector: Go's search vector of 4 KB articles, 1,000
// different ones (PostgreSQL's adwatch_document_tsv takes about 0.9 ms for
// one on this machine kind).
func BenchmarkSearchVector(b *testing.B) {
	ads := synth.Advertisers(200)
	var bodies []string
	size := 0
	for i := range 1000 {
		body := synth.Article(4000, ads, uint64(i))
		if _, ok := searchVector("", body); ok {
			bodies = append(bodies, body)
			size += len(body)
		}
	}
	b.SetBytes(int64(size / len(bodies)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, ok := searchVector("Kaspersky named in notice", bodies[i%len(bodies)]); !ok {
			b.Fatal("refused")
		}
		i++
	}
}

// TestStemsMatchDatabase compares the stemmer with the database's
// english_stem dictionary on every word of the calibration and press texts
// and of 300 synthetic articles (whose invented words exercise every
// suffix rule).
func TestStemsMatchDatabase(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	seen := map[string]bool{}
	var words []string
	addWords := func(s string) {
		ws, ok := vecWords(s, nil)
		if !ok {
			return
		}
		for _, w := range ws {
			l := string(appendLowerASCII(nil, w.text))
			if w.stem && !stopWords[l] && !seen[l] {
				seen[l] = true
				words = append(words, l)
			}
		}
	}
	for _, c := range vectorCalibration {
		addWords(c[0] + " " + c[1])
	}
	for _, p := range pressSamples {
		addWords(p.title + " " + p.body)
	}
	ads := synth.Advertisers(200)
	for i := range 300 {
		addWords(synth.Article(3000, ads, uint64(i)))
	}
	if len(words) < 5000 {
		t.Fatalf("only %d distinct words to compare", len(words))
	}
	var pg []sql.NullString
	err := db.QueryRowContext(context.Background(), `
		SELECT array_agg((ts_lexize('english_stem', w))[1] ORDER BY n)
		FROM unnest($1::text[]) WITH ORDINALITY AS t(w, n)`, pq.Array(words)).Scan(pq.Array(&pg))
	if err != nil {
		t.Fatal(err)
	}
	bad := 0
	for i, w := range words {
		if got := stem([]byte(w)); got != pg[i].String {
			if bad++; bad <= 20 {
				t.Errorf("%q: Go %q, database %q", w, got, pg[i].String)
			}
		}
	}
	t.Logf("%d words compared", len(words))
}
