package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"time"

	"adwatch"
	"adwatch/store"
)

// pathID reads a positive numeric id from the route; anything else is 404,
// since no such resource can exist.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, adwatch.ErrNotFound
	}
	return id, nil
}

func (s *server) documentAlerts(r *http.Request, id int64) ([]adwatch.Alert, error) {
	alerts, err := s.store.Alerts(r.Context(), store.AlertFilter{DocumentID: id, Limit: 100})
	if err != nil {
		return nil, err
	}
	if alerts == nil {
		alerts = []adwatch.Alert{}
	}
	return alerts, nil
}

// document reads the document of the route and the alerts it raised, for
// the API and the page alike.
func (s *server) document(r *http.Request) (adwatch.Document, []adwatch.Alert, error) {
	id, err := pathID(r)
	if err != nil {
		return adwatch.Document{}, nil, err
	}
	doc, err := s.store.Document(r.Context(), id)
	if err != nil {
		return adwatch.Document{}, nil, err
	}
	alerts, err := s.documentAlerts(r, id)
	return doc, alerts, err
}

func (s *server) apiDocument(w http.ResponseWriter, r *http.Request) {
	doc, alerts, err := s.document(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if doc.Advertisers == nil {
		doc.Advertisers = []string{}
	}
	writeJSON(w, http.StatusOK, struct {
		adwatch.Document
		Alerts []adwatch.Alert `json:"alerts"`
	}{doc, alerts})
}

func (s *server) documentPage(w http.ResponseWriter, r *http.Request) {
	doc, alerts, err := s.document(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	versions, err := s.store.DocumentVersions(r.Context(), doc.URL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{
		"Doc": doc, "Alerts": alerts, "Versions": versions, "Segments": highlight(doc, alerts),
	}
	if doc.PreviousID != 0 {
		prev, err := s.store.Document(r.Context(), doc.PreviousID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Changes"] = lineDiff(prev.Text, doc.Text)
	}
	s.render(w, r, http.StatusOK, "document", data)
}

// documentRaw hands out the stored response as evidence. It is always a
// download of opaque bytes, sandboxed: crawled HTML must never run as a page
// of this site.
func (s *server) documentRaw(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := s.store.Document(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sum := sha256.Sum256(doc.Raw)
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", `attachment; filename="document-`+strconv.FormatInt(doc.ID, 10)+`.raw"`)
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Content-Length", strconv.Itoa(len(doc.Raw)))
	h.Set("X-Adwatch-Fetched-At", doc.FetchedAt.UTC().Format(time.RFC3339))
	h.Set("X-Adwatch-Content-Hash", doc.ContentHash)
	h.Set("X-Adwatch-Raw-Sha256", hex.EncodeToString(sum[:]))
	h.Set("X-Adwatch-Url", doc.URL)
	if doc.ContentType != "" {
		h.Set("X-Adwatch-Content-Type", doc.ContentType)
	}
	if doc.Status != 0 {
		h.Set("X-Adwatch-Status", strconv.Itoa(doc.Status))
	}
	_, _ = w.Write(doc.Raw)
}
