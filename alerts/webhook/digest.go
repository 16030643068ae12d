package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"adwatch/alerts"
)

// DigestEvent names a digest payload.
const DigestEvent = "adwatch.digest"

// DigestPayload is the JSON body of a digest: the alerts in the same shape
// as single alert payloads, grouped by advertiser.
type DigestPayload struct {
	Event   string        `json:"event"` // "adwatch.digest"
	Channel string        `json:"channel"`
	Period  string        `json:"period"`
	Title   string        `json:"title"`
	Groups  []DigestGroup `json:"groups"`
}

// DigestGroup is one advertiser's alerts in a digest payload.
type DigestGroup struct {
	AdvertiserID string    `json:"advertiser_id"`
	Advertiser   string    `json:"advertiser"`
	Alerts       []Payload `json:"alerts"`
}

// SendDigest implements alerts.DigestNotifier.
func (n *Notifier) SendDigest(ctx context.Context, d alerts.Digest) error {
	p := DigestPayload{Event: DigestEvent, Channel: d.Channel, Period: d.Period, Title: d.Title(), Groups: []DigestGroup{}}
	for _, g := range d.Groups {
		dg := DigestGroup{AdvertiserID: g.AdvertiserID, Advertiser: g.Advertiser}
		for _, a := range g.Alerts {
			dg.Alerts = append(dg.Alerts, NewPayload(a, n.links))
		}
		p.Groups = append(p.Groups, dg)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return alerts.Permanent(fmt.Errorf("webhook: encode digest: %w", err))
	}
	h := http.Header{"User-Agent": {"adwatch/1.0"}, "Idempotency-Key": {"adwatch-digest-" + d.Channel + "-" + d.Period}}
	return alerts.PostJSON(ctx, n.client, "webhook", n.url, body, h)
}
