package testdb

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

func TestNewIsMigratedAndPrivate(t *testing.T) {
	t.Parallel()
	a, b := New(t), New(t)
	ctx := context.Background()
	for _, table := range []string{"documents", "alerts", "river_job"} {
		var ok bool
		if err := a.QueryRowContext(ctx, "SELECT to_regclass($1) IS NOT NULL", table).Scan(&ok); err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("table %s missing from test database", table)
		}
	}
	if _, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var inB bool
	if err := b.QueryRowContext(ctx, "SELECT to_regclass('only_in_a') IS NOT NULL").Scan(&inB); err != nil {
		t.Fatal(err)
	}
	if inB {
		t.Error("a table created in one test database is visible in another")
	}
}

func TestEmptyHasNoSchema(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("postgres", Empty(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.QueryRow("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("got %d tables in an empty database, want 0", n)
	}
}

func TestDroppedAfterPass(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("inner", func(t *testing.T) {
		dsn := DSN(t)
		name = dsn[strings.LastIndex(dsn, "/")+1 : strings.Index(dsn, "?")]
	})
	db := New(t)
	var exists bool
	if err := db.QueryRow("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if exists {
		t.Errorf("database %s of a passed test still exists", name)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for _, dsn := range []string{
		"postgres://u:s3cret@h:5432/db?sslmode=disable",
		"host=h user=u password=s3cret dbname=db",
		"host=h user=u password='s3 cret' dbname=db",
	} {
		if got := redact(dsn); strings.Contains(got, "s3") {
			t.Errorf("redact(%q) = %q, still shows the password", dsn, got)
		}
	}
}

func TestUnreachableServerIsAClearError(t *testing.T) {
	t.Parallel()
	_, err := connect(context.Background(), "postgres://postgres:pw@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	if err == nil {
		t.Fatal("connect to a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "127.0.0.1:1") || !strings.Contains(err.Error(), EnvURL) || strings.Contains(err.Error(), ":pw@") {
		t.Errorf("error %q should name the server and %s, without the password", err, EnvURL)
	}
}

func TestWithDatabase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://u@h:5432/postgres?sslmode=disable": "postgres://u@h:5432/adwatch_x?sslmode=disable",
		"host=h user=u dbname=postgres":                "host=h user=u dbname=postgres dbname=adwatch_x",
	} {
		got, err := withDatabase(in, "adwatch_x")
		if err != nil || got != want {
			t.Errorf("withDatabase(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}
