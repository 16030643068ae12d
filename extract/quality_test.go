package extract_test

// The quality test: extraction and advertiser matching measured on the
// hand-labelled development set in testdata/devset (see its README and
// docs/quality.md). It fails when alert precision or recall over dev and
// holdout together falls below the floors below, and logs the figures, a
// plain whole-word search as the baseline, and every miss and false alarm
// with its snippet.
//
//	go test ./extract -run Quality -v

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"adwatch"
	"adwatch/extract"
	"adwatch/extract/names"
)

// Floors for alert precision and recall over dev+holdout. They sit a little
// under what the rules reach today so that a regression fails the build; they
// are never set below 0.90. The product target is 0.95/0.95 on documents
// nobody tuned for.
// Company recall (every business a document names, not only advertisers) is
// the weaker half; its floor guards against regressions too.
const (
	minAlertPrecision = 0.97
	minAlertRecall    = 0.97
	minCompanyRecall  = 0.70
)

const devsetDir = "../testdata/devset"

// devLabel is one entry of testdata/devset/labels.json.
type devLabel struct {
	File         string   `json:"file"`
	Kind         string   `json:"kind"`
	Companies    []string `json:"companies"` // "A|B": spellings of one company
	MustAlert    []string `json:"must_alert"`
	MustNotAlert []string `json:"must_not_alert"`
	Note         string   `json:"note"`
}

// split is "dev" or "holdout", from the label's path.
func (l devLabel) split() string {
	s, _, _ := strings.Cut(l.File, "/")
	return s
}

// score accumulates micro-averaged counts over (document, advertiser) pairs
// and over labelled companies.
type score struct {
	tp, fp, fn           int
	compFound, compTotal int // labelled companies found, labelled companies
	compRight, compGot   int // companies returned that are labelled, companies returned
	docs                 int
}

