-- Every alert delivery loads its alert by id: a join of four tables and two
-- subqueries that took 0.3-0.7 ms to plan and 0.1 ms to run, planned anew
-- each time (2,041 deliveries of a 10,000-page bench run spent 1.3 s of
-- server CPU planning it). Inside a PL/pgSQL function a generic plan is
-- kept for the connection's life (forced: for an array of ids, PostgreSQL
-- would otherwise keep planning for each call's array); sequential scans
-- are off, so the kept plan reads by key whatever the tables held when it
-- was made (see 00050).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION adwatch_alerts(ids bigint[]) RETURNS TABLE (
    id bigint, ext_id text, advertiser text, owner_email text, document_id bigint, url text, title text,
    source text, kind text, published_at timestamptz, alias text, score double precision, reasons text[],
    snippet text, status text, rescreen boolean, created_at timestamptz, deliveries json, has_story boolean)
LANGUAGE plpgsql STABLE SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
BEGIN
    -- Deliveries come along as JSON, and whether the story has other
    -- documents (loaded separately, for the few that do).
    RETURN QUERY
    SELECT al.id, a.ext_id, a.name, a.owner_email, al.document_id, d.url, d.title, s.name, d.kind,
        d.published_at, al.alias, al.score, al.reasons, al.snippet, al.status, al.rescreen, al.created_at,
        (SELECT json_agg(json_build_object('channel', ad.channel, 'status', ad.status,
            'attempts', ad.attempts, 'last_error', ad.last_error, 'delivered_at', ad.delivered_at))
         FROM alert_deliveries ad WHERE ad.alert_id = al.id),
        coalesce((SELECT true FROM alert_documents x WHERE x.alert_id = al.id LIMIT 1), false)
    FROM alerts al
    JOIN advertisers a ON a.id = al.advertiser_id
    JOIN documents d ON d.id = al.document_id
    JOIN sources s ON s.id = d.source_id
    WHERE al.id = ANY(ids)
    ORDER BY al.id DESC;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION adwatch_alerts(bigint[]);
