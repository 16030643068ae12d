package email_test

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"adwatch/alerts"
	"adwatch/alerts/email"
	"adwatch/alerts/internal/alerttest"
)

const (
	user = "adwatch"
	pass = "pa55/w:rd&secret"
)

var links = alerts.Links{BaseURL: "http://127.0.0.1:8080"}

func smtpURL(scheme, host, port string, withAuth bool) string {
	u := scheme + "://"
	if withAuth {
		u += user + ":" + strings.NewReplacer("/", "%2F", ":", "%3A", "&", "%26").Replace(pass) + "@"
	}
	return u + host + ":" + port
}

func TestSendStartTLSWithAuth(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, modeStartTLS, user, pass)
	n, err := email.New(email.Config{
		URL:     smtpURL("smtp", srv.Host, srv.Port, true),
		From:    "adwatch <adwatch@example.com>",
		To:      []string{"policy@example.com", "Owner@Example.com"},
		RootCAs: srv.RootCAs,
	}, links)
	if err != nil {
		t.Fatalf("New() = %v", err)
	}
	a := alerttest.DHS() // owner@example.com is already on the list
	if err := n.Send(context.Background(), a); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("server received %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if !got.TLS || got.User != user {
		t.Errorf("TLS=%v user=%q, want TLS and user %q", got.TLS, got.User, user)
	}
	if got.From != "adwatch@example.com" {
		t.Errorf("MAIL FROM = %q, want adwatch@example.com", got.From)
	}
	if strings.Join(got.To, ",") != "policy@example.com,Owner@Example.com" {
		t.Errorf("RCPT TO = %v, want policy@ and the owner once", got.To)
	}
	checkMessage(t, got.Data, "AO Kaspersky Lab named in DHS notice: DHS Statement on the Issuance of Binding Operational Directive 17-01")
}

// checkMessage parses what the server received and checks headers and both
// MIME parts.
func checkMessage(t *testing.T, data []byte, subject string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("received message does not parse: %v", err)
	}
	dec := new(mime.WordDecoder)
	if got, _ := dec.DecodeHeader(m.Header.Get("Subject")); got != subject {
		t.Errorf("Subject = %q, want %q", got, subject)
	}
	if got := m.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted = %q, want auto-generated", got)
	}
	if got := m.Header.Get("Message-Id"); !strings.HasPrefix(got, "<adwatch-alert-") {
		t.Errorf("Message-ID = %q, want <adwatch-alert-…>", got)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading MIME part: %v", err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p)
		parts[ct] = string(b)
	}
	text, html := parts["text/plain"], parts["text/html"]
	for _, want := range []string{
		"Advertiser: AO Kaspersky Lab (a-17)",
		"URL:        https://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01",
		"identify *Kaspersky*-branded products on federal information systems & to remove them <within 90 days>",
		"Open in adwatch: http://127.0.0.1:8080/documents/5",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text part lacks %q\n%s", want, text)
		}
	}
	for _, want := range []string{
		`<a href="https://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01">DHS Statement on the Issuance of Binding Operational Directive 17-01</a>`,
		`identify <strong>Kaspersky</strong>-branded products on federal information systems &amp; to remove them &lt;within 90 days&gt;`,
		`<a href="http://127.0.0.1:8080/documents/5">Open in adwatch</a>`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML part lacks %q\n%s", want, html)
		}
	}
}

func TestSendAddsOwnerEmail(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, modeStartTLS, "", "")
	n, err := email.New(email.Config{
		URL: smtpURL("smtp", srv.Host, srv.Port, false), From: "adwatch@example.com",
		To: []string{"policy@example.com"}, RootCAs: srv.RootCAs,
	}, links)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), alerttest.DHS()); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	if got, want := strings.Join(msgs[0].To, ","), "policy@example.com,owner@example.com"; got != want {
		t.Errorf("RCPT TO = %q, want %q", got, want)
	}
	m, _ := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if got := m.Header.Get("To"); !strings.Contains(got, "owner@example.com") {
		t.Errorf("To header = %q, want the owner in it", got)
	}
}

func TestSendImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, modeImplicit, user, pass)
	n, err := email.New(email.Config{
		// The password is pasted unescaped, as operators do.
		URL: "smtps://" + user + ":" + pass + "@" + srv.Host + ":" + srv.Port, From: "adwatch@example.com",
		To: []string{"policy@example.com"}, RootCAs: srv.RootCAs,
	}, links)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), alerttest.FCC()); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 || !msgs[0].TLS || msgs[0].User != user {
		t.Fatalf("received %+v, want one message over TLS from %q", msgs, user)
	}
}

