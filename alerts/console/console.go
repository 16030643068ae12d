// Package console writes alerts as readable blocks of text to a writer
// (standard output or the log). It is always on, so an operator sees every
// alert even when no other channel is configured.
//
// It must not fail a delivery for anything but a write error.
package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"adwatch"
	"adwatch/alerts"
)

// Channel is this notifier's channel name in delivery jobs and config.
const Channel = "console"

// Notifier writes one block per alert to w; blocks from concurrent
// deliveries never interleave.
type Notifier struct {
	mu sync.Mutex
	w  io.Writer
}

// New returns a Notifier writing to w.
func New(w io.Writer) *Notifier { return &Notifier{w: w} }

// Channel implements alerts.Notifier.
func (n *Notifier) Channel() string { return Channel }

// Send writes the alert.
func (n *Notifier) Send(ctx context.Context, a adwatch.Alert) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	text := Format(a)
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := io.WriteString(n.w, text); err != nil {
		return fmt.Errorf("console: write alert %d: %w", a.ID, err)
	}
	return nil
}

// Format renders one alert as a block of labelled lines ending in a blank
// line. The matched alias is shown in [brackets] in the snippet.
func Format(a adwatch.Alert) string {
	var b strings.Builder
	fmt.Fprintf(&b, "ALERT #%d  %s\n", a.ID, clean(alerts.Subject(a)))
	line := func(label, value string) {
		if value != "" {
			fmt.Fprintf(&b, "  %-11s %s\n", label+":", clean(value))
		}
	}
	adv := a.Advertiser
	if a.AdvertiserID != "" {
		adv += " (" + a.AdvertiserID + ")"
	}
	line("advertiser", adv)
	line("title", a.Title)
	line("url", a.DocumentURL)
	line("source", a.Source)
	line("kind", alerts.KindLabel(a))
	if a.PublishedAt != nil {
		line("published", a.PublishedAt.UTC().Format("2006-01-02"))
	}
	score := fmt.Sprintf("%.2f", a.Score)
	if len(a.Reasons) > 0 {
		score += " (" + strings.Join(a.Reasons, "; ") + ")"
	}
	line("score", score)
	var snip strings.Builder
	for _, seg := range alerts.MarkAlias(a.Snippet, a.Alias) {
		if seg.Match {
			snip.WriteString("[" + seg.Text + "]")
		} else {
			snip.WriteString(seg.Text)
		}
	}
	line("snippet", snip.String())
	b.WriteString("\n")
	return b.String()
}

// clean keeps one value on one line and drops control characters, so a
// hostile title cannot forge extra lines or terminal escapes.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
