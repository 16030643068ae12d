package alerts_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"adwatch"
	"adwatch/alerts"
	"adwatch/alerts/internal/alerttest"
)

func TestSubject(t *testing.T) {
	t.Parallel()
	long := alerttest.FCC()
	long.Title = strings.Repeat("Covered List ", 30)
	rescreen := alerttest.DHS()
	rescreen.Rescreen = true
	tests := []struct {
		name string
		a    adwatch.Alert
		want string
	}{
		{"government names the agency", alerttest.DHS(),
			"AO Kaspersky Lab named in DHS notice: DHS Statement on the Issuance of Binding Operational Directive 17-01"},
		{"press says press", alerttest.FCC(),
			"Huawei Technologies Co., Ltd. named in press: FCC names Huawei, ZTE, Hytera, Hikvision and Dahua on its first Covered List"},
		{"rescreen is marked", rescreen,
			"[re-screen] AO Kaspersky Lab named in DHS notice: DHS Statement on the Issuance of Binding Operational Directive 17-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := alerts.Subject(tt.a); got != tt.want {
				t.Errorf("Subject() = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("long title is trimmed", func(t *testing.T) {
		t.Parallel()
		got := alerts.Subject(long)
		if n := utf8.RuneCountInString(got); n > 160 {
			t.Errorf("Subject() has %d runes, want at most 160: %q", n, got)
		}
		if !strings.HasSuffix(got, "…") {
			t.Errorf("Subject() = %q, want it to end with an ellipsis", got)
		}
	})
}

func TestAgency(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"dhs-notices":      "DHS",
		"federal-register": "Federal Register",
		"fcc":              "FCC",
		"bis_entity_list":  "BIS Entity",
		"notices":          "Notices",
	} {
		if got := alerts.Agency(in); got != want {
			t.Errorf("Agency(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKindLabel(t *testing.T) {
	t.Parallel()
	r := alerttest.FCC()
	r.Rescreen = true
	for _, tt := range []struct {
		a    adwatch.Alert
		want string
	}{
		{alerttest.DHS(), "Government notice"},
		{alerttest.FCC(), "Press"},
		{r, "Press (re-screen finding)"},
	} {
		if got := alerts.KindLabel(tt.a); got != tt.want {
			t.Errorf("KindLabel(%s) = %q, want %q", tt.a.Kind, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"Kaspersky", 20, "Kaspersky"},
		{"Kaspersky", 9, "Kaspersky"},
		{"Kaspersky Lab", 5, "Kasp…"},
		{"Лаборатория Касперского", 6, "Лабор…"},
		{"ab cd", 4, "ab…"},
		{"x", 0, ""},
	}
	for _, tt := range tests {
		got := alerts.Truncate(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) = %q, not valid UTF-8", tt.in, tt.max, got)
		}
	}
}

func TestMarkAlias(t *testing.T) {
	t.Parallel()
	a := alerttest.FCC()
	var marked []string
	var rebuilt strings.Builder
	for _, s := range alerts.MarkAlias(a.Snippet, a.Alias) {
		if s.Match {
			marked = append(marked, s.Text)
		}
		rebuilt.WriteString(s.Text)
	}
	if got, want := strings.Join(marked, ","), "Huawei,huawei"; got != want {
		t.Errorf("marked = %q, want %q", got, want)
	}
	if got := rebuilt.String(); got != a.Snippet {
		t.Errorf("segments rebuild %q, want the snippet %q", got, a.Snippet)
	}
	for _, s := range alerts.MarkAlias("Huaweiphone and SuperHuawei", "Huawei") {
		if s.Match {
			t.Errorf("marked %q inside a longer word", s.Text)
		}
	}
}

func TestLinksDocument(t *testing.T) {
	t.Parallel()
	if got, want := (alerts.Links{BaseURL: "http://127.0.0.1:8080/"}).Document(5), "http://127.0.0.1:8080/documents/5"; got != want {
		t.Errorf("Document(5) = %q, want %q", got, want)
	}
	if got := (alerts.Links{}).Document(5); got != "" {
		t.Errorf("Document without base URL = %q, want empty", got)
	}
}