func TestSendWithoutTLS(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, modePlain, "", "")
	n, err := email.New(email.Config{
		URL: smtpURL("smtp", "127.0.0.1", srv.Port, false), TLS: "none", From: "adwatch@example.com",
		To: []string{"policy@example.com"},
	}, links)
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Send(context.Background(), alerttest.FCC()); err != nil {
		t.Fatalf("Send() = %v", err)
	}
	if msgs := srv.messages(); len(msgs) != 1 || msgs[0].TLS {
		t.Fatalf("received %d messages (TLS %v), want one in plain text", len(msgs), len(msgs) > 0 && msgs[0].TLS)
	}
}

func TestSendFailures(t *testing.T) {
	t.Parallel()
	plain := newSMTPServer(t, modePlain, "", "")
	tlsSrv := newSMTPServer(t, modeStartTLS, user, pass)
	untrusted := newSMTPServer(t, modeStartTLS, "", "")
	tests := []struct {
		name      string
		cfg       email.Config
		permanent bool
	}{
		{"STARTTLS required but not offered", email.Config{URL: smtpURL("smtp", "127.0.0.1", plain.Port, true)}, true},
		{"wrong password is refused with 535", email.Config{
			URL: strings.Replace(smtpURL("smtp", tlsSrv.Host, tlsSrv.Port, true), "pa55", "pa56", 1), RootCAs: tlsSrv.RootCAs}, true},
		{"untrusted certificate", email.Config{URL: smtpURL("smtp", untrusted.Host, untrusted.Port, true)}, true},
		{"connection refused", email.Config{URL: smtpURL("smtp", "127.0.0.1", closedPort(t), true)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.From, tt.cfg.To = "adwatch@example.com", []string{"policy@example.com"}
			n, err := email.New(tt.cfg, links)
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), alerttest.DHS())
			if err == nil {
				t.Fatal("Send() = nil, want an error")
			}
			t.Logf("error: %v", err)
			if got := alerts.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			for _, secret := range []string{"pa55", "pa56", "w:rd", "%2Fw%3Ard"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q reveals the password", err)
				}
			}
		})
	}
	if n := len(plain.messages()) + len(tlsSrv.messages()) + len(untrusted.messages()); n != 0 {
		t.Errorf("servers received %d messages, want none", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	good := email.Config{URL: "smtp://u:" + pass + "@mail.example.com:587", From: "a@example.com", To: []string{"b@example.com"}}
	tests := map[string]func(*email.Config){
		"scheme":        func(c *email.Config) { c.URL = "http://u:" + pass + "@mail.example.com" },
		"tls mode":      func(c *email.Config) { c.TLS = "maybe" },
		"smtps+none":    func(c *email.Config) { c.URL = strings.Replace(c.URL, "smtp:", "smtps:", 1); c.TLS = "none" },
		"from":          func(c *email.Config) { c.From = "not an address" },
		"no recipients": func(c *email.Config) { c.To = nil },
		"bad port":      func(c *email.Config) { c.URL = "smtp://u:" + pass + "@mail.example.com:99999" },
	}
	if _, err := email.New(good, links); err != nil {
		t.Fatalf("New(good, password not escaped) = %v", err)
	}
	for name, change := range tests {
		cfg := good
		change(&cfg)
		_, err := email.New(cfg, links)
		if err == nil {
			t.Errorf("%s: New() = nil error, want a rejection", name)
			continue
		}
		if strings.Contains(err.Error(), "pa55") {
			t.Errorf("%s: error %q reveals the password", name, err)
		}
	}
}

func TestSendRecipientRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		refuse    refusal
		wantTo    string // delivered to; "" for not delivered
		permanent bool
	}{
		{"refused owner still reaches the list", refusal{"owner@example.com", 550}, "policy@example.com", false},
		{"policy list refused for good", refusal{"policy@example.com", 550}, "", true},
		{"policy list deferred", refusal{"policy@example.com", 451}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newSMTPServer(t, modePlain, "", "", tt.refuse)
			n, err := email.New(email.Config{
				URL: smtpURL("smtp", "127.0.0.1", srv.Port, false), TLS: "none", From: "adwatch@example.com",
				To: []string{"policy@example.com"},
			}, links)
			if err != nil {
				t.Fatal(err)
			}
			err = n.Send(context.Background(), alerttest.DHS())
			msgs := srv.messages()
			if tt.wantTo != "" {
				if err != nil || len(msgs) != 1 || strings.Join(msgs[0].To, ",") != tt.wantTo {
					t.Fatalf("Send() = %v, received %d messages, want one to %s", err, len(msgs), tt.wantTo)
				}
				return
			}
			if err == nil || len(msgs) != 0 {
				t.Fatalf("Send() = %v with %d messages received, want an error and none", err, len(msgs))
			}
			if got := alerts.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
		})
	}
}
