package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"adwatch"
	"adwatch/store"
)

func TestSaveDocumentsNewThenUnchanged(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	first, err := db.SaveDocuments(ctx, fixtures(), []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range first {
		if !r.New || r.Version != 1 || r.DocumentID == 0 {
			t.Errorf("doc %d first save: got %+v, want new version 1", i, r)
		}
	}
	again, err := db.SaveDocuments(ctx, fixtures(), []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range again {
		if r.New || r.DocumentID != first[i].DocumentID || len(r.Alerts) != 0 {
			t.Errorf("doc %d saved again: got %+v, want not new, same id %d, no alerts", i, r, first[i].DocumentID)
		}
	}
	n, err := db.DocumentCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(fixtures()) {
		t.Errorf("DocumentCount: got %d, want %d", n, len(fixtures()))
	}
}

func TestSaveDocumentsChangedPageIsNewVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	v1 := bod1701
	v2 := bod1701
	v2.Text += " Agencies must report their progress to the department."
	v2.ContentHash = hashOf(v2.Text)
	var ids []int64
	for i, d := range []adwatch.Document{v1, v2} {
		res, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !res[0].New || res[0].Version != i+1 {
			t.Errorf("save %d: got new=%v version=%d, want new version %d", i, res[0].New, res[0].Version, i+1)
		}
		ids = append(ids, res[0].DocumentID)
	}
	versions, err := db.DocumentVersions(ctx, bod1701.URL)
	if err != nil {
		t.Fatal(err)
	}
	if len(versions) != 2 || versions[0].ID != ids[0] || versions[1].ID != ids[1] || versions[1].PreviousID != ids[0] {
		t.Errorf("versions: got %+v, want ids %v in order", versions, ids)
	}
	if versions[0].Text != "" {
		t.Error("DocumentVersions returned text, want none")
	}
	d, err := db.Document(ctx, ids[1])
	if err != nil {
		t.Fatal(err)
	}
	if d.PreviousID != ids[0] || d.Version != 2 {
		t.Errorf("Document: got previous %d version %d, want %d and 2", d.PreviousID, d.Version, ids[0])
	}
	// Both versions name Kaspersky, and the alert is per document version.
	alerts, err := db.Alerts(ctx, store.AlertFilter{AdvertiserID: "a-17"})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 2 {
		t.Errorf("alerts for two versions: got %d, want 2", len(alerts))
	}
}

func TestSaveDocumentsOneAlertPerAdvertiserAndDocument(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := bod1701
	// The extractor reported Kaspersky twice: still one alert, the best match.
	d.Matches = []adwatch.Match{match("a-17", "AO Kaspersky Lab", "Kaspersky", 0.8), match("a-17", "AO Kaspersky Lab", "Kaspersky Lab", 0.97)}
	res, err := db.SaveDocuments(ctx, []adwatch.Document{d}, []string{"slack", "email", "slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(res[0].Alerts); got != 1 {
		t.Fatalf("alerts: got %d, want 1", got)
	}
	a := res[0].Alerts[0]
	if a.AdvertiserID != "a-17" || a.Advertiser != "AO Kaspersky Lab" || a.Score != 0.97 || a.Alias != "Kaspersky Lab" ||
		a.DocumentURL != d.URL || a.Title != d.Title || a.Source != "dhs-notices" || a.Kind != adwatch.KindGovernment ||
		a.OwnerEmail != "kaspersky-owner@example.com" || a.Status != adwatch.AlertNew || a.PublishedAt == nil {
		t.Errorf("alert not fully populated: %+v", a)
	}
	if len(a.Deliveries) != 2 || a.Deliveries["slack"].Status != adwatch.DeliveryPending || a.Delivered["email"] {
		t.Errorf("deliveries: got %+v, want pending slack and email", a.Deliveries)
	}
}

func TestSaveDocumentsInactiveAdvertiserRaisesNoAlert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	res, err := db.SaveDocuments(ctx, []adwatch.Document{coveredList}, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range res[0].Alerts {
		got = append(got, a.AdvertiserID)
	}
	if strings.Join(got, ",") != "a-21,a-22" && strings.Join(got, ",") != "a-22,a-21" {
		t.Errorf("alerted advertisers: got %v, want a-21 and a-22 (a-30 is inactive)", got)
	}
	d, err := db.Document(ctx, res[0].DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Matches) != 3 {
		t.Errorf("matches kept as evidence: got %d, want 3 (inactive included)", len(d.Matches))
	}
}

func TestSaveDocumentsHookRunsInTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	boom := errors.New("queue unavailable")
	var seen int
	_, err := db.SaveDocuments(ctx, fixtures(), []string{"slack"}, func(ctx context.Context, tx *sql.Tx, alerts []adwatch.Alert) error {
		seen = len(alerts)
		// The hook sees the uncommitted alerts through its transaction.
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM alerts").Scan(&n); err != nil {
			return err
		}
		if n != len(alerts) {
			t.Errorf("alerts visible in hook's tx: got %d, want %d", n, len(alerts))
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("SaveDocuments with failing hook: got %v, want the hook's error", err)
	}
	// Kaspersky in two documents, Huawei in two, ZTE in one; Hikvision is inactive.
	if seen != 5 {
		t.Errorf("hook saw %d alerts, want 5", seen)
	}
	n, err := db.DocumentCount(ctx)
	if err != nil {
		t.Fatal(err)
	}
	alerts, err := db.Alerts(ctx, store.AlertFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.URLState(ctx, bod1701.URL); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("url state after rollback: got %v, want ErrNotFound", err)
	}
	if n != 0 || len(alerts) != 0 {
		t.Errorf("after hook error: got %d documents and %d alerts, want none", n, len(alerts))
	}
}

func TestSaveDocumentsWritesCrawlState(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := entityList
	d.URL = "https://press.example/2019/05/16/huawei-entity-list"
	d.FinalURL = "https://press.example/2019/05/16/commerce-adds-huawei-to-entity-list?amp=1"
	if _, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil); err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{d.URL, d.FinalURL} {
		st, err := db.URLState(ctx, u)
		if err != nil {
			t.Fatalf("url state of %s: %v", u, err)
		}
		if st.ETag != d.RawHeader.Get("ETag") || st.LastModified != "Fri, 01 Mar 2024 01:00:00 GMT" ||
			st.ContentHash != d.ContentHash || st.Status != 200 || !st.FetchedAt.Equal(d.FetchedAt) || st.Source != "tech-press" {
			t.Errorf("url state of %s: got %+v", u, st)
		}
	}
}

func TestSaveDocumentsUnknownSourceFails(t *testing.T) {
	t.Parallel()
	db := newStore(t)
	d := bod1701
	d.Source = "no-such-source"
	_, err := db.SaveDocuments(context.Background(), []adwatch.Document{ndaa1634, d}, nil, nil)
	if !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("got %v, want ErrInvalid", err)
	}
}

func TestDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := coveredList
	d.CompanySpans = []adwatch.Span{{Start: 5, End: 10, Name: "Huawei"}}
	d.Raw = bytes.Repeat([]byte("<p>covered equipment</p>"), 1000)
	res, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Document(ctx, res[0].DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Raw, d.Raw) || got.RawSize != len(d.Raw) {
		t.Errorf("raw: got %d bytes (size %d), want the %d bytes saved", len(got.Raw), got.RawSize, len(d.Raw))
	}
	if got.RawHeader.Get("Etag") != d.RawHeader.Get("Etag") || got.Meta["title"] != d.Title {
		t.Errorf("headers/meta: got %v %v", got.RawHeader, got.Meta)
	}
	if got.Text != d.Text || got.Title != d.Title || got.Source != d.Source || !got.PublishedAt.Equal(*d.PublishedAt) {
		t.Errorf("document fields differ: got %+v", got)
	}
	if len(got.Companies) != 3 || len(got.CompanySpans) != 1 || got.CompanySpans[0].Name != "Huawei" {
		t.Errorf("companies/spans: got %v %v", got.Companies, got.CompanySpans)
	}
	if strings.Join(got.Advertisers, "|") != "Huawei Technologies Co., Ltd.|ZTE Corporation" {
		t.Errorf("advertisers alerted on: got %v", got.Advertisers)
	}
	if _, err := db.Document(ctx, 999999); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("missing document: got %v, want ErrNotFound", err)
	}
}

