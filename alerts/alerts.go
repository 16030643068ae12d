// Package alerts formats and delivers alerts that the store has already
// committed: the Notifier interface every channel implements, the message
// formatting they share, and the River worker that delivers one alert on one
// channel with retries.
//
// It must not import store/ or web/: it reads alerts through the small
// AlertSource interface, so an outage of Slack or SMTP delays a delivery and
// never loses it. It must never write a secret (webhook URL, SMTP password) to
// a log line or an error.
package alerts

import (
	"context"
	"errors"
	"fmt"
	"time"

	"adwatch"
)

// Notifier delivers one alert on one channel. Send must be safe for
// concurrent use: several delivery jobs run at once.
type Notifier interface {
	Channel() string                                 // "slack", "email", "console", "webhook"
	Send(ctx context.Context, a adwatch.Alert) error // one alert, with its evidence
}

// RetryAfterError tells the worker when to try again, as a server asked
// (Slack's 429 with Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("retry after %s", e.After)
	}
	return fmt.Sprintf("%s (retry after %s)", e.Err, e.After)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// permanentError marks a failure that retrying cannot fix (a rejected
// payload, a webhook that is gone, a refused login). The job stops and the
// delivery is shown as failed, to be retried by hand once fixed.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot help. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
