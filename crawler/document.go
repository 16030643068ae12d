package crawler

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/gocolly/colly/v2"

	"adwatch"
)

// docItem is a document a listing named.
type docItem struct {
	url     string            // where to fetch the body
	docURL  string            // the URL emitted and remembered; default CanonicalURL(url)
	meta    map[string]string // what the listing said
	updated *time.Time        // the listing's updated/published time, if any
}

// documentURL is the URL the item is emitted and remembered under.
func (it docItem) documentURL() string {
	if it.docURL != "" {
		return it.docURL
	}
	return CanonicalURL(it.url)
}

// fetchDocs fetches the items State does not already have (or that the
// listing says changed), in order, and emits each. Per-document failures are
// recorded in the run; an emit error stops the crawl.
func (s *session) fetchDocs(items []docItem) error {
	// Jobs are made as the window advances, so a long listing costs one
	// docItem per entry, not a job and a State lookup up front.
	states := &stateWindow{s: s, items: items}
	states.batch, _ = s.c.state.(BatchState)
	return s.getAll(len(items), func(i int) *job {
		it := items[i]
		it.docURL = it.documentURL()
		if !s.firstSight(it.docURL) {
			return nil
		}
		known := states.known(i, it.docURL)
		if s.fresh(known, it.updated) {
			return nil
		}
		return &job{url: it.url, key: it.docURL, known: known, item: it}
	}, func(res *result) error {
		return s.handleDoc(res.job.item, res)
	})
}

// stateWindow looks up the crawl state of a listing's documents stateBatch
// at a time when State is a BatchState, and one by one otherwise.
type stateWindow struct {
	s     *session
	items []docItem
	upTo  int        // items[:upTo] were asked for
	batch BatchState // nil: State cannot answer in batches, or failed to
	got   map[string]adwatch.URLState
}

// known returns the state of items[i] (whose document URL is docURL), or
// nil when it is unknown. Calls come in increasing i from one goroutine.
func (w *stateWindow) known(i int, docURL string) *adwatch.URLState {
	if w.batch == nil {
		return w.s.known(docURL)
	}
	if i >= w.upTo {
		end := min(i+stateBatch, len(w.items))
		urls := make([]string, 0, end-i)
		for _, it := range w.items[i:end] {
			urls = append(urls, it.documentURL())
		}
		w.upTo = end
		got, err := w.batch.URLStates(w.s.ctx, urls)
		if err != nil {
			// Asking one by one still works; the crawl goes on.
			w.s.c.log.WarnContext(w.s.ctx, "url state lookup failed", "source", w.s.src.Name, "urls", len(urls), "error", err)
			w.batch = nil
			return w.s.known(docURL)
		}
		w.got = got
	}
	if st, ok := w.got[docURL]; ok {
		return &st
	}
	return nil
}

func (s *session) handleDoc(it docItem, res *result) error {
	switch {
	case res.notModified:
		s.putState(res)
		return nil
	case res.err != nil:
		if s.ctx.Err() != nil {
			return s.ctx.Err()
		}
		if res.job.known != nil && (res.status == http.StatusNotFound || res.status == http.StatusGone) {
			s.run.errorf("%s: known document gone: %v", it.docURL, res.err)
			return nil
		}
		s.run.errorf("%s: %v", it.url, res.err)
		if worthRetrying(res) {
			s.retryLater.Add(1)
		}
		return nil
	}
	return s.emitDoc(it, res)
}

// worthRetrying reports whether a failed document may succeed on a later
// run, so its listing must not be remembered as done. Robots.txt refusals,
// refused addresses, size caps and 4xx answers will fail again.
func worthRetrying(res *result) bool {
	switch {
	case errors.Is(res.err, colly.ErrRobotsTxtBlocked), errors.Is(res.err, ErrPrivateAddress),
		errors.Is(res.err, ErrBodyTooLarge):
		return false
	case res.status >= 400 && res.status < 500 && res.status != http.StatusTooManyRequests && res.status != http.StatusRequestTimeout:
		return false
	}
	return true
}

// emitDoc hands a fetched body on, decoded and with the listing's metadata.
func (s *session) emitDoc(it docItem, res *result) error {
	ct, body := normalize(res.header, res.body)
	meta := map[string]string{}
	for k, v := range it.meta {
		if v != "" {
			meta[k] = v
		}
	}
	if res.url != "" && CanonicalURL(res.url) != it.docURL {
		meta["final_url"] = res.url
	}
	if strings.Contains(ct, "html") {
		if canon := relCanonical(body, res.url); canon != "" {
			meta["canonical_url"] = canon
		}
	}
	f := adwatch.Fetched{
		Source: s.src.Name, Kind: s.src.Kind, URL: it.docURL, Status: res.status,
		Header: res.header, Body: body, ContentType: ct, FetchedAt: res.fetchedAt, Meta: meta,
	}
	if err := s.emit(s.ctx, f); err != nil {
		return fmt.Errorf("emit %s: %w", it.docURL, err)
	}
	return nil
}

// relCanonical returns the page's <link rel=canonical> (resolved against
// base and canonicalised), reading no further than the end of <head>.
func relCanonical(body []byte, base string) string {
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.EndTagToken:
			if name, _ := z.TagName(); atom.Lookup(name) == atom.Head {
				return ""
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if a == atom.Body {
				return ""
			}
			if a != atom.Link || !hasAttr {
				continue
			}
			var rel, href string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = strings.ToLower(string(v))
				case "href":
					href = string(v)
				}
				if !more {
					break
				}
			}
			if rel == "canonical" && href != "" {
				if abs := resolve(base, href); abs != "" {
					return CanonicalURL(abs)
				}
			}
		}
	}
}
