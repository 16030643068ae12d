// Package store keeps adwatch's data in PostgreSQL: advertisers, sources and
// their runs, crawl state, archived documents with their evidence, alerts and
// their deliveries, and full-text search over the archive.
//
// It is the only package that speaks SQL. It must not fetch, extract, match
// or deliver anything; callers hand it finished nouns from package adwatch.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
)

// DB is adwatch's database: a connection pool and the queries on it.
type DB struct {
	db      *sqlx.DB
	route   atomic.Pointer[Router] // see SetRouter (routing.go)
	vectors vectorCheck            // whether search vectors may be computed in Go (searchvec.go)
}

// Open connects to the database named by dsn, creating the database when it
// does not exist yet. It does not migrate (see package migrations). Errors
// say whether the DSN is malformed, the server unreachable or the login
// refused; they never contain the password.
func Open(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pq.NewConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: bad database URL: %w", redactErr(err))
	}
	if cfg.ConnectTimeout == 0 {
		// A black-holed host would otherwise hang each new connection for
		// the kernel's TCP timeout, minutes.
		cfg.ConnectTimeout = 10 * time.Second
	}
	if cfg.ApplicationName == "" || cfg.ApplicationName == "pqgo" {
		cfg.ApplicationName = "adwatch" // what operators see in pg_stat_activity
	}
	db, err := connect(ctx, cfg)
	if pq.As(err, pqerror.InvalidCatalogName) != nil {
		if err := createDatabase(ctx, cfg); err != nil {
			return nil, err
		}
		db, err = connect(ctx, cfg)
	}
	if err != nil {
		return nil, describe(err, cfg)
	}
	return &DB{db: db}, nil
}

// FromSQL wraps an existing pool (tests, or a caller that opened it itself).
func FromSQL(db *sql.DB) *DB { return &DB{db: sqlx.NewDb(db, "postgres")} }

const maxIdleConns = 16

func connect(ctx context.Context, cfg pq.Config) (*sqlx.DB, error) {
	c, err := pq.NewConnectorConfig(cfg)
	if err != nil {
		return nil, err
	}
	db := sqlx.NewDb(sql.OpenDB(c), "postgres")
	// Keep as many idle connections as a run uses at once (two batch
	// savers, the crawler's state lookups, River's producer, completer and
	// alert workers): a connection closed on release is a PostgreSQL
	// backend ended, and the next one forks a new backend that rebuilds its
	// catalog caches and plans. With 4 idle, a 10,000-page run opened ~250
	// backends. Idle ones still go after five minutes.
	db.SetMaxIdleConns(maxIdleConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// createDatabase creates cfg's database through the server's "postgres"
// database. Two processes may race to create it; losing the race is fine.
func createDatabase(ctx context.Context, cfg pq.Config) error {
	name := cfg.Database
	if name == "" {
		name = cfg.User
	}
	admin := cfg.Clone()
	admin.Database = "postgres"
	db, err := connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("create database %s: %w", name, describe(err, admin))
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "CREATE DATABASE "+pq.QuoteIdentifier(name))
	if err != nil && pq.As(err, pqerror.DuplicateDatabase, pqerror.UniqueViolation) == nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	return nil
}

// describe turns a connection failure into a message an operator can act on.
func describe(err error, cfg pq.Config) error {
	where := fmt.Sprintf("%s:%d", cmpOr(cfg.Host, "localhost"), cmpOr(cfg.Port, 5432))
	var netErr net.Error
	switch {
	case pq.As(err, pqerror.InvalidPassword, pqerror.InvalidAuthorizationSpecification) != nil:
		return fmt.Errorf("open database: PostgreSQL at %s refused login for user %q: %w", where, cfg.User, err)
	case errors.As(err, &netErr), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("open database: cannot reach PostgreSQL at %s: %w", where, err)
	default:
		return fmt.Errorf("open database %q at %s: %w", cmpOr(cfg.Database, cfg.User), where, err)
	}
}

func cmpOr[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

var (
	urlUserinfo = regexp.MustCompile(`://[^@/\s]*@`)
	kvPassword  = regexp.MustCompile(`password\s*=\s*('(?:[^'\\]|\\.)*'|\S+)`)
)

// redactErr keeps a DSN parse error's message but never the password in it
// (net/url quotes the whole URL in its errors).
func redactErr(err error) error {
	msg := urlUserinfo.ReplaceAllString(err.Error(), "://xxxxx@")
	return errors.New(kvPassword.ReplaceAllString(msg, "password=xxxxx"))
}

// Close closes the pool.
func (db *DB) Close() error { return db.db.Close() }

// SQL returns the pool, for River and migrations.
func (db *DB) SQL() *sql.DB { return db.db.DB }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// inTx runs fn in a transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := db.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
