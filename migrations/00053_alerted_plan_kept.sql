-- adwatch_alerted lists the advertisers alerted on a document; the
-- advertiser_docs triggers call it two to four times for each new alert. As
-- a SQL function with a subquery it was never inlined, so PostgreSQL planned
-- its query at every call. In PL/pgSQL the plan is kept for the connection;
-- sequential scans are off, so the kept plan reads alerts by document
-- whatever the table held when it was made (see 00050).

-- +goose Up
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_alerted(doc bigint) RETURNS bigint[]
LANGUAGE plpgsql STABLE SET enable_seqscan = off AS $$
BEGIN
    RETURN coalesce(ARRAY(SELECT advertiser_id FROM alerts WHERE document_id = doc ORDER BY advertiser_id), '{}');
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION adwatch_alerted(doc bigint) RETURNS bigint[]
    LANGUAGE sql STABLE
    RETURN coalesce(ARRAY(SELECT advertiser_id FROM alerts WHERE document_id = doc ORDER BY advertiser_id), '{}');
-- +goose StatementEnd
