package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"adwatch/alerts"
)

// SendNotice implements alerts.NoticeNotifier: one section block with the
// subject in bold, and the plain fallback text Slack shows in notifications.
func (n *Notifier) SendNotice(ctx context.Context, x alerts.Notice) error {
	msg := map[string]any{
		"text": alerts.Truncate(Escape(x.Subject), 3000),
		"blocks": []any{map[string]any{
			"type": "section",
			"text": map[string]string{"type": "mrkdwn", "text": alerts.Truncate("*"+Escape(x.Subject)+"*\n"+Escape(x.Text), 3000)},
		}},
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return alerts.Permanent(fmt.Errorf("slack webhook: encode notice: %w", err))
	}
	return alerts.PostJSON(ctx, n.client, "slack webhook", n.webhookURL, body, http.Header{"User-Agent": {"adwatch/1.0"}})
}
