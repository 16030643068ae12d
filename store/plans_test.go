package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/lib/pq"

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
	sqlDB, db := oneConnectionStore(t)
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
	stats := tableScans(t, sqlDB, "search_docs", "advertiser_docs")
	for name, st := range stats {
		if st.seqRead > 0 {
			t.Errorf("%s: %d rows read by sequential scans while saving 600 documents, want none", name, st.seqRead)
		}
		if st.idxScans == 0 {
			t.Errorf("%s: no index scans recorded (every lookup scanned, or the statistics did not arrive)", name)
		}
	}
}

// oneConnectionStore is a store on a fresh database holding the press
// source and advertiser a-17, through a single connection: the way a
// saver or delivery worker keeps one for a whole run.
func oneConnectionStore(t *testing.T) (*sql.DB, *store.DB) {
	t.Helper()
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
	return sqlDB, db
}

type scans struct{ seqRead, idxScans int64 }

// tableScans reads the scan counters of the named tables, once the
// connection's statistics have reached pg_stat_user_tables; it fails the
// test unless every table has them.
func tableScans(t *testing.T, sqlDB *sql.DB, tables ...string) map[string]scans {
	t.Helper()
	ctx := context.Background()
	if _, err := sqlDB.ExecContext(ctx, "SELECT pg_stat_force_next_flush()"); err != nil {
		t.Fatal(err)
	}
	rows, err := sqlDB.QueryContext(ctx, `SELECT relname, coalesce(seq_tup_read, 0), coalesce(idx_scan, 0)
		FROM pg_stat_user_tables WHERE relname = ANY($1)`, pq.Array(tables))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]scans{}
	for rows.Next() {
		var name string
		var st scans
		if err := rows.Scan(&name, &st.seqRead, &st.idxScans); err != nil {
			t.Fatal(err)
		}
		out[name] = st
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(out) != len(tables) {
		t.Fatalf("statistics for %d tables, want %d: %v", len(out), len(tables), out)
	}
	return out
}

// TestLoadingAlertsReadsByIndex loads alerts the way delivery jobs do, one
// by one through a long-lived connection, first while the archive is nearly
// empty (when adwatch_alerts settles on the plan it keeps, migration 00052)
// and again once it has grown: the later loads must not scan any table
// whole.
func TestLoadingAlertsReadsByIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sqlDB, db := oneConnectionStore(t)
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
	for range 3 { // the kept plan is made here, on a nearly empty archive
		load(alerts)
	}
	for b := range 20 {
		save(2+b*50, 50)
	}
	tables := []string{"alerts", "documents", "advertisers", "alert_deliveries", "alert_documents"}
	before := tableScans(t, sqlDB, tables...)
	load(alerts[2:])
	after := tableScans(t, sqlDB, tables...)
	for name, st := range after {
		if d := st.seqRead - before[name].seqRead; d > 0 {
			t.Errorf("%s: %d rows read by sequential scans while loading %d alerts, want none", name, d, len(alerts)-2)
		}
	}
}
