package advcsv

import (
	"errors"
	"strings"
	"testing"
)

func TestParseGoodFile(t *testing.T) {
	t.Parallel()
	in := "\ufeffid,name,aliases,active,owner_email,region\n" +
		"a-1,AO Kaspersky Lab,Kaspersky Lab| Kaspersky ,true,owner@example.com,EMEA\n" +
		"a-2,\"Apple Inc.\",Apple,no,,\n" +
		"a-3,Target Corporation,,,,\n"
	ads, err := Parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(ads), 3; got != want {
		t.Fatalf("got %d advertisers, want %d", got, want)
	}
	k := ads[0]
	if got, want := strings.Join(k.Aliases, ","), "Kaspersky Lab,Kaspersky"; got != want {
		t.Errorf("aliases: got %q, want %q", got, want)
	}
	if !k.Active || k.OwnerEmail != "owner@example.com" || k.Extra["region"] != "EMEA" {
		t.Errorf("got %+v, want active with owner and region", k)
	}
	if ads[1].Active {
		t.Errorf("a-2 active: got true, want false")
	}
	if !ads[2].Active || len(ads[2].Aliases) != 0 {
		t.Errorf("a-3: got %+v, want active without aliases", ads[2])
	}
}

func TestParseRejectsWithLineNumber(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in string
		line     int
		msg      string
	}{
		{"empty", "", 1, "header"},
		{"missing column", "id,name,active\n", 1, "aliases"},
		{"no id", "id,name,aliases,active\nx,A,,true\n,B,,true\n", 3, "id is empty"},
		{"no name", "id,name,aliases,active\nx,,,true\n", 2, "no name"},
		{"bad active", "id,name,aliases,active\nx,A,,true\ny,B,,maybe\n", 3, "active"},
		{"duplicate id", "id,name,aliases,active\nx,A,,true\nx,B,,true\n", 3, "line 2"},
		{"field count", "id,name,aliases,active\nx,A,,true\ny,B,true\n", 3, "number of fields"},
		{"bad quote", "id,name,aliases,active\nx,\"A,,true\n", 2, ""},
		{"bad email", "id,name,aliases,active,owner_email\nx,A,,true,not-an-address\n", 2, "owner_email"},
		{"bad utf8", "id,name,aliases,active\nx,\xff\xfe,,true\n", 2, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ads, err := Parse(strings.NewReader(tc.in))
			var le *LineError
			if !errors.As(err, &le) {
				t.Fatalf("got %v, %v; want *LineError", ads, err)
			}
			if le.Line != tc.line || !strings.Contains(le.Error(), tc.msg) {
				t.Errorf("got %q (line %d), want line %d containing %q", le, le.Line, tc.line, tc.msg)
			}
			if ads != nil {
				t.Errorf("got %d advertisers with an error, want none", len(ads))
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add("id,name,aliases,active\na,Apple Inc.,Apple,true\n")
	f.Add("id,name,aliases,active\n\"a\nb\",x,,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		ads, err := Parse(strings.NewReader(in))
		if err == nil {
			for _, a := range ads {
				if a.ID == "" || a.Name == "" {
					t.Fatalf("accepted advertiser without id or name: %+v", a)
				}
			}
		}
	})
}
