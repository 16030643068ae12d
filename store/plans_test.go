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

// TestLoadingAlertsReadsByIndex loads alerts the way delivery jobs do, one
// by one through a long-lived connection, first while the archive is nearly
// empty (when adwatch_alerts settles on the plan it keeps, migration 00052)
// and again once it has grown: the later loads must not scan any table
// whole.
func TestLoadingAlertsReadsByIndex(t *testing.T) {
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
	var alerts []int64
	save := func(from, n int) {
		t.Helper()
		var docs []adwatch.Document
		for i := from; i < from+n; i++ {
			docs = append(docs, doc("press", adwatch.KindPress, fmt.Sprintf("https://press.example/a/%d", i),
				fmt.Sprintf("Story %d", i), "2024-03-01", fmt.Sprintf("Report %d: Kaspersky products were named.", i),
				match("a-17", "AO Kaspersky Lab", "Kaspersky", 0.9)))
		}
		res, err := db.SaveDocuments(ctx, docs, []string{"slack"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			for _, a := range r.Alerts {
				alerts = append(alerts, a.ID)
			}
		}
	}
	load := func(ids []int64) {
		t.Helper()
		for _, id := range ids {
			a, err := db.Alert(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if a.ID != id || a.AdvertiserID != "a-17" || a.Deliveries["slack"].Status != adwatch.DeliveryPending {
				t.Fatalf("alert %d loaded as %+v", id, a)
			}
		}
	}
	save(0, 2)
	for range 5 { // PL/pgSQL settles on a generic plan after five runs
		load(alerts)
	}
	for b := range 20 {
		save(2+b*50, 50)
	}
	seqRead := func() map[string]int64 {
		t.Helper()
		if _, err := sqlDB.ExecContext(ctx, "SELECT pg_stat_force_next_flush()"); err != nil {
			t.Fatal(err)
		}
		rows, err := sqlDB.QueryContext(ctx, `SELECT relname, coalesce(seq_tup_read, 0) FROM pg_stat_user_tables
			WHERE relname IN ('alerts', 'documents', 'advertisers', 'alert_deliveries', 'alert_documents')`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]int64{}
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			out[name] = n
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := seqRead()
	load(alerts[2:])
	after := seqRead()
	if len(after) != 5 {
		t.Fatalf("statistics for %d tables, want 5: %v", len(after), after)
	}
	for name, n := range after {
		if d := n - before[name]; d > 0 {
			t.Errorf("%s: %d rows read by sequential scans while loading %d alerts, want none", name, d, len(alerts)-2)
		}
	}
}
