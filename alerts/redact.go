package alerts

import (
	"net/url"
	"regexp"
	"strings"
)

const redacted = "[redacted]"

// redactedError shows a message with the secrets removed while keeping the
// original error for errors.Is/As (Permanent, RetryAfterError, net errors).
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// Redact returns err with every non-empty secret, and anything ScrubText
// recognises as one, removed from its message. Redact(nil) is nil.
func Redact(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := RedactText(err.Error(), secrets...)
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

// RedactText removes every non-empty secret, its URL-escaped forms, and
// anything ScrubText recognises from s.
func RedactText(s string, secrets ...string) string {
	for _, sec := range secrets {
		if len(sec) < 4 { // too short to replace without mangling the text
			continue
		}
		s = strings.ReplaceAll(s, sec, redacted)
		if q := url.QueryEscape(sec); q != sec {
			s = strings.ReplaceAll(s, q, redacted)
		}
		if p := url.PathEscape(sec); p != sec {
			s = strings.ReplaceAll(s, p, redacted)
		}
	}
	return ScrubText(s)
}

var (
	// userinfo in any URL: scheme://user:password@host
	reUserinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)[^/@\s:]*:[^/@\s]*@`)
	// Slack incoming webhook paths carry the secret token.
	reSlackHook = regexp.MustCompile(`(hooks\.slack(?:-gov)?\.com/)[^\s"']*`)
)

// ScrubText removes secrets that have a recognisable shape (URL passwords,
// Slack webhook tokens) from text that is about to be stored or logged. It is
// the last line of defence; channels redact what they know first.
func ScrubText(s string) string {
	s = reUserinfo.ReplaceAllString(s, "${1}"+redacted+"@")
	s = reSlackHook.ReplaceAllString(s, "${1}"+redacted)
	return s
}
