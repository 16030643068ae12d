// Command mkpdf typesets a plain-text file as a small, valid PDF 1.4: Letter
// pages, the standard 14 fonts Helvetica and Helvetica-Bold with
// WinAnsiEncoding, text shown with Tj, FlateDecode content streams and a
// cross-reference table with exact byte offsets.
//
// It exists so the sample site's PDFs are reproducible from text kept in the
// repository (see the go:generate lines in package demo). It must not embed
// fonts, images or anything a reader would need beyond the standard fonts.
//
//	go run ./demo/internal/mkpdf -in notice.txt -out notice.pdf -title "Title" -date 2017-12-12
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	in := flag.String("in", "", "plain-text input file (UTF-8)")
	out := flag.String("out", "", "PDF file to write")
	title := flag.String("title", "", "document title (Info dictionary and first-page heading)")
	date := flag.String("date", "", "creation date YYYY-MM-DD (keeps the output reproducible)")
	flag.Parse()
	if *in == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "usage: mkpdf -in FILE.txt -out FILE.pdf [-title T] [-date YYYY-MM-DD]")
		os.Exit(2)
	}
	if err := run(*in, *out, *title, *date); err != nil {
		fmt.Fprintln(os.Stderr, "mkpdf:", err)
		os.Exit(1)
	}
}

func run(in, out, title, date string) error {
	text, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	created := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if date != "" {
		created, err = time.Parse(time.DateOnly, date)
		if err != nil {
			return fmt.Errorf("date %q: %w", date, err)
		}
	}
	pdf, err := Render(string(text), Options{Title: title, Created: created})
	if err != nil {
		return fmt.Errorf("render %s: %w", in, err)
	}
	if err := os.WriteFile(out, pdf, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	return nil
}
