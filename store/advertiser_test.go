package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"adwatch"
	"adwatch/internal/testdb"
	"adwatch/store"
)

func TestImportAdvertisersStatsAndReplace(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := store.FromSQL(testdb.New(t))
	first := []adwatch.Advertiser{
		{ID: "a-17", Name: "AO Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true},
		{ID: "a-21", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei"}, Active: true},
		{ID: "a-22", Name: "ZTE Corporation", Active: true, Extra: map[string]string{"region": "APAC"}},
	}
	st, err := db.ImportAdvertisers(ctx, first, false)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.ImportStats{Inserted: 3}); st != want {
		t.Errorf("first import: got %+v, want %+v", st, want)
	}
	second := []adwatch.Advertiser{
		first[0],
		{ID: "a-21", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei", "HiSilicon"}, Active: true},
		{ID: "a-31", Name: "Zhejiang Dahua Technology", Aliases: []string{"Dahua"}, Active: true},
	}
	st, err = db.ImportAdvertisers(ctx, second, true)
	if err != nil {
		t.Fatal(err)
	}
	if want := (store.ImportStats{Inserted: 1, Updated: 1, Unchanged: 1, Deactivated: 1}); st != want {
		t.Errorf("replace import: got %+v, want %+v", st, want)
	}
	active, err := db.Advertisers(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range active {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(ids, []string{"a-17", "a-21", "a-31"}) {
		t.Errorf("active advertisers: got %v", ids)
	}
	zte, err := db.Advertiser(ctx, "a-22")
	if err != nil {
		t.Fatal(err)
	}
	if zte.Active || zte.Extra["region"] != "APAC" {
		t.Errorf("a-22 after replace: got %+v, want kept but inactive", zte)
	}
	all, err := db.Advertisers(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Errorf("all advertisers: got %d, want 4", len(all))
	}
	if h, _ := db.Advertiser(ctx, "a-21"); !slices.Equal(h.Aliases, []string{"Huawei", "HiSilicon"}) {
		t.Errorf("updated aliases: got %v", h.Aliases)
	}
}

func TestImportAdvertisersAllOrNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	sqlDB := testdb.New(t)
	db := store.FromSQL(sqlDB)
	if _, err := db.ImportAdvertisers(ctx, []adwatch.Advertiser{{ID: "a-17", Name: "AO Kaspersky Lab", Active: true}}, false); err != nil {
		t.Fatal(err)
	}
	// A failure inside the database half way through the file: a trigger
	// refuses one row after others were written.
	_, err := sqlDB.Exec(`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused %', NEW.ext_id; END $$;
		CREATE TRIGGER refuse BEFORE INSERT ON advertisers FOR EACH ROW
		WHEN (NEW.ext_id = 'a-99') EXECUTE FUNCTION refuse()`)
	if err != nil {
		t.Fatal(err)
	}
	batch := []adwatch.Advertiser{
		{ID: "a-21", Name: "Huawei Technologies Co., Ltd.", Active: true},
		{ID: "a-17", Name: "Kaspersky renamed", Active: true},
		{ID: "a-99", Name: "Refused Corp", Active: true},
	}
	if _, err := db.ImportAdvertisers(ctx, batch, true); err == nil {
		t.Fatal("import with a refused row succeeded")
	}
	all, err := db.Advertisers(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].Name != "AO Kaspersky Lab" || !all[0].Active {
		t.Errorf("after failed import: got %+v, want only the unchanged a-17", all)
	}
	dup := []adwatch.Advertiser{{ID: "a-40", Name: "One"}, {ID: "a-40", Name: "Two"}}
	if _, err := db.ImportAdvertisers(ctx, dup, false); !errors.Is(err, adwatch.ErrInvalid) {
		t.Errorf("duplicate ids: got %v, want ErrInvalid", err)
	}
}

func TestSetAdvertiserActive(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	if err := db.SetAdvertiserActive(ctx, "a-30", true); err != nil {
		t.Fatal(err)
	}
	// Now active, Hikvision raises an alert on the covered list.
	res, err := db.SaveDocuments(ctx, []adwatch.Document{coveredList}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res[0].Alerts) != 3 {
		t.Errorf("alerts after activating a-30: got %d, want 3", len(res[0].Alerts))
	}
	if err := db.SetAdvertiserActive(ctx, "a-404", false); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown advertiser: got %v, want ErrNotFound", err)
	}
	if _, err := db.Advertiser(ctx, "a-404"); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown advertiser: got %v, want ErrNotFound", err)
	}
}
