package main

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lib/pq"

	"adwatch"
	"adwatch/store"
)

// benchSources: half government, half press, as the real source list is.
var benchSources = []adwatch.Source{
	{Name: "federal-register", Kind: adwatch.KindGovernment, Type: adwatch.SourceFederalRegister, URL: "https://www.federalregister.gov/api/v1/documents.json"},
	{Name: "fcc-news", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: "https://www.fcc.gov/news-events/rss.xml"},
	{Name: "bis-press", Kind: adwatch.KindGovernment, Type: adwatch.SourceHTML, URL: "https://www.bis.gov/press-releases"},
	{Name: "dhs-news", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: "https://www.dhs.gov/news/rss.xml"},
	{Name: "treasury-ofac", Kind: adwatch.KindGovernment, Type: adwatch.SourceHTML, URL: "https://ofac.treasury.gov/recent-actions"},
	{Name: "uk-gov", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: "https://www.gov.uk/search/news-and-communications.atom"},
	{Name: "wire-tech", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://wire.example/tech.rss"},
	{Name: "daily-policy", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://policy.example/feed"},
	{Name: "trade-journal", Kind: adwatch.KindPress, Type: adwatch.SourceHTML, URL: "https://trade.example/news"},
	{Name: "security-weekly", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://secweekly.example/rss"},
	{Name: "markets-desk", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://markets.example/rss"},
	{Name: "telecom-review", Kind: adwatch.KindPress, Type: adwatch.SourceHTML, URL: "https://telecom.example/news"},
}

// doc is one generated document: Zipf-drawn words with a full stop now and
// then, a title from the register and the tail, a publication date over
// eleven years (unknown for one in ten), and for one document in 40 a
// sentence naming an advertiser.
func doc(g int, vocab []string) (title, body string, day time.Time, published bool) {
	r := rand.New(rand.NewPCG(uint64(g), 1913))
	draw := func(lo, n int) string { // rank lo.. with weight ~1/rank over n ranks
		return vocab[lo+int(math.Exp(r.Float64()*math.Log(float64(n+1))))-1]
	}
	var t strings.Builder
	for i := range 5 + g%7 {
		if i > 0 {
			t.WriteByte(' ')
		}
		w := draw(70, 3000)
		t.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	var b strings.Builder
	b.Grow(5000)
	for i := range 300 + (g*7919)%450 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(draw(0, len(vocab)))
		if r.Float64() < 0.06 {
			b.WriteByte('.')
		}
	}
	if g%40 == 0 {
		alias := advertisers[(g/40)%len(advertisers)].Alias
		t.WriteString(": " + alias)
		b.WriteString(" Officials said " + alias + " products were covered by the order.")
	}
	day = time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(r.Int64N(int64(4000 * 24 * time.Hour))))
	return t.String(), b.String(), day, g%10 != 3
}

// derivedSQL adds what follows from the documents: an older version for one
// URL in 25 (version 2 rows), two company mentions each, and an advertiser
// match and alert for one document in 40 (ids are the generator's g).
var derivedSQL = []string{
	`SELECT setval(pg_get_serial_sequence('documents', 'id'), (SELECT max(id) FROM documents))`,
	`INSERT INTO documents (url, version, latest, title, source_id, kind, published_at, fetched_at,
		text, content_hash, status, content_type)
	SELECT url, 1, false, title, source_id, kind, published_at, fetched_at - interval '30 days',
		left(text, length(text) * 2 / 3), md5(left(text, length(text) * 2 / 3)), 200, content_type
	FROM documents WHERE version = 2`,
	`INSERT INTO document_companies (document_id, name, mentions)
	SELECT d.id, ($1::text[])[1 + (d.id * k) % cardinality($1::text[])], 1 + d.id % 3
	FROM documents d, (VALUES (1), (7)) AS m(k) WHERE d.latest
	ON CONFLICT DO NOTHING`,
	`INSERT INTO document_matches (document_id, advertiser_id, alias, score, reasons, snippet, mentions)
	SELECT d.id, a.id, ($1::text[])[1 + (d.id / 40) % cardinality($1::text[])], 0.9, '{"company suffix"}',
		'Officials said ' || ($1::text[])[1 + (d.id / 40) % cardinality($1::text[])] || ' products were covered by the order.', 1
	FROM documents d JOIN advertisers a ON a.ext_id = ($2::text[])[1 + (d.id / 40) % cardinality($2::text[])]
	WHERE d.latest AND d.id % 40 = 0`,
	`INSERT INTO alerts (advertiser_id, document_id, alias, score, reasons, snippet, status, created_at)
	SELECT m.advertiser_id, m.document_id, m.alias, m.score, m.reasons, m.snippet,
		(ARRAY['new', 'confirmed', 'dismissed'])[1 + m.document_id % 3], d.fetched_at
	FROM document_matches m JOIN documents d ON d.id = m.document_id`,
}

// load fills a fresh scratch database with n latest documents (plus older
// versions) streamed by COPY on two connections, then builds the full-text
// index once, which is much faster than keeping it up to date row by row.
// Most of the time goes to PostgreSQL computing each document's tsvector
// (once, into search_docs).
func load(ctx context.Context, db *store.DB, n int, progress func(string)) error {
	if err := db.SyncSources(ctx, benchSources); err != nil {
		return fmt.Errorf("sources: %w", err)
	}
	var ads []adwatch.Advertiser
	var aliases, adIDs []string
	for _, a := range advertisers {
		ads = append(ads, adwatch.Advertiser{ID: a.ID, Name: a.Name, Aliases: []string{a.Alias}, Active: true})
		aliases = append(aliases, a.Alias)
		adIDs = append(adIDs, a.ID)
	}
	if _, err := db.ImportAdvertisers(ctx, ads, false); err != nil {
		return fmt.Errorf("advertisers: %w", err)
	}
	srcIDs := make([]int64, len(benchSources))
	for i, s := range benchSources {
		if err := db.SQL().QueryRowContext(ctx, `SELECT id FROM sources WHERE name = $1`, s.Name).Scan(&srcIDs[i]); err != nil {
			return fmt.Errorf("source id: %w", err)
		}
	}
	// The search table is filled once after the COPY, in date order as the
	// migration fills it, rather than row by row by its trigger.
	for _, q := range []string{
		`ALTER TABLE documents DISABLE TRIGGER documents_search_docs_insert`,
		`DROP INDEX IF EXISTS search_docs_tsv`,
	} {
		if _, err := db.SQL().ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	vocab := vocabulary()
	const chunk = 20000
	start := time.Now()
	var done atomic.Int64
	next := make(chan int)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				if err := copyDocs(ctx, db.SQL(), vocab, srcIDs, lo, min(lo+chunk-1, n)); err != nil {
					errs <- err
					for range next { // let the feeder finish
					}
					return
				}
				if d := done.Add(int64(min(lo+chunk-1, n) - lo + 1)); d%100000 == 0 || int(d) == n {
					progress(fmt.Sprintf("%d documents in %s", d, time.Since(start).Round(time.Second)))
				}
			}
		}()
	}
	for lo := 1; lo <= n; lo += chunk {
		next <- lo
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	var companyNames []string
	for _, c := range companies {
		companyNames = append(companyNames, strings.ToUpper(c[:1])+c[1:])
	}
	args := [][]any{nil, nil, {pq.StringArray(companyNames)}, {pq.StringArray(aliases), pq.StringArray(adIDs)}, nil}
	for i, q := range derivedSQL {
		if _, err := db.SQL().ExecContext(ctx, q, args[i]...); err != nil {
			return fmt.Errorf("derive: %w", err)
		}
	}
	progress(fmt.Sprintf("documents in %s; building the full-text index", time.Since(start).Round(time.Second)))
	conn, err := db.SQL().Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, q := range []string{
		`SET maintenance_work_mem = '1GB'`,
		`ALTER TABLE documents ENABLE TRIGGER documents_search_docs_insert`,
		`INSERT INTO search_docs (id, t, source_id, kind, tsv, month)
		SELECT id, coalesce(published_at, fetched_at), source_id, kind, adwatch_document_tsv(title, text),
			adwatch_search_month(coalesce(published_at, fetched_at))
		FROM documents WHERE latest ORDER BY coalesce(published_at, fetched_at), id`,
		`CREATE INDEX search_docs_tsv ON search_docs USING gin (tsv, month)`,
		`VACUUM ANALYZE`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	progress(fmt.Sprintf("loaded in %s", time.Since(start).Round(time.Second)))
	return nil
}

func copyDocs(ctx context.Context, db *sql.DB, vocab []string, srcIDs []int64, lo, hi int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `COPY documents (id, url, version, latest, title, source_id, kind,
		published_at, fetched_at, text, content_hash, status, content_type, raw_size) FROM STDIN`)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	for g := lo; g <= hi; g++ {
		s := g % len(benchSources)
		title, body, day, published := doc(g, vocab)
		host := strings.SplitN(strings.TrimPrefix(benchSources[s].URL, "https://"), "/", 2)[0]
		version := 1
		if g%25 == 0 {
			version = 2
		}
		var pub any
		if published {
			pub = day
		}
		sum := md5.Sum([]byte(body))
		if _, err := stmt.ExecContext(ctx, g, "https://"+host+"/item/"+strconv.Itoa(g), version, true, title,
			srcIDs[s], string(benchSources[s].Kind), pub, day.Add(5*time.Hour), body, hex.EncodeToString(sum[:]),
			200, "text/html; charset=utf-8", len(body)*3); err != nil {
			return fmt.Errorf("copy document %d: %w", g, err)
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil {
		return fmt.Errorf("copy documents %d-%d: %w", lo, hi, err)
	}
	if err := stmt.Close(); err != nil {
		return err
	}
	return tx.Commit()
}

// latestCount tells whether a kept database already holds the archive: the
// full-text index (search_docs_tsv, dropped while loading) is built last, so
// without it the load did not finish.
func latestCount(ctx context.Context, db *sql.DB) (int, error) {
	var n int
	var indexed bool
	err := db.QueryRowContext(ctx, `SELECT count(*), EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'search_docs_tsv')
		FROM documents WHERE latest`).Scan(&n, &indexed)
	if err == nil && n > 0 && !indexed {
		return n, fmt.Errorf("the scratch database was not fully loaded: drop it first")
	}
	return n, err
}
