// Package config reads adwatch.yaml and the environment into one validated
// Config. Every setting has a safe default; a bad file is rejected with the
// file, line and field named. The parsed Config is passed down by the caller:
// there is no global configuration.
package config

import (
	"adwatch"
	"time"
)

// Default values, also documented in adwatch.example.yaml.
const (
	DefaultDatabaseURL  = "postgres://postgres@localhost:5432/adwatch?sslmode=disable"
	DefaultListen       = "127.0.0.1:8080"
	DefaultSchedule     = "0 2 * * *"
	DefaultUserAgent    = "adwatch/1.0 (+https://example.com/contact)"
	DefaultMaxBodyBytes = 10 << 20
)

// Config is the whole of adwatch's configuration.
type Config struct {
	// File is the path the configuration was read from ("" when defaults only).
	File     string           `yaml:"-"`
	Database Database         `yaml:"database"`
	Crawler  Crawler          `yaml:"crawler"`
	Alerts   Alerts           `yaml:"alerts"`
	Web      Web              `yaml:"web"`
	Sources  []adwatch.Source `yaml:"sources"`
}

// Database says where the archive lives.
type Database struct {
	URL string `yaml:"url"`
}

// Crawler holds the crawl policy shared by every source.
type Crawler struct {
	Schedule             string        `yaml:"schedule"`
	UserAgent            string        `yaml:"user_agent"`
	AllowPrivateNetworks bool          `yaml:"allow_private_networks"`
	MaxBodyBytes         int64         `yaml:"max_body_bytes"`
	PerHostParallelism   int           `yaml:"per_host_parallelism"`
	Delay                time.Duration `yaml:"delay"`
	RequestTimeout       time.Duration `yaml:"request_timeout"`
	MaxRetries           int           `yaml:"max_retries"`
	MaxPages             int           `yaml:"max_pages"`
	Revalidate           time.Duration `yaml:"revalidate"`
	// Concurrency is how many sources one process crawls at once.
	Concurrency int `yaml:"concurrency"`
	// JobTimeout bounds one crawl job: a source still crawling then stops,
	// keeps what it stored and is resumed by its next attempt.
	JobTimeout time.Duration `yaml:"job_timeout"`
	// RescueAfter is how long a crawl job may stay running before another
	// process takes it over (its process died). It must exceed JobTimeout;
	// 0 means JobTimeout plus 5 minutes.
	RescueAfter time.Duration `yaml:"rescue_after"`
	// ShutdownGrace is how long a stopping process lets running jobs finish
	// before it cancels them (they are then resumed by another process).
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
}

// RescueAfterOrDefault is RescueAfter with its default applied.
func (c Crawler) RescueAfterOrDefault() time.Duration {
	if c.RescueAfter > 0 {
		return c.RescueAfter
	}
	return c.JobTimeout + 5*time.Minute
}

// Alerts configures the delivery channels.
type Alerts struct {
	Slack   Slack   `yaml:"slack"`
	Email   Email   `yaml:"email"`
	Webhook Webhook `yaml:"webhook"`
	// DeliverTimeout bounds how long `adwatch run` keeps retrying deliveries
	// before it exits; what is left is taken up by the next run.
	DeliverTimeout time.Duration `yaml:"deliver_timeout"`
	// MaxAttempts is how often a delivery is tried before it is marked failed.
	MaxAttempts int `yaml:"max_attempts"`
	// Routes decide per channel whether an alert is sent at once, waits for
	// the digest or is not sent there (routing.go). None: all at once.
	Routes Routes `yaml:"routes"`
	// DigestSchedule is when each channel's digest of waiting alerts goes out.
	DigestSchedule Schedule `yaml:"digest_schedule"`
	// RescreenDays is how far back newly imported or activated advertisers
	// are screened against the archive.
	RescreenDays Days `yaml:"rescreen_days"`
	// JobTimeout bounds one delivery attempt; a delivery whose process died
	// mid-send is retried by another process about this long after it
	// started (River's rescuer waits for it). 0 means 90s.
	JobTimeout time.Duration `yaml:"job_timeout"`
}

// Slack is an incoming-webhook channel. The URL is a secret.
type Slack struct {
	WebhookURL string `yaml:"webhook_url"`
}

// Email is an SMTP channel. The URL carries credentials: a secret.
type Email struct {
	SMTPURL string   `yaml:"smtp_url"`
	TLS     string   `yaml:"tls"`
	From    string   `yaml:"from"`
	To      []string `yaml:"to"`
}

// Webhook posts each alert as JSON to another tool. The URL is a secret.
type Webhook struct {
	URL string `yaml:"url"`
}

// Web configures the analysts' UI and API.
type Web struct {
	Listen string `yaml:"listen"`
	Auth   bool   `yaml:"auth"`
	// BaseURL is how people reach this server; alert messages link to it.
	BaseURL string `yaml:"base_url"`
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Database: Database{URL: DefaultDatabaseURL},
		Crawler: Crawler{
			Schedule:           DefaultSchedule,
			UserAgent:          DefaultUserAgent,
			MaxBodyBytes:       DefaultMaxBodyBytes,
			PerHostParallelism: 2,
			Delay:              time.Second,
			RequestTimeout:     30 * time.Second,
			MaxRetries:         3,
			MaxPages:           20,
			Revalidate:         7 * 24 * time.Hour,
			Concurrency:        4,
			JobTimeout:         30 * time.Minute,
			ShutdownGrace:      30 * time.Second,
		},
		Alerts: Alerts{
			Email:          Email{TLS: "starttls"},
			DeliverTimeout: 10 * time.Minute,
			MaxAttempts:    25, // 1 s doubling to 5 min: about 90 minutes, an hour-long outage
			DigestSchedule: DefaultDigestSchedule,
			RescreenDays:   DefaultRescreenDays,
		},
		Web: Web{Listen: DefaultListen, Auth: true},
	}
}

// Channels lists the delivery channels this configuration turns on, console
// always first.
func (c Config) Channels() []string {
	ch := []string{"console"}
	if c.Alerts.Slack.WebhookURL != "" {
		ch = append(ch, "slack")
	}
	if c.Alerts.Email.SMTPURL != "" {
		ch = append(ch, "email")
	}
	if c.Alerts.Webhook.URL != "" {
		ch = append(ch, "webhook")
	}
	return ch
}

// SourceNamed returns the configured source with that name.
func (c Config) SourceNamed(name string) (adwatch.Source, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return adwatch.Source{}, false
}

// BaseURL is the address alert messages link to.
func (c Config) BaseURL() string {
	if c.Web.BaseURL != "" {
		return c.Web.BaseURL
	}
	return "http://" + c.Web.Listen
}
