package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/riverqueue/river/rivertype"

	"adwatch"
)

func TestProgressRedrawsInPlaceOnATerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := newProgress(&out, []adwatch.Source{{Name: "dhs-notices"}, {Name: "fcc-notices"}}, true)
	p.jobState("dhs-notices", &rivertype.JobRow{State: rivertype.JobStateRunning, Attempt: 1})
	p.fetched("dhs-notices", 2048, 0, false)
	p.fetched("dhs-notices", 2048, 0, false)
	p.stored("dhs-notices", 2, []adwatch.Alert{{ID: 1, AdvertiserID: "a-17"}})
	p.fetched("not-in-this-run", 1, 0, false) // a scheduled crawl worked meanwhile: not drawn
	p.draw()
	first := out.String()
	if got := rowFields(first, "dhs-notices"); strings.Join(got, " ") != "dhs-notices crawling 2 2 1 4" {
		t.Errorf("first drawing: got row %q, want dhs-notices crawling 2 2 1 4", got)
	}
	if got := rowFields(first, "fcc-notices"); len(got) < 2 || got[1] != "queued" {
		t.Errorf("first drawing: got row %q, want fcc-notices queued", got)
	}
	if strings.Contains(first, "not-in-this-run") {
		t.Errorf("drawing shows a source outside the run:\n%s", first)
	}
	if !strings.HasPrefix(first, "\x1b[2K") {
		t.Errorf("first drawing: got prefix %q, want no cursor movement before it", first[:min(len(first), 8)])
	}
	out.Reset()
	p.jobState("dhs-notices", &rivertype.JobRow{State: rivertype.JobStateCompleted})
	p.draw()
	second := out.String()
	if !strings.HasPrefix(second, "\x1b[4A") {
		t.Errorf("second drawing: got prefix %q, want the cursor moved up over the 4 lines drawn", second[:min(len(second), 8)])
	}
	if got := rowFields(second, "dhs-notices"); strings.Join(got, " ") != "dhs-notices done 2 2 1 4" {
		t.Errorf("second drawing: got row %q, want dhs-notices done 2 2 1 4", got)
	}
	out.Reset()
	io.WriteString(p, "ALERT a-17 AO Kaspersky Lab\n")
	if got, want := out.String(), "\x1b[4A\x1b[JALERT a-17 AO Kaspersky Lab\n"; got != want {
		t.Errorf("console text during the drawing: got %q, want the table erased, then the text", got)
	}
	out.Reset()
	p.draw()
	if strings.HasPrefix(out.String(), "\x1b[4A") {
		t.Errorf("drawing after console text moves up over it: %q", out.String()[:8])
	}
	if got := p.raisedCount(); got != 1 {
		t.Errorf("raised: got %d alerts, want 1", got)
	}
}

func TestProgressIsSilentWithoutATerminal(t *testing.T) {
	t.Parallel()
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Fatalf("a regular file is taken for a terminal")
	}
	var out bytes.Buffer
	if isTerminal(&out) {
		t.Fatalf("a buffer is taken for a terminal")
	}
	p := newProgress(&out, []adwatch.Source{{Name: "dhs-notices"}}, false)
	p.fetched("dhs-notices", 10, 0, false)
	p.draw()
	p.stop()
	if out.Len() != 0 {
		t.Errorf("without a terminal: got %q, want nothing drawn", out.String())
	}
}

// rowFields returns the columns of the drawn line about source.
func rowFields(drawing, source string) []string {
	for _, line := range strings.Split(drawing, "\n") {
		line = strings.TrimPrefix(line, "\x1b[2K")
		if strings.HasPrefix(line, source+" ") {
			return strings.Fields(line)
		}
	}
	return nil
}
