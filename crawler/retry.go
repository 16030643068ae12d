package crawler

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"time"

	"github.com/gocolly/colly/v2"
)

// transientErr reports whether a request failure is worth retrying: timeouts
// and dropped connections. Refused dials to private addresses, size caps,
// redirect loops, robots.txt and cancellation are not.
func transientErr(err error) bool {
	switch {
	case err == nil,
		errors.Is(err, context.Canceled),
		errors.Is(err, ErrBodyTooLarge),
		errors.Is(err, ErrPrivateAddress):
		return false
	case errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF), // connection closed before a response
		errors.Is(err, context.DeadlineExceeded):
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// timeoutErr reports whether err is a request running out of time.
func timeoutErr(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// retryable decides whether a failure is transient and how long to wait:
// exponential backoff with jitter, or Retry-After (capped) on 429/503.
func (s *session) retryable(r *colly.Response, err error, j *job) (time.Duration, bool) {
	if j.attempt >= s.c.cfg.MaxRetries || s.ctx.Err() != nil {
		return 0, false
	}
	switch r.StatusCode {
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		if d, ok := retryAfter(r.Headers, s.c.now()); ok {
			return d, true
		}
		return backoff(j.attempt), true
	case http.StatusBadGateway, http.StatusGatewayTimeout:
		return backoff(j.attempt), true
	case 0:
		if transientErr(err) {
			return backoff(j.attempt), true
		}
	}
	return 0, false
}

// backoff is 0.5s·2^attempt with ±50% jitter, at most maxRetryAfter.
func backoff(attempt int) time.Duration {
	d := min(500*time.Millisecond<<attempt, maxRetryAfter)
	return d/2 + rand.N(d)
}

// retryAfter parses a Retry-After header (seconds or HTTP date), capped.
func retryAfter(h *http.Header, now time.Time) (time.Duration, bool) {
	if h == nil {
		return 0, false
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	} else {
		return 0, false
	}
	return max(0, min(d, maxRetryAfter)), true
}
