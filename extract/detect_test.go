package extract

import "testing"

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ct, head string
		want           Format
	}{
		{"law.pdf", "", "%PDF-1.7\n", FormatPDF},
		{"download", "application/octet-stream", "%PDF-1.4\n%\xe2\xe3", FormatPDF},
		{"page.html", "application/pdf", "<!DOCTYPE html><html>", FormatHTML},
		{"", "text/html", "\xef\xbb\xbf  <html lang=en>", FormatHTML},
		{"feed", "text/xml", `<?xml version="1.0"?><rss version="2.0">`, FormatFeed},
		{"atom.xml", "", `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">`, FormatFeed},
		{"x", "", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">`, FormatFeed},
		{"feed.json", "application/json", `{"version": "https://jsonfeed.org/version/1.1", "items": []}`, FormatFeed},
		{"2019-10616.json", "", `{"title": "Addition of Entities to the Entity List"}`, FormatJSON},
		{"notes.md", "text/plain", "# Notes\n", FormatMarkdown},
		{"notes.txt", "", "Plain words.", FormatText},
		{"", "", "Plain words without a name.", FormatText},
		{"fragment", "", "<p>Kaspersky Lab</p>", FormatHTML},
		{"https://www.fcc.gov/covered-list.html?x=1", "", "Covered List", FormatHTML},
	}
	for _, tt := range tests {
		if got := Detect(tt.name, tt.ct, []byte(tt.head)); got != tt.want {
			t.Errorf("Detect(%q, %q, %q) = %s, want %s", tt.name, tt.ct, tt.head, got, tt.want)
		}
	}
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"2017-09-13", "2017-09-13T00:00:00Z"},
		{"2017-09-13T10:00:00-04:00", "2017-09-13T14:00:00Z"},
		{"September 13, 2017", "2017-09-13T00:00:00Z"},
		{"Sept. 13, 2017", "2017-09-13T00:00:00Z"},
		{"13 September 2017", "2017-09-13T00:00:00Z"},
		{"Tue, 12 Dec 2017 17:30:00 GMT", "2017-12-12T17:30:00Z"},
		{"12/12/2017", "2017-12-12T00:00:00Z"},
		{"not a date", ""},
		{"", ""},
		{"0001-01-01", ""},
	}
	for _, tt := range tests {
		got := ""
		if p := parseDate(tt.in); p != nil {
			got = p.UTC().Format("2006-01-02T15:04:05Z")
		}
		if got != tt.want {
			t.Errorf("parseDate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStripSiteName(t *testing.T) {
	t.Parallel()
	tests := []struct{ title, site, url, want string }{
		{"U.S. adds Huawei to trade blacklist | The Daily Ledger", "", "", "U.S. adds Huawei to trade blacklist"},
		{"FCC adds Kaspersky to Covered List - Policy Wire", "Policy Wire", "", "FCC adds Kaspersky to Covered List"},
		{"BOD 17-01 — cisa.gov", "", "https://www.cisa.gov/x", "BOD 17-01"},
		{"CISA | BOD 17-01: Removal of Kaspersky-Branded Products", "CISA", "", "BOD 17-01: Removal of Kaspersky-Branded Products"},
		// A dash inside a headline is not a site suffix.
		{"Huawei - the company and the state", "", "", "Huawei - the company and the state"},
		{"Kaspersky | Ban", "", "", "Kaspersky | Ban"},
	}
	for _, tt := range tests {
		if got := stripSiteName(tt.title, tt.site, tt.url); got != tt.want {
			t.Errorf("stripSiteName(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
}

func TestFixMojibake(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"NestlÃ© USA", "Nestlé USA"},
		{"the worldâ€™s largest", "the world’s largest"},
		{"SociÃƒÂ©tÃƒÂ© GÃƒÂ©nÃƒÂ©rale", "Société Générale"}, // encoded twice
		// Genuine Latin-1 text is left alone.
		{"née Müller, São Paulo, Ångström", "née Müller, São Paulo, Ångström"},
		{"Â", "Â"},
	}
	for _, tt := range tests {
		if got := fixMojibake(tt.in); got != tt.want {
			t.Errorf("fixMojibake(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestPDFTitle(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Public Law 115-91", "Public Law 115-91"},
		{"Microsoft Word - PLAW-115publ91.docx", ""},
		{"PLAW-115publ91.pdf", ""},
		{"Untitled", ""},
		{"  ", ""},
	}
	for _, tt := range tests {
		if got := pdfTitle(tt.in); got != tt.want {
			t.Errorf("pdfTitle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
