package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"adwatch"
	"adwatch/store"
)

// TestSaveDocumentsBatchEqualsOneByOne saves one batch that holds every
// case a batch can hold at once — a URL twice with different content, the
// same content twice, a stored page changing, a page going back to an
// older content, a redirect, syndicated copies of one story, companies and
// matches — once as a batch and once document by document on another
// database, and compares everything stored.
func TestSaveDocumentsBatchEqualsOneByOne(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	huawei := match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.9)

	changed := ndaa1634
	changed.Text += " The prohibition takes effect on October 1, 2018."
	changed.ContentHash = hashOf(changed.Text)
	rule := doc("dhs-notices", adwatch.KindGovernment, "https://www.dhs.example/rule", "Interim rule", "2019-09-10",
		"An interim rule implements Section 1634 and bars contractors from providing Kaspersky Lab products.",
		match("a-17", "AO Kaspersky Lab", "Kaspersky Lab", 0.98))
	ruleFinal := rule
	ruleFinal.Text += " Comments are due by November 12, 2019."
	ruleFinal.ContentHash = hashOf(ruleFinal.Text)
	redirected := coveredList
	redirected.URL = "https://www.fcc.example/covered"
	redirected.FinalURL = "https://www.fcc.example/covered-list/2021-03-12-final"
	wire := press("https://wire.example/2019/05/15/huawei-entity-list", "2019-05-15", entityWire, huawei)
	copyOne := press("https://news-one.example/tech/huawei-blacklist", "2019-05-16",
		"WASHINGTON (Wire) - "+entityWire+" Reporting by a staff writer.", huawei)
	other := press("https://news-one.example/tech/covered-list", "2021-03-13", coveredPress, huawei,
		match("a-22", "ZTE Corporation", "ZTE", 0.8))

	// Stored before the batch: bod1701 (its content comes back), ndaa1634
	// (it changes), entityList (then a second version, then back).
	entityNew := entityList
	entityNew.Text += " Huawei said it would challenge the listing."
	entityNew.ContentHash = hashOf(entityNew.Text)
	before := []adwatch.Document{bod1701, ndaa1634, entityList, entityNew}
	batch := []adwatch.Document{
		rule, wire, changed, rule, redirected, entityList, copyOne, ruleFinal, bod1701, other,
	}

	one, many := newStore(t), newStore(t)
	for _, db := range []*store.DB{one, many} {
		for _, d := range before {
			if _, err := db.SaveDocuments(ctx, []adwatch.Document{d}, []string{"slack"}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	var oneRes []store.SaveResult
	for _, d := range batch {
		res, err := one.SaveDocuments(ctx, []adwatch.Document{d}, []string{"slack"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		oneRes = append(oneRes, res...)
	}
	manyRes, err := many.SaveDocuments(ctx, batch, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range batch {
		o, m := oneRes[i], manyRes[i]
		if o.New != m.New || o.Version != m.Version || len(o.Alerts) != len(m.Alerts) {
			t.Errorf("document %d (%s): one by one new=%v version=%d alerts=%d, batch new=%v version=%d alerts=%d",
				i, batch[i].URL, o.New, o.Version, len(o.Alerts), m.New, m.Version, len(m.Alerts))
		}
	}
	if got, want := snapshot(t, many), snapshot(t, one); !slices.Equal(got, want) {
		t.Errorf("batch stored\n%s\none by one stored\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The case list is not vacuous: versions moved, a story formed within
	// the batch and its copy joined the first copy's alert, the redirect's
	// final URL has crawl state.
	snap := strings.Join(snapshot(t, many), "\n")
	for _, want := range []string{
		"doc https://www.dhs.example/rule v2 latest=t",
		"doc https://www.dhs.example/rule v1 latest=f",
		"doc https://press.example/2019/05/16/commerce-adds-huawei-to-entity-list v1 latest=t",
		"story https://news-one.example/tech/huawei-blacklist v1 -> https://wire.example/2019/05/15/huawei-entity-list v1",
		"attached https://news-one.example/tech/huawei-blacklist v1 to https://wire.example/2019/05/15/huawei-entity-list",
		"state https://www.fcc.example/covered-list/2021-03-12-final",
		"search https://www.dhs.example/news/2017/12/12/ndaa-section-1634 v2 t",
		// A version that is latest again is searchable again, with its
		// stored matches.
		"advertiser a-21 https://press.example/2019/05/16/commerce-adds-huawei-to-entity-list v1 alerted=t",
	} {
		if !strings.Contains(snap, want) {
			t.Errorf("stored state lacks %q:\n%s", want, snap)
		}
	}
}

// snapshot lists what the archive holds, by URL and version (ids may
// differ between two databases).
func snapshot(t *testing.T, db *store.DB) []string {
	t.Helper()
	queries := []string{
		`SELECT format('doc %s v%s latest=%s hash=%s title=%s', url, version, latest, left(content_hash, 12), title) FROM documents`,
		`SELECT format('story %s v%s -> %s v%s', d.url, d.version, s.url, s.version)
			FROM documents d JOIN documents s ON s.id = d.story_id`,
		`SELECT format('state %s %s %s %s', url, source, left(content_hash, 12), etag) FROM url_state`,
		`SELECT format('company %s v%s %s %s', d.url, d.version, c.name, c.mentions)
			FROM document_companies c JOIN documents d ON d.id = c.document_id`,
		`SELECT format('match %s v%s %s %s', d.url, d.version, a.ext_id, m.alias)
			FROM document_matches m JOIN documents d ON d.id = m.document_id JOIN advertisers a ON a.id = m.advertiser_id`,
		`SELECT format('alert %s v%s %s', d.url, d.version, a.ext_id)
			FROM alerts al JOIN documents d ON d.id = al.document_id JOIN advertisers a ON a.id = al.advertiser_id`,
		`SELECT format('attached %s v%s to %s', d.url, d.version, a.url)
			FROM alert_documents ad JOIN documents d ON d.id = ad.document_id
			JOIN alerts al ON al.id = ad.alert_id JOIN documents a ON a.id = al.document_id`,
		`SELECT format('search %s v%s %s', d.url, d.version, s.tsv = adwatch_document_tsv(d.title, d.text))
			FROM search_docs s JOIN documents d ON d.id = s.id`,
		`SELECT format('advertiser %s %s v%s alerted=%s', a.ext_id, d.url, d.version, x.alerted = adwatch_alerted(d.id))
			FROM advertiser_docs x JOIN advertisers a ON a.id = x.advertiser_id JOIN documents d ON d.id = x.id`,
		`SELECT format('delivery %s %s', d.url, ad.channel)
			FROM alert_deliveries ad JOIN alerts al ON al.id = ad.alert_id JOIN documents d ON d.id = al.document_id`,
	}
	var out []string
	for _, q := range queries {
		var rows []string
		if err := sqlxSelect(db, &rows, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, rows...)
	}
	slices.Sort(out)
	return out
}

func sqlxSelect(db *store.DB, out *[]string, q string) error {
	rows, err := db.SQL().Query(q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		*out = append(*out, s)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rows: %w", err)
	}
	return nil
}

func TestURLStatesAnswersForManyURLsKeyedAsAsked(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	long := "https://www.dhs.example/search?q=" + strings.Repeat("kaspersky+", 400)
	odd := "https://press.example/\xffbad"
	for i, u := range []string{"https://www.dhs.example/a", long, odd} {
		st := adwatch.URLState{URL: u, Source: "dhs-notices", ETag: fmt.Sprintf(`"e%d"`, i), Status: 200,
			FetchedAt: time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC)}
		if err := db.PutURLState(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.URLStates(ctx, []string{odd, "https://www.dhs.example/unknown", long, "https://www.dhs.example/a"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"https://www.dhs.example/a": `"e0"`, long: `"e1"`, odd: `"e2"`}
	if len(got) != len(want) {
		t.Errorf("got %d states, want %d: %v", len(got), len(want), got)
	}
	for u, etag := range want {
		if st, ok := got[u]; !ok || st.ETag != etag || st.URL != u || st.Status != 200 {
			t.Errorf("state of %.60q: got %+v (found %v), want ETag %s", u, st, ok, etag)
		}
	}
}
