package email_test

import (
	"bytes"
	"context"
	"io"
	"net/mail"
	"strings"
	"testing"

	"adwatch/alerts"
	"adwatch/alerts/email"
)

func TestSendNoticeToThePolicyList(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, modePlain, "", "")
	n, err := email.New(email.Config{
		URL: smtpURL("smtp", "127.0.0.1", srv.Port, false), TLS: "none", From: "adwatch@example.com",
		To: []string{"policy@example.com", "oncall@example.com"},
	}, links)
	if err != nil {
		t.Fatal(err)
	}
	x := alerts.Notice{Key: "source-warning/agency-press", Subject: "Source agency-press listed no items for 3 runs",
		Text: "It used to list press releases; check item_selector a.press-release."}
	if err := n.SendNotice(context.Background(), x); err != nil {
		t.Fatalf("SendNotice() = %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	if got, want := strings.Join(msgs[0].To, ","), "policy@example.com,oncall@example.com"; got != want {
		t.Errorf("RCPT TO = %q, want %q", got, want)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Header.Get("Subject"), "adwatch: "+x.Subject; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	body, _ := io.ReadAll(m.Body)
	if !strings.Contains(string(body), "item_selector a.press-release") {
		t.Errorf("body %q lacks the notice text", body)
	}
}
