package slack

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"adwatch"
	"adwatch/alerts"
)

// Slack's documented Block Kit limits (block reference pages, 2024).
const (
	MaxBlocks        = 50
	MaxSectionText   = 3000
	MaxHeaderText    = 150
	MaxButtonText    = 75
	MaxButtonURL     = 3000
	MaxContextText   = 3000 // per element
	MaxFallbackText  = 3000 // Slack truncates "text" much later; keep it short
	maxTitleRunes    = 200
	maxLinkedURL     = 1500 // longer document URLs are shown without a link
	maxReasonsInLine = 10
)

// Message is an incoming-webhook payload.
type Message struct {
	Text        string  `json:"text"` // fallback for notifications and old clients
	Blocks      []Block `json:"blocks"`
	UnfurlLinks bool    `json:"unfurl_links"`
	UnfurlMedia bool    `json:"unfurl_media"`
}

// Block is one layout block; only the fields its Type uses are set.
type Block struct {
	Type     string    `json:"type"` // header, section, context, actions, divider
	Text     *Text     `json:"text,omitempty"`
	Elements []Element `json:"elements,omitempty"`
}

// Text is a composition text object.
type Text struct {
	Type  string `json:"type"` // plain_text or mrkdwn
	Text  string `json:"text"`
	Emoji bool   `json:"emoji,omitempty"`
}

// Element is a context element (a text object) or an actions element (a
// button); only the fields its Type uses are set.
type Element struct {
	Type     string `json:"type"` // mrkdwn, plain_text or button
	Text     any    `json:"text"` // string for text objects, Text for buttons
	URL      string `json:"url,omitempty"`
	ActionID string `json:"action_id,omitempty"`
}

// Build makes the Block Kit message for one alert.
func Build(a adwatch.Alert, links alerts.Links) Message {
	name := oneLine(a.Advertiser)
	if name == "" {
		name = oneLine(a.AdvertiserID)
	}
	if name == "" {
		name = "Unnamed advertiser" // Slack rejects an empty header
	}
	blocks := []Block{
		{Type: "header", Text: &Text{Type: "plain_text", Text: alerts.Truncate(name, MaxHeaderText), Emoji: true}},
		{Type: "section", Text: &Text{Type: "mrkdwn", Text: describe(a)}},
	}
	if snip := Snippet(a.Snippet, a.Alias, MaxSectionText); snip != "" {
		blocks = append(blocks, Block{Type: "section", Text: &Text{Type: "mrkdwn", Text: snip}})
	}
	blocks = append(blocks, Block{Type: "context", Elements: []Element{{Type: "mrkdwn", Text: evidence(a)}}})
	if link := links.Document(a.DocumentID); link != "" && len(link) <= MaxButtonURL {
		blocks = append(blocks, Block{Type: "actions", Elements: []Element{{
			Type:     "button",
			Text:     Text{Type: "plain_text", Text: alerts.Truncate("Open in adwatch", MaxButtonText)},
			URL:      link,
			ActionID: "open_document_" + strconv.FormatInt(a.DocumentID, 10),
		}}})
	}
	fallback := alerts.Subject(a)
	if a.DocumentURL != "" {
		fallback += " " + a.DocumentURL
	}
	return Message{Text: Escape(alerts.Truncate(fallback, MaxFallbackText/5)), Blocks: blocks}
}

// describe says what the document is: kind and source, title as a link, date.
func describe(a adwatch.Alert) string {
	var b strings.Builder
	b.WriteString("*" + Escape(alerts.KindLabel(a)) + "*")
	if a.Source != "" {
		src := a.Source
		if a.Kind == adwatch.KindGovernment {
			if ag := alerts.Agency(a.Source); ag != "" {
				src = ag + " (" + a.Source + ")"
			}
		}
		b.WriteString(" · " + Escape(alerts.Truncate(src, 200)))
	}
	b.WriteString("\n")
	title := Escape(alerts.Truncate(oneLine(a.Title), maxTitleRunes))
	if title == "" {
		title = "(untitled)"
	}
	if u := linkURL(a.DocumentURL); u != "" {
		b.WriteString("*<" + u + "|" + title + ">*")
	} else {
		b.WriteString("*" + title + "*")
		if a.DocumentURL != "" {
			b.WriteString("\n" + Escape(alerts.Truncate(a.DocumentURL, 300)))
		}
	}
	b.WriteString("\n")
	if a.PublishedAt != nil {
		b.WriteString("Published " + a.PublishedAt.UTC().Format("2 Jan 2006"))
	} else {
		b.WriteString("Publication date unknown")
	}
	return b.String()
}

// evidence is the context line: score, alias and the matcher's reasons.
func evidence(a adwatch.Alert) string {
	parts := []string{fmt.Sprintf("Score %.2f", a.Score)}
	if a.Alias != "" {
		parts = append(parts, "matched “"+Escape(alerts.Truncate(oneLine(a.Alias), 100))+"”")
	}
	reasons := a.Reasons
	if len(reasons) > maxReasonsInLine {
		reasons = reasons[:maxReasonsInLine]
	}
	if len(reasons) > 0 {
		rs := make([]string, len(reasons))
		for i, r := range reasons {
			rs[i] = Escape(alerts.Truncate(oneLine(r), 120))
		}
		parts = append(parts, "reasons: "+strings.Join(rs, ", "))
	}
	parts = append(parts, "alert #"+strconv.FormatInt(a.ID, 10))
	return strings.Join(parts, " · ")
}

// linkURL returns u ready for Slack's <url|label> syntax, or "" when it is
// not an http(s) URL or too long to link.
func linkURL(u string) string {
	if !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) || len(u) > maxLinkedURL {
		return ""
	}
	// '|' and '>' end the URL part of a link; spaces break it.
	return Escape(linkEscaper.Replace(u))
}

var linkEscaper = strings.NewReplacer("|", "%7C", ">", "%3E", "<", "%3C", " ", "%20", "\n", "", "\r", "")

// Escape escapes the three characters Slack's mrkdwn gives meaning to
// (&, <, >), as Slack documents: &amp; &lt; &gt;.
func Escape(s string) string { return escaper.Replace(s) }

var escaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// escapeRune is Escape for one rune, with the escaped length in runes.
func escapeRune(r rune) (string, int) {
	switch r {
	case '&':
		return "&amp;", 5
	case '<':
		return "&lt;", 4
	case '>':
		return "&gt;", 4
	}
	return string(r), 1
}

// Snippet renders a snippet as mrkdwn with the alias in bold, escaped, and
// at most max runes long. It cuts between escaped characters and closes a
// bold run it cut, so the result is always well-formed.
func Snippet(snippet, alias string, max int) string {
	var b strings.Builder
	left := max - 1 // room for the "…" that marks a cut
	cut := false
	for _, seg := range alerts.MarkAlias(snippet, alias) {
		if cut {
			break
		}
		if seg.Match {
			esc := Escape(seg.Text)
			if n := utf8.RuneCountInString(esc) + 2; n <= left {
				b.WriteString("*" + esc + "*")
				left -= n
				continue
			}
			cut = true
			break
		}
		for _, r := range seg.Text {
			esc, n := escapeRune(r)
			if n > left {
				cut = true
				break
			}
			b.WriteString(esc)
			left -= n
		}
	}
	if cut {
		return strings.TrimRight(b.String(), " ") + "…"
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
