package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"adwatch"
)

// Roles a user may have. Analysts read and triage; admins also manage
// advertisers.
const (
	RoleAnalyst = "analyst"
	RoleAdmin   = "admin"
)

// ErrBadCredentials says a name/password, session or API token was not
// accepted. It deliberately does not say which part was wrong.
var ErrBadCredentials = errors.New("bad credentials")

// User is someone (or a service account) allowed to use the web UI or API.
type User struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// IsAdmin reports whether u may manage advertisers.
func (u User) IsAdmin() bool { return u.Role == RoleAdmin }

// minPassword is short enough for a passphrase policy to be the admin's
// business, long enough to refuse the obviously careless.
const minPassword = 8

// dummyHash is compared against when the user does not exist, so a failed
// login takes as long for an unknown name as for a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("adwatch-no-such-user"), bcrypt.DefaultCost)

func validUser(name, role string) error {
	if strings.TrimSpace(name) == "" || len(name) > 200 {
		return fmt.Errorf("user name must be 1-200 characters: %w", adwatch.ErrInvalid)
	}
	if role != RoleAnalyst && role != RoleAdmin {
		return fmt.Errorf("role %q: want analyst or admin: %w", role, adwatch.ErrInvalid)
	}
	return nil
}

// CreateUser adds a person who logs in with a password. The password is
// stored only as a bcrypt hash. A taken name is adwatch.ErrConflict.
func (db *DB) CreateUser(ctx context.Context, name, password, role string) (User, error) {
	if err := validUser(name, role); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	if len(password) < minPassword {
		return User{}, fmt.Errorf("create user: password shorter than %d characters: %w", minPassword, adwatch.ErrInvalid)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		// bcrypt refuses passwords over 72 bytes rather than silently truncating.
		return User{}, fmt.Errorf("create user: hash password: %v: %w", err, adwatch.ErrInvalid)
	}
	u := User{Name: name, Role: role}
	err = db.SQL().QueryRowContext(ctx,
		`INSERT INTO users (name, role, password_hash) VALUES ($1, $2, $3)
		 ON CONFLICT (name) DO NOTHING RETURNING id`, name, role, string(hash)).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("create user %q: name taken: %w", name, adwatch.ErrConflict)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user %q: %w", name, err)
	}
	return u, nil
}

// Authenticate checks a name and password; any failure is ErrBadCredentials.
func (db *DB) Authenticate(ctx context.Context, name, password string) (User, error) {
	var (
		u    User
		hash sql.NullString
	)
	err := db.SQL().QueryRowContext(ctx,
		`SELECT id, name, role, password_hash FROM users WHERE name = $1`, name).
		Scan(&u.ID, &u.Name, &u.Role, &hash)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("authenticate: %w", err)
	}
	if err != nil || !hash.Valid {
		// Spend the same time as a real check so names cannot be probed.
		_ = bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, fmt.Errorf("authenticate: %w", ErrBadCredentials)
	}
	if bcrypt.CompareHashAndPassword([]byte(hash.String), []byte(password)) != nil {
		return User{}, fmt.Errorf("authenticate: %w", ErrBadCredentials)
	}
	return u, nil
}

// newSecret returns a random 32-byte token, URL-safe, and its sha256 digest,
// which is all the database keeps.
func newSecret() (token string, digest []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("random token: %w", err)
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, digestOf(token), nil
}

func digestOf(token string) []byte {
	d := sha256.Sum256([]byte(token))
	return d[:]
}

// CreateSession starts a browser session for userID lasting ttl and returns
// the cookie value. Expired sessions of anyone are swept at the same time.
func (db *DB) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("create session: ttl %s: %w", ttl, adwatch.ErrInvalid)
	}
	token, digest, err := newSecret()
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM sessions WHERE expires_at < now()`); err != nil {
		return "", fmt.Errorf("create session: sweep expired: %w", err)
	}
	_, err = db.SQL().ExecContext(ctx,
		`INSERT INTO sessions (token_hash, user_id, expires_at)
		 VALUES ($1, $2, now() + make_interval(secs => $3))`, digest, userID, ttl.Seconds())
	if err != nil {
		return "", fmt.Errorf("create session for user %d: %w", userID, err)
	}
	return token, nil
}

// SessionUser returns the user of a live session; unknown or expired
// sessions are ErrBadCredentials.
func (db *DB) SessionUser(ctx context.Context, token string) (User, error) {
	return db.userBy(ctx, "session",
		`SELECT u.id, u.name, u.role FROM sessions s JOIN users u ON u.id = s.user_id
		 WHERE s.token_hash = $1 AND s.expires_at > now()`, token)
}

// DeleteSession ends a session (logout). Ending an unknown session is not an
// error: the outcome the caller wants already holds.
func (db *DB) DeleteSession(ctx context.Context, token string) error {
	if _, err := db.SQL().ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, digestOf(token)); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// CreateToken issues an API token for the service account name, creating
// the account with role if it does not exist. The token is returned once and
// stored only as its sha256 digest. Asking for a different role than an
// existing account has, or naming a password user, is adwatch.ErrConflict:
// a token must not silently change who can do what.
func (db *DB) CreateToken(ctx context.Context, name, role string) (string, error) {
	if err := validUser(name, role); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	token, digest, err := newSecret()
	if err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("create token: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO users (name, role) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, role); err != nil {
		return "", fmt.Errorf("create token: account %q: %w", name, err)
	}
	var (
		id       int64
		have     string
		password bool
	)
	if err := tx.QueryRowContext(ctx,
		`SELECT id, role, password_hash IS NOT NULL FROM users WHERE name = $1 FOR UPDATE`, name).
		Scan(&id, &have, &password); err != nil {
		return "", fmt.Errorf("create token: account %q: %w", name, err)
	}
	if have != role || password {
		return "", fmt.Errorf("create token: %q is an existing %s account, not a %s service account: %w",
			name, have, role, adwatch.ErrConflict)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO api_tokens (token_hash, user_id) VALUES ($1, $2)`, digest, id); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", fmt.Errorf("create token: commit: %w", err)
	}
	return token, nil
}

// TokenUser returns the account an API token belongs to; an unknown token is
// ErrBadCredentials.
func (db *DB) TokenUser(ctx context.Context, token string) (User, error) {
	return db.userBy(ctx, "token",
		`UPDATE api_tokens t SET last_used_at = now() FROM users u
		 WHERE t.token_hash = $1 AND u.id = t.user_id
		 RETURNING u.id, u.name, u.role`, token)
}

func (db *DB) userBy(ctx context.Context, what, query, token string) (User, error) {
	if token == "" {
		return User{}, fmt.Errorf("%s: %w", what, ErrBadCredentials)
	}
	var u User
	err := db.SQL().QueryRowContext(ctx, query, digestOf(token)).Scan(&u.ID, &u.Name, &u.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("%s: %w", what, ErrBadCredentials)
	}
	if err != nil {
		return User{}, fmt.Errorf("%s: %w", what, err)
	}
	return u, nil
}
