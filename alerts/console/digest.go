package console

import (
	"context"
	"fmt"
	"io"
	"strings"

	"adwatch/alerts"
)

// SendDigest implements alerts.DigestNotifier: a heading, then per
// advertiser one line per alert.
func (n *Notifier) SendDigest(ctx context.Context, d alerts.Digest) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "DIGEST %s  %s\n", clean(d.Period), clean(d.Title()))
	for _, g := range d.Groups {
		fmt.Fprintf(&b, "  %s (%s): %d\n", clean(g.Advertiser), clean(g.AdvertiserID), len(g.Alerts))
		for _, a := range g.Alerts {
			fmt.Fprintf(&b, "    #%d %s  %s  [%s, score %.2f]\n", a.ID, clean(a.Title), clean(a.DocumentURL), clean(a.Source), a.Score)
		}
	}
	b.WriteString("\n")
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, b.String()); err != nil {
		return fmt.Errorf("console: write digest: %w", err)
	}
	return nil
}
