package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"adwatch"
)

// source is the one source a bench configuration crawls.
type source struct {
	name, typ, url             string
	itemSelector, nextSelector string
	maxPages                   int
}

// writeConfig writes an adwatch.yaml for the bench: the measured settings
// (per-host parallelism 8, no delay, private networks allowed for
// loopback) and one source.
func writeConfig(dir, tag, dbURL string, s source, maxBody int64) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, `database:
  url: %q
crawler:
  allow_private_networks: true
  per_host_parallelism: 8
  delay: 0s
  max_body_bytes: %d
  max_pages: %d
  job_timeout: 3h                # the 100,000-page crawl outlasts the default 30m
alerts:
  deliver_timeout: 60s
web:
  auth: false
sources:
  - name: %s
    kind: press
    type: %s
    url: %q
`, dbURL, maxBody, max(s.maxPages, 20), s.name, s.typ, s.url)
	if s.typ == adwatch.SourceFeed {
		b.WriteString("    follow: true\n")
	}
	if s.itemSelector != "" {
		fmt.Fprintf(&b, "    item_selector: %q\n    next_selector: %q\n    max_pages: %d\n", s.itemSelector, s.nextSelector, s.maxPages)
	}
	path := filepath.Join(dir, "adwatch-"+tag+".yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// prepare migrates the scratch database and imports the advertisers.
func prepare(o options, cfg, csvPath string) error {
	if _, err := runCmd(o.bin, env(), false, "migrate", "--config", cfg); err != nil {
		return err
	}
	_, err := runCmd(o.bin, env(), false, "advertisers", "import", "--config", cfg, csvPath)
	return err
}

// adwatchRun runs `adwatch run --json` once and returns the process figures
// and the source's run.
func adwatchRun(o options, cfg string) (proc, adwatch.SourceRun, error) {
	p, err := runCmd(o.bin, env(), true, "run", "--json", "--config", cfg)
	if err != nil {
		return p, adwatch.SourceRun{}, err
	}
	runs := sourceRuns(p.stdout)
	if len(runs) != 1 {
		return p, adwatch.SourceRun{}, fmt.Errorf("adwatch run printed %d source runs, want 1", len(runs))
	}
	r := runs[0]
	if r.Err != "" {
		return p, r, fmt.Errorf("source %s failed: %s", r.Source, r.Err)
	}
	if len(r.Errors) > 0 {
		fmt.Printf("# %s: %d page errors, first: %s\n", r.Source, len(r.Errors), r.Errors[0])
	}
	return p, r, nil
}
