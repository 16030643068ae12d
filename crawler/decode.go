package crawler

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// normalize returns the body's real media type (sniffed when the server's
// Content-Type is missing, generic or wrong) and, for text types, the body
// decoded to valid UTF-8 with a "; charset=utf-8" content type. Binary bodies
// (PDFs) are returned untouched.
//
// Colly has already decoded bodies whose Content-Type header names a
// non-UTF-8 charset; those are only repaired here, never decoded twice.
func normalize(h http.Header, body []byte) (string, []byte) {
	headerCT := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(headerCT)
	if err != nil {
		mt, params = "", nil
	}
	mt = sniff(strings.ToLower(mt), body)
	if !isText(mt) {
		if mt == mediaType(headerCT) && headerCT != "" {
			return headerCT, body
		}
		return mt, body
	}
	declared := strings.ToLower(params["charset"])
	collyDecoded := declared != "" && !strings.Contains(declared, "utf-8") && !strings.Contains(declared, "utf8")
	if !collyDecoded {
		body = decodeUndeclared(mt, declared, body)
	}
	if isXML(mt) {
		body = xmlDeclToUTF8(body)
	}
	body = bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF"))
	if !utf8.Valid(body) {
		body = bytes.ToValidUTF8(body, []byte("\uFFFD"))
	}
	return mt + "; charset=utf-8", body
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(mt)
}

// decodeUndeclared decodes a body whose header named no charset (or UTF-8):
// by BOM, then the HTML meta or XML declaration, then UTF-8 if valid, else
// windows-1252 (the web's historical default).
func decodeUndeclared(mt, declared string, body []byte) []byte {
	if declared != "" {
		return body // declared UTF-8; invalid bytes are repaired by the caller
	}
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, []byte("\xFE\xFF")), bytes.HasPrefix(body, []byte("\xFF\xFE")):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
		if body[0] == 0xFF {
			enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
		}
	case strings.Contains(mt, "html"):
		e, name, _ := charset.DetermineEncoding(body[:min(len(body), 1024)], "text/html")
		if name != "utf-8" {
			enc = e
		}
	case isXML(mt):
		if label := xmlDeclEncoding(body); label != "" {
			if e, err := htmlindex.Get(label); err == nil && e != unicode.UTF8 {
				enc = e
			}
		}
	}
	if enc == nil && !utf8.Valid(body) && !strings.Contains(mt, "json") {
		if e, err := htmlindex.Get("windows-1252"); err == nil {
			enc = e
		}
	}
	if enc == nil {
		return body
	}
	out, err := io.ReadAll(transform.NewReader(bytes.NewReader(body), enc.NewDecoder()))
	if err != nil {
		return body
	}
	return out
}

var xmlDeclRe = regexp.MustCompile(`^(\xEF\xBB\xBF)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']`)

func xmlDeclEncoding(body []byte) string {
	m := xmlDeclRe.FindSubmatch(body[:min(len(body), 512)])
	if m == nil {
		return ""
	}
	return strings.ToLower(string(m[2]))
}

// xmlDeclToUTF8 rewrites the XML declaration's encoding after decoding, so an
// XML parser does not decode the body a second time.
func xmlDeclToUTF8(body []byte) []byte {
	head := body[:min(len(body), 512)]
	loc := xmlDeclRe.FindSubmatchIndex(head)
	if loc == nil || strings.EqualFold(string(head[loc[4]:loc[5]]), "utf-8") {
		return body
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:loc[4]]...)
	out = append(out, "UTF-8"...)
	return append(out, body[loc[5]:]...)
}

// sniff corrects a missing, generic or wrong media type from the body.
func sniff(mt string, body []byte) string {
	if bytes.HasPrefix(body, []byte("%PDF-")) {
		return "application/pdf"
	}
	head := bytes.TrimLeft(bytes.TrimPrefix(body[:min(len(body), 512)], []byte("\xEF\xBB\xBF")), " \t\r\n")
	generic := mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" ||
		mt == "text/plain" || mt == "text/html" || mt == "application/x-download"
	if !generic {
		return mt
	}
	lower := bytes.ToLower(head)
	switch {
	case bytes.HasPrefix(lower, []byte("<rss")), bytes.HasPrefix(lower, []byte("<feed")), bytes.HasPrefix(lower, []byte("<rdf:rdf")):
		return "application/xml"
	case bytes.HasPrefix(lower, []byte("<?xml")):
		if bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<!doctype html")) {
			return "application/xhtml+xml"
		}
		return "application/xml"
	case mt != "" && mt != "application/octet-stream" && mt != "binary/octet-stream" && mt != "application/x-download":
		return mt // text/plain or text/html that does not look like a feed
	case len(head) > 0 && (head[0] == '{' || head[0] == '['):
		return "application/json"
	}
	det, _, _ := mime.ParseMediaType(http.DetectContentType(body))
	return det
}

func isXML(mt string) bool {
	return strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml")
}

func isText(mt string) bool {
	return strings.HasPrefix(mt, "text/") || isXML(mt) || strings.HasSuffix(mt, "json") ||
		strings.HasSuffix(mt, "javascript") || mt == "application/csv"
}

// contentHash is the hex SHA-256 of a body.
func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
