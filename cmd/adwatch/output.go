package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"adwatch"
)

// table prints aligned columns for people.
type table struct{ tw *tabwriter.Writer }

func newTable(w io.Writer, header ...string) *table {
	t := &table{tw: tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)}
	t.row(header...)
	return t
}

func (t *table) row(cols ...string) {
	for i, c := range cols {
		cols[i] = strings.ReplaceAll(strings.ReplaceAll(c, "\t", " "), "\n", " ")
	}
	fmt.Fprintln(t.tw, strings.Join(cols, "\t"))
}

func (t *table) flush() { t.tw.Flush() }

// jsonLine prints one JSON object per line for scripts.
func jsonLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode json: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func fmtTime(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04")
}

func fmtDate(t *time.Time) string {
	if t == nil || t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02")
}

func printRunSummary(e *env, res runResult, asJSON bool) {
	if asJSON {
		for _, r := range res.runs {
			jsonLine(e.stdout, r) //nolint:errcheck // stdout
		}
		return
	}
	fmt.Fprintln(e.stdout, "\nRun summary")
	t := newTable(e.stdout, "SOURCE", "PAGES", "ITEMS", "NEW DOCS", "UNCHANGED", "ALERTS", "KB", "TIME", "STATUS")
	var docs, alerts, pages int
	for _, r := range res.runs {
		status := "ok"
		if res.interrupted[r.Source] {
			status = "interrupted: resumed by another process or the next run"
		} else if r.Err != "" {
			status = "FAILED: " + clip(r.Err, 60)
		} else if len(r.Errors) > 0 {
			status = fmt.Sprintf("ok, %d page errors", len(r.Errors))
		}
		t.row(r.Source, fmt.Sprint(r.Pages), fmt.Sprint(r.ItemsSeen), fmt.Sprint(r.NewDocuments),
			fmt.Sprint(r.Unchanged), fmt.Sprint(r.Alerts), fmt.Sprint(r.Bytes/1024),
			r.Duration.Round(time.Millisecond).String(), status)
		docs += r.NewDocuments
		alerts += r.Alerts
		pages += r.Pages
	}
	t.flush()
	fmt.Fprintf(e.stdout, "\n%d sources, %d pages, %d new documents, %d new alerts\n", len(res.runs), pages, docs, alerts)
	for _, r := range res.runs {
		for i, pe := range r.Errors {
			if i == 5 {
				fmt.Fprintf(e.stdout, "  %s: … %d more page errors\n", r.Source, len(r.Errors)-5)
				break
			}
			fmt.Fprintf(e.stdout, "  %s: %s\n", r.Source, clip(pe, 160))
		}
	}
	if len(res.undelivered) > 0 {
		chans := make([]string, 0, len(res.undelivered))
		for c, n := range res.undelivered {
			chans = append(chans, fmt.Sprintf("%s=%d", c, n))
		}
		sort.Strings(chans)
		fmt.Fprintf(e.stdout, "undelivered alerts (taken up by the next run, serve or worker): %s\n", strings.Join(chans, " "))
	}
}

func printAlerts(w io.Writer, as []adwatch.Alert, channels []string) {
	t := newTable(w, append([]string{"ID", "ADVERTISER", "KIND", "SOURCE", "SCORE", "STATUS", "DOCUMENT"}, upper(channels)...)...)
	for _, a := range as {
		row := []string{fmt.Sprint(a.ID), clip(a.Advertiser, 28), string(a.Kind), a.Source,
			fmt.Sprintf("%.2f", a.Score), a.Status, clip(a.Title, 60)}
		for _, c := range channels {
			row = append(row, deliveryState(a, c))
		}
		t.row(row...)
	}
	t.flush()
}

func deliveryState(a adwatch.Alert, channel string) string {
	if d, ok := a.Deliveries[channel]; ok {
		return d.Status
	}
	return "-"
}

func upper(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToUpper(s)
	}
	return out
}

// alertChannels lists the channels that appear in a set of alerts, console
// first, so the table shows what was actually configured when they were made.
func alertChannels(as []adwatch.Alert) []string {
	seen := map[string]bool{}
	for _, a := range as {
		for c := range a.Deliveries {
			seen[c] = true
		}
	}
	var out []string
	for _, c := range []string{"console", "slack", "email", "webhook"} {
		if seen[c] {
			out = append(out, c)
			delete(seen, c)
		}
	}
	for c := range seen {
		out = append(out, c)
	}
	return out
}
