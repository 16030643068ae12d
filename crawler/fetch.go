package crawler

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gocolly/colly/v2"

	"adwatch"
)

// session is one Crawl: one Colly collector with the crawl's context, limits
// and byte counter.
type session struct {
	c    *Crawler
	ctx  context.Context
	src  adwatch.Source
	emit Emit
	run  *runState
	col  *colly.Collector
	// seen dedupes document URLs within one crawl. It keeps 64-bit hashes,
	// not the URLs, so a crawl of 100,000 pages costs about 2 MB here.
	seen     map[uint64]struct{}
	seenSeed maphash.Seed
	// retryLater counts documents that failed in a way a later run may fix;
	// listings are then remembered without validators (see finishListing).
	retryLater atomic.Int64
}

// job is one GET and what to do with its answer.
type job struct {
	url   string
	key   string            // URL state key (the document URL); default CanonicalURL(url)
	known *adwatch.URLState // what State remembers, for conditional GET
	item  docItem           // the document a listing named
	// filled in by the collector
	attempt int
	done    chan *result
}

// result is the outcome of a job after retries.
type result struct {
	job         *job
	url         string // final URL after redirects
	status      int
	header      http.Header
	body        []byte
	notModified bool
	err         error
	fetchedAt   time.Time
}

const jobKey = "adwatch_job"

func (c *Crawler) newSession(ctx context.Context, src adwatch.Source, emit Emit, r *runState) *session {
	col := colly.NewCollector()
	// Policy is set after NewCollector so COLLY_* environment variables
	// cannot override it.
	col.UserAgent = c.cfg.UserAgent
	col.IgnoreRobotsTxt = false
	col.Async = true
	col.AllowURLRevisit = true // we dedupe ourselves; Colly's memory would turn redirects into errors
	col.MaxDepth = 0
	col.MaxRequests = 0
	col.AllowedDomains = nil
	col.DisallowedDomains = nil
	col.URLFilters = nil
	col.DisallowedURLFilters = nil
	col.CacheDir = ""
	col.CheckHead = false
	col.TraceHTTP = false
	col.ParseHTTPErrorResponse = false // non-2xx go to OnError, 304 included
	// The cap is enforced (with an error, not a silent cut) by
	// meteredTransport; Colly's own limit is only a backstop.
	limit := c.cfg.MaxBodyBytes
	if src.Type == adwatch.SourceList {
		limit = c.cfg.MaxListBytes
	}
	col.MaxBodySize = int(limit) + 1
	// Colly's charset detection would guess at PDFs and transcode them, and
	// it ignores meta and XML declarations; normalize (decode.go) decodes
	// instead. Colly still decodes bodies whose Content-Type names a
	// charset, which normalize accounts for.
	col.DetectCharset = false
	col.Context = ctx
	col.WithTransport(&meteredTransport{ctx: ctx, base: c.transport, limit: limit, bytes: &r.bytes})
	col.SetRequestTimeout(c.cfg.RequestTimeout)
	col.SetRedirectHandler(c.checkRedirect)
	// LimitRule.Init only fails without a pattern; ours has one.
	_ = col.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: c.cfg.PerHostParallelism, Delay: c.cfg.Delay})

	s := &session{c: c, ctx: ctx, src: src, emit: emit, run: r, col: col, seen: map[uint64]struct{}{}, seenSeed: maphash.MakeSeed()}
	col.OnRequest(s.onRequest)
	col.OnResponse(s.onResponse)
	col.OnError(s.onError)
	return s
}

// firstSight reports whether url is seen for the first time in this crawl.
func (s *session) firstSight(url string) bool {
	h := maphash.String(s.seenSeed, url)
	if _, ok := s.seen[h]; ok {
		return false
	}
	s.seen[h] = struct{}{}
	return true
}

// close waits for every request the collector still runs (they end quickly
// once the context is done).
func (s *session) close() { s.col.Wait() }

