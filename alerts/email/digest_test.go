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

	"adwatch"
	"adwatch/alerts"
	"adwatch/alerts/email"
	"adwatch/alerts/internal/alerttest"
)

func TestSendDigestToThePolicyListOnly(t *testing.T) {
	t.Parallel()
	srv := newSMTPServer(t, modePlain, "", "")
	n, err := email.New(email.Config{
		URL: smtpURL("smtp", "127.0.0.1", srv.Port, false), TLS: "none", From: "adwatch@example.com",
		To: []string{"policy@example.com"},
	}, links)
	if err != nil {
		t.Fatal(err)
	}
	dhs, fcc := alerttest.DHS(), alerttest.FCC()
	fcc.Title = "FCC names <Huawei> & ZTE"
	fcc.Story = []adwatch.StoryDocument{
		{DocumentID: fcc.DocumentID, URL: fcc.DocumentURL, Source: fcc.Source},
		{DocumentID: 99, URL: "https://other-paper.example/2021/03/12/covered-list", Source: "other-paper"},
	}
	d := alerts.NewDigest("email", "2024-03-02T07:00:00Z", []adwatch.Alert{dhs, fcc})
	if err := n.SendDigest(context.Background(), d); err != nil {
		t.Fatalf("SendDigest() = %v", err)
	}
	msgs := srv.messages()
	if len(msgs) != 1 {
		t.Fatalf("received %d messages, want 1", len(msgs))
	}
	if got := strings.Join(msgs[0].To, ","); got != "policy@example.com" {
		t.Errorf("RCPT TO = %q, want the policy list only (the DHS alert's owner must not see other advertisers)", got)
	}
	m, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := m.Header.Get("Subject"), "adwatch digest: 2 alerts for 2 advertisers"; got != want {
		t.Errorf("Subject = %q, want %q", got, want)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	parts := map[string]string{}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p)
		parts[ct] = string(b)
	}
	for _, want := range []string{"AO Kaspersky Lab (a-17): 1", dhs.DocumentURL, "FCC names <Huawei> & ZTE",
		"also: https://other-paper.example/2021/03/12/covered-list (other-paper)", "adwatch: http://127.0.0.1:8080/documents/5"} {
		if !strings.Contains(parts["text/plain"], want) {
			t.Errorf("text part lacks %q\n%s", want, parts["text/plain"])
		}
	}
	for _, want := range []string{"FCC names &lt;Huawei&gt; &amp; ZTE", `<a href="https://other-paper.example/2021/03/12/covered-list">other-paper</a>`} {
		if !strings.Contains(parts["text/html"], want) {
			t.Errorf("HTML part lacks %q\n%s", want, parts["text/html"])
		}
	}
}
