package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"adwatch"
	"adwatch/store"
)

func TestSuppressionsAreStoredOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	rule := store.Suppression{AdvertiserID: "a-21", Alias: "Huawei", Source: "tech-press",
		Reason: "not_the_company", CreatedBy: "ana"}
	first, err := db.AddSuppression(ctx, rule)
	if err != nil {
		t.Fatal(err)
	}
	again, err := db.AddSuppression(ctx, store.Suppression{AdvertiserID: "a-21", Alias: "Huawei", Source: "tech-press", CreatedBy: "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID || again.CreatedBy != "ana" {
		t.Errorf("same rule twice = %+v, want the first one (%d by ana)", again, first.ID)
	}
	phrase, err := db.AddSuppression(ctx, store.Suppression{AdvertiserID: "a-17", Alias: "Kaspersky",
		Phrase: "Kaspersky Lab researchers said", CreatedBy: "ana"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Suppressions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != first.ID || got[1].ID != phrase.ID {
		t.Fatalf("Suppressions = %+v, want the source rule then the phrase rule", got)
	}
	if g := got[0]; g.AdvertiserID != "a-21" || g.Alias != "Huawei" || g.Source != "tech-press" || g.Phrase != "" ||
		g.Reason != "not_the_company" || g.CreatedBy != "ana" || time.Since(g.CreatedAt) > time.Hour {
		t.Errorf("stored rule = %+v", g)
	}
	if got[1].Phrase != "Kaspersky Lab researchers said" || got[1].AdvertiserID != "a-17" {
		t.Errorf("phrase rule = %+v", got[1])
	}

	for _, bad := range []store.Suppression{
		{AdvertiserID: "a-21", Source: "tech-press"},                                          // no alias
		{AdvertiserID: "a-21", Alias: "Huawei"},                                               // no scope
		{AdvertiserID: "a-21", Alias: "Huawei", Phrase: strings.Repeat("Huawei phones ", 40)}, // too long
	} {
		if _, err := db.AddSuppression(ctx, bad); err == nil {
			t.Errorf("AddSuppression(%+v) = nil error, want one", bad)
		}
	}
	_, err = db.AddSuppression(ctx, store.Suppression{AdvertiserID: "no-such", Alias: "X", Source: "tech-press"})
	if !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown advertiser: err = %v, want ErrNotFound", err)
	}
}

func TestSetAdvertiserAliases(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	if err := db.SetAdvertiserAliases(ctx, "a-21", []string{" Huawei ", "huawei", "", "Huawei  Technologies", "HiSilicon"}); err != nil {
		t.Fatal(err)
	}
	a, err := db.Advertiser(ctx, "a-21")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Huawei", "Huawei Technologies", "HiSilicon"}; !slices.Equal(a.Aliases, want) {
		t.Errorf("aliases = %q, want %q", a.Aliases, want)
	}
	if err := db.SetAdvertiserAliases(ctx, "no-such", []string{"X"}); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown advertiser: err = %v, want ErrNotFound", err)
	}
}

func TestAdvertiserTimeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	huawei := match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.95)
	docs := []adwatch.Document{
		doc("tech-press", adwatch.KindPress, "https://press.example/2019/05/16/entity-list", "Commerce adds Huawei to the Entity List",
			"2019-05-16", "The Bureau of Industry and Security added Huawei to the Entity List.", huawei),
		doc("tech-press", adwatch.KindPress, "https://press.example/2019/05/20/license", "Temporary general license for Huawei",
			"2019-05-20", "A temporary general license lets some Huawei transactions continue.", huawei),
		doc("fcc-notices", adwatch.KindGovernment, "https://www.fcc.example/2021/03/12/covered-list", "FCC publishes the Covered List",
			"2021-03-12", "The list names Huawei, ZTE, Hytera, Hikvision and Dahua equipment.", huawei),
	}
	if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
		t.Fatal(err)
	}
	tl, err := db.AdvertiserTimeline(ctx, "a-21")
	if err != nil {
		t.Fatal(err)
	}
	// May 2019 to March 2021 without gaps: 23 months.
	if len(tl) != 23 {
		t.Fatalf("timeline has %d months, want 23 (2019-05 to 2021-03)", len(tl))
	}
	if first := tl[0]; !first.Month.Equal(time.Date(2019, 5, 1, 0, 0, 0, 0, time.UTC)) || first.Mentions != 2 || first.Alerts != 2 {
		t.Errorf("first month = %+v, want 2019-05 with 2 mentions and 2 alerts", first)
	}
	if last := tl[22]; !last.Month.Equal(time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)) || last.Mentions != 1 || last.Alerts != 1 {
		t.Errorf("last month = %+v, want 2021-03 with 1 mention and 1 alert", last)
	}
	if mid := tl[10]; mid.Mentions != 0 || mid.Alerts != 0 {
		t.Errorf("a month without documents = %+v, want zeros", mid)
	}
	empty, err := db.AdvertiserTimeline(ctx, "a-17")
	if err != nil || len(empty) != 0 {
		t.Errorf("timeline without documents = %v, %v; want empty", empty, err)
	}
}
