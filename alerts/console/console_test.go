package console_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"adwatch/alerts/console"
	"adwatch/alerts/internal/alerttest"
)

func TestSendWritesReadableBlock(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	n := console.New(&buf)
	if err := n.Send(context.Background(), alerttest.DHS()); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	got := buf.String()
	for _, want := range []string{
		"ALERT #17  AO Kaspersky Lab named in DHS notice: DHS Statement on the Issuance of Binding Operational Directive 17-01\n",
		"  advertiser: AO Kaspersky Lab (a-17)\n",
		"  url:        https://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01\n",
		"  source:     dhs-notices\n",
		"  kind:       Government notice\n",
		"  published:  2017-09-13\n",
		"  score:      0.97 (alias in title; company cue: -branded products)\n",
		"identify [Kaspersky]-branded products",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\noutput:\n%s", want, got)
		}
	}
}

func TestFormatKeepsValuesOnOneLine(t *testing.T) {
	t.Parallel()
	a := alerttest.FCC()
	a.Title = "Covered List\nALERT #1 forged\x1b[31m"
	got := console.Format(a)
	if strings.Contains(got, "\x1b") || strings.Contains(got, "\nALERT #1") {
		t.Errorf("Format() lets a title forge lines or escapes:\n%q", got)
	}
}

func TestConcurrentSendsDoNotInterleave(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	n := console.New(&buf)
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = n.Send(context.Background(), alerttest.FCC())
		}()
	}
	wg.Wait()
	block := console.Format(alerttest.FCC())
	if got, want := buf.String(), strings.Repeat(block, 20); got != want {
		t.Errorf("output is not 20 whole blocks (%d bytes, want %d)", len(got), len(want))
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestSendReportsWriteError(t *testing.T) {
	t.Parallel()
	if err := console.New(failWriter{}).Send(context.Background(), alerttest.DHS()); err == nil {
		t.Error("Send() to a failing writer = nil, want an error")
	}
}
