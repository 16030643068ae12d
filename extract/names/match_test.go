package names

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"adwatch"
)

// testAdvertisers are real companies, several of them named like common words.
var testAdvertisers = []adwatch.Advertiser{
	{ID: "kaspersky", Name: "AO Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true},
	{ID: "apple", Name: "Apple Inc.", Active: true},
	{ID: "target", Name: "Target Corporation", Aliases: []string{"Target"}, Active: true},
	{ID: "united", Name: "United Airlines Holdings, Inc.", Aliases: []string{"United", "United Airlines"}, Active: true},
	{ID: "nestle", Name: "Nestlé S.A.", Active: true},
	{ID: "mcd", Name: "McDonald's Corporation", Active: true},
	{ID: "ibm", Name: "International Business Machines Corporation", Aliases: []string{"IBM"}, Active: true},
	{ID: "facebook", Name: "Facebook, Inc.", Active: true},
	{ID: "shell", Name: "Shell plc", Aliases: []string{"Shell"}, Active: true},
	{ID: "huawei", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei"}, Active: true},
	{ID: "delta", Name: "Delta Air Lines, Inc.", Aliases: []string{"Delta"}, Active: true},
	{ID: "amazon", Name: "Amazon.com, Inc.", Aliases: []string{"Amazon"}, Active: true},
	{ID: "gm", Name: "General Motors Company", Active: true},
	{ID: "block", Name: "Block, Inc.", Active: true},
	{ID: "hikvision", Name: "Hangzhou Hikvision Digital Technology Co., Ltd.", Aliases: []string{"Hikvision"}, Active: true},
	{ID: "zte", Name: "ZTE Corporation", Active: true},
	{ID: "corona", Name: "Corona Beverage Co.", Aliases: []string{"Corona"}, Active: true},
	{ID: "homedepot", Name: "The Home Depot, Inc.", Active: true},
	{ID: "gone", Name: "Defunct Widgets LLC", Aliases: []string{"Defunct Widgets"}, Active: false},
}

func testMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := NewMatcher(testAdvertisers)
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	return m
}

func matchedIDs(ms []adwatch.Match) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.AdvertiserID)
	}
	slices.Sort(ids)
	return ids
}

