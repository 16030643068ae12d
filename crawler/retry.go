package crawler

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
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
