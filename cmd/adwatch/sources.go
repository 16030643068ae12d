package main

import (
	"context"
	"fmt"
)

func cmdSources(ctx context.Context, e *env, args []string) error {
	f := newFlags("sources", "sources [--json]", e, true)
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.db.SyncSources(ctx, a.cfg.Sources); err != nil {
		return failed(fmt.Errorf("sync sources: %w", err))
	}
	hs, err := a.db.Sources(ctx)
	if err != nil {
		return failed(fmt.Errorf("source health: %w", err))
	}
	if f.wantJSON() {
		for _, h := range hs {
			if err := jsonLine(e.stdout, h); err != nil {
				return err
			}
		}
		return nil
	}
	t := newTable(e.stdout, "SOURCE", "KIND", "TYPE", "LAST RUN", "LAST SUCCESS", "ITEMS", "NEW", "DOCS", "FAILURES", "NOTE")
	for _, h := range hs {
		note := clip(h.LastError, 50)
		if h.Warning != "" {
			note = clip(h.Warning, 70)
		}
		t.row(h.Name, string(h.Kind), h.Type, fmtTime(h.LastRunAt), fmtTime(h.LastSuccessAt), fmt.Sprint(h.ItemsSeen),
			fmt.Sprint(h.NewDocuments), fmt.Sprint(h.TotalDocuments), fmt.Sprint(h.ConsecutiveFailures), note)
	}
	t.flush()
	return nil
}
