package demo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"regexp"
	"strings"
)

// A Federal Register document is written once, as the printed text that
// federalregister.gov serves at raw_text_url; its body_html_url and html_url
// pages are rendered from that text, so the three never disagree.

var (
	// /documents/full_text/html/2017/09/19/2017-19838.html
	frBodyPath = regexp.MustCompile(`^/documents/full_text/html/(\d{4}/\d{2}/\d{2})/(\d{4}-\d+)\.html$`)
	// /documents/2017/09/19/2017-19838/some-slug
	frPagePath = regexp.MustCompile(`^/documents/(\d{4}/\d{2}/\d{2})/(\d{4}-\d+)/[a-z0-9-]+$`)
	frVolume   = regexp.MustCompile(`^\[Federal Register Volume (\d+), Number (\d+) \(([^)]+)\)\]$`)
	frPages    = regexp.MustCompile(`^\[Pages? (\d+)(?:-(\d+))?\]$`)
)

// frLabels start the preamble paragraphs of every Federal Register document.
var frLabels = []string{
	"AGENCY:", "ACTION:", "SUMMARY:", "DATES:", "ADDRESSES:",
	"FOR FURTHER INFORMATION CONTACT:", "SUPPLEMENTARY INFORMATION:",
}

// frBlock is one rendered piece of a document body.
type frBlock struct {
	Kind  string // "h", "label", "p", "meta"
	Label string
	Text  string
}

// frDoc is what the page templates need.
type frDoc struct {
	Base        string
	Result      frResultFull
	Citation    string
	Pages       string
	Issue       string
	Blocks      []frBlock
	AgencyNames string
}

type frResultFull struct {
	Title           string `json:"title"`
	Type            string `json:"type"`
	Abstract        string `json:"abstract"`
	DocumentNumber  string `json:"document_number"`
	HTMLURL         string `json:"html_url"`
	PDFURL          string `json:"pdf_url"`
	PublicationDate string `json:"publication_date"`
	RawTextURL      string `json:"raw_text_url"`
	BodyHTMLURL     string `json:"body_html_url"`
	Agencies        []struct {
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"agencies"`
}

var frTemplates = template.Must(template.ParseFS(siteFS, "site/documents/_page.html", "site/documents/_body.html"))

// serveFRDocument serves body_html_url and html_url pages; it reports false
// when p is neither.
func (s *site) serveFRDocument(w http.ResponseWriter, r *http.Request, p string) bool {
	tmpl, m := "_body.html", frBodyPath.FindStringSubmatch(p)
	if m == nil {
		tmpl, m = "_page.html", frPagePath.FindStringSubmatch(p)
	}
	if m == nil {
		return false
	}
	base := s.base(r)
	doc, err := s.loadFRDoc(base, m[1], m[2])
	if err != nil {
		http.NotFound(w, r)
		return true
	}
	if tmpl == "_page.html" && doc.Result.HTMLURL != base+p {
		// The real site answers a stale or shortened slug with a redirect to
		// the canonical URL.
		http.Redirect(w, r, doc.Result.HTMLURL, http.StatusMovedPermanently)
		return true
	}
	var buf bytes.Buffer
	if err := frTemplates.ExecuteTemplate(&buf, tmpl, doc); err != nil {
		http.Error(w, "document unavailable", http.StatusInternalServerError)
		return true
	}
	serve(w, r, contentTypes[".html"], buf.Bytes())
	return true
}

func (s *site) loadFRDoc(base, date, number string) (*frDoc, error) {
	raw, err := fs.ReadFile(s.files, frDataFile)
	if err != nil {
		return nil, fmt.Errorf("read listing: %w", err)
	}
	var all []frResultFull
	if err := json.Unmarshal(expand(raw, base), &all); err != nil {
		return nil, fmt.Errorf("parse listing: %w", err)
	}
	doc := &frDoc{Base: base}
	found := false
	for _, res := range all {
		if res.DocumentNumber == number && strings.ReplaceAll(res.PublicationDate, "-", "/") == date {
			doc.Result, found = res, true
			break
		}
	}
	if !found {
		return nil, fmt.Errorf("document %s: %w", number, fs.ErrNotExist)
	}
	text, err := fs.ReadFile(s.files, "documents/full_text/text/"+date+"/"+number+".txt")
	if err != nil {
		return nil, fmt.Errorf("read text of %s: %w", number, err)
	}
	doc.Citation, doc.Pages, doc.Issue, doc.Blocks = parseFRText(string(text))
	names := make([]string, 0, len(doc.Result.Agencies))
	for _, a := range doc.Result.Agencies {
		names = append(names, a.Name)
	}
	doc.AgencyNames = strings.Join(names, ", ")
	return doc, nil
}

// parseFRText splits the printed text into headings, labelled preamble
// paragraphs and body paragraphs. In the printed text a paragraph ends at a
// blank line or where the next line is indented.
func parseFRText(text string) (citation, pages, issue string, blocks []frBlock) {
	var vol string
	var para []string
	flush := func() {
		if len(para) == 0 {
			return
		}
		blocks = append(blocks, classify(strings.Join(para, " ")))
		para = para[:0]
	}
	body := false
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if !body {
			if m := frVolume.FindStringSubmatch(trimmed); m != nil {
				vol, issue = m[1], m[3]
			}
			if m := frPages.FindStringSubmatch(trimmed); m != nil {
				citation = vol + " FR " + m[1]
				pages = m[1]
				if m[2] != "" {
					pages += "-" + m[2]
				}
			}
			if strings.HasPrefix(trimmed, "-----") {
				body = true
			}
			continue
		}
		switch {
		case trimmed == "" || strings.HasPrefix(trimmed, "-----"):
			flush()
		case strings.HasPrefix(trimmed, "[FR Doc.") || strings.HasPrefix(trimmed, "BILLING CODE"):
			flush()
			para = append(para, trimmed)
			flush()
		case strings.HasPrefix(line, "    "):
			flush()
			para = append(para, trimmed)
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return citation, pages, issue, blocks
}

func classify(p string) frBlock {
	p = strings.NewReplacer("``", "\u201c", "''", "\u201d", "--", "\u2014").Replace(p)
	for _, l := range frLabels {
		if strings.HasPrefix(p, l) {
			return frBlock{Kind: "label", Label: l, Text: strings.TrimSpace(strings.TrimPrefix(p, l))}
		}
	}
	switch {
	case strings.HasPrefix(p, "[") || strings.HasPrefix(p, "BILLING CODE") || strings.HasPrefix(p, "RIN "):
		return frBlock{Kind: "meta", Text: p}
	case len(p) < 90 && !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, ",") &&
		!strings.HasSuffix(p, ";") && !strings.HasSuffix(p, ":") && !strings.HasPrefix(p, "("):
		return frBlock{Kind: "h", Text: p}
	}
	return frBlock{Kind: "p", Text: p}
}
