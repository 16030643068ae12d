package main

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// Page geometry in points: US Letter with one-inch margins.
const (
	pageW, pageH = 612, 792
	margin       = 72
	fontSize     = 10
	leading      = 13
	titleSize    = 12
	textWidth    = pageW - 2*margin
)

// Options describe the document as a whole.
type Options struct {
	Title   string
	Created time.Time
}

// Render typesets text: one output line per input line, long lines wrapped at
// word boundaries, pages broken when full. Lines in capitals (section
// headings in statutes and notices) are set in Helvetica-Bold.
func Render(text string, opt Options) ([]byte, error) {
	text = strings.NewReplacer("``", "\u201c", "''", "\u201d", "\r\n", "\n").Replace(text)
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		lines = append(lines, wrap(l, textWidth)...)
	}
	perPage := (pageH - 2*margin) / leading
	firstPage := perPage
	if opt.Title != "" {
		firstPage -= 2
	}
	var pages [][]string
	for n := firstPage; len(lines) > 0; n = perPage {
		n = min(n, len(lines))
		pages = append(pages, lines[:n])
		lines = lines[n:]
	}
	if len(pages) == 0 {
		pages = [][]string{nil}
	}

	w := &writer{}
	w.raw("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Fixed object numbers: 1 catalog, 2 page tree, 3-4 fonts, 5 info, then a
	// page and its content stream for each page.
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 6+2*i)
	}
	w.obj(1, "<< /Type /Catalog /Pages 2 0 R >>")
	w.obj(2, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	w.obj(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	w.obj(4, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	title, err := pdfString(opt.Title)
	if err != nil {
		return nil, fmt.Errorf("title: %w", err)
	}
	w.obj(5, fmt.Sprintf("<< /Title %s /Producer (mkpdf) /CreationDate (D:%s) >>",
		title, opt.Created.UTC().Format("20060102150405")+"Z"))
	for i, pl := range pages {
		content, err := pageContent(pl, i, len(pages), opt.Title)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", i+1, err)
		}
		var z bytes.Buffer
		zw, err := zlib.NewWriterLevel(&z, zlib.BestCompression)
		if err != nil {
			return nil, fmt.Errorf("compress: %w", err)
		}
		zw.Write(content)
		if err := zw.Close(); err != nil {
			return nil, fmt.Errorf("compress: %w", err)
		}
		page, stream := 6+2*i, 7+2*i
		w.obj(page, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "+
			"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", pageW, pageH, stream))
		w.stream(stream, fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>", z.Len()), z.Bytes())
	}
	w.trailer(5+2*len(pages)+1, "<< /Size %d /Root 1 0 R /Info 5 0 R >>")
	return w.buf.Bytes(), nil
}

func pageContent(lines []string, page, pages int, title string) ([]byte, error) {
	var c bytes.Buffer
	y := pageH - margin
	if page == 0 && title != "" {
		s, err := pdfString(title)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&c, "BT /F2 %d Tf %d %d Td %s Tj ET\n", titleSize, margin, y, s)
		y -= 2 * leading
	}
	for _, l := range lines {
		s, err := pdfString(l)
		if err != nil {
			return nil, err
		}
		font := "F1"
		if isHeading(l) {
			font = "F2"
		}
		fmt.Fprintf(&c, "BT /%s %d Tf %d %d Td %s Tj ET\n", font, fontSize, margin, y, s)
		y -= leading
	}
	footer, _ := pdfString(fmt.Sprintf("Page %d of %d", page+1, pages))
	fmt.Fprintf(&c, "BT /F1 8 Tf %d %d Td %s Tj ET\n", pageW/2-20, margin/2, footer)
	return c.Bytes(), nil
}

// isHeading: a line with letters, all of them capitals.
func isHeading(l string) bool {
	t := strings.TrimSpace(l)
	return len(t) > 3 && strings.ToUpper(t) == t && strings.ToLower(t) != t
}

// pdfString encodes s in WinAnsi (Windows-1252) as a PDF literal string.
func pdfString(s string) (string, error) {
	enc, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		return "", fmt.Errorf("%q is not representable in WinAnsiEncoding: %w", s, err)
	}
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(enc); i++ {
		switch ch := enc[i]; ch {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(ch)
		default:
			b.WriteByte(ch)
		}
	}
	b.WriteByte(')')
	return b.String(), nil
}

// writer records each object's byte offset for the cross-reference table.
type writer struct {
	buf     bytes.Buffer
	offsets map[int]int
}

func (w *writer) raw(s string) { w.buf.WriteString(s) }

func (w *writer) obj(n int, body string) {
	w.mark(n)
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nendobj\n", n, body)
}

func (w *writer) stream(n int, dict string, data []byte) {
	w.mark(n)
	fmt.Fprintf(&w.buf, "%d 0 obj\n%s\nstream\n", n, dict)
	w.buf.Write(data)
	w.buf.WriteString("\nendstream\nendobj\n")
}

func (w *writer) mark(n int) {
	if w.offsets == nil {
		w.offsets = map[int]int{}
	}
	w.offsets[n] = w.buf.Len()
}

// trailer writes the xref table (entries of exactly 20 bytes), the trailer
// dictionary and startxref.
func (w *writer) trailer(size int, dictFmt string) {
	start := w.buf.Len()
	fmt.Fprintf(&w.buf, "xref\n0 %d\n0000000000 65535 f \n", size)
	for n := 1; n < size; n++ {
		fmt.Fprintf(&w.buf, "%010d 00000 n \n", w.offsets[n])
	}
	fmt.Fprintf(&w.buf, "trailer\n"+dictFmt+"\nstartxref\n%d\n%%%%EOF\n", size, start)
}
