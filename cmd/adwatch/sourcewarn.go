package main

import (
	"context"
	"fmt"

	"adwatch/alerts"
)

// notifySourceWarnings tells the operators, once, about each source that
// used to list items and has listed none for several runs (a selector broke,
// a feed moved). A notice is marked delivered only after every channel took
// it, so a failed one is tried again after the next crawl, and one that was
// delivered is not repeated every night.
func (a *app) notifySourceWarnings(ctx context.Context, ns []alerts.Notifier) {
	hs, err := a.db.SourceWarningsToNotify(ctx)
	if err != nil {
		a.e.logger.Warn("source warnings", "err", err)
		return
	}
	for _, h := range hs {
		n := alerts.Notice{
			Key:     "source-warning/" + h.Name,
			Subject: fmt.Sprintf("Source %s has listed no items for %d runs", h.Name, h.EmptyRuns),
			Text: fmt.Sprintf("%s (%s, %s) used to list documents and now lists none: its page layout or feed may have changed "+
				"(check its selectors or URL). %s Last success: %s.", h.Name, h.Type, h.URL, h.Warning, fmtTime(h.LastSuccessAt)),
		}
		if err := alerts.SendNotice(ctx, ns, n); err != nil {
			a.e.logger.Warn("deliver source warning; will try again after the next crawl", "source", h.Name, "err", err)
			continue
		}
		if err := a.db.MarkSourceWarningNotified(ctx, h.Name); err != nil {
			a.e.logger.Warn("mark source warning delivered", "source", h.Name, "err", err)
		}
	}
}
