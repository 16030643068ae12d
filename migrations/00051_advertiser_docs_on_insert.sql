-- A new match or alert is the common write (one per alert on the nightly
-- path, twice: the match, then the alert), and for it the pair is known to
-- exist: its advertiser_docs row is inserted with its alerted list at once,
-- and only a new alert updates the document's other rows. Before, each went
-- through adwatch_advertiser_doc_sync: two existence checks, the insert and
-- an update, four statements where one or two do. Updates and deletes still
-- go through it.

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_advertiser_docs_pair() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO advertiser_docs (advertiser_id, id, t, source_id, kind, alerted)
        SELECT NEW.advertiser_id, s.id, s.t, s.source_id, s.kind, adwatch_alerted(s.id)
        FROM search_docs s WHERE s.id = NEW.document_id
        ON CONFLICT (advertiser_id, id) DO NOTHING;
        IF TG_TABLE_NAME = 'alerts' THEN
            UPDATE advertiser_docs SET alerted = adwatch_alerted(NEW.document_id)
            WHERE id = NEW.document_id AND alerted IS DISTINCT FROM adwatch_alerted(NEW.document_id);
        END IF;
        RETURN NULL;
    END IF;
    PERFORM adwatch_advertiser_doc_sync(OLD.advertiser_id, OLD.document_id);
    IF TG_OP = 'UPDATE' THEN
        PERFORM adwatch_advertiser_doc_sync(NEW.advertiser_id, NEW.document_id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
ALTER FUNCTION adwatch_advertiser_docs_pair() SET enable_seqscan = off;

-- +goose Down
ALTER FUNCTION adwatch_advertiser_docs_pair() RESET enable_seqscan;
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_advertiser_docs_pair() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM adwatch_advertiser_doc_sync(OLD.advertiser_id, OLD.document_id);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM adwatch_advertiser_doc_sync(NEW.advertiser_id, NEW.document_id);
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
