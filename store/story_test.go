package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"adwatch"
	"adwatch/store"
)

// entityWire is wire copy about the Commerce Department adding Huawei to the
// Entity List (May 2019), written for this test.
const entityWire = "The Commerce Department said on Wednesday it was adding Huawei Technologies and 68 of its " +
	"affiliates to its Entity List, a move that bans the company from acquiring components and technology " +
	"from American firms without government approval. The Bureau of Industry and Security said it had a " +
	"reasonable basis to conclude that Huawei is engaged in activities contrary to national security or " +
	"foreign policy interests. The listing takes effect once it is published in the Federal Register. " +
	"Huawei, the world's largest maker of telecommunications equipment, has denied that its products pose " +
	"a security risk and said it would seek remedies. Analysts said the rule could disrupt supply chains " +
	"for network gear and smartphones that rely on American chips and software."

// coveredPress is a different story about the same company: the FCC's
// first Covered List (March 2021).
const coveredPress = "The Federal Communications Commission published its first list of communications equipment " +
	"and services deemed to pose an unacceptable risk to national security, naming Huawei, ZTE, Hytera, " +
	"Hikvision and Dahua. The list was required by the Secure and Trusted Communications Networks Act, and " +
	"carriers that receive federal subsidies may not use them to buy the listed equipment. Huawei said the " +
	"designation was unfounded. Commissioners said the list would be updated as other agencies identify " +
	"further risks, and that rural carriers would be reimbursed for replacing equipment already installed."

func press(url, published, text string, matches ...adwatch.Match) adwatch.Document {
	return doc("tech-press", adwatch.KindPress, url, "Commerce adds Huawei to Entity List", published, text, matches...)
}

func TestSyndicatedCopiesRaiseOneAlertListingTheirSources(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	huawei := match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.9)
	copies := []adwatch.Document{
		press("https://wire.example/2019/05/15/huawei-entity-list", "2019-05-15", entityWire, huawei),
		press("https://news-one.example/tech/huawei-blacklist", "2019-05-16",
			"WASHINGTON (Wire) - "+entityWire+" Reporting by a staff writer; editing by the desk.", huawei),
	}
	res, err := db.SaveDocuments(ctx, copies, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The third copy comes a night later, in its own batch.
	third := press("https://paper-two.example/business/2019/05/17/huawei", "2019-05-17",
		strings.Replace(entityWire, "said on Wednesday", "said on May 15", 1)+" Read more about trade.",
		huawei, match("a-22", "ZTE Corporation", "ZTE", 0.8))
	res3, err := db.SaveDocuments(ctx, []adwatch.Document{third}, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res[0].Alerts); n != 1 {
		t.Fatalf("first copy raised %d alerts, want 1", n)
	}
	if n := len(res[1].Alerts); n != 0 {
		t.Errorf("second copy raised %d alerts, want 0 (attached to the story)", n)
	}
	// ZTE had no alert on this story yet: the third copy raises one for ZTE only.
	if got := res3[0].Alerts; len(got) != 1 || got[0].AdvertiserID != "a-22" {
		t.Errorf("third copy raised %v, want one alert, for ZTE", got)
	}
	// A different story about Huawei is news: its own alert.
	other, err := db.SaveDocuments(ctx, []adwatch.Document{
		doc("tech-press", adwatch.KindPress, "https://wire.example/2021/03/12/fcc-covered-list", "FCC names Huawei",
			"2021-03-12", coveredPress, huawei)}, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(other[0].Alerts); n != 1 {
		t.Errorf("a different story raised %d alerts, want 1", n)
	}

	as, err := db.Alerts(ctx, store.AlertFilter{AdvertiserID: "a-21"})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 {
		t.Fatalf("Huawei alerts: got %d, want 2 (one per story)", len(as))
	}
	story := as[1] // the older: the Entity List story
	var urls []string
	for _, sd := range story.Story {
		urls = append(urls, sd.URL)
	}
	want := []string{copies[0].URL, copies[1].URL, third.URL}
	if !slices.Equal(urls, want) {
		t.Errorf("story sources: got %v, want %v", urls, want)
	}
	if len(as[0].Story) != 0 {
		t.Errorf("the single-source story lists %d sources, want none", len(as[0].Story))
	}
	d, err := db.Document(ctx, res[1].DocumentID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(d.Advertisers, "Huawei Technologies Co., Ltd.") {
		t.Errorf("attached copy's advertisers: got %v, want Huawei", d.Advertisers)
	}
}

func TestGovernmentNoticesAreNeverGrouped(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	huawei := match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.9)
	docs := []adwatch.Document{
		doc("fcc-notices", adwatch.KindGovernment, "https://www.fcc.example/a", "Notice", "2019-05-15", entityWire, huawei),
		doc("fcc-notices", adwatch.KindGovernment, "https://www.fcc.example/b", "Notice", "2019-05-15", entityWire+" Corrected.", huawei),
	}
	res, err := db.SaveDocuments(ctx, docs, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Alerts) != 1 || len(res[1].Alerts) != 1 {
		t.Errorf("government copies raised %d and %d alerts, want 1 each", len(res[0].Alerts), len(res[1].Alerts))
	}
}

func TestCopiesFarApartInTimeAreNewStories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	huawei := match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.9)
	res, err := db.SaveDocuments(ctx, []adwatch.Document{
		press("https://wire.example/2019/05/15/a", "2019-05-15", entityWire, huawei),
		press("https://wire.example/2019/07/01/b", "2019-07-01", entityWire, huawei), // a rerun weeks later
	}, []string{"slack"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[1].Alerts) != 1 {
		t.Errorf("a copy 47 days later raised %d alerts, want 1", len(res[1].Alerts))
	}
}

func TestCopiesSavedConcurrentlyRaiseOneAlert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	huawei := match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.9)
	copies := []adwatch.Document{
		press("https://wire.example/2019/05/15/c1", "2019-05-15", entityWire, huawei),
		press("https://news-one.example/c2", "2019-05-15", "WASHINGTON (Wire) - "+entityWire, huawei),
		press("https://paper-two.example/c3", "2019-05-16", entityWire+" Reporting by a staff writer.", huawei),
	}
	errs := make(chan error, len(copies))
	for _, c := range copies { // three crawlers, one copy each, at once
		go func() {
			_, err := db.SaveDocuments(ctx, []adwatch.Document{c}, []string{"slack"}, nil)
			errs <- err
		}()
	}
	for range copies {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	as, err := db.Alerts(ctx, store.AlertFilter{AdvertiserID: "a-21"})
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 1 {
		t.Fatalf("got %d alerts, want one for the story", len(as))
	}
	if n := len(as[0].Story); n != 3 {
		t.Errorf("the alert lists %d sources, want 3", n)
	}
}
