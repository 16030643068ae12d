package demo

import (
	_ "embed"
	"encoding/json"
	"strings"

	"adwatch"
)

//go:embed advertisers.csv
var advertisersCSV []byte

//go:embed expected.json
var expectedJSON []byte

// Sources are the demo's sources pointed at a running site, in the same shape
// as the sources section of adwatch.yaml.
func Sources(baseURL string) []adwatch.Source {
	base := strings.TrimSuffix(baseURL, "/")
	return []adwatch.Source{
		{
			Name:    "federal-register",
			Kind:    adwatch.KindGovernment,
			Type:    adwatch.SourceFederalRegister,
			URL:     base + frListingPath,
			PerPage: frMaxPerPage,
		},
		{
			Name:         "agency-press",
			Kind:         adwatch.KindGovernment,
			Type:         adwatch.SourceHTML,
			URL:          base + "/news/press-releases/",
			ItemSelector: "a.press-release",
			NextSelector: "a.next",
			MaxPages:     5,
			Follow:       true,
		},
		{
			Name:   "press-rss",
			Kind:   adwatch.KindPress,
			Type:   adwatch.SourceFeed,
			URL:    base + "/press/rss.xml",
			Follow: true,
		},
		{
			Name:   "press-atom",
			Kind:   adwatch.KindPress,
			Type:   adwatch.SourceFeed,
			URL:    base + "/press/atom.xml",
			Follow: true,
		},
	}
}

// AdvertisersCSV is the sample advertiser list in the import format of the
// contract (id,name,aliases,active,owner_email). It returns a copy.
func AdvertisersCSV() []byte { return append([]byte(nil), advertisersCSV...) }

// Expectation is an analyst's label for one document of the site: which
// advertisers it must alert and which it must not (a fruit is not Apple Inc.).
// Path is the document's canonical URL path on the site; AltPaths are other
// URLs of the same document (a Federal Register notice's raw text and body
// HTML) that a crawler may store instead.
type Expectation struct {
	Path         string   `json:"path"`
	AltPaths     []string `json:"alt_paths,omitempty"`
	Source       string   `json:"source"`
	MustAlert    []string `json:"must_alert"`
	MustNotAlert []string `json:"must_not_alert"`
	Note         string   `json:"note,omitempty"`
}

// Expected returns the hand labels for every document of the site.
func Expected() []Expectation {
	var out []Expectation
	if err := json.Unmarshal(expectedJSON, &out); err != nil {
		// The file is part of the program and checked by the package tests.
		panic("demo: expected.json: " + err.Error())
	}
	return out
}
