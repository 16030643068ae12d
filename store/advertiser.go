package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// ImportStats counts what an advertiser import changed.
type ImportStats struct{ Inserted, Updated, Unchanged, Deactivated int }

type advertiserRow struct {
	PK         int64          `db:"id"`
	ExtID      string         `db:"ext_id"`
	Name       string         `db:"name"`
	Aliases    pq.StringArray `db:"aliases"`
	Active     bool           `db:"active"`
	OwnerEmail string         `db:"owner_email"`
	Extra      []byte         `db:"extra"`
	UpdatedAt  time.Time      `db:"updated_at"`
}

func (r advertiserRow) noun() adwatch.Advertiser {
	a := adwatch.Advertiser{
		ID: r.ExtID, Name: r.Name, Aliases: []string(r.Aliases), Active: r.Active,
		OwnerEmail: r.OwnerEmail, UpdatedAt: r.UpdatedAt,
	}
	if a.Aliases == nil {
		a.Aliases = []string{}
	}
	_ = json.Unmarshal(r.Extra, &a.Extra)
	if len(a.Extra) == 0 {
		a.Extra = nil
	}
	return a
}

const advertiserCols = `id, ext_id, name, aliases, active, owner_email, extra, updated_at`

// ImportAdvertisers inserts or updates ads by their CSV id in one
// transaction: either all of them are stored or none. With replace,
// advertisers absent from ads are deactivated (never deleted: their alerts
// stay).
func (db *DB) ImportAdvertisers(ctx context.Context, ads []adwatch.Advertiser, replace bool) (ImportStats, error) {
	var st ImportStats
	seen := make(map[string]bool, len(ads))
	ids := make([]string, 0, len(ads))
	for i, a := range ads {
		switch {
		case a.ID == "" || a.Name == "":
			return st, fmt.Errorf("import advertisers: advertiser %d: id and name are required: %w", i+1, adwatch.ErrInvalid)
		case seen[a.ID]:
			return st, fmt.Errorf("import advertisers: id %q appears twice: %w", a.ID, adwatch.ErrInvalid)
		}
		seen[a.ID] = true
		ids = append(ids, a.ID)
	}
	err := db.inTx(ctx, func(tx *sqlx.Tx) error {
		st = ImportStats{}
		for _, a := range ads {
			extra, err := jsonMap(a.Extra)
			if err != nil {
				return fmt.Errorf("advertiser %s: %w", a.ID, err)
			}
			var inserted bool
			err = tx.QueryRowContext(ctx, `
				INSERT INTO advertisers (ext_id, name, aliases, active, owner_email, extra)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (ext_id) DO UPDATE SET
					name = EXCLUDED.name, aliases = EXCLUDED.aliases, active = EXCLUDED.active,
					owner_email = EXCLUDED.owner_email, extra = EXCLUDED.extra, updated_at = now()
				WHERE (advertisers.name, advertisers.aliases, advertisers.active, advertisers.owner_email, advertisers.extra)
					IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.aliases, EXCLUDED.active, EXCLUDED.owner_email, EXCLUDED.extra)
				RETURNING xmax = 0`,
				clean(a.ID), clean(a.Name), pq.Array(cleanAll(a.Aliases)), a.Active, clean(a.OwnerEmail), extra).Scan(&inserted)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				st.Unchanged++
			case err != nil:
				return fmt.Errorf("advertiser %s: %w", a.ID, err)
			case inserted:
				st.Inserted++
			default:
				st.Updated++
			}
		}
		if !replace {
			return nil
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE advertisers SET active = false, updated_at = now()
			WHERE active AND NOT (ext_id = ANY($1))`, pq.Array(ids))
		if err != nil {
			return fmt.Errorf("deactivate absent advertisers: %w", err)
		}
		n, _ := res.RowsAffected()
		st.Deactivated = int(n)
		return nil
	})
	if err != nil {
		return ImportStats{}, fmt.Errorf("import advertisers: %w", err)
	}
	return st, nil
}

// Advertisers lists advertisers ordered by their CSV id.
func (db *DB) Advertisers(ctx context.Context, activeOnly bool) ([]adwatch.Advertiser, error) {
	var rows []advertiserRow
	err := db.db.SelectContext(ctx, &rows, `SELECT `+advertiserCols+` FROM advertisers
		WHERE active OR NOT $1 ORDER BY ext_id`, activeOnly)
	if err != nil {
		return nil, fmt.Errorf("list advertisers: %w", err)
	}
	out := make([]adwatch.Advertiser, len(rows))
	for i, r := range rows {
		out[i] = r.noun()
	}
	return out, nil
}

// Advertiser returns one advertiser by its CSV id, or adwatch.ErrNotFound.
func (db *DB) Advertiser(ctx context.Context, id string) (adwatch.Advertiser, error) {
	var r advertiserRow
	err := db.db.GetContext(ctx, &r, `SELECT `+advertiserCols+` FROM advertisers WHERE ext_id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return adwatch.Advertiser{}, fmt.Errorf("advertiser %q: %w", id, adwatch.ErrNotFound)
	}
	if err != nil {
		return adwatch.Advertiser{}, fmt.Errorf("advertiser %q: %w", id, err)
	}
	return r.noun(), nil
}

// SetAdvertiserActive turns alerting for one advertiser on or off.
func (db *DB) SetAdvertiserActive(ctx context.Context, id string, active bool) error {
	res, err := db.db.ExecContext(ctx, `UPDATE advertisers SET active = $2, updated_at = now()
		WHERE ext_id = $1`, id, active)
	if err != nil {
		return fmt.Errorf("set advertiser %q active: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set advertiser %q active: %w", id, adwatch.ErrNotFound)
	}
	return nil
}
