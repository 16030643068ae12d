package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adwatch"
)

func benchFile(b *testing.B, name string, kind adwatch.Kind) {
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	e := New(Options{})
	in := Input{Name: name, URL: "https://example.com/x", Kind: kind, Body: body}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Extract(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExtractHTML measures HTML extraction throughput (readability for
// press, full body for government); company finding runs with no matcher.
func BenchmarkExtractHTML(b *testing.B) {
	b.Run("press", func(b *testing.B) { benchFile(b, "press-entity-list.html", adwatch.KindPress) })
	b.Run("government", func(b *testing.B) { benchFile(b, "gov-bod-17-01.html", adwatch.KindGovernment) })
}

// BenchmarkExtractPDF is the cost per document once PDFium is running.
func BenchmarkExtractPDF(b *testing.B) {
	initPDF()
	benchFile(b, "ndaa-1634.pdf", adwatch.KindGovernment)
}

// BenchmarkPDFInit is the one-off cost of compiling and starting PDFium
// (paid once per process, on the first PDF).
func BenchmarkPDFInit(b *testing.B) {
	for b.Loop() {
		pool, err := newPDFPool()
		if err != nil {
			b.Fatal(err)
		}
		inst, err := pool.GetInstance(0)
		if err != nil {
			b.Fatal(err)
		}
		inst.Close()
		pool.Close()
	}
}

// BenchmarkExtractReaderText is streaming throughput for plain text.
func BenchmarkExtractReaderText(b *testing.B) {
	src := longText(4000)
	e := New(Options{})
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := e.ExtractReader(context.Background(), strings.NewReader(src), Input{Name: "a.txt"}, false); err != nil {
			b.Fatal(err)
		}
	}
}
