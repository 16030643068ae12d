package web

import (
	"net/http"

	"adwatch"
)

func (s *server) apiSources(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if srcs == nil {
		srcs = []adwatch.SourceHealth{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sources": srcs})
}

func (s *server) sourcesPage(w http.ResponseWriter, r *http.Request) {
	srcs, err := s.store.Sources(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "sources", map[string]any{"Sources": srcs})
}
