package extract

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/references"
	"github.com/klippa-app/go-pdfium/requests"
)

// PDF limits. A signed law or rule runs to tens of pages; these bound what a
// hostile or mistaken input can cost.
const (
	MaxPDFPages = 2000
	maxPDFText  = 32 << 20 // bytes of extracted text
)

// ErrPDF marks a PDF that could not be read (encrypted, broken, not a PDF).
var ErrPDF = errors.New("unreadable pdf")

// readPDF extracts the text of a PDF page by page; pages are paragraphs.
// The title is the document's Title metadata, else its first line.
func readPDF(ctx context.Context, body []byte) (d doc, err error) {
	if len(body) > MaxInputBytes {
		return doc{}, fmt.Errorf("pdf of %d bytes exceeds the %d byte limit", len(body), MaxInputBytes)
	}
	pdfEngine.mu.Lock()
	defer pdfEngine.mu.Unlock()
	inst, err := instance()
	if err != nil {
		return doc{}, err
	}
	defer func() {
		// A trap inside the WebAssembly module surfaces as a panic; the
		// instance may be corrupt, so it is discarded and the next PDF
		// gets a fresh one.
		if r := recover(); r != nil {
			discardInstance()
			d, err = doc{}, fmt.Errorf("%w: pdfium failed: %v", ErrPDF, r)
		}
	}()
	title, pages, err := pdfText(ctx, inst, body)
	pdfWorkDone(len(pages))
	if err != nil {
		return doc{}, err
	}
	text := cleanText(strings.Join(pages, "\n\n"))
	if title == "" {
		title = firstLine(text)
	}
	return doc{Title: title, Text: text, Published: leadingDate(text)}, nil
}

func pdfText(ctx context.Context, inst pdfium.Pdfium, body []byte) (string, []string, error) {
	opened, err := inst.OpenDocument(&requests.OpenDocument{File: &body})
	if err != nil {
		return "", nil, fmt.Errorf("%w: %v", ErrPDF, err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: opened.Document})
	count, err := inst.FPDF_GetPageCount(&requests.FPDF_GetPageCount{Document: opened.Document})
	if err != nil {
		return "", nil, fmt.Errorf("%w: page count: %v", ErrPDF, err)
	}
	if count.PageCount > MaxPDFPages {
		return "", nil, fmt.Errorf("pdf has %d pages, more than the %d page limit", count.PageCount, MaxPDFPages)
	}
	var title string
	if meta, err := inst.FPDF_GetMetaText(&requests.FPDF_GetMetaText{Document: opened.Document, Tag: "Title"}); err == nil {
		title = pdfTitle(meta.Value)
	}
	pages := make([]string, 0, count.PageCount)
	size := 0
	for i := 0; i < count.PageCount; i++ {
		if err := ctx.Err(); err != nil {
			return "", nil, err
		}
		pt, err := inst.GetPageText(&requests.GetPageText{
			Page: requests.Page{ByIndex: &requests.PageByIndex{Document: opened.Document, Index: i}},
		})
		if err != nil {
			return "", nil, fmt.Errorf("%w: page %d: %v", ErrPDF, i+1, err)
		}
		t := joinHyphenated(pt.Text)
		if ct, ok := pageColumns(inst, opened.Document, i); ok {
			t = ct
		}
		if size += len(t); size > maxPDFText {
			return "", nil, fmt.Errorf("pdf text exceeds %d bytes", maxPDFText)
		}
		pages = append(pages, t)
	}
	return title, pages, nil
}

// joinHyphenated undoes PDFium's marks for words hyphenated across lines:
// it reports such a hyphen as U+0002 (or a soft hyphen) before the line
// break, and the word belongs together ("prohi-\nbition").
func joinHyphenated(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, mark := range []string{"\u0002\n", "\u00ad\n"} {
		s = strings.ReplaceAll(s, mark, "")
	}
	return strings.ReplaceAll(s, "\u0002", "")
}

// pageColumns returns the page's text in reading order if it is set in
// columns (see columnText).
func pageColumns(inst pdfium.Pdfium, d references.FPDF_DOCUMENT, page int) (string, bool) {
	st, err := inst.GetPageTextStructured(&requests.GetPageTextStructured{
		Page: requests.Page{ByIndex: &requests.PageByIndex{Document: d, Index: page}},
		Mode: requests.GetPageTextStructuredModeRects,
	})
	if err != nil || len(st.Rects) > 20000 {
		return "", false
	}
	rects := make([]textRect, 0, len(st.Rects))
	for _, r := range st.Rects {
		if r == nil {
			continue
		}
		p := r.PointPosition
		rects = append(rects, textRect{text: joinHyphenated(r.Text), left: p.Left, right: p.Right, top: p.Top, bottom: p.Bottom})
	}
	return columnText(rects)
}

// pdfTitle is the Title metadata unless it is what office software leaves
// there instead of a title ("Microsoft Word - PLAW-115publ91.docx",
// "untitled"), in which case the first line of text is the better title.
func pdfTitle(meta string) string {
	t := cleanLine(meta)
	l := strings.ToLower(t)
	if l == "" || l == "untitled" || strings.HasPrefix(l, "microsoft ") {
		return ""
	}
	for _, ext := range []string{".doc", ".docx", ".pdf", ".rtf", ".wpd", ".indd", ".xml", ".txt"} {
		if strings.HasSuffix(l, ext) {
			return ""
		}
	}
	return t
}
