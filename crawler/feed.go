package crawler

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// crawlFeed reads an RSS, Atom, RDF or JSON feed and emits its items: each
// item's page when the source follows links (and always for PDFs), else the
// item's own content.
func (s *session) crawlFeed() error {
	res, ok, err := s.listing(s.src.URL)
	if err != nil || !ok {
		return err
	}
	_, body := normalize(res.header, res.body)
	feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("feed %s: malformed: %w", s.src.URL, err)
	}
	s.run.items(len(feed.Items))
	if len(feed.Items) == 0 {
		s.run.errorf("%s: feed has no items", s.src.URL)
	}
	before := s.retryLater.Load()
	var follow []docItem
	for i, it := range feed.Items {
		d := feedDoc(s.src.URL, feed, it)
		if d.url == "" {
			s.run.errorf("%s: item %d has no link", s.src.URL, i+1)
			continue
		}
		if s.src.Follow || isPDFLink(d.url) || enclosesPDF(it) {
			follow = append(follow, d)
			continue
		}
		if err := s.emitItem(d, it); err != nil {
			return err
		}
	}
	if err := s.fetchDocs(follow); err != nil {
		return err
	}
	s.finishListing(res, s.retryLater.Load() == before)
	return nil
}

// feedDoc turns a feed item into the document it names.
func feedDoc(base string, feed *gofeed.Feed, it *gofeed.Item) docItem {
	link := it.Link
	if link == "" && len(it.Links) > 0 {
		link = it.Links[0]
	}
	if link == "" {
		for _, e := range it.Enclosures {
			if e != nil && e.URL != "" {
				link = e.URL
				break
			}
		}
	}
	if link == "" && strings.HasPrefix(it.GUID, "http") {
		link = it.GUID
	}
	if link != "" {
		link = resolve(base, link)
	}
	meta := map[string]string{"title": strings.TrimSpace(it.Title), "summary": strings.TrimSpace(it.Description), "feed_title": strings.TrimSpace(feed.Title)}
	published := it.PublishedParsed
	if published == nil {
		published = it.UpdatedParsed
	}
	updated := it.UpdatedParsed
	if updated == nil {
		updated = published
	}
	if published != nil {
		meta["published"] = published.UTC().Format(time.RFC3339)
	}
	if updated != nil {
		meta["updated"] = updated.UTC().Format(time.RFC3339)
	}
	return docItem{url: link, meta: meta, updated: updated}
}

// emitItem emits a feed item's own content as the document (sources that do
// not follow links), unless State already has it and it has not changed.
func (s *session) emitItem(d docItem, it *gofeed.Item) error {
	d.docURL = CanonicalURL(d.url)
	if !s.firstSight(d.docURL) {
		return nil
	}
	if s.fresh(s.known(d.docURL), d.updated) {
		return nil
	}
	content := it.Content
	if strings.TrimSpace(content) == "" {
		content = it.Description
	}
	res := &result{job: &job{url: d.url}, status: 200, body: []byte(content), fetchedAt: s.c.now().UTC(),
		header: map[string][]string{"Content-Type": {"text/html; charset=utf-8"}}}
	return s.emitDoc(d, res)
}

func isPDFLink(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return strings.HasSuffix(strings.ToLower(u.Path), ".pdf")
}

func enclosesPDF(it *gofeed.Item) bool {
	for _, e := range it.Enclosures {
		if e != nil && strings.EqualFold(e.Type, "application/pdf") && e.URL != "" && (it.Link == "" || it.Link == e.URL) {
			return true
		}
	}
	return false
}

// listing fetches a listing page conditionally. ok is false when it did not
// change (304); an error means the source failed as a whole.
func (s *session) listing(raw string) (*result, bool, error) {
	j := &job{url: raw, known: s.known(CanonicalURL(raw))}
	res := s.get(j)
	switch {
	case res.notModified:
		s.run.listingNotModified()
		s.putState(res)
		return res, false, nil
	case res.err != nil:
		return nil, false, fmt.Errorf("listing %s: %w", raw, res.err)
	}
	return res, true, nil
}

// finishListing remembers a listing page once its documents are handled. If
// some of them failed, the validators are left out, so the next run fetches
// the listing in full and tries them again instead of getting a 304.
func (s *session) finishListing(res *result, complete bool) {
	if !complete {
		res.header = res.header.Clone()
		res.header.Del("ETag")
		res.header.Del("Last-Modified")
	}
	s.putState(res)
}
