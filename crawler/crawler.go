// Package crawler fetches documents from the sources adwatch watches: feeds,
// HTML listing pages, the Federal Register API and screening lists. It is
// polite (robots.txt, per-host limits, conditional GET, retries only for
// transient failures), incremental (it does not download what it already has)
// and safe against hostile input (size and time caps, gzip bombs, redirect
// loops, private-network targets refused at dial time).
//
// It knows HTTP, listings, feeds and source APIs. It must not know about
// advertisers, alerts or SQL: it hands each fetched document to an Emit
// function and remembers URLs through the State interface.
package crawler

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"adwatch"
)

// Config is the crawler's policy. Zero values take the defaults below.
//
// Recommended production settings: PerHostParallelism 2, Delay 1s (the
// Federal Register asks for no more than a few requests per second; a Delay of
// at least 250ms keeps a federalregister source under that), MaxBodyBytes
// 10 MiB, RequestTimeout 30s.
type Config struct {
	UserAgent            string        // default "adwatch/1.0 (+https://example.com/contact)"
	AllowPrivateNetworks bool          // false: refuse loopback/private/link-local/metadata/unspecified/multicast addresses at dial time
	MaxBodyBytes         int64         // default 10 MiB: streamed and cut (decompressed size counts)
	PerHostParallelism   int           // default 2
	Delay                time.Duration // per-host delay between requests; 0 = off
	RequestTimeout       time.Duration // total time per request incl. body; default 30s
	MaxRedirects         int           // default 10; loops are errors
	MaxRetries           int           // default 3; negative: no retries
	Revalidate           time.Duration // default 7*24h; negative: always revalidate
	MaxPages             int           // default 20 listing pages per html/federalregister source
	// MaxListBytes caps the body of a screening-list file (type list), which
	// is one large file rather than a document: default 64 MiB.
	MaxListBytes int64
}

// Defaults.
const (
	DefaultUserAgent      = "adwatch/1.0 (+https://example.com/contact)"
	DefaultMaxBodyBytes   = 10 << 20
	DefaultParallelism    = 2
	DefaultRequestTimeout = 30 * time.Second
	DefaultMaxRedirects   = 10
	DefaultMaxRetries     = 3
	DefaultRevalidate     = 7 * 24 * time.Hour
	DefaultMaxPages       = 20
	DefaultMaxListBytes   = 64 << 20
	// maxRetryAfter caps how long a Retry-After header can make us wait.
	maxRetryAfter = 2 * time.Minute
)

