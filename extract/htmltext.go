package extract

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// renderText turns an HTML subtree into plain text that keeps its structure:
// blocks become paragraphs separated by a blank line, list items and table
// rows their own lines, table cells separated by " | ". Entities are already
// decoded by the parser; whitespace is collapsed by cleanText afterwards.
func renderText(n *html.Node) string {
	var r textRenderer
	r.b.Grow(4096)
	r.walk(n, 0)
	return cleanText(r.b.String())
}

type textRenderer struct {
	b     strings.Builder
	brk   int // pending break: 0 none, 1 line, 2 paragraph
	cells int // cells written in the current table row
}

// skipped elements never carry document text.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Svg: true, atom.Math: true, atom.Head: true, atom.Iframe: true,
	atom.Object: true, atom.Embed: true, atom.Canvas: true, atom.Select: true,
	atom.Button: true, atom.Input: true, atom.Textarea: true, atom.Audio: true,
	atom.Video: true, atom.Picture: true, atom.Img: true, atom.Map: true,
}

// paragraphs are block elements that stand apart from their neighbours.
var paragraphs = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true,
	atom.Main: true, atom.Blockquote: true, atom.Pre: true, atom.Ul: true,
	atom.Ol: true, atom.Dl: true, atom.Table: true, atom.H1: true, atom.H2: true,
	atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true, atom.Header: true,
	atom.Footer: true, atom.Nav: true, atom.Aside: true, atom.Figure: true,
	atom.Figcaption: true, atom.Address: true, atom.Hr: true, atom.Form: true,
	atom.Fieldset: true, atom.Details: true, atom.Summary: true, atom.Center: true,
	atom.Caption: true, atom.Body: true, atom.Html: true, atom.Hgroup: true,
}

// lines are blocks that sit on their own line without a blank line around.
var lines = map[atom.Atom]bool{
	atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true, atom.Option: true,
	atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Legend: true,
}

func (r *textRenderer) brkAtLeast(n int) {
	if n > r.brk {
		r.brk = n
	}
}

func (r *textRenderer) text(s string) {
	if strings.TrimSpace(s) == "" {
		if s != "" && r.brk == 0 {
			r.b.WriteByte(' ')
		}
		return
	}
	switch r.brk {
	case 2:
		r.b.WriteString("\n\n")
	case 1:
		r.b.WriteString("\n")
	}
	r.brk = 0
	r.b.WriteString(s)
}

func (r *textRenderer) walk(n *html.Node, depth int) {
	if depth > 512 { // pathological nesting: stop rather than blow the stack
		return
	}
	switch n.Type {
	case html.TextNode:
		r.text(n.Data)
		return
	case html.ElementNode:
		if skipped[n.DataAtom] || isHidden(n) {
			return
		}
	case html.DocumentNode:
	default:
		return
	}
	a := n.DataAtom
	switch {
	case a == atom.Br:
		r.brkAtLeast(1)
		return
	case a == atom.Td || a == atom.Th:
		if r.cells > 0 {
			r.text(" | ")
		}
		r.cells++
	case a == atom.Tr:
		r.cells = 0
		r.brkAtLeast(1)
	case paragraphs[a]:
		r.brkAtLeast(2)
	case lines[a]:
		r.brkAtLeast(1)
	}
	if a == atom.Pre {
		r.pre(n)
	} else {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			r.walk(c, depth+1)
		}
	}
	switch {
	case paragraphs[a]:
		r.brkAtLeast(2)
	case lines[a]:
		r.brkAtLeast(1)
	case a == atom.Tr:
		r.cells = 0
	}
}

// pre keeps the line structure of preformatted text.
func (r *textRenderer) pre(n *html.Node) {
	var sb strings.Builder
	var collect func(*html.Node)
	collect = func(c *html.Node) {
		if c.Type == html.TextNode {
			sb.WriteString(c.Data)
		}
		if c.Type == html.ElementNode && c.DataAtom == atom.Br {
			sb.WriteByte('\n')
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			collect(k)
		}
	}
	collect(n)
	for i, line := range strings.Split(sb.String(), "\n") {
		if i > 0 {
			r.brkAtLeast(1)
		}
		r.text(line)
	}
}

// isHidden reports elements the page itself hides from readers.
func isHidden(n *html.Node) bool {
	for _, a := range n.Attr {
		switch strings.ToLower(a.Key) {
		case "hidden":
			return true
		case "aria-hidden":
			if strings.EqualFold(strings.TrimSpace(a.Val), "true") {
				return true
			}
		case "style":
			v := strings.ToLower(strings.ReplaceAll(a.Val, " ", ""))
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// htmlFragmentText renders an HTML fragment (a feed description, a summary)
// to text; plain text passes through unchanged apart from entity decoding.
func htmlFragmentText(s string) string {
	if !strings.ContainsAny(s, "<&") {
		return s
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return s
	}
	var r textRenderer
	for _, n := range nodes {
		r.walk(n, 0)
	}
	return r.b.String()
}
