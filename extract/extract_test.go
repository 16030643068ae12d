package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"adwatch"
)

var update = flag.Bool("update", false, "rewrite golden files and the generated PDF fixture")

// golden is the part of an extraction that golden files pin down.
type golden struct {
	Title     string `json:"title"`
	Published string `json:"published,omitempty"`
	Canonical string `json:"canonical_url,omitempty"`
	Text      string `json:"text"`
}

func toGolden(x adwatch.Extracted) golden {
	g := golden{Title: x.Title, Canonical: x.CanonicalURL, Text: x.Text}
	if x.Published != nil {
		g.Published = x.Published.UTC().Format(time.RFC3339)
	}
	return g
}

type fixture struct {
	file        string
	url         string
	contentType string
	kind        adwatch.Kind
	want        []string // must be in the text
	notWant     []string // chrome that must not be
}

var fixtures = []fixture{
	{
		file: "press-entity-list.html", url: "https://news.example.com/tech/2019/05/16/huawei-entity-list?ref=home",
		contentType: "text/html; charset=utf-8", kind: adwatch.KindPress,
		want: []string{
			"adding Huawei Technologies Co., Ltd. and seventy of its affiliates to the Entity List",
			"pulled its rating on a component maker to “neutral”.",
			"\n\nHuawei said in a statement",
		},
		notWant: []string{"cookie", "Related stories", "Apple unveils", "Target raises", "Shell to sell",
			"Sign in to comment", "Oracle and Cisco", "Share on Twitter", "Markets", "All rights reserved", "Search"},
	},
	{
		file: "gov-bod-17-01.html", url: "https://www.cisa.gov/news-events/directives/bod-17-01", kind: adwatch.KindGovernment,
		want: []string{
			"AO Kaspersky Lab or any of its predecessors",
			"\nIdentify the use or presence of Kaspersky-branded products on all federal information systems and provide a report to DHS | Within 30 days\n",
			"Kaspersky Lab, Inc., and Kaspersky Government Security Solutions, Inc.",
			"Background\n\nDHS, in consultation",
		},
		notWant: []string{"Google Analytics", "Skip to main content", "official website", "Primary navigation", "Careers", "FOIA", "Related topics", "Privacy Policy"},
	},
	{
		file: "fcc-covered-list.html", url: "https://www.fcc.gov/supplychain/coveredlist", kind: adwatch.KindGovernment,
		want: []string{
			"\nTelecommunications equipment produced or provided by ZTE Corporation. | March 12, 2021\n",
			"Covered Equipment or Services | Date of Inclusion",
		},
		notWant: []string{"Google Analytics", "Supply Chain", "About the FCC", "Licensing"},
	},
	{
		// The same page as press: readability finds no article in a
		// layout table of short rows, and the full body is kept.
		file: "fcc-covered-list.html", url: "https://www.fcc.gov/supplychain/coveredlist", kind: adwatch.KindPress,
		want: []string{"produced or provided by Dahua Technology Company"},
	},
	{file: "fcc-news.rss", kind: adwatch.KindGovernment,
		want:    []string{"Hytera Communications Corporation", "AO Kaspersky Lab to the Covered List", "FCC Adds Kaspersky Lab to Covered List\n\n"},
		notWant: []string{"Short summary that the full content replaces", "<p>"}},
	{file: "bis-press.atom", kind: adwatch.KindGovernment,
		want: []string{"add Huawei Technologies Co. Ltd. and its non-U.S. affiliates", "for 90 days.", "\nSoftware updates for existing handsets"}},
	{file: "press.json", kind: adwatch.KindPress,
		want: []string{"developed or provided by Kaspersky Lab.", "remove Kaspersky products\n\nThe Department"}},
	{file: "entity-list.rdf", kind: adwatch.KindGovernment,
		want: []string{"This rule adds Huawei Technologies Co., Ltd. and sixty-eight"}},
	{file: "fr-2019-10616.json", contentType: "application/json", kind: adwatch.KindGovernment,
		want: []string{"adding Huawei Technologies Co., Ltd. (Huawei)", "\nChina | Huawei Technologies Co., Ltd., Bantian", "This rule is effective May 16, 2019."}},
	{file: "recall-cp1252.html", kind: adwatch.KindPress,
		want: []string{"Nestlé USA, Inc. announced", "“out of an abundance of caution”", "supplier’s notice", "— weekdays only"}},
	{file: "mojibake.txt", kind: adwatch.KindPress,
		want:    []string{"Nestlé and Danone — the world’s largest", "règles"},
		notWant: []string{"Ã", "â€"}},
	{file: "directive.md", kind: adwatch.KindGovernment,
		want:    []string{"The Department of Homeland Security issued Binding Operational Directive 17-01", "and the directive text."},
		notWant: []string{"](", "**", "layout:", "https://"}},
	{file: "ndaa-1634.pdf", kind: adwatch.KindGovernment,
		want: []string{"SEC. 1634. PROHIBITION ON USE OF PRODUCTS AND SERVICES DEVELOPED OR", "(1) Kaspersky Lab (or any successor entity);", "October 1, 2018."}},
}

func TestExtractGolden(t *testing.T) {
	t.Parallel()
	e := New(Options{})
	for _, fx := range fixtures {
		t.Run(fx.file+"/"+string(fx.kind), func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", fx.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Extract(context.Background(), Input{Name: fx.file, URL: fx.url, ContentType: fx.contentType, Kind: fx.kind, Body: body})
			if err != nil {
				t.Fatalf("Extract: %v", err)
			}
			for _, w := range fx.want {
				if !strings.Contains(got.Text, w) {
					t.Errorf("text lacks %q; got:\n%s", w, got.Text)
				}
			}
			for _, nw := range fx.notWant {
				if strings.Contains(got.Text, nw) {
					t.Errorf("text has chrome %q; got:\n%s", nw, got.Text)
				}
			}
			if !utf8.ValidString(got.Text) || !utf8.ValidString(got.Title) {
				t.Errorf("output is not valid UTF-8")
			}
			checkGolden(t, filepath.Join("testdata", fx.file+"."+string(fx.kind)+".golden.json"), toGolden(got))
		})
	}
}

func checkGolden(t *testing.T, path string, got golden) {
	t.Helper()
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (run with -update to create): %v", err)
	}
	var want golden
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if got.Title != want.Title {
		t.Errorf("title: got %q, want %q", got.Title, want.Title)
	}
	if got.Published != want.Published {
		t.Errorf("published: got %q, want %q", got.Published, want.Published)
	}
	if got.Canonical != want.Canonical {
		t.Errorf("canonical: got %q, want %q", got.Canonical, want.Canonical)
	}
	if got.Text != want.Text {
		t.Errorf("text differs from %s:\ngot:\n%s\nwant:\n%s", path, got.Text, want.Text)
	}
}

// The committed PDF is exactly what the generator writes, so anyone can
// remake or extend it.
func TestPDFFixtureReproducible(t *testing.T) {
	t.Parallel()
	want := makePDF("Public Law 115-91, Section 1634", ndaa1634)
	path := filepath.Join("testdata", "ndaa-1634.pdf")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from makePDF output; run go test -run TestPDFFixtureReproducible -update", path)
	}
}
