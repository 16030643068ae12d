package main

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"html"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"adwatch"
	"adwatch/bench/matchbench/synth"
)

// site is a generated press site on disk: article pages full of site chrome,
// an RSS 2.0 feed naming every article, HTML listing pages of listPage links
// each (for crawls larger than a feed should be), and a robots.txt.
type site struct {
	root     string // served as /
	articles string // root/articles: the pages, also what `adwatch extract` reads
	pages    int
	bytes    int64 // article bytes on disk
	named    int   // articles naming at least one advertiser
}

const listPage = 1000

// otherCompanyBase numbers the synthetic companies that are not
// advertisers: most articles name companies, few name advertisers.
const otherCompanyBase = 5_000_000

// writeAdvertisers writes an advertisers CSV (id,name,aliases,active) with
// about n names and aliases, the real ones first.
func writeAdvertisers(path string, n int) ([]adwatch.Advertiser, error) {
	ads := synth.Advertisers(n)
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := csv.NewWriter(f)
	w.Write([]string{"id", "name", "aliases", "active"}) //nolint:errcheck // checked by Flush/Error
	for _, a := range ads {
		w.Write([]string{a.ID, a.Name, strings.Join(a.Aliases, "|"), "true"}) //nolint:errcheck
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return ads, f.Close()
}

// generateSite writes pages articles under dir, to be served at base
// (feed links and canonical URLs are absolute, as RSS requires). One article in namedEvery
// names an advertiser; the others name only other companies.
func generateSite(dir, base string, pages int, ads []adwatch.Advertiser, namedEvery int) (*site, error) {
	s := &site{root: dir, articles: filepath.Join(dir, "articles"), pages: pages}
	if err := os.MkdirAll(s.articles, 0o755); err != nil {
		return nil, err
	}
	others := make([]adwatch.Advertiser, 400)
	for i := range others {
		others[i] = adwatch.Advertiser{Name: synth.Name(otherCompanyBase + i)}
	}
	// Only the synthetic advertisers: the real ones (Apple, Target, Shell…)
	// would make nearly every article a candidate through common words.
	synthetic := ads[min(6, len(ads)):]
	start := time.Date(2024, 1, 2, 14, 0, 0, 0, time.UTC)
	feed, err := newFeedWriter(filepath.Join(dir, "feed.xml"))
	if err != nil {
		return nil, err
	}
	var list *listWriter
	for i := range pages {
		if i%listPage == 0 {
			if err := list.close(); err != nil {
				return nil, err
			}
			if list, err = newListWriter(dir, i/listPage, i+listPage < pages); err != nil {
				return nil, err
			}
		}
		r := rand.New(rand.NewPCG(uint64(i), 29))
		pool := others
		if namedEvery > 0 && i%namedEvery == 0 {
			pool = append(append([]adwatch.Advertiser(nil), others[:40]...), synthetic[r.IntN(len(synthetic))])
			s.named++
		}
		published := start.Add(time.Duration(i) * 17 * time.Minute)
		title := headline(r)
		body := synth.Article(2000+r.IntN(4000), pool, uint64(i))
		if pool[len(pool)-1].ID != "" { // make sure the advertiser is named, in the lead
			body = pool[len(pool)-1].Name + " said on " + published.Format("January 2") + " that " + body
		}
		name := fmt.Sprintf("%06d.html", i)
		page := articlePage(title, published, base+"/articles/"+name, body, r)
		if err := os.WriteFile(filepath.Join(s.articles, name), []byte(page), 0o644); err != nil {
			return nil, err
		}
		s.bytes += int64(len(page))
		feed.item(title, base+"/articles/"+name, published)
		list.link(title, "/articles/"+name)
	}
	if err := list.close(); err != nil {
		return nil, err
	}
	if err := feed.close(); err != nil {
		return nil, err
	}
	robots := "User-agent: *\nDisallow: /private/\n"
	return s, os.WriteFile(filepath.Join(dir, "robots.txt"), []byte(robots), 0o644)
}

var headlineWords = strings.Fields(`Regulators Agency Commerce Treasury Court Lawmakers Officials Investors Suppliers
	Carriers Retailers Exporters Airlines Banks`)
var headlineVerbs = strings.Fields(`weigh review tighten ease question probe back delay extend announce`)
var headlineObjects = []string{"export licences", "network equipment rules", "supply-chain audits", "data-security standards",
	"contract awards", "sanctions list updates", "procurement bans", "merger terms"}

func headline(r *rand.Rand) string {
	return fmt.Sprintf("%s %s %s", headlineWords[r.IntN(len(headlineWords))], headlineVerbs[r.IntN(len(headlineVerbs))],
		headlineObjects[r.IntN(len(headlineObjects))])
}

// articlePage renders a press article with the chrome real sites carry:
// navigation, share buttons, related links, a cookie banner, scripts and a
// footer around the article text.
func articlePage(title string, published time.Time, canonical, body string, r *rand.Rand) string {
	var b strings.Builder
	t := html.EscapeString(title)
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>%s | Policy Wire</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="%s"><meta property="og:type" content="article">
<meta property="article:published_time" content="%s">
<link rel="canonical" href="%s"><link rel="stylesheet" href="/static/site.css">
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag('js',new Date());</script>
</head><body class="article">
<div class="cookie-banner" role="dialog"><p>We use cookies to understand how our site is used. <a href="/privacy">Privacy policy</a></p><button>Accept</button></div>
<header class="masthead"><a class="logo" href="/">Policy Wire</a>
<nav><ul><li><a href="/technology">Technology</a></li><li><a href="/trade">Trade</a></li><li><a href="/security">Security</a></li><li><a href="/markets">Markets</a></li><li><a href="/opinion">Opinion</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav>
<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>
<main><article>
<h1>%s</h1>
<p class="byline">By <span class="author">Staff Reporter</span> · <time datetime="%s">%s</time></p>
<div class="share"><a href="/share?via=x">Share on X</a> <a href="/share?via=li">LinkedIn</a> <a href="/share?via=mail">Email</a></div>
<div class="article-body">
`, t, t, published.Format(time.RFC3339), canonical, t, published.Format(time.RFC3339), published.Format("January 2, 2006"))
	for _, para := range strings.Split(body, "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(para))
		}
	}
	b.WriteString(`</div></article>
<aside class="related"><h2>Related</h2><ul>`)
	for range 5 {
		fmt.Fprintf(&b, `<li><a href="/articles/%06d.html">%s</a></li>`, r.IntN(1_000_000), html.EscapeString(headline(r)))
	}
	b.WriteString(`</ul></aside>
<div class="newsletter"><h2>Get the morning briefing</h2><form action="/newsletter"><input type="email" name="email"><button>Sign up</button></form></div>
</main>
<footer><p>© 2024 Policy Wire. All rights reserved.</p><ul><li><a href="/about">About</a></li><li><a href="/contact">Contact</a></li><li><a href="/terms">Terms</a></li><li><a href="/privacy">Privacy</a></li></ul></footer>
<script src="/static/analytics.js" async></script>
</body></html>
`)
	return b.String()
}

// feedWriter streams an RSS 2.0 feed.
type feedWriter struct {
	f *os.File
	w *bufio.Writer
}

func newFeedWriter(path string) (*feedWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Policy Wire</title><link>/</link><description>Technology, trade and security news</description>
`)
	return &feedWriter{f: f, w: w}, nil
}

