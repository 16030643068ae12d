package web

import (
	"net/http"
	"net/url"
)

// retry re-queues an alert's failed deliveries by hand, after the webhook or
// the mail server was fixed; ?channel= narrows it to one channel. Analysts
// may do it: it is part of triage, and a delivery is never doubled (a
// channel that already has a live job is not queued again).
func (s *server) retry(r *http.Request) (int64, []string, error) {
	if s.deps.RetryDeliveries == nil {
		return 0, nil, &publicError{http.StatusNotImplemented, "this server cannot queue deliveries"}
	}
	id, err := pathID(r)
	if err != nil {
		return 0, nil, err
	}
	channel := r.URL.Query().Get("channel")
	if len(channel) > 40 {
		return 0, nil, errBadRequest("unknown channel")
	}
	chans, err := s.deps.RetryDeliveries(r.Context(), id, channel)
	return id, chans, err
}

func (s *server) apiRetry(w http.ResponseWriter, r *http.Request) {
	id, chans, err := s.retry(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if chans == nil {
		chans = []string{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": id, "queued": chans})
}

func (s *server) retryPage(w http.ResponseWriter, r *http.Request) {
	if _, _, err := s.retry(r); err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/alerts"
	if st := r.URL.Query().Get("status"); st != "" {
		back += "?status=" + url.QueryEscape(st)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}
