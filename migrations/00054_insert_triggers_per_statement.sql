-- Inserting documents fired two PL/pgSQL row triggers per document: one on
-- documents (is its search row there? the saving statement writes it) and
-- one on search_docs (copy the document's matches to advertiser_docs; a new
-- document has none yet). Their lookups were cheap; starting a PL/pgSQL
-- function twice per document was not. The insert triggers now run once per
-- statement over its inserted rows (a transition table), with the same
-- effect. Updates and deletes keep their row triggers.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION adwatch_search_docs_inserted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    -- Latest versions the inserting statement did not give a search row.
    INSERT INTO search_docs (id, t, source_id, kind, tsv, month)
    SELECT n.id, coalesce(n.published_at, n.fetched_at), n.source_id, n.kind,
        adwatch_document_tsv(n.title, n.text), adwatch_search_month(coalesce(n.published_at, n.fetched_at))
    FROM inserted_documents n
    WHERE n.latest AND NOT EXISTS (SELECT FROM search_docs s WHERE s.id = n.id)
    ON CONFLICT (id) DO UPDATE
    SET t = EXCLUDED.t, source_id = EXCLUDED.source_id, kind = EXCLUDED.kind, tsv = EXCLUDED.tsv,
        month = EXCLUDED.month;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE FUNCTION adwatch_advertiser_docs_searchable() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    INSERT INTO advertiser_docs (advertiser_id, id, t, source_id, kind, alerted)
    SELECT x.advertiser_id, n.id, n.t, n.source_id, n.kind, adwatch_alerted(n.id)
    FROM inserted_search_docs n
    CROSS JOIN LATERAL (SELECT advertiser_id FROM alerts WHERE document_id = n.id
        UNION SELECT advertiser_id FROM document_matches WHERE document_id = n.id) x
    ON CONFLICT (advertiser_id, id) DO UPDATE
    SET t = EXCLUDED.t, source_id = EXCLUDED.source_id, kind = EXCLUDED.kind, alerted = EXCLUDED.alerted;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER documents_search_docs_insert ON documents;
CREATE TRIGGER documents_search_docs_insert AFTER INSERT ON documents
    REFERENCING NEW TABLE AS inserted_documents
    FOR EACH STATEMENT EXECUTE FUNCTION adwatch_search_docs_inserted();
DROP TRIGGER search_docs_advertiser_docs ON search_docs;
CREATE TRIGGER search_docs_advertiser_docs AFTER DELETE ON search_docs
    FOR EACH ROW EXECUTE FUNCTION adwatch_advertiser_docs_search();
CREATE TRIGGER search_docs_advertiser_docs_insert AFTER INSERT ON search_docs
    REFERENCING NEW TABLE AS inserted_search_docs
    FOR EACH STATEMENT EXECUTE FUNCTION adwatch_advertiser_docs_searchable();

-- +goose Down
DROP TRIGGER search_docs_advertiser_docs_insert ON search_docs;
DROP TRIGGER search_docs_advertiser_docs ON search_docs;
CREATE TRIGGER search_docs_advertiser_docs AFTER INSERT OR DELETE ON search_docs
    FOR EACH ROW EXECUTE FUNCTION adwatch_advertiser_docs_search();
DROP TRIGGER documents_search_docs_insert ON documents;
CREATE TRIGGER documents_search_docs_insert AFTER INSERT ON documents
    FOR EACH ROW EXECUTE FUNCTION adwatch_search_docs_sync();
DROP FUNCTION adwatch_advertiser_docs_searchable();
DROP FUNCTION adwatch_search_docs_inserted();
