package extract

import (
	"bytes"
	"io"
	"net/url"
	"strings"
	"unicode/utf8"

	"codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"adwatch"
)

// minArticleChars is how much text readability must find before we trust its
// choice of main content; below it (index pages, short notices laid out as
// tables) the full body is a safer document than a fragment.
const minArticleChars = 250

// readHTML extracts an HTML page. Press pages keep only the main content as
// chosen by readability; government pages, and pages where readability finds
// too little, keep the whole body minus navigation and page chrome, because
// for a notice a missed paragraph costs more than a stray menu line.
func readHTML(in Input) doc {
	root, err := html.Parse(decodeHTML(in.Body, in.ContentType))
	if err != nil { // x/net/html only fails on reader errors; ours cannot fail
		return readPlain(in.Body)
	}
	page := collectMeta(root)
	d := doc{
		Title:     page.title(in),
		Published: page.published(),
		Canonical: page.canonical(in.URL),
	}
	if in.Kind == adwatch.KindGovernment {
		d.Text = bodyText(root)
		return d
	}
	// Readability mutates the tree it reads; the rare page it finds too
	// little in is parsed again for its full body, which is cheaper than
	// cloning every page up front.
	d.Text = articleText(root, in.URL)
	if utf8.RuneCountInString(d.Text) < minArticleChars {
		if fresh, err := html.Parse(decodeHTML(in.Body, in.ContentType)); err == nil {
			d.Text = bodyText(fresh)
		}
	}
	return d
}

// decodeHTML converts the body to UTF-8 following the HTTP header, then the
// BOM and <meta charset>, then sniffing. A page that claims UTF-8 but is not
// (common with old CMSs) is decoded as Windows-1252 when that is what it is.
func decodeHTML(body []byte, contentType string) io.Reader {
	enc, name, _ := charset.DetermineEncoding(body[:min(len(body), 1024)], contentType)
	if name == "utf-8" || name == "windows-1252" && utf8.Valid(body) {
		return strings.NewReader(decodeText(body))
	}
	return enc.NewDecoder().Reader(bytes.NewReader(body))
}

// articleText returns the main text readability picks, or "" when it
// finds none.
func articleText(root *html.Node, pageURL string) (text string) {
	defer func() {
		// readability walks arbitrary trees; a bug there must cost this
		// page its article view, not the process.
		if recover() != nil {
			text = ""
		}
	}()
	u, _ := url.Parse(pageURL)
	if u == nil || u.Scheme == "" {
		u = &url.URL{Scheme: "https", Host: "example.invalid", Path: "/"}
	}
	p := readability.NewParser()
	article, err := p.ParseAndMutate(root, u)
	if err != nil || article.Node == nil {
		return ""
	}
	return renderText(article.Node)
}

// chromeElements are never part of a government document's text.
var chromeElements = map[atom.Atom]bool{
	atom.Nav: true, atom.Header: true, atom.Footer: true, atom.Aside: true,
	atom.Form: true, atom.Script: true, atom.Style: true, atom.Noscript: true,
	atom.Dialog: true, atom.Template: true, atom.Menu: true,
}

// chromeRoles are the ARIA landmarks that mean the same as chromeElements.
var chromeRoles = map[string]bool{
	"navigation": true, "banner": true, "contentinfo": true, "complementary": true,
	"search": true, "menu": true, "menubar": true, "dialog": true, "alertdialog": true,
}

// bodyText is the full body minus chrome. When the page marks its main
// content (<main> or role=main) and that holds most of the remaining text,
// it is used, which drops skip links and site banners.
func bodyText(root *html.Node) string {
	body := findFirst(root, func(n *html.Node) bool { return n.DataAtom == atom.Body })
	if body == nil {
		body = root
	}
	pruned := pruneChrome(body)
	full := renderText(pruned)
	if main := findFirst(pruned, isMainLandmark); main != nil {
		if t := renderText(main); len(t)*10 >= len(full)*3 {
			return t
		}
	}
	return full
}

// pruneChrome returns a copy of n without chrome subtrees, leaving the
// original intact for the other readers of the page.
func pruneChrome(n *html.Node) *html.Node {
	c := &html.Node{Type: n.Type, DataAtom: n.DataAtom, Data: n.Data, Namespace: n.Namespace, Attr: n.Attr}
	for k := n.FirstChild; k != nil; k = k.NextSibling {
		if k.Type == html.ElementNode && isChrome(k) {
			continue
		}
		c.AppendChild(pruneChrome(k))
	}
	return c
}

func isChrome(n *html.Node) bool {
	if chromeElements[n.DataAtom] || chromeRoles[strings.ToLower(strings.TrimSpace(attr(n, "role")))] {
		return true
	}
	// Consent banners and breadcrumbs are plain divs on many sites; their
	// class or id is the only mark. A cookie notice that names "Google
	// Analytics" on every page must not make every page name Google.
	for _, v := range []string{attr(n, "class"), attr(n, "id")} {
		for _, w := range strings.FieldsFunc(strings.ToLower(v), notLetter) {
			if chromeWords[w] {
				return true
			}
		}
	}
	return false
}

var chromeWords = map[string]bool{
	"cookie": true, "cookies": true, "consent": true, "gdpr": true,
	"breadcrumb": true, "breadcrumbs": true, "skipnav": true,
}

func notLetter(r rune) bool { return r < 'a' || r > 'z' }

func isMainLandmark(n *html.Node) bool {
	return n.Type == html.ElementNode &&
		(n.DataAtom == atom.Main || strings.EqualFold(strings.TrimSpace(attr(n, "role")), "main"))
}

func findFirst(n *html.Node, pred func(*html.Node) bool) *html.Node {
	if pred(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findFirst(c, pred); f != nil {
			return f
		}
	}
	return nil
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}
