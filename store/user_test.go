package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"adwatch"
	"adwatch/internal/testdb"
	"adwatch/store"
)

func TestUserPasswordLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := store.FromSQL(testdb.New(t))

	u, err := db.CreateUser(ctx, "ana", "correct horse battery", store.RoleAnalyst)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	got, err := db.Authenticate(ctx, "ana", "correct horse battery")
	if err != nil {
		t.Fatalf("Authenticate with the right password: %v", err)
	}
	if got != u {
		t.Errorf("Authenticate = %+v, want %+v", got, u)
	}
	for _, tc := range []struct{ name, password string }{
		{"ana", "wrong horse battery"},
		{"ana", ""},
		{"nobody", "correct horse battery"},
		{"ANA", "correct horse battery"},
	} {
		if _, err := db.Authenticate(ctx, tc.name, tc.password); !errors.Is(err, store.ErrBadCredentials) {
			t.Errorf("Authenticate(%q, %q) error = %v, want ErrBadCredentials", tc.name, tc.password, err)
		}
	}

	var hash string
	if err := db.SQL().QueryRowContext(ctx, `SELECT password_hash FROM users WHERE name = 'ana'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(hash, "correct horse") || !strings.HasPrefix(hash, "$2") {
		t.Errorf("stored password hash %q is not a bcrypt hash", hash)
	}
}

func TestCreateUserRefusesBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := store.FromSQL(testdb.New(t))
	if _, err := db.CreateUser(ctx, "root", "long enough pass", store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, password, role string
		want                 error
	}{
		{"root", "another password", store.RoleAdmin, adwatch.ErrConflict},
		{"bob", "short", store.RoleAnalyst, adwatch.ErrInvalid},
		{"bob", "long enough pass", "superuser", adwatch.ErrInvalid},
		{"", "long enough pass", store.RoleAnalyst, adwatch.ErrInvalid},
		{"bob", strings.Repeat("x", 100), store.RoleAnalyst, adwatch.ErrInvalid},
	} {
		if _, err := db.CreateUser(ctx, tc.name, tc.password, tc.role); !errors.Is(err, tc.want) {
			t.Errorf("CreateUser(%q, …, %q) error = %v, want %v", tc.name, tc.role, err, tc.want)
		}
	}
}

func TestSessionsLiveUntilDeletedOrExpired(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := store.FromSQL(testdb.New(t))
	u, err := db.CreateUser(ctx, "ana", "correct horse battery", store.RoleAnalyst)
	if err != nil {
		t.Fatal(err)
	}
	token, err := db.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	got, err := db.SessionUser(ctx, token)
	if err != nil || got != u {
		t.Fatalf("SessionUser = %+v, %v; want %+v", got, err, u)
	}

	var stored []byte
	if err := db.SQL().QueryRowContext(ctx, `SELECT token_hash FROM sessions`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if len(stored) != 32 || strings.Contains(string(stored), token) {
		t.Errorf("session stored as %d bytes; want only its 32-byte sha256", len(stored))
	}

	if _, err := db.SessionUser(ctx, token+"x"); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("SessionUser(altered token) error = %v, want ErrBadCredentials", err)
	}
	if err := db.DeleteSession(ctx, token); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	if _, err := db.SessionUser(ctx, token); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("SessionUser after logout error = %v, want ErrBadCredentials", err)
	}

	expired, err := db.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE sessions SET expires_at = now() - interval '1 second'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SessionUser(ctx, expired); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("SessionUser(expired) error = %v, want ErrBadCredentials", err)
	}
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := store.FromSQL(testdb.New(t))

	token, err := db.CreateToken(ctx, "nightly-report", store.RoleAnalyst)
	if err != nil {
		t.Fatalf("CreateToken: %v", err)
	}
	second, err := db.CreateToken(ctx, "nightly-report", store.RoleAnalyst)
	if err != nil {
		t.Fatalf("second CreateToken for the same account: %v", err)
	}
	if token == second {
		t.Fatal("two tokens are identical")
	}
	for _, tok := range []string{token, second} {
		u, err := db.TokenUser(ctx, tok)
		if err != nil {
			t.Fatalf("TokenUser: %v", err)
		}
		if u.Name != "nightly-report" || u.Role != store.RoleAnalyst {
			t.Errorf("TokenUser = %+v, want nightly-report analyst", u)
		}
	}
	// A service account has no password to log in with.
	if _, err := db.Authenticate(ctx, "nightly-report", ""); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("Authenticate(service account) error = %v, want ErrBadCredentials", err)
	}
	if _, err := db.TokenUser(ctx, ""); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("TokenUser(\"\") error = %v, want ErrBadCredentials", err)
	}
	if _, err := db.TokenUser(ctx, "not-a-token"); !errors.Is(err, store.ErrBadCredentials) {
		t.Errorf("TokenUser(unknown) error = %v, want ErrBadCredentials", err)
	}

	// A token must not quietly promote an account or attach to a person.
	if _, err := db.CreateToken(ctx, "nightly-report", store.RoleAdmin); !errors.Is(err, adwatch.ErrConflict) {
		t.Errorf("CreateToken with another role error = %v, want ErrConflict", err)
	}
	if _, err := db.CreateUser(ctx, "ana", "correct horse battery", store.RoleAnalyst); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "ana", store.RoleAnalyst); !errors.Is(err, adwatch.ErrConflict) {
		t.Errorf("CreateToken for a password user error = %v, want ErrConflict", err)
	}
	if _, err := db.CreateToken(ctx, "x", "root"); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("CreateToken with a bad role error = %v, want ErrInvalid", err)
	}
}
