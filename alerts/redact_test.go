package alerts_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"adwatch/alerts"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	secret := "s3cr3t/pa ss"
	cause := alerts.Permanent(errors.New("535 authentication failed"))
	err := alerts.Redact(fmt.Errorf("login with %s and %s: %w", secret, "s3cr3t%2Fpa+ss", cause), secret)
	if strings.Contains(err.Error(), "s3cr3t") {
		t.Errorf("Redact() = %q, still contains the secret", err)
	}
	if !alerts.IsPermanent(err) {
		t.Errorf("IsPermanent(Redact(permanent)) = false, want true")
	}
	if alerts.Redact(nil, secret) != nil {
		t.Errorf("Redact(nil) != nil")
	}
}

func TestScrubText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"dial smtp://alerts:hunter2@mail.example.com:587 failed":    "dial smtp://[redacted]@mail.example.com:587 failed",
		"post https://hooks.slack.com/services/T000/B000/XXXX: 500": "post https://hooks.slack.com/[redacted] 500",
		"nothing secret here": "nothing secret here",
	} {
		if got := alerts.ScrubText(in); got != want {
			t.Errorf("ScrubText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	if alerts.Permanent(nil) != nil {
		t.Errorf("Permanent(nil) != nil")
	}
	base := errors.New("404 no_service")
	err := fmt.Errorf("slack: %w", alerts.Permanent(base))
	if !alerts.IsPermanent(err) || !errors.Is(err, base) {
		t.Errorf("wrapped permanent: IsPermanent=%v Is(base)=%v, want both true", alerts.IsPermanent(err), errors.Is(err, base))
	}
	if alerts.IsPermanent(base) {
		t.Errorf("IsPermanent(plain error) = true, want false")
	}
}
