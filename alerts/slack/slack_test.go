package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"adwatch/alerts"
	"adwatch/alerts/internal/alerttest"
	"adwatch/alerts/slack"
)

var links = alerts.Links{BaseURL: "http://127.0.0.1:8080"}

func TestSendDeliversBlockKitMessage(t *testing.T) {
	t.Parallel()
	srv := alerttest.NewSlack(t)
	n := slack.New(srv.URL, srv.Client(), links)
	if err := n.Send(context.Background(), alerttest.DHS()); err != nil {
		t.Fatalf("Send() = %v, want nil (problems: %v)", err, srv.Problems())
	}
	got := srv.Accepted()
	if len(got) != 1 {
		t.Fatalf("accepted %d messages, want 1 (problems: %v)", len(got), srv.Problems())
	}
	raw, _ := json.Marshal(got[0])
	body := string(raw)
	for _, want := range []string{
		`"text":"AO Kaspersky Lab named in DHS notice: DHS Statement on the Issuance of Binding Operational Directive 17-01 https://www.dhs.gov/`,
		`{"emoji":true,"text":"AO Kaspersky Lab","type":"plain_text"}`,
		`*\u003chttps://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01|DHS Statement on the Issuance of Binding Operational Directive 17-01\u003e*`,
		`identify *Kaspersky*-branded products on federal information systems \u0026amp; to remove them \u0026lt;within 90 days\u0026gt;`,
		`Published 13 Sep 2017`,
		`Score 0.97`,
		`company cue: -branded products`,
		`"url":"http://127.0.0.1:8080/documents/5"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("payload lacks %s\npayload: %s", want, body)
		}
	}
}

func TestBuildStaysWithinSlackLimits(t *testing.T) {
	t.Parallel()
	a := alerttest.FCC()
	a.Advertiser = strings.Repeat("Hikvision Digital Technology & Co <Ltd> ", 20)
	a.Title = strings.Repeat("Covered List <update> & more ", 300)
	a.Snippet = strings.Repeat("Huawei & ZTE <equipment> ", 2000) + "Huawei"
	a.Alias = "Huawei"
	a.DocumentURL = "https://press.example.com/" + strings.Repeat("a|b>", 600)
	for i := 0; i < 40; i++ {
		a.Reasons = append(a.Reasons, strings.Repeat("reason <&> ", 30))
	}
	body, err := json.Marshal(slack.Build(a, links))
	if err != nil {
		t.Fatal(err)
	}
	if p := alerttest.ValidateSlack("application/json", body); p != "" {
		t.Errorf("payload invalid: %s", p)
	}
}

func TestSendMapsStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		reply     alerttest.Reply
		permanent bool
		after     time.Duration // >0: want a RetryAfterError
	}{
		{"500 is retryable", alerttest.Reply{Status: 500, Body: "internal_error"}, false, 0},
		{"503 is retryable", alerttest.Reply{Status: 503}, false, 0},
		{"429 waits as told", alerttest.Reply{Status: 429, RetryAfter: "7"}, false, 7 * time.Second},
		{"400 is permanent", alerttest.Reply{Status: 400, Body: "invalid_payload"}, true, 0},
		{"403 is permanent", alerttest.Reply{Status: 403, Body: "action_prohibited"}, true, 0},
		{"404 is permanent", alerttest.Reply{Status: 404, Body: "no_service"}, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := alerttest.NewSlack(t, tt.reply)
			err := slack.New(srv.URL, srv.Client(), links).Send(context.Background(), alerttest.FCC())
			if err == nil {
				t.Fatalf("Send() = nil, want an error for status %d", tt.reply.Status)
			}
			if got := alerts.IsPermanent(err); got != tt.permanent {
				t.Errorf("IsPermanent(%v) = %v, want %v", err, got, tt.permanent)
			}
			var ra *alerts.RetryAfterError
			if got := errors.As(err, &ra); got != (tt.after > 0) {
				t.Errorf("RetryAfterError: %v, want %v", got, tt.after > 0)
			} else if got && ra.After != tt.after {
				t.Errorf("After = %s, want %s", ra.After, tt.after)
			}
			if want := "slack webhook: status"; !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
			assertNoSecret(t, err, srv.URL)
		})
	}
}

func TestSendWithoutServerIsRetryableAndRedacted(t *testing.T) {
	t.Parallel()
	srv := alerttest.NewSlack(t)
	secretURL := srv.URL
	srv.Close() // connection refused from now on
	err := slack.New(secretURL, &http.Client{Timeout: 5 * time.Second}, links).Send(context.Background(), alerttest.DHS())
	if err == nil {
		t.Fatal("Send() to a closed server = nil, want an error")
	}
	if alerts.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = true, want false: the server may come back", err)
	}
	assertNoSecret(t, err, secretURL)
}

func TestSendBadURLIsPermanent(t *testing.T) {
	t.Parallel()
	err := slack.New("hooks.example.com/services/XYZsecret", nil, links).Send(context.Background(), alerttest.DHS())
	if !alerts.IsPermanent(err) {
		t.Errorf("IsPermanent(%v) = false, want true", err)
	}
	assertNoSecret(t, err, "hooks.example.com/services/XYZsecret")
}

func TestSnippetCutsSafely(t *testing.T) {
	t.Parallel()
	snip := "Kaspersky & Kaspersky <Kaspersky> Лаборатория Касперского"
	for max := 1; max < 80; max++ {
		got := slack.Snippet(snip, "Kaspersky", max)
		body, _ := json.Marshal(map[string]any{"text": "x", "blocks": []any{map[string]any{
			"type": "section", "text": map[string]string{"type": "mrkdwn", "text": got + "."}}}})
		if p := alerttest.ValidateSlack("application/json", body); p != "" && got != "" {
			t.Errorf("Snippet(max=%d) = %q: %s", max, got, p)
		}
		if n := len([]rune(got)); n > max {
			t.Errorf("Snippet(max=%d) has %d runes", max, n)
		}
		if strings.Count(got, "*")%2 != 0 {
			t.Errorf("Snippet(max=%d) = %q leaves a bold run open", max, got)
		}
	}
}

func FuzzBuild(f *testing.F) {
	f.Add("AO Kaspersky Lab", "Kaspersky", "remove Kaspersky-branded products & <more>", "BOD 17-01")
	f.Fuzz(func(t *testing.T, adv, alias, snippet, title string) {
		a := alerttest.DHS()
		a.Advertiser, a.Alias, a.Snippet, a.Title = adv, alias, snippet, title
		body, err := json.Marshal(slack.Build(a, links))
		if err != nil {
			t.Fatal(err)
		}
		if p := alerttest.ValidateSlack("application/json", body); p != "" {
			t.Errorf("invalid payload: %s\n%s", p, body)
		}
	})
}

func assertNoSecret(t *testing.T, err error, secretURL string) {
	t.Helper()
	for _, s := range []string{secretURL, "sEcReTtOkEn42", "XYZsecret"} {
		if strings.Contains(err.Error(), s) {
			t.Errorf("error %q reveals %q", err, s)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	a := alerttest.DHS()
	for b.Loop() {
		if _, err := json.Marshal(slack.Build(a, links)); err != nil {
			b.Fatal(err)
		}
	}
}