func (fw *feedWriter) item(title, link string, published time.Time) {
	fmt.Fprintf(fw.w, "<item><title>%s</title><link>%s</link><guid>%s</guid><pubDate>%s</pubDate></item>\n",
		html.EscapeString(title), link, link, published.Format(time.RFC1123Z))
}

func (fw *feedWriter) close() error {
	fw.w.WriteString("</channel></rss>\n")
	if err := fw.w.Flush(); err != nil {
		fw.f.Close()
		return err
	}
	return fw.f.Close()
}

// listWriter streams one HTML listing page (/list/N.html).
type listWriter struct {
	f *os.File
	w *bufio.Writer
	n int
}

func newListWriter(root string, n int, hasNext bool) (*listWriter, error) {
	if err := os.MkdirAll(filepath.Join(root, "list"), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(filepath.Join(root, "list", fmt.Sprintf("%d.html", n)))
	if err != nil {
		return nil, err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Archive page %d | Policy Wire</title></head><body><nav><a href="/">Home</a></nav><ul class="archive">`, n+1)
	lw := &listWriter{f: f, w: w, n: n}
	if hasNext {
		fmt.Fprintf(w, `<a class="next" href="/list/%d.html">Older stories</a>`, n+1)
	}
	return lw, nil
}

func (lw *listWriter) link(title, path string) {
	fmt.Fprintf(lw.w, `<li><a class="story" href="%s">%s</a></li>`, path, html.EscapeString(title))
}

func (lw *listWriter) close() error {
	if lw == nil {
		return nil
	}
	lw.w.WriteString("</ul></body></html>\n")
	if err := lw.w.Flush(); err != nil {
		lw.f.Close()
		return err
	}
	return lw.f.Close()
}
