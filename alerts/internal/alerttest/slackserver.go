package alerttest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// Reply is one scripted answer of the Slack stand-in.
type Reply struct {
	Status     int
	RetryAfter string // Retry-After header, for 429
	Body       string
	// Hold keeps the request open without answering until the client goes
	// away (it was killed); Held is signalled when it arrives.
	Hold bool
}

// Slack is a stand-in for a Slack incoming webhook: it checks each payload
// as Slack documents it (Block Kit types, text limits, mrkdwn escaping,
// fallback text), answers 400 invalid_payload when it is wrong, and
// otherwise answers from a script, then 200 "ok" for ever.
type Slack struct {
	*httptest.Server
	URL string // the secret webhook URL (with a token path)

	// Held receives one value for each request answered by a Hold reply.
	Held chan struct{}
	stop chan struct{}

	mu       sync.Mutex
	script   []Reply
	accepted []map[string]any
	requests int
	problems []string
}

// NewSlack starts a stand-in that answers script first.
func NewSlack(t testing.TB, script ...Reply) *Slack {
	s := &Slack{script: script, Held: make(chan struct{}, len(script)), stop: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(func() {
		close(s.stop) // release held requests, or Close waits for them
		s.Close()
	})
	s.URL = s.Server.URL + "/services/T0ADW/B0ADW/sEcReTtOkEn42"
	return s
}

// Accepted returns the payloads answered with 200.
func (s *Slack) Accepted() []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]map[string]any(nil), s.accepted...)
}

// Requests is the number of requests received.
func (s *Slack) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Problems lists why payloads were rejected as invalid.
func (s *Slack) Problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.problems...)
}

func (s *Slack) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if len(s.script) > 0 && s.script[0].Hold {
		s.requests++
		s.script = s.script[1:]
		s.mu.Unlock()
		// Read the body first: the server notices a vanished client (and
		// cancels the context) only once the request is fully read.
		_, _ = io.Copy(io.Discard, r.Body)
		s.Held <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-s.stop:
		}
		return
	}
	defer s.mu.Unlock()
	s.requests++
	if r.Method != http.MethodPost || r.URL.Path != "/services/T0ADW/B0ADW/sEcReTtOkEn42" {
		http.Error(w, "no_service", http.StatusNotFound)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if problem := ValidateSlack(r.Header.Get("Content-Type"), body); problem != "" {
		s.problems = append(s.problems, problem)
		http.Error(w, "invalid_payload", http.StatusBadRequest)
		return
	}
	if len(s.script) > 0 {
		reply := s.script[0]
		s.script = s.script[1:]
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
		w.WriteHeader(reply.Status)
		_, _ = io.WriteString(w, reply.Body)
		if reply.Status < 200 || reply.Status > 299 {
			return
		}
	} else {
		_, _ = io.WriteString(w, "ok")
	}
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	s.accepted = append(s.accepted, m)
}

var (
	reLink   = regexp.MustCompile(`<https?://[^|>\s]+\|[^<>]*>`)
	reEntity = regexp.MustCompile(`&(amp|lt|gt);`)
)

// ValidateSlack checks an incoming-webhook body against Slack's documented
// Block Kit rules and returns what is wrong, or "".
func ValidateSlack(contentType string, body []byte) string {
	if !strings.HasPrefix(contentType, "application/json") {
		return "content type " + contentType
	}
	var msg struct {
		Text   string            `json:"text"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(body, &msg); err != nil {
		return "not JSON: " + err.Error()
	}
	if strings.TrimSpace(msg.Text) == "" {
		return "no fallback text"
	}
	if p := mrkdwnProblem(msg.Text); p != "" {
		return "text: " + p
	}
	if len(msg.Blocks) == 0 || len(msg.Blocks) > 50 {
		return fmt.Sprintf("%d blocks", len(msg.Blocks))
	}
	for i, raw := range msg.Blocks {
		if p := blockProblem(raw); p != "" {
			return fmt.Sprintf("block %d: %s", i, p)
		}
	}
	return ""
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func blockProblem(raw json.RawMessage) string {
	var b struct {
		Type     string            `json:"type"`
		Text     *textObj          `json:"text"`
		Elements []json.RawMessage `json:"elements"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return err.Error()
	}
	switch b.Type {
	case "header":
		if b.Text == nil || b.Text.Type != "plain_text" {
			return "header needs plain_text"
		}
		return lengthProblem(b.Text.Text, 150)
	case "section":
		if b.Text == nil {
			return "section without text"
		}
		return textProblem(*b.Text, 3000)
	case "context":
		if len(b.Elements) == 0 || len(b.Elements) > 10 {
			return fmt.Sprintf("context with %d elements", len(b.Elements))
		}
		for _, e := range b.Elements {
			var t textObj
			if err := json.Unmarshal(e, &t); err != nil {
				return err.Error()
			}
			if p := textProblem(t, 3000); p != "" {
				return p
			}
		}
	case "actions":
		if len(b.Elements) == 0 || len(b.Elements) > 25 {
			return fmt.Sprintf("actions with %d elements", len(b.Elements))
		}
		for _, e := range b.Elements {
			var btn struct {
				Type     string  `json:"type"`
				Text     textObj `json:"text"`
				URL      string  `json:"url"`
				ActionID string  `json:"action_id"`
			}
			if err := json.Unmarshal(e, &btn); err != nil {
				return err.Error()
			}
			if btn.Type != "button" || btn.Text.Type != "plain_text" {
				return "action is not a button with plain_text"
			}
			if p := lengthProblem(btn.Text.Text, 75); p != "" {
				return "button text " + p
			}
			if len(btn.URL) > 3000 || len(btn.ActionID) > 255 {
				return "button url or action_id too long"
			}
		}
	case "divider":
	default:
		return "unknown block type " + b.Type
	}
	return ""
}

func textProblem(t textObj, max int) string {
	switch t.Type {
	case "plain_text":
		return lengthProblem(t.Text, max)
	case "mrkdwn":
		if p := lengthProblem(t.Text, max); p != "" {
			return p
		}
		return mrkdwnProblem(t.Text)
	default:
		return "text type " + t.Type
	}
}

func lengthProblem(s string, max int) string {
	if s == "" {
		return "empty text"
	}
	if !utf8.ValidString(s) {
		return "invalid UTF-8"
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Sprintf("%d characters, limit %d", n, max)
	}
	return ""
}

// mrkdwnProblem finds &, < or > that are not escaped or part of a link.
func mrkdwnProblem(s string) string {
	rest := reLink.ReplaceAllString(s, "")
	if strings.ContainsAny(rest, "<>") {
		return "unescaped < or > in " + fmt.Sprintf("%q", rest)
	}
	if strings.Count(rest, "&") != len(reEntity.FindAllString(rest, -1)) {
		return "unescaped & in " + fmt.Sprintf("%q", rest)
	}
	return ""
}
