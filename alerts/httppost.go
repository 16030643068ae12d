package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultHTTPTimeout bounds one webhook call when the caller gives no client.
const DefaultHTTPTimeout = 20 * time.Second

// defaultRetryAfter is used when a 429 carries no usable Retry-After.
const defaultRetryAfter = 30 * time.Second

// PostJSON posts body to target, a secret URL, and maps the answer to the
// errors the delivery worker understands: 2xx is nil; 429 is a
// RetryAfterError; 408 and 5xx are retryable; other 4xx are Permanent.
// Errors are prefixed with name ("slack webhook") and never contain target.
func PostJSON(ctx context.Context, client *http.Client, name, target string, body []byte, header http.Header) error {
	if client == nil {
		client = &http.Client{Timeout: DefaultHTTPTimeout}
	}
	// Checked here, once for every message kind; the error never shows the URL.
	if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Permanent(fmt.Errorf("%s: URL is not a valid http(s) URL", name))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("%s: bad request", name))
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return Redact(fmt.Errorf("%s: %w", name, unwrapURLError(err)), target)
	}
	defer resp.Body.Close()
	// Read a little of the body: Slack explains failures there
	// ("invalid_payload", "no_service"); drain the rest so the connection
	// can be reused.
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return statusError(name, resp, strings.TrimSpace(RedactText(string(msg), target)))
}

// unwrapURLError drops *url.Error's "Post \"https://…\":" prefix, which
// would print the secret URL, and keeps the cause (timeout, refused, TLS).
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func statusError(name string, resp *http.Response, body string) error {
	code := resp.StatusCode
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: status %d", name, code)
	if body != "" && !strings.HasPrefix(body, "<") { // skip HTML error pages
		err = fmt.Errorf("%s: status %d: %s", name, code, oneLine(Truncate(body, 120)))
	}
	switch {
	case code == http.StatusTooManyRequests:
		return &RetryAfterError{After: retryAfter(resp.Header.Get("Retry-After"), time.Now()), Err: err}
	case code == http.StatusRequestTimeout || code >= 500:
		return err
	default:
		return Permanent(err)
	}
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date
// (RFC 9110, section 10.2.3).
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultRetryAfter
	}
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return 0
	}
	return defaultRetryAfter
}