func TestMatchJudgement(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	tests := []struct {
		name      string
		title     string
		text      string
		want, not []string
	}{
		// Distinctive names need only a word-boundary hit, in any spelling.
		{"hyphenated compound", "", "Agencies must remove Kaspersky-branded products from federal systems.", []string{"kaspersky"}, nil},
		{"all-caps law", "", "SEC. 1634. PROHIBITION ON USE OF PRODUCTS AND SERVICES DEVELOPED OR PROVIDED BY KASPERSKY LAB.", []string{"kaspersky"}, nil},
		{"legal form in text", "", "Huawei Technologies Co., Ltd. was added to the Entity List in May 2019.", []string{"huawei"}, nil},
		{"full legal name", "", "The rule names Hangzhou Hikvision Digital Technology Co., Ltd. among others.", []string{"hikvision"}, nil},
		{"accented and plain", "", "Officials said Nestlé had recalled the formula.", []string{"nestle"}, nil},
		{"curly apostrophe", "", "We had lunch at McDonald’s on Friday.", []string{"mcd"}, nil},
		{"possessive joined", "", "The franchisee opened a McDonalds near the station.", []string{"mcd"}, nil},
		{"dotted initialism", "", "The contract went to I.B.M. in 1964.", []string{"ibm"}, nil},
		{"name without its legal form", "", "Posts on Facebook were removed after the order.", []string{"facebook"}, nil},
		{"acronym", "", "The FCC named ZTE and Huawei on the Covered List.", []string{"zte", "huawei"}, nil},
		{"acronym in lower case is not it", "", "the zte of the file", nil, []string{"zte"}},

		// A person is not the company; the company elsewhere still counts.
		{"person", "", "Eugene Kaspersky founded the firm in 1997.", nil, []string{"kaspersky"}},
		{"person and company", "", "Eugene Kaspersky spoke on Tuesday. Kaspersky Lab disputes the directive.", []string{"kaspersky"}, nil},

		// Common-word names, company sense.
		{"cue before", "", "Shares of Apple rose after the announcement.", []string{"apple"}, nil},
		{"legal form and ticker", "", "Apple Inc. (NASDAQ: AAPL) reported quarterly results.", []string{"apple"}, nil},
		{"company verb", "", "Target said its comparable sales fell 5 percent.", []string{"target"}, nil},
		{"company verb 2", "", "Shell reported record profits on Thursday.", []string{"shell"}, nil},
		{"capitalised mid-sentence", "", "Passengers on United were stranded in Denver overnight.", []string{"united"}, nil},
		{"company name tail", "", "Delta Air Lines cancelled 300 flights.", []string{"delta"}, nil},
		{"verb after", "", "Amazon said it would hire 100,000 workers.", []string{"amazon"}, nil},
		{"two common words as a name", "", "In March, General Motors recalled 1,000 trucks.", []string{"gm"}, nil},
		{"legal form and ticker for a common word", "", "Block, Inc. (NYSE: SQ) owns Cash App.", []string{"block"}, nil},
		{"headline with company verb", "Apple Unveils New Phone", "The phone costs more than last year's model.", []string{"apple"}, nil},
		{"other alias in the document", "", "Target Corporation reported earnings on Monday.\n\nTarget stores will stay open late.", []string{"target"}, nil},

		// Common-word names, ordinary sense.
		{"fruit", "", "She ate an apple. The apple orchard was in bloom.", nil, []string{"apple"}},
		{"sentence-initial fruit", "", "Apple pie is a traditional dessert.", nil, []string{"apple"}},
		{"price target", "", "Analysts raised their price target for the stock.", nil, []string{"target"}},
		{"verb target", "", "The rules target shell companies used to evade sanctions.", nil, []string{"target", "shell"}},
		{"united states", "", "He moved to the United States in 2001.", nil, []string{"united"}},
		{"united kingdom and nations", "", "Both the United Kingdom and the United Nations objected.", nil, []string{"united"}},
		{"shell company", "", "The Treasury sanctioned a shell company in Cyprus.", nil, []string{"shell"}},
		{"place", "", "The Mississippi Delta flooded again this spring.", nil, []string{"delta"}},
		{"virus variant", "", "Hospitals filled as the Delta variant spread.", nil, []string{"delta"}},
		{"rainforest", "", "Fires in the Amazon rainforest grew this year.", nil, []string{"amazon"}},
		{"river", "", "Boats on the Amazon River carry most goods.", nil, []string{"amazon"}},
		{"lower-case two words", "", "The general motors of the economy are consumers.", nil, []string{"gm"}},
		{"block of flats", "", "A block of flats was evacuated.", nil, []string{"block"}},
		{"all-caps fruit headline", "APPLE HARVEST FESTIVAL", "Growers expect a good apple crop this year.", nil, []string{"apple"}},
		{"verb nestle", "", "Birds nestle in the hedges in spring.", nil, []string{"nestle"}},

		{"feature after the article", "", "Fires burned across the Amazon over the summer, officials said.", nil, []string{"amazon"}},
		{"place in the document", "", "She has lived in Corona for years. Many towns called Corona exist.", nil, []string{"corona"}},
		{"feature elsewhere in the document", "", "The Delta, a flat plain, floods often. Farmers said Delta growers worry.", nil, []string{"delta"}},
		{"surname alone after the person", "", "Eugene Kaspersky gave a talk. Kaspersky, as he signs his posts, likes volcanoes.", nil, []string{"kaspersky"}},
		{"name wrapped over a line break", "", "the safety of United\n        States persons; and", nil, []string{"united"}},
		{"title-case clause is not a heading", "", "Be it enacted by the Senate and House of\nRepresentatives of the United States of America in Congress assembled,\n", nil, []string{"united"}},

		{"product of the company", "", "Customers of Amazon Web Services said the outage lasted hours. Amazon said it was fixed.", []string{"amazon"}, nil},
		{"small words inside a name", "", "Analysts said the Home Depot opened 12 stores.", []string{"homedepot"}, nil},
		{"name without the article", "", "Shoppers at Home Depot bought lumber.", []string{"homedepot"}, nil},

		{"stake in", "", "Berkshire sold part of its stake in Apple in the first quarter.", []string{"apple"}, nil},
		{"workers in the United States", "", "Thousands of workers in the United States renewed visas.", nil, []string{"united"}},

		{"all lower case text", "", "posts claim huawei phones are cheap", []string{"huawei"}, nil},

		// Inactive advertisers never match.
		{"inactive", "", "Defunct Widgets LLC filed for bankruptcy.", nil, []string{"gone"}},
	}
	for _, tt := range tests {
		got := matchedIDs(m.Match(Doc{Title: tt.title, Text: tt.text}))
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: Match(%q) = %v, want %s", tt.name, tt.text, got, w)
			}
		}
		for _, n := range tt.not {
			if slices.Contains(got, n) {
				t.Errorf("%s: Match(%q) = %v, want no %s", tt.name, tt.text, got, n)
			}
		}
	}
}

