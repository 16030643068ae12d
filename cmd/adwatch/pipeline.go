package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"adwatch"
	"adwatch/crawler"
	"adwatch/extract"
	"adwatch/store"
)

// saveBatch is how many documents one transaction stores: enough that a crawl
// never pays one fsync per page and that the statements' fixed costs
// (parsing, planning, round trips, the commit) are spread thin, few enough
// that a crash loses little work (the crawl state is written in the same
// transaction, so what was not committed is simply fetched again).
const saveBatch = 128

// saveWait bounds how long an extracted document waits for its batch to
// fill: a polite crawl (a delay of seconds per page) still stores, and
// alerts, within seconds of each fetch.
const saveWait = 2 * time.Second

// saveConcurrency is how many batches are stored at once. Storing a
// document costs PostgreSQL about as much CPU as extracting it costs
// adwatch (its full-text vector alone ~0.85 ms), so one save at a time
// keeps PostgreSQL on one core; two let it use a second. Batches take their
// locks in sorted order, so concurrent saves cannot deadlock.
const saveConcurrency = 2

// pipeline is the nightly flow for one source: crawler → extract → store,
// with delivery jobs enqueued by the store's transaction hook.
type pipeline struct {
	db        *store.DB
	crawler   *crawler.Crawler
	extractor *extract.Extractor
	channels  []string
	hook      store.AlertHook
	logger    *slog.Logger
	// obs, when set, sees each document and batch as it happens (metrics,
	// live progress); it must be cheap and safe for concurrent use.
	obs observer
}

// observer watches a crawl as it happens.
type observer interface {
	fetched(source string, bytes int, extract time.Duration, extractFailed bool)
	stored(source string, newDocs int, alerts []adwatch.Alert)
	finished(run adwatch.SourceRun)
}

// crawlSource crawls one source, stores what is new and records the run. A
// failed source is reported in run.Err, never by stopping the other sources.
func (p *pipeline) crawlSource(ctx context.Context, src adwatch.Source) adwatch.SourceRun {
	start := time.Now()
	b := newBatcher(ctx, p)
	run, err := p.crawler.Crawl(ctx, src, b.emit)
	if ferr := b.flush(); ferr != nil && err == nil {
		err = ferr
	}
	run.Source = src.Name
	run.StartedAt = start
	run.Duration = time.Since(start)
	run.NewDocuments = b.newDocs
	run.Alerts = b.alerts
	run.Errors = append(run.Errors, b.pageErrs...)
	if err != nil {
		run.Err = err.Error()
	}
	// Record the run even when ctx was cancelled: the operators must see it.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if rerr := p.db.RecordRun(rctx, run); rerr != nil {
		p.logger.Error("record source run", "source", src.Name, "err", rerr)
	}
	if p.obs != nil {
		p.obs.finished(run)
	}
	return run
}

// batcher collects extracted documents and stores them in batches. emit is
// called from the crawler's few handler goroutines: they extract and append,
// and hand a full batch to the savers (saveConcurrency goroutines) without
// storing it themselves, so extraction goes on while batches are stored. The
// queue holds one batch per saver: when the database is the slower side,
// emit waits there, which holds the crawl back.
type batcher struct {
	p        *pipeline
	ctx      context.Context // the crawl's; saves outlive its cancellation
	queue    chan []adwatch.Document
	savers   sync.WaitGroup
	mu       sync.Mutex // pending, gen, closed, err and the counters
	pending  []adwatch.Document
	gen      int  // counts the batches taken from pending, so a late timer knows its batch is gone
	closed   bool // flush has run: nothing more goes into the queue
	sending  sync.WaitGroup
	err      error // the first failed save: the crawl stops
	newDocs  int
	alerts   int // counted, not kept: a 100,000-page crawl must not hold its alerts
	pageErrs []string
}

// newBatcher starts the savers; flush stops them.
func newBatcher(ctx context.Context, p *pipeline) *batcher {
	b := &batcher{p: p, ctx: ctx, queue: make(chan []adwatch.Document, saveConcurrency)}
	for range saveConcurrency {
		b.savers.Add(1)
		go func() {
			defer b.savers.Done()
			for docs := range b.queue {
				if b.failed() != nil {
					continue // the crawl is stopping; what is queued is dropped, and fetched again next run
				}
				if err := b.store(docs); err != nil {
					b.mu.Lock()
					if b.err == nil {
						b.err = err
					}
					b.mu.Unlock()
				}
			}
		}()
	}
	return b
}

func (b *batcher) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

func (b *batcher) emit(ctx context.Context, f adwatch.Fetched) error {
	start := time.Now()
	doc := b.p.document(ctx, f) // extraction runs outside any lock, in parallel
	if b.p.obs != nil {
		b.p.obs.fetched(f.Source, len(f.Body), time.Since(start), doc.Meta["extract_error"] != "")
	}
	b.mu.Lock()
	if b.err != nil {
		err := b.err
		b.mu.Unlock()
		return err
	}
	if doc.Meta["extract_error"] != "" {
		b.pageErrs = append(b.pageErrs, fmt.Sprintf("%s: extract: %s", doc.URL, doc.Meta["extract_error"]))
	}
	b.pending = append(b.pending, doc)
	if len(b.pending) == 1 {
		gen := b.gen
		time.AfterFunc(saveWait, func() { b.flushStale(gen) })
	}
	var full []adwatch.Document
	if len(b.pending) >= saveBatch {
		full = b.take()
	}
	b.mu.Unlock()
	b.send(full)
	return nil
}

