package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"adwatch"
	"adwatch/store"
)

func cmdSearch(ctx context.Context, e *env, args []string) error {
	f := newFlags("search", `search [--kind government|press] [--source NAME] [--advertiser ID] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N] [--cursor C] [--json] QUERY`, e, true)
	kind := f.String("kind", "", "government or press")
	source := f.String("source", "", "only this source")
	advertiser := f.String("advertiser", "", "documents that named this advertiser (id or name)")
	company := f.String("company", "", "documents naming this company (spelling forgiven)")
	from := f.String("from", "", "published on or after (YYYY-MM-DD)")
	to := f.String("to", "", "published on or before (YYYY-MM-DD)")
	limit := f.Int("limit", 20, "results per page (max 100)")
	cursor := f.String("cursor", "", "continue after this cursor (printed with --json)")
	if err := f.parse(args); err != nil {
		return err
	}
	q := store.SearchQuery{Q: strings.Join(f.Args(), " "), Kind: adwatch.Kind(*kind), Source: *source,
		Advertiser: *advertiser, Company: *company, Limit: *limit, Cursor: *cursor}
	if q.Kind != "" && !q.Kind.Valid() {
		return usageError("--kind must be government or press")
	}
	var err error
	if q.From, err = parseDay(*from, false); err != nil {
		return usageError("--from: %v", err)
	}
	if q.To, err = parseDay(*to, true); err != nil {
		return usageError("--to: %v", err)
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	res, err := a.db.Search(ctx, q)
	if errors.Is(err, adwatch.ErrInvalid) {
		return usageError("search: %v", err)
	}
	if err != nil {
		return failed(fmt.Errorf("search: %w", err))
	}
	if f.wantJSON() {
		for _, h := range res.Results {
			if err := jsonLine(e.stdout, h); err != nil {
				return err
			}
		}
		if res.NextCursor != "" {
			return jsonLine(e.stdout, map[string]string{"next_cursor": res.NextCursor})
		}
		return nil
	}
	if len(res.Results) == 0 {
		fmt.Fprintln(e.stdout, "no documents found")
		return nil
	}
	t := newTable(e.stdout, "ID", "DATE", "KIND", "SOURCE", "TITLE", "ADVERTISERS")
	for _, h := range res.Results {
		t.row(fmt.Sprint(h.ID), fmtDate(h.PublishedAt), string(h.Kind), h.Source, clip(h.Title, 70), clip(strings.Join(h.Advertisers, ", "), 40))
	}
	t.flush()
	if res.NextCursor != "" {
		fmt.Fprintf(e.stdout, "more: --cursor %s\n", res.NextCursor)
	}
	return nil
}

// parseDay reads YYYY-MM-DD; an end date includes its whole day.
func parseDay(s string, end bool) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want YYYY-MM-DD, got %q", s)
	}
	if end {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}
