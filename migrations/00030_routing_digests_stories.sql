-- Routing, digests and stories.
--
-- A delivery is decided per alert and channel when the alert is saved:
-- pending (sent at once by a job), digest (waiting for the channel's next
-- digest) or skipped (routed to nothing). Digests record what they sent.
--
-- Near-duplicate press documents (syndicated wire copy, one article under
-- several URLs) share a story: a 64-bit SimHash of the text, split into four
-- 16-bit bands so that "Hamming distance <= 3" is found by index probes
-- (two fingerprints that close agree on at least one band). An advertiser
-- gets one alert per story; later copies are attached in alert_documents.

-- +goose Up
ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_status_check;
ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_status_check
    CHECK (status IN ('pending', 'delivered', 'failed', 'digest', 'skipped'));
CREATE INDEX alert_deliveries_digest ON alert_deliveries (channel, alert_id) WHERE status = 'digest';

CREATE TABLE digests (
    id        bigserial PRIMARY KEY,
    channel   text NOT NULL,
    period    text NOT NULL,
    alert_ids bigint[] NOT NULL,
    sent_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX digests_channel ON digests (channel, sent_at DESC);

ALTER TABLE documents ADD COLUMN simhash bigint;
ALTER TABLE documents ADD COLUMN simhash_b0 integer;
ALTER TABLE documents ADD COLUMN simhash_b1 integer;
ALTER TABLE documents ADD COLUMN simhash_b2 integer;
ALTER TABLE documents ADD COLUMN simhash_b3 integer;
ALTER TABLE documents ADD COLUMN story_id bigint;
CREATE INDEX documents_simhash_b0 ON documents (simhash_b0) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b1 ON documents (simhash_b1) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b2 ON documents (simhash_b2) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b3 ON documents (simhash_b3) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_story ON documents (story_id) WHERE story_id IS NOT NULL;

CREATE TABLE alert_documents (
    alert_id    bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    added_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, document_id)
);
CREATE INDEX alert_documents_document ON alert_documents (document_id);

-- +goose Down
DROP TABLE alert_documents;
DROP INDEX documents_story;
ALTER TABLE documents DROP COLUMN story_id, DROP COLUMN simhash, DROP COLUMN simhash_b0,
    DROP COLUMN simhash_b1, DROP COLUMN simhash_b2, DROP COLUMN simhash_b3;
DROP TABLE digests;
DROP INDEX alert_deliveries_digest;
ALTER TABLE alert_deliveries DROP CONSTRAINT alert_deliveries_status_check;
ALTER TABLE alert_deliveries ADD CONSTRAINT alert_deliveries_status_check
    CHECK (status IN ('pending', 'delivered', 'failed'));
