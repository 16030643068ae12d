package extract

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"adwatch"
	"adwatch/extract/names"
)

func companyNames(cs []adwatch.Company) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

func hasCompany(cs []adwatch.Company, sub string) bool {
	return slices.ContainsFunc(cs, func(c adwatch.Company) bool { return strings.Contains(c.Name, sub) })
}

// End to end on fixtures: the companies a document names, and advertisers
// matched only where the document (not its page chrome) names them.
func TestExtractCompaniesAndMatches(t *testing.T) {
	t.Parallel()
	m, err := names.NewMatcher([]adwatch.Advertiser{
		{ID: "adv-1", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei"}, Active: true},
		{ID: "adv-2", Name: "Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true},
		{ID: "adv-3", Name: "Apple Inc.", Aliases: []string{"Apple"}, Active: true},
		{ID: "adv-4", Name: "Target Corporation", Aliases: []string{"Target"}, Active: true},
		{ID: "adv-5", Name: "Shell plc", Aliases: []string{"Shell"}, Active: true},
		{ID: "adv-6", Name: "Google LLC", Aliases: []string{"Google"}, Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	e := New(Options{Matcher: m})
	tests := []struct {
		file          string
		kind          adwatch.Kind
		wantCompanies []string
		wantMatches   []string
	}{
		{"press-entity-list.html", adwatch.KindPress, []string{"Huawei"}, []string{"adv-1"}},
		{"gov-bod-17-01.html", adwatch.KindGovernment, []string{"Kaspersky"}, []string{"adv-2"}},
		{"fcc-covered-list.html", adwatch.KindGovernment, []string{"Huawei", "ZTE", "Hytera", "Dahua"}, []string{"adv-1"}},
		{"ndaa-1634.pdf", adwatch.KindGovernment, []string{"Kaspersky"}, []string{"adv-2"}},
		{"fr-2019-10616.json", adwatch.KindGovernment, []string{"Huawei"}, []string{"adv-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Extract(context.Background(), Input{Name: tt.file, Kind: tt.kind, Source: "test", Body: body})
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.wantCompanies {
				if !hasCompany(got.Companies, w) {
					t.Errorf("companies %q lack %q", companyNames(got.Companies), w)
				}
			}
			var ids []string
			for _, x := range got.Matches {
				ids = append(ids, x.AdvertiserID)
				if x.Start >= 0 && (x.End > len(got.Text) || x.Start > x.End) {
					t.Errorf("match %s offsets [%d,%d) outside text of %d bytes", x.AdvertiserID, x.Start, x.End, len(got.Text))
				}
			}
			slices.Sort(ids)
			if !reflect.DeepEqual(ids, tt.wantMatches) {
				t.Errorf("matched advertisers: got %v, want %v", ids, tt.wantMatches)
			}
			for _, s := range got.Spans {
				if s.Start < 0 || s.End > len(got.Text) || s.Start >= s.End {
					t.Errorf("span %+v outside text of %d bytes", s, len(got.Text))
				}
			}
		})
	}
}

// Streaming in small chunks finds the same companies, mention counts and
// spans (at global offsets) as extracting the whole text, including names
// that straddle chunk boundaries.
func TestExtractReaderMentionsSameAsWhole(t *testing.T) {
	t.Parallel()
	m, err := names.NewMatcher([]adwatch.Advertiser{{ID: "adv-2", Name: "Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true}})
	if err != nil {
		t.Fatal(err)
	}
	src := longText(300)
	in := Input{Name: "notice.txt", Kind: adwatch.KindGovernment}
	e := New(Options{Matcher: m})
	whole, err := e.Extract(context.Background(), Input{Name: in.Name, Kind: in.Kind, Body: []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Matcher: m})
	s.sizes = streamSizes{piece: 4096, chunk: 16 << 10, overlap: 512}
	got, err := s.ExtractReader(context.Background(), strings.NewReader(src), in, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(whole.Companies) == 0 || len(whole.Spans) == 0 {
		t.Fatalf("whole extraction found no companies; the test text is wrong")
	}
	if !reflect.DeepEqual(got.Companies, whole.Companies) {
		t.Errorf("companies: streamed %+v, whole %+v", got.Companies, whole.Companies)
	}
	if !reflect.DeepEqual(got.Spans, whole.Spans) {
		t.Errorf("spans differ: streamed %d, whole %d", len(got.Spans), len(whole.Spans))
		for i := range min(len(got.Spans), len(whole.Spans)) {
			if got.Spans[i] != whole.Spans[i] {
				t.Errorf("first difference at %d: streamed %+v, whole %+v", i, got.Spans[i], whole.Spans[i])
				break
			}
		}
	}
	if len(got.Matches) != 1 || len(whole.Matches) != 1 {
		t.Fatalf("matches: streamed %d, whole %d, want 1 each", len(got.Matches), len(whole.Matches))
	}
	if g, w := got.Matches[0], whole.Matches[0]; g.Mentions < w.Mentions || got.Text[g.Start:g.End] == "" {
		t.Errorf("match: streamed %+v, whole %+v", g, w)
	}
}
