package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/riverqueue/river/rivertype"

	"adwatch"
)

// progress follows one `adwatch run`: per source, the state of its crawl job
// (whoever works it) and what this process fetched, stored and raised. On a
// terminal it redraws a small table in place; otherwise it only collects the
// alerts (the crawl worker logs one line per source).
type progress struct {
	mu     sync.Mutex
	w      io.Writer
	live   bool
	order  []string
	rows   map[string]*progressRow
	lines  int // lines of the last drawing, to move back over them
	start  time.Time
	raised int // alerts stored by this process; counted, not kept, so memory stays flat
}

type progressRow struct {
	state   string
	fetched int
	bytes   int64
	newDocs int
	alerts  int
}

func newProgress(w io.Writer, srcs []adwatch.Source, live bool) *progress {
	p := &progress{w: w, live: live && w != nil, rows: map[string]*progressRow{}, start: time.Now()}
	for _, s := range srcs {
		p.order = append(p.order, s.Name)
		p.rows[s.Name] = &progressRow{state: "queued"}
	}
	return p
}

// isTerminal reports whether w is a character device (a person watching),
// not a file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *progress) fetched(source string, bytes int, _ time.Duration, _ bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r := p.rows[source]; r != nil {
		r.fetched++
		r.bytes += int64(bytes)
	}
}

func (p *progress) stored(source string, newDocs int, as []adwatch.Alert) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r := p.rows[source]; r != nil {
		r.newDocs += newDocs
		r.alerts += len(as)
		p.raised += len(as)
	}
}

func (p *progress) finished(adwatch.SourceRun) {}

// jobState notes where a source's crawl job is.
func (p *progress) jobState(source string, j *rivertype.JobRow) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.rows[source]
	if r == nil {
		return
	}
	switch j.State {
	case rivertype.JobStateRunning:
		r.state = "crawling"
		if j.Attempt > 1 {
			r.state = fmt.Sprintf("crawling (attempt %d)", j.Attempt)
		}
	case rivertype.JobStateCompleted:
		r.state = "done"
	case rivertype.JobStateRetryable:
		r.state = "resuming soon"
	case rivertype.JobStateAvailable, rivertype.JobStateScheduled, rivertype.JobStatePending:
		r.state = "queued"
	default:
		r.state = string(j.State)
	}
}

// raisedCount returns how many alerts this process stored.
func (p *progress) raisedCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.raised
}

// draw redraws the table over the previous one. Counts are this process's
// share: a crawl worked by another process shows its state only.
func (p *progress) draw() {
	if !p.live {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	if p.lines > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.lines) // cursor up to the first line drawn
	}
	var t strings.Builder
	tw := tabwriter.NewWriter(&t, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "SOURCE\tSTATE\tFETCHED\tNEW DOCS\tALERTS\tKB\n")
	for _, name := range p.order {
		r := p.rows[name]
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\n", name, r.state, r.fetched, r.newDocs, r.alerts, r.bytes/1024)
	}
	tw.Flush()
	fmt.Fprintf(&t, "elapsed %s\n", time.Since(p.start).Round(time.Second))
	for _, line := range strings.SplitAfter(t.String(), "\n") {
		if line != "" {
			b.WriteString("\x1b[2K" + line) // clear the old line, write the new
		}
	}
	p.lines = strings.Count(t.String(), "\n")
	io.WriteString(p.w, b.String()) //nolint:errcheck // a terminal
}

// Write prints text (the console channel's alerts) above the live table:
// the table is erased, the text written, and the next drawing starts below
// it, so neither tears the other.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.lines > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.lines)
		p.lines = 0
	}
	return p.w.Write(b)
}

// stop draws the final state once more; the summary table follows it.
func (p *progress) stop() { p.draw() }

// observers fans a crawl's events out to several observers; nil ones are
// skipped.
type observers []observer

func (obs observers) fetched(source string, bytes int, d time.Duration, failed bool) {
	for _, o := range obs {
		if o != nil {
			o.fetched(source, bytes, d, failed)
		}
	}
}

func (obs observers) stored(source string, newDocs int, as []adwatch.Alert) {
	for _, o := range obs {
		if o != nil {
			o.stored(source, newDocs, as)
		}
	}
}

func (obs observers) finished(run adwatch.SourceRun) {
	for _, o := range obs {
		if o != nil {
			o.finished(run)
		}
	}
}
