package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"adwatch"
	"adwatch/bench/matchbench/synth"
)

// BenchmarkPipelineLoopback runs the nightly pipeline in-process (crawler →
// extract → store in batches, no River: alerts and their deliveries are
// stored, not worked) over a loopback press site, so it can be profiled:
//
//	go test -run '^$' -bench PipelineLoopback -benchtime 1x -cpuprofile cpu.out ./cmd/adwatch
//	go tool pprof -top -nodecount 40 cpu.out
//
// PIPELINE_BENCH_PAGES sets the site's size (default 2,000). The
// measurement with a real web server and the adwatch binary is
// bench/pipeline.
func BenchmarkPipelineLoopback(b *testing.B) {
	pages := 2000
	if v, err := strconv.Atoi(os.Getenv("PIPELINE_BENCH_PAGES")); err == nil && v > 0 {
		pages = v
	}
	ads := synth.Advertisers(20000)
	srv := httptest.NewServer(benchSite(pages, ads))
	b.Cleanup(srv.Close)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		p, src, db := pipelineOn(b, srv.URL, ads, 8, true)
		b.StartTimer()
		start, cpu0, pg0 := time.Now(), processCPU(), postgresCPU()
		run := p.crawlSource(ctx, src)
		d, cpu, pg := time.Since(start), processCPU()-cpu0, postgresCPU()-pg0
		b.StopTimer()
		if run.Err != "" || run.NewDocuments != pages {
			b.Fatalf("run: %d new documents of %d, error %q, page errors %q", run.NewDocuments, pages, run.Err, run.Errors)
		}
		b.ReportMetric(float64(pages)/d.Seconds(), "pages/s")
		b.ReportMetric(float64(run.Alerts), "alerts")
		// Process CPU includes the loopback site's; PostgreSQL's is every
		// postgres process on the machine.
		b.ReportMetric(cpu.Seconds()*1000/float64(pages), "proc_cpu_ms/page")
		b.ReportMetric(pg.Seconds()*1000/float64(pages), "pg_cpu_ms/page")
		db.Close()
		b.StartTimer()
	}
}

// benchSite serves an RSS feed of n items and their article pages (site
// chrome around 2-6 KB of news-like text; one article in eight names an
// advertiser).
func benchSite(n int, ads []adwatch.Advertiser) http.Handler {
	others := make([]adwatch.Advertiser, 400)
	for i := range others {
		others[i] = adwatch.Advertiser{Name: synth.Name(5_000_000 + i)}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Policy Wire</title>`)
		for i := range n {
			fmt.Fprintf(w, "<item><title>Story %d</title><link>http://%s/articles/%06d.html</link></item>\n", i, r.Host, i)
		}
		fmt.Fprint(w, `</channel></rss>`)
	})
	mux.HandleFunc("/articles/", func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/articles/"), ".html"))
		pool := others
		lead := ""
		if i%8 == 0 {
			a := ads[6+i%(len(ads)-6)]
			pool = append(append([]adwatch.Advertiser(nil), others[:40]...), a)
			lead = a.Name + " said on Tuesday that "
		}
		text := lead + synth.Article(2000+(i*7919)%4000, pool, uint64(i))
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story %d | Policy Wire</title>
<link rel="canonical" href="http://%s/articles/%06d.html"><script>window.dataLayer=[];</script></head><body>
<header><a href="/">Policy Wire</a><nav><a href="/technology">Technology</a> <a href="/trade">Trade</a> <a href="/security">Security</a></nav></header>
<main><article><h1>Story %d</h1><p class="byline">By Staff Reporter · <time datetime="2024-01-02T14:00:00Z">January 2, 2024</time></p>`, i, r.Host, i, i)
		for _, para := range strings.Split(text, "\n\n") {
			fmt.Fprintf(w, "<p>%s</p>\n", para)
		}
		fmt.Fprint(w, `</article><aside><h2>Related</h2><ul><li><a href="/a">More</a></li></ul></aside></main><footer>© 2024 Policy Wire</footer></body></html>`)
	})
	mux.HandleFunc("/robots.txt", http.NotFound)
	return mux
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postgresCPU sums the CPU time of the machine's postgres processes (their
// own and their exited children's), from /proc.
func postgresCPU() time.Duration {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	var ticks int64
	for _, e := range entries {
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		fs := strings.Fields(s[end+1:])
		for _, f := range fs[11:15] { // utime, stime, cutime, cstime
			v, _ := strconv.ParseInt(f, 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ
}
