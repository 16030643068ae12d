package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"unicode"

	"adwatch/store"
)

const cookieName = "adwatch_session"

type userKey struct{}

// localUser stands in when authentication is turned off (local use only).
var localUser = store.User{Name: "local", Role: store.RoleAdmin}

func userFrom(ctx context.Context) (store.User, bool) {
	u, ok := ctx.Value(userKey{}).(store.User)
	return u, ok
}

// authenticate lets a request through with its user in the context: from an
// `Authorization: Bearer` API token or the session cookie. Without either,
// the API answers 401 and pages redirect to the login form.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.opts.Auth {
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, localUser)))
			return
		}
		u, err := s.userOf(r)
		if err != nil {
			if !errors.Is(err, store.ErrBadCredentials) {
				s.fail(w, r, err)
				return
			}
			if isAPI(r) || r.Method != http.MethodGet || r.Header.Get("Authorization") != "" {
				w.Header().Set("WWW-Authenticate", `Bearer realm="adwatch"`)
				s.fail(w, r, errUnauthenticated)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

func (s *server) userOf(r *http.Request) (store.User, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, token, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return store.User{}, store.ErrBadCredentials
		}
		return s.store.TokenUser(r.Context(), strings.TrimSpace(token))
	}
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return store.User{}, store.ErrBadCredentials
	}
	return s.store.SessionUser(r.Context(), c.Value)
}

// admin refuses (403) users who are not admins.
func (s *server) admin(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := userFrom(r.Context()); !ok || !u.IsAdmin() {
			s.fail(w, r, errForbidden("this needs the admin role"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *server) loginPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest("bad form"))
		return
	}
	name, password := r.PostForm.Get("name"), r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	key := loginKey(r, name)
	if s.guard.blocked(key) {
		s.log.WarnContext(r.Context(), "login throttled", slog.String("user", name))
		s.render(w, r, http.StatusTooManyRequests, "login", map[string]any{
			"Next": next, "Name": name, "Error": "Too many failed attempts. Try again later.",
		})
		return
	}
	u, err := s.store.Authenticate(r.Context(), name, password)
	if errors.Is(err, store.ErrBadCredentials) {
		s.guard.fail(key)
		s.log.WarnContext(r.Context(), "login refused", slog.String("user", name))
		s.render(w, r, http.StatusUnauthorized, "login", map[string]any{
			"Next": next, "Name": name, "Error": "Wrong name or password.",
		})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.guard.succeed(key)
	token, err := s.store.CreateSession(r.Context(), u.ID, sessionTTL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: token, Path: "/", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies,
	})
	s.log.InfoContext(r.Context(), "login", slog.String("user", u.Name))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(cookieName); err == nil && c.Value != "" {
		if err := s.store.DeleteSession(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.opts.SecureCookies,
	})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// safeNext keeps post-login redirects on this site: a path, never a scheme
// or another host (`//evil.example`, `/\evil.example`, or `/<tab>/evil.example`,
// which browsers read as `//evil.example` after dropping the tab).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.ContainsRune(next, '\\') || strings.ContainsFunc(next, unicode.IsControl) {
		return "/"
	}
	return next
}