func TestMatchEvidence(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	text := "WASHINGTON — The Department of Homeland Security on Sept. 13, 2017 issued Binding Operational Directive 17-01, " +
		"ordering federal agencies to identify and remove Kaspersky-branded products from their information systems. " +
		"Agencies had 90 days to begin removal. Kaspersky Lab denied any ties to the Russian government. " + strings.Repeat("Filler words follow here. ", 20) +
		"Kaspersky said it would appeal."
	ms := m.Match(Doc{Title: "DHS Statement on the Issuance of Binding Operational Directive 17-01", Text: text, Kind: adwatch.KindGovernment})
	if len(ms) != 1 {
		t.Fatalf("Match = %+v, want one match", ms)
	}
	got := ms[0]
	if got.AdvertiserID != "kaspersky" || got.Advertiser != "AO Kaspersky Lab" {
		t.Errorf("advertiser = %q %q, want kaspersky AO Kaspersky Lab", got.AdvertiserID, got.Advertiser)
	}
	if got.Mentions != 3 {
		t.Errorf("Mentions = %d, want 3", got.Mentions)
	}
	if got.Score <= 0.9 || got.Score > 1 {
		t.Errorf("Score = %v, want in (0.9, 1]", got.Score)
	}
	if got.Alias != "Kaspersky Lab" || !slices.Contains(got.Reasons, "exact_full_name") {
		t.Errorf("best occurrence alias %q reasons %v, want the full name Kaspersky Lab with exact_full_name", got.Alias, got.Reasons)
	}
	if text[got.Start:got.End] != "Kaspersky Lab" {
		t.Errorf("text[Start:End] = %q, want Kaspersky Lab", text[got.Start:got.End])
	}
	if n := utf8.RuneCountInString(got.Snippet); n < 120 || n > 260 || !strings.Contains(got.Snippet, "Kaspersky Lab") || !strings.Contains(got.Snippet, "…") {
		t.Errorf("Snippet = %q (%d chars), want ~160-240 chars around the mention with …", got.Snippet, n)
	}
}

func TestMatchTitleOnly(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	ms := m.Match(Doc{Title: "Commerce adds Huawei to the Entity List", Text: "The Bureau of Industry and Security published a final rule today."})
	if len(ms) != 1 || ms[0].AdvertiserID != "huawei" {
		t.Fatalf("Match = %+v, want huawei from the title", ms)
	}
	if ms[0].Start != -1 || ms[0].End != -1 || !strings.Contains(ms[0].Snippet, "Huawei") {
		t.Errorf("title-only match Start, End, Snippet = %d, %d, %q; want -1, -1 and the title", ms[0].Start, ms[0].End, ms[0].Snippet)
	}
}

