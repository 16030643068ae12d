package extract

import (
	"sort"

	"adwatch"
	"adwatch/extract/names"
)

// merger joins the mentions found chunk by chunk in a streamed text. A
// mention is counted by the chunk that owns its start offset, so the overlap
// between chunks is not counted twice.
type merger struct {
	order     []string          // normalised keys in first-seen order
	display   map[string]string // key → longest spelling seen
	companies map[string]int    // key → mentions
	matches   map[string]adwatch.Match
	matchIDs  []string
	spans     []adwatch.Span
}

func (m *merger) add(companies []adwatch.Company, matches []adwatch.Match, spans []adwatch.Span, base, ownFrom, ownTo int, keepSpans bool) {
	if m.companies == nil {
		m.companies, m.display, m.matches = map[string]int{}, map[string]string{}, map[string]adwatch.Match{}
	}
	owned := map[string]int{}
	seen := map[string]bool{}
	for _, s := range spans {
		seen[s.Name] = true
		g := s.Start + base
		if g < ownFrom || g >= ownTo {
			continue
		}
		owned[s.Name]++
		if keepSpans {
			m.spans = append(m.spans, adwatch.Span{Start: g, End: s.End + base, Name: s.Name})
		}
	}
	for _, c := range companies {
		n := c.Mentions
		if seen[c.Name] {
			n = owned[c.Name]
		}
		// Chunks spell one company differently ("Nestlé S.A." in one,
		// "NESTLE S.A." in the next): they are one entry.
		key := names.Normalize(c.Name)
		if _, ok := m.companies[key]; !ok {
			if n == 0 {
				continue
			}
			m.order = append(m.order, key)
		}
		if len(c.Name) > len(m.display[key]) {
			m.display[key] = c.Name
		}
		m.companies[key] += n
	}
	for _, x := range matches {
		if x.Start >= 0 { // -1: the evidence is in the title, not the text
			x.Start += base
			x.End += base
		}
		prev, ok := m.matches[x.AdvertiserID]
		if !ok {
			m.matchIDs = append(m.matchIDs, x.AdvertiserID)
			m.matches[x.AdvertiserID] = x
			continue
		}
		total := prev.Mentions + x.Mentions
		if x.Score > prev.Score {
			prev = x
		}
		prev.Mentions = total
		m.matches[x.AdvertiserID] = prev
	}
}

func (m *merger) result() ([]adwatch.Company, []adwatch.Match, []adwatch.Span) {
	companies := make([]adwatch.Company, 0, len(m.order))
	for _, key := range m.order {
		companies = append(companies, adwatch.Company{Name: m.display[key], Mentions: m.companies[key]})
	}
	sort.SliceStable(companies, func(i, j int) bool { return companies[i].Mentions > companies[j].Mentions })
	matches := make([]adwatch.Match, 0, len(m.matchIDs))
	for _, id := range m.matchIDs {
		matches = append(matches, m.matches[id])
	}
	return companies, matches, m.spans
}
