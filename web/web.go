// Package web serves the analysts: the HTML pages (search, documents, alerts
// triage, advertisers, source health, login) and the JSON API behind them.
//
// It reads and writes only through the Store interface and must not run SQL,
// crawl or send alerts. Every crawled string reaches the browser escaped by
// html/template; the only HTML taken as-is is the store's search snippet,
// which the store escapes itself.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"adwatch"
	"adwatch/store"
)

// Store is what the web layer needs from the database; *store.DB implements it.
type Store interface {
	Ping(ctx context.Context) error
	Search(ctx context.Context, q store.SearchQuery) (store.SearchResult, error)
	Document(ctx context.Context, id int64) (adwatch.Document, error)
	DocumentVersions(ctx context.Context, url string) ([]adwatch.Document, error)
	Alerts(ctx context.Context, f store.AlertFilter) ([]adwatch.Alert, error)
	Alert(ctx context.Context, id int64) (adwatch.Alert, error)
	DecideAlert(ctx context.Context, id int64, status, reason, who string) error
	Advertisers(ctx context.Context, activeOnly bool) ([]adwatch.Advertiser, error)
	ImportAdvertisers(ctx context.Context, ads []adwatch.Advertiser, replace bool) (store.ImportStats, error)
	SetAdvertiserActive(ctx context.Context, id string, active bool) error
	Sources(ctx context.Context) ([]adwatch.SourceHealth, error)
	Advertiser(ctx context.Context, id string) (adwatch.Advertiser, error)
	SetAdvertiserAliases(ctx context.Context, id string, aliases []string) error
	AdvertiserTimeline(ctx context.Context, id string) ([]store.MonthCount, error)
	AddSuppression(ctx context.Context, s store.Suppression) (store.Suppression, error)
	Suppressions(ctx context.Context) ([]store.Suppression, error)

	Authenticate(ctx context.Context, name, password string) (store.User, error)
	CreateSession(ctx context.Context, userID int64, ttl time.Duration) (token string, err error)
	SessionUser(ctx context.Context, token string) (store.User, error)
	DeleteSession(ctx context.Context, token string) error
	TokenUser(ctx context.Context, token string) (store.User, error)
}

// Deps are the parts the server works with.
type Deps struct {
	Store Store
	// AdvertisersChanged, when set, is called after an import, an
	// activation or an alias edit with the advertisers as they were before,
	// so new and re-activated ones are screened against the archive.
	AdvertisersChanged func(ctx context.Context, before []adwatch.Advertiser) error
	// RetryDeliveries, when set, puts an alert's failed deliveries (on one
	// channel, or all when channel is "") back in the queue and returns the
	// channels it queued.
	RetryDeliveries func(ctx context.Context, id int64, channel string) ([]string, error)
}

// Options tune the server.
type Options struct {
	// Auth requires a login or API token for everything but /healthz. Turn
	// it off only for local use.
	Auth   bool
	Logger *slog.Logger
	// Metrics, when set, is served at /metrics (behind authentication).
	Metrics http.Handler
	// SecureCookies marks the session cookie Secure: set it when served
	// over HTTPS.
	SecureCookies bool
}

// sessionTTL bounds how long a stolen cookie is useful.
const sessionTTL = 12 * time.Hour

type server struct {
	store Store
	deps  Deps
	opts  Options
	log   *slog.Logger
	tmpl  *templates
	guard *throttle
}

// New returns the HTTP handler for the UI and API.
func New(deps Deps, opts Options) http.Handler {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	s := &server{store: deps.Store, deps: deps, opts: opts, log: log, tmpl: mustTemplates(), guard: newThrottle()}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.logout)

	// Everything else needs a user; admin-only routes check the role too.
	reader := http.NewServeMux()
	if opts.Metrics != nil {
		reader.Handle("GET /metrics", opts.Metrics)
	}
	reader.HandleFunc("GET /api/search", s.apiSearch)
	reader.HandleFunc("GET /api/documents/{id}", s.apiDocument)
	reader.HandleFunc("GET /api/alerts", s.apiAlerts)
	reader.HandleFunc("GET /api/alerts/{id}", s.apiAlert)
	reader.HandleFunc("POST /api/alerts/{id}/retry", s.apiRetry)
	reader.HandleFunc("POST /api/alerts/{id}/{decision}", s.apiDecide)
	reader.HandleFunc("GET /api/advertisers", s.apiAdvertisers)
	reader.Handle("POST /api/advertisers", s.admin(s.apiImportAdvertisers))
	reader.Handle("POST /api/advertisers/{id}/{state}", s.admin(s.apiSetActive))
	reader.HandleFunc("GET /api/advertisers/{id}", s.apiAdvertiser)
	reader.Handle("POST /api/advertisers/{id}/aliases", s.admin(s.apiSetAliases))
	reader.HandleFunc("GET /api/suppressions", s.apiSuppressions)
	reader.HandleFunc("GET /api/sources", s.apiSources)
	reader.HandleFunc("/api/", s.apiNotFound)

	reader.HandleFunc("GET /{$}", s.searchPage)
	reader.HandleFunc("GET /search", s.searchPage)
	reader.HandleFunc("GET /documents/{id}", s.documentPage)
	reader.HandleFunc("GET /documents/{id}/raw", s.documentRaw)
	reader.HandleFunc("GET /alerts", s.alertsPage)
	reader.HandleFunc("POST /alerts/{id}/retry", s.retryPage)
	reader.HandleFunc("POST /alerts/{id}/{decision}", s.decidePage)
	reader.HandleFunc("GET /advertisers", s.advertisersPage)
	reader.Handle("POST /advertisers/import", s.admin(s.importPage))
	reader.Handle("POST /advertisers/{id}/{state}", s.admin(s.setActivePage))
	reader.HandleFunc("GET /advertisers/{id}", s.advertiserPage)
	reader.Handle("POST /advertisers/{id}/aliases", s.admin(s.setAliasesPage))
	reader.HandleFunc("GET /sources", s.sourcesPage)
	mux.Handle("/", s.authenticate(reader))

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, errForbidden("cross-origin request refused"))
	}))
	return s.logRequests(securityHeaders(csrf.Handler(mux)))
}

// securityHeaders sets a strict policy on every response: no scripts or
// styles from anywhere but us, no framing, no MIME sniffing.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.log.ErrorContext(ctx, "health check failed", slog.String("error", err.Error()))
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unavailable\n"))
		return
	}
	_, _ = w.Write([]byte("ok\n"))
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (s *server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			// A handler bug must cost one request, not leak a stack trace.
			if v := recover(); v != nil {
				s.log.ErrorContext(r.Context(), "handler panic", slog.Any("panic", v), slog.String("path", r.URL.Path))
				if sw.status == 0 {
					http.Error(sw, "internal error", http.StatusInternalServerError)
				}
			}
			// The query string can carry search terms; the path is enough.
			s.log.InfoContext(r.Context(), "http request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Duration("duration", time.Since(start)))
		}()
		next.ServeHTTP(sw, r)
	})
}
