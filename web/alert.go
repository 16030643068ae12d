package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"adwatch"
	"adwatch/store"
)

// dismissReasons are the answers the dismiss form offers; the API also takes
// free text.
var dismissReasons = []struct{ Value, Label string }{
	{"not_the_company", "Not the company (same name, something else)"},
	{"wrong_entity", "Wrong entity (a different company of a similar name)"},
	{"irrelevant", "Irrelevant (named, but nothing the policy team needs)"},
}

func parseAlertFilter(v url.Values) (store.AlertFilter, error) {
	f := store.AlertFilter{
		Status:       strings.TrimSpace(v.Get("status")),
		AdvertiserID: strings.TrimSpace(v.Get("advertiser")),
		Source:       strings.TrimSpace(v.Get("source")),
		Limit:        50,
	}
	switch f.Status {
	case "", adwatch.AlertNew, adwatch.AlertConfirmed, adwatch.AlertDismissed:
	default:
		return f, errBadRequest("status must be new, confirmed or dismissed")
	}
	if s := strings.TrimSpace(v.Get("limit")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 500 {
			return f, errBadRequest("limit must be a number from 1 to 500")
		}
		f.Limit = n
	}
	if s := strings.TrimSpace(v.Get("before")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return f, errBadRequest("before must be an alert id")
		}
		f.BeforeID = n
	}
	return f, nil
}

func (s *server) apiAlerts(w http.ResponseWriter, r *http.Request) {
	f, err := parseAlertFilter(r.URL.Query())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	alerts, err := s.store.Alerts(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if alerts == nil {
		alerts = []adwatch.Alert{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"alerts": alerts})
}

func (s *server) apiAlert(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.store.Alert(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// verdict is a confirm or dismiss as sent: the reason, and for a dismissal
// an optional suppression: "source" (this alias from this source) or
// "phrase" (this alias inside Phrase).
type verdict struct {
	id               int64
	status, reason   string
	suppress, phrase string
}

// decision reads the route and body of a confirm or dismiss: JSON
// {"reason": …, "suppress": "source"|"phrase", "phrase": …} or form fields
// of the same names (plus a free-text note).
func decision(w http.ResponseWriter, r *http.Request) (v verdict, err error) {
	id, status, reason, suppress, phrase, err := readDecision(w, r)
	if err != nil {
		return v, err
	}
	switch suppress {
	case "", "source", "phrase":
	default:
		return v, errBadRequest("suppress must be source or phrase")
	}
	if suppress != "" && status != adwatch.AlertDismissed {
		return v, errBadRequest("only a dismissal can suppress")
	}
	if suppress == "phrase" && strings.TrimSpace(phrase) == "" {
		return v, errBadRequest("a phrase suppression needs the phrase")
	}
	return verdict{id: id, status: status, reason: reason, suppress: suppress, phrase: strings.TrimSpace(phrase)}, nil
}

func readDecision(w http.ResponseWriter, r *http.Request) (id int64, status, reason, suppress, phrase string, err error) {
	if id, err = pathID(r); err != nil {
		return 0, "", "", "", "", err
	}
	switch r.PathValue("decision") {
	case "confirm":
		status = adwatch.AlertConfirmed
	case "dismiss":
		status = adwatch.AlertDismissed
	default:
		return 0, "", "", "", "", adwatch.ErrNotFound
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var body struct {
			Reason   string `json:"reason"`
			Suppress string `json:"suppress"`
			Phrase   string `json:"phrase"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return 0, "", "", "", "", errBadRequest("body must be JSON like {\"reason\": \"…\"}")
		}
		reason, suppress, phrase = body.Reason, body.Suppress, body.Phrase
	} else {
		if err := r.ParseForm(); err != nil {
			return 0, "", "", "", "", errBadRequest("bad form")
		}
		reason = r.PostForm.Get("reason")
		suppress, phrase = r.PostForm.Get("suppress"), r.PostForm.Get("phrase")
		if other := strings.TrimSpace(r.PostForm.Get("note")); other != "" {
			reason = strings.TrimSpace(reason + ": " + other)
		}
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 2000 || len(phrase) > 500 {
		return 0, "", "", "", "", errBadRequest("reason or phrase is too long")
	}
	return id, status, reason, suppress, phrase, nil
}

// decide records the decision and, for a dismissal that asks for it, the
// suppression rule built from the alert (its advertiser, alias and source).
func (s *server) decide(w http.ResponseWriter, r *http.Request) (int64, error) {
	v, err := decision(w, r)
	if err != nil {
		return 0, err
	}
	u, _ := userFrom(r.Context())
	var a adwatch.Alert
	if v.suppress != "" {
		// Read the alert first: a missing one is a 404 before anything is written.
		if a, err = s.store.Alert(r.Context(), v.id); err != nil {
			return 0, err
		}
	}
	if err := s.store.DecideAlert(r.Context(), v.id, v.status, v.reason, u.Name); err != nil {
		return 0, err
	}
	if v.suppress == "" {
		return v.id, nil
	}
	rule := store.Suppression{AdvertiserID: a.AdvertiserID, Alias: a.Alias, Reason: v.reason, CreatedBy: u.Name}
	if v.suppress == "source" {
		rule.Source = a.Source
	} else {
		rule.Phrase = v.phrase
	}
	if _, err := s.store.AddSuppression(r.Context(), rule); err != nil {
		return 0, fmt.Errorf("alert %d dismissed, but its suppression failed: %w", v.id, err)
	}
	return v.id, nil
}

func (s *server) apiSuppressions(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.Suppressions(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"suppressions": list})
}

func (s *server) apiDecide(w http.ResponseWriter, r *http.Request) {
	id, err := s.decide(w, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.store.Alert(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

func (s *server) decidePage(w http.ResponseWriter, r *http.Request) {
	if _, err := s.decide(w, r); err != nil {
		s.fail(w, r, err)
		return
	}
	// Back to the queue the analyst was working on.
	back := "/alerts"
	if st := r.URL.Query().Get("status"); st != "" {
		back += "?status=" + url.QueryEscape(st)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *server) alertsPage(w http.ResponseWriter, r *http.Request) {
	v := r.URL.Query()
	if !v.Has("status") {
		v.Set("status", adwatch.AlertNew) // the queue: what still needs a decision
	}
	f, err := parseAlertFilter(v)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	alerts, err := s.store.Alerts(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Alerts": alerts, "Status": f.Status, "Reasons": dismissReasons}
	if len(alerts) == f.Limit {
		next := url.Values{"status": {f.Status}, "before": {strconv.FormatInt(alerts[len(alerts)-1].ID, 10)}}
		data["Next"] = "?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, "alerts", data)
}
