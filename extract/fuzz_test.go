package extract

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"adwatch"
)

var fuzzNames = []string{"doc.html", "doc.txt", "doc.md", "doc.xml", "doc.json", "doc.pdf", ""}

// FuzzExtract: whatever the bytes and whatever they claim to be, extraction
// returns (or fails) without panicking, and what it returns is valid UTF-8
// with spans inside the text.
func FuzzExtract(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"))
	for _, p := range files {
		if filepath.Ext(p) == ".json" && bytes.Contains([]byte(p), []byte(".golden")) {
			continue
		}
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b, uint8(0))
		}
	}
	f.Add([]byte("<html><body><table><tr><td>Huawei<td>ZTE</table><pre>a\nb</pre>"), uint8(0))
	f.Add([]byte("---\ntitle: x\n---\n[a](b) ![c](d) NestlÃ©"), uint8(2))
	f.Add([]byte("\xff\xfe\x00<\x00h\x00t\x00m\x00l"), uint8(6))
	e := New(Options{})
	// Start PDFium before fuzzing: its start-up takes seconds, and the fuzz
	// engine takes any input slower than 10 s for a hang.
	if _, err := readPDF(context.Background(), makePDF("warm-up", []string{"x"})); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, hint uint8) {
		in := Input{Name: fuzzNames[int(hint)%len(fuzzNames)], Body: body, Kind: adwatch.KindPress, URL: "https://example.com/a/b"}
		if hint&8 != 0 {
			in.Kind = adwatch.KindGovernment
		}
		check := func(x adwatch.Extracted, err error) {
			if err != nil {
				return
			}
			if !utf8.ValidString(x.Text) || !utf8.ValidString(x.Title) {
				t.Fatalf("invalid UTF-8 out: title %q text %q", x.Title, x.Text)
			}
			for _, s := range x.Spans {
				if s.Start < 0 || s.End > len(x.Text) || s.Start > s.End {
					t.Fatalf("span %+v outside text of %d bytes", s, len(x.Text))
				}
			}
		}
		check(e.Extract(context.Background(), in))
		check(e.ExtractReader(context.Background(), bytes.NewReader(body), in, true))
	})
}
