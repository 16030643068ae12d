package store_test

import (
	"context"
	"fmt"
	"testing"

	"adwatch"
	"adwatch/internal/testdb"
	"adwatch/store"
)

// TestSavingReadsByIndex saves a night's worth of batches through one
// long-lived connection, the way a run's savers do, and checks that the
// triggers keeping search_docs and advertiser_docs in step never scanned
// those tables whole. Their lookups are planned once per connection, when
// the tables are empty; a plan that scans them then reads the whole table
// for every document stored later (migration 00050).
func TestSavingReadsByIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sqlDB := testdb.New(t)
	sqlDB.SetMaxOpenConns(1)
	db := store.FromSQL(sqlDB)
	if err := db.SyncSources(ctx, []adwatch.Source{{Name: "press", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://press.example/feed"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportAdvertisers(ctx, []adwatch.Advertiser{{ID: "a-17", Name: "AO Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true}}, false); err != nil {
		t.Fatal(err)
	}
	for b := range 30 {
		var docs []adwatch.Document
		for i := range 20 {
			n := b*20 + i
			text := fmt.Sprintf("Report %d on federal procurement rules and agency network security.", n)
			var matches []adwatch.Match
			if n%4 == 0 {
				text += " Kaspersky products were named."
				matches = append(matches, match("a-17", "AO Kaspersky Lab", "Kaspersky", 0.9))
			}
			docs = append(docs, doc("press", adwatch.KindPress, fmt.Sprintf("https://press.example/a/%d", n),
				fmt.Sprintf("Story %d", n), "2024-03-01", text, matches...))
		}
		if _, err := db.SaveDocuments(ctx, docs, []string{"slack"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	// Statistics reach pg_stat_user_tables when the backend flushes them.
	if _, err := sqlDB.ExecContext(ctx, "SELECT pg_stat_force_next_flush()"); err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.QueryContext(ctx, `
		SELECT relname, coalesce(seq_tup_read, 0), coalesce(idx_scan, 0) FROM pg_stat_user_tables
		WHERE relname IN ('search_docs', 'advertiser_docs')`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var name string
		var scanned, probes int64
		if err := rows.Scan(&name, &scanned, &probes); err != nil {
			t.Fatal(err)
		}
		seen++
		if scanned > 0 {
			t.Errorf("%s: %d rows read by sequential scans while saving 600 documents, want none", name, scanned)
		}
		if probes == 0 {
			t.Errorf("%s: no index scans recorded (every lookup scanned, or the statistics did not arrive)", name)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != 2 {
		t.Fatalf("statistics for %d tables, want 2", seen)
	}
}
