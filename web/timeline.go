package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"adwatch"
	"adwatch/store"
)

// chart is a server-rendered bar chart of an advertiser's months: mentions
// and alerts side by side. Only numbers and dates reach the SVG.
type chart struct {
	Width, Height, Top, Base int
	Bars                     []chartBar
	Ticks                    []chartTick
	Max                      int
}

type chartBar struct {
	X, W                   float64
	MentionY, MentionH     float64
	AlertX, AlertY, AlertH float64
	Label                  string
}

type chartTick struct {
	X     float64
	Label string
}

const (
	chartWidth  = 960
	chartHeight = 220
	chartLeft   = 40
	chartTop    = 10
	chartBase   = 190 // y of the axis; labels below
)

func newChart(months []store.MonthCount) *chart {
	if len(months) == 0 {
		return nil
	}
	c := &chart{Width: chartWidth, Height: chartHeight, Top: chartTop, Base: chartBase, Max: 1}
	for _, m := range months {
		c.Max = max(c.Max, m.Mentions, m.Alerts)
	}
	// A few months must not become a few giant bars.
	slot := min(float64(chartWidth-chartLeft)/float64(len(months)), 36)
	scale := float64(chartBase-chartTop) / float64(c.Max)
	for i, m := range months {
		x := chartLeft + float64(i)*slot
		w := max(slot*0.4, 0.5)
		c.Bars = append(c.Bars, chartBar{
			X: x + slot*0.1, W: w,
			MentionY: chartBase - float64(m.Mentions)*scale, MentionH: float64(m.Mentions) * scale,
			AlertX: x + slot*0.1 + w, AlertY: chartBase - float64(m.Alerts)*scale, AlertH: float64(m.Alerts) * scale,
			Label: fmt.Sprintf("%s: %d mentions, %d alerts", m.Month.Format("2006-01"), m.Mentions, m.Alerts),
		})
		// A label per month for a year or less; else one a year (January,
		// or the first month shown), fewer when years would crowd.
		if len(months) <= 12 {
			c.Ticks = append(c.Ticks, chartTick{X: x, Label: m.Month.Format("2006-01")})
		} else if m.Month.Month() == time.January || i == 0 {
			step := 1 + len(months)/(12*12)
			if i == 0 || m.Month.Year()%step == 0 {
				c.Ticks = append(c.Ticks, chartTick{X: x, Label: m.Month.Format("2006")})
			}
		}
	}
	return c
}

// advertiserDocs is how many of an advertiser's documents its page lists.
const advertiserDocs = 50

// advertiserTimeline reads an advertiser and its mentions and alerts per
// month, for the API and the page alike.
func (s *server) advertiserTimeline(r *http.Request, id string) (adwatch.Advertiser, []store.MonthCount, error) {
	a, err := s.store.Advertiser(r.Context(), id)
	if err != nil {
		return adwatch.Advertiser{}, nil, err
	}
	months, err := s.store.AdvertiserTimeline(r.Context(), id)
	return a, months, err
}

func (s *server) advertiserPage(w http.ResponseWriter, r *http.Request) {
	s.renderAdvertiser(w, r, http.StatusOK, nil)
}

func (s *server) renderAdvertiser(w http.ResponseWriter, r *http.Request, status int, extra map[string]any) {
	id := r.PathValue("id")
	a, months, err := s.advertiserTimeline(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	docs, err := s.store.Search(r.Context(), store.SearchQuery{Advertiser: id, Limit: advertiserDocs})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{
		"Adv": a, "Chart": newChart(months), "Docs": docs.Results, "More": docs.NextCursor != "",
		"AliasText": strings.Join(a.Aliases, "\n"),
	}
	if r.URL.Query().Has("saved") {
		data["Notice"] = "Aliases saved."
	}
	for k, v := range extra {
		data[k] = v
	}
	s.render(w, r, status, "advertiser", data)
}

func splitAliases(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == '|' })
}

func (s *server) setAliasesPage(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errBadRequest("bad form"))
		return
	}
	id := r.PathValue("id")
	if err := s.changingAdvertisers(r.Context(), func() error {
		return s.store.SetAdvertiserAliases(r.Context(), id, splitAliases(r.PostForm.Get("aliases")))
	}); err != nil {
		if errors.Is(err, adwatch.ErrInvalid) {
			s.renderAdvertiser(w, r, http.StatusBadRequest, map[string]any{
				"AliasError": "Aliases not saved: at most 200, each at most 200 bytes.", "AliasText": r.PostForm.Get("aliases")})
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/advertisers/"+url.PathEscape(id)+"?saved=1", http.StatusSeeOther)
}

func (s *server) apiAdvertiser(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	a, months, err := s.advertiserTimeline(r, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		adwatch.Advertiser
		Timeline []store.MonthCount `json:"timeline"`
	}{a, months})
}

// apiSetAliases replaces the aliases: JSON {"aliases": [...]}.
func (s *server) apiSetAliases(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		s.fail(w, r, &publicError{http.StatusUnsupportedMediaType, `send JSON like {"aliases": ["…"]}`})
		return
	}
	var body struct {
		Aliases []string `json:"aliases"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 256<<10)).Decode(&body); err != nil && !errors.Is(err, io.EOF) {
		s.fail(w, r, errBadRequest(`body must be JSON like {"aliases": ["…"]}`))
		return
	}
	id := r.PathValue("id")
	if err := s.changingAdvertisers(r.Context(), func() error {
		return s.store.SetAdvertiserAliases(r.Context(), id, body.Aliases)
	}); err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.store.Advertiser(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}
