package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
	_ "time/tzdata" // CRON_TZ schedules work without the host's zoneinfo

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"adwatch/web"
)

// serveWeb serves the UI and API until ctx is done, then drains requests.
func (a *app) serveWeb(ctx context.Context) error {
	return a.serveWebMetrics(ctx, promhttp.Handler())
}

// serveWebMetrics is serveWeb with the /metrics handler of this process.
func (a *app) serveWebMetrics(ctx context.Context, metrics http.Handler) error {
	h := web.New(web.Deps{Store: a.db, AdvertisersChanged: a.rescreenAfterWeb, RetryDeliveries: a.retryDeliveries}, web.Options{
		Auth:          a.cfg.Web.Auth,
		Logger:        a.e.logger,
		Metrics:       metrics,
		SecureCookies: strings.HasPrefix(a.cfg.Web.BaseURL, "https://"),
	})
	return a.listen(ctx, a.cfg.Web.Listen, h, "web UI and API listening")
}

// listen serves h on addr until ctx is done, then lets requests in flight
// finish for up to 10 seconds.
func (a *app) listen(ctx context.Context, addr string, h http.Handler, msg string) error {
	srv := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return failed(fmt.Errorf("web: listen on %s: %w (set web.listen or ADWATCH_LISTEN)", addr, err))
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.e.logger.Info(msg, "addr", ln.Addr().String(), "auth", a.cfg.Web.Auth)
	select {
	case err := <-errc:
		return failed(fmt.Errorf("web: %w", err))
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return failed(fmt.Errorf("web shutdown: %w", err))
	}
	return nil
}

func cmdServe(ctx context.Context, e *env, args []string) error {
	f := newFlags("serve", "serve [--config FILE]", e, false)
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	m := newMetrics(a.db, e.logger)
	stop, err := a.startWorkers(ctx, m)
	if err != nil {
		return err
	}
	// The web server stops first (ctx is done), then the jobs drain.
	defer stop()
	return a.serveWebMetrics(ctx, promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
}

func cmdWorker(ctx context.Context, e *env, args []string) error {
	f := newFlags("worker", "worker [--config FILE] [--listen ADDR]", e, false)
	listen := f.String("listen", "", "serve /metrics and /healthz on this address (default: none)")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() > 0 {
		return usageError("worker takes no arguments, got %q", f.Args())
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	m := newMetrics(a.db, e.logger)
	stop, err := a.startWorkers(ctx, m)
	if err != nil {
		return err
	}
	defer stop()
	e.logger.Info("worker running; SIGTERM or Ctrl-C stops it")
	if *listen != "" {
		return a.listen(ctx, *listen, opsHandler(a, m), "metrics listening")
	}
	<-ctx.Done()
	return nil
}

// opsHandler is a worker's small HTTP surface: metrics and health, no UI.
func opsHandler(a *app, m *metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := a.db.SQL().PingContext(ctx); err != nil {
			a.e.logger.Warn("healthz: database", "err", err)
			http.Error(w, "database unreachable", http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, "ok\n") //nolint:errcheck // client gone
	})
	return mux
}

// startWorkers works crawl and delivery jobs, and enqueues scheduled crawls
// while this process is the leader, until the returned stop is called; stop
// lets running jobs finish within crawler.shutdown_grace, then cancels them
// (another process resumes them).
func (a *app) startWorkers(ctx context.Context, m *metrics) (func(), error) {
	if err := a.db.SyncSources(ctx, a.cfg.Sources); err != nil {
		return nil, failed(fmt.Errorf("sync sources: %w", err))
	}
	ns, err := notifiers(a.cfg, a.e)
	if err != nil {
		return nil, err
	}
	periodic, err := periodicJobs(a.cfg)
	if err != nil {
		return nil, err
	}
	client, err := newRiver(a, riverOptions{notifiers: ns, periodic: periodic, obs: m})
	if err != nil {
		return nil, failed(err)
	}
	m.watch(client)
	if err := client.Start(context.WithoutCancel(ctx)); err != nil {
		return nil, failed(fmt.Errorf("start workers: %w", err))
	}
	for _, src := range a.cfg.Sources {
		a.e.logger.Info("scheduled", "source", src.Name, "schedule", cmp.Or(src.Schedule, a.cfg.Crawler.Schedule))
	}
	wctx, stopWatch := context.WithCancel(context.WithoutCancel(ctx))
	go watchOrphans(wctx, a, 2*time.Second)
	return func() {
		stopWatch()
		stopRiver(client, a.cfg.Crawler.ShutdownGrace, a.e.logger)
	}, nil
}
