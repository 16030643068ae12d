// Package migrations owns adwatch's database schema: the numbered SQL files
// embedded here, applied with goose, plus River's job-queue schema.
//
// It only creates and checks schema; it must not read or write application
// data (that is package store's job).
package migrations

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"sort"
	"sync"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed *.sql
var files embed.FS

// ErrOutdated says the database schema is older than this program needs.
var ErrOutdated = errors.New("database schema is outdated")

// outdated is an ErrOutdated whose message says what is missing and what to
// run, without repeating the sentinel's own words.
type outdated struct{ msg string }

func (e outdated) Error() string { return e.msg }
func (e outdated) Unwrap() error { return ErrOutdated }

func outdatedf(format string, args ...any) error {
	return outdated{fmt.Sprintf(format+`: run "adwatch migrate"`, args...)}
}

// lockKey serialises whole Up calls (ours and River's migrations together)
// across processes; it is distinct from goose's own lock id.
const lockKey int64 = 0x6164776174636800 // "adwatch\x00"

// FS returns the embedded migration files.
func FS() fs.FS { return files }

// Up applies every pending migration, ours then River's, under a PostgreSQL
// advisory lock so concurrent migrators wait for each other instead of
// racing. Running it on an up-to-date database changes nothing.
//
// It uses two connections of db at once (the lock and the work).
func Up(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return fmt.Errorf("migrate: take lock: %w", err)
	}
	defer func() {
		// A detached context: the lock must be released even when ctx is done;
		// closing the session would release it too.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	}()

	p, err := provider(db, true)
	if err != nil {
		return err
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("migrate: adwatch schema: %w", err)
	}
	m, err := riverMigrator(db)
	if err != nil {
		return err
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("migrate: job queue schema: %w", err)
	}
	return nil
}

// Check returns an error wrapping ErrOutdated when the database lacks
// migrations this program needs (ours or River's). It writes nothing.
func Check(ctx context.Context, db *sql.DB) error {
	current, err := currentVersion(ctx, db)
	if err != nil {
		return err
	}
	target := latestVersion()
	if current < target {
		return outdatedf("database schema is at version %d, this adwatch needs %d", current, target)
	}
	if current > 0 {
		// A migration numbered below the current version but never applied
		// (merged from a parallel branch) is missing too.
		p, err := provider(db, false)
		if err != nil {
			return err
		}
		pending, err := p.HasPending(ctx)
		if err != nil {
			return fmt.Errorf("check schema: %w", err)
		}
		if pending {
			return outdatedf("database schema at version %d lacks an older migration this adwatch needs", current)
		}
	}
	m, err := riverMigrator(db)
	if err != nil {
		return err
	}
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return fmt.Errorf("check job queue schema: %w", err)
	}
	if !res.OK {
		return outdatedf("job queue schema is missing or outdated (%v)", res.Messages)
	}
	return nil
}

// currentVersion reads goose's version table without creating it, so that
// Check stays read-only; a database without it is at version 0.
func currentVersion(ctx context.Context, db *sql.DB) (int64, error) {
	var exists bool
	err := db.QueryRowContext(ctx, "SELECT to_regclass('goose_db_version') IS NOT NULL").Scan(&exists)
	if err != nil {
		return 0, fmt.Errorf("check schema: %w", err)
	}
	if !exists {
		return 0, nil
	}
	p, err := provider(db, false)
	if err != nil {
		return 0, err
	}
	v, err := p.GetDBVersion(ctx)
	if err != nil {
		return 0, fmt.Errorf("check schema: %w", err)
	}
	return v, nil
}

func provider(db *sql.DB, locked bool) (*goose.Provider, error) {
	// Migrations are written in parallel branches: one numbered below the
	// database's version may arrive later, and is applied rather than refused.
	opts := []goose.ProviderOption{goose.WithSlog(quiet), goose.WithAllowOutofOrder(true)}
	if locked {
		// Uncontended in practice (Up holds lockKey), but it keeps older or
		// foreign goose runners from migrating at the same moment.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("migrate: locker: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, files, opts...)
	if err != nil {
		return nil, fmt.Errorf("migrate: load migrations: %w", err)
	}
	return p, nil
}

func riverMigrator(db *sql.DB) (*rivermigrate.Migrator[*sql.Tx], error) {
	m, err := rivermigrate.New(riverdatabasesql.New(db), &rivermigrate.Config{Logger: quiet})
	if err != nil {
		return nil, fmt.Errorf("migrate: job queue migrator: %w", err)
	}
	return m, nil
}

// quiet drops the per-migration chatter of goose and River; Up's caller
// reports the outcome.
var quiet = slog.New(slog.DiscardHandler)

var versionOnce = sync.OnceValue(func() int64 {
	names, _ := fs.Glob(files, "*.sql")
	var v int64
	for _, n := range names {
		if n, err := goose.NumericComponent(n); err == nil {
			v = max(v, n)
		}
	}
	return v
})

// latestVersion is the newest embedded migration's version.
func latestVersion() int64 { return versionOnce() }

// Hash identifies the full schema this program builds: the embedded files and
// River's migrations. Test databases are cloned from a template named after it.
func Hash() string { return hashOnce() }

var hashOnce = sync.OnceValue(func() string {
	h := sha256.New()
	names, _ := fs.Glob(files, "*.sql")
	sort.Strings(names)
	for _, n := range names {
		b, _ := files.ReadFile(n)
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	if m, err := riverMigrator(nil); err == nil {
		for _, v := range m.AllVersions() {
			fmt.Fprintf(h, "river\x00%d\x00%s\x00", v.Version, v.SQLUp)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
})
