// Command pipeline measures adwatch's nightly pipeline end to end against a
// loopback site served by nginx, in one invocation:
//
//   - a bare Colly crawl of the site's article pages (fetching alone),
//
//   - `adwatch run` over the site's RSS feed: fetch, extract, match, store
//     (pages/s, CPU, peak RSS of the adwatch process), into a scratch
//     database it creates and drops,
//
//   - `adwatch extract` over the same pages on disk, right before and right
//     after the run (the ratio takes both: the machine's speed drifts),
//
//   - a second `adwatch run` over the unchanged site: bytes the server sent
//     (from its access log) as a fraction of the first run, new documents
//     and alerts,
//
//   - optionally a larger crawl (-big, default 100,000 pages, through HTML
//     listing pages) for peak memory.
//
//     go run ./bench/pipeline                       # 10,000 pages, then 100,000
//     go run ./bench/pipeline -pages 2000 -big 0    # quick look
//
// It installs nginx with apt-get when missing. It must not touch any
// database but the adwatch_pipebench_* ones it creates, and it stops every
// process it starts.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/lib/pq"

	"adwatch"
)

type options struct {
	pages, big, aliases, named int
	adminDSN, work, bin        string
	keep                       bool
}

func main() {
	var o options
	flag.IntVar(&o.pages, "pages", 10000, "article pages of the throughput site")
	flag.IntVar(&o.big, "big", 100000, "article pages of the memory crawl (0: skip)")
	flag.IntVar(&o.aliases, "aliases", 20000, "advertiser names and aliases in the advertisers CSV")
	flag.IntVar(&o.named, "named", 8, "one article in this many names an advertiser")
	flag.StringVar(&o.adminDSN, "db", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "PostgreSQL server (any database on it); scratch databases are created beside it")
	flag.StringVar(&o.work, "work", "", "work directory (default: a new temporary one, removed afterwards)")
	flag.StringVar(&o.bin, "adwatch", "", "adwatch binary (default: built from ./cmd/adwatch)")
	flag.BoolVar(&o.keep, "keep", false, "keep the work directory and scratch databases")
	flag.Parse()
	if err := run(o); err != nil {
		fmt.Fprintln(os.Stderr, "pipeline:", err)
		os.Exit(1)
	}
}

func run(o options) error {
	if o.work == "" {
		dir, err := os.MkdirTemp("", "adwatch-pipebench-")
		if err != nil {
			return err
		}
		o.work = dir
		if !o.keep {
			defer os.RemoveAll(dir)
		}
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return err
	}
	if o.bin == "" {
		o.bin = filepath.Join(o.work, "adwatch")
		fmt.Println("# building ./cmd/adwatch")
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/adwatch")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("build adwatch: %w", err)
		}
	}
	csvPath := filepath.Join(o.work, "advertisers.csv")
	ads, err := writeAdvertisers(csvPath, o.aliases)
	if err != nil {
		return err
	}
	fmt.Printf("# advertisers CSV: %d advertisers, %d names and aliases\n", len(ads), o.aliases)

	if err := throughput(o, csvPath, ads); err != nil {
		return err
	}
	if o.big > 0 {
		return memory(o, csvPath, ads)
	}
	return nil
}

