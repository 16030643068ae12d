package web

import (
	"encoding/json"
	"errors"
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

// decision reads the route and body of a confirm or dismiss: the reason comes
// as JSON {"reason": …} or as a form field.
func decision(w http.ResponseWriter, r *http.Request) (id int64, status, reason string, err error) {
	if id, err = pathID(r); err != nil {
		return 0, "", "", err
	}
	switch r.PathValue("decision") {
	case "confirm":
		status = adwatch.AlertConfirmed
	case "dismiss":
		status = adwatch.AlertDismissed
	default:
		return 0, "", "", adwatch.ErrNotFound
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" {
		var body struct {
			Reason string `json:"reason"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
			return 0, "", "", errBadRequest("body must be JSON like {\"reason\": \"…\"}")
		}
		reason = body.Reason
	} else {
		if err := r.ParseForm(); err != nil {
			return 0, "", "", errBadRequest("bad form")
		}
		reason = r.PostForm.Get("reason")
		if other := strings.TrimSpace(r.PostForm.Get("note")); other != "" {
			reason = strings.TrimSpace(reason + ": " + other)
		}
	}
	reason = strings.TrimSpace(reason)
	if len(reason) > 2000 {
		return 0, "", "", errBadRequest("reason is too long")
	}
	return id, status, reason, nil
}

func (s *server) decide(w http.ResponseWriter, r *http.Request) (int64, error) {
	id, status, reason, err := decision(w, r)
	if err != nil {
		return 0, err
	}
	u, _ := userFrom(r.Context())
	if err := s.store.DecideAlert(r.Context(), id, status, reason, u.Name); err != nil {
		return 0, err
	}
	return id, nil
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
