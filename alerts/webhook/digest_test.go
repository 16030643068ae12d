package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"adwatch"
	"adwatch/alerts"
	"adwatch/alerts/internal/alerttest"
	"adwatch/alerts/webhook"
)

func TestSendDigestPostsGroupedPayload(t *testing.T) {
	t.Parallel()
	var got webhook.DigestPayload
	var key string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		key = r.Header.Get("Idempotency-Key")
		if err := json.Unmarshal(body, &got); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}))
	t.Cleanup(srv.Close)
	n := webhook.New(srv.URL+"/hook/s3cret", srv.Client(), alerts.Links{BaseURL: "http://127.0.0.1:8080"})
	d := alerts.NewDigest("webhook", "2024-03-02T07:00:00Z", []adwatch.Alert{alerttest.DHS(), alerttest.FCC()})
	if err := n.SendDigest(context.Background(), d); err != nil {
		t.Fatal(err)
	}
	if got.Event != webhook.DigestEvent || len(got.Groups) != 2 || got.Groups[0].AdvertiserID != "a-17" ||
		len(got.Groups[0].Alerts) != 1 || got.Groups[0].Alerts[0].Document.AdwatchURL != "http://127.0.0.1:8080/documents/5" {
		t.Errorf("payload: %+v", got)
	}
	if want := "adwatch-digest-webhook-2024-03-02T07:00:00Z"; key != want {
		t.Errorf("Idempotency-Key = %q, want %q", key, want)
	}
}
