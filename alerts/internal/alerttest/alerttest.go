// Package alerttest holds sample alerts about real public events for the
// channel tests. It is for tests only.
package alerttest

import (
	"time"

	"adwatch"
)

// DHS returns an alert on DHS Binding Operational Directive 17-01 (13
// September 2017), which ordered federal agencies to identify and remove
// Kaspersky-branded products. The snippet is written for this test.
func DHS() adwatch.Alert {
	pub := time.Date(2017, 9, 13, 0, 0, 0, 0, time.UTC)
	return adwatch.Alert{
		ID:           17,
		AdvertiserID: "a-17",
		Advertiser:   "AO Kaspersky Lab",
		OwnerEmail:   "owner@example.com",
		DocumentID:   5,
		DocumentURL:  "https://www.dhs.gov/news/2017/09/13/dhs-statement-issuance-binding-operational-directive-17-01",
		Title:        "DHS Statement on the Issuance of Binding Operational Directive 17-01",
		Source:       "dhs-notices",
		Kind:         adwatch.KindGovernment,
		PublishedAt:  &pub,
		Alias:        "Kaspersky",
		Score:        0.97,
		Reasons:      []string{"alias in title", "company cue: -branded products"},
		Snippet:      "… directs agencies to identify Kaspersky-branded products on federal information systems & to remove them <within 90 days> …",
		Status:       adwatch.AlertNew,
		CreatedAt:    time.Date(2017, 9, 14, 2, 0, 0, 0, time.UTC),
	}
}

// FCC returns a press alert on the FCC's first Covered List (12 March 2021),
// which named Huawei, ZTE, Hytera, Hikvision and Dahua.
func FCC() adwatch.Alert {
	pub := time.Date(2021, 3, 12, 0, 0, 0, 0, time.UTC)
	return adwatch.Alert{
		ID:           21,
		AdvertiserID: "a-3",
		Advertiser:   "Huawei Technologies Co., Ltd.",
		DocumentID:   9,
		DocumentURL:  "https://press.example.com/2021/03/12/fcc-covered-list-huawei-zte",
		Title:        "FCC names Huawei, ZTE, Hytera, Hikvision and Dahua on its first Covered List",
		Source:       "wire-press",
		Kind:         adwatch.KindPress,
		PublishedAt:  &pub,
		Alias:        "Huawei",
		Score:        0.91,
		Reasons:      []string{"legal form nearby"},
		Snippet:      "The list names Huawei and ZTE equipment as a risk to national security; huawei's response followed.",
		Status:       adwatch.AlertNew,
		CreatedAt:    time.Date(2021, 3, 13, 2, 0, 0, 0, time.UTC),
	}
}
