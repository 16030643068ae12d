package main

import (
	"context"
	"errors"
	"fmt"

	"adwatch/config"
	"adwatch/migrations"
	"adwatch/store"
)

// app is an opened configuration and database, shared by the commands that
// need the archive.
type app struct {
	cfg config.Config
	db  *store.DB
	e   *env
}

func loadConfig(e *env, path string) (config.Config, error) {
	cfg, err := config.Load(path, e.getenv)
	if err != nil {
		return cfg, &exitError{code: exitUsage, err: fmt.Errorf("configuration: %w", err)}
	}
	return cfg, nil
}

// openApp loads the configuration and opens the database. With checkSchema,
// it refuses an outdated schema and says which command fixes it.
func openApp(ctx context.Context, e *env, cfgPath string, checkSchema bool) (*app, error) {
	cfg, err := loadConfig(e, cfgPath)
	if err != nil {
		return nil, err
	}
	return openAppWith(ctx, e, cfg, checkSchema)
}

func openAppWith(ctx context.Context, e *env, cfg config.Config, checkSchema bool) (*app, error) {
	db, err := store.Open(ctx, cfg.Database.URL)
	if err != nil {
		return nil, failed(fmt.Errorf("database: %w (set ADWATCH_DATABASE_URL or database.url)", err))
	}
	if checkSchema {
		if err := migrations.Check(ctx, db.SQL()); err != nil {
			db.Close()
			if errors.Is(err, migrations.ErrOutdated) {
				return nil, failed(err)
			}
			return nil, failed(fmt.Errorf("check database schema: %w", err))
		}
	}
	return &app{cfg: cfg, db: db, e: e}, nil
}

func (a *app) Close() error { return a.db.Close() }

func cmdMigrate(ctx context.Context, e *env, args []string) error {
	f := newFlags("migrate", "migrate [--config FILE]", e, false)
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *f.config, false)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := migrations.Up(ctx, a.db.SQL()); err != nil {
		return failed(fmt.Errorf("migrate: %w", err))
	}
	fmt.Fprintln(e.stdout, "database schema is up to date")
	return nil
}
