package names

import (
	"slices"
	"strings"
	"testing"

	"adwatch"
)

func companyMap(cs []adwatch.Company) map[string]int {
	out := make(map[string]int)
	for _, c := range cs {
		out[c.Name] = c.Mentions
	}
	return out
}

func TestFindCompanies(t *testing.T) {
	t.Parallel()
	m := testMatcher(t)
	tests := []struct {
		name    string
		text    string
		matcher bool
		want    map[string]int // name → mentions; 0 means "present, any count"
		not     []string
	}{
		{"cue noun and -based", "The Moscow-based cybersecurity company Kaspersky said the ban was unfair.", false,
			map[string]int{"Kaspersky": 1}, nil},
		{"legal form, variants merged", "Kaspersky Lab, Inc. sells antivirus software. Kaspersky said it would appeal, and Kaspersky Lab filed suit.", false,
			map[string]int{"Kaspersky Lab": 3}, nil},
		{"entity list entry", "Huawei Technologies Co., Ltd., Bantian, Longgang District, Shenzhen, 518129, China.\n" +
			"Hangzhou Hikvision Digital Technology Co., Ltd., No. 555 Qianmo Road, Binjiang District, Hangzhou, China.", false,
			map[string]int{"Huawei Technologies": 1, "Hangzhou Hikvision Digital Technology": 1}, []string{"Bantian", "Longgang District", "China"}},
		{"such as list", "The rule covers equipment from companies such as Huawei, ZTE, Hytera, Hikvision, and Dahua.", false,
			map[string]int{"Huawei": 1, "ZTE": 1, "Hytera": 1, "Hikvision": 1, "Dahua": 1}, nil},
		{"covered list names", "The Covered List names Huawei Technologies Company, ZTE Corporation, Hytera Communications Corporation, " +
			"Hangzhou Hikvision Digital Technology Company and Dahua Technology Company.", false,
			map[string]int{"Huawei Technologies": 1, "ZTE": 1, "Hytera Communications": 1, "Hangzhou Hikvision Digital Technology": 1, "Dahua Technology": 1}, nil},
		{"government bodies are not companies", "The Department of Homeland Security and the Federal Communications Commission acted. " +
			"The Bureau of Industry and Security and Congress agreed.", false,
			nil, []string{"Department of Homeland Security", "Federal Communications Commission", "Bureau of Industry and Security", "Congress"}},
		{"a person is not a company", "Eugene Kaspersky spoke at the conference.", false, nil, []string{"Kaspersky", "Eugene Kaspersky"}},
		{"advertisers from the matcher", "Shares of Apple rose. Target said sales fell. Agencies must remove Kaspersky-branded products.", true,
			map[string]int{"Apple": 1, "Target": 1, "Kaspersky": 1}, nil},
		{"common words are not companies", "Analysts raised their price target. She ate an apple in the United States.", true,
			nil, []string{"Apple", "Target", "United", "United States"}},
		{"apposition", "Hytera, a Chinese radio maker, was named in the order.", false, map[string]int{"Hytera": 1}, nil},
	}
	for _, tt := range tests {
		var mm *Matcher
		if tt.matcher {
			mm = m
		}
		cs, spans := FindCompanies(Doc{Text: tt.text}, mm)
		got := companyMap(cs)
		for name, n := range tt.want {
			c, ok := got[name]
			if !ok || n > 0 && c != n {
				t.Errorf("%s: FindCompanies = %v, want %s with %d mentions", tt.name, cs, name, n)
			}
		}
		for _, name := range tt.not {
			if _, ok := got[name]; ok {
				t.Errorf("%s: FindCompanies = %v, want no %s", tt.name, cs, name)
			}
		}
		total := 0
		for _, c := range cs {
			total += c.Mentions
		}
		if len(spans) != total {
			t.Errorf("%s: %d spans for %d mentions", tt.name, len(spans), total)
		}
		for _, s := range spans {
			if !slices.ContainsFunc(cs, func(c adwatch.Company) bool { return c.Name == s.Name }) {
				t.Errorf("%s: span %q names no company in %v", tt.name, tt.text[s.Start:s.End], cs)
			}
			if s.Start < 0 || s.End > len(tt.text) || !strings.EqualFold(Normalize(tt.text[s.Start:s.End]), Normalize(tt.text[s.Start:s.End])) {
				t.Errorf("%s: bad span %+v", tt.name, s)
			}
		}
	}
}
