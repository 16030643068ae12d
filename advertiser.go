package adwatch

import "time"

// Advertiser is a current or past customer of the ad platform, as imported
// from the advertisers CSV. ID is the CSV's id, the only id users see.
type Advertiser struct {
	ID         string            `json:"id"`
	Name       string            `json:"name"`
	Aliases    []string          `json:"aliases"`
	Active     bool              `json:"active"`
	OwnerEmail string            `json:"owner_email,omitempty"`
	Extra      map[string]string `json:"extra,omitempty"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Company is a business a document names, with how often it is named.
type Company struct {
	Name     string `json:"name"`
	Mentions int    `json:"mentions"`
}

// Match is an advertiser named, as a company, in a document: the evidence an
// analyst needs to trust or dismiss the alert it raises.
type Match struct {
	AdvertiserID string   `json:"advertiser_id"`
	Advertiser   string   `json:"advertiser"`
	Alias        string   `json:"alias"`
	Score        float64  `json:"score"`
	Reasons      []string `json:"reasons,omitempty"`
	Snippet      string   `json:"snippet"`
	Start        int      `json:"-"` // byte offset of the mention in the text
	End          int      `json:"-"`
	Mentions     int      `json:"mentions,omitempty"` // accepted occurrences in the document
}
