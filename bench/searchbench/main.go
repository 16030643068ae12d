// Command searchbench measures archive search at growing archive sizes. For
// each size it creates a scratch database, fills it with generated
// news-and-notices documents (2-5 KB of Zipf-distributed text, titles,
// twelve sources of both kinds, dates over eleven years, an older version
// for one URL in 25, company mentions, and an advertiser match and alert for
// one document in 40), then times typical queries through store.Search and
// prints p50/p95 per query type. The scratch database is dropped afterwards
// unless -keep is given; a kept database of the right size is reused.
//
//	go run ./bench/searchbench                          # 10k, 100k, 1M
//	go run ./bench/searchbench -sizes 10k -n 30 -keep
//
// It must not touch any database but the adwatch_searchbench_* ones it creates.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/lib/pq"

	"adwatch/migrations"
	"adwatch/store"
)

func main() {
	dsn := flag.String("db", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (any database on it); scratch databases are created beside it")
	sizes := flag.String("sizes", "10k,100k,1M", "archive sizes (latest documents), comma-separated, k and M suffixes")
	n := flag.Int("n", 40, "timed runs per query type")
	keep := flag.Bool("keep", false, "keep the scratch databases (and reuse them next time)")
	verbose := flag.Bool("v", false, "print every timed run (query, time, hits)")
	flag.IntVar(&rankWindow, "rank-window", 0, "SearchQuery.RankWindow of the queries with words (0: the store's default)")
	flag.Parse()
	ctx := context.Background()
	for _, s := range strings.Split(*sizes, ",") {
		size, err := parseSize(s)
		if err != nil {
			fail(err)
		}
		if err := run(ctx, *dsn, size, *n, *keep, *verbose); err != nil {
			fail(fmt.Errorf("%d documents: %w", size, err))
		}
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "searchbench:", err)
	os.Exit(1)
}

func run(ctx context.Context, base string, size, n int, keep, verbose bool) error {
	name := fmt.Sprintf("adwatch_searchbench_%d", size)
	dsn, err := withDatabase(base, name)
	if err != nil {
		return err
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	db, err := store.Open(ctx, dsn) // creates the database when missing
	if err != nil {
		return err
	}
	defer func() {
		db.Close()
		if !keep {
			if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
				fmt.Fprintln(os.Stderr, "searchbench: drop scratch database:", err)
			}
		}
	}()
	if err := migrations.Up(ctx, db.SQL()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	have, err := latestCount(ctx, db.SQL())
	if err != nil {
		return err
	}
	if have > 0 {
		// A kept archive a new migration just filled: autovacuum would
		// soon mark its pages all-visible (index-only scans need that)
		// and gather statistics; do it now rather than time its absence.
		if _, err := db.SQL().ExecContext(ctx, `VACUUM (ANALYZE) search_docs, advertiser_docs`); err != nil {
			return fmt.Errorf("vacuum: %w", err)
		}
	}
	switch have {
	case size:
		fmt.Printf("# %s: reusing %d documents\n", name, have)
	case 0:
		if err := load(ctx, db, size, func(s string) { fmt.Printf("# %s: %s\n", name, s) }); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%s holds %d documents, not %d: drop it first", name, have, size)
	}
	var bytes int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT pg_database_size(current_database())`).Scan(&bytes); err != nil {
		return err
	}
	fmt.Printf("# %s: database size %d MB\n", name, bytes>>20)
	return measure(ctx, db, size, n, verbose)
}

func withDatabase(dsn, name string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "", fmt.Errorf("-db must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func parseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mult, s = 1000000, strings.TrimSuffix(s, "M")
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return v * mult, nil
}
