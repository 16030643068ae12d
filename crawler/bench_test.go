package crawler

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"adwatch"
)

// BenchmarkCrawlLoopback is a bare fetch: listing pages (100 links each)
// leading to N article pages (about 6 KiB each, site chrome included) on a loopback
// server, politeness delays off, 8 requests in flight per host. It reports
// pages/s and the peak HeapInuse seen during the crawl.
//
//	go test -run '^$' -bench CrawlLoopback -benchmem -benchtime 3x ./crawler
//
// CRAWLER_BENCH_100K=1 adds a 100,000-page crawl.
func BenchmarkCrawlLoopback(b *testing.B) {
	sizes := []int{1000, 10000}
	if os.Getenv("CRAWLER_BENCH_100K") != "" {
		sizes = append(sizes, 100000) // about half a minute per iteration
	}
	for _, n := range sizes {
		b.Run(strconv.Itoa(n)+"_pages", func(b *testing.B) { benchCrawl(b, n) })
	}
}

func benchCrawl(b *testing.B, n int) {
	text := strings.Repeat("The Department of Homeland Security directed agencies to remove Kaspersky-branded products. ", 50)
	mux := http.NewServeMux()
	mux.HandleFunc("/robots.txt", http.NotFound)
	// Listing pages of 100 links, each with a next link, as archives are.
	const perPage = 100
	mux.HandleFunc("/list", func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		var b strings.Builder
		b.WriteString("<html><body><ul>")
		for i := page * perPage; i < min((page+1)*perPage, n); i++ {
			fmt.Fprintf(&b, `<li><a class="notice" href="/a/%d">Notice %d</a></li>`, i, i)
		}
		b.WriteString("</ul>")
		if (page+1)*perPage < n {
			fmt.Fprintf(&b, `<a class="next" href="/list?page=%d">Next</a>`, page+1)
		}
		b.WriteString("</body></html>")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(b.String()))
	})
	mux.HandleFunc("/a/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(articlePage(r.URL.Path, text)))
	})
	srv := newServer(b, mux)
	cfg := Config{AllowPrivateNetworks: true, PerHostParallelism: benchPar, MaxRetries: -1}
	src := adwatch.Source{Name: "bench", Type: adwatch.SourceHTML, URL: srv.URL + "/list", ItemSelector: "a.notice",
		NextSelector: "a.next", MaxPages: n/perPage + 1}

	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	var pages, bytes int64
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		c := New(cfg, nil, nil)
		run, err := c.Crawl(context.Background(), src, func(_ context.Context, f adwatch.Fetched) error { return nil })
		if err != nil || len(run.Errors) > 0 {
			b.Fatalf("crawl: %v %v", err, run.Errors)
		}
		pages += int64(run.Pages)
		bytes += run.Bytes
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	close(stop)
	<-done
	b.ReportMetric(float64(pages)/b.Elapsed().Seconds(), "pages/s")
	b.ReportMetric(float64(bytes)/float64(b.N), "bytes/crawl")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak_heap_MiB")
	// CPU per page (client and loopback server together) is steadier than
	// pages/s on a shared machine.
	b.ReportMetric(float64(cpu.Microseconds())/float64(pages), "cpu_us/page")
}

var benchPar = func() int { n, _ := strconv.Atoi(os.Getenv("BENCH_PAR")); return max(n, 8) }()

// cpuTime is the process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
