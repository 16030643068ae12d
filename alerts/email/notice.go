package email

import (
	"context"
	"fmt"

	gomail "github.com/wneessen/go-mail"

	"adwatch"
	"adwatch/alerts"
)

// SendNotice implements alerts.NoticeNotifier: a plain-text message to the
// policy list (operators' notices name no advertiser owner).
func (n *Notifier) SendNotice(ctx context.Context, x alerts.Notice) error {
	m := gomail.NewMsg()
	if err := m.From(n.cfg.From); err != nil {
		return alerts.Permanent(fmt.Errorf("email: from: %w", err))
	}
	if err := m.To(n.Recipients(adwatch.Alert{})...); err != nil {
		return alerts.Permanent(fmt.Errorf("email: to: %w", err))
	}
	m.Subject("adwatch: " + x.Subject)
	m.SetDate()
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetUserAgent("adwatch/1.0")
	m.SetBodyString(gomail.TypeTextPlain, x.Text+"\n")
	client, err := gomail.NewClient(n.srv.host, n.options()...)
	if err != nil {
		return alerts.Permanent(n.redact(fmt.Errorf("email: client: %w", err)))
	}
	if err := client.DialAndSendWithContext(ctx, m); err != nil {
		return n.redact(classify(fmt.Errorf("email: send notice to %s: %w", n.srv.addr(), err)))
	}
	return nil
}
