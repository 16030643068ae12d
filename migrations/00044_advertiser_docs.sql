-- The advertiser filter without words, newest first: one row per advertiser
-- and latest document that names it (an alert or a match), with the
-- document's sort date, source and kind as search_docs holds them, and the
-- advertisers its alerts name (alerted: the advertiser facet counts them).
--
-- Through search_docs, the filter looked up every document of the
-- advertiser (2,500 at a million documents) to sort them by date before it
-- could take the newest page and facet window; here the newest come first
-- from one index, whatever the advertiser's number of documents.
--
-- Triggers keep it exact: on alerts and document_matches (a pair is listed
-- while either table holds it and its document is in search_docs) and on
-- search_docs (a document's date, source or kind changes; it stops or starts
-- being the latest). Package store reads it; nothing writes it but the
-- triggers.

-- +goose Up
CREATE TABLE advertiser_docs (
    advertiser_id bigint NOT NULL,
    id            bigint NOT NULL, -- search_docs.id
    t             timestamptz NOT NULL,
    source_id     bigint NOT NULL,
    kind          text NOT NULL,
    alerted       bigint[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (advertiser_id, id)
);
CREATE INDEX advertiser_docs_id ON advertiser_docs (id);

CREATE FUNCTION adwatch_alerted(doc bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    RETURN coalesce(ARRAY(SELECT advertiser_id FROM alerts WHERE document_id = doc ORDER BY advertiser_id), '{}');

-- +goose StatementBegin
CREATE FUNCTION adwatch_advertiser_doc_sync(adv bigint, doc bigint) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM alerts WHERE advertiser_id = adv AND document_id = doc)
        OR EXISTS (SELECT 1 FROM document_matches WHERE advertiser_id = adv AND document_id = doc) THEN
        INSERT INTO advertiser_docs (advertiser_id, id, t, source_id, kind)
        SELECT adv, s.id, s.t, s.source_id, s.kind FROM search_docs s WHERE s.id = doc
        ON CONFLICT (advertiser_id, id) DO NOTHING;
    ELSE
        DELETE FROM advertiser_docs WHERE advertiser_id = adv AND id = doc;
    END IF;
    UPDATE advertiser_docs SET alerted = adwatch_alerted(doc)
    WHERE id = doc AND alerted IS DISTINCT FROM adwatch_alerted(doc);
END
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION adwatch_advertiser_docs_pair() RETURNS trigger LANGUAGE plpgsql AS $$
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

-- +goose StatementBegin
CREATE FUNCTION adwatch_advertiser_docs_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM advertiser_docs WHERE id = OLD.id;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE advertiser_docs SET t = NEW.t, source_id = NEW.source_id, kind = NEW.kind WHERE id = NEW.id;
    ELSE
        INSERT INTO advertiser_docs (advertiser_id, id, t, source_id, kind, alerted)
        SELECT x.advertiser_id, NEW.id, NEW.t, NEW.source_id, NEW.kind, adwatch_alerted(NEW.id)
        FROM (SELECT advertiser_id FROM alerts WHERE document_id = NEW.id
              UNION SELECT advertiser_id FROM document_matches WHERE document_id = NEW.id) x
        ON CONFLICT (advertiser_id, id) DO UPDATE
        SET t = EXCLUDED.t, source_id = EXCLUDED.source_id, kind = EXCLUDED.kind, alerted = EXCLUDED.alerted;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER alerts_advertiser_docs AFTER INSERT OR DELETE OR UPDATE OF advertiser_id, document_id ON alerts
    FOR EACH ROW EXECUTE FUNCTION adwatch_advertiser_docs_pair();
CREATE TRIGGER document_matches_advertiser_docs AFTER INSERT OR DELETE OR UPDATE OF advertiser_id, document_id ON document_matches
    FOR EACH ROW EXECUTE FUNCTION adwatch_advertiser_docs_pair();
CREATE TRIGGER search_docs_advertiser_docs AFTER INSERT OR DELETE ON search_docs
    FOR EACH ROW EXECUTE FUNCTION adwatch_advertiser_docs_search();
CREATE TRIGGER search_docs_advertiser_docs_update AFTER UPDATE ON search_docs
    FOR EACH ROW WHEN (OLD.t IS DISTINCT FROM NEW.t OR OLD.source_id IS DISTINCT FROM NEW.source_id
        OR OLD.kind IS DISTINCT FROM NEW.kind)
    EXECUTE FUNCTION adwatch_advertiser_docs_search();

INSERT INTO advertiser_docs (advertiser_id, id, t, source_id, kind, alerted)
SELECT x.advertiser_id, s.id, s.t, s.source_id, s.kind, coalesce(al.alerted, '{}')
FROM (SELECT advertiser_id, document_id FROM alerts
      UNION SELECT advertiser_id, document_id FROM document_matches) x
JOIN search_docs s ON s.id = x.document_id
LEFT JOIN (SELECT document_id, array_agg(advertiser_id ORDER BY advertiser_id) AS alerted
           FROM alerts GROUP BY document_id) al ON al.document_id = s.id;

-- Newest first per advertiser; the facets' columns from the index alone.
CREATE INDEX advertiser_docs_newest ON advertiser_docs (advertiser_id, t DESC, id DESC) INCLUDE (source_id, kind, alerted);
ANALYZE advertiser_docs;

-- +goose Down
DROP TRIGGER IF EXISTS search_docs_advertiser_docs_update ON search_docs;
DROP TRIGGER IF EXISTS search_docs_advertiser_docs ON search_docs;
DROP TRIGGER IF EXISTS document_matches_advertiser_docs ON document_matches;
DROP TRIGGER IF EXISTS alerts_advertiser_docs ON alerts;
DROP FUNCTION IF EXISTS adwatch_advertiser_docs_search();
DROP FUNCTION IF EXISTS adwatch_advertiser_docs_pair();
DROP FUNCTION IF EXISTS adwatch_advertiser_doc_sync(bigint, bigint);
DROP FUNCTION IF EXISTS adwatch_alerted(bigint);
DROP TABLE IF EXISTS advertiser_docs;