// take empties pending for the queue; b.mu is held. send must follow.
func (b *batcher) take() []adwatch.Document {
	docs := b.pending
	b.pending = nil
	b.gen++
	if len(docs) > 0 {
		b.sending.Add(1)
	}
	return docs
}

// send queues docs taken from pending (none: nothing to do).
func (b *batcher) send(docs []adwatch.Document) {
	if len(docs) == 0 {
		return
	}
	defer b.sending.Done()
	b.queue <- docs // the savers always drain the queue: this cannot block forever
}

// flushStale queues the batch gen when it is still pending saveWait after
// its first document came.
func (b *batcher) flushStale(gen int) {
	b.mu.Lock()
	var docs []adwatch.Document
	if !b.closed && b.gen == gen {
		docs = b.take()
	}
	b.mu.Unlock()
	b.send(docs)
}

// flush stores what is pending, waits for the savers and returns the first
// failed save's error. The batcher takes no more documents after it.
func (b *batcher) flush() error {
	b.mu.Lock()
	docs := b.take()
	b.closed = true
	b.mu.Unlock()
	b.send(docs)
	b.sending.Wait() // a batch a timer took is queued before the queue closes
	close(b.queue)
	b.savers.Wait()
	return b.failed()
}

// store saves one batch. A cancelled crawl still commits what it already
// fetched and extracted.
func (b *batcher) store(docs []adwatch.Document) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(b.ctx), time.Minute)
	defer cancel()
	res, err := b.p.db.SaveDocuments(sctx, docs, b.p.channels, b.p.hook)
	if err != nil {
		return fmt.Errorf("store %d documents: %w", len(docs), err)
	}
	newDocs := 0
	var raised []adwatch.Alert
	for _, r := range res {
		if r.New {
			newDocs++
		}
		raised = append(raised, r.Alerts...)
	}
	b.mu.Lock()
	b.newDocs += newDocs
	b.alerts += len(raised)
	b.mu.Unlock()
	if b.p.obs != nil {
		b.p.obs.stored(docs[0].Source, newDocs, raised)
	}
	return nil
}

// document turns a fetched response into an archive document. Extraction
// failures keep the document (with its raw evidence) and note the error:
// nothing fetched is lost because a parser choked on it.
func (p *pipeline) document(ctx context.Context, f adwatch.Fetched) adwatch.Document {
	in := extract.Input{
		Name: f.URL, URL: f.URL, ContentType: f.ContentType, Kind: f.Kind,
		Source: f.Source, Body: f.Body, Meta: f.Meta,
	}
	meta := map[string]string{}
	for k, v := range f.Meta {
		meta[k] = v
	}
	ext, err := p.extractor.Extract(ctx, in)
	if err != nil {
		meta["extract_error"] = err.Error()
		p.logger.Warn("extract", "source", f.Source, "url", f.URL, "err", err)
	}
	doc := adwatch.Document{
		URL:          documentURL(f.URL, ext.CanonicalURL),
		Title:        documentTitle(ext.Title, f),
		Source:       f.Source,
		Kind:         f.Kind,
		PublishedAt:  ext.Published,
		FetchedAt:    f.FetchedAt,
		Text:         ext.Text,
		Meta:         meta,
		ContentType:  f.ContentType,
		Companies:    ext.Companies,
		CompanySpans: ext.Spans,
		Matches:      ext.Matches,
		RawHeader:    f.Header,
		Raw:          f.Body,
		Status:       f.Status,
		FinalURL:     f.URL,
	}
	if doc.PublishedAt == nil {
		doc.PublishedAt = parseDate(f.Meta["published"])
	}
	if doc.FetchedAt.IsZero() {
		doc.FetchedAt = time.Now().UTC()
	}
	doc.ContentHash = contentHash(doc.Title, doc.Text, f.Body, err != nil)
	return doc
}

// contentHash identifies a document version by what a reader sees (title and
// text), not by the raw bytes: rotating ads, session tokens and timestamps in
// page chrome must not make a new version every night. When extraction
// failed, the raw bytes are all we have.
func contentHash(title, text string, raw []byte, extractFailed bool) string {
	h := sha256.New()
	if extractFailed || text == "" {
		h.Write(raw)
	} else {
		h.Write([]byte(title))
		h.Write([]byte{0})
		h.Write([]byte(text))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// documentURL picks the canonical URL: the page's rel=canonical when it stays
// on the same host (a page must not claim another site's URL), else the URL
// it was fetched from, without tracking parameters.
func documentURL(fetched, canonical string) string {
	if canonical != "" {
		cu, err1 := url.Parse(canonical)
		fu, err2 := url.Parse(fetched)
		if err1 == nil && err2 == nil && strings.EqualFold(cu.Hostname(), fu.Hostname()) && (cu.Scheme == "http" || cu.Scheme == "https") {
			return crawler.CanonicalURL(canonical)
		}
	}
	return crawler.CanonicalURL(fetched)
}

// documentTitle prefers the document's own title markup, but a plain-text
// body (a Federal Register raw text, a screening-list entry) has none: its
// first line is only a guess, and the title the source's API or feed gave is
// better.
func documentTitle(extracted string, f adwatch.Fetched) string {
	if strings.HasPrefix(strings.ToLower(f.ContentType), "text/plain") {
		return firstNonEmpty(f.Meta["title"], extracted, f.URL)
	}
	return firstNonEmpty(extracted, f.Meta["title"], f.URL)
}

func parseDate(s string) *time.Time {
	for _, layout := range []string{time.RFC3339, "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t
		}
	}
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
