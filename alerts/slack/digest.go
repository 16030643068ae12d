package slack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"adwatch/alerts"
)

// maxDigestGroups leaves room, within Slack's 50 blocks, for the header,
// the context line and one closing section naming the advertisers that did
// not get a section of their own.
const maxDigestGroups = MaxBlocks - 3

// BuildDigest makes the Block Kit message for a digest: a section per
// advertiser listing its alerts (title linked, kind, source, date, score,
// other sources of the story), within Slack's limits.
func BuildDigest(d alerts.Digest, links alerts.Links) Message {
	title := d.Title()
	blocks := []Block{
		{Type: "header", Text: &Text{Type: "plain_text", Text: alerts.Truncate(title, MaxHeaderText)}},
		{Type: "context", Elements: []Element{{Type: "mrkdwn", Text: "Alerts routed to the " + Escape(d.Channel) +
			" digest, period " + Escape(d.Period)}}},
	}
	groups := d.Groups
	var rest []alerts.DigestGroup
	if len(groups) > maxDigestGroups {
		groups, rest = groups[:maxDigestGroups], groups[maxDigestGroups:]
	}
	for _, g := range groups {
		blocks = append(blocks, Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: digestGroup(g, links)}})
	}
	if len(rest) > 0 {
		names := make([]string, len(rest))
		for i, g := range rest {
			names[i] = fmt.Sprintf("%s (%d)", Escape(oneLine(g.Advertiser)), len(g.Alerts))
		}
		blocks = append(blocks, Block{Type: "section", Text: &Text{Type: "mrkdwn",
			Text: clipLines("*Also:* "+strings.Join(names, ", "), MaxSectionText)}})
	}
	return Message{Text: Escape(title), Blocks: blocks}
}

// digestGroup is one advertiser's section: a bold name, then one line per
// alert, cut (at a line) to the section limit.
func digestGroup(g alerts.DigestGroup, links alerts.Links) string {
	name := oneLine(g.Advertiser)
	if name == "" {
		name = g.AdvertiserID
	}
	lines := []string{fmt.Sprintf("*%s* (%s) · %d", Escape(alerts.Truncate(name, 150)), Escape(alerts.Truncate(g.AdvertiserID, 60)), len(g.Alerts))}
	for _, a := range g.Alerts {
		title := Escape(alerts.Truncate(oneLine(a.Title), 120))
		if title == "" {
			title = "(untitled)"
		}
		if u := linkURL(a.DocumentURL); u != "" {
			title = "<" + u + "|" + title + ">"
		}
		line := "• " + title + " · " + Escape(alerts.KindLabel(a)) + " · " + Escape(a.Source)
		if a.PublishedAt != nil {
			line += " · " + a.PublishedAt.UTC().Format("2 Jan 2006")
		}
		line += fmt.Sprintf(" · score %.2f", a.Score)
		if n := len(a.Story); n > 1 {
			line += fmt.Sprintf(" · %d sources", n)
		}
		if l := links.Document(a.DocumentID); l != "" && len(l) <= maxLinkedURL {
			line += " · <" + linkURL(l) + "|adwatch>"
		}
		lines = append(lines, line)
	}
	return clipLines(strings.Join(lines, "\n"), MaxSectionText)
}

// clipLines cuts s to at most max runes at a line break (or, for a single
// long line, at a space), so no link or escape is cut in half.
func clipLines(s string, max int) string {
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	more := "\n…"
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if utf8.RuneCountInString(b.String())+utf8.RuneCountInString(line)+1+len(more) > max {
			break
		}
		if b.Len() > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(line)
	}
	if b.Len() == 0 { // one very long line: plain text is safe to cut at a space
		plain := alerts.Truncate(strings.NewReplacer("<", "", ">", "", "|", " ").Replace(s), max-1)
		return plain
	}
	return b.String() + more
}

// SendDigest implements alerts.DigestNotifier.
func (n *Notifier) SendDigest(ctx context.Context, d alerts.Digest) error {
	body, err := json.Marshal(BuildDigest(d, n.links))
	if err != nil {
		return alerts.Permanent(fmt.Errorf("slack webhook: encode digest: %w", err))
	}
	return alerts.PostJSON(ctx, n.client, "slack webhook", n.webhookURL, body, http.Header{"User-Agent": {"adwatch/1.0"}})
}
