-- The search vector is computed once per document and kept once: in
-- search_docs, the only table search reads. Until now documents carried it
-- too, as a stored generated column with its own GIN index, and the trigger
-- copied it: every new document paid for a second compressed copy of ~3 KB
-- and a second GIN insertion of its ~300 lexemes, which nothing read but
-- re-screening (now reading search_docs). Measured on the nightly path, the
-- two made storing a document cost more than extracting it.
--
-- search_docs holds latest versions only; an older version is found by its
-- URL, never by its words, as before.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_search_docs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
        DELETE FROM search_docs WHERE id = OLD.id;
    END IF;
    IF NEW.latest THEN
        IF TG_OP = 'UPDATE' AND OLD.id = NEW.id AND OLD.title IS NOT DISTINCT FROM NEW.title
            AND OLD.text IS NOT DISTINCT FROM NEW.text AND EXISTS (SELECT FROM search_docs WHERE id = NEW.id) THEN
            -- Dates, kind or source changed: the vector is still right.
            UPDATE search_docs SET t = coalesce(NEW.published_at, NEW.fetched_at), source_id = NEW.source_id,
                kind = NEW.kind, month = adwatch_search_month(coalesce(NEW.published_at, NEW.fetched_at))
            WHERE id = NEW.id;
            RETURN NULL;
        END IF;
        INSERT INTO search_docs (id, t, source_id, kind, tsv, month)
        VALUES (NEW.id, coalesce(NEW.published_at, NEW.fetched_at), NEW.source_id, NEW.kind,
            adwatch_document_tsv(NEW.title, NEW.text),
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

DROP TRIGGER documents_search_docs_update ON documents;
CREATE TRIGGER documents_search_docs_update AFTER UPDATE ON documents
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.latest IS DISTINCT FROM NEW.latest
        OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.fetched_at IS DISTINCT FROM NEW.fetched_at
        OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.title IS DISTINCT FROM NEW.title OR OLD.text IS DISTINCT FROM NEW.text)
    EXECUTE FUNCTION adwatch_search_docs_sync();

DROP INDEX IF EXISTS documents_tsv;
ALTER TABLE documents DROP COLUMN tsv;

-- +goose Down
ALTER TABLE documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS (adwatch_document_tsv(title, text)) STORED;
CREATE INDEX documents_tsv ON documents USING gin (tsv);

DROP TRIGGER documents_search_docs_update ON documents;
CREATE TRIGGER documents_search_docs_update AFTER UPDATE ON documents
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.latest IS DISTINCT FROM NEW.latest
        OR OLD.published_at IS DISTINCT FROM NEW.published_at OR OLD.fetched_at IS DISTINCT FROM NEW.fetched_at
        OR OLD.source_id IS DISTINCT FROM NEW.source_id OR OLD.kind IS DISTINCT FROM NEW.kind
        OR OLD.tsv IS DISTINCT FROM NEW.tsv)
    EXECUTE FUNCTION adwatch_search_docs_sync();

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_search_docs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
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
