package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"adwatch/alerts"
	"adwatch/alerts/internal/alerttest"
	"adwatch/alerts/webhook"
)

// receiver is a real HTTP endpoint recording what it was sent.
type receiver struct {
	mu      sync.Mutex
	bodies  [][]byte
	headers []http.Header
	status  []int // answered in order, then 204
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bodies = append(r.bodies, body)
	r.headers = append(r.headers, req.Header.Clone())
	if len(r.status) > 0 {
		code := r.status[0]
		r.status = r.status[1:]
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "3")
		}
		w.WriteHeader(code)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func TestSendPostsDocumentedPayload(t *testing.T) {
	t.Parallel()
	rec := &receiver{}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	n := webhook.New(srv.URL+"/hook?token=t0pSecret", srv.Client(), alerts.Links{BaseURL: "http://127.0.0.1:8080"})
	if err := n.Send(context.Background(), alerttest.DHS()); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	if len(rec.bodies) != 1 {
		t.Fatalf("received %d requests, want 1", len(rec.bodies))
	}
	if got, want := rec.headers[0].Get("Idempotency-Key"), "adwatch-alert-17"; got != want {
		t.Errorf("Idempotency-Key = %q, want %q", got, want)
	}
	if got := rec.headers[0].Get("Content-Type"); !strings.HasPrefix(got, "application/json") {
		t.Errorf("Content-Type = %q, want application/json", got)
	}
	var p map[string]any
	if err := json.Unmarshal(rec.bodies[0], &p); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	doc, _ := p["document"].(map[string]any)
	checks := map[string]any{
		"event":                 "adwatch.alert",
		"alert_id":              17.0,
		"advertiser_id":         "a-17",
		"advertiser":            "AO Kaspersky Lab",
		"owner_email":           "owner@example.com",
		"alias":                 "Kaspersky",
		"score":                 0.97,
		"subject":               "AO Kaspersky Lab named in DHS notice: DHS Statement on the Issuance of Binding Operational Directive 17-01",
		"document.url":          "https://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01",
		"document.kind":         "government",
		"document.published_at": "2017-09-13T00:00:00Z",
		"document.adwatch_url":  "http://127.0.0.1:8080/documents/5",
	}
	for key, want := range checks {
		var got any
		if k, ok := strings.CutPrefix(key, "document."); ok {
			got = doc[k]
		} else {
			got = p[key]
		}
		if got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
}

func TestSendMapsStatusAndHidesURL(t *testing.T) {
	t.Parallel()
	rec := &receiver{status: []int{500, 429, 410}}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	secret := srv.URL + "/hook?token=t0pSecret"
	n := webhook.New(secret, srv.Client(), alerts.Links{})

	err := n.Send(context.Background(), alerttest.FCC())
	if err == nil || alerts.IsPermanent(err) {
		t.Errorf("500: Send() = %v, want a retryable error", err)
	}
	err = n.Send(context.Background(), alerttest.FCC())
	if ra, ok := err.(*alerts.RetryAfterError); !ok || ra.After != 3*time.Second {
		t.Errorf("429: Send() = %#v, want RetryAfterError of 3s", err)
	}
	err = n.Send(context.Background(), alerttest.FCC())
	if !alerts.IsPermanent(err) {
		t.Errorf("410: Send() = %v, want a permanent error", err)
	}
	srv.Close()
	err = n.Send(context.Background(), alerttest.FCC())
	if err == nil || alerts.IsPermanent(err) {
		t.Errorf("refused: Send() = %v, want a retryable error", err)
	}
	if err != nil && (strings.Contains(err.Error(), "t0pSecret") || strings.Contains(err.Error(), "/hook")) {
		t.Errorf("error %q reveals the URL", err)
	}
}
