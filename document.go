package adwatch

import (
	"net/http"
	"time"
)

// Fetched is what the crawler hands on: one response for one document, with
// the metadata the source itself gave (feed item fields, Federal Register
// fields, screening-list columns).
type Fetched struct {
	Source      string      // source name
	Kind        Kind        // the source's kind
	URL         string      // final URL after redirects
	Status      int         // HTTP status
	Header      http.Header // response headers, kept as evidence
	Body        []byte      // decoded body (gzip removed), at most the configured cap
	ContentType string      // from the response, possibly corrected by sniffing
	FetchedAt   time.Time
	// Meta carries what the source said about the document before we read it:
	// "title", "published" (RFC 3339), "document_number", "agencies", "html_url",
	// "summary", "canonical_url", … Extraction prefers the document's own data
	// and falls back to these.
	Meta map[string]string
}

// Document is an archived document version.
type Document struct {
	ID           int64             `json:"id"`
	URL          string            `json:"url"` // canonical URL
	Title        string            `json:"title"`
	Source       string            `json:"source"`
	Kind         Kind              `json:"kind"`
	PublishedAt  *time.Time        `json:"published_at"`
	FetchedAt    time.Time         `json:"fetched_at"`
	Text         string            `json:"text,omitempty"`
	ContentHash  string            `json:"content_hash"`
	Version      int               `json:"version"`
	Meta         map[string]string `json:"meta,omitempty"`
	ContentType  string            `json:"content_type,omitempty"`
	Companies    []Company         `json:"companies,omitempty"`
	Advertisers  []string          `json:"advertisers,omitempty"` // names of advertisers alerted on
	RawSize      int               `json:"raw_size,omitempty"`
	Status       int               `json:"status,omitempty"`
	FinalURL     string            `json:"final_url,omitempty"`
	PreviousID   int64             `json:"previous_id,omitempty"`
	RawHeader    http.Header       `json:"-"`
	Raw          []byte            `json:"-"`
	Matches      []Match           `json:"-"`
	CompanySpans []Span            `json:"-"`
}

// Extracted is what extraction makes of one fetched document or file.
type Extracted struct {
	Title        string     `json:"title"`
	Text         string     `json:"text"`
	Published    *time.Time `json:"published,omitempty"`
	CanonicalURL string     `json:"canonical_url,omitempty"`
	Companies    []Company  `json:"companies"`
	Matches      []Match    `json:"matches"`
	// Spans are the offsets in Text of every company mention, for highlighting.
	Spans []Span `json:"-"`
}

// Span is a byte range [Start, End) in a document's text.
type Span struct {
	Start int    `json:"start"`
	End   int    `json:"end"`
	Name  string `json:"name"` // canonical company name or advertiser id
}

// URLState is what the crawler remembers about one URL between runs, so the
// next run can ask "has this changed?" (conditional GET) or skip it.
type URLState struct {
	URL          string    `json:"url"`
	Source       string    `json:"source"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	ContentHash  string    `json:"content_hash,omitempty"`
	Status       int       `json:"status"`
	FetchedAt    time.Time `json:"fetched_at"`
	// Updated is the item's own "updated" time when the listing gave one (feed
	// entries); a later listing value means the document changed.
	Updated *time.Time `json:"updated,omitempty"`
}
