package adwatch

import "time"

// Alert statuses, as analysts triage them.
const (
	AlertNew       = "new"
	AlertConfirmed = "confirmed"
	AlertDismissed = "dismissed"
)

// Delivery statuses per channel.
const (
	DeliveryPending   = "pending"
	DeliveryDelivered = "delivered"
	DeliveryFailed    = "failed"  // gave up after the last attempt; can be retried by hand
	DeliveryDigest    = "digest"  // routed to the channel's next digest, waiting for it
	DeliverySkipped   = "skipped" // routed to nothing on this channel: never sent
)

// Alert says that an advertiser was named in a document. There is at most one
// per (advertiser, document).
type Alert struct {
	ID           int64               `json:"id"`
	AdvertiserID string              `json:"advertiser_id"`
	Advertiser   string              `json:"advertiser"`
	OwnerEmail   string              `json:"owner_email,omitempty"`
	DocumentID   int64               `json:"document_id"`
	DocumentURL  string              `json:"document_url"`
	Title        string              `json:"title"`
	Source       string              `json:"source"`
	Kind         Kind                `json:"kind"`
	PublishedAt  *time.Time          `json:"published_at"`
	Alias        string              `json:"alias"`
	Score        float64             `json:"score"`
	Reasons      []string            `json:"reasons"`
	Snippet      string              `json:"snippet"`
	Status       string              `json:"status"`
	Rescreen     bool                `json:"rescreen"`
	CreatedAt    time.Time           `json:"created_at"`
	Deliveries   map[string]Delivery `json:"deliveries"`
	Delivered    map[string]bool     `json:"delivered"`
	// Story lists the documents of the story this alert is about, its own
	// first: near-duplicate press copies (syndicated wire copy, one article
	// under several URLs) are attached to one alert, not alerted again.
	Story []StoryDocument `json:"story,omitempty"`
}

// StoryDocument is one document (one source) of an alert's story.
type StoryDocument struct {
	DocumentID  int64      `json:"document_id"`
	URL         string     `json:"url"`
	Title       string     `json:"title"`
	Source      string     `json:"source"`
	PublishedAt *time.Time `json:"published_at"`
}

// Delivery is the state of one alert on one channel.
type Delivery struct {
	Channel     string     `json:"channel"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	LastError   string     `json:"last_error,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}
