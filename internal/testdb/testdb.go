// Package testdb gives each test its own PostgreSQL database, fully migrated,
// in milliseconds: it is cloned from a template database that is built once
// per schema version (named after migrations.Hash) under an advisory lock, so
// many test processes starting at once build it only once.
//
// It is for tests only and must never be imported by production code. When
// the server is unreachable the test fails: a silently skipped database test
// proves nothing.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"

	"adwatch/migrations"
)

// EnvURL names the environment variable holding the server DSN tests use.
const EnvURL = "ADWATCH_TEST_DATABASE_URL"

const defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// New returns a connection pool to a fresh, migrated database of its own. It
// is closed and dropped when the test passes, kept when it fails.
func New(t testing.TB) *sql.DB {
	t.Helper()
	dsn := DSN(t)
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatalf("testdb: open %s: %v", redact(dsn), err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// DSN creates a fresh, migrated database and returns its DSN. The database is
// dropped when the test passes and kept, with its DSN logged, when it fails.
func DSN(t testing.TB) string {
	t.Helper()
	base := baseURL()
	tpl, err := template(base)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	return newDatabase(t, base, tpl)
}

// Empty creates a database without any schema (for testing migrations and
// database creation) and returns its DSN; it is dropped like DSN's.
func Empty(t testing.TB) string {
	t.Helper()
	return newDatabase(t, baseURL(), "template0")
}

func newDatabase(t testing.TB, base, tpl string) string {
	t.Helper()
	name := "adwatch_test_" + randomHex(8)
	err := createFrom(base, name, tpl)
	if pq.As(err, pqerror.InvalidCatalogName) != nil && tpl != "template0" {
		// Someone dropped the template since this process built it.
		templates.Delete(base)
		if tpl, err = template(base); err == nil {
			err = createFrom(base, name, tpl)
		}
	}
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	dsn, err := withDatabase(base, name)
	if err != nil {
		t.Fatalf("testdb: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("testdb: kept database of failed test: %s", redact(dsn))
			return
		}
		if err := drop(base, name); err != nil {
			t.Logf("testdb: drop %s: %v", name, err)
		}
	})
	return dsn
}

func baseURL() string {
	if s := os.Getenv(EnvURL); s != "" {
		return s
	}
	return defaultURL
}

// templates remembers, per server DSN, the template built by this process.
var templates sync.Map // base DSN → *tplResult

type tplResult struct {
	once sync.Once
	name string
	err  error
}

func template(base string) (string, error) {
	v, _ := templates.LoadOrStore(base, &tplResult{})
	r := v.(*tplResult)
	r.once.Do(func() { r.name, r.err = buildTemplate(base) })
	return r.name, r.err
}

// buildTemplate makes sure a migrated template database for this schema
// exists. The advisory lock is per server (advisory locks are per database,
// so all processes take it in the base database).
func buildTemplate(base string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	name := "adwatch_tpl_" + migrations.Hash()[:12]
	db, err := connect(ctx, base)
	if err != nil {
		return "", err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", redact(base), err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext($1))", "adwatch testdb template"); err != nil {
		return "", fmt.Errorf("lock for template: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock(hashtext($1))", "adwatch testdb template")

	var isTemplate sql.NullBool
	err = conn.QueryRowContext(ctx, "SELECT datistemplate FROM pg_database WHERE datname = $1", name).Scan(&isTemplate)
	switch {
	case err == nil && isTemplate.Bool:
		return name, nil
	case err == nil:
		// A builder died half way: nobody else builds while we hold the lock.
		if _, err := conn.ExecContext(ctx, "DROP DATABASE "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
			return "", fmt.Errorf("drop unfinished template %s: %w", name, err)
		}
	case !errors.Is(err, sql.ErrNoRows):
		return "", fmt.Errorf("look up template %s: %w", name, err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name)); err != nil {
		return "", fmt.Errorf("create template %s: %w", name, err)
	}
	dsn, err := withDatabase(base, name)
	if err != nil {
		return "", err
	}
	tdb, err := connect(ctx, dsn)
	if err != nil {
		return "", err
	}
	err = migrations.Up(ctx, tdb)
	tdb.Close() // CREATE DATABASE … TEMPLATE refuses a template with sessions
	if err != nil {
		return "", fmt.Errorf("migrate template %s: %w", name, err)
	}
	if _, err := conn.ExecContext(ctx, "ALTER DATABASE "+pq.QuoteIdentifier(name)+" IS_TEMPLATE true"); err != nil {
		return "", fmt.Errorf("mark template %s: %w", name, err)
	}
	return name, nil
}

func createFrom(base, name, tpl string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := connect(ctx, base)
	if err != nil {
		return err
	}
	defer db.Close()
	q := "CREATE DATABASE " + pq.QuoteIdentifier(name) + " TEMPLATE " + pq.QuoteIdentifier(tpl)
	for {
		_, err = db.ExecContext(ctx, q)
		// The template is briefly in use (another clone is reading it).
		if pq.As(err, pqerror.ObjectInUse) == nil || ctx.Err() != nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("create %s from %s: %w", name, tpl, err)
	}
	return nil
}

func drop(base, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := connect(ctx, base)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)")
	return err
}

func connect(ctx context.Context, dsn string) (*sql.DB, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", redact(dsn), err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("PostgreSQL at %s is not usable (set %s to a server where the user may create databases): %w",
			redact(dsn), EnvURL, err)
	}
	return db, nil
}

// withDatabase returns dsn pointing at database name; it accepts URL and
// key=value DSNs.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse %s: %w", EnvURL, err)
		}
		u.Path = "/" + name
		u.RawPath = ""
		return u.String(), nil
	}
	return dsn + " dbname=" + name, nil
}

var passwordKV = regexp.MustCompile(`password=('(?:[^'\\]|\\.)*'|\S+)`)

// redact hides the password of a DSN, which may end up in test logs.
func redact(dsn string) string {
	if !strings.Contains(dsn, "://") {
		return passwordKV.ReplaceAllString(dsn, "password=xxxxx")
	}
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return dsn
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
