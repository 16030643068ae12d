package crawler

import (
	"bytes"
	"fmt"
	"net/url"
	"strings"

	"github.com/PuerkitoBio/goquery"
)

// crawlHTML walks a listing page and its next pages (at most MaxPages),
// fetching every document ItemSelector links to.
func (s *session) crawlHTML() error {
	if strings.TrimSpace(s.src.ItemSelector) == "" {
		return fmt.Errorf("html source needs item_selector")
	}
	maxPages := s.src.MaxPages
	if maxPages <= 0 {
		maxPages = s.c.cfg.MaxPages
	}
	visited := map[string]bool{}
	next := s.src.URL
	for page := 1; page <= maxPages && next != ""; page++ {
		if visited[CanonicalURL(next)] {
			break
		}
		visited[CanonicalURL(next)] = true
		res, ok, err := s.listing(next)
		if err != nil {
			if page == 1 {
				return err
			}
			s.run.errorf("%v", err)
			return nil
		}
		if !ok {
			return nil // unchanged listing: its next pages are assumed unchanged too
		}
		items, nextURL, err := s.parseListing(res)
		if err != nil {
			if page == 1 {
				return err
			}
			s.run.errorf("%v", err)
			return nil
		}
		s.run.items(len(items))
		if len(items) == 0 && page == 1 {
			s.run.errorf("%s: no links match item_selector %q", res.url, s.src.ItemSelector)
		}
		before := s.retryLater.Load()
		if err := s.fetchDocs(items); err != nil {
			return err
		}
		s.finishListing(res, s.retryLater.Load() == before)
		next = nextURL
	}
	return nil
}

// parseListing finds the document links and the next-page link.
func (s *session) parseListing(res *result) ([]docItem, string, error) {
	_, body := normalize(res.header, res.body)
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, "", fmt.Errorf("listing %s: parse: %w", res.url, err)
	}
	base := res.url
	if href, ok := doc.Find("base[href]").First().Attr("href"); ok {
		base = resolve(base, href)
	}
	var items []docItem
	doc.Find(s.src.ItemSelector).Each(func(_ int, sel *goquery.Selection) {
		href, title := linkOf(sel)
		if href == "" {
			return
		}
		abs := resolve(base, href)
		if abs == "" {
			return
		}
		items = append(items, docItem{url: abs, meta: map[string]string{"title": title, "listing_url": res.url}})
	})
	var next string
	if s.src.NextSelector != "" {
		if href, _ := linkOf(doc.Find(s.src.NextSelector).First()); href != "" {
			next = resolve(base, href)
		}
	}
	return items, next, nil
}

// linkOf returns the href of sel, or of the first link inside it, and the
// link's text.
func linkOf(sel *goquery.Selection) (string, string) {
	if sel.Length() == 0 {
		return "", ""
	}
	a := sel
	if _, ok := sel.Attr("href"); !ok {
		a = sel.Find("a[href]").First()
	}
	href, _ := a.Attr("href")
	return strings.TrimSpace(href), strings.Join(strings.Fields(a.Text()), " ")
}

// resolve makes ref absolute against base; only http(s) results are kept.
func resolve(base, ref string) string {
	r, err := url.Parse(strings.TrimSpace(ref))
	if err != nil {
		return ""
	}
	b, err := url.Parse(base)
	if err != nil {
		return ""
	}
	u := b.ResolveReference(r)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	return u.String()
}
