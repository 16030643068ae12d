-- Where each company is named in a document's text, so the document page can
-- highlight mentions without re-running extraction.

-- +goose Up
ALTER TABLE documents ADD COLUMN company_spans jsonb NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE documents DROP COLUMN company_spans;
