package demo

import (
	"bytes"
	"compress/zlib"
	"encoding/csv"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestFeedsParse(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	total := 0
	for _, c := range []struct{ path, feedType string }{{"/press/rss.xml", "rss"}, {"/press/atom.xml", "atom"}} {
		_, body := get(t, s.URL()+c.path, nil)
		feed, err := gofeed.NewParser().Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("parse %s: %v", c.path, err)
		}
		if feed.FeedType != c.feedType {
			t.Errorf("%s: feed type %q, want %q", c.path, feed.FeedType, c.feedType)
		}
		if len(feed.Items) < 5 {
			t.Errorf("%s: %d items, want at least 5", c.path, len(feed.Items))
		}
		total += len(feed.Items)
		guids := map[string]bool{}
		for _, it := range feed.Items {
			if it.Title == "" || it.Description == "" || it.PublishedParsed == nil || it.GUID == "" {
				t.Errorf("%s: item %q lacks title, summary, published date or id", c.path, it.Link)
			}
			if guids[it.GUID] {
				t.Errorf("%s: id %q repeated", c.path, it.GUID)
			}
			guids[it.GUID] = true
			if y := it.PublishedParsed.Year(); y < 2017 || y > 2024 {
				t.Errorf("%s: item %q published %d, want 2017-2024", c.path, it.Title, y)
			}
			if c.feedType == "atom" && it.UpdatedParsed == nil {
				t.Errorf("%s: entry %q has no updated", c.path, it.Title)
			}
			if !strings.HasPrefix(it.Link, s.URL()+"/press/") {
				t.Errorf("%s: item link %q not on the site", c.path, it.Link)
				continue
			}
			resp, page := get(t, it.Link, nil)
			if resp.StatusCode != http.StatusOK || !bytes.Contains(page, []byte(`class="story-body"`)) {
				t.Errorf("%s: item page %s: status %d or no story body", c.path, it.Link, resp.StatusCode)
			}
			// The pages are meant to be full of chrome: extraction must find
			// the story among navigation, related stories and comments.
			for _, chrome := range []string{`class="main-nav"`, `id="cookie-banner"`, `class="related"`, `class="tag-bar"`, `id="comments"`} {
				if !bytes.Contains(page, []byte(chrome)) {
					t.Errorf("%s: page lacks %s", it.Link, chrome)
				}
			}
		}
	}
	if total < 10 || total > 12 {
		t.Errorf("feeds carry %d articles, want 10-12", total)
	}
}

// TestPDFsAreValid checks the committed PDFs the way a strict reader does:
// header, trailer, startxref pointing at the xref table, and every xref
// offset pointing at the object it names; then it inflates the content
// streams and looks for the text.
func TestPDFsAreValid(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	pdfs := map[string]string{"/news/documents/publ91-sec1634.pdf": "KASPERSKY LAB"}
	for _, r := range fetchAllResults(t, s.URL()+frListingPath) {
		pdfs[strings.TrimPrefix(r.PDFURL, s.URL())] = r.DocumentNumber
	}
	for p, want := range pdfs {
		_, body := get(t, s.URL()+p, nil)
		text := checkPDF(t, p, body)
		if !strings.Contains(text, want) {
			t.Errorf("%s: text lacks %q", p, want)
		}
	}
}

func checkPDF(t *testing.T, name string, b []byte) string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) || !bytes.HasSuffix(bytes.TrimRight(b, "\r\n"), []byte("%%EOF")) {
		t.Fatalf("%s: no %%PDF- header or %%%%EOF", name)
	}
	m := regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s: no startxref", name)
	}
	start, _ := strconv.Atoi(string(m[1]))
	if start >= len(b) || !bytes.HasPrefix(b[start:], []byte("xref")) {
		t.Fatalf("%s: startxref %d does not point at xref", name, start)
	}
	hdr := regexp.MustCompile(`^xref\r?\n(\d+) (\d+)\r?\n`).FindSubmatch(b[start:])
	if hdr == nil {
		t.Fatalf("%s: bad xref subsection header", name)
	}
	first, _ := strconv.Atoi(string(hdr[1]))
	count, _ := strconv.Atoi(string(hdr[2]))
	entries := b[start+len(hdr[0]):]
	if len(entries) < 20*count {
		t.Fatalf("%s: xref has fewer than %d entries", name, count)
	}
	for i := range count {
		e := entries[20*i : 20*i+20]
		if e[18] != '\r' && e[18] != ' ' || e[19] != '\n' && e[19] != '\r' {
			t.Fatalf("%s: xref entry %d %q is not 20 bytes", name, i, e)
		}
		if e[17] != 'n' {
			continue
		}
		off, err := strconv.Atoi(string(e[:10]))
		if err != nil || off >= len(b) {
			t.Fatalf("%s: xref entry %d offset %q", name, i, e[:10])
		}
		if want := strconv.Itoa(first+i) + " 0 obj"; !bytes.HasPrefix(b[off:], []byte(want)) {
			t.Errorf("%s: offset %d for object %d points at %q", name, off, first+i, b[off:min(off+12, len(b))])
		}
	}
	trailer := entries[20*count:]
	if !regexp.MustCompile(`^trailer\s*<<.*/Size ` + strconv.Itoa(first+count) + `\b.*/Root 1 0 R`).Match(trailer) {
		t.Errorf("%s: trailer %q lacks /Size %d or /Root", name, trailer[:min(80, len(trailer))], first+count)
	}
	if !bytes.Contains(b, []byte("/BaseFont /Helvetica /Encoding /WinAnsiEncoding")) {
		t.Errorf("%s: no standard Helvetica with WinAnsiEncoding", name)
	}
	var text strings.Builder
	streams := regexp.MustCompile(`(?s)/Length (\d+) /Filter /FlateDecode >>\nstream\n`)
	for _, loc := range streams.FindAllSubmatchIndex(b, -1) {
		n, _ := strconv.Atoi(string(b[loc[2]:loc[3]]))
		data := b[loc[1] : loc[1]+n]
		if !bytes.HasPrefix(b[loc[1]+n:], []byte("\nendstream")) {
			t.Errorf("%s: /Length %d does not end at endstream", name, n)
		}
		zr, err := zlib.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: inflate: %v", name, err)
		}
		content, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("%s: inflate: %v", name, err)
		}
		for _, tj := range regexp.MustCompile(`\(((?:[^()\\]|\\.)*)\) Tj`).FindAllSubmatch(content, -1) {
			text.Write(tj[1])
			text.WriteByte('\n')
		}
	}
	if text.Len() == 0 {
		t.Errorf("%s: no text shown with Tj", name)
	}
	return text.String()
}

