package extract

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"adwatch"
)

// longText is a plain-text notice long enough to span many small chunks,
// with lines of every length, blank lines, CRLF and a very long line.
func longText(paragraphs int) string {
	var b strings.Builder
	b.WriteString("Notice of removal\r\n\r\nSeptember 13, 2017\r\n\r\n")
	for i := range paragraphs {
		fmt.Fprintf(&b, "Paragraph %d. Agencies shall remove products supplied by AO Kaspersky Lab,\n", i)
		b.WriteString("including Kaspersky Lab, Inc., within   ninety days.\t Nestlé is not affected.\n\n")
		if i%37 == 0 {
			b.WriteString(strings.Repeat("word ", 3000) + "\n")
		}
	}
	return b.String()
}

func smallStreamer() *Extractor {
	e := New(Options{})
	e.sizes = streamSizes{piece: 4096, chunk: 16 << 10, overlap: 512}
	return e
}

// Streaming in small chunks yields exactly the text, title and date of a
// whole-document extraction.
func TestExtractReaderTextSameAsWhole(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"notice.txt", "notice.md"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src := longText(400)
			if strings.HasSuffix(name, ".md") {
				src = "---\ntitle: Notice of removal\ndate: 2017-09-13\n---\n# Heading\n\nSee [the directive](https://example.gov/bod).\n\n" + src
			}
			in := Input{Name: name, Kind: adwatch.KindGovernment}
			whole, err := New(Options{}).Extract(context.Background(), Input{Name: name, Kind: in.Kind, Body: []byte(src)})
			if err != nil {
				t.Fatal(err)
			}
			got, err := smallStreamer().ExtractReader(context.Background(), strings.NewReader(src), in, true)
			if err != nil {
				t.Fatal(err)
			}
			if got.Text != whole.Text {
				i := 0
				for i < min(len(got.Text), len(whole.Text)) && got.Text[i] == whole.Text[i] {
					i++
				}
				t.Fatalf("streamed text differs at byte %d: got %q, want %q", i, snippetAt(got.Text, i), snippetAt(whole.Text, i))
			}
			if got.Title != whole.Title || got.Title == "" {
				t.Errorf("title: got %q, want %q", got.Title, whole.Title)
			}
			if got.Published == nil || whole.Published == nil || !got.Published.Equal(*whole.Published) {
				t.Errorf("published: got %v, want %v", got.Published, whole.Published)
			}
			noText, err := smallStreamer().ExtractReader(context.Background(), strings.NewReader(src), in, false)
			if err != nil {
				t.Fatal(err)
			}
			if noText.Text != "" || noText.Spans != nil {
				t.Errorf("withText=false kept %d bytes of text and %d spans", len(noText.Text), len(noText.Spans))
			}
			if noText.Title != got.Title {
				t.Errorf("withText=false title: got %q, want %q", noText.Title, got.Title)
			}
		})
	}
}

func snippetAt(s string, i int) string {
	return s[max(0, i-20):min(len(s), i+20)]
}

// Feeds must be parsed whole, so they are capped rather than streamed.
func TestExtractReaderCapsWholeFormats(t *testing.T) {
	t.Parallel()
	r := io.MultiReader(strings.NewReader(`<?xml version="1.0"?><rss version="2.0"><channel><title>`), io.LimitReader(letters{}, MaxInputBytes))
	_, err := New(Options{}).ExtractReader(context.Background(), r, Input{Name: "big.rss"}, false)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got error %v, want ErrTooLarge", err)
	}
}

// HTML over the tree limit is streamed, not refused.
func TestExtractReaderStreamsLargeHTML(t *testing.T) {
	t.Parallel()
	para := "<p>The Bureau added Huawei Technologies Co., Ltd. to the Entity List.</p>\n"
	page := "<!DOCTYPE html><html><head><title>Entity List</title></head><body><nav>Home</nav>" +
		strings.Repeat(para, maxTreeBytes/len(para)+10) + "</body></html>"
	got, err := New(Options{}).ExtractReader(context.Background(), strings.NewReader(page), Input{Name: "big.html"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "Entity List" || !strings.HasPrefix(got.Text, "The Bureau added Huawei") {
		t.Errorf("got title %q, text starting %q", got.Title, got.Text[:min(60, len(got.Text))])
	}
}

// letters is an endless stream of text.
type letters struct{}

func (letters) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a' + byte(i%26)
	}
	return len(p), nil
}

// Tabs separate the columns of screening-list exports; they stay, so no
// name runs into the next column. Spaces still collapse.
func TestPlainTextKeepsTabs(t *testing.T) {
	t.Parallel()
	src := "Source\tEntity\tCountry\nEntity List (EL) - Bureau of Industry and Security\tZTE Kangxun Telecom Co. Ltd.\tCN\n\n\nA   line  with  spaces"
	want := "Source\tEntity\tCountry\nEntity List (EL) - Bureau of Industry and Security\tZTE Kangxun Telecom Co. Ltd.\tCN\n\nA line with spaces"
	e := New(Options{})
	whole, err := e.Extract(context.Background(), Input{Name: "csl.tsv.txt", Body: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	streamed, err := e.ExtractReader(context.Background(), strings.NewReader(src), Input{Name: "csl.txt"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Text != want || streamed.Text != want {
		t.Errorf("text:\nwhole    %q\nstreamed %q\nwant     %q", whole.Text, streamed.Text, want)
	}
}