func TestSaveDocumentsHostileBytes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := bod1701
	d.URL = "https://www.dhs.example/odd"
	d.Title = "Nul\x00 and \xff\xfe bytes"
	d.Text = "Kaspersky\x00 text with invalid \xc3\x28 UTF-8 and a NUL"
	d.Meta = map[string]string{"summary\x00": "bad \xff"}
	d.ContentHash = ""
	res, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil)
	if err != nil {
		t.Fatalf("hostile bytes: %v", err)
	}
	got, err := db.Document(ctx, res[0].DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.ContainsRune(got.Text, 0) || !strings.Contains(got.Text, "Kaspersky") || got.ContentHash == "" {
		t.Errorf("text: got %q (hash %q)", got.Text, got.ContentHash)
	}
}

func TestSaveDocumentsHugeTextIsIndexed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	// Worst case for the tsvector size limit: 600,000 characters of distinct
	// multi-byte words (~2 MB of lexemes), with the advertiser named early.
	r := rand.New(rand.NewPCG(1, 2))
	var b strings.Builder
	b.WriteString("Kaspersky appears at the start. ")
	for b.Len() < 2_400_000 {
		for range 6 {
			b.WriteRune(rune(0x4E00 + r.IntN(0x5000)))
			b.WriteRune(rune(0x10400 + r.IntN(0x40)))
		}
		b.WriteByte(' ')
	}
	d := ndaa1634
	d.URL = "https://www.dhs.example/huge"
	d.Text = b.String()
	d.ContentHash = ""
	if _, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil); err != nil {
		t.Fatalf("huge document: %v", err)
	}
	res, err := db.Search(ctx, store.SearchQuery{Q: "kaspersky start"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 1 || res.Results[0].URL != d.URL {
		t.Errorf("search in huge document: got %+v", res.Results)
	}
}

func TestSaveDocumentsConcurrentVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	var wg sync.WaitGroup
	errs := make([]error, 6)
	for i := range errs {
		wg.Go(func() {
			d := entityList
			d.Text += strings.Repeat(" update", i+1)
			d.ContentHash = hashOf(d.Text)
			_, errs[i] = db.SaveDocuments(ctx, []adwatch.Document{bod1701, d}, []string{"slack"}, nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("saver %d: %v", i, err)
		}
	}
	versions, err := db.DocumentVersions(ctx, entityList.URL)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range versions {
		if v.Version != i+1 {
			t.Errorf("version %d: got %d", i+1, v.Version)
		}
	}
	if len(versions) != len(errs) {
		t.Errorf("versions: got %d, want %d", len(versions), len(errs))
	}
	alerts, err := db.Alerts(ctx, store.AlertFilter{AdvertiserID: "a-17"})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 {
		t.Errorf("alerts for the unchanged document saved 6 times: got %d, want 1", len(alerts))
	}
}

func TestSaveDocumentsLongURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := entityList
	d.URL = "https://press.example/search?q=" + strings.Repeat("huawei+entity+list+", 600) // ~11 kB
	d.FinalURL = d.URL + "&page=1"
	for i, want := range []bool{true, false} {
		res, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil)
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if res[0].New != want {
			t.Errorf("save %d: got new=%v, want %v", i, res[0].New, want)
		}
	}
	d.Text += " Updated."
	d.ContentHash = hashOf(d.Text)
	res, err := db.SaveDocuments(ctx, []adwatch.Document{d}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Version != 2 {
		t.Errorf("changed long-URL page: got version %d, want 2", res[0].Version)
	}
	if st, err := db.URLState(ctx, d.FinalURL); err != nil || st.ContentHash != d.ContentHash {
		t.Errorf("url state of the long final URL: got %+v, %v", st, err)
	}
}

func TestSaveDocumentsHookCalledWithoutAlerts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	d := entityList
	d.Matches = nil
	calls := 0
	_, err := db.SaveDocuments(ctx, []adwatch.Document{d}, []string{"slack"}, func(ctx context.Context, tx *sql.Tx, alerts []adwatch.Alert) error {
		calls++
		if alerts == nil || len(alerts) != 0 {
			t.Errorf("hook got %v, want an empty slice", alerts)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("hook calls: got %d, want 1", calls)
	}
}
