package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

var pages = []string{"error", "login", "search", "document", "alerts", "advertisers", "advertiser", "sources"}

type templates struct{ byName map[string]*template.Template }

var funcs = template.FuncMap{
	// snippet trusts only the store's search snippet, which the store builds
	// by escaping the crawled text itself and adding <mark> around matches.
	"snippet": func(s string) template.HTML { return template.HTML(s) }, //nolint:gosec // escaped by store.Search
	"date": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.UTC().Format("2006-01-02")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.UTC().Format("2006-01-02")
		}
		return ""
	},
	"datetime": func(t any) string {
		switch v := t.(type) {
		case time.Time:
			if v.IsZero() {
				return ""
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		case *time.Time:
			if v == nil || v.IsZero() {
				return ""
			}
			return v.UTC().Format("2006-01-02 15:04 UTC")
		}
		return ""
	},
	// withParam returns the current query with one parameter set (or removed when
	// value is empty) and the cursor dropped: facet and filter links.
	"withParam": func(q url.Values, key, value string) string {
		c := url.Values{}
		for k, v := range q {
			c[k] = append([]string(nil), v...)
		}
		c.Del("cursor")
		if value == "" {
			c.Del(key)
		} else {
			c.Set(key, value)
		}
		return "?" + c.Encode()
	},
	"score": func(f float64) string { return fmt.Sprintf("%.2f", f) },
}

func mustTemplates() *templates {
	t := &templates{byName: map[string]*template.Template{}}
	for _, name := range pages {
		// Templates are embedded: a parse error is a build-time bug that
		// the tests catch, not bad input.
		t.byName[name] = template.Must(template.New(name).Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return t
}

// render executes a page into a buffer first, so a template failure becomes
// a clean 500 instead of half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	u, ok := userFrom(r.Context())
	data["User"] = u
	data["LoggedIn"] = ok && s.opts.Auth
	data["Path"] = r.URL.Path
	var buf bytes.Buffer
	if err := s.tmpl.byName[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		s.log.ErrorContext(r.Context(), "render page", slog.String("page", name), slog.String("error", err.Error()))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // embedded at build time; cannot fail at run time
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // files only, no directory listings
			return
		}
		files.ServeHTTP(w, r)
	})
}
