package extract

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klippa-app/go-pdfium"

	"adwatch"
)

func benchFile(b *testing.B, name string, kind adwatch.Kind) {
	body, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		b.Fatal(err)
	}
	benchBody(b, name, kind, body)
}

func benchBody(b *testing.B, name string, kind adwatch.Kind, body []byte) {
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
	// A page of the size news sites serve: a long article, and chrome
	// (related stories, comments) of several times its length.
	big := largePressPage(b)
	b.Run("press-large", func(b *testing.B) { benchBody(b, "big.html", adwatch.KindPress, big) })
	b.Run("government-large", func(b *testing.B) { benchBody(b, "big.html", adwatch.KindGovernment, big) })
}

func largePressPage(b *testing.B) []byte {
	body, err := os.ReadFile(filepath.Join("testdata", "press-entity-list.html"))
	if err != nil {
		b.Fatal(err)
	}
	s := string(body)
	para := "<p>The Commerce Department said on Thursday that it was adding Huawei Technologies Co., Ltd. and seventy of its affiliates to the Entity List, a move that bars the company from buying parts from American suppliers without approval.</p>\n"
	s = strings.Replace(s, `<div class="story-body">`, `<div class="story-body">`+strings.Repeat(para, 60), 1)
	related := `<li><a href="/a">Apple unveils new phones at September event</a></li>` + "\n"
	s = strings.Replace(s, "<ul>\n    <li>", "<ul>\n"+strings.Repeat(related, 200)+"<li>", 1)
	comment := `<div class="comment"><span class="author">reader123</span><p>This is going to hurt Oracle and Cisco more than anyone, and the suppliers too.</p></div>` + "\n"
	s = strings.Replace(s, `<div class="comment">`, strings.Repeat(comment, 400)+`<div class="comment">`, 1)
	return []byte(s)
}

// BenchmarkPDFPages is the cost of reading a 20-page law once PDFium is
// running, interpreted (what a run starts with) and compiled (what it
// switches to after compileAfterPages pages).
func BenchmarkPDFPages(b *testing.B) {
	var pages [][]string
	for range 20 {
		pages = append(pages, ndaa1634)
	}
	body := makePDF("Public Law 115-91", pages...)
	for _, eng := range []struct {
		name  string
		start func() (pdfium.Pool, error)
	}{{"interpreter", newPDFInterpreterPool}, {"compiled", newPDFPool}} {
		b.Run(eng.name, func(b *testing.B) {
			pool, err := eng.start()
			if err != nil {
				b.Fatal(err)
			}
			defer pool.Close()
			inst, err := pool.GetInstance(time.Minute)
			if err != nil {
				b.Fatal(err)
			}
			defer inst.Close()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				if _, _, err := pdfText(context.Background(), inst, body); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/20, "ms/page")
		})
	}
}

// BenchmarkPDFInit is the one-off cost of starting PDFium, interpreted and
// compiled (paid once per process).
func BenchmarkPDFInit(b *testing.B) {
	for _, eng := range []struct {
		name  string
		start func() (pdfium.Pool, error)
	}{{"interpreter", newPDFInterpreterPool}, {"compiled", newPDFPool}} {
		b.Run(eng.name, func(b *testing.B) {
			for b.Loop() {
				pool, err := eng.start()
				if err != nil {
					b.Fatal(err)
				}
				inst, err := pool.GetInstance(time.Minute)
				if err != nil {
					b.Fatal(err)
				}
				inst.Close()
				pool.Close()
			}
		})
	}
}

// repeatReader yields s over and over, n bytes in all, without holding more
// than s in memory.
type repeatReader struct {
	s   string
	off int
	n   int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	k := 0
	for k < len(p) {
		c := copy(p[k:], r.s[r.off:])
		k += c
		r.off = (r.off + c) % len(r.s)
	}
	r.n -= int64(k)
	return k, nil
}

// BenchmarkExtractReaderLarge streams 256 MiB of news-like text without
// keeping it (withText false): throughput, and with /usr/bin/time -v the
// peak RSS, which must not grow with the input.
func BenchmarkExtractReaderLarge(b *testing.B) {
	var corpus strings.Builder
	for _, f := range []string{"press-entity-list.html", "gov-bod-17-01.html", "fcc-covered-list.html"} {
		body, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			b.Fatal(err)
		}
		x, err := New(Options{}).Extract(context.Background(), Input{Name: f, Kind: adwatch.KindGovernment, Body: body})
		if err != nil {
			b.Fatal(err)
		}
		corpus.WriteString(x.Text + "\n\n")
	}
	const size = 256 << 20
	e := New(Options{})
	b.SetBytes(size)
	for b.Loop() {
		r := &repeatReader{s: corpus.String(), n: size}
		if _, err := e.ExtractReader(context.Background(), r, Input{Name: "big.txt"}, false); err != nil {
			b.Fatal(err)
		}
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
