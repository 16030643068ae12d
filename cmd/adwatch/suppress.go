package main

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"adwatch"
	"adwatch/extract/names"
	"adwatch/store"
)

// withSuppressions applies the analysts' suppressions (dismissals that said
// "not this alias from this source" or "not in this phrase") to a matcher,
// so the same false alarm does not come back with the next crawl.
func (a *app) withSuppressions(ctx context.Context, m *names.Matcher) (*names.Matcher, error) {
	rules, err := a.db.Suppressions(ctx)
	if err != nil {
		return nil, fmt.Errorf("load suppressions: %w", err)
	}
	if len(rules) == 0 {
		return m, nil
	}
	s := make([]names.Suppression, len(rules))
	for i, r := range rules {
		s[i] = names.Suppression{AdvertiserID: r.AdvertiserID, Alias: r.Alias, Source: r.Source, Phrase: r.Phrase}
	}
	return m.WithSuppressions(s), nil
}

// phraseWords is how many words on each side of the alias make a phrase.
const phraseWords = 3

// phraseAround is the alias with up to three words on each side, as the
// snippet has it (spaces collapsed): specific enough to stop this false
// alarm, not every mention of the alias. "" when the snippet does not
// contain the alias.
func phraseAround(snippet, alias string) string {
	alias = strings.TrimSpace(alias)
	if alias == "" {
		return ""
	}
	i := strings.Index(strings.ToLower(snippet), strings.ToLower(alias))
	if i < 0 || len(strings.ToLower(snippet)) != len(snippet) {
		return ""
	}
	from, to := i, i+len(alias)
	// Walk out word by word: a word ends at a space.
	for n := 0; n < phraseWords; n++ {
		j := strings.LastIndexFunc(strings.TrimRightFunc(snippet[:from], unicode.IsSpace), unicode.IsSpace)
		if strings.TrimSpace(snippet[:from]) == "" {
			break
		}
		from = j + 1
	}
	for n := 0; n < phraseWords; n++ {
		rest := snippet[to:]
		trimmed := strings.TrimLeftFunc(rest, unicode.IsSpace)
		if trimmed == "" {
			break
		}
		k := strings.IndexFunc(trimmed, unicode.IsSpace)
		if k < 0 {
			k = len(trimmed)
		}
		to += len(rest) - len(trimmed) + k
	}
	words := strings.Fields(snippet[from:to])
	for len(words) > 0 && strings.Trim(words[0], "….,;:") == "" {
		words = words[1:]
	}
	for len(words) > 0 && strings.Trim(words[len(words)-1], "….,;:") == "" {
		words = words[:len(words)-1]
	}
	return strings.Join(words, " ")
}

// suppressionFor builds the rule a dismissal asks for: the alert's alias
// from its source, or in a phrase (given, else taken from the snippet).
func suppressionFor(a adwatch.Alert, kind, phrase, reason, who string) (store.Suppression, error) {
	rule := store.Suppression{AdvertiserID: a.AdvertiserID, Alias: a.Alias, Reason: reason, CreatedBy: who}
	switch kind {
	case "source":
		rule.Source = a.Source
	case "phrase":
		rule.Phrase = strings.TrimSpace(phrase)
		if rule.Phrase == "" {
			rule.Phrase = phraseAround(a.Snippet, a.Alias)
		}
		if rule.Phrase == "" {
			return rule, fmt.Errorf("the snippet of alert %d does not contain %q: give the phrase with --phrase", a.ID, a.Alias)
		}
	default:
		return rule, fmt.Errorf("--suppress must be source or phrase, not %q", kind)
	}
	return rule, nil
}
