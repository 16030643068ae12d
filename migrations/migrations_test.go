package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"testing"

	_ "github.com/lib/pq"

	"adwatch/internal/testdb"
	"adwatch/migrations"
)

func empty(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", testdb.Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCheckOutdatedOnEmptyThenPassesAfterUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := empty(t)
	err := migrations.Check(ctx, db)
	if !errors.Is(err, migrations.ErrOutdated) {
		t.Fatalf("Check on empty database: got %v, want ErrOutdated", err)
	}
	if !strings.HasPrefix(err.Error(), "database schema is at version 0") || !strings.Contains(err.Error(), `run "adwatch migrate"`) {
		t.Errorf("Check message %q does not say the version and what to run", err)
	}
	var gooseTable bool
	if err := db.QueryRow("SELECT to_regclass('goose_db_version') IS NOT NULL").Scan(&gooseTable); err != nil {
		t.Fatal(err)
	}
	if gooseTable {
		t.Error("Check wrote to the database: goose_db_version exists")
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatalf("Up: %v", err)
	}
	if err := migrations.Check(ctx, db); err != nil {
		t.Errorf("Check after Up: %v", err)
	}
}

func TestCheckReportsMissingJobQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := empty(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("DROP TABLE river_migration"); err != nil {
		t.Fatal(err)
	}
	err := migrations.Check(ctx, db)
	if !errors.Is(err, migrations.ErrOutdated) || !strings.Contains(err.Error(), "job queue") {
		t.Errorf("Check without River's schema: got %v, want ErrOutdated about the job queue", err)
	}
}

func TestUpTwiceIsNoop(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := empty(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	snapshot := func() string {
		var s string
		err := db.QueryRow(`SELECT (SELECT string_agg(version_id::text, ',' ORDER BY id) FROM goose_db_version)
			|| '/' || (SELECT string_agg(version::text, ',' ORDER BY version) FROM river_migration)`).Scan(&s)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := snapshot()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatalf("second Up: %v", err)
	}
	if got := snapshot(); got != before {
		t.Errorf("second Up changed the applied migrations: got %s, want %s", got, before)
	}
}

func TestConcurrentUpBothSucceed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.Empty(t)
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Go(func() {
			db, err := sql.Open("postgres", dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer db.Close()
			errs[i] = migrations.Up(ctx, db)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := migrations.Check(ctx, db); err != nil {
		t.Errorf("Check after concurrent Up: %v", err)
	}
}

func TestTrigramExtensionEnabled(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	var sim float64
	if err := db.QueryRow("SELECT similarity('Kaspersky Lab', 'Kaspersky Labs')").Scan(&sim); err != nil {
		t.Fatalf("pg_trgm similarity: %v", err)
	}
	if sim < 0.5 {
		t.Errorf("similarity of near-identical names: got %v, want >= 0.5", sim)
	}
}

func TestHashIsStable(t *testing.T) {
	t.Parallel()
	a, b := migrations.Hash(), migrations.Hash()
	if a != b || len(a) != 64 {
		t.Errorf("Hash: got %q then %q, want the same 64 hex digits", a, b)
	}
}

func TestUpAppliesMigrationMissingBelowCurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := empty(t)
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	// As if 00010 had arrived after 00011 was applied.
	if _, err := db.Exec("DROP TABLE api_tokens, sessions, users; DELETE FROM goose_db_version WHERE version_id = 10"); err != nil {
		t.Fatal(err)
	}
	if err := migrations.Check(ctx, db); !errors.Is(err, migrations.ErrOutdated) {
		t.Errorf("Check: got %v, want ErrOutdated", err)
	}
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatalf("Up: %v", err)
	}
	if err := migrations.Check(ctx, db); err != nil {
		t.Errorf("Check after Up: %v", err)
	}
}
