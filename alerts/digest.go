package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"adwatch"
)

// DigestLimit is the most alerts one digest message carries; a channel with
// more waiting gets several messages in the same job.
const DigestLimit = 100

// Digest is one summary message: the alerts that waited for a channel's
// digest, grouped by advertiser.
type Digest struct {
	Channel string
	Period  string // the schedule tick it belongs to, e.g. 2026-11-29T07:00:00Z
	Groups  []DigestGroup
	Alerts  int // total over the groups
}

// DigestGroup is one advertiser's alerts in a digest, newest first.
type DigestGroup struct {
	AdvertiserID string
	Advertiser   string
	Alerts       []adwatch.Alert
}

// NewDigest groups alerts by advertiser: advertisers by name, each one's
// alerts newest first.
func NewDigest(channel, period string, alerts []adwatch.Alert) Digest {
	d := Digest{Channel: channel, Period: period, Alerts: len(alerts)}
	index := map[string]int{}
	for _, a := range alerts {
		i, ok := index[a.AdvertiserID]
		if !ok {
			i = len(d.Groups)
			index[a.AdvertiserID] = i
			d.Groups = append(d.Groups, DigestGroup{AdvertiserID: a.AdvertiserID, Advertiser: a.Advertiser})
		}
		d.Groups[i].Alerts = append(d.Groups[i].Alerts, a)
	}
	sort.SliceStable(d.Groups, func(i, j int) bool {
		return strings.ToLower(d.Groups[i].Advertiser) < strings.ToLower(d.Groups[j].Advertiser)
	})
	for _, g := range d.Groups {
		sort.SliceStable(g.Alerts, func(i, j int) bool { return g.Alerts[i].ID > g.Alerts[j].ID })
	}
	return d
}

// Title says what the digest holds, e.g. "adwatch digest: 7 alerts for 3
// advertisers".
func (d Digest) Title() string {
	alerts, advertisers := "alerts", "advertisers"
	if d.Alerts == 1 {
		alerts = "alert"
	}
	if len(d.Groups) == 1 {
		advertisers = "advertiser"
	}
	return fmt.Sprintf("adwatch digest: %d %s for %d %s", d.Alerts, alerts, len(d.Groups), advertisers)
}

// DigestNotifier is a channel that can send a digest as one message.
type DigestNotifier interface {
	Notifier
	SendDigest(ctx context.Context, d Digest) error
}

// DigestSource hands out the alerts waiting for a channel's digest and
// records the digest; store.DB implements it.
type DigestSource interface {
	// SendDigest takes (and locks) up to limit alerts waiting for channel's
	// digest and calls send with them; when send succeeds it marks their
	// deliveries delivered and records the digest in one transaction. It
	// returns how many alerts were sent: 0 when none was waiting.
	SendDigest(ctx context.Context, channel, period string, limit int, send func(context.Context, []adwatch.Alert) error) (int, error)
}

// DigestArgs is one channel's digest for one schedule tick. The job is
// unique per channel × period, so the tick is sent once however many
// processes run (only the leader enqueues periodic jobs anyway).
type DigestArgs struct {
	Channel string `json:"channel"`
	Period  string `json:"period"`
}

// Kind implements river.JobArgs.
func (DigestArgs) Kind() string { return "alert_digest" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, MaxAttempts: MaxAttempts, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// DigestPeriodicJob enqueues channel's digest at every tick of schedule.
func DigestPeriodicJob(schedule river.PeriodicSchedule, channel string) *river.PeriodicJob {
	return river.NewPeriodicJob(schedule, func() (river.JobArgs, *river.InsertOpts) {
		// The enqueuer runs at the tick; the minute names the period.
		return DigestArgs{Channel: channel, Period: time.Now().UTC().Truncate(time.Minute).Format(time.RFC3339)}, nil
	}, &river.PeriodicJobOpts{ID: "digest:" + channel})
}

// DigestWorker sends the digests.
type DigestWorker struct {
	river.WorkerDefaults[DigestArgs]

	RetryBase, RetryMax time.Duration
	MaxSnoozes          int
	Limit               int // alerts per message, DigestLimit by default

	src       DigestSource
	notifiers map[string]DigestNotifier
	logger    *slog.Logger
}

// NewDigestWorker returns a worker sending digests through those of
// notifiers that can (every channel of this module can).
func NewDigestWorker(src DigestSource, notifiers []Notifier, logger *slog.Logger) *DigestWorker {
	if logger == nil {
		logger = slog.Default()
	}
	m := map[string]DigestNotifier{}
	for _, n := range notifiers {
		if dn, ok := n.(DigestNotifier); ok {
			m[n.Channel()] = dn
		}
	}
	return &DigestWorker{RetryBase: time.Second, RetryMax: 5 * time.Minute, MaxSnoozes: 30, Limit: DigestLimit,
		src: src, notifiers: m, logger: logger}
}

// Work sends everything waiting for the channel's digest, in messages of at
// most Limit alerts. A message that fails leaves its alerts waiting: the
// job's retry (or the next tick) sends them.
func (w *DigestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	ch, period := job.Args.Channel, job.Args.Period
	log := w.logger.With(slog.String("channel", ch), slog.String("period", period), slog.Int64("job_id", job.ID))
	n, ok := w.notifiers[ch]
	if !ok {
		return river.JobCancel(fmt.Errorf("digest for %q: channel not configured or cannot send digests", ch))
	}
	limit := w.Limit
	if limit <= 0 {
		limit = DigestLimit
	}
	total := 0
	for {
		sent, err := w.src.SendDigest(ctx, ch, period, limit, func(ctx context.Context, as []adwatch.Alert) error {
			return n.SendDigest(ctx, NewDigest(ch, period, as))
		})
		if err != nil {
			err = Redact(err)
			var ra *RetryAfterError
			if errors.As(err, &ra) && snoozesOf(job.Metadata) < w.MaxSnoozes {
				log.WarnContext(ctx, "digest deferred by the server", slog.Duration("retry_after", ra.After))
				return river.JobSnooze(max(ra.After, 0))
			}
			if IsPermanent(err) {
				log.ErrorContext(ctx, "digest failed for good; its alerts wait for the next one", slog.String("error", err.Error()))
				return river.JobCancel(err)
			}
			log.WarnContext(ctx, "digest failed", slog.String("error", err.Error()))
			return err
		}
		total += sent
		if sent < limit {
			break
		}
	}
	if total > 0 {
		log.InfoContext(ctx, "digest sent", slog.Int("alerts", total))
	}
	return nil
}

// NextRetry implements river.Worker, as for deliveries.
func (w *DigestWorker) NextRetry(job *river.Job[DigestArgs]) time.Time {
	return time.Now().Add(Backoff(w.RetryBase, w.RetryMax, job.Attempt))
}

// Timeout implements river.Worker: several messages may go out.
func (w *DigestWorker) Timeout(*river.Job[DigestArgs]) time.Duration { return 5 * time.Minute }
