package extract

import (
	"regexp"
	"strings"
	"time"
)

// readPlain reads a plain-text document: the text as it is (cleaned), the
// first line as its title, a date on its own near the top as its date.
func readPlain(body []byte) doc {
	text := cleanPlain(decodeText(body))
	return doc{Title: firstLine(text), Text: text, Published: leadingDate(text)}
}

// readMarkdown reads markdown: front matter gives title and date and is not
// text; link and image syntax is reduced to its words; the first heading is
// the title.
func readMarkdown(body []byte) doc {
	src := decodeText(body)
	fm, rest := splitFrontMatter(src)
	text := cleanPlain(markdownToText(rest))
	d := doc{Text: text}
	d.Title = unquote(fm["title"])
	if d.Title == "" {
		d.Title = markdownTitle(rest)
	}
	if d.Title == "" {
		d.Title = firstLine(text)
	}
	for _, k := range []string{"date", "published", "publication_date"} {
		if d.Published = parseDate(unquote(fm[k])); d.Published != nil {
			break
		}
	}
	if d.Published == nil {
		d.Published = leadingDate(text)
	}
	d.Canonical = absURL(unquote(fm["canonical_url"]), "")
	if d.Canonical == "" {
		d.Canonical = absURL(unquote(fm["redirect_to"]), "")
	}
	return d
}

// splitFrontMatter separates a leading YAML block (--- … ---) and reads its
// top-level scalar keys; nested values are ignored.
func splitFrontMatter(s string) (map[string]string, string) {
	fm := map[string]string{}
	if !strings.HasPrefix(s, "---\n") && !strings.HasPrefix(s, "---\r\n") {
		return fm, s
	}
	rest := s[strings.IndexByte(s, '\n')+1:]
	end := -1
	for off := 0; off < len(rest); {
		nl := strings.IndexByte(rest[off:], '\n')
		line := rest[off:]
		if nl >= 0 {
			line = rest[off : off+nl]
		}
		if t := strings.TrimRight(line, "\r \t"); t == "---" || t == "..." {
			end = off
			break
		}
		if k, v, ok := strings.Cut(line, ":"); ok && k != "" && k[0] != ' ' && k[0] != '\t' && k[0] != '-' {
			fm[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
		}
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	if end < 0 {
		return map[string]string{}, s
	}
	after := rest[end:]
	if nl := strings.IndexByte(after, '\n'); nl >= 0 {
		return fm, after[nl+1:]
	}
	return fm, ""
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	return s
}

var (
	mdImage     = regexp.MustCompile(`!\[([^\]\n]*)\]\([^)\n]*\)`)
	mdLink      = regexp.MustCompile(`\[([^\]\n]+)\]\([^)\n]*\)`)
	mdRefLink   = regexp.MustCompile(`\[([^\]\n]+)\]\[[^\]\n]*\]`)
	mdRefDef    = regexp.MustCompile(`(?m)^ {0,3}\[[^\]\n]+\]:\s+\S+.*$`)
	mdAutolink  = regexp.MustCompile(`<((?:https?|mailto):[^>\s]+)>`)
	mdHeading   = regexp.MustCompile(`(?m)^ {0,3}#{1,6}[ \t]+(.*?)[ \t#]*$`)
	mdEmphasis  = regexp.MustCompile(`(\*\*|__)([^*_\n]+)(\*\*|__)`)
	mdEmphasis1 = regexp.MustCompile(`(^|[\s(“"])[*_]([^*_\n]+)[*_]`)
	mdBullet    = regexp.MustCompile(`(?m)^([ \t]*)[*+-][ \t]+`)
	mdHTMLTag   = regexp.MustCompile(`</?[A-Za-z][^>\n]*>`)
)

// markdownToText keeps the words of markdown and drops its syntax. It works
// line by line, so it can be applied to a stream cut at line breaks.
func markdownToText(s string) string {
	s = mdRefDef.ReplaceAllString(s, "")
	s = mdImage.ReplaceAllString(s, "$1")
	s = mdLink.ReplaceAllString(s, "$1")
	s = mdRefLink.ReplaceAllString(s, "$1")
	s = mdAutolink.ReplaceAllString(s, "$1")
	s = mdHeading.ReplaceAllString(s, "$1")
	s = mdEmphasis.ReplaceAllString(s, "$2")
	s = mdEmphasis1.ReplaceAllString(s, "$1$2")
	s = mdBullet.ReplaceAllString(s, "$1")
	s = mdHTMLTag.ReplaceAllString(s, "")
	return s
}

func markdownTitle(s string) string {
	if m := mdHeading.FindStringSubmatch(s); m != nil {
		return cleanLine(markdownToText(m[1]))
	}
	return ""
}

// firstLine is the first non-empty line, cut to a title's length.
func firstLine(text string) string {
	for line := range strings.SplitSeq(text, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			if r := []rune(line); len(r) > 200 {
				line = string(r[:200])
			}
			return line
		}
	}
	return ""
}

// leadingDate finds a date standing alone on one of the first lines, as
// notices and directives print it under their heading.
func leadingDate(text string) *time.Time {
	n := 0
	for line := range strings.SplitSeq(text[:min(len(text), 2048)], "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if n++; n > 5 {
			break
		}
		if len(line) <= 40 && strings.ContainsAny(line, "0123456789") {
			if t := parseDate(strings.TrimPrefix(strings.TrimPrefix(line, "Date:"), "Dated:")); t != nil {
				return t
			}
		}
	}
	return nil
}
