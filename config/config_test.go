package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestExampleFileIsValid(t *testing.T) {
	t.Parallel()
	cfg, err := Load("../adwatch.example.yaml", env(nil))
	if err != nil {
		t.Fatalf("example config: %v", err)
	}
	if got, want := len(cfg.Sources), 4; got != want {
		t.Errorf("sources: got %d, want %d", got, want)
	}
	if got, want := cfg.Crawler.Delay, time.Second; got != want {
		t.Errorf("delay: got %v, want %v", got, want)
	}
	if got, want := cfg.Channels(), []string{"console"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("channels with empty secrets: got %v, want %v", got, want)
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg, err := Load(filepath.Join(dir, "absent.yaml")+"", env(nil))
	if err == nil {
		t.Fatalf("explicit missing file: got config %+v, want error", cfg)
	}
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "absent.yaml") {
		t.Errorf("error %q does not name the file", err)
	}
	d := Default()
	if err := d.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if !d.Web.Auth || d.Crawler.AllowPrivateNetworks {
		t.Errorf("defaults not safe: auth=%v private=%v", d.Web.Auth, d.Crawler.AllowPrivateNetworks)
	}
}

func TestEnvironmentOverridesAndExpansion(t *testing.T) {
	t.Parallel()
	src := "alerts:\n  slack:\n    webhook_url: ${HOOK}\n  email:\n    smtp_url: ${ADWATCH_SMTP_URL}\n    from: a@example.com\n"
	cfg, err := Parse("a.yaml", []byte(src), env(map[string]string{
		"HOOK":                 "https://hooks.example.com/services/T/B/X",
		"ADWATCH_SMTP_URL":     "smtp://u:p@127.0.0.1:2525",
		"ADWATCH_EMAIL_TO":     "x@example.com, y@example.com",
		"ADWATCH_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/other?sslmode=disable",
		"ADWATCH_LISTEN":       "127.0.0.1:9999",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Alerts.Slack.WebhookURL, "https://hooks.example.com/services/T/B/X"; got != want {
		t.Errorf("webhook: got %q, want %q", got, want)
	}
	if got, want := strings.Join(cfg.Alerts.Email.To, ","), "x@example.com,y@example.com"; got != want {
		t.Errorf("to: got %q, want %q", got, want)
	}
	if got, want := cfg.Web.Listen, "127.0.0.1:9999"; got != want {
		t.Errorf("listen: got %q, want %q", got, want)
	}
	if got, want := strings.Join(cfg.Channels(), ","), "console,slack,email"; got != want {
		t.Errorf("channels: got %q, want %q", got, want)
	}
}

func TestBadFilesNameFileLineAndField(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml, wantField string
		wantLine              int
	}{
		{"unknown field", "crawler:\n  delay: 1s\n  dealy: 2s\n", "crawler.dealy", 3},
		{"bad duration", "crawler:\n  delay: soon\n", "crawler.delay", 2},
		{"bad kind", "sources:\n  - name: a\n    kind: blog\n    type: feed\n    url: https://e.com/f\n", "sources[0].kind", 3},
		{"bad source name", "sources:\n  - name: Bad_Name\n    kind: press\n    type: feed\n    url: https://e.com/f\n", "sources[0].name", 2},
		{"bad schedule", "crawler:\n  schedule: \"every night\"\n", "crawler.schedule", 2},
		{"html without selector", "sources:\n  - name: a\n    kind: press\n    type: html\n    url: https://e.com/\n", "sources[0].item_selector", 0},
		{"duplicate source", "sources:\n  - {name: a, kind: press, type: feed, url: 'https://e.com/a'}\n  - {name: a, kind: press, type: feed, url: 'https://e.com/b'}\n", "sources[1].name", 3},
		{"bad tls", "alerts:\n  email:\n    tls: maybe\n", "alerts.email.tls", 3},
		{"private url scheme", "sources:\n  - {name: a, kind: press, type: feed, url: 'file:///etc/passwd'}\n", "sources[0].url", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("adwatch.yaml", []byte(tc.yaml), env(nil))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want *config.Error", err)
			}
			if ce.File != "adwatch.yaml" || ce.Field != tc.wantField {
				t.Errorf("got file %q field %q, want adwatch.yaml %q (%v)", ce.File, ce.Field, tc.wantField, err)
			}
			if tc.wantLine != 0 && ce.Line != tc.wantLine {
				t.Errorf("got line %d, want %d (%v)", ce.Line, tc.wantLine, err)
			}
		})
	}
}

func TestSecretsNotEchoed(t *testing.T) {
	t.Parallel()
	_, err := Parse("a.yaml", []byte("alerts:\n  slack:\n    webhook_url: ftp://secret-token@x\n"), env(nil))
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("got %v, want an error that does not echo the URL", err)
	}
}

func TestLoadReadsADWATCH_CONFIG(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte("web:\n  auth: false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load("", env(map[string]string{"ADWATCH_CONFIG": p}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Web.Auth || cfg.File != p {
		t.Errorf("got auth=%v file=%q, want false %q", cfg.Web.Auth, cfg.File, p)
	}
}
