package console_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"adwatch"
	"adwatch/alerts"
	"adwatch/alerts/console"
	"adwatch/alerts/internal/alerttest"
)

func TestSendDigestWritesOneLinePerAlert(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	d := alerts.NewDigest("console", "2024-03-02T07:00:00Z", []adwatch.Alert{alerttest.DHS(), alerttest.FCC()})
	if err := console.New(&buf).SendDigest(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"DIGEST 2024-03-02T07:00:00Z  adwatch digest: 2 alerts for 2 advertisers",
		"  AO Kaspersky Lab (a-17): 1", "    #17 DHS Statement", "[dhs-notices, score 0.97]"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}