func (c *Crawler) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.cfg.MaxRedirects {
		return fmt.Errorf("stopped after %d redirects", c.cfg.MaxRedirects)
	}
	// A page may redirect to itself once (to set a session cookie); a URL
	// reached a third time is a loop.
	seen := 0
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			seen++
		}
	}
	if seen >= 2 {
		return fmt.Errorf("redirect loop at %s", req.URL)
	}
	return nil
}

func jobOf(ctx *colly.Context) *job {
	j, _ := ctx.GetAny(jobKey).(*job)
	return j
}

// onRequest adds the conditional-GET validators State remembers.
func (s *session) onRequest(r *colly.Request) {
	j := jobOf(r.Ctx)
	if j == nil || j.known == nil {
		return
	}
	if j.known.ETag != "" {
		r.Headers.Set("If-None-Match", j.known.ETag)
	}
	if j.known.LastModified != "" {
		r.Headers.Set("If-Modified-Since", j.known.LastModified)
	}
}

func (s *session) onResponse(r *colly.Response) {
	j := jobOf(r.Ctx)
	if j == nil {
		return
	}
	s.run.page(false)
	j.done <- &result{job: j, url: r.Request.URL.String(), status: r.StatusCode,
		header: headerOf(r), body: r.Body, fetchedAt: s.c.now().UTC()}
}

func (s *session) onError(r *colly.Response, err error) {
	j := jobOf(r.Ctx)
	if j == nil {
		return
	}
	res := &result{job: j, status: r.StatusCode, header: headerOf(r), fetchedAt: s.c.now().UTC()}
	if r.Request != nil && r.Request.URL != nil {
		res.url = r.Request.URL.String()
	}
	if r.StatusCode != 0 {
		s.run.page(r.StatusCode == http.StatusNotModified)
	}
	if r.StatusCode == http.StatusNotModified {
		res.notModified = true
		j.done <- res
		return
	}
	if r.StatusCode != 0 {
		err = fmt.Errorf("HTTP %d", r.StatusCode)
	} else if timeoutErr(err) && s.ctx.Err() == nil {
		err = fmt.Errorf("timeout after %s: %w", s.c.cfg.RequestTimeout, err)
	}
	if wait, ok := s.retryable(r, err, j); ok && r.Request != nil {
		j.attempt++
		s.c.log.DebugContext(s.ctx, "retrying", "url", j.url, "attempt", j.attempt, "wait", wait, "error", err)
		t := time.NewTimer(wait)
		select {
		case <-s.ctx.Done():
			t.Stop()
			err = s.ctx.Err()
		case <-t.C:
			rerr := r.Request.Retry()
			if rerr == nil {
				return
			}
			err = fmt.Errorf("retry: %w", rerr)
		}
	}
	res.err = err
	j.done <- res
}

func headerOf(r *colly.Response) http.Header {
	if r.Headers == nil {
		return http.Header{}
	}
	return r.Headers.Clone()
}

// submit starts j. Errors Colly reports before any request (robots.txt
// forbids the URL, the URL is invalid) are returned here.
func (s *session) submit(j *job) error {
	j.done = make(chan *result, 1)
	cctx := colly.NewContext()
	cctx.Put(jobKey, j)
	if err := s.col.Request(http.MethodGet, j.url, nil, cctx, nil); err != nil {
		if errors.Is(err, colly.ErrRobotsTxtBlocked) {
			return fmt.Errorf("forbidden by robots.txt: %w", err)
		}
		return err
	}
	return nil
}

// wait returns j's result, or the context's error.
func (s *session) wait(j *job) *result {
	select {
	case res := <-j.done:
		return res
	case <-s.ctx.Done():
		return &result{job: j, url: j.url, err: s.ctx.Err()}
	}
}

// get fetches one URL and waits for it.
func (s *session) get(j *job) *result {
	if err := s.submit(j); err != nil {
		return &result{job: j, url: j.url, err: err}
	}
	return s.wait(j)
}

