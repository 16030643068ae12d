// Command matchbench measures the advertiser matcher at growing alias counts:
// index build time, index memory, scan throughput with the full judgement on
// (one core), and peak resident memory. Each size runs in its own process so
// peak memory is that size's own.
//
//	go run ./bench/matchbench                   # 1k, 10k, 100k, 1M aliases, 32 MB of text
//	go run ./bench/matchbench -sizes 1k,10k -mb 8
//
// Scan throughput (Match: the one-pass scan with the full judgement) is given
// per wall-clock second and per CPU second of the process: on a shared machine
// the second is the one to trust. analyze_MB/cpu_s is Match plus the company
// finder (Matcher.Analyze), what extraction runs per document.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
	"time"

	"adwatch/bench/matchbench/synth"
	"adwatch/extract/names"
)

func main() {
	sizes := flag.String("sizes", "1k,10k,100k,1M", "alias counts to measure, comma-separated (k and M suffixes)")
	mb := flag.Int("mb", 32, "megabytes of news-like text to scan per size")
	one := flag.Int("one", 0, "measure one alias count in this process (used by the parent run)")
	flag.Parse()
	if *one > 0 {
		if err := measure(*one, *mb); err != nil {
			fmt.Fprintln(os.Stderr, "matchbench:", err)
			os.Exit(1)
		}
		return
	}
	fmt.Printf("%-8s %10s %10s %12s %14s %16s %12s %8s %8s\n", "aliases", "build_s", "index_MB", "scan_MB/s", "scan_MB/cpu_s", "analyze_MB/cpu_s", "peak_RSS_MB", "docs", "matches")
	for _, s := range strings.Split(*sizes, ",") {
		n, err := parseSize(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "matchbench:", err)
			os.Exit(2)
		}
		exe, err := os.Executable()
		if err != nil {
			fmt.Fprintln(os.Stderr, "matchbench:", err)
			os.Exit(1)
		}
		cmd := exec.Command(exe, "-one", strconv.Itoa(n), "-mb", strconv.Itoa(*mb))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "matchbench: %d aliases: %v\n", n, err)
			os.Exit(1)
		}
	}
}

func parseSize(s string) (int, error) {
	s = strings.TrimSpace(s)
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1_000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "M"):
		mult, s = 1_000_000, strings.TrimSuffix(s, "M")
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

func measure(n, mb int) error {
	runtime.GOMAXPROCS(1) // one core
	ads := synth.Advertisers(n)
	docs := synth.Docs(mb<<20, ads, 1)
	size := 0
	for _, d := range docs {
		size += len(d)
	}
	heapBefore := heapInUse()

	t0 := time.Now()
	m, err := names.NewMatcher(ads)
	if err != nil {
		return fmt.Errorf("build: %w", err)
	}
	build := time.Since(t0)
	index := heapInUse() - heapBefore

	// One untimed pass over the first documents warms caches, as a long run would.
	for _, d := range docs[:min(len(docs), 20)] {
		m.Match(names.Doc{Text: d})
	}
	cpu0 := cpuTime()
	t1 := time.Now()
	matches := 0
	for _, d := range docs {
		matches += len(m.Match(names.Doc{Text: d}))
	}
	wall := time.Since(t1)
	cpu := cpuTime() - cpu0

	// The same documents through Analyze: matching and the company finder, as
	// extraction runs them.
	cpu1 := cpuTime()
	for _, d := range docs {
		m.Analyze(names.Doc{Text: d})
	}
	acpu := cpuTime() - cpu1
	runtime.KeepAlive(m)

	mbs := float64(size) / (1 << 20)
	fmt.Printf("%-8d %10.2f %10.0f %12.0f %14.0f %16.0f %12.0f %8d %8d\n", n, build.Seconds(), float64(index)/(1<<20),
		mbs/wall.Seconds(), mbs/cpu.Seconds(), mbs/acpu.Seconds(), float64(peakRSS())/(1<<10), len(docs), matches)
	return nil
}

func heapInUse() uint64 {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSS reads VmHWM (KiB) from /proc/self/status; 0 where there is none.
func peakRSS() int {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	return 0
}
