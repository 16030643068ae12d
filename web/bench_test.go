package web_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"adwatch"
)

// BenchmarkSearchAPI measures one authenticated /api/search round trip over
// loopback against a small real archive: token check, query, JSON.
func BenchmarkSearchAPI(b *testing.B) {
	f := newFixture(b, true)
	req, err := http.NewRequest(http.MethodGet, f.srv.URL+"/api/search?q=kaspersky+products", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+f.analyst)
	for b.Loop() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}

// BenchmarkDocumentPage measures rendering a 1 MB document with its mentions
// highlighted, the heaviest page.
func BenchmarkDocumentPage(b *testing.B) {
	f := newFixture(b, true)
	text := strings.Repeat(bod1701, 1<<20/len(bod1701))
	res, err := f.db.SaveDocuments(b.Context(), []adwatch.Document{{
		URL: "https://www.dhs.gov/bod-17-01-large", Title: "BOD 17-01, repeated", Source: "dhs-notices",
		Kind: adwatch.KindGovernment, Text: text, Companies: []adwatch.Company{{Name: "AO Kaspersky Lab", Mentions: 1}},
	}}, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	path := "/documents/" + itoa(res[0].DocumentID)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		resp, _ := f.get(b, path, f.analyst)
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
}
