package main

import (
	"strings"
	"testing"

	"adwatch/demo"
)

// A feed that used to list items and then lists none for several runs (its
// layout changed) is reported to the operators once, not every night.
func TestEmptySourceWarnsOperatorsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var rss = demo.Sources(f.site.URL())[2]
	if rss.Name != "press-rss" {
		t.Fatalf("demo source 2 is %s, want press-rss", rss.Name)
	}
	f.writeConfig(t, demo.Sources(f.site.URL())[2:3])
	cli(t, "", "advertisers", "import", f.csv, "--config", f.config)
	if code, out, errs := cli(t, "", "run", "--config", f.config); code != 0 {
		t.Fatalf("first run: exit %d\n%s\n%s", code, out, errs)
	}
	f.site.Update("/press/rss.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Wire Desk</title><link>`+f.site.URL()+`/press/</link><description>Top stories</description></channel></rss>`))
	const subject = "Source press-rss has listed no items"
	for i := 1; i <= 4; i++ {
		code, out, errs := cli(t, "", "run", "--config", f.config)
		if code != 0 {
			t.Fatalf("empty run %d: exit %d\n%s\n%s", i, code, out, errs)
		}
		want := 0
		if i >= 3 { // the third empty run raises the warning; the fourth must not repeat it
			want = 1
		}
		if got := f.slack.count(subject); got != want {
			t.Errorf("after empty run %d: slack got the warning %d times, want %d", i, got, want)
		}
		if i == 3 && !strings.Contains(out, "NOTICE "+subject) {
			t.Errorf("run %d printed no console notice:\n%s", i, out)
		}
	}
	_, out, _ := cli(t, "", "sources", "--config", f.config)
	if !strings.Contains(out, "press-rss") || !strings.Contains(out, "no items") {
		t.Errorf("sources does not show the warning:\n%s", out)
	}
}
