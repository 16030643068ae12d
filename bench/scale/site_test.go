package scale

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"adwatch"
	"adwatch/advcsv"
	"adwatch/extract"
	"adwatch/extract/names"
)

// TestNoticesAlertTheirAdvertiserOnly checks the site's own labels with the
// real extractor: a multi-process test that counts alerts relies on them.
func TestNoticesAlertTheirAdvertiserOnly(t *testing.T) {
	t.Parallel()
	ads, err := advcsv.Parse(bytes.NewReader(AdvertisersCSV()))
	if err != nil {
		t.Fatal(err)
	}
	m, err := names.NewMatcher(ads)
	if err != nil {
		t.Fatal(err)
	}
	x := extract.New(extract.Options{Matcher: m})
	s := NewSite(2, 12, 0)
	defer s.Close()
	want := s.Expected()
	if len(want) != 8 {
		t.Fatalf("expected notices: got %d, want 8", len(want))
	}
	for _, p := range s.DocumentPaths() {
		resp, err := http.Get(s.URL() + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ext, err := x.Extract(context.Background(), extract.Input{Name: p, URL: s.URL() + p,
			ContentType: resp.Header.Get("Content-Type"), Kind: adwatch.KindGovernment, Body: body})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var got []string
		for _, mt := range ext.Matches {
			got = append(got, mt.AdvertiserID)
		}
		if w := want[p]; (w == "" && len(got) != 0) || (w != "" && (len(got) != 1 || got[0] != w)) {
			t.Errorf("%s: got matches %v, want [%s]", p, got, w)
		}
	}
	if got := s.Requests()[s.DocumentPaths()[0]]; got != 1 {
		t.Errorf("requests of the first page: got %d, want 1", got)
	}
}

func TestSiteAnswersAfterItsDelay(t *testing.T) {
	t.Parallel()
	s := NewSite(1, 1, 30*time.Millisecond)
	defer s.Close()
	start := time.Now()
	resp, err := http.Get(s.Sources()[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Errorf("feed answered after %v, want at least the 30ms delay", d)
	}
	if !bytes.Contains(body, []byte(s.DocumentPaths()[0])) {
		t.Errorf("feed does not link its notice: %s", body)
	}
	resp, err = http.Get(s.URL() + "/feeds/1.xml")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a feed beyond the site's: got %d, want 404", resp.StatusCode)
	}
}