func TestMatchOffsetsAreOriginalBytes(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	text := "Ünïcödé prélude — «Nestlé» and the Kaspersky‑branded gear, plus McDonald’s."
	for _, mt := range m.Match(Doc{Text: text}) {
		if mt.Start < 0 || mt.End > len(text) || mt.Start >= mt.End {
			t.Fatalf("%s: offsets [%d,%d) out of text of %d bytes", mt.AdvertiserID, mt.Start, mt.End, len(text))
		}
		if Normalize(text[mt.Start:mt.End]) != Normalize(mt.Alias) && !strings.HasPrefix(Normalize(mt.Alias), Normalize(text[mt.Start:mt.End])) {
			t.Errorf("%s: text[%d:%d] = %q does not spell alias %q", mt.AdvertiserID, mt.Start, mt.End, text[mt.Start:mt.End], mt.Alias)
		}
	}
	if got := matchedIDs(m.Match(Doc{Text: text})); !slices.Equal(got, []string{"kaspersky", "mcd", "nestle"}) {
		t.Errorf("Match = %v, want kaspersky, mcd, nestle", got)
	}
}

func TestSuppressions(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	text := "The annual Kaspersky Cup chess tournament opened. Shell reported profits."
	if got := matchedIDs(m.Match(Doc{Text: text, Source: "sports"})); !slices.Equal(got, []string{"kaspersky", "shell"}) {
		t.Fatalf("without suppressions Match = %v, want kaspersky, shell", got)
	}
	s := m.WithSuppressions([]Suppression{
		{AdvertiserID: "kaspersky", Alias: "Kaspersky", Phrase: "Kaspersky Cup"},
		{AdvertiserID: "shell", Source: "sports"},
		{AdvertiserID: "no-such-advertiser", Source: "sports"},
	})
	if got := matchedIDs(s.Match(Doc{Text: text, Source: "sports"})); len(got) != 0 {
		t.Errorf("with suppressions Match = %v, want none", got)
	}
	if got := matchedIDs(s.Match(Doc{Text: text, Source: "business"})); !slices.Equal(got, []string{"shell"}) {
		t.Errorf("other source: Match = %v, want shell only (the phrase suppression still applies)", got)
	}
	if got := matchedIDs(s.Match(Doc{Text: "Kaspersky Lab was banned.", Source: "sports"})); !slices.Equal(got, []string{"kaspersky"}) {
		t.Errorf("outside the phrase: Match = %v, want kaspersky", got)
	}
	// The original matcher is unchanged.
	if got := matchedIDs(m.Match(Doc{Text: text, Source: "sports"})); len(got) != 2 {
		t.Errorf("original matcher after WithSuppressions: Match = %v, want 2 matches", got)
	}
}

func TestNewMatcherRejectsEmptyID(t *testing.T) {
	t.Parallel()
	if _, err := NewMatcher([]adwatch.Advertiser{{Name: "X Corp", Active: true}}); err == nil {
		t.Error("NewMatcher with an empty id: err = nil, want an error")
	}
	m, err := NewMatcher(nil)
	if err != nil {
		t.Fatalf("NewMatcher(nil): %v", err)
	}
	if got := m.Match(Doc{Text: "Apple Inc. said"}); len(got) != 0 {
		t.Errorf("empty matcher: Match = %v, want none", got)
	}
}

