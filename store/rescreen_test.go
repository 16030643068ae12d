package store_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"testing"

	"adwatch"
	"adwatch/store"
)

func TestRescreenCandidates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	ids := seed(t, db)
	for _, tc := range []struct {
		name  string
		names []string
		want  []int64
	}{
		{"one alias", []string{"Dahua"}, []int64{ids[2]}},
		{"phrase, stemmed", []string{"Dahua Technologies"}, []int64{ids[2]}},
		{"any of several", []string{"Hytera", "Kaspersky Lab"}, []int64{ids[1], ids[2]}},
		{"stop words only", []string{"The"}, nil},
		{"nowhere", []string{"Acme Widgets"}, nil},
		{"hostile", []string{"'); drop table documents; --", "a & | ! :*"}, nil},
		// One query ORing 20,000 names ran out of PostgreSQL's stack.
		{"twenty thousand names", manyNames(20000, "Hytera", "Kaspersky Lab"), []int64{ids[1], ids[2]}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			docs, err := db.RescreenCandidates(ctx, tc.names, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, d := range docs {
				got = append(got, d.ID)
				if d.Text == "" {
					t.Errorf("candidate %d without text", d.ID)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	page, err := db.RescreenCandidates(ctx, []string{"Kaspersky"}, ids[0], 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ID != ids[1] {
		t.Errorf("after id %d: got %v, want only %d", ids[0], page, ids[1])
	}
}

func TestSaveRescreen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newStore(t)
	ids := seed(t, db)
	if _, err := db.ImportAdvertisers(ctx, []adwatch.Advertiser{{ID: "a-31", Name: "Zhejiang Dahua Technology", Aliases: []string{"Dahua"}, Active: true}}, false); err != nil {
		t.Fatal(err)
	}
	matches := []adwatch.Match{
		match("a-31", "Zhejiang Dahua Technology", "Dahua Technology", 0.93),
		match("a-21", "Huawei Technologies Co., Ltd.", "Huawei", 0.95), // already alerted
	}
	var hooked int
	alerts, err := db.SaveRescreen(ctx, ids[2], matches, []string{"slack"}, func(ctx context.Context, tx *sql.Tx, a []adwatch.Alert) error {
		hooked = len(a)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || alerts[0].AdvertiserID != "a-31" || !alerts[0].Rescreen || hooked != 1 ||
		alerts[0].Deliveries["slack"].Status != adwatch.DeliveryPending {
		t.Errorf("rescreen alerts: got %+v (hook saw %d), want one rescreen alert for a-31", alerts, hooked)
	}
	again, err := db.SaveRescreen(ctx, ids[2], matches, []string{"slack"}, nil)
	if err != nil || len(again) != 0 {
		t.Errorf("rescreen twice: got %v, %v, want no new alerts", again, err)
	}
	if _, err := db.SaveRescreen(ctx, 999999, matches, nil, nil); !errors.Is(err, adwatch.ErrNotFound) {
		t.Errorf("unknown document: got %v, want ErrNotFound", err)
	}
	all, err := db.Alerts(ctx, store.AlertFilter{DocumentID: ids[2]})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("alerts on the covered list: got %d, want 3", len(all))
	}
}

// manyNames is n made-up company names with the given real ones among them.
func manyNames(n int, real ...string) []string {
	out := make([]string, 0, n+len(real))
	for i := 0; i < n; i++ {
		out = append(out, "Zorvex Holdings "+strconv.Itoa(i))
		if i == n/2 {
			out = append(out, real...)
		}
	}
	return out
}
