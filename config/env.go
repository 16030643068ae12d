package config

import (
	"strings"
)

// applyEnv lets the environment override the file, as the contract lists.
func applyEnv(cfg *Config, getenv func(string) string) error {
	set := func(dst *string, name string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	set(&cfg.Database.URL, "ADWATCH_DATABASE_URL")
	set(&cfg.Web.Listen, "ADWATCH_LISTEN")
	set(&cfg.Alerts.Slack.WebhookURL, "ADWATCH_SLACK_WEBHOOK_URL")
	set(&cfg.Alerts.Email.SMTPURL, "ADWATCH_SMTP_URL")
	set(&cfg.Alerts.Email.From, "ADWATCH_EMAIL_FROM")
	if v := getenv("ADWATCH_EMAIL_TO"); v != "" {
		cfg.Alerts.Email.To = nil
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				cfg.Alerts.Email.To = append(cfg.Alerts.Email.To, a)
			}
		}
	}
	return nil
}
