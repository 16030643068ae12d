package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"adwatch"
	"adwatch/demo"
	"adwatch/internal/testdb"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"frobnicate"}, {"run", "--no-such-flag"}, {"alerts", "dismiss", "x"}, {"extract"}} {
		if code, _, errs := cli(t, "", args...); code != exitUsage || errs == "" {
			t.Errorf("%v: got exit %d (%q), want %d with a message", args, code, errs, exitUsage)
		}
	}
	if code, out, _ := cli(t, "", "help"); code != 0 || !strings.Contains(out, "extract") {
		t.Errorf("help: got exit %d, output %q", code, out)
	}
}

func TestMalformedConfigNamesFileLineField(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "adwatch.yaml", "crawler:\n  delay: 1s\n  per_host_parallelism: many\n")
	code, _, errs := cli(t, "", "run", "--config", p)
	if code != exitUsage {
		t.Fatalf("got exit %d, want %d", code, exitUsage)
	}
	if want := p + ":3: crawler.per_host_parallelism"; !strings.Contains(errs, want) {
		t.Errorf("got %q, want it to contain %q", errs, want)
	}
}

func TestUnreachableDatabaseIsOneClearMessage(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	p := writeFile(t, "adwatch.yaml", fmt.Sprintf("database:\n  url: postgres://postgres:hunter2@%s/x?sslmode=disable\n", addr))
	code, _, errs := cli(t, "", "alerts", "list", "--config", p)
	if code != exitFailed {
		t.Fatalf("got exit %d, want %d (%s)", code, exitFailed, errs)
	}
	if strings.Count(strings.TrimSpace(errs), "\n") > 0 || !strings.Contains(errs, "database") {
		t.Errorf("want one line naming the database, got %q", errs)
	}
	if strings.Contains(errs, "hunter2") {
		t.Errorf("error leaks the password: %q", errs)
	}
}

func TestOutdatedSchemaRefusedUntilMigrate(t *testing.T) {
	t.Parallel()
	dsn := testdb.Empty(t)
	p := writeFile(t, "adwatch.yaml", fmt.Sprintf("database:\n  url: %q\n", dsn))
	code, _, errs := cli(t, "", "alerts", "list", "--config", p)
	if code == 0 || !strings.Contains(errs, "adwatch migrate") {
		t.Fatalf("on an empty database: got exit %d %q, want a failure naming \"adwatch migrate\"", code, errs)
	}
	for i := 0; i < 2; i++ {
		if code, _, errs := cli(t, "", "migrate", "--config", p); code != 0 {
			t.Fatalf("migrate #%d: exit %d: %s", i+1, code, errs)
		}
	}
	if code, out, errs := cli(t, "", "alerts", "list", "--config", p); code != 0 || !strings.Contains(out, "no alerts") {
		t.Errorf("after migrate: got exit %d %q %q", code, out, errs)
	}
}

func TestBadAdvertiserRowRejectsWholeFile(t *testing.T) {
	t.Parallel()
	p := writeFile(t, "adwatch.yaml", fmt.Sprintf("database:\n  url: %q\n", testdb.DSN(t)))
	csv := writeFile(t, "ads.csv", "id,name,aliases,active\na-1,AO Kaspersky Lab,Kaspersky,true\na-2,Apple Inc.,Apple,perhaps\n")
	code, _, errs := cli(t, "", "advertisers", "import", csv, "--config", p)
	if code != exitFailed || !strings.Contains(errs, "line 3") {
		t.Fatalf("got exit %d %q, want exit 1 naming line 3", code, errs)
	}
	code, out, _ := cli(t, "", "advertisers", "list", "--json", "--config", p)
	if code != 0 || strings.TrimSpace(out) != "" {
		t.Errorf("after a rejected file: got exit %d and advertisers %q, want none", code, out)
	}
}

func TestFailingSourceDoesNotStopOthers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	srcs := demo.Sources(f.site.URL())
	srcs = append(srcs[:1:1], adwatch.Source{Name: "down", Kind: adwatch.KindPress, Type: "feed", URL: "http://" + dead + "/rss.xml"})
	f.writeConfig(t, srcs)
	cli(t, "", "advertisers", "import", f.csv, "--config", f.config)
	code, out, errs := cli(t, "", "run", "--config", f.config, "--json")
	if code != exitFailed {
		t.Fatalf("got exit %d, want %d\n%s\n%s", code, exitFailed, out, errs)
	}
	runs := map[string]adwatch.SourceRun{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var r adwatch.SourceRun
		if err := json.Unmarshal(sc.Bytes(), &r); err == nil {
			runs[r.Source] = r
		}
	}
	if runs["down"].Err == "" {
		t.Errorf("source down: got no error, want one")
	}
	if r := runs[srcs[0].Name]; r.Err != "" || r.NewDocuments == 0 {
		t.Errorf("healthy source: got %+v, want documents and no error", r)
	}
	code, out, _ = cli(t, "", "sources", "--json", "--config", f.config)
	if code != 0 || !strings.Contains(out, `"consecutive_failures":1`) {
		t.Errorf("sources: got exit %d %s, want the failure recorded", code, out)
	}
}

func TestExtractIsOfflineJSONLines(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "notice.txt"), []byte("Removal of Kaspersky-branded Products\n\nAgencies shall remove products supplied by AO Kaspersky Lab.\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "orchard.txt"), []byte("Apple harvest\n\nThe apple harvest in the valley was early this year; growers picked Honeycrisp apples.\n"), 0o600)
	csv := writeFile(t, "ads.csv", "id,name,aliases,active\na-1,AO Kaspersky Lab,Kaspersky Lab|Kaspersky,true\na-2,Apple Inc.,Apple,true\n")
	code, out, errs := cli(t, "", "extract", "--advertisers", csv, "--text", dir)
	if code != 0 {
		t.Fatalf("extract: exit %d: %s", code, errs)
	}
	lines := map[string]extractLine{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var l extractLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		lines[filepath.Base(l.File)] = l
	}
	if got := lines["notice.txt"]; len(got.Matches) != 1 || got.Matches[0].AdvertiserID != "a-1" || got.Text == nil {
		t.Errorf("notice.txt: got %+v, want one match for a-1 with text", got)
	}
	if got := lines["orchard.txt"]; len(got.Matches) != 0 {
		t.Errorf("orchard.txt: got matches %+v, want none (the fruit is not Apple Inc.)", got.Matches)
	}
}
