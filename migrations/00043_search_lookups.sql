-- What search at a million documents needed after search_docs (00040).
--
-- The planner's count of a word's matches sizes the date bound of its
-- ranked window (store/search.go). With the default statistics it knows the
-- thousand commonest lexemes; a word in 1-5% of the documents (a company
-- name) was estimated at 0.5%, so its bound came out as most of the archive
-- and all its matches were fetched. Ten times the statistics keep every
-- lexeme in more than ~0.6% of the documents (ANALYZE samples 300,000 rows:
-- ~15 s at a million).
--
-- The advertiser filter looks its documents up by id for their date, source
-- and kind: a covering index answers that without the heap. Facets ask each
-- document of their window for its alerted advertisers: (document_id,
-- advertiser_id) answers from the index alone and replaces the index on
-- document_id.

-- +goose Up
ALTER TABLE search_docs ALTER COLUMN tsv SET STATISTICS 1000;
CREATE INDEX search_docs_id_covering ON search_docs (id) INCLUDE (t, source_id, kind);
CREATE INDEX alerts_document_advertiser ON alerts (document_id, advertiser_id);
DROP INDEX IF EXISTS alerts_document;
ANALYZE search_docs;

-- +goose Down
CREATE INDEX IF NOT EXISTS alerts_document ON alerts (document_id);
DROP INDEX IF EXISTS alerts_document_advertiser;
DROP INDEX IF EXISTS search_docs_id_covering;
ALTER TABLE search_docs ALTER COLUMN tsv SET STATISTICS -1;
