package alerts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"adwatch/alerts"
	"adwatch/alerts/console"
	"adwatch/alerts/internal/alerttest"
	"adwatch/alerts/slack"
	"adwatch/alerts/webhook"
)

func TestSendNoticeReachesEveryChannelAndReportsFailures(t *testing.T) {
	t.Parallel()
	sl := alerttest.NewSlack(t)
	var mu sync.Mutex
	var hooks []webhook.NoticePayload
	wh := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var p webhook.NoticePayload
		b, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(b, &p); err != nil || r.Header.Get("Idempotency-Key") != "adwatch-notice-"+p.Key {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		mu.Lock()
		hooks = append(hooks, p)
		mu.Unlock()
	}))
	t.Cleanup(wh.Close)
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "oops", http.StatusInternalServerError)
	}))
	t.Cleanup(down.Close)

	var out bytes.Buffer
	ns := []alerts.Notifier{
		console.New(&out),
		slack.New(sl.URL, nil, alerts.Links{}),
		webhook.New(wh.URL, nil, alerts.Links{}),
		webhook.New(down.URL+"/secret-path", nil, alerts.Links{}),
	}
	n := alerts.Notice{Key: "source-warning/dhs-notices", Subject: "Source dhs-notices listed no items for 3 runs",
		Text: "It listed 12 items before <nothing> since; check its item_selector."}
	err := alerts.SendNotice(context.Background(), ns, n)
	if err == nil || !strings.Contains(err.Error(), "webhook") || strings.Contains(err.Error(), "secret-path") {
		t.Errorf("SendNotice error = %v, want the failing webhook named without its URL", err)
	}
	if !strings.Contains(out.String(), "NOTICE Source dhs-notices listed no items") {
		t.Errorf("console got %q", out.String())
	}
	got := sl.Accepted()
	if len(got) != 1 || !strings.Contains(got[0]["text"].(string), "dhs-notices") || !strings.Contains(fmt.Sprint(got[0]["blocks"]), "&lt;nothing&gt;") {
		t.Errorf("slack got %v (problems %v), want one escaped message", got, sl.Problems())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(hooks) != 1 || hooks[0].Event != webhook.NoticeEvent || hooks[0].Subject != n.Subject {
		t.Errorf("webhook got %+v, want the notice once", hooks)
	}
}