func TestAdvertisersCSV(t *testing.T) {
	t.Parallel()
	rows, err := csv.NewReader(bytes.NewReader(AdvertisersCSV())).ReadAll()
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if got, want := strings.Join(rows[0], ","), "id,name,aliases,active,owner_email"; got != want {
		t.Fatalf("header = %q, want %q", got, want)
	}
	ids := map[string]bool{}
	inactive := 0
	for i, r := range rows[1:] {
		if !regexp.MustCompile(`^adv-\d{3}$`).MatchString(r[0]) || ids[r[0]] || r[1] == "" {
			t.Errorf("line %d: bad or repeated id %q or empty name", i+2, r[0])
		}
		ids[r[0]] = true
		if r[3] != "true" && r[3] != "false" {
			t.Errorf("line %d: active %q", i+2, r[3])
		}
		if r[3] == "false" {
			inactive++
		}
		for _, a := range strings.Split(r[2], "|") {
			if strings.TrimSpace(a) == "" || a != strings.TrimSpace(a) {
				t.Errorf("line %d: alias %q", i+2, a)
			}
		}
	}
	if inactive != 1 {
		t.Errorf("%d inactive advertisers, want 1", inactive)
	}
	for _, e := range Expected() {
		for _, id := range slices.Concat(e.MustAlert, e.MustNotAlert) {
			if !ids[id] {
				t.Errorf("expected.json %s names unknown advertiser %s", e.Path, id)
			}
		}
	}
}

func TestExpectedPathsExist(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	exp := Expected()
	if len(exp) < 20 {
		t.Fatalf("%d expectations, want one per document (at least 20)", len(exp))
	}
	rows, _ := csv.NewReader(bytes.NewReader(AdvertisersCSV())).ReadAll()
	active := map[string]bool{}
	for _, r := range rows[1:] {
		active[r[0]] = r[3] == "true"
	}
	sources := map[string]bool{}
	for _, src := range Sources(s.URL()) {
		sources[src.Name] = true
	}
	seen := map[string]bool{}
	alerting, quiet := 0, 0
	for _, e := range exp {
		if seen[e.Path] {
			t.Errorf("%s labelled twice", e.Path)
		}
		seen[e.Path] = true
		if !sources[e.Source] {
			t.Errorf("%s: source %q is not a demo source", e.Path, e.Source)
		}
		for _, p := range append([]string{e.Path}, e.AltPaths...) {
			if resp, _ := get(t, s.URL()+p, nil); resp.StatusCode != http.StatusOK {
				t.Errorf("%s: status %d, want 200", p, resp.StatusCode)
			}
		}
		if strings.HasPrefix(e.Path, PrivatePrefix) {
			t.Errorf("%s is under %s, which no crawler may fetch", e.Path, PrivatePrefix)
		}
		for _, id := range e.MustAlert {
			if !active[id] {
				t.Errorf("%s: must alert inactive advertiser %s", e.Path, id)
			}
			if slices.Contains(e.MustNotAlert, id) {
				t.Errorf("%s: %s both must and must not alert", e.Path, id)
			}
		}
		if len(e.MustAlert) > 0 {
			alerting++
		} else {
			quiet++
		}
	}
	if alerting == 0 || quiet < 4 {
		t.Errorf("%d alerting and %d quiet documents, want both kinds", alerting, quiet)
	}
	// Every article and press release on the site is labelled.
	for _, p := range sitePaths(t) {
		if (regexp.MustCompile(`^/(press|news)/\d{4}/`).MatchString(p)) && !seen[p] {
			t.Errorf("%s has no label in expected.json", p)
		}
	}
}

func TestSources(t *testing.T) {
	t.Parallel()
	s := startSite(t)
	srcs := Sources(s.URL() + "/")
	if len(srcs) != 4 {
		t.Fatalf("%d sources, want 4", len(srcs))
	}
	for _, src := range srcs {
		if !src.Kind.Valid() || src.Name == "" || src.Type == "" {
			t.Errorf("source %+v incomplete", src)
		}
		if strings.Contains(src.URL, "//api") || strings.Contains(src.URL, "//news") || strings.Contains(src.URL, "//press") {
			t.Errorf("%s: URL %q has a doubled slash", src.Name, src.URL)
		}
		if resp, _ := get(t, src.URL, nil); resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %s status %d", src.Name, src.URL, resp.StatusCode)
		}
	}
}
