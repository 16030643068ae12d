package scale

import (
	"bytes"
	"database/sql"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"adwatch/internal/testdb"
)

// The measurements of docs/performance.md, "Scale-out":
//
//	go test -run '^$' -bench . -benchtime 1x ./bench/scale
//
// BenchmarkWorkers starts 1, 2 and 4 `adwatch run` processes at the same
// moment against one database and a site that answers every page after
// 50 ms, and reports documents per second until the last one exits.
// BenchmarkTickToFirstFetch runs `adwatch serve` on a 3-second schedule and
// reports the time from each tick to the site's first request.

const (
	benchFeeds = 32
	benchDocs  = 25
	benchDelay = 50 * time.Millisecond
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

func binary(b *testing.B) string {
	b.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "adwatch-scale-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "adwatch")
		if out, err := exec.Command("go", "build", "-o", binPath, "adwatch/cmd/adwatch").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		b.Fatal(binErr)
	}
	return binPath
}

// setup makes a database with the site's advertisers and a config file.
func setup(b *testing.B, s *Site, extra string) (config, dsn string) {
	b.Helper()
	dsn = testdb.DSN(b)
	var c strings.Builder
	fmt.Fprintf(&c, "database:\n  url: %q\n", dsn)
	c.WriteString("crawler:\n  allow_private_networks: true\n  delay: 0s\n  per_host_parallelism: 2\n  concurrency: 2\n" + extra)
	c.WriteString("alerts:\n  deliver_timeout: 1m\nweb:\n  auth: false\nsources:\n")
	for _, src := range s.Sources() {
		fmt.Fprintf(&c, "  - {name: %s, kind: %s, type: %s, url: %q, follow: true}\n", src.Name, src.Kind, src.Type, src.URL)
	}
	dir := b.TempDir()
	config = filepath.Join(dir, "adwatch.yaml")
	csv := filepath.Join(dir, "advertisers.csv")
	os.WriteFile(config, []byte(c.String()), 0o600)
	os.WriteFile(csv, AdvertisersCSV(), 0o600)
	if out, err := command(b, config, nil, "advertisers", "import", csv).CombinedOutput(); err != nil {
		b.Fatalf("import: %v\n%s", err, out)
	}
	return config, dsn
}

func command(b *testing.B, config string, env []string, args ...string) *exec.Cmd {
	cmd := exec.Command(binary(b), append(args, "--config", config)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADWATCH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func BenchmarkWorkers(b *testing.B) {
	for _, procs := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("processes=%d", procs), func(b *testing.B) {
			var docs int
			var elapsed, cpu time.Duration
			var busy float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s := NewSite(benchFeeds, benchDocs, benchDelay)
				config, _ := setup(b, s, "")
				b.StartTimer()
				start := time.Now()
				busy0, total0 := machineCPU()
				var cmds []*exec.Cmd
				var outs []*bytes.Buffer
				for p := 0; p < procs; p++ {
					cmd := command(b, config, nil, "run")
					out := &bytes.Buffer{}
					cmd.Stdout, cmd.Stderr = out, out
					if err := cmd.Start(); err != nil {
						b.Fatal(err)
					}
					cmds, outs = append(cmds, cmd), append(outs, out)
				}
				for p, cmd := range cmds {
					if err := cmd.Wait(); err != nil {
						b.Fatalf("run #%d: %v\n%s", p+1, err, outs[p])
					}
					cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				}
				elapsed += time.Since(start)
				busy1, total1 := machineCPU()
				if total1 > total0 {
					busy += float64(busy1-busy0) / float64(total1-total0)
				}
				b.StopTimer()
				for _, p := range s.DocumentPaths() {
					if n := s.Requests()[p]; n != 1 {
						b.Fatalf("%s fetched %d times, want 1", p, n)
					}
				}
				docs += len(s.DocumentPaths())
				s.Close()
			}
			b.ReportMetric(float64(docs)/elapsed.Seconds(), "docs/s")
			// CPU of the adwatch processes only (not the site, not PostgreSQL).
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(docs), "cpu-ms/doc")
			// The whole machine's CPU (adwatch, PostgreSQL, the site and
			// anything else running) busy during the runs.
			b.ReportMetric(100*busy/float64(b.N), "machine-busy-%")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// machineCPU reads the busy and total jiffies of all CPUs from /proc/stat
// (0, 0 where there is none).
func machineCPU() (busy, total uint64) {
	raw, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(raw), "\n")
	f := strings.Fields(line)
	for i, v := range f[1:] {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return 0, 0
		}
		total += n
		if i != 3 && i != 4 { // idle, iowait
			busy += n
		}
	}
	return busy, total
}

func BenchmarkTickToFirstFetch(b *testing.B) {
	const ticks = 3
	s := NewSite(1, 5, 0)
	defer s.Close()
	config, dsn := setup(b, s, "  schedule: \"@every 3s\"\n")
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := command(b, config, []string{"ADWATCH_LISTEN=" + addr}, "serve")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	var total, worst time.Duration
	for tick := 1; tick <= ticks; tick++ {
		s.Reset()
		var created time.Time
		deadline := time.Now().Add(30 * time.Second)
		for {
			err := db.QueryRow(`SELECT scheduled_at FROM river_job WHERE kind = 'crawl_source' AND state = 'completed'
				ORDER BY id OFFSET $1 LIMIT 1`, tick-1).Scan(&created)
			if err == nil {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("tick %d: no completed crawl within 30s\n%s", tick, out.String())
			}
			time.Sleep(50 * time.Millisecond)
		}
		first := s.FirstRequest()
		if first.IsZero() || first.Before(created) {
			b.Fatalf("tick %d: first request %v, tick %v", tick, first, created)
		}
		d := first.Sub(created)
		total += d
		worst = max(worst, d)
	}
	b.ReportMetric(float64(total.Milliseconds())/ticks, "ms/tick-to-fetch")
	b.ReportMetric(float64(worst.Milliseconds()), "ms/worst")
	b.ReportMetric(0, "ns/op")
}
