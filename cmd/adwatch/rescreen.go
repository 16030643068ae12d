package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"adwatch"
	"adwatch/extract/names"
)

// rescreenPage is how many candidate documents one query returns.
const rescreenPage = 200

// RescreenArgs asks to screen advertisers (CSV ids) against the archive.
// The job is unique by a hash of the sorted ids, so importing the same file
// twice while the first re-screen is pending or running enqueues one job.
type RescreenArgs struct {
	Key         string   `json:"key" river:"unique"`
	Advertisers []string `json:"advertisers"`
}

// Kind implements river.JobArgs.
func (RescreenArgs) Kind() string { return "rescreen_advertisers" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (RescreenArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: alertsQueue, MaxAttempts: 5, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func newRescreenArgs(ids []string) RescreenArgs {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	sum := sha256.Sum256([]byte(strings.Join(ids, "\n")))
	return RescreenArgs{Key: hex.EncodeToString(sum[:12]), Advertisers: ids}
}

// rescreenWorker screens new or re-activated advertisers against the
// archive of the last alerts.rescreen_days: the full-text index picks the
// documents naming them, the matcher judges each, and alerts are raised
// marked as re-screen findings and delivered like any other.
type rescreenWorker struct {
	river.WorkerDefaults[RescreenArgs]
	a *app
}

// Timeout implements river.Worker: a large archive takes a while. A job
// whose process died is rescued only after this, and meanwhile `run` waits
// for it (up to --deliver-timeout): keep it moderate.
func (w *rescreenWorker) Timeout(*river.Job[RescreenArgs]) time.Duration { return 10 * time.Minute }

// Work is idempotent: a retry re-screens from the start, and the store
// raises each (advertiser, document) alert at most once.
func (w *rescreenWorker) Work(ctx context.Context, job *river.Job[RescreenArgs]) error {
	a := w.a
	want := map[string]bool{}
	for _, id := range job.Args.Advertisers {
		want[id] = true
	}
	active, err := a.db.Advertisers(ctx, true)
	if err != nil {
		return fmt.Errorf("re-screen: %w", err)
	}
	var ads []adwatch.Advertiser
	var terms []string
	for _, ad := range active {
		if want[ad.ID] {
			ads = append(ads, ad)
			terms = append(terms, ad.Name)
			terms = append(terms, ad.Aliases...)
		}
	}
	if len(ads) == 0 {
		return nil // deactivated or removed since the import
	}
	m, err := names.NewMatcher(ads)
	if err != nil {
		return river.JobCancel(fmt.Errorf("re-screen: build matcher: %w", err))
	}
	if m, err = a.withSuppressions(ctx, m); err != nil {
		return fmt.Errorf("re-screen: %w", err)
	}
	client, err := river.ClientFromContextSafely[*sql.Tx](ctx)
	if err != nil {
		return fmt.Errorf("re-screen: %w", err)
	}
	channels := a.cfg.Channels()
	hook := enqueueHook(client, channels)
	since := time.Now().AddDate(0, 0, -int(a.cfg.Alerts.RescreenDays))
	var after int64
	screened, raised := 0, 0
	for {
		docs, err := a.db.RescreenCandidatesSince(ctx, terms, since, after, rescreenPage)
		if err != nil {
			return fmt.Errorf("re-screen: %w", err)
		}
		for _, d := range docs {
			after = d.ID
			screened++
			ms := m.Match(names.Doc{Title: d.Title, Text: d.Text, Kind: d.Kind, Source: d.Source})
			if len(ms) == 0 {
				continue
			}
			created, err := a.db.SaveRescreen(ctx, d.ID, ms, channels, hook)
			if err != nil {
				return fmt.Errorf("re-screen: %w", err)
			}
			raised += len(created)
		}
		if len(docs) < rescreenPage {
			break
		}
	}
	a.e.logger.InfoContext(ctx, "re-screen done", slog.Int("advertisers", len(ads)),
		slog.Int("documents_screened", screened), slog.Int("alerts", raised), slog.Int("days", int(a.cfg.Alerts.RescreenDays)))
	return nil
}

// newlyScreenable lists the advertisers of after that need screening
// against the archive: new ones, re-activated ones, and active ones whose
// name or aliases changed.
func newlyScreenable(before, after []adwatch.Advertiser) []string {
	old := make(map[string]adwatch.Advertiser, len(before))
	for _, ad := range before {
		old[ad.ID] = ad
	}
	var ids []string
	for _, ad := range after {
		if !ad.Active {
			continue
		}
		prev, ok := old[ad.ID]
		if !ok || !prev.Active || prev.Name != ad.Name || !slices.Equal(prev.Aliases, ad.Aliases) {
			ids = append(ids, ad.ID)
		}
	}
	return ids
}

// rescreenChanged queues a re-screen of the advertisers that are new,
// re-activated or renamed since before (the list read before an import or
// an activation): a new advertiser named in a notice last spring is news on
// day one. It returns how many advertisers were queued (0 when none changed
// or the same re-screen is already waiting). The web import and activation
// call it the same way as the CLI.
func (a *app) rescreenChanged(ctx context.Context, before []adwatch.Advertiser) (int, error) {
	after, err := a.db.Advertisers(ctx, false)
	if err != nil {
		return 0, err
	}
	ids := newlyScreenable(before, after)
	if len(ids) == 0 {
		return 0, nil
	}
	// The first import into an empty archive has nothing to screen; a job
	// would only keep the first `run` waiting for it.
	if n, err := a.db.DocumentCount(ctx); err != nil || n == 0 {
		return 0, err
	}
	queued, err := a.enqueueRescreen(ctx, ids)
	if err != nil || !queued {
		return 0, err
	}
	return len(ids), nil
}

// enqueueRescreen inserts a re-screen job for ids (nothing when empty). It
// reports false when the same re-screen is already waiting or running.
func (a *app) enqueueRescreen(ctx context.Context, ids []string) (bool, error) {
	if len(ids) == 0 {
		return false, nil
	}
	client, err := a.insertClient()
	if err != nil {
		return false, fmt.Errorf("job client: %w", err)
	}
	res, err := client.Insert(ctx, newRescreenArgs(ids), nil)
	if err != nil {
		return false, fmt.Errorf("enqueue re-screen of %d advertisers: %w", len(ids), err)
	}
	return !res.UniqueSkippedAsDuplicate, nil
}

// rescreenAfterWeb is the web UI's hook after an import, an activation or an
// alias edit: the same re-screen the CLI import queues.
func (a *app) rescreenAfterWeb(ctx context.Context, before []adwatch.Advertiser) error {
	n, err := a.rescreenChanged(ctx, before)
	if err != nil {
		return fmt.Errorf("re-screen: %w", err)
	}
	if n > 0 {
		a.e.logger.InfoContext(ctx, "re-screen queued after a change in the web UI", "advertisers", n)
	}
	return nil
}
