package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"adwatch"
	"adwatch/internal/testdb"
	"adwatch/store"
)

// newStore returns a store on a fresh database with two sources and the
// advertisers of the fixtures below.
func newStore(t *testing.T) *store.DB {
	t.Helper()
	db := store.FromSQL(testdb.New(t))
	ctx := context.Background()
	err := db.SyncSources(ctx, []adwatch.Source{
		{Name: "dhs-notices", Kind: adwatch.KindGovernment, Type: adwatch.SourceFeed, URL: "https://www.dhs.example/news/rss.xml"},
		{Name: "fcc-notices", Kind: adwatch.KindGovernment, Type: adwatch.SourceHTML, URL: "https://www.fcc.example/covered-list"},
		{Name: "tech-press", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://press.example/feed.atom"},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ImportAdvertisers(ctx, []adwatch.Advertiser{
		{ID: "a-17", Name: "AO Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true, OwnerEmail: "kaspersky-owner@example.com"},
		{ID: "a-21", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei"}, Active: true},
		{ID: "a-22", Name: "ZTE Corporation", Aliases: []string{"ZTE"}, Active: true},
		{ID: "a-30", Name: "Hangzhou Hikvision Digital Technology", Aliases: []string{"Hikvision"}, Active: false},
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func hashOf(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// doc builds a document the way the crawler and extractor hand it over.
func doc(source string, kind adwatch.Kind, url, title, published, text string, matches ...adwatch.Match) adwatch.Document {
	raw := "<html><head><title>" + title + "</title></head><body><p>" + text + "</p></body></html>"
	d := adwatch.Document{
		URL: url, Title: title, Source: source, Kind: kind, PublishedAt: day(published),
		FetchedAt: time.Date(2024, 3, 1, 2, 0, 0, 0, time.UTC), Text: text, ContentHash: hashOf(text),
		Meta: map[string]string{"title": title}, ContentType: "text/html; charset=utf-8", Status: 200,
		FinalURL: url, Raw: []byte(raw),
		RawHeader: http.Header{"Content-Type": {"text/html; charset=utf-8"}, "Etag": {`"` + hashOf(text)[:8] + `"`},
			"Last-Modified": {"Fri, 01 Mar 2024 01:00:00 GMT"}},
		Matches: matches,
	}
	for _, m := range matches {
		d.Companies = append(d.Companies, adwatch.Company{Name: m.Advertiser, Mentions: max(m.Mentions, 1)})
	}
	return d
}

func match(id, name, alias string, score float64) adwatch.Match {
	return adwatch.Match{AdvertiserID: id, Advertiser: name, Alias: alias, Score: score,
		Reasons: []string{"legal form", "company cue"}, Snippet: "… " + alias + " …", Start: 10, End: 10 + len(alias), Mentions: 2}
}

// The fixtures: public events, told in our own words.
var (
	bod1701 = doc("dhs-notices", adwatch.KindGovernment,
		"https://www.dhs.example/news/2017/09/13/bod-17-01",
		"DHS Statement on the Issuance of Binding Operational Directive 17-01", "2017-09-13",
		"The Acting Secretary of Homeland Security issued Binding Operational Directive 17-01 on September 13, 2017. "+
			"It directs federal executive branch departments and agencies to identify Kaspersky-branded products on their "+
			"information systems within 30 days and to begin removing them within 90 days. The department is concerned about "+
			"ties between certain Kaspersky officials and Russian intelligence and other government agencies.",
		match("a-17", "AO Kaspersky Lab", "Kaspersky", 0.97))
	ndaa1634 = doc("dhs-notices", adwatch.KindGovernment,
		"https://www.dhs.example/news/2017/12/12/ndaa-section-1634",
		"Section 1634 of the FY2018 National Defense Authorization Act", "2017-12-12",
		"Section 1634 of the National Defense Authorization Act for Fiscal Year 2018, signed into law on December 12, 2017, "+
			"prohibits the use by any department or agency of the federal government of hardware, software or services "+
			"developed or provided by Kaspersky Lab or its successors.",
		match("a-17", "AO Kaspersky Lab", "Kaspersky Lab", 0.99))
	coveredList = doc("fcc-notices", adwatch.KindGovernment,
		"https://www.fcc.example/covered-list/2021-03-12",
		"Public Safety and Homeland Security Bureau Announces Publication of the List of Equipment and Services Covered",
		"2021-03-12",
		"The Covered List names communications equipment and services deemed to pose an unacceptable risk to national "+
			"security: equipment produced by Huawei Technologies Company and ZTE Corporation, and video surveillance "+
			"equipment produced by Hytera Communications, Hangzhou Hikvision Digital Technology and Dahua Technology.",
		match("a-21", "Huawei Technologies Co., Ltd.", "Huawei Technologies Company", 0.95),
		match("a-22", "ZTE Corporation", "ZTE Corporation", 0.96),
		match("a-30", "Hangzhou Hikvision Digital Technology", "Hangzhou Hikvision Digital Technology", 0.94))
	entityList = doc("tech-press", adwatch.KindPress,
		"https://press.example/2019/05/16/commerce-adds-huawei-to-entity-list",
		"Commerce adds Huawei to the Entity List", "2019-05-16",
		"The Bureau of Industry and Security added Huawei Technologies and 68 non-U.S. affiliates to the Entity List, "+
			"restricting exports of American technology to the company without a license.",
		match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.9))
)

func fixtures() []adwatch.Document {
	return []adwatch.Document{bod1701, ndaa1634, coveredList, entityList}
}

// seed saves the fixtures and returns their ids in fixture order.
func seed(t *testing.T, db *store.DB) []int64 {
	t.Helper()
	res, err := db.SaveDocuments(context.Background(), fixtures(), []string{"slack", "email"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(res))
	for i, r := range res {
		ids[i] = r.DocumentID
	}
	return ids
}
