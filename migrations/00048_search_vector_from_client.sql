-- The store now computes most search vectors itself (store/searchvec.go)
-- and writes them into search_docs in the statement that inserts the
-- documents; PostgreSQL's text parser had been the largest cost of storing a
-- document. The insert trigger therefore leaves a new document alone when
-- its search_docs row is already there. Every other write (updates, deletes,
-- documents the store could not vectorise) is kept in step as before.
--
-- adwatch_document_tsv was declared PARALLEL SAFE, but its EXCEPTION block
-- starts a subtransaction, which PostgreSQL forbids in a parallel query:
-- any query the planner ran in parallel over it failed with "cannot start
-- subtransactions during a parallel operation". It is PARALLEL UNSAFE now.

-- +goose Up
ALTER FUNCTION adwatch_document_tsv(text, text) PARALLEL UNSAFE;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_search_docs_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM search_docs WHERE id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND EXISTS (SELECT FROM search_docs WHERE id = NEW.id) THEN
        -- Written with its vector by the statement that inserted it.
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

-- +goose Down
ALTER FUNCTION adwatch_document_tsv(text, text) PARALLEL SAFE;

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