// throughput is the 10,000-page measurement: bare Colly, adwatch run,
// adwatch extract, and the second run.
func throughput(o options, csvPath string, ads []adwatch.Advertiser) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	start := time.Now()
	s, err := generateSite(filepath.Join(o.work, "site"), base, o.pages, ads, o.named)
	if err != nil {
		return fmt.Errorf("generate site: %w", err)
	}
	fmt.Printf("# site: %d article pages, %.1f MB, mean %.1f KB, %d name an advertiser; generated in %s\n",
		s.pages, float64(s.bytes)/1e6, float64(s.bytes)/float64(s.pages)/1e3, s.named, time.Since(start).Round(time.Millisecond))
	ngx, err := startNginx(filepath.Join(o.work, "nginx"), s.root, port)
	if err != nil {
		return err
	}
	defer ngx.stop()

	pages, bytes, d, err := bareColly(base + "/feed.xml")
	if err != nil {
		return fmt.Errorf("bare colly: %w", err)
	}
	bare := float64(pages) / d.Seconds()
	fmt.Printf("bare colly (parallelism 8):     %6d pages in %7.2fs = %7.0f pages/s (%.1f MB)\n", pages, d.Seconds(), bare, float64(bytes)/1e6)

	db, cleanup, err := scratchDB(o, "tp")
	if err != nil {
		return err
	}
	defer cleanup()
	cfg, err := writeConfig(o.work, "tp", db, source{name: "policy-wire", typ: "feed", url: base + "/feed.xml"}, 10<<20)
	if err != nil {
		return err
	}
	if err := prepare(o, cfg, csvPath); err != nil {
		return err
	}
	// adwatch extract runs right before and right after the pipeline, and
	// the ratio takes both: this machine's speed drifts by ±15% within
	// minutes, and a single extract a minute away from the run it is
	// compared with drifts with it.
	extract := func() (proc, error) {
		return runCmd(o.bin, env(), true, "extract", "--advertisers", csvPath, s.articles)
	}
	extBefore, err := extract()
	if err != nil {
		return err
	}
	m0 := ngx.mark()
	pg0 := postgresCPU()
	first, run1, err := adwatchRun(o, cfg)
	if err != nil {
		return err
	}
	pgCPU := postgresCPU() - pg0
	m1 := ngx.mark()
	extAfter, err := extract()
	if err != nil {
		return err
	}
	second, run2, err := adwatchRun(o, cfg)
	if err != nil {
		return err
	}
	m2 := ngx.mark()

	files := countLines(extBefore.stdout)
	if n := countLines(extAfter.stdout); n != files {
		return fmt.Errorf("adwatch extract printed %d documents, then %d", files, n)
	}
	ext := proc{wall: (extBefore.wall + extAfter.wall) / 2, cpu: (extBefore.cpu + extAfter.cpu) / 2, peakRSS: max(extBefore.peakRSS, extAfter.peakRSS)}
	extRate := float64(files) / ext.wall.Seconds()

	crawlRate := float64(run1.NewDocuments) / run1.Duration.Seconds()
	wallRate := float64(run1.NewDocuments) / first.wall.Seconds()
	fmt.Printf("adwatch run (full pipeline):    %6d docs in %7.2fs = %7.0f pages/s crawl time (%.0f pages/s whole command, %.2fs), %d alerts, CPU %.1fs, peak RSS %.0f MiB\n",
		run1.NewDocuments, run1.Duration.Seconds(), crawlRate, wallRate, first.wall.Seconds(), run1.Alerts, first.cpu.Seconds(), mib(first.peakRSS))
	fmt.Printf("  PostgreSQL CPU during that run: %.1fs; adwatch + PostgreSQL CPU per page: %.2f ms\n",
		pgCPU.Seconds(), (first.cpu+pgCPU).Seconds()*1000/float64(max(run1.NewDocuments, 1)))
	fmt.Printf("adwatch extract (one process):  %6d files in %7.2fs = %7.0f pages/s, CPU %.1fs, peak RSS %.0f MiB (mean of %.0f pages/s before the run and %.0f after)\n",
		files, ext.wall.Seconds(), extRate, ext.cpu.Seconds(), mib(ext.peakRSS),
		float64(files)/extBefore.wall.Seconds(), float64(files)/extAfter.wall.Seconds())
	fmt.Printf("ratio full pipeline / extract:  %.2f (crawl time), %.2f (whole command); goal >= 0.5\n", crawlRate/extRate, wallRate/extRate)
	runCPU := (first.cpu + pgCPU).Seconds() / float64(max(run1.NewDocuments, 1))
	extCPU := ext.cpu.Seconds() / float64(max(files, 1))
	// The machine's speed drifts between runs; CPU per page in units of
	// extraction's drifts much less, and on a CPU-bound crawl over two cores
	// it has to be at most about 4 (3.3 in practice) for the ratio to reach 0.5.
	fmt.Printf("  extract CPU per page: %.2f ms; adwatch + PostgreSQL CPU per page over it: %.2f\n", extCPU*1000, runCPU/max(extCPU, 1e-9))

	t1, err := ngx.traffic(m0, m1)
	if err != nil {
		return err
	}
	t2, err := ngx.traffic(m1, m2)
	if err != nil {
		return err
	}
	fmt.Printf("second run: %d requests (%d answered 304), %d bytes sent of %d in the first run = %.3f%% (bodies %d of %d); new documents %d, alerts %d; %.2fs, peak RSS %.0f MiB\n",
		t2.requests, t2.notModified, t2.bytesSent, t1.bytesSent, 100*float64(t2.bytesSent)/float64(t1.bytesSent),
		t2.bodyBytes, t1.bodyBytes, run2.NewDocuments, run2.Alerts, second.wall.Seconds(), mib(second.peakRSS))
	return nil
}

// memory crawls a larger site through HTML listing pages (a feed of
// 100,000 items would be a 15 MB listing) and reports the adwatch process's
// peak RSS.
func memory(o options, csvPath string, ads []adwatch.Advertiser) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	start := time.Now()
	s, err := generateSite(filepath.Join(o.work, "big"), base, o.big, ads, o.named)
	if err != nil {
		return fmt.Errorf("generate site: %w", err)
	}
	fmt.Printf("# big site: %d article pages, %.1f MB; generated in %s\n", s.pages, float64(s.bytes)/1e6, time.Since(start).Round(time.Second))
	ngx, err := startNginx(filepath.Join(o.work, "nginx-big"), s.root, port)
	if err != nil {
		return err
	}
	defer ngx.stop()
	db, cleanup, err := scratchDB(o, "mem")
	if err != nil {
		return err
	}
	defer cleanup()
	src := source{name: "policy-wire-archive", typ: "html", url: base + "/list/0.html",
		itemSelector: "a.story", nextSelector: "a.next", maxPages: (o.big + listPage - 1) / listPage}
	cfg, err := writeConfig(o.work, "mem", db, src, 10<<20)
	if err != nil {
		return err
	}
	if err := prepare(o, cfg, csvPath); err != nil {
		return err
	}
	p, r, err := adwatchRun(o, cfg)
	if err != nil {
		return err
	}
	fmt.Printf("adwatch run, %d pages via listings: %d docs in %.2fs = %.0f pages/s crawl time, %d alerts, CPU %.1fs, peak RSS %.0f MiB\n",
		o.big, r.NewDocuments, r.Duration.Seconds(), float64(r.NewDocuments)/r.Duration.Seconds(), r.Alerts, p.cpu.Seconds(), mib(p.peakRSS))
	return nil
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// scratchDB names a scratch database on the admin DSN's server; cleanup
// drops it (unless -keep). adwatch creates it on first use.
func scratchDB(o options, tag string) (string, func(), error) {
	u, err := url.Parse(o.adminDSN)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	name := fmt.Sprintf("adwatch_pipebench_%s_%d", tag, os.Getpid())
	u.Path = "/" + name
	drop := func() {
		if o.keep {
			fmt.Printf("# kept database %s\n", name)
			return
		}
		admin, err := sql.Open("postgres", o.adminDSN)
		if err != nil {
			fmt.Fprintln(os.Stderr, "pipeline: drop scratch database:", err)
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+pq.QuoteIdentifier(name)+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "pipeline: drop scratch database:", err)
		}
	}
	return u.String(), drop, nil
}
