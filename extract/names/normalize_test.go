package names

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Nestlé", "nestle"},
		{"NESTLÉ S.A.", "nestle sa"},
		{"Ne\u0301stle\u0301", "nestle"}, // decomposed accents
		{"McDonald’s", "mcdonald"},
		{"McDonald's", "mcdonald"},
		{"McDonalds", "mcdonalds"},
		{"O'Reilly Media", "oreilly media"},
		{"I.B.M.", "ibm"},
		{"IBM", "ibm"},
		{"S.p.A.", "spa"},
		{"U.S.-based", "us based"},
		{"Kaspersky-branded", "kaspersky branded"},
		{"AT&T", "at and t"},
		{"Procter & Gamble", "procter and gamble"},
		{"Huawei Technologies Co., Ltd.", "huawei technologies co ltd"},
		{"  many\t\nspaces  ", "many spaces"},
		{"Straße", "strasse"},
		{"ＫＡＳＰＥＲＳＫＹ", "kaspersky"}, // full-width, NFKC
		{"Søren Ørsted A/S", "soren orsted a s"},
		{"Łódź", "lodz"},
		{"Kasper\u00adsky", "kaspersky"}, // soft hyphen inside a word
		{"ООО «Яндекс»", "ооо яндекс"},
		{"Lloyds' shares", "lloyds shares"},
		{"e.g. A.Smith", "eg a smith"},
		{"", ""},
		{"...", ""},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Both spellings of a possessive name meet in the index (see
// TestMatchSpellings); here the normaliser's side of it.
func TestNormalizePossessiveDropped(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Apple's", "Apple’s", "Apple ʼs"} {
		if got := Normalize(s); !strings.HasPrefix(got, "apple") {
			t.Errorf("Normalize(%q) = %q, want it to start with apple", s, got)
		}
	}
}

func checkNormalized(t *testing.T, in, got string) {
	t.Helper()
	if !utf8.ValidString(got) {
		t.Fatalf("Normalize(%q) = %q: invalid UTF-8", in, got)
	}
	if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
		t.Fatalf("Normalize(%q) = %q: spaces not collapsed", in, got)
	}
	for _, r := range got {
		if r >= 'A' && r <= 'Z' {
			t.Fatalf("Normalize(%q) = %q: capital left", in, got)
		}
		if strings.ContainsRune(".,;:'’&-()\"", r) {
			t.Fatalf("Normalize(%q) = %q: punctuation %q left", in, got, r)
		}
	}
	if again := Normalize(got); again != got {
		t.Fatalf("Normalize not idempotent: %q → %q → %q", in, got, again)
	}
}

func TestNormalizeProperties(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"Nestlé S.A.", "I.B.M. & Co.", "McDonald’s", "KASPERSKY-BRANDED", "a.b.c.d.e", "x'y's", "Ǆemal ǅ", "ﬁnance", "İstanbul", "ΣΊΣΥΦΟΣ"} {
		checkNormalized(t, s, Normalize(s))
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Nestlé S.A.", "I.B.M.", "McDonald’s", "AT&T", "Kaspersky-branded", "\xff\xfe", "a.b.", "'s'", "ﬁ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, got)
		}
		if got != strings.TrimSpace(got) || strings.Contains(got, "  ") {
			t.Fatalf("Normalize(%q) = %q: spaces not collapsed", s, got)
		}
		if again := Normalize(got); again != got {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, got, again)
		}
	})
}
