-- A narrow copy of what search filters and sorts on, one row per latest
-- document: its sort date, kind, source and tsvector. The documents heap is
-- wide (title, URL, meta, headers: 424 MB at a million documents), so
-- finding the newest matches of a word in a few percent of the archive
-- through documents fetched tens of thousands of its pages just to read
-- their dates; search_docs holds about 90 bytes a row in line (the tsvector
-- lives out of line and is read only to rank or recheck a phrase), stays in
-- the buffer cache and is filled in date order.
--
-- month holds one lexeme, the sort date's month ("m201709", UTC), indexed
-- with the tsvector in one GIN index: the newest matches of a common word
-- are found by ANDing the word with the last few months inside the index,
-- so only those matches are fetched. (A date range beside the full-text
-- condition lets the planner read every row of the range and test its
-- tsvector, which it costs as cheap though each is an out-of-line read.)
--
-- A trigger on documents keeps it exact: every insert, every change of
-- latest, dates, kind, source or text, every delete. Package store reads it;
-- nothing writes it but the trigger.

-- +goose Up
CREATE TABLE search_docs (
    id        bigint PRIMARY KEY,
    t         timestamptz NOT NULL, -- coalesce(published_at, fetched_at): the newest-first key
    source_id bigint NOT NULL,
    kind      text NOT NULL,
    tsv       tsvector NOT NULL,
    month     tsvector NOT NULL
);

CREATE FUNCTION adwatch_search_month(t timestamptz) RETURNS tsvector
    LANGUAGE sql STABLE PARALLEL SAFE
    RETURN array_to_tsvector(ARRAY['m' || to_char(t AT TIME ZONE 'UTC', 'YYYYMM')]);

-- +goose StatementBegin
CREATE FUNCTION adwatch_search_docs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
        DELETE FROM search_docs WHERE id = OLD.id;
    END IF;
    IF NEW.latest THEN
        INSERT INTO search_docs (id, t, source_id, kind, tsv, month)
        VALUES (NEW.id, coalesce(NEW.published_at, NEW.fetched_at), NEW.source_id, NEW.kind, NEW.tsv,
            adwatch_search_month(coalesce(NEW.published_at, NEW.fetched_at)))
        ON CONFLICT (id) DO UPDATE
        SET t = EXCLUDED.t, source_id = EXCLUDED.source_id, kind = EXCLUDED.kind, tsv = EXCLUDED.tsv,
            month = EXCLUDED.month;
    ELSIF TG_OP = 'UPDATE' THEN
        DELETE FROM search_docs WHERE id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER documents_search_docs_insert AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION adwatch_search_docs_sync();
-- Updates that change nothing search reads (spans, evidence) copy nothing.
CREATE TRIGGER documents_search_docs_update AFTER UPDATE ON documents
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.latest IS DISTINCT FROM NEW.latest
        OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.fetched_at IS DISTINCT FROM NEW.fetched_at
        OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.tsv IS DISTINCT FROM NEW.tsv)
    EXECUTE FUNCTION adwatch_search_docs_sync();
CREATE TRIGGER documents_search_docs_delete AFTER DELETE ON documents
    FOR EACH ROW EXECUTE FUNCTION adwatch_search_docs_sync();

-- Oldest first, so the table's pages follow the date and a date range or the
-- newest matches sit on neighbouring pages.
INSERT INTO search_docs (id, t, source_id, kind, tsv, month)
SELECT id, coalesce(published_at, fetched_at), source_id, kind, tsv,
    adwatch_search_month(coalesce(published_at, fetched_at))
FROM documents WHERE latest
ORDER BY coalesce(published_at, fetched_at), id;

SET LOCAL maintenance_work_mem = '256MB';
CREATE INDEX search_docs_tsv ON search_docs USING gin (tsv, month);
-- Covering: the newest-first walk, date ranges and the facet window of a
-- query without words read kind and source from the index alone.
CREATE INDEX search_docs_newest ON search_docs (t DESC, id DESC) INCLUDE (source_id, kind);
-- The advertiser filter starts from an advertiser's alerts.
CREATE INDEX IF NOT EXISTS alerts_advertiser_document ON alerts (advertiser_id, document_id);
ANALYZE search_docs;

-- +goose Down
DROP INDEX IF EXISTS alerts_advertiser_document;
DROP TRIGGER IF EXISTS documents_search_docs_delete ON documents;
DROP TRIGGER IF EXISTS documents_search_docs_update ON documents;
DROP TRIGGER IF EXISTS documents_search_docs_insert ON documents;
DROP FUNCTION IF EXISTS adwatch_search_docs_sync();
DROP TABLE IF EXISTS search_docs;
DROP FUNCTION IF EXISTS adwatch_search_month(timestamptz);
