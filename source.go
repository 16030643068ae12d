package adwatch

import "time"

// Source types understood by the crawler.
const (
	SourceFeed            = "feed"
	SourceHTML            = "html"
	SourceFederalRegister = "federalregister"
	SourceList            = "list"
)

// Source is one place adwatch watches, as configured in adwatch.yaml.
type Source struct {
	Name         string `yaml:"name" json:"name"`
	Kind         Kind   `yaml:"kind" json:"kind"`
	Type         string `yaml:"type" json:"type"`
	URL          string `yaml:"url" json:"url"`
	Schedule     string `yaml:"schedule" json:"schedule,omitempty"`
	Follow       bool   `yaml:"follow" json:"follow,omitempty"`
	ItemSelector string `yaml:"item_selector" json:"item_selector,omitempty"`
	NextSelector string `yaml:"next_selector" json:"next_selector,omitempty"`
	MaxPages     int    `yaml:"max_pages" json:"max_pages,omitempty"`
	// Federal Register API conditions (type federalregister).
	Agencies      []string `yaml:"agencies" json:"agencies,omitempty"`
	DocumentTypes []string `yaml:"document_types" json:"document_types,omitempty"`
	Term          string   `yaml:"term" json:"term,omitempty"`
	Since         string   `yaml:"since" json:"since,omitempty"` // YYYY-MM-DD, publication_date gte
	PerPage       int      `yaml:"per_page" json:"per_page,omitempty"`
}

// SourceHealth is a source's run history as the operators see it.
type SourceHealth struct {
	Name                string     `json:"name"`
	Kind                Kind       `json:"kind"`
	Type                string     `json:"type"`
	URL                 string     `json:"url"`
	LastRunAt           *time.Time `json:"last_run_at"`
	LastSuccessAt       *time.Time `json:"last_success_at"`
	LastError           string     `json:"last_error,omitempty"`
	ItemsSeen           int        `json:"items_seen"`
	NewDocuments        int        `json:"new_documents"`
	TotalDocuments      int        `json:"total_documents"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	EmptyRuns           int        `json:"empty_runs"`
	// Warning is set when a source that used to list items has listed none
	// for several runs in a row (a selector or feed broke).
	Warning string `json:"warning,omitempty"`
}

// SourceRun is the outcome of one crawl of one source.
type SourceRun struct {
	Source    string        `json:"source"`
	StartedAt time.Time     `json:"started_at"`
	Duration  time.Duration `json:"duration_ns"`
	Pages     int           `json:"pages"`      // HTTP responses received (incl. 304)
	Unchanged int           `json:"unchanged"`  // 304 or same content hash
	ItemsSeen int           `json:"items_seen"` // documents the source listed, known or not
	// ListingsNotModified counts listing pages (feeds, listing HTML, API
	// pages, list files) answered 304: nothing was parsed from them, so a
	// run with ItemsSeen 0 and ListingsNotModified > 0 is unchanged, not
	// empty.
	ListingsNotModified int      `json:"listings_not_modified,omitempty"`
	NewDocuments        int      `json:"new_documents"` // new documents or new versions stored
	Alerts              int      `json:"alerts"`
	Bytes               int64    `json:"bytes"`
	Errors              []string `json:"errors,omitempty"` // per-page problems that did not fail the source
	Err                 string   `json:"error,omitempty"`  // the source failed
}
