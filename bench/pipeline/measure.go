package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"

	"adwatch"
)

// bareColly fetches the feed and every article it links with a minimal
// Colly collector (parallelism 8, no delay, no robots.txt, bodies
// discarded): what fetching alone costs against this server.
func bareColly(feedURL string) (pages int, bytes int64, d time.Duration, err error) {
	col := colly.NewCollector()
	col.Async = true
	col.AllowURLRevisit = true
	if err := col.Limit(&colly.LimitRule{DomainGlob: "*", Parallelism: 8}); err != nil {
		return 0, 0, 0, err
	}
	var n atomic.Int64
	var b atomic.Int64
	var firstErr atomic.Value
	col.OnResponse(func(r *colly.Response) {
		n.Add(1)
		b.Add(int64(len(r.Body)))
	})
	col.OnError(func(r *colly.Response, err error) {
		firstErr.CompareAndSwap(nil, fmt.Errorf("%s: %w", r.Request.URL, err))
	})
	// The feed is fetched apart, so its links can be read before timing.
	feed := colly.NewCollector()
	var links [][][]byte
	feed.OnResponse(func(r *colly.Response) {
		links = regexp.MustCompile(`<link>([^<]+)</link>`).FindAllSubmatch(r.Body, -1)
	})
	start := time.Now()
	if err := feed.Visit(feedURL); err != nil {
		return 0, 0, 0, fmt.Errorf("feed: %w", err)
	}
	for _, l := range links[1:] { // the first is the channel's own link
		if err := col.Visit(string(l[1])); err != nil {
			return 0, 0, 0, err
		}
	}
	col.Wait()
	d = time.Since(start)
	if e, ok := firstErr.Load().(error); ok {
		return 0, 0, 0, e
	}
	return int(n.Load()), b.Load(), d, nil
}

// proc is one finished child process.
type proc struct {
	wall     time.Duration
	cpu      time.Duration // user + system
	peakRSS  int64         // bytes (VmHWM, from the kernel's rusage)
	stdout   []byte
	exitCode int
}

// runCmd runs bin with args and env, keeping stdout (when keep) and
// passing stderr through a filter that keeps only the last lines.
func runCmd(bin string, env []string, keep bool, args ...string) (proc, error) {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out bytes.Buffer
	if keep {
		cmd.Stdout = &out
	} else {
		cmd.Stdout = io.Discard
	}
	var errTail tail
	cmd.Stderr = &errTail
	start := time.Now()
	err := cmd.Run()
	p := proc{wall: time.Since(start), stdout: out.Bytes()}
	if cmd.ProcessState != nil {
		p.exitCode = cmd.ProcessState.ExitCode()
		p.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			p.peakRSS = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		return p, fmt.Errorf("%s %s: %w\n%s", bin, strings.Join(args, " "), err, errTail.String())
	}
	return p, nil
}

// tail keeps the last 4 KB written to it (a child's stderr).
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4096 {
		t.b = append(t.b[:0], t.b[len(t.b)-4096:]...)
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.b) }

// sourceRuns reads the SourceRun lines of `adwatch run --json` (the console
// channel prints alerts on the same stdout; those lines are skipped).
func sourceRuns(out []byte) []adwatch.SourceRun {
	var runs []adwatch.SourceRun
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"duration_ns"`)) {
			continue
		}
		var r adwatch.SourceRun
		if json.Unmarshal(line, &r) == nil && r.Source != "" {
			runs = append(runs, r)
		}
	}
	return runs
}

// countLines counts the JSON lines `adwatch extract` printed.
func countLines(b []byte) int { return bytes.Count(b, []byte("\n")) }

func env(extra ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADWATCH_") {
			out = append(out, kv)
		}
	}
	return append(out, extra...)
}

// postgresCPU sums the CPU time of the machine's postgres processes (their
// own and their exited children's), so a run's database work can be told
// from the adwatch process's. Other databases' work counts too: run the
// bench on an otherwise quiet server.
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
		// After the command: state is field 3, utime..cstime fields 14-17.
		for _, f := range fs[11:15] {
			v, _ := strconv.ParseInt(f, 10, 64)
			ticks += v
		}
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ is 100 on Linux
}