// getAll makes up to n jobs with mk (nil: nothing to fetch for that index)
// on this goroutine, keeps a bounded number in flight, and hands the results
// to handle on a few goroutines at once, so emit (extraction, storing) runs
// in parallel with fetching and with itself. It stops at handle's first
// error.
func (s *session) getAll(n int, mk func(i int) *job, handle func(*result) error) error {
	window := max(4*s.c.cfg.PerHostParallelism, 8)
	handlers := max(2, runtime.GOMAXPROCS(0))
	ctx, cancel := context.WithCancelCause(s.ctx)
	defer cancel(nil)
	work := make(chan *result)
	var wg sync.WaitGroup
	for range handlers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for res := range work {
				if ctx.Err() != nil {
					continue // drain after a failure
				}
				if err := handle(res); err != nil {
					cancel(err)
				}
			}
		}()
	}
	type slot struct {
		j   *job
		err error // submit failed
	}
	var inflight []slot
	next := 0
	for ctx.Err() == nil && (next < n || len(inflight) > 0) {
		for next < n && len(inflight) < window {
			j := mk(next)
			next++
			if j == nil {
				continue
			}
			inflight = append(inflight, slot{j, s.submit(j)})
		}
		if len(inflight) == 0 {
			break
		}
		sl := inflight[0]
		inflight = inflight[1:]
		res := &result{job: sl.j, url: sl.j.url, err: sl.err}
		if sl.err == nil {
			res = s.wait(sl.j)
		}
		select {
		case work <- res:
		case <-ctx.Done():
		}
	}
	close(work)
	wg.Wait()
	return context.Cause(ctx)
}

// known looks url up in State; unknown URLs and State errors give nil (a
// State error is logged: refetching is the safe side).
func (s *session) known(url string) *adwatch.URLState {
	if s.c.state == nil {
		return nil
	}
	st, err := s.c.state.URLState(s.ctx, url)
	if err != nil {
		if !errors.Is(err, adwatch.ErrNotFound) {
			s.c.log.WarnContext(s.ctx, "url state lookup failed", "source", s.src.Name, "url", url, "error", err)
		}
		return nil
	}
	return &st
}

// fresh reports whether a document known as st need not be requested again:
// it was fetched within Revalidate and the listing does not say it changed
// since (updated is the listing's updated/published time, if any).
func (s *session) fresh(st *adwatch.URLState, updated *time.Time) bool {
	if st == nil || st.FetchedAt.IsZero() || st.Status >= 400 {
		return false
	}
	if s.c.now().Sub(st.FetchedAt) >= s.c.cfg.Revalidate {
		return false
	}
	if updated != nil {
		ref := st.FetchedAt
		if st.Updated != nil {
			ref = *st.Updated
		}
		if updated.After(ref) {
			return false
		}
	}
	return true
}

// putState records a listing page or a 304 answer.
func (s *session) putState(res *result) {
	if s.c.state == nil || res.url == "" {
		return
	}
	key := res.job.key
	if key == "" {
		key = CanonicalURL(res.job.url)
	}
	st := adwatch.URLState{URL: key, Source: s.src.Name, Status: res.status, FetchedAt: res.fetchedAt}
	if res.notModified && res.job.known != nil {
		prev := *res.job.known
		prev.FetchedAt = res.fetchedAt
		prev.Source = s.src.Name
		if et := res.header.Get("ETag"); et != "" {
			prev.ETag = et
		}
		if lm := res.header.Get("Last-Modified"); lm != "" {
			prev.LastModified = lm
		}
		st = prev
	} else {
		st.ETag = res.header.Get("ETag")
		st.LastModified = res.header.Get("Last-Modified")
		st.ContentHash = contentHash(res.body)
	}
	if err := s.c.state.PutURLState(s.ctx, st); err != nil {
		s.run.errorf("%s: save url state: %v", res.job.url, err)
	}
}
