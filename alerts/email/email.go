// Package email delivers alerts by SMTP as multipart text + HTML messages,
// with STARTTLS required unless configured otherwise.
//
// It must not put the SMTP password (or the URL that carries it) in an error
// or a log line, and it never retries by itself: the delivery worker does,
// told by the error whether retrying can help.
package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/mail"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"adwatch"
	"adwatch/alerts"
)

// Channel is this notifier's channel name in delivery jobs and config.
const Channel = "email"

// DialTimeout bounds connecting to the server and each SMTP command.
const DialTimeout = 30 * time.Second

// Notifier sends each alert as one message to the policy list plus the
// advertiser's owner.
type Notifier struct {
	cfg   Config
	srv   server
	links alerts.Links
}

// New checks cfg and returns a Notifier. It does not connect: the server
// may be down now and up when the first alert is delivered.
func New(cfg Config, links alerts.Links) (*Notifier, error) {
	srv, err := cfg.parse()
	if err != nil {
		return nil, alerts.Redact(err, cfg.URL, srv.password)
	}
	return &Notifier{cfg: cfg, srv: srv, links: links}, nil
}

// Channel implements alerts.Notifier.
func (n *Notifier) Channel() string { return Channel }

// Recipients returns the configured list plus the alert's owner, each
// address once (compared case-insensitively), in that order.
func (n *Notifier) Recipients(a adwatch.Alert) []string {
	seen := map[string]bool{}
	var out []string
	add := func(addr string) {
		addr = strings.TrimSpace(addr)
		if addr == "" {
			return
		}
		key := strings.ToLower(addr)
		if p, err := mail.ParseAddress(addr); err == nil {
			key = strings.ToLower(p.Address)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, addr)
		}
	}
	for _, to := range n.cfg.To {
		add(to)
	}
	if _, err := mail.ParseAddress(a.OwnerEmail); err == nil {
		add(a.OwnerEmail)
	}
	return out
}

// Send delivers one alert. Connection failures and 4xx replies are
// retryable; 5xx replies, a missing STARTTLS and certificate failures are
// alerts.Permanent. When the server refuses only the advertiser's owner,
// the message still goes to the policy list.
func (n *Notifier) Send(ctx context.Context, a adwatch.Alert) error {
	all := n.Recipients(a)
	err := n.send(ctx, a, all)
	var se *gomail.SendError
	if err != nil && errors.As(err, &se) && se.Reason == gomail.ErrSMTPRcptTo {
		// A refused RCPT aborts the message before DATA, so nobody got it
		// yet; a typo in one owner_email must not keep it from the team.
		if list := n.Recipients(adwatch.Alert{}); len(list) < len(all) {
			err = n.send(ctx, a, list)
		}
	}
	return err
}

func (n *Notifier) send(ctx context.Context, a adwatch.Alert, to []string) error {
	msg, err := n.message(a, to)
	if err != nil {
		return alerts.Permanent(err)
	}
	client, err := gomail.NewClient(n.srv.host, n.options()...)
	if err != nil {
		return alerts.Permanent(n.redact(fmt.Errorf("email: client: %w", err)))
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return n.redact(classify(fmt.Errorf("email: send to %s: %w", n.srv.addr(), err)))
	}
	return nil
}

func (n *Notifier) message(a adwatch.Alert, to []string) (*gomail.Msg, error) {
	text, html, err := render(a, n.links)
	if err != nil {
		return nil, err
	}
	m := gomail.NewMsg()
	if err := m.From(n.cfg.From); err != nil {
		return nil, fmt.Errorf("email: from: %w", err)
	}
	if err := m.To(to...); err != nil {
		return nil, fmt.Errorf("email: to: %w", err)
	}
	m.Subject(alerts.Subject(a))
	m.SetDate()
	// A stable Message-ID per alert lets mail clients and archives spot a
	// repeat should one ever slip through.
	m.SetMessageIDWithValue(fmt.Sprintf("adwatch-alert-%d.%d@%s", a.ID, a.CreatedAt.Unix(), domain(n.cfg.From)))
	m.SetGenHeader("Auto-Submitted", "auto-generated")
	m.SetGenHeader("X-Adwatch-Alert-Id", strconv.FormatInt(a.ID, 10))
	m.SetUserAgent("adwatch/1.0")
	m.SetBodyString(gomail.TypeTextPlain, text)
	m.AddAlternativeString(gomail.TypeTextHTML, html)
	return m, nil
}

func (n *Notifier) options() []gomail.Option {
	tc := &tls.Config{
		ServerName:         n.srv.host,
		MinVersion:         tls.VersionTLS12,
		RootCAs:            n.cfg.RootCAs,
		InsecureSkipVerify: n.cfg.InsecureSkipVerify, //nolint:gosec // tests only, documented on Config
	}
	opts := []gomail.Option{
		gomail.WithPort(n.srv.port),
		gomail.WithTimeout(DialTimeout),
		gomail.WithTLSConfig(tc),
	}
	switch n.srv.tls {
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if n.srv.username != "" {
		// Auto-discovery picks the strongest mechanism offered and refuses
		// PLAIN/LOGIN on an unencrypted connection.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(n.srv.username), gomail.WithPassword(n.srv.password))
	}
	return opts
}

func (n *Notifier) redact(err error) error {
	return alerts.Redact(err, n.cfg.URL, n.srv.password)
}

// classify marks the failures that retrying cannot fix as Permanent.
func classify(err error) error {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		if tp.Code >= 500 {
			return alerts.Permanent(err)
		}
		return err
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if code := se.ErrorCode(); code >= 500 && !se.IsTemp() {
			return alerts.Permanent(err)
		}
		return err
	}
	var (
		unknownCA *x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return alerts.Permanent(err)
	}
	if errors.Is(err, gomail.ErrNoSupportedAuthDiscovered) || strings.Contains(err.Error(), "does not support STARTTLS") {
		return alerts.Permanent(err)
	}
	return err
}

func domain(addr string) string {
	if p, err := mail.ParseAddress(addr); err == nil {
		addr = p.Address
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && i+1 < len(addr) {
		return addr[i+1:]
	}
	return "adwatch.invalid"
}
