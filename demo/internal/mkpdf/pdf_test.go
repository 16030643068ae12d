package main

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"
)

// objects maps object numbers to their byte offsets through the xref table,
// failing the test where the table and the file disagree.
func objects(t *testing.T, b []byte) map[int]int {
	t.Helper()
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no startxref at the end")
	}
	start, _ := strconv.Atoi(string(m[1]))
	hdr := regexp.MustCompile(`^xref\n0 (\d+)\n`).FindSubmatch(b[start:])
	if hdr == nil {
		t.Fatalf("startxref %d does not point at an xref table", start)
	}
	n, _ := strconv.Atoi(string(hdr[1]))
	table := b[start+len(hdr[0]):]
	offs := map[int]int{}
	for i := 1; i < n; i++ {
		e := string(table[20*i : 20*i+20])
		off, err := strconv.Atoi(e[:10])
		if err != nil || !strings.HasSuffix(e, " 00000 n \n") {
			t.Fatalf("xref entry %d = %q", i, e)
		}
		if want := fmt.Sprintf("%d 0 obj\n", i); !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Fatalf("object %d: offset %d points at %q", i, off, b[off:off+10])
		}
		offs[i] = off
	}
	return offs
}

// shown returns the strings shown with Tj, page by page, after inflating the
// content streams.
func shown(t *testing.T, b []byte) []string {
	t.Helper()
	var out []string
	re := regexp.MustCompile(`/Length (\d+) /Filter /FlateDecode >>\nstream\n`)
	for _, loc := range re.FindAllSubmatchIndex(b, -1) {
		n, _ := strconv.Atoi(string(b[loc[2]:loc[3]]))
		zr, err := zlib.NewReader(bytes.NewReader(b[loc[1] : loc[1]+n]))
		if err != nil {
			t.Fatalf("inflate: %v", err)
		}
		content, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("inflate: %v", err)
		}
		for _, m := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) Tj`).FindAllSubmatch(content, -1) {
			out = append(out, string(m[1]))
		}
	}
	return out
}

func TestRenderPaginatesAndIndexesObjects(t *testing.T) {
	t.Parallel()
	var text strings.Builder
	for i := range 120 {
		fmt.Fprintf(&text, "Line %d of a long notice.\n", i)
	}
	b, err := Render(text.String(), Options{Title: "Notice", Created: time.Date(2019, 5, 21, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-1.4\n")) {
		t.Fatalf("header %q", b[:9])
	}
	offs := objects(t, b)
	perPage := (pageH - 2*margin) / leading
	pages := 1 + (120-(perPage-2)+perPage-1)/perPage
	if got := bytes.Count(b, []byte("/Type /Page ")); got != pages {
		t.Errorf("pages = %d, want %d", got, pages)
	}
	if len(offs) != 5+2*pages {
		t.Errorf("objects = %d, want %d", len(offs), 5+2*pages)
	}
	if !bytes.Contains(b, []byte(fmt.Sprintf("/Count %d", pages))) || !bytes.Contains(b, []byte("(D:20190521000000Z)")) {
		t.Errorf("page tree count or creation date missing")
	}
	got := shown(t, b)
	if got[0] != "Notice" || !slicesContain(got, "Line 0 of a long notice.") || !slicesContain(got, "Line 119 of a long notice.") {
		t.Errorf("shown text starts %q and lacks first or last line", got[:3])
	}
}

func TestWrapKeepsWordsAndIndent(t *testing.T) {
	t.Parallel()
	line := "    " + strings.Repeat("Kaspersky-branded products must be removed ", 8)
	lines := wrap(line, textWidth)
	if len(lines) < 2 {
		t.Fatalf("wrap gave %d lines, want several", len(lines))
	}
	for _, l := range lines {
		if width(l) > textWidth || !strings.HasPrefix(l, "    ") {
			t.Errorf("line %q: width %.0f > %d or lost its indent", l, width(l), textWidth)
		}
	}
	if got, want := strings.Join(strings.Fields(strings.Join(lines, " ")), " "), strings.Join(strings.Fields(line), " "); got != want {
		t.Errorf("wrap changed the words:\n got %q\nwant %q", got, want)
	}
}

func TestPDFStringEscapesAndEncodes(t *testing.T) {
	t.Parallel()
	got, err := pdfString(`(a) back\slash — “quoted” §1634`)
	if err != nil {
		t.Fatalf("pdfString: %v", err)
	}
	if want := "(\\(a\\) back\\\\slash \x97 \x93quoted\x94 \xa71634)"; got != want {
		t.Errorf("pdfString = %q, want %q", got, want)
	}
	if _, err := pdfString("华为"); err == nil {
		t.Errorf("pdfString accepted characters WinAnsiEncoding cannot show")
	}
}

// The committed PDFs must say what their text sources say: regenerate with
// `go generate ./demo` after editing a source.
func TestCommittedPDFsMatchTheirSources(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"publ91-sec1634.txt": "../../site/news/documents/publ91-sec1634.pdf",
		"../../site/documents/full_text/text/2017/09/19/2017-19838.txt": "../../site/content/pkg/FR-2017-09-19/pdf/2017-19838.pdf",
		"../../site/documents/full_text/text/2023/02/06/2023-01878.txt": "../../site/content/pkg/FR-2023-02-06/pdf/2023-01878.pdf",
	}
	for src, pdf := range cases {
		text, err := os.ReadFile(src)
		if err != nil {
			t.Fatalf("read %s: %v", src, err)
		}
		committed, err := os.ReadFile(pdf)
		if err != nil {
			t.Fatalf("read %s: %v", pdf, err)
		}
		objects(t, committed)
		// The title is part of the layout (it takes room on page one), so
		// render with the one the committed file carries.
		m := regexp.MustCompile(`/Title \(([^()\\]*)\) `).FindSubmatch(committed)
		if m == nil {
			t.Fatalf("%s: no plain /Title in the Info dictionary", pdf)
		}
		title, err := charmap.Windows1252.NewDecoder().String(string(m[1]))
		if err != nil {
			t.Fatalf("%s: title: %v", pdf, err)
		}
		fresh, err := Render(string(text), Options{Title: title})
		if err != nil {
			t.Fatalf("render %s: %v", src, err)
		}
		got, want := shown(t, committed), shown(t, fresh)
		if len(got) == 0 || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s is stale: run go generate ./demo", pdf)
		}
	}
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
