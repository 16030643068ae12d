package web

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"adwatch"
	"adwatch/store"
)

// publicError is an error whose message was written for users: it says what
// was wrong with their request and nothing about our insides.
type publicError struct {
	status int
	msg    string
}

func (e *publicError) Error() string { return e.msg }

func errBadRequest(msg string) error { return &publicError{http.StatusBadRequest, msg} }
func errForbidden(msg string) error  { return &publicError{http.StatusForbidden, msg} }

// errUnauthenticated is returned when no valid session or token came along.
var errUnauthenticated = &publicError{http.StatusUnauthorized, "authentication required"}

// statusOf is the one table from errors to HTTP status and the message shown.
// Anything not listed is a 500 whose cause goes to the log only.
func statusOf(err error) (int, string) {
	var pe *publicError
	switch {
	case errors.As(err, &pe):
		return pe.status, pe.msg
	case errors.Is(err, adwatch.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, adwatch.ErrInvalid):
		return http.StatusBadRequest, "invalid request"
	case errors.Is(err, adwatch.ErrConflict):
		return http.StatusConflict, "conflict with the current state"
	case errors.Is(err, store.ErrBadCredentials):
		return http.StatusUnauthorized, "authentication required"
	default:
		return http.StatusInternalServerError, "internal error"
	}
}

func isAPI(r *http.Request) bool {
	return r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/")
}

// fail answers with the error: JSON for the API, a page for people.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", slog.String("method", r.Method),
			slog.String("path", r.URL.Path), slog.String("error", err.Error()))
	}
	if isAPI(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	s.render(w, r, status, "error", map[string]any{"Status": status, "Message": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

func (s *server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, adwatch.ErrNotFound)
}