func (cfg Config) withDefaults() Config {
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.PerHostParallelism <= 0 {
		cfg.PerHostParallelism = DefaultParallelism
	}
	if cfg.Delay < 0 {
		cfg.Delay = 0
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Revalidate == 0 {
		cfg.Revalidate = DefaultRevalidate
	}
	if cfg.MaxPages <= 0 {
		cfg.MaxPages = DefaultMaxPages
	}
	if cfg.MaxListBytes <= 0 {
		cfg.MaxListBytes = max(DefaultMaxListBytes, cfg.MaxBodyBytes)
	}
	return cfg
}

// State is the crawl memory kept in PostgreSQL (store.DB implements it).
type State interface {
	URLState(ctx context.Context, url string) (adwatch.URLState, error) // adwatch.ErrNotFound when unknown
	PutURLState(ctx context.Context, st adwatch.URLState) error
}

// BatchState is a State that answers for many URLs at once. When State is
// one, the crawler asks about a listing's documents a window at a time (one
// round trip per stateBatch documents instead of one per document).
type BatchState interface {
	// URLStates returns the state of each URL it knows, keyed as asked;
	// unknown URLs are absent.
	URLStates(ctx context.Context, urls []string) (map[string]adwatch.URLState, error)
}

// stateBatch is how many documents' state one BatchState call asks for.
const stateBatch = 256

// Emit receives each fetched document. The crawler does not write URL state
// for documents it emits (the store writes it in the same transaction as the
// document); it writes URL state only for listing pages and for 304 answers.
//
// Emit may be called from a few goroutines at once. Fetched.URL is the
// canonical URL the listing named (State is asked about that URL next time);
// Meta["final_url"] is set when redirects ended elsewhere. Meta keys by
// source type:
//
//	feed:            title, published, updated (RFC 3339), summary, feed_title
//	html:            title (link text), listing_url
//	federalregister: title, document_number, publication_date, published,
//	                 agencies ("; "-joined), html_url, type, abstract, body_url
//	list:            title, published, start_date, list_source, programs,
//	                 federal_register_notice
//	any HTML page:   canonical_url (from <link rel=canonical>)
type Emit func(ctx context.Context, f adwatch.Fetched) error

// Crawler crawls sources. It is safe for concurrent use: each Crawl gets its
// own collector, while connections are pooled across crawls.
type Crawler struct {
	cfg       Config
	state     State
	log       *slog.Logger
	transport *http.Transport
	// exempt lists dial addresses ("ip:port") allowed even though they are
	// private; tests use it to serve from loopback while checking that every
	// other private target is refused.
	exempt sync.Map
	// now is the clock; tests may replace it.
	now func() time.Time
}

// New returns a Crawler with cfg (defaults filled in), remembering URLs in
// state. A nil logger discards logs.
func New(cfg Config, state State, logger *slog.Logger) *Crawler {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Crawler{cfg: cfg, state: state, log: logger, now: time.Now}
	c.transport = c.newTransport()
	return c
}

// Config returns the effective configuration, defaults filled in.
func (c *Crawler) Config() Config { return c.cfg }

// Crawl fetches what is new at src and hands each document to emit. The
// returned error (also in run.Err) means the source failed as a whole;
// per-document problems are listed in run.Errors.
func (c *Crawler) Crawl(ctx context.Context, src adwatch.Source, emit Emit) (adwatch.SourceRun, error) {
	r := &runState{run: adwatch.SourceRun{Source: src.Name, StartedAt: c.now().UTC()}}
	err := c.crawl(ctx, src, emit, r)
	run := r.result()
	run.Duration = c.now().Sub(run.StartedAt)
	if err != nil {
		run.Err = err.Error()
		c.log.WarnContext(ctx, "crawl failed", "source", src.Name, "error", err)
	}
	c.log.InfoContext(ctx, "crawl done", "source", src.Name, "pages", run.Pages,
		"unchanged", run.Unchanged, "items_seen", run.ItemsSeen, "bytes", run.Bytes,
		"errors", len(run.Errors), "duration", run.Duration)
	return run, err
}

func (c *Crawler) crawl(ctx context.Context, src adwatch.Source, emit Emit, r *runState) error {
	if emit == nil {
		return fmt.Errorf("crawl %s: nil emit: %w", src.Name, adwatch.ErrInvalid)
	}
	if src.URL == "" {
		return fmt.Errorf("crawl %s: no url: %w", src.Name, adwatch.ErrInvalid)
	}
	s := c.newSession(ctx, src, emit, r)
	defer s.close()
	var err error
	switch src.Type {
	case adwatch.SourceFeed:
		err = s.crawlFeed()
	case adwatch.SourceHTML:
		err = s.crawlHTML()
	case adwatch.SourceFederalRegister:
		err = s.crawlFederalRegister()
	case adwatch.SourceList:
		err = s.crawlList()
	default:
		return fmt.Errorf("crawl %s: unknown source type %q: %w", src.Name, src.Type, adwatch.ErrInvalid)
	}
	if err != nil {
		return fmt.Errorf("crawl %s: %w", src.Name, err)
	}
	return nil
}

// runState accumulates a SourceRun from the collector's goroutines.
type runState struct {
	mu    sync.Mutex
	run   adwatch.SourceRun
	bytes atomic.Int64
}

func (r *runState) page(unchanged bool) {
	r.mu.Lock()
	r.run.Pages++
	if unchanged {
		r.run.Unchanged++
	}
	r.mu.Unlock()
}

// listingNotModified counts a listing answered 304: the run parsed nothing
// from it, which must not read as "the source listed nothing".
func (r *runState) listingNotModified() {
	r.mu.Lock()
	r.run.ListingsNotModified++
	r.mu.Unlock()
}

// items counts documents a listing named, whether or not they are fetched:
// known documents count too, so an unchanged source does not look empty.
func (r *runState) items(n int) {
	r.mu.Lock()
	r.run.ItemsSeen += n
	r.mu.Unlock()
}

// errorf records a per-page problem that does not fail the source.
func (r *runState) errorf(format string, args ...any) {
	r.mu.Lock()
	r.run.Errors = append(r.run.Errors, fmt.Sprintf(format, args...))
	r.mu.Unlock()
}

func (r *runState) result() adwatch.SourceRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	run := r.run
	run.Errors = append([]string(nil), r.run.Errors...)
	run.Bytes = r.bytes.Load()
	return run
}
