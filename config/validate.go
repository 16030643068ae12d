package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"adwatch"

	"github.com/robfig/cron/v3"
)

var sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// CronParser parses the schedules adwatch accepts: standard five-field cron,
// with an optional CRON_TZ= or TZ= prefix and descriptors such as @daily.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Validate checks the configuration as a whole (without line numbers).
func (c Config) Validate() error { return c.validate(nil) }

func (c Config) validate(lines map[string]int) error {
	bad := func(field, format string, args ...any) error {
		return &Error{File: c.File, Line: lines[field], Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	if _, err := url.Parse(c.Database.URL); err != nil || !strings.HasPrefix(c.Database.URL, "postgres") {
		return bad("database.url", "must be a postgres:// URL")
	}
	cr := c.Crawler
	if _, err := CronParser.Parse(cr.Schedule); err != nil {
		return bad("crawler.schedule", "invalid cron schedule %q: %v", cr.Schedule, err)
	}
	switch {
	case cr.UserAgent == "":
		return bad("crawler.user_agent", "must not be empty")
	case cr.MaxBodyBytes <= 0:
		return bad("crawler.max_body_bytes", "must be positive")
	case cr.PerHostParallelism < 1:
		return bad("crawler.per_host_parallelism", "must be at least 1")
	case cr.Delay < 0:
		return bad("crawler.delay", "must not be negative")
	case cr.RequestTimeout <= 0:
		return bad("crawler.request_timeout", "must be positive")
	case cr.MaxRetries < 0:
		return bad("crawler.max_retries", "must not be negative")
	case cr.MaxPages < 1:
		return bad("crawler.max_pages", "must be at least 1")
	case cr.Concurrency < 1:
		return bad("crawler.concurrency", "must be at least 1")
	case cr.JobTimeout <= 0:
		return bad("crawler.job_timeout", "must be positive")
	case cr.RescueAfter < 0:
		return bad("crawler.rescue_after", "must not be negative")
	case cr.RescueAfter > 0 && cr.RescueAfter <= cr.JobTimeout:
		// A job still within its timeout would be handed to a second process.
		return bad("crawler.rescue_after", "must be longer than crawler.job_timeout (%s)", cr.JobTimeout)
	case cr.ShutdownGrace <= 0:
		return bad("crawler.shutdown_grace", "must be positive")
	}
	if err := c.validateAlerts(bad); err != nil {
		return err
	}
	if c.Web.Listen == "" {
		return bad("web.listen", "must not be empty")
	}
	if c.Web.BaseURL != "" {
		if u, err := url.Parse(c.Web.BaseURL); err != nil || u.Host == "" {
			return bad("web.base_url", "must be an absolute URL")
		}
	}
	seen := map[string]bool{}
	for i, s := range c.Sources {
		p := fmt.Sprintf("sources[%d]", i)
		if err := validateSource(s, p, bad); err != nil {
			return err
		}
		if seen[s.Name] {
			return bad(p+".name", "duplicate source name %q", s.Name)
		}
		seen[s.Name] = true
	}
	return nil
}

func (c Config) validateAlerts(bad func(string, string, ...any) error) error {
	a := c.Alerts
	if a.DeliverTimeout <= 0 {
		return bad("alerts.deliver_timeout", "must be positive")
	}
	if a.MaxAttempts < 1 {
		return bad("alerts.max_attempts", "must be at least 1")
	}
	if s := a.Slack.WebhookURL; s != "" {
		// Never echo the URL: it is a secret.
		if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("alerts.slack.webhook_url", "must be an http(s) URL")
		}
	}
	if s := a.Webhook.URL; s != "" {
		if u, err := url.Parse(s); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return bad("alerts.webhook.url", "must be an http(s) URL")
		}
	}
	e := a.Email
	switch e.TLS {
	case "starttls", "tls", "none":
	default:
		return bad("alerts.email.tls", "must be starttls, tls or none, not %q", e.TLS)
	}
	if e.SMTPURL == "" {
		return nil
	}
	u, err := url.Parse(e.SMTPURL)
	if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
		return bad("alerts.email.smtp_url", "must be smtp://user:pass@host:port or smtps://…")
	}
	if _, err := mail.ParseAddress(e.From); err != nil {
		return bad("alerts.email.from", "must be an email address (set it or ADWATCH_EMAIL_FROM)")
	}
	if len(e.To) == 0 {
		return bad("alerts.email.to", "must list at least one recipient (or set ADWATCH_EMAIL_TO)")
	}
	for i, to := range e.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return bad(fmt.Sprintf("alerts.email.to[%d]", i), "%q is not an email address", to)
		}
	}
	return nil
}

func validateSource(s adwatch.Source, p string, bad func(string, string, ...any) error) error {
	if !sourceNameRE.MatchString(s.Name) {
		return bad(p+".name", "must match [a-z0-9-], got %q", s.Name)
	}
	if !s.Kind.Valid() {
		return bad(p+".kind", "must be government or press, got %q", s.Kind)
	}
	switch s.Type {
	case adwatch.SourceFeed, adwatch.SourceHTML, adwatch.SourceFederalRegister, adwatch.SourceList:
	default:
		return bad(p+".type", "must be feed, html, federalregister or list, got %q", s.Type)
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return bad(p+".url", "must be an absolute http(s) URL, got %q", s.URL)
	}
	if s.Schedule != "" {
		if _, err := CronParser.Parse(s.Schedule); err != nil {
			return bad(p+".schedule", "invalid cron schedule %q: %v", s.Schedule, err)
		}
	}
	if s.Type == adwatch.SourceHTML && s.ItemSelector == "" {
		return bad(p+".item_selector", "is required for html sources")
	}
	if s.MaxPages < 0 {
		return bad(p+".max_pages", "must not be negative")
	}
	if s.PerPage < 0 || s.PerPage > 1000 {
		return bad(p+".per_page", "must be between 1 and 1000")
	}
	for i, t := range s.DocumentTypes {
		switch t {
		case "RULE", "PRORULE", "NOTICE", "PRESDOCU":
		default:
			return bad(fmt.Sprintf("%s.document_types[%d]", p, i), "must be RULE, PRORULE, NOTICE or PRESDOCU, got %q", t)
		}
	}
	return nil
}
