// Package slack delivers alerts to a Slack incoming webhook as Block Kit
// messages, within Slack's documented limits, with a plain-text fallback.
//
// It must not log or return the webhook URL: the URL is the credential.
// It sends only what the delivery worker hands it; it never retries by
// itself (the worker owns retries, so a crash cannot lose or double one).
package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"adwatch"
	"adwatch/alerts"
)

// Channel is this notifier's channel name in delivery jobs and config.
const Channel = "slack"

// Notifier posts alerts to one Slack incoming webhook.
type Notifier struct {
	webhookURL string
	client     *http.Client
	links      alerts.Links
}

// New returns a Notifier for webhookURL. client may be nil (a client with
// alerts.DefaultHTTPTimeout is used).
func New(webhookURL string, client *http.Client, links alerts.Links) *Notifier {
	if client == nil {
		client = &http.Client{Timeout: alerts.DefaultHTTPTimeout}
	}
	return &Notifier{webhookURL: webhookURL, client: client, links: links}
}

// Channel implements alerts.Notifier.
func (n *Notifier) Channel() string { return Channel }

// Send posts one alert. A 429 gives an *alerts.RetryAfterError, 5xx a
// retryable error, other 4xx an alerts.Permanent error.
func (n *Notifier) Send(ctx context.Context, a adwatch.Alert) error {
	body, err := json.Marshal(Build(a, n.links))
	if err != nil {
		return alerts.Permanent(fmt.Errorf("slack webhook: encode message: %w", err))
	}
	h := http.Header{"User-Agent": {"adwatch/1.0"}}
	return alerts.PostJSON(ctx, n.client, "slack webhook", n.webhookURL, body, h)
}
