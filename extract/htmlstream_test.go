package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adwatch"
)

// The token stream used for very large pages gives a government page the
// same text as the tree-based reader, chrome excluded.
func TestHTMLStreamSameTextAsTree(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"gov-bod-17-01.html", "fcc-covered-list.html"} {
		t.Run(f, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", f))
			if err != nil {
				t.Fatal(err)
			}
			in := Input{Name: f, URL: "https://www.example.gov/page", Kind: adwatch.KindGovernment}
			e := New(Options{})
			tree, err := e.Extract(context.Background(), Input{Name: in.Name, URL: in.URL, Kind: in.Kind, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.streamHTML(context.Background(), strings.NewReader(string(body)), in, true)
			if err != nil {
				t.Fatal(err)
			}
			// The tree reader narrows to <main>; the stream keeps the
			// whole body minus chrome, so it must contain the tree text.
			if !strings.Contains(got.Text, tree.Text) {
				t.Errorf("streamed text lacks the tree text.\nstreamed:\n%s\ntree:\n%s", got.Text, tree.Text)
			}
			for _, chrome := range []string{"Google Analytics", "Primary navigation", "About the FCC", "Privacy Policy"} {
				if strings.Contains(got.Text, chrome) {
					t.Errorf("streamed text has chrome %q", chrome)
				}
			}
			if got.Title != tree.Title || got.CanonicalURL != tree.CanonicalURL || !got.Published.Equal(*tree.Published) {
				t.Errorf("metadata: streamed (%q, %q, %v), tree (%q, %q, %v)", got.Title, got.CanonicalURL, got.Published, tree.Title, tree.CanonicalURL, tree.Published)
			}
		})
	}
}

// Unclosed elements inside chrome do not swallow the rest of the page.
func TestHTMLStreamUnclosedInsideChrome(t *testing.T) {
	t.Parallel()
	page := `<html><head><title>T</title><body><nav><ul><li>Home<li>News</ul></nav><p>Huawei Technologies Co., Ltd. was added.<p>ZTE too.</body></html>`
	got, err := New(Options{}).streamHTML(context.Background(), strings.NewReader(page), Input{Name: "p.html"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Huawei Technologies Co., Ltd. was added.\n\nZTE too."; got.Text != want {
		t.Errorf("text: got %q, want %q", got.Text, want)
	}
}
