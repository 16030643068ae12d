-- alerts had three identical btree indexes on (advertiser_id, document_id):
-- the unique constraint's, alerts_advertiser (00020) and
-- alerts_advertiser_document (00040). The constraint's serves every lookup
-- the other two did; each alert paid for three.

-- +goose Up
DROP INDEX IF EXISTS alerts_advertiser;
DROP INDEX IF EXISTS alerts_advertiser_document;

-- +goose Down
CREATE INDEX IF NOT EXISTS alerts_advertiser ON alerts (advertiser_id, document_id);
CREATE INDEX IF NOT EXISTS alerts_advertiser_document ON alerts (advertiser_id, document_id);
