package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/riverqueue/river"

	"adwatch"
)

// Queue is the River queue delivery jobs run in.
const Queue = "alerts"

// MaxAttempts bounds ordinary retries. With the default backoff (1s doubling
// to a 5-minute cap) 25 attempts span about 90 minutes, so an hour-long
// Slack or SMTP outage delays alerts without failing them.
const MaxAttempts = 25

// JobTimeout bounds one delivery attempt: the SMTP dial and each command
// have 30 seconds, HTTP calls 20. Configure River's RescueStuckJobsAfter to
// a little more than this (e.g. 2 minutes): with River's default of one hour
// a delivery whose process was killed mid-send waits an hour to be retried.
const JobTimeout = 90 * time.Second

// DeliverArgs is one alert to deliver on one channel. The job is unique per
// alert × channel while it is pending, running or completed.
type DeliverArgs struct {
	AlertID int64  `json:"alert_id"`
	Channel string `json:"channel"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "deliver_alert" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{
		Queue:       Queue,
		MaxAttempts: MaxAttempts,
		UniqueOpts:  river.UniqueOpts{ByArgs: true},
	}
}

// AlertSource reads committed alerts and records deliveries; store.DB
// implements it.
type AlertSource interface {
	Alert(ctx context.Context, id int64) (adwatch.Alert, error)
	MarkDelivery(ctx context.Context, alertID int64, channel, status, lastErr string) error
}

// DeliverWorker delivers one alert on one channel per job.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]

	// RetryBase is the first retry's delay; it doubles per attempt up to
	// RetryMax. Tests shorten both.
	RetryBase time.Duration
	RetryMax  time.Duration
	// MaxSnoozes bounds how often a job may wait for a server's Retry-After:
	// River does not count snoozes as attempts, so without a bound a server
	// that always answers 429 would keep a job alive for ever. Past it, a
	// 429 counts as an ordinary failed attempt.
	MaxSnoozes int
	// MaxSnooze caps one Retry-After wait.
	MaxSnooze time.Duration
	// MaxAttempts, when set, gives up after this many attempts even if the
	// job was inserted allowing more (alerts.max_attempts in the config;
	// jobs carry MaxAttempts from DeliverArgs.InsertOpts).
	MaxAttempts int
	// JobTimeout bounds one delivery attempt. River's rescuer also waits
	// this long (and RescueStuckJobsAfter) before it retries a job whose
	// process died mid-delivery.
	JobTimeout time.Duration

	src       AlertSource
	notifiers map[string]Notifier
	logger    *slog.Logger
}

// NewDeliverWorker returns a worker delivering through notifiers, at most
// one per channel name (a later one replaces an earlier one).
func NewDeliverWorker(src AlertSource, notifiers []Notifier, logger *slog.Logger) *DeliverWorker {
	if logger == nil {
		logger = slog.Default()
	}
	m := make(map[string]Notifier, len(notifiers))
	for _, n := range notifiers {
		m[n.Channel()] = n
	}
	return &DeliverWorker{
		RetryBase:  time.Second,
		RetryMax:   5 * time.Minute,
		MaxSnoozes: 30,
		MaxSnooze:  15 * time.Minute,
		JobTimeout: JobTimeout,
		src:        src,
		notifiers:  m,
		logger:     logger,
	}
}

// Work delivers the alert unless the channel already has it.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	id, channel := job.Args.AlertID, job.Args.Channel
	log := w.logger.With(slog.Int64("alert_id", id), slog.String("channel", channel),
		slog.Int("attempt", job.Attempt), slog.Int64("job_id", job.ID))

	n, ok := w.notifiers[channel]
	if !ok {
		err := fmt.Errorf("deliver alert %d: channel %q is not configured", id, channel)
		w.mark(ctx, log, id, channel, adwatch.DeliveryFailed, err)
		return river.JobCancel(err)
	}
	a, err := w.src.Alert(ctx, id)
	if errors.Is(err, adwatch.ErrNotFound) {
		log.WarnContext(ctx, "alert to deliver no longer exists")
		return river.JobCancel(fmt.Errorf("deliver alert %d: %w", id, err))
	}
	if err != nil {
		return fmt.Errorf("deliver alert %d: load: %w", id, err)
	}
	if d, ok := a.Deliveries[channel]; ok && (d.Status == adwatch.DeliveryDigest || d.Status == adwatch.DeliverySkipped) {
		// Routing sent it to the digest or nowhere on this channel.
		log.InfoContext(ctx, "alert routed away from immediate delivery", slog.String("status", d.Status))
		return nil
	}
	if delivered(a, channel) {
		// A re-run after a crash between send and mark lands here only if
		// the mark was written; then sending again would double the alert.
		log.InfoContext(ctx, "alert already delivered, not sending again")
		return nil
	}

	sendErr := n.Send(ctx, a)
	if sendErr == nil {
		// Mark at once, before anything else can fail: this is the only
		// record that stops a later re-run from sending again.
		if err := w.mark(ctx, log, id, channel, adwatch.DeliveryDelivered, nil); err != nil {
			// The message is out; failing the job would send it again.
			log.ErrorContext(ctx, "alert delivered but not marked", slog.String("error", ScrubText(err.Error())))
		}
		log.InfoContext(ctx, "alert delivered")
		return nil
	}
	sendErr = Redact(sendErr)

	var ra *RetryAfterError
	if errors.As(sendErr, &ra) && snoozes(job) < w.MaxSnoozes {
		after := min(max(ra.After, 0), w.MaxSnooze)
		w.mark(ctx, log, id, channel, adwatch.DeliveryPending, sendErr)
		log.WarnContext(ctx, "alert delivery deferred by the server", slog.Duration("retry_after", after))
		return river.JobSnooze(after)
	}
	if IsPermanent(sendErr) {
		w.mark(ctx, log, id, channel, adwatch.DeliveryFailed, sendErr)
		log.ErrorContext(ctx, "alert delivery failed for good", slog.String("error", sendErr.Error()))
		return river.JobCancel(sendErr)
	}
	status := adwatch.DeliveryPending
	if job.Attempt >= job.MaxAttempts || (w.MaxAttempts > 0 && job.Attempt >= w.MaxAttempts) {
		status = adwatch.DeliveryFailed
	}
	w.mark(ctx, log, id, channel, status, sendErr)
	log.WarnContext(ctx, "alert delivery failed", slog.String("status", status), slog.String("error", sendErr.Error()))
	if status == adwatch.DeliveryFailed && job.Attempt < job.MaxAttempts {
		return river.JobCancel(sendErr) // the configured limit is reached before the job's own
	}
	return sendErr
}

// mark records a delivery state. It runs on a context that survives the
// job's cancellation (shutdown, timeout), so a send that happened is
// recorded even then.
func (w *DeliverWorker) mark(ctx context.Context, log *slog.Logger, id int64, channel, status string, cause error) error {
	msg := ""
	if cause != nil {
		msg = ScrubText(cause.Error())
	}
	var err error
	for try := 0; try < 3; try++ {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		err = w.src.MarkDelivery(mctx, id, channel, status, msg)
		cancel()
		if err == nil {
			return nil
		}
		if errors.Is(err, adwatch.ErrNotFound) || errors.Is(err, adwatch.ErrInvalid) {
			break // asking again cannot help
		}
		if try < 2 {
			time.Sleep(time.Duration(try+1) * 200 * time.Millisecond)
		}
	}
	log.ErrorContext(ctx, "record delivery state", slog.String("status", status), slog.String("error", ScrubText(err.Error())))
	return fmt.Errorf("mark alert %d %s on %s: %w", id, status, channel, err)
}

// Immediate reports whether a's delivery on channel is to be sent by a
// delivery job: not routed to a digest or skipped, not already delivered.
// An alert without a recorded delivery for the channel is sent.
func Immediate(a adwatch.Alert, channel string) bool {
	d, ok := a.Deliveries[channel]
	if !ok {
		return !a.Delivered[channel]
	}
	return d.Status == adwatch.DeliveryPending || d.Status == adwatch.DeliveryFailed
}

func delivered(a adwatch.Alert, channel string) bool {
	if d, ok := a.Deliveries[channel]; ok && d.Status == adwatch.DeliveryDelivered {
		return true
	}
	return a.Delivered[channel]
}

// snoozes is how often River has snoozed this job (its metadata counter).
func snoozes(job *river.Job[DeliverArgs]) int { return snoozesOf(job.Metadata) }

func snoozesOf(metadata []byte) int {
	var m struct {
		Snoozes int `json:"snoozes"`
	}
	_ = json.Unmarshal(metadata, &m) // no metadata: never snoozed
	return m.Snoozes
}

// Timeout implements river.Worker.
func (w *DeliverWorker) Timeout(*river.Job[DeliverArgs]) time.Duration { return w.JobTimeout }

// NextRetry implements river.Worker: RetryBase doubling per attempt, capped
// at RetryMax, with ±20% jitter so many failed deliveries do not return to
// the server at the same instant.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(Backoff(w.RetryBase, w.RetryMax, job.Attempt))
}

// Backoff is the delay before retrying after the given attempt (1-based).
func Backoff(base, maxDelay time.Duration, attempt int) time.Duration {
	if base <= 0 {
		base = time.Second
	}
	if maxDelay < base {
		maxDelay = base
	}
	d := base
	for i := 1; i < attempt && d < maxDelay; i++ {
		d *= 2
	}
	d = min(d, maxDelay)
	jitter := time.Duration(float64(d) * (rand.Float64()*0.4 - 0.2))
	return d + jitter
}

// EnqueueTx inserts one delivery job per alert × channel in tx, the
// transaction that stores the alerts, so alerts and their deliveries commit
// or vanish together. Jobs already present (pending, running or completed)
// for an alert × channel are not inserted again. A channel the alert's
// routing sent elsewhere (its delivery is "digest" or "skipped") or that
// already has it gets no job.
func EnqueueTx(ctx context.Context, client *river.Client[*sql.Tx], tx *sql.Tx, alerts []adwatch.Alert, channels []string) error {
	params := make([]river.InsertManyParams, 0, len(alerts)*len(channels))
	for _, a := range alerts {
		if a.ID <= 0 {
			return fmt.Errorf("enqueue deliveries: alert without id (advertiser %s, document %d)", a.AdvertiserID, a.DocumentID)
		}
		for _, ch := range channels {
			if !Immediate(a, ch) {
				continue
			}
			params = append(params, river.InsertManyParams{Args: DeliverArgs{AlertID: a.ID, Channel: ch}})
		}
	}
	if len(params) == 0 {
		return nil
	}
	if _, err := client.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("enqueue %d deliveries: %w", len(params), err)
	}
	return nil
}