func (s *score) add(o score) {
	s.tp += o.tp
	s.fp += o.fp
	s.fn += o.fn
	s.compFound += o.compFound
	s.compTotal += o.compTotal
	s.compRight += o.compRight
	s.compGot += o.compGot
	s.docs += o.docs
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (s score) precision() float64 { return ratio(s.tp, s.tp+s.fp) }
func (s score) recall() float64    { return ratio(s.tp, s.tp+s.fn) }
func (s score) companyRecall() float64 {
	return ratio(s.compFound, s.compTotal)
}

// companyPrecision is approximate: labels list businesses the body names,
// so a company returned from chrome, a product or a place counts against it,
// but so would a business the labeller overlooked.
func (s score) companyPrecision() float64 { return ratio(s.compRight, s.compGot) }

func (s score) String() string {
	return fmt.Sprintf("P %.3f  R %.3f  (tp %d fp %d fn %d)", s.precision(), s.recall(), s.tp, s.fp, s.fn)
}

// alertCounts compares the advertiser ids that fired with the labels. Every
// id outside must_alert that fires is a false positive.
func alertCounts(got map[string]bool, want []string) (sc score, fps, fns []string) {
	for _, id := range want {
		if got[id] {
			sc.tp++
		} else {
			sc.fn++
			fns = append(fns, id)
		}
	}
	for id := range got {
		if !slices.Contains(want, id) {
			sc.fp++
			fps = append(fps, id)
		}
	}
	slices.Sort(fps)
	return sc, fps, fns
}

func TestQuality(t *testing.T) {
	t.Parallel()
	ads := loadDevsetAdvertisers(t, filepath.Join(devsetDir, "advertisers.csv"))
	labels := loadDevsetLabels(t, filepath.Join(devsetDir, "labels.json"))
	m, err := names.NewMatcher(ads)
	if err != nil {
		t.Fatalf("NewMatcher: %v", err)
	}
	ex := extract.New(extract.Options{Matcher: m})
	byID := make(map[string]adwatch.Advertiser, len(ads))
	for _, a := range ads {
		byID[a.ID] = a
	}
	fold := newBaseline(ads, false)
	exact := newBaseline(ads, true)

	ours := map[string]*score{"dev": {}, "holdout": {}}
	baseFold := map[string]*score{"dev": {}, "holdout": {}}
	baseExact := map[string]*score{"dev": {}, "holdout": {}}
	var report strings.Builder
	for _, l := range labels {
		body, err := os.ReadFile(filepath.Join(devsetDir, l.File))
		if err != nil {
			t.Fatalf("read %s: %v", l.File, err)
		}
		got, err := ex.Extract(context.Background(), extract.Input{Name: l.File, Kind: adwatch.Kind(l.Kind), Body: body})
		if err != nil {
			t.Errorf("Extract(%s): %v", l.File, err)
			continue
		}
		matched := make(map[string]bool)
		snippets := make(map[string]string)
		for _, mt := range got.Matches {
			matched[mt.AdvertiserID] = true
			snippets[mt.AdvertiserID] = fmt.Sprintf("alias %q score %.2f %v: %q", mt.Alias, mt.Score, mt.Reasons, mt.Snippet)
		}
		sc, fps, fns := alertCounts(matched, l.MustAlert)
		found, missing, extra := companiesFound(l.Companies, got.Companies)
		sc.compFound, sc.compTotal, sc.docs = found, len(l.Companies), 1
		sc.compGot = len(got.Companies)
		sc.compRight = sc.compGot - len(extra)
		ours[l.split()].add(sc)

		text := got.Title + "\n" + got.Text
		bf, _, _ := alertCounts(fold.match(text), l.MustAlert)
		be, _, _ := alertCounts(exact.match(text), l.MustAlert)
		bf.docs, be.docs = 1, 1
		baseFold[l.split()].add(bf)
		baseExact[l.split()].add(be)

		for _, id := range fps {
			fmt.Fprintf(&report, "  FALSE ALARM %-48s %-5s %-28s %s\n", l.File, id, byID[id].Name, snippets[id])
		}
		for _, id := range fns {
			fmt.Fprintf(&report, "  MISSED      %-48s %-5s %s\n", l.File, id, byID[id].Name)
		}
		if len(missing) > 0 {
			fmt.Fprintf(&report, "  COMPANIES   %-48s not found: %s\n", l.File, strings.Join(missing, "; "))
		}
		if len(extra) > 0 {
			fmt.Fprintf(&report, "  EXTRA CO.   %-48s not labelled: %s\n", l.File, strings.Join(extra, "; "))
		}
	}

	var all, allFold, allExact score
	for _, s := range []string{"dev", "holdout"} {
		all.add(*ours[s])
		allFold.add(*baseFold[s])
		allExact.add(*baseExact[s])
	}
	t.Logf("per-file misses and false alarms:\n%s", report.String())
	var tab strings.Builder
	fmt.Fprintf(&tab, "%-8s %4s | %-34s | %-6s | %-6s | %-34s | %-34s\n", "split", "docs", "adwatch alerts", "co. R", "co. P~", "baseline whole-word, any case", "baseline whole-word, exact case")
	row := func(name string, o, f, e score) {
		fmt.Fprintf(&tab, "%-8s %4d | %-34s | %.3f  | %.3f  | %-34s | %-34s\n", name, o.docs, o, o.companyRecall(), o.companyPrecision(), f, e)
	}
	row("dev", *ours["dev"], *baseFold["dev"], *baseExact["dev"])
	row("holdout", *ours["holdout"], *baseFold["holdout"], *baseExact["holdout"])
	row("all", all, allFold, allExact)
	t.Logf("quality (micro-averaged over document x advertiser pairs):\n%s", tab.String())

	if p := all.precision(); p < minAlertPrecision {
		t.Errorf("alert precision on dev+holdout = %.3f, want >= %.2f", p, minAlertPrecision)
	}
	if r := all.recall(); r < minAlertRecall {
		t.Errorf("alert recall on dev+holdout = %.3f, want >= %.2f", r, minAlertRecall)
	}
	if r := all.companyRecall(); r < minCompanyRecall {
		t.Errorf("company recall on dev+holdout = %.3f, want >= %.2f", r, minCompanyRecall)
	}
}

// TestDevsetLabels keeps the set honest: every document is labelled, every
// label names a real file and real advertisers, and no advertiser is both
// wanted and unwanted in one document.
func TestDevsetLabels(t *testing.T) {
	t.Parallel()
	ads := loadDevsetAdvertisers(t, filepath.Join(devsetDir, "advertisers.csv"))
	labels := loadDevsetLabels(t, filepath.Join(devsetDir, "labels.json"))
	ids := make(map[string]bool, len(ads))
	for _, a := range ads {
		ids[a.ID] = true
	}
	labelled := make(map[string]bool, len(labels))
	counts := map[string]int{}
	for _, l := range labels {
		if labelled[l.File] {
			t.Errorf("%s: labelled twice", l.File)
		}
		labelled[l.File] = true
		counts[l.split()]++
		if k := adwatch.Kind(l.Kind); !k.Valid() {
			t.Errorf("%s: kind %q, want government or press", l.File, l.Kind)
		}
		for _, id := range append(slices.Clone(l.MustAlert), l.MustNotAlert...) {
			if !ids[id] {
				t.Errorf("%s: advertiser %q is not in advertisers.csv", l.File, id)
			}
		}
		for _, id := range l.MustAlert {
			if slices.Contains(l.MustNotAlert, id) {
				t.Errorf("%s: %s is in both must_alert and must_not_alert", l.File, id)
			}
		}
	}
	for _, split := range []string{"dev", "holdout"} {
		entries, err := os.ReadDir(filepath.Join(devsetDir, split))
		if err != nil {
			t.Fatalf("read %s: %v", split, err)
		}
		for _, e := range entries {
			if f := split + "/" + e.Name(); !labelled[f] {
				t.Errorf("%s has no label", f)
			}
		}
	}
	for f := range labelled {
		if _, err := os.Stat(filepath.Join(devsetDir, f)); err != nil {
			t.Errorf("label for missing file: %v", err)
		}
	}
	if got, want := counts["dev"], 36; got < want {
		t.Errorf("dev documents = %d, want at least %d", got, want)
	}
	if got, want := counts["holdout"], 12; got < want {
		t.Errorf("holdout documents = %d, want at least %d", got, want)
	}
}

// companiesFound counts the labelled companies that extraction found, each
// compared by its normalised name with the legal form stripped; "A|B" is
// found when any spelling is. extra lists the companies returned that match
// no label.
func companiesFound(want []string, got []adwatch.Company) (found int, missing, extra []string) {
	have := make(map[string]bool, len(got))
	for _, c := range got {
		have[companyKey(c.Name)] = true
	}
	labelled := make(map[string]bool)
	for _, w := range want {
		ok := false
		for _, alt := range strings.Split(w, "|") {
			labelled[companyKey(alt)] = true
			if have[companyKey(alt)] {
				ok = true
			}
		}
		if ok {
			found++
		} else {
			missing = append(missing, w)
		}
	}
	for _, c := range got {
		if !labelled[companyKey(c.Name)] {
			extra = append(extra, c.Name)
		}
	}
	return found, missing, extra
}

func companyKey(name string) string {
	base, _ := names.StripLegalForm(name)
	return names.Normalize(base)
}

// baseline is the plain approach the rules must beat: every name and alias of
// every active advertiser searched as a whole word in the extracted text, with
// no judgement at all.
type baseline struct {
	res map[string][]*regexp.Regexp // advertiser id → its patterns
}

func newBaseline(ads []adwatch.Advertiser, caseSensitive bool) baseline {
	b := baseline{res: make(map[string][]*regexp.Regexp)}
	for _, a := range ads {
		if !a.Active {
			continue
		}
		for _, n := range append([]string{a.Name}, a.Aliases...) {
			b.res[a.ID] = append(b.res[a.ID], wholeWord(n, caseSensitive))
		}
	}
	return b
}

// wholeWord compiles s as a whole-word pattern. Go's \b is ASCII-only and
// means nothing next to punctuation ("Nestlé", "Facebook, Inc."), so the
// boundaries are spelled out: no letter or digit on either side of a name
// that starts or ends with one.
func wholeWord(s string, caseSensitive bool) *regexp.Regexp {
	p := regexp.QuoteMeta(s)
	if r, _ := utf8.DecodeRuneInString(s); isWordRune(r) {
		p = `(?:^|[^\p{L}\p{N}_])` + p
	}
	if r, _ := utf8.DecodeLastRuneInString(s); isWordRune(r) {
		p += `(?:$|[^\p{L}\p{N}_])`
	}
	if !caseSensitive {
		p = "(?i)" + p
	}
	return regexp.MustCompile(p)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

func (b baseline) match(text string) map[string]bool {
	got := make(map[string]bool)
	for id, res := range b.res {
		for _, re := range res {
			if re.MatchString(text) {
				got[id] = true
				break
			}
		}
	}
	return got
}

func loadDevsetLabels(t *testing.T, path string) []devLabel {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read labels: %v", err)
	}
	var labels []devLabel
	if err := json.Unmarshal(b, &labels); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return labels
}

// loadDevsetAdvertisers reads the advertisers CSV in the import format:
// header id,name,aliases,active[,owner_email,...], aliases separated by "|".
func loadDevsetAdvertisers(t *testing.T, path string) []adwatch.Advertiser {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("open advertisers: %v", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		t.Fatalf("read header of %s: %v", path, err)
	}
	col := make(map[string]int, len(header))
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"id", "name", "aliases", "active"} {
		if _, ok := col[need]; !ok {
			t.Fatalf("%s: no %q column", path, need)
		}
	}
	var ads []adwatch.Advertiser
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("read %s: %v", path, err)
		}
		line, _ := r.FieldPos(0)
		active, err := parseActive(rec[col["active"]])
		if err != nil {
			t.Fatalf("%s:%d: %v", path, line, err)
		}
		a := adwatch.Advertiser{ID: rec[col["id"]], Name: rec[col["name"]], Active: active}
		for _, al := range strings.Split(rec[col["aliases"]], "|") {
			if al = strings.TrimSpace(al); al != "" {
				a.Aliases = append(a.Aliases, al)
			}
		}
		if i, ok := col["owner_email"]; ok {
			a.OwnerEmail = rec[i]
		}
		ads = append(ads, a)
	}
	return ads
}

func parseActive(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes":
		return true, nil
	case "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("active %q: want true/false/1/0/yes/no", s)
}
