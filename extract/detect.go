package extract

import (
	"bytes"
	"mime"
	"net/http"
	"path"
	"strings"
)

// Format is a kind of input extract knows how to read.
type Format string

// Formats Detect can return.
const (
	FormatHTML     Format = "html"
	FormatFeed     Format = "feed" // RSS 2.0, Atom, RDF, JSON Feed
	FormatPDF      Format = "pdf"
	FormatText     Format = "text"
	FormatMarkdown Format = "markdown"
	FormatJSON     Format = "json" // Federal Register API document JSON
)

// Detect decides the format of a document from its content first and its
// name and declared type second: servers mislabel, files are misnamed, and
// the first bytes rarely lie. head is the start of the body (1 KiB is plenty).
func Detect(name, contentType string, head []byte) Format {
	if f, ok := sniff(head); ok {
		return f
	}
	if f, ok := byContentType(contentType); ok {
		// text/plain is what servers and file pickers say of anything
		// textual; the name knows better whether it is markdown or a feed.
		if f == FormatText {
			if g, ok := byName(name); ok && g != FormatPDF {
				return g
			}
		}
		return f
	}
	if f, ok := byName(name); ok {
		return f
	}
	if isMarkup(head) {
		return FormatHTML
	}
	return FormatText
}

// sniff recognises formats whose first bytes are unambiguous.
func sniff(head []byte) (Format, bool) {
	b := trimLeadingNoise(head)
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return FormatPDF, true
	case bytes.Contains(head[:min(len(head), 1024)], []byte("%PDF-")) && !isMarkup(b):
		// Some PDFs carry junk before the header; readers accept it within 1 KiB.
		return FormatPDF, true
	case len(b) > 0 && b[0] == '{':
		if bytes.Contains(b, []byte("jsonfeed.org/version")) {
			return FormatFeed, true
		}
		return FormatJSON, true
	}
	lower := bytes.ToLower(b[:min(len(b), 512)])
	switch {
	case bytes.HasPrefix(lower, []byte("<!doctype html")), bytes.HasPrefix(lower, []byte("<html")):
		return FormatHTML, true
	case bytes.HasPrefix(lower, []byte("<?xml")), bytes.HasPrefix(lower, []byte("<rss")),
		bytes.HasPrefix(lower, []byte("<feed")), bytes.HasPrefix(lower, []byte("<rdf:rdf")):
		if isFeedXML(lower) {
			return FormatFeed, true
		}
		if bytes.Contains(lower, []byte("<html")) {
			return FormatHTML, true // XHTML
		}
	}
	return "", false
}

func isFeedXML(lower []byte) bool {
	for _, tag := range []string{"<rss", "<feed", "<rdf:rdf", "<channel"} {
		if bytes.Contains(lower, []byte(tag)) {
			return true
		}
	}
	return false
}

func byContentType(ct string) (Format, bool) {
	if ct == "" {
		return "", false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	switch mt {
	case "text/html", "application/xhtml+xml":
		return FormatHTML, true
	case "application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json":
		return FormatFeed, true
	case "application/pdf", "application/x-pdf":
		return FormatPDF, true
	case "text/markdown", "text/x-markdown":
		return FormatMarkdown, true
	case "application/json":
		return FormatJSON, true
	case "text/plain":
		return FormatText, true
	}
	return "", false
}

func byName(name string) (Format, bool) {
	if i := strings.IndexAny(name, "?#"); i >= 0 && strings.Contains(name, "://") {
		name = name[:i]
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx":
		return FormatHTML, true
	case ".rss", ".atom", ".rdf", ".xml":
		return FormatFeed, true
	case ".pdf":
		return FormatPDF, true
	case ".md", ".markdown":
		return FormatMarkdown, true
	case ".json":
		return FormatJSON, true
	case ".txt", ".text":
		return FormatText, true
	}
	return "", false
}

// isMarkup reports whether text that had no telling prefix still looks like
// HTML (a fragment saved without a doctype).
func isMarkup(head []byte) bool {
	return http.DetectContentType(head) == "text/html; charset=utf-8" ||
		bytes.Contains(bytes.ToLower(head), []byte("<body"))
}

// trimLeadingNoise drops a byte-order mark and leading whitespace.
func trimLeadingNoise(b []byte) []byte {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	b = bytes.TrimPrefix(b, []byte("\xfe\xff"))
	b = bytes.TrimPrefix(b, []byte("\xff\xfe"))
	return bytes.TrimLeft(b, " \t\r\n")
}
