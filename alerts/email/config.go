package email

import (
	"crypto/x509"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
)

// TLS modes.
const (
	TLSStartTLS = "starttls" // default: STARTTLS required, fail if not offered
	TLSImplicit = "tls"      // TLS from the first byte (smtps://, port 465)
	TLSNone     = "none"     // plain text; for a local relay or a test server
)

// Config says how to reach the SMTP server and whom to write to.
type Config struct {
	URL                string // smtp://user:pass@host:port or smtps://…
	TLS                string // starttls (default) | tls | none; smtps:// implies tls
	From               string
	To                 []string
	InsecureSkipVerify bool           // tests only
	RootCAs            *x509.CertPool // nil: the system roots
}

// server is a parsed Config.URL.
type server struct {
	host     string
	port     int
	username string
	password string
	tls      string
}

// parse checks cfg and returns the server to dial. Its errors never contain
// the password (nor the URL, which carries it).
func (cfg Config) parse() (server, error) {
	var s server
	u, err := parseURL(cfg.URL)
	if err != nil || u.Host == "" {
		return s, fmt.Errorf("email: smtp URL is not valid (want smtp or smtps, host and port, optional user and password)")
	}
	mode := strings.ToLower(strings.TrimSpace(cfg.TLS))
	switch u.Scheme {
	case "smtp":
		if mode == "" {
			mode = TLSStartTLS
		}
	case "smtps":
		if mode != "" && mode != TLSImplicit {
			return s, fmt.Errorf("email: smtps:// URL needs tls: %s, not %q", TLSImplicit, mode)
		}
		mode = TLSImplicit
	default:
		return s, fmt.Errorf("email: smtp URL scheme %q is not smtp or smtps", u.Scheme)
	}
	if mode != TLSStartTLS && mode != TLSImplicit && mode != TLSNone {
		return s, fmt.Errorf("email: tls %q is not one of starttls, tls, none", cfg.TLS)
	}
	s.tls = mode
	s.host = u.Hostname()
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return s, fmt.Errorf("email: smtp port %q is not valid", p)
		}
		s.port = port
	} else {
		s.port = defaultPort(mode)
	}
	if u.User != nil {
		s.username = u.User.Username()
		s.password, _ = u.User.Password()
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return s, fmt.Errorf("email: from address %q: %w", cfg.From, err)
	}
	if len(cfg.To) == 0 {
		return s, fmt.Errorf("email: no recipients (to)")
	}
	for _, to := range cfg.To {
		if _, err := mail.ParseAddress(to); err != nil {
			return s, fmt.Errorf("email: to address %q: %w", to, err)
		}
	}
	return s, nil
}

// parseURL parses an SMTP URL and, failing that, retries with the user
// information percent-encoded: passwords pasted from a secret store often
// hold '/', '#' or '@', which a URL must escape and operators rarely do.
func parseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err == nil {
		return u, nil
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	at := strings.LastIndexByte(rest, '@')
	if !ok || at < 0 {
		return nil, err
	}
	name, password, hasPassword := strings.Cut(rest[:at], ":")
	info := url.User(name)
	if hasPassword {
		info = url.UserPassword(name, password)
	}
	return url.Parse(scheme + "://" + info.String() + "@" + rest[at+1:])
}

func defaultPort(mode string) int {
	switch mode {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	default:
		return 587
	}
}

func (s server) addr() string { return net.JoinHostPort(s.host, strconv.Itoa(s.port)) }
