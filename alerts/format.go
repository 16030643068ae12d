package alerts

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"adwatch"
)

// Links builds the URLs of adwatch's own pages that a message points to.
type Links struct{ BaseURL string } // e.g. http://127.0.0.1:8080

// Document is the URL of a document's page in adwatch, or "" when no base
// URL is configured (a message then simply has no such link).
func (l Links) Document(id int64) string {
	base := strings.TrimRight(l.BaseURL, "/")
	if base == "" || id <= 0 {
		return ""
	}
	return base + "/documents/" + strconv.FormatInt(id, 10)
}

// maxSubjectTitle keeps subjects readable in a mail client's list and in a
// Slack notification preview.
const maxSubjectTitle = 100

// Subject says what happened in one line, e.g.
// "Kaspersky named in DHS notice: Removal of Kaspersky-branded Products".
func Subject(a adwatch.Alert) string {
	name := strings.TrimSpace(a.Advertiser)
	if name == "" {
		name = a.AdvertiserID
	}
	title := Truncate(oneLine(a.Title), maxSubjectTitle)
	if title == "" {
		title = a.DocumentURL
	}
	var where string
	switch a.Kind {
	case adwatch.KindPress:
		where = "in press"
	default:
		where = "in notice"
		if agency := Agency(a.Source); agency != "" {
			where = "in " + agency + " notice"
		}
	}
	prefix := ""
	if a.Rescreen {
		prefix = "[re-screen] "
	}
	return oneLine(prefix + name + " named " + where + ": " + title)
}

// KindLabel says in words what kind of document raised the alert.
func KindLabel(a adwatch.Alert) string {
	var label string
	switch a.Kind {
	case adwatch.KindGovernment:
		label = "Government notice"
	case adwatch.KindPress:
		label = "Press"
	default:
		label = "Document"
	}
	if a.Rescreen {
		label += " (re-screen finding)"
	}
	return label
}

// sourceSuffixes are words source names commonly end with that say nothing
// about who published the notice ("dhs-notices" is the DHS).
var sourceSuffixes = []string{"notices", "notice", "news", "press", "releases", "rss", "feed", "atom", "html", "list"}

// Agency guesses the publishing agency's short name from a source name:
// "dhs-notices" gives "DHS", "federal-register" gives "Federal Register".
// Alerts carry the source name only, and source names are chosen by
// operators, so this is a readable label, not a fact.
func Agency(source string) string {
	parts := strings.FieldsFunc(strings.ToLower(source), func(r rune) bool {
		return r == '-' || r == '_' || r == '.' || r == ' '
	})
	for len(parts) > 1 && contains(sourceSuffixes, parts[len(parts)-1]) {
		parts = parts[:len(parts)-1]
	}
	for i, p := range parts {
		if len(p) <= 4 {
			parts[i] = strings.ToUpper(p)
			continue
		}
		r, size := utf8.DecodeRuneInString(p)
		parts[i] = string(unicode.ToUpper(r)) + p[size:]
	}
	return strings.Join(parts, " ")
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// oneLine folds all runs of white space, newlines included, to one space
// and drops control characters: subjects and headers must be a single line,
// and a hostile title must not carry terminal escapes.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Truncate shortens s to at most max runes, ending with "…" when it cut, and
// never splits a rune.
func Truncate(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max-1 {
			return strings.TrimRightFunc(s[:i], unicode.IsSpace) + "…"
		}
		n++
	}
	return s
}

// Segment is a piece of a snippet; Match is true where it is the alias.
type Segment struct {
	Text  string
	Match bool
}

// MarkAlias splits a snippet into segments so that each channel can mark the
// matched alias its own way (bold in Slack, <strong> in HTML, brackets on
// the console). Matching ignores case and respects word boundaries.
func MarkAlias(snippet, alias string) []Segment {
	snippet = oneLine(snippet)
	alias = strings.TrimSpace(alias)
	if alias == "" || snippet == "" {
		return []Segment{{Text: snippet}}
	}
	var segs []Segment
	last := 0
	for i := 0; i < len(snippet); {
		end := i + len(alias)
		if end <= len(snippet) && utf8.ValidString(snippet[i:end]) && strings.EqualFold(snippet[i:end], alias) &&
			boundaryBefore(snippet, i) && boundaryAfter(snippet, end) {
			if i > last {
				segs = append(segs, Segment{Text: snippet[last:i]})
			}
			segs = append(segs, Segment{Text: snippet[i:end], Match: true})
			last, i = end, end
			continue
		}
		_, size := utf8.DecodeRuneInString(snippet[i:])
		i += size
	}
	if last < len(snippet) {
		segs = append(segs, Segment{Text: snippet[last:]})
	}
	return segs
}

func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWord(r)
}

func boundaryAfter(s string, i int) bool {
	if i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return !isWord(r)
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