func FuzzMatch(f *testing.F) {
	m := testMatcher(f)
	for _, s := range []string{"Apple Inc. (NASDAQ: AAPL)", "Eugene Kaspersky", "KASPERSKY-BRANDED", "McDonald’s", "I.B.M.",
		"Nestle\u0301", "\xffApple\xfe", "Target,\n\nthe retailer", "Shell's", "United\u00a0States"} {
		f.Add("Title "+s, s)
	}
	f.Fuzz(func(t *testing.T, title, text string) {
		// Rune boundaries as Go decodes the text: an invalid byte is a rune of its own.
		bounds := map[int]bool{len(text): true}
		for i := range text {
			bounds[i] = true
		}
		for _, mt := range m.Match(Doc{Title: title, Text: text}) {
			if mt.Start == -1 && mt.End == -1 {
				// title only
			} else if mt.Start < 0 || mt.End > len(text) || mt.Start >= mt.End {
				t.Fatalf("offsets [%d,%d) outside text of %d bytes", mt.Start, mt.End, len(text))
			} else if !bounds[mt.Start] || !bounds[mt.End] {
				t.Fatalf("offsets [%d,%d) not on rune boundaries in %q", mt.Start, mt.End, text)
			}
			if !utf8.ValidString(mt.Snippet) {
				t.Fatalf("snippet %q is not valid UTF-8", mt.Snippet)
			}
			if mt.Score < 0 || mt.Score > 1 {
				t.Fatalf("score %v outside [0,1]", mt.Score)
			}
		}
		// Analyze reads the words once for both jobs; it must find what Match finds.
		ams, _, _ := m.Analyze(Doc{Title: title, Text: text})
		if got, want := matchedIDs(ams), matchedIDs(m.Match(Doc{Title: title, Text: text})); !slices.Equal(got, want) {
			t.Fatalf("Analyze matched %v, Match matched %v", got, want)
		}
		cs, spans := FindCompanies(Doc{Title: title, Text: text}, m)
		for _, s := range spans {
			if s.Start < 0 || s.End > len(text) || s.Start >= s.End || !bounds[s.Start] || !bounds[s.End] {
				t.Fatalf("span [%d,%d) outside text of %d bytes or off rune boundaries", s.Start, s.End, len(text))
			}
		}
		for _, c := range cs {
			if c.Mentions <= 0 || c.Name == "" {
				t.Fatalf("company %+v", c)
			}
		}
	})
}

// Analyze must say what Match and FindCompanies say, in one pass.
func TestAnalyzeAgreesWithMatchAndFindCompanies(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	d := Doc{Title: "Commerce adds Huawei to the Entity List", Text: "Shares of Apple rose. The Moscow-based company Kaspersky said " +
		"Kaspersky Lab, Inc. would appeal. Eugene Kaspersky spoke. She ate an apple.", Source: "press"}
	ms, cs, spans := m.Analyze(d)
	wantMs := m.Match(d)
	wantCs, wantSpans := FindCompanies(d, m)
	if !slices.EqualFunc(ms, wantMs, func(a, b adwatch.Match) bool {
		return a.AdvertiserID == b.AdvertiserID && a.Start == b.Start && a.Mentions == b.Mentions && a.Snippet == b.Snippet
	}) {
		t.Errorf("Analyze matches = %+v, want %+v", ms, wantMs)
	}
	if !slices.Equal(cs, wantCs) || !slices.Equal(spans, wantSpans) {
		t.Errorf("Analyze companies = %v %v, want %v %v", cs, spans, wantCs, wantSpans)
	}
	if got := matchedIDs(ms); !slices.Equal(got, []string{"apple", "huawei", "kaspersky"}) {
		t.Errorf("Analyze matched %v, want apple, huawei, kaspersky", got)
	}
}

// One Matcher serves many goroutines (extraction runs documents in parallel).
func TestMatcherConcurrentUse(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	docs := []Doc{
		{Text: "Shares of Apple rose. Eugene Kaspersky spoke; Kaspersky Lab appealed."},
		{Title: "Target Said Sales Fell", Text: "Analysts raised their price target. Target said sales fell."},
		{Text: "Huawei Technologies Co., Ltd. and ZTE Corporation were named by the FCC."},
	}
	want := make([][]string, len(docs))
	for i, d := range docs {
		want[i] = matchedIDs(m.Match(d))
	}
	done := make(chan string)
	for g := 0; g < 8; g++ {
		go func() {
			for k := 0; k < 50; k++ {
				i := (g + k) % len(docs)
				if got := matchedIDs(m.Match(docs[i])); !slices.Equal(got, want[i]) {
					done <- "doc " + docs[i].Text + ": got " + strings.Join(got, ",") + ", want " + strings.Join(want[i], ",")
					return
				}
				m.Analyze(docs[i])
			}
			done <- ""
		}()
	}
	for g := 0; g < 8; g++ {
		if msg := <-done; msg != "" {
			t.Error(msg)
		}
	}
}
