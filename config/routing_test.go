package config

import (
	"errors"
	"strings"
	"testing"

	"adwatch"
)

func TestRoutesDefaultIsImmediateEverywhere(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("a.yaml", []byte("alerts:\n  deliver_timeout: 1m\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	a := adwatch.Alert{Kind: adwatch.KindPress, Score: 0.1, Source: "wire", AdvertiserID: "a-1"}
	for _, ch := range []string{"console", "slack", "email", "webhook"} {
		if got, want := cfg.Alerts.Routes.Mode(a, ch), RouteImmediate; got != want {
			t.Errorf("Mode(%s) = %q, want %q", ch, got, want)
		}
	}
	if got := cfg.Alerts.Routes.Digests([]string{"console", "slack"}); len(got) != 0 {
		t.Errorf("Digests = %v, want none", got)
	}
	if got, want := string(cfg.Alerts.DigestSchedule), DefaultDigestSchedule; got != want {
		t.Errorf("digest_schedule = %q, want %q", got, want)
	}
	if got, want := int(cfg.Alerts.RescreenDays), DefaultRescreenDays; got != want {
		t.Errorf("rescreen_days = %d, want %d", got, want)
	}
}

const routesYAML = `alerts:
  digest_schedule: "CRON_TZ=America/New_York 30 8 * * 1-5"
  rescreen_days: 90
  routes:
    slack:
      - {kind: government, mode: immediate}
      - {advertisers: [a-17], mode: immediate}
      - {kind: press, min_score: 0.9, mode: immediate}
      - {kind: press, sources: [tabloid], mode: none}
      - {kind: press, mode: digest}
    default:
      - {min_score: 0.5, mode: immediate}
      - {mode: none}
`

func TestRoutesFirstApplyingRuleDecides(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("a.yaml", []byte(routesYAML), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Alerts.Routes
	cases := []struct {
		name    string
		a       adwatch.Alert
		channel string
		want    string
	}{
		{"government goes at once", adwatch.Alert{Kind: adwatch.KindGovernment, Score: 0.2, Source: "dhs"}, "slack", RouteImmediate},
		{"named advertiser goes at once", adwatch.Alert{Kind: adwatch.KindPress, Score: 0.2, AdvertiserID: "a-17"}, "slack", RouteImmediate},
		{"high-score press goes at once", adwatch.Alert{Kind: adwatch.KindPress, Score: 0.95, Source: "wire"}, "slack", RouteImmediate},
		{"press from a muted source is not sent", adwatch.Alert{Kind: adwatch.KindPress, Score: 0.5, Source: "tabloid"}, "slack", RouteNone},
		{"other press waits for the digest", adwatch.Alert{Kind: adwatch.KindPress, Score: 0.5, Source: "wire"}, "slack", RouteDigest},
		{"default rules apply to email", adwatch.Alert{Kind: adwatch.KindPress, Score: 0.4}, "email", RouteNone},
		{"default rules pass strong alerts", adwatch.Alert{Kind: adwatch.KindPress, Score: 0.6}, "email", RouteImmediate},
	}
	for _, c := range cases {
		if got := r.Mode(c.a, c.channel); got != c.want {
			t.Errorf("%s: Mode = %q, want %q", c.name, got, c.want)
		}
	}
	if got, want := strings.Join(r.Digests([]string{"console", "slack", "email"}), ","), "slack"; got != want {
		t.Errorf("Digests = %q, want %q", got, want)
	}
	if got, want := string(cfg.Alerts.DigestSchedule), "CRON_TZ=America/New_York 30 8 * * 1-5"; got != want {
		t.Errorf("digest_schedule = %q, want %q", got, want)
	}
	if got, want := int(cfg.Alerts.RescreenDays), 90; got != want {
		t.Errorf("rescreen_days = %d, want %d", got, want)
	}
}

func TestRoutesBadValuesNameTheLine(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, src, msg string
		line           int
	}{
		{"unknown channel", "alerts:\n  routes:\n    pager:\n      - {mode: none}\n", "unknown channel", 3},
		{"bad mode", "alerts:\n  routes:\n    slack:\n      - {kind: press, mode: later}\n", "mode: must be immediate, digest or none", 4},
		{"bad kind", "alerts:\n  routes:\n    slack:\n      - {kind: blog, mode: none}\n", "kind: must be government or press", 4},
		{"score out of range", "alerts:\n  routes:\n    email:\n\n      - {min_score: 2, mode: none}\n", "min_score: must be between 0 and 1", 5},
		{"unknown rule field", "alerts:\n  routes:\n    slack:\n      - {knd: press, mode: none}\n", `unknown field "knd"`, 4},
		{"bad digest schedule", "alerts:\n  digest_schedule: \"every day\"\n", "invalid cron schedule", 2},
		{"zero rescreen days", "alerts:\n  rescreen_days: 0\n", "at least 1 day", 2},
	}
	for _, c := range cases {
		_, err := Parse("a.yaml", []byte(c.src), env(nil))
		var ce *Error
		if !errors.As(err, &ce) {
			t.Errorf("%s: err = %v, want *Error", c.name, err)
			continue
		}
		if !strings.Contains(ce.Msg, c.msg) || ce.Line != c.line || ce.File != "a.yaml" {
			t.Errorf("%s: got %s (line %d), want line %d with %q", c.name, ce, ce.Line, c.line, c.msg)
		}
	}
}
