package crawler

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"

	"adwatch"
)

func encode(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCharsetsDecodedToUTF8(t *testing.T) {
	t.Parallel()
	// Real accented and Japanese names that appear in sanctions news.
	const fr = "Décision du Conseil: société Kaspersky — « mesures restrictives »"
	const latin = "Décision du Conseil: société Kaspersky, « mesures restrictives »"
	const ja = "華為技術（ファーウェイ）をエンティティ・リストに追加"
	page := func(meta, text string) string {
		return "<html><head>" + meta + "<title>t</title></head><body><p>" + text + "</p></body></html>"
	}
	cases := []struct {
		name, contentType string
		body              []byte
		want              string
	}{
		{"windows-1252 in header", "text/html; charset=windows-1252", encode(t, charmap.Windows1252, page("", fr)), fr},
		{"windows-1252 in meta", "text/html", encode(t, charmap.Windows1252, page(`<meta charset="windows-1252">`, fr)), fr},
		{"ISO-8859-1 in http-equiv", "text/html", encode(t, charmap.ISO8859_1, page(`<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">`, latin)), latin},
		{"Shift_JIS in header", "text/html; charset=Shift_JIS", encode(t, japanese.ShiftJIS, page("", ja)), ja},
		{"Shift_JIS in meta", "text/html", encode(t, japanese.ShiftJIS, page(`<meta charset="shift_jis">`, ja)), ja},
		{"undeclared UTF-8", "text/html", []byte(page("", ja)), ja},
		{"invalid UTF-8 repaired", "text/html; charset=utf-8", []byte(page("", "Kaspersky \xff\xfe Lab")), "Kaspersky \uFFFD Lab"},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	var paths []string
	for i, tc := range cases {
		p := "/doc/" + string(rune('a'+i))
		paths = append(paths, p)
		mux.HandleFunc(p, serveBytes(tc.body, tc.contentType))
	}
	srv := listingSite(t, paths, mux)
	c := New(testConfig(), newMemState(), nil)
	var k sink
	run := mustCrawl(t, c, htmlSource(srv.URL), k.emit)
	if len(run.Errors) != 0 {
		t.Fatalf("Errors = %q", run.Errors)
	}
	docs := k.byURL()
	for i, tc := range cases {
		d := docs[srv.URL+paths[i]]
		want := tc.want
		if !bytes.Contains(d.Body, []byte(want)) {
			t.Errorf("%s: body %q does not contain %q", tc.name, d.Body, want)
		}
		if !strings.HasSuffix(d.ContentType, "charset=utf-8") {
			t.Errorf("%s: content type %q, want charset=utf-8", tc.name, d.ContentType)
		}
	}
}

func TestFeedCharsetAndWrongContentType(t *testing.T) {
	t.Parallel()
	const title = "Société Générale et Kaspersky: décision n° 17-01"
	rss := func(enc string) string {
		return `<?xml version="1.0" encoding="` + enc + `"?><rss version="2.0"><channel><title>Avis</title>` +
			`<item><title>` + title + `</title><link>http://example.invalid/a</link><description>x</description></item></channel></rss>`
	}
	cases := []struct {
		name, contentType string
		body              []byte
	}{
		{"declaration only, served as octet-stream", "application/octet-stream", encode(t, charmap.Windows1252, rss("windows-1252"))},
		{"header and declaration, served as text/html", "text/html; charset=windows-1252", encode(t, charmap.Windows1252, rss("windows-1252"))},
		{"ISO-8859-1, no content type", "", encode(t, charmap.ISO8859_1, strings.ReplaceAll(rss("ISO-8859-1"), "°", "o"))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/robots.txt" {
					http.NotFound(w, r)
					return
				}
				w.Header()["Content-Type"] = []string{tc.contentType}
				w.Write(tc.body)
			}))
			c := New(testConfig(), newMemState(), nil)
			var k sink
			mustCrawl(t, c, adwatch.Source{Name: "f", Type: adwatch.SourceFeed, URL: srv.URL + "/feed"}, k.emit)
			want := title
			if strings.HasPrefix(tc.name, "ISO") {
				want = strings.ReplaceAll(title, "°", "o")
			}
			if got := k.byURL()["http://example.invalid/a"].Meta["title"]; got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	cases := []struct{ ct, body, want string }{
		{"application/octet-stream", "%PDF-1.7\n", "application/pdf"},
		{"text/html", "%PDF-1.4\n", "application/pdf"},
		{"text/html", `<?xml version="1.0"?><rss version="2.0">`, "application/xml"},
		{"text/plain", "<feed xmlns=\"http://www.w3.org/2005/Atom\">", "application/xml"},
		{"application/octet-stream", `{"results": []}`, "application/json"},
		{"", "<!DOCTYPE html><html>", "text/html"},
		{"text/html", "<!DOCTYPE html><html>", "text/html"},
		{"application/rss+xml", "<rss>", "application/rss+xml"},
	}
	for _, tc := range cases {
		if got := sniff(tc.ct, []byte(tc.body)); got != tc.want {
			t.Errorf("sniff(%q, %q) = %q, want %q", tc.ct, tc.body, got, tc.want)
		}
	}
}
