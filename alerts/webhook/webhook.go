// Package webhook delivers alerts to any HTTP endpoint as one JSON object per
// alert, for tools other than Slack and email.
//
// Each delivery is a POST with Content-Type application/json and the header
// Idempotency-Key: adwatch-alert-{id} (the same on every retry, so a receiver
// can drop a repeat). The body is a Payload:
//
//	{
//	  "event": "adwatch.alert",
//	  "alert_id": 12,
//	  "advertiser_id": "a-17",            // the id from the advertisers CSV
//	  "advertiser": "AO Kaspersky Lab",
//	  "owner_email": "owner@example.com", // omitted when unknown
//	  "alias": "Kaspersky",
//	  "score": 0.97,
//	  "reasons": ["legal form", "capitalised"],
//	  "snippet": "… remove Kaspersky-branded products …",
//	  "status": "new",
//	  "rescreen": false,
//	  "created_at": "2017-09-13T18:00:00Z",
//	  "subject": "AO Kaspersky Lab named in DHS notice: …",
//	  "document": {
//	    "id": 5, "url": "https://…", "title": "…", "source": "dhs-notices",
//	    "kind": "government", "published_at": "2017-09-13T00:00:00Z",
//	    "adwatch_url": "http://127.0.0.1:8080/documents/5" // omitted without a base URL
//	  }
//	}
//
// Answers: 2xx delivered; 429 retried after Retry-After; 408 and 5xx retried
// with backoff; other 4xx stop retrying (the delivery shows as failed).
//
// The endpoint URL is treated as a secret: it never appears in errors or logs.
package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"adwatch"
	"adwatch/alerts"
)

// Channel is this notifier's channel name in delivery jobs and config.
const Channel = "webhook"

// Event names the payload kind, so one endpoint can receive several.
const Event = "adwatch.alert"

// Payload is the documented JSON body of one delivery.
type Payload struct {
	Event        string    `json:"event"`
	AlertID      int64     `json:"alert_id"`
	AdvertiserID string    `json:"advertiser_id"`
	Advertiser   string    `json:"advertiser"`
	OwnerEmail   string    `json:"owner_email,omitempty"`
	Alias        string    `json:"alias"`
	Score        float64   `json:"score"`
	Reasons      []string  `json:"reasons"`
	Snippet      string    `json:"snippet"`
	Status       string    `json:"status"`
	Rescreen     bool      `json:"rescreen"`
	CreatedAt    time.Time `json:"created_at"`
	Subject      string    `json:"subject"`
	Document     Document  `json:"document"`
}

// Document is the document that raised the alert.
type Document struct {
	ID          int64        `json:"id"`
	URL         string       `json:"url"`
	Title       string       `json:"title"`
	Source      string       `json:"source"`
	Kind        adwatch.Kind `json:"kind"`
	PublishedAt *time.Time   `json:"published_at"`
	AdwatchURL  string       `json:"adwatch_url,omitempty"`
}

// Notifier posts alerts to one endpoint.
type Notifier struct {
	url    string
	client *http.Client
	links  alerts.Links
}

// New returns a Notifier posting to endpoint. client may be nil.
func New(endpoint string, client *http.Client, links alerts.Links) *Notifier {
	if client == nil {
		client = &http.Client{Timeout: alerts.DefaultHTTPTimeout}
	}
	return &Notifier{url: endpoint, client: client, links: links}
}

// Channel implements alerts.Notifier.
func (n *Notifier) Channel() string { return Channel }

// NewPayload builds the body for one alert.
func NewPayload(a adwatch.Alert, links alerts.Links) Payload {
	reasons := a.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	return Payload{
		Event: Event, AlertID: a.ID, AdvertiserID: a.AdvertiserID, Advertiser: a.Advertiser,
		OwnerEmail: a.OwnerEmail, Alias: a.Alias, Score: a.Score, Reasons: reasons,
		Snippet: a.Snippet, Status: a.Status, Rescreen: a.Rescreen, CreatedAt: a.CreatedAt,
		Subject: alerts.Subject(a),
		Document: Document{
			ID: a.DocumentID, URL: a.DocumentURL, Title: a.Title, Source: a.Source,
			Kind: a.Kind, PublishedAt: a.PublishedAt, AdwatchURL: links.Document(a.DocumentID),
		},
	}
}

// Send posts one alert; see the package comment for how answers map.
func (n *Notifier) Send(ctx context.Context, a adwatch.Alert) error {
	body, err := json.Marshal(NewPayload(a, n.links))
	if err != nil {
		return alerts.Permanent(fmt.Errorf("webhook: encode payload: %w", err))
	}
	h := http.Header{
		"User-Agent":      {"adwatch/1.0"},
		"Idempotency-Key": {"adwatch-alert-" + strconv.FormatInt(a.ID, 10)},
	}
	return alerts.PostJSON(ctx, n.client, "webhook", n.url, body, h)
}
