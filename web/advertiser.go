package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"adwatch"
	"adwatch/advcsv"
	"adwatch/store"
)

// maxCSV bounds an advertisers upload; the real list is far smaller.
const maxCSV = 10 << 20

func (s *server) apiAdvertisers(w http.ResponseWriter, r *http.Request) {
	activeOnly, _ := strconv.ParseBool(r.URL.Query().Get("active"))
	ads, err := s.store.Advertisers(r.Context(), activeOnly)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ads == nil {
		ads = []adwatch.Advertiser{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"advertisers": ads})
}

// importCSV parses the whole file before touching the store, so one bad row
// rejects the file with its line number and nothing changes.
func (s *server) importCSV(r *http.Request, body io.Reader, replace bool) (store.ImportStats, error) {
	ads, err := advcsv.Parse(body)
	if err != nil {
		var le *advcsv.LineError
		if errors.As(err, &le) {
			return store.ImportStats{}, errBadRequest("advertisers CSV rejected, nothing changed: " + le.Error())
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return store.ImportStats{}, &publicError{http.StatusRequestEntityTooLarge, "advertisers CSV is too large"}
		}
		return store.ImportStats{}, errBadRequest("advertisers CSV rejected, nothing changed: not a readable CSV file")
	}
	var st store.ImportStats
	err = s.changingAdvertisers(r.Context(), func() error {
		st, err = s.store.ImportAdvertisers(r.Context(), ads, replace)
		return err
	})
	if err != nil {
		return st, fmt.Errorf("import advertisers: %w", err)
	}
	return st, nil
}

// changingAdvertisers runs change, then tells Deps.AdvertisersChanged what
// the advertisers were before, so new and re-activated ones are screened
// against the archive. The change is committed by then: a failure to queue
// the re-screen is logged, not shown as a failed import.
func (s *server) changingAdvertisers(ctx context.Context, change func() error) error {
	var before []adwatch.Advertiser
	if s.deps.AdvertisersChanged != nil {
		var err error
		if before, err = s.store.Advertisers(ctx, false); err != nil {
			return fmt.Errorf("read advertisers: %w", err)
		}
	}
	if err := change(); err != nil {
		return err
	}
	if s.deps.AdvertisersChanged != nil {
		if err := s.deps.AdvertisersChanged(ctx, before); err != nil {
			s.log.ErrorContext(ctx, "queue re-screen after advertiser change", "err", err)
		}
	}
	return nil
}

func (s *server) apiImportAdvertisers(w http.ResponseWriter, r *http.Request) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "text/csv" && mt != "application/csv" && mt != "text/plain" {
		s.fail(w, r, &publicError{http.StatusUnsupportedMediaType, "send the advertisers file as text/csv"})
		return
	}
	replace, _ := strconv.ParseBool(r.URL.Query().Get("replace"))
	st, err := s.importCSV(r, http.MaxBytesReader(w, r.Body, maxCSV), replace)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]int{
		"inserted": st.Inserted, "updated": st.Updated, "unchanged": st.Unchanged, "deactivated": st.Deactivated,
	})
}

func activeState(r *http.Request) (bool, error) {
	switch r.PathValue("state") {
	case "activate":
		return true, nil
	case "deactivate":
		return false, nil
	}
	return false, adwatch.ErrNotFound
}

func (s *server) apiSetActive(w http.ResponseWriter, r *http.Request) {
	active, err := activeState(r)
	if err == nil {
		err = s.changingAdvertisers(r.Context(), func() error {
			return s.store.SetAdvertiserActive(r.Context(), r.PathValue("id"), active)
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "active": active})
}

func (s *server) advertisersPage(w http.ResponseWriter, r *http.Request) {
	s.renderAdvertisers(w, r, http.StatusOK, nil)
}

func (s *server) renderAdvertisers(w http.ResponseWriter, r *http.Request, status int, extra map[string]any) {
	ads, err := s.store.Advertisers(r.Context(), false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Advertisers": ads}
	for k, v := range extra {
		data[k] = v
	}
	q := r.URL.Query()
	if q.Has("imported") {
		data["Notice"] = "Imported: " + q.Get("imported")
	}
	s.render(w, r, status, "advertisers", data)
}

func (s *server) importPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxCSV+64<<10)
	f, _, err := r.FormFile("file")
	if err != nil {
		s.renderAdvertisers(w, r, http.StatusBadRequest, map[string]any{"ImportError": "Choose a CSV file to import."})
		return
	}
	defer f.Close()
	replace := r.PostFormValue("replace") != ""
	st, err := s.importCSV(r, f, replace)
	if err != nil {
		status, msg := statusOf(err)
		if status >= 500 {
			s.fail(w, r, err)
			return
		}
		s.renderAdvertisers(w, r, status, map[string]any{"ImportError": msg})
		return
	}
	summary := fmt.Sprintf("%d new, %d updated, %d unchanged, %d deactivated",
		st.Inserted, st.Updated, st.Unchanged, st.Deactivated)
	http.Redirect(w, r, "/advertisers?imported="+url.QueryEscape(summary), http.StatusSeeOther)
}

func (s *server) setActivePage(w http.ResponseWriter, r *http.Request) {
	active, err := activeState(r)
	if err == nil {
		err = s.changingAdvertisers(r.Context(), func() error {
			return s.store.SetAdvertiserActive(r.Context(), r.PathValue("id"), active)
		})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/advertisers", http.StatusSeeOther)
}
