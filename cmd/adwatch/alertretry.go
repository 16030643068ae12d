package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"adwatch"
	"adwatch/alerts"
)

// alertsRetry puts an alert's failed deliveries back in the queue by hand
// (after the webhook or the mail server was fixed): the deliveries become
// pending and their jobs are enqueued in the same transaction. A job gives
// up as discarded or cancelled, and uniqueness only counts jobs that are
// not, so the new job is accepted; a delivery that still has a live job is
// not doubled.
func alertsRetry(ctx context.Context, e *env, args []string) error {
	f := newFlags("alerts retry", "alerts retry ID [--channel C]", e, false)
	channel := f.String("channel", "", "only this channel (slack, email, webhook, console); default every failed one")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return usageError("alerts retry takes one alert ID")
	}
	id, err := strconv.ParseInt(f.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usageError("alert ID must be a positive number, got %q", f.Arg(0))
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	chans, err := a.retryDeliveries(ctx, id, *channel)
	if errors.Is(err, adwatch.ErrInvalid) {
		return usageError("%v", err)
	}
	if errors.Is(err, adwatch.ErrNotFound) {
		return failed(fmt.Errorf("alert %d does not exist", id))
	}
	if err != nil {
		return failed(err)
	}
	if len(chans) == 0 {
		fmt.Fprintf(e.stdout, "alert %d has no failed delivery to retry\n", id)
		return nil
	}
	fmt.Fprintf(e.stdout, "alert %d: delivery queued again on %s (run, serve or worker sends it)\n", id, strings.Join(chans, ", "))
	return nil
}

// retryDeliveries puts alert id's failed deliveries (on channel, or every
// configured one) back to pending and enqueues their jobs in the same
// transaction. The CLI and the web UI share it.
func (a *app) retryDeliveries(ctx context.Context, id int64, channel string) ([]string, error) {
	configured := a.cfg.Channels()
	if channel != "" && !containsString(configured, channel) {
		return nil, fmt.Errorf("channel %q is not configured (configured: %s): %w", channel, strings.Join(configured, ", "), adwatch.ErrInvalid)
	}
	client, err := a.insertClient()
	if err != nil {
		return nil, fmt.Errorf("job client: %w", err)
	}
	hook := func(ctx context.Context, tx *sql.Tx, as []adwatch.Alert) error {
		return alerts.EnqueueTx(ctx, client, tx, as, configured)
	}
	return a.db.RetryDeliveries(ctx, id, channel, hook)
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
