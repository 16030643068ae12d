package console

import (
	"context"
	"fmt"
	"io"

	"adwatch/alerts"
)

// SendNotice implements alerts.NoticeNotifier.
func (n *Notifier) SendNotice(ctx context.Context, x alerts.Notice) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	msg := fmt.Sprintf("NOTICE %s\n  %s\n\n", clean(x.Subject), clean(x.Text))
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, msg); err != nil {
		return fmt.Errorf("console: write notice: %w", err)
	}
	return nil
}
