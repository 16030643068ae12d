package extract

import (
	"bytes"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// ndaa1634 is the opening of section 1634 of the National Defense
// Authorization Act for Fiscal Year 2018 (Public Law 115-91), as printed.
var ndaa1634 = []string{
	"SEC. 1634. PROHIBITION ON USE OF PRODUCTS AND SERVICES DEVELOPED OR",
	"PROVIDED BY KASPERSKY LAB.",
	"(a) PROHIBITION.—No department, agency, organization, or other element of",
	"the Federal Government may use, whether directly or through work with or on",
	"behalf of another organization or element of the Federal Government, any",
	"hardware, software, or services developed or provided, in whole or in part, by—",
	"(1) Kaspersky Lab (or any successor entity);",
	"(2) any entity that controls, is controlled by, or is under common control",
	"with Kaspersky Lab; or",
	"(3) any entity of which Kaspersky Lab has majority ownership.",
	"(b) EFFECTIVE DATE.—The prohibition in subsection (a) shall take effect on",
	"October 1, 2018.",
}

// makePDF writes a minimal, valid PDF 1.4 file: one page per element of
// pages, each line set in Helvetica (WinAnsi), with a correct xref table so
// that strict readers accept it. It is how testdata/ndaa-1634.pdf is made.
func makePDF(title string, pages ...[]string) []byte {
	streams := make([]string, len(pages))
	for i, lines := range pages {
		var content bytes.Buffer
		content.WriteString("BT /F1 10 Tf 14 TL 54 740 Td\n")
		for _, l := range lines {
			content.WriteString(pdfString(l) + " '\n")
		}
		content.WriteString("ET\n")
		streams[i] = content.String()
	}
	return makePDFStreams(title, streams...)
}

// makePDFRaw is a one-page PDF with the given content stream.
func makePDFRaw(content string) []byte { return makePDFStreams("", content) }

// makePDFStreams writes a PDF with one page per content stream.
func makePDFStreams(title string, pages ...string) []byte {
	var objs []string
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>")
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", 5+2*i)
	}
	objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	objs = append(objs, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	objs = append(objs, fmt.Sprintf("<< /Title %s /Producer (adwatch test fixture) >>", pdfString(title)))
	for i, content := range pages {
		objs = append(objs, fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 6+2*i))
		objs = append(objs, fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(content), content))
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// pdfString encodes s as a PDF literal string in WinAnsi (Windows-1252).
func pdfString(s string) string {
	enc, err := charmap.Windows1252.NewEncoder().String(s)
	if err != nil {
		enc = s
	}
	var b strings.Builder
	b.WriteByte('(')
	for i := 0; i < len(enc); i++ {
		c := enc[i]
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}
