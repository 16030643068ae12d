package store_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/lib/pq"

	"adwatch/internal/testdb"
	"adwatch/store"
)

func serverURL(t *testing.T) *url.URL {
	t.Helper()
	s := os.Getenv(testdb.EnvURL)
	if s == "" {
		s = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestOpenCreatesMissingDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "adwatch_open_" + hex.EncodeToString(b)
	u := serverURL(t)
	admin, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + pq.QuoteIdentifier(name) + " WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	// Several processes starting at once all race to create it.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := store.Open(ctx, u.String())
			if err != nil {
				errs[i] = err
				return
			}
			errs[i] = db.Ping(ctx)
			db.Close()
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open %d: %v", i, err)
		}
	}
	var exists bool
	if err := admin.QueryRow("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatal(err)
	}
	if !exists {
		t.Errorf("database %s was not created", name)
	}
}

func TestOpenErrorsAreClearAndKeepSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	// A port nobody listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	for _, tc := range []struct {
		name, dsn, want string
	}{
		{"unreachable", "postgres://adwatch:hunter2secret@127.0.0.1:" + strconv.Itoa(port) + "/adwatch?sslmode=disable&connect_timeout=2", "cannot reach PostgreSQL at 127.0.0.1:" + strconv.Itoa(port)},
		{"malformed url", "postgres://adwatch:hunter2secret@host:notaport/db", "bad database URL"},
		{"bad key=value port", "host=localhost port=abc password=hunter2secret", "bad database URL"},
		{"unterminated quote", "host=localhost password='hunter2secret", "bad database URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := store.Open(ctx, tc.dsn)
			if err == nil {
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2secret") {
				t.Errorf("error shows the password: %q", err)
			}
		})
	}
}

func TestOpenNamesTheApplication(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := serverURL(t)
	u.Path = "/postgres"
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var name string
	if err := db.SQL().QueryRowContext(ctx, "SELECT current_setting('application_name')").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "adwatch" {
		t.Errorf("application_name: got %q, want adwatch", name)
	}
}

// TestOpenKeepsConnections: a run uses a dozen connections at once (savers,
// crawl state, River); returning them to the pool must not end their
// PostgreSQL backends, or each next use forks a new one that rebuilds its
// caches and plans.
func TestOpenKeepsConnections(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := testdb.DSN(t)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const parallel, rounds = 12, 20
	for range rounds {
		var wg sync.WaitGroup
		for range parallel {
			wg.Add(1)
			go func() {
				defer wg.Done()
				// Long enough that the twelve overlap.
				if _, err := db.SQL().ExecContext(ctx, "SELECT pg_sleep(0.01)"); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
	}
	var sessions int
	err = db.SQL().QueryRowContext(ctx, `SELECT sessions FROM pg_stat_database WHERE datname = current_database()`).Scan(&sessions)
	if err != nil {
		t.Fatal(err)
	}
	// The template copy and the migration left a few; the pool may open a
	// few more than parallel. With 4 idle it opened 164.
	if sessions > 2*parallel+4 {
		t.Errorf("%d backends started for %d rounds of %d parallel queries, want them reused", sessions, rounds, parallel)
	}
	t.Logf("%d sessions", sessions)
}
