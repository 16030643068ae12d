package main

import (
	"bufio"
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"adwatch"
	"adwatch/demo"
	"adwatch/internal/testdb"
)

// TestKilledRunThenRerunDeliversEveryAlertOnceEverywhere is the issue's
// check: Slack answers 500, 500, then 429 before recovering, email goes to a
// real SMTP server without TLS, and the first `adwatch run` is killed with
// SIGKILL as soon as the first alert is committed. A second run finishes the
// work: every alert reaches Slack once and email once.
func TestKilledRunThenRerunDeliversEveryAlertOnceEverywhere(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "adwatch")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	site, err := demo.Start(t.Context(), "127.0.0.1:0")
	if err != nil {
		t.Fatalf("start sample site: %v", err)
	}
	t.Cleanup(func() { site.Close() })
	slack := newFlakySlack(t, 500, 500, 429)
	mailbox := newMailbox(t)
	dsn := testdb.DSN(t)
	dir := t.TempDir()

	var b strings.Builder
	fmt.Fprintf(&b, "database:\n  url: %q\n", dsn)
	b.WriteString("crawler:\n  allow_private_networks: true\n  delay: 0s\n  per_host_parallelism: 4\n")
	b.WriteString("  job_timeout: 8s\n  rescue_after: 9s\n  shutdown_grace: 5s\n")
	// A delivery cut off by the kill is retried once its 5 s attempt
	// timeout has passed and this process leads (River's rescuer).
	fmt.Fprintf(&b, "alerts:\n  deliver_timeout: 1m\n  job_timeout: 5s\n  slack:\n    webhook_url: %q\n", slack.URL+"/services/T0ADW/B0ADW/sEcReT")
	fmt.Fprintf(&b, "  email:\n    smtp_url: \"smtp://%s\"\n    tls: none\n    from: adwatch@example.com\n    to: [policy@example.com]\n", mailbox.addr)
	b.WriteString("sources:\n")
	for _, s := range demo.Sources(site.URL()) {
		js, _ := json.Marshal(s)
		fmt.Fprintf(&b, "  - %s\n", js)
	}
	config := filepath.Join(dir, "adwatch.yaml")
	csv := filepath.Join(dir, "advertisers.csv")
	if err := os.WriteFile(config, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(csv, demo.AdvertisersCSV(), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := adwatchCmd(bin, config, "advertisers", "import", csv).CombinedOutput(); err != nil {
		t.Fatalf("advertisers import: %v\n%s", err, out)
	}

	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })

	first := adwatchCmd(bin, config, "run")
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Wait() }()
	t.Cleanup(func() { first.Process.Kill() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM alerts`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("first run exited (%v) before any alert was stored\n%s", err, lastBytes(firstErr.String(), 3000))
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no alert within 20 s\n%s", lastBytes(firstErr.String(), 3000))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := first.Process.Kill(); err != nil { // SIGKILL: no shutdown code runs
		t.Fatal(err)
	}
	<-done

	second := adwatchCmd(bin, config, "run")
	var secondOut, secondErr bytes.Buffer
	second.Stdout, second.Stderr = &secondOut, &secondErr
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- second.Wait() }()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		second.Process.Kill()
		<-done
		t.Fatalf("second run did not finish within 60 s\n%s", lastBytes(secondErr.String(), 4000))
	}
	if code := second.ProcessState.ExitCode(); code != 0 {
		t.Fatalf("second run: exit %d\n%s\n%s", code, secondOut.String(), lastBytes(secondErr.String(), 4000))
	}

	out, err := adwatchCmd(bin, config, "alerts", "list", "--json").Output()
	if err != nil {
		t.Fatalf("alerts list: %v", err)
	}
	var alerts []adwatch.Alert
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var a adwatch.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("alerts list line %q: %v", sc.Text(), err)
		}
		alerts = append(alerts, a)
	}
	if len(alerts) < 2 {
		t.Fatalf("got %d alerts, want the sample site's several", len(alerts))
	}
	slackMsgs, mails := slack.messages(), mailbox.texts()
	for _, a := range alerts {
		// A message is about an advertiser when its headline (Slack's
		// header block, the email's subject) names it: another alert's
		// snippet may well mention the same company.
		if got := countContaining(slackMsgs, "header: "+a.Advertiser+"\n", a.DocumentURL); got != 1 {
			t.Errorf("alert %d (%s in %s): %d Slack messages, want 1", a.ID, a.Advertiser, a.DocumentURL, got)
		}
		if got := countContaining(mails, "Subject: "+a.Advertiser+" named ", a.DocumentURL); got != 1 {
			t.Errorf("alert %d (%s in %s): %d emails, want 1", a.ID, a.Advertiser, a.DocumentURL, got)
		}
		if !a.Delivered["slack"] || !a.Delivered["email"] {
			t.Errorf("alert %d: delivered = %v, want slack and email", a.ID, a.Delivered)
		}
	}
	if got, want := len(slackMsgs), len(alerts); got != want {
		t.Errorf("Slack accepted %d messages for %d alerts", got, want)
	}
	if got, want := len(mails), len(alerts); got != want {
		t.Errorf("SMTP server received %d messages for %d alerts", got, want)
	}
	if got := slack.refused(); got != 3 {
		t.Errorf("Slack stand-in refused %d requests, want its scripted 3", got)
	}
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func adwatchCmd(bin, config string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append(args, "--config", config)...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ADWATCH_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	return cmd
}

func countContaining(msgs []string, subs ...string) int {
	n := 0
next:
	for _, m := range msgs {
		for _, s := range subs {
			if !strings.Contains(m, s) {
				continue next
			}
		}
		n++
	}
	return n
}

// flakySlack is a Slack incoming-webhook stand-in that answers a script of
// failures (429 with Retry-After: 1) before accepting every message. It
// keeps each accepted message as the text a reader would see: every string
// of the JSON payload, with Slack's mrkdwn escapes undone.
type flakySlack struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int
	refusals int
	msgs     []string
}

func newFlakySlack(t *testing.T, script ...int) *flakySlack {
	s := &flakySlack{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.Close)
	return s
}

func (s *flakySlack) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var payload struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if r.Method != http.MethodPost || json.Unmarshal(body, &payload) != nil || payload.Text == "" || len(payload.Blocks) > 50 {
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) > 0 {
		code := s.script[0]
		s.script = s.script[1:]
		s.refusals++
		if code == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "1")
		}
		http.Error(w, "try later", code)
		return
	}
	var v any
	_ = json.Unmarshal(body, &v)
	var sb strings.Builder
	for _, raw := range payload.Blocks {
		var blk struct {
			Type string `json:"type"`
			Text struct {
				Text string `json:"text"`
			} `json:"text"`
		}
		if json.Unmarshal(raw, &blk) == nil && blk.Type == "header" {
			sb.WriteString("header: " + blk.Text.Text + "\n")
		}
	}
	collectStrings(v, &sb)
	text := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace(sb.String())
	s.msgs = append(s.msgs, text)
	io.WriteString(w, "ok")
}

func collectStrings(v any, sb *strings.Builder) {
	switch x := v.(type) {
	case string:
		sb.WriteString(x)
		sb.WriteByte('\n')
	case []any:
		for _, e := range x {
			collectStrings(e, sb)
		}
	case map[string]any:
		for _, e := range x {
			collectStrings(e, sb)
		}
	}
}

func (s *flakySlack) messages() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

func (s *flakySlack) refused() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refusals
}

// mailbox is a real SMTP server (go-smtp) on loopback without TLS or AUTH,
// as `tls: none` talks to; it keeps each message's decoded text part.
type mailbox struct {
	addr string
	mu   sync.Mutex
	msgs []string
}

func newMailbox(t *testing.T) *mailbox {
	m := &mailbox{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.addr = ln.Addr().String()
	srv := smtp.NewServer(mailBackend{m})
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m
}

func (m *mailbox) texts() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.msgs...)
}

type mailBackend struct{ m *mailbox }

func (b mailBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: b.m}, nil }

type mailSession struct {
	m  *mailbox
	to []string
}

func (s *mailSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *mailSession) Reset()        { s.to = nil }
func (s *mailSession) Logout() error { return nil }

func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	text, err := plainText(raw)
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unreadable message: " + err.Error()}
	}
	s.m.mu.Lock()
	s.m.msgs = append(s.m.msgs, text)
	s.m.mu.Unlock()
	return nil
}

// plainText is the subject and the decoded text/plain part of a message.
func plainText(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		return "", fmt.Errorf("content type %q: want multipart", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // undoes quoted-printable
		if errors.Is(err, io.EOF) {
			return "", errors.New("no text/plain part")
		}
		if err != nil {
			return "", err
		}
		if ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct == "text/plain" {
			body, err := io.ReadAll(p)
			return "Subject: " + subject + "\n" + string(body), err
		}
	}
}
