package extract

import (
	"encoding/json"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// pageMeta is what an HTML page says about itself, gathered in one walk.
type pageMeta struct {
	metas     map[string]string // lower-cased property/name/itemprop → first content
	titleTag  string
	h1        string
	canonLink string
	timeAttr  string // first <time datetime>, preferring one marked pubdate
	jsonLD    []string
}

func collectMeta(root *html.Node) *pageMeta {
	m := &pageMeta{metas: map[string]string{}}
	var pubdateTime string
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > 512 {
			return
		}
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Meta:
				attrs := map[string]string{}
				for _, a := range n.Attr {
					attrs[strings.ToLower(a.Key)] = a.Val
				}
				m.addMeta(attrs)
			case atom.Title:
				if m.titleTag == "" && n.Parent != nil && n.Parent.DataAtom != atom.Svg {
					m.titleTag = nodeText(n)
				}
			case atom.H1:
				if m.h1 == "" {
					m.h1 = nodeText(n)
				}
			case atom.Link:
				if m.canonLink == "" && hasToken(attr(n, "rel"), "canonical") {
					m.canonLink = strings.TrimSpace(attr(n, "href"))
				}
			case atom.Time:
				dt := strings.TrimSpace(attr(n, "datetime"))
				if dt != "" {
					if m.timeAttr == "" {
						m.timeAttr = dt
					}
					if pubdateTime == "" && (hasAttr(n, "pubdate") || strings.EqualFold(attr(n, "itemprop"), "datePublished")) {
						pubdateTime = dt
					}
				}
			case atom.Script:
				if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") {
					m.jsonLD = append(m.jsonLD, nodeText(n))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	if pubdateTime != "" {
		m.timeAttr = pubdateTime
	}
	return m
}

// title follows og:title, twitter:title, <title> without its site suffix,
// the first <h1>, then the source's own title.
func (m *pageMeta) title(in Input) string {
	site := m.metas["og:site_name"]
	for _, t := range []string{m.metas["og:title"], m.metas["twitter:title"]} {
		if t = cleanLine(t); t != "" {
			return stripSiteName(t, site, in.URL)
		}
	}
	if t := cleanLine(m.titleTag); t != "" {
		return stripSiteName(t, site, in.URL)
	}
	if t := cleanLine(m.h1); t != "" {
		return t
	}
	return cleanLine(in.Meta["title"])
}

// dateKeys are the meta names publishers use for the publication date, in
// the order they are trusted.
var dateKeys = []string{
	"article:published_time", "og:article:published_time", "og:published_time",
	"dc.date", "dc.date.issued", "dcterms.date", "dcterms.issued", "dcterms.created",
	"date", "pubdate", "publishdate", "publish-date", "publication_date",
	"citation_publication_date", "citation_date", "parsely-pub-date", "sailthru.date",
	"datepublished",
}

func (m *pageMeta) published() *time.Time {
	for _, k := range dateKeys[:8] {
		if t := parseDate(m.metas[k]); t != nil {
			return t
		}
	}
	for _, k := range dateKeys[8:] {
		if t := parseDate(m.metas[k]); t != nil {
			return t
		}
	}
	for _, raw := range m.jsonLD {
		if t := parseDate(jsonLDDate(raw)); t != nil {
			return t
		}
	}
	return parseDate(m.timeAttr)
}

// jsonLDDate finds datePublished anywhere in a JSON-LD block, including
// inside @graph arrays, preferring the first one met.
func jsonLDDate(raw string) string {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(raw)), &v); err != nil {
		return ""
	}
	return findJSONKey(v, "datePublished", 0)
}

func findJSONKey(v any, key string, depth int) string {
	if depth > 32 {
		return ""
	}
	switch x := v.(type) {
	case map[string]any:
		if s, ok := x[key].(string); ok && s != "" {
			return s
		}
		for _, k := range []string{"@graph", "mainEntity", "mainEntityOfPage"} {
			if s := findJSONKey(x[k], key, depth+1); s != "" {
				return s
			}
		}
	case []any:
		for _, e := range x {
			if s := findJSONKey(e, key, depth+1); s != "" {
				return s
			}
		}
	}
	return ""
}

// canonical is <link rel=canonical> resolved against the page URL, else
// og:url. Only absolute http(s) URLs are returned.
func (m *pageMeta) canonical(pageURL string) string {
	if u := absURL(m.canonLink, pageURL); u != "" {
		return u
	}
	return absURL(m.metas["og:url"], pageURL)
}

// absURL resolves ref against base and returns it if it is absolute http(s).
func absURL(ref, base string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() && base != "" {
		b, err := url.Parse(strings.TrimSpace(base))
		if err != nil {
			return ""
		}
		u = b.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment = ""
	return u.String()
}

// titleSeparators split a page title from the site name around it.
var titleSeparators = []string{" | ", " - ", " – ", " — ", " :: ", " « ", " » ", " · ", " • "}

// stripSiteName removes a " | Site Name" suffix (or "Site Name | " prefix).
// It strips only what is clearly the site: the og:site_name, the host name,
// or a short last part after a title long enough to stand alone, so that
// "Huawei - the company and the state" keeps its words.
func stripSiteName(title, site, pageURL string) string {
	host := ""
	if u, err := url.Parse(pageURL); err == nil {
		host = strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	isSite := func(part string) bool {
		p := strings.ToLower(strings.TrimSpace(part))
		if p == "" {
			return false
		}
		if site != "" && p == strings.ToLower(cleanLine(site)) {
			return true
		}
		return host != "" && (p == host || strings.ReplaceAll(p, " ", "") == strings.SplitN(host, ".", 2)[0])
	}
	for _, sep := range titleSeparators {
		i := strings.LastIndex(title, sep)
		if i <= 0 {
			continue
		}
		first, last := title[:i], title[i+len(sep):]
		if isSite(last) {
			return strings.TrimSpace(first)
		}
		if sep != " - " && len(strings.Fields(last)) <= 4 && len(strings.Fields(first)) >= 4 {
			return strings.TrimSpace(first)
		}
		j := strings.Index(title, sep)
		if isSite(title[:j]) {
			return strings.TrimSpace(title[j+len(sep):])
		}
	}
	return title
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return b.String()
}

func hasToken(list, tok string) bool {
	for _, f := range strings.Fields(list) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}
