package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"

	"adwatch"
)

// Suppression is a triage rule: Alias of the advertiser (CSV id
// AdvertiserID) must not alert in documents from Source, or inside Phrase
// (one of the two is set). It is what names.Suppression is built from.
type Suppression struct {
	ID           int64     `json:"id"`
	AdvertiserID string    `json:"advertiser_id"`
	Alias        string    `json:"alias"`
	Source       string    `json:"source,omitempty"`
	Phrase       string    `json:"phrase,omitempty"`
	Reason       string    `json:"reason,omitempty"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
}

// maxPhrase bounds a suppression phrase: a sentence around the alias, not a
// document.
const maxPhrase = 500

// AddSuppression stores a rule. The same rule twice is stored once (the
// first one is returned). An unknown advertiser is adwatch.ErrNotFound; a
// rule without alias, or with neither source nor phrase, is ErrInvalid.
func (db *DB) AddSuppression(ctx context.Context, s Suppression) (Suppression, error) {
	s.Alias, s.Source, s.Phrase = clean(strings.TrimSpace(s.Alias)), clean(strings.TrimSpace(s.Source)), clean(strings.TrimSpace(s.Phrase))
	s.Reason, s.CreatedBy = clean(s.Reason), clean(s.CreatedBy)
	switch {
	case s.Alias == "":
		return Suppression{}, fmt.Errorf("add suppression: no alias: %w", adwatch.ErrInvalid)
	case s.Source == "" && s.Phrase == "":
		return Suppression{}, fmt.Errorf("add suppression: neither source nor phrase: %w", adwatch.ErrInvalid)
	case len(s.Phrase) > maxPhrase:
		return Suppression{}, fmt.Errorf("add suppression: phrase longer than %d bytes: %w", maxPhrase, adwatch.ErrInvalid)
	}
	err := db.db.QueryRowContext(ctx, `
		WITH a AS (SELECT id FROM advertisers WHERE ext_id = $1),
		ins AS (
			INSERT INTO suppressions (advertiser_id, alias, source, phrase, reason, created_by)
			SELECT a.id, $2, $3, $4, $5, $6 FROM a
			ON CONFLICT (advertiser_id, alias, source, md5(phrase)) DO NOTHING
			RETURNING id, reason, created_by, created_at)
		SELECT id, reason, created_by, created_at FROM ins
		UNION ALL
		SELECT s.id, s.reason, s.created_by, s.created_at FROM suppressions s, a
		WHERE s.advertiser_id = a.id AND s.alias = $2 AND s.source = $3 AND md5(s.phrase) = md5($4)
		LIMIT 1`,
		s.AdvertiserID, s.Alias, s.Source, s.Phrase, s.Reason, s.CreatedBy).
		Scan(&s.ID, &s.Reason, &s.CreatedBy, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Suppression{}, fmt.Errorf("add suppression: advertiser %q: %w", s.AdvertiserID, adwatch.ErrNotFound)
	}
	if err != nil {
		return Suppression{}, fmt.Errorf("add suppression: %w", err)
	}
	return s, nil
}

// Suppressions lists every rule, oldest first (the matcher takes them all).
func (db *DB) Suppressions(ctx context.Context) ([]Suppression, error) {
	rows, err := db.db.QueryContext(ctx, `
		SELECT s.id, a.ext_id, s.alias, s.source, s.phrase, s.reason, s.created_by, s.created_at
		FROM suppressions s JOIN advertisers a ON a.id = s.advertiser_id ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("suppressions: %w", err)
	}
	defer rows.Close()
	out := []Suppression{}
	for rows.Next() {
		var s Suppression
		if err := rows.Scan(&s.ID, &s.AdvertiserID, &s.Alias, &s.Source, &s.Phrase, &s.Reason, &s.CreatedBy, &s.CreatedAt); err != nil {
			return nil, fmt.Errorf("suppressions: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("suppressions: %w", err)
	}
	return out, nil
}

// maxAliases bounds one advertiser's aliases as edited by hand.
const maxAliases = 200

// SetAdvertiserAliases replaces an advertiser's aliases (an analyst's edit;
// the next CSV import may replace them again). Blank and repeated aliases
// are dropped. Unknown advertiser: adwatch.ErrNotFound.
func (db *DB) SetAdvertiserAliases(ctx context.Context, id string, aliases []string) error {
	seen := map[string]bool{}
	list := []string{}
	for _, a := range aliases {
		a = strings.Join(strings.Fields(clean(a)), " ")
		if a == "" || seen[strings.ToLower(a)] {
			continue
		}
		if len(a) > 200 {
			return fmt.Errorf("set aliases of %q: alias longer than 200 bytes: %w", id, adwatch.ErrInvalid)
		}
		seen[strings.ToLower(a)] = true
		list = append(list, a)
	}
	if len(list) > maxAliases {
		return fmt.Errorf("set aliases of %q: more than %d aliases: %w", id, maxAliases, adwatch.ErrInvalid)
	}
	res, err := db.db.ExecContext(ctx, `UPDATE advertisers SET aliases = $2, updated_at = now() WHERE ext_id = $1`,
		id, pq.StringArray(list))
	if err != nil {
		return fmt.Errorf("set aliases of %q: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("set aliases of %q: %w", id, adwatch.ErrNotFound)
	}
	return nil
}
