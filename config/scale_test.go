package config

import (
	"errors"
	"testing"
	"time"
)

func TestScaleSettingsDefaultsAndParse(t *testing.T) {
	t.Parallel()
	d := Default().Crawler
	if got, want := d.JobTimeout, 30*time.Minute; got != want {
		t.Errorf("default job_timeout: got %v, want %v", got, want)
	}
	if got, want := d.RescueAfterOrDefault(), 35*time.Minute; got != want {
		t.Errorf("default rescue_after: got %v, want %v", got, want)
	}
	if got, want := d.ShutdownGrace, 30*time.Second; got != want {
		t.Errorf("default shutdown_grace: got %v, want %v", got, want)
	}
	cfg, err := Parse("a.yaml", []byte("crawler:\n  job_timeout: 4s\n  rescue_after: 6s\n  shutdown_grace: 2s\n"), env(nil))
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Crawler
	if c.JobTimeout != 4*time.Second || c.RescueAfterOrDefault() != 6*time.Second || c.ShutdownGrace != 2*time.Second {
		t.Errorf("got job_timeout %v rescue_after %v shutdown_grace %v, want 4s 6s 2s", c.JobTimeout, c.RescueAfterOrDefault(), c.ShutdownGrace)
	}
}

func TestScaleSettingsRejected(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, yaml, field string }{
		{"zero job timeout", "crawler:\n  job_timeout: 0s\n", "crawler.job_timeout"},
		{"rescue before timeout", "crawler:\n  job_timeout: 10m\n  rescue_after: 5m\n", "crawler.rescue_after"},
		{"negative rescue", "crawler:\n  rescue_after: -1s\n", "crawler.rescue_after"},
		{"zero grace", "crawler:\n  shutdown_grace: 0s\n", "crawler.shutdown_grace"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("adwatch.yaml", []byte(tc.yaml), env(nil))
			var ce *Error
			if !errors.As(err, &ce) || ce.Field != tc.field {
				t.Errorf("got %v, want an error naming %s", err, tc.field)
			}
		})
	}
}
