package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"adwatch"
	"adwatch/advcsv"
	"adwatch/extract"
	"adwatch/extract/names"
)

// extractLine is one line of `adwatch extract` output (see the contract).
type extractLine struct {
	File      string            `json:"file"`
	Title     string            `json:"title"`
	Kind      adwatch.Kind      `json:"kind"`
	Companies []adwatch.Company `json:"companies"`
	Matches   []adwatch.Match   `json:"matches"`
	Text      *string           `json:"text,omitempty"`
	Published *time.Time        `json:"published,omitempty"`
	Error     string            `json:"error,omitempty"`
}

func cmdExtract(ctx context.Context, e *env, args []string) error {
	f := newFlags("extract", "extract --advertisers FILE.csv [--kind government|press] [--text] PATH...", e, false)
	advPath := f.String("advertisers", "", "advertisers CSV (id,name,aliases,active)")
	kind := f.String("kind", "", "government or press (default: guessed per file)")
	withText := f.Bool("text", false, "include the extracted text and published date")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() == 0 {
		return usageError("extract needs at least one PATH (file or directory)")
	}
	if *kind != "" && !adwatch.Kind(*kind).Valid() {
		return usageError("--kind must be government or press")
	}
	var ads []adwatch.Advertiser
	if *advPath != "" {
		file, err := os.Open(*advPath)
		if err != nil {
			return usageError("--advertisers: %v", err)
		}
		ads, err = advcsv.Parse(file)
		file.Close()
		if err != nil {
			return usageError("%s: %v", *advPath, err)
		}
	}
	m, err := names.NewMatcher(ads)
	if err != nil {
		return failed(fmt.Errorf("build advertiser index: %w", err))
	}
	x := extract.New(extract.Options{Matcher: m})
	bad := 0
	for _, root := range f.Args() {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				bad++
				return jsonLine(e.stdout, extractLine{File: path, Error: err.Error()})
			}
			if d.IsDir() {
				if path != root && strings.HasPrefix(d.Name(), ".") {
					return filepath.SkipDir
				}
				return nil
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			line := extractFile(ctx, x, path, adwatch.Kind(*kind), *withText)
			if line.Error != "" {
				bad++
			}
			return jsonLine(e.stdout, line)
		})
		if err != nil {
			return failed(err)
		}
	}
	if bad > 0 {
		return failed(fmt.Errorf("%d file(s) could not be read", bad))
	}
	return nil
}

func extractFile(ctx context.Context, x *extract.Extractor, path string, kind adwatch.Kind, withText bool) extractLine {
	line := extractLine{File: path, Kind: kind, Companies: []adwatch.Company{}, Matches: []adwatch.Match{}}
	file, err := os.Open(path)
	if err != nil {
		line.Error = err.Error()
		return line
	}
	defer file.Close()
	if kind == "" {
		kind = guessKind(path)
		line.Kind = kind
	}
	ext, err := x.ExtractReader(ctx, file, extract.Input{Name: path, Kind: kind}, withText)
	if err != nil {
		line.Error = err.Error()
		return line
	}
	line.Title = ext.Title
	if ext.Companies != nil {
		line.Companies = ext.Companies
	}
	if ext.Matches != nil {
		line.Matches = ext.Matches
	}
	if withText {
		line.Text = &ext.Text
		line.Published = ext.Published
	}
	return line
}

// guessKind reads a kind from the path when the user gave none: files under
// a folder or with a name that says government are government notices.
func guessKind(path string) adwatch.Kind {
	p := strings.ToLower(filepath.ToSlash(path))
	for _, w := range []string{"gov", "federal", "register", "notice", "directive", "law", "rule", "entity", "fcc", "bis", "dhs", "cisa", "ofac"} {
		if strings.Contains(p, w) {
			return adwatch.KindGovernment
		}
	}
	return adwatch.KindPress
}
