package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"adwatch/alerts"
)

// NoticeEvent is the "event" of an operator notice payload.
const NoticeEvent = "adwatch.notice"

// NoticePayload is the JSON posted for an operator notice.
type NoticePayload struct {
	Event   string `json:"event"`
	Key     string `json:"key"`
	Subject string `json:"subject"`
	Text    string `json:"text"`
}

// SendNotice implements alerts.NoticeNotifier.
func (n *Notifier) SendNotice(ctx context.Context, x alerts.Notice) error {
	body, err := json.Marshal(NoticePayload{Event: NoticeEvent, Key: x.Key, Subject: x.Subject, Text: x.Text})
	if err != nil {
		return alerts.Permanent(fmt.Errorf("webhook: encode notice: %w", err))
	}
	h := http.Header{"User-Agent": {"adwatch/1.0"}, "Idempotency-Key": {"adwatch-notice-" + x.Key}}
	return alerts.PostJSON(ctx, n.client, "webhook", n.url, body, h)
}
