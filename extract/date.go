package extract

import (
	"strings"
	"time"

	"github.com/itlightning/dateparse"
)

// dateLayouts are tried before the general parser because they are what
// metadata overwhelmingly uses and they parse unambiguously.
var dateLayouts = []string{
	time.RFC3339Nano, time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05",
	"2006-01-02", "January 2, 2006", "Jan 2, 2006", "Jan. 2, 2006", "2 January 2006", "January 2 2006",
	"Monday, January 2, 2006", time.RFC1123Z, time.RFC1123, time.RFC822Z, time.RFC822,
	"20060102", "2006/01/02",
}

// parseDate reads a publication date written in any of the ways pages and
// feeds write them. Dates without a zone are taken as UTC. It returns nil for
// empty or unreadable values and for years no document here can have.
func parseDate(s string) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return nil
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return plausible(t)
		}
	}
	// US government and press write month first (09/13/2017).
	t, err := parseAny(s)
	if err != nil {
		return nil
	}
	return plausible(t)
}

// parseAny guards the general parser: it must never take a document down.
func parseAny(s string) (t time.Time, err error) {
	defer func() {
		if recover() != nil {
			t, err = time.Time{}, errUnparsable
		}
	}()
	return dateparse.ParseIn(s, time.UTC, dateparse.PreferMonthFirst(true))
}

type parseError string

func (e parseError) Error() string { return string(e) }

const errUnparsable = parseError("unparsable date")

func plausible(t time.Time) *time.Time {
	if t.Year() < 1900 || t.Year() > 2200 {
		return nil
	}
	return &t
}
