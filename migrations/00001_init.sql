-- The schema adwatch needs on day one. Uniqueness decides "is this new?":
-- a document once per (url, content_hash), an alert once per (advertiser,
-- document), a delivery once per (alert, channel).

-- +goose Up
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE advertisers (
    id          bigserial PRIMARY KEY,
    ext_id      text NOT NULL UNIQUE, -- the CSV id, the only id users see
    name        text NOT NULL,
    aliases     text[] NOT NULL DEFAULT '{}',
    active      boolean NOT NULL DEFAULT true,
    owner_email text NOT NULL DEFAULT '',
    extra       jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX advertisers_name_trgm ON advertisers USING gin (name gin_trgm_ops);

CREATE TABLE sources (
    id                   bigserial PRIMARY KEY,
    name                 text NOT NULL UNIQUE,
    kind                 text NOT NULL,
    type                 text NOT NULL,
    url                  text NOT NULL,
    last_run_at          timestamptz,
    last_success_at      timestamptz,
    last_error           text NOT NULL DEFAULT '',
    consecutive_failures integer NOT NULL DEFAULT 0,
    empty_runs           integer NOT NULL DEFAULT 0,
    items_seen           integer NOT NULL DEFAULT 0,
    new_documents        integer NOT NULL DEFAULT 0,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE source_runs (
    id            bigserial PRIMARY KEY,
    source_id     bigint NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
    started_at    timestamptz NOT NULL,
    duration_ns   bigint NOT NULL DEFAULT 0,
    pages         integer NOT NULL DEFAULT 0,
    unchanged     integer NOT NULL DEFAULT 0,
    items_seen    integer NOT NULL DEFAULT 0,
    new_documents integer NOT NULL DEFAULT 0,
    alerts        integer NOT NULL DEFAULT 0,
    bytes         bigint NOT NULL DEFAULT 0,
    errors        text[] NOT NULL DEFAULT '{}',
    error         text NOT NULL DEFAULT ''
);
CREATE INDEX source_runs_source ON source_runs (source_id, started_at DESC);

-- What the crawler remembers per URL between runs (conditional GET).
CREATE TABLE url_state (
    url           text PRIMARY KEY,
    source        text NOT NULL DEFAULT '',
    etag          text NOT NULL DEFAULT '',
    last_modified text NOT NULL DEFAULT '',
    content_hash  text NOT NULL DEFAULT '',
    status        integer NOT NULL DEFAULT 0,
    fetched_at    timestamptz NOT NULL,
    updated       timestamptz
);

-- to_tsvector fails when a tsvector's lexemes exceed 1 MB, which a huge
-- document in a multi-byte script can reach. The body is cut to 500,000
-- characters; if that is still too much, to 250,000 characters, which cannot
-- exceed 1 MB even at 4 bytes a character (title capped at 10,000). A document
-- is never refused for being too big to index.
-- +goose StatementBegin
CREATE FUNCTION adwatch_document_tsv(title text, body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN setweight(to_tsvector('english'::regconfig, left(coalesce(title, ''), 10000)), 'A')
        || setweight(to_tsvector('english'::regconfig, left(coalesce(body, ''), 500000)), 'B');
EXCEPTION WHEN program_limit_exceeded THEN
    RETURN setweight(to_tsvector('english'::regconfig, left(coalesce(title, ''), 10000)), 'A')
        || setweight(to_tsvector('english'::regconfig, left(coalesce(body, ''), 250000)), 'B');
END
$$;
-- +goose StatementEnd

CREATE TABLE documents (
    id           bigserial PRIMARY KEY,
    url          text NOT NULL,
    version      integer NOT NULL,
    latest       boolean NOT NULL DEFAULT true, -- only the newest version of a URL is searched
    title        text NOT NULL DEFAULT '',
    source_id    bigint NOT NULL REFERENCES sources (id),
    kind         text NOT NULL,
    published_at timestamptz,
    fetched_at   timestamptz NOT NULL,
    text         text NOT NULL DEFAULT '',
    content_hash text NOT NULL,
    meta         jsonb NOT NULL DEFAULT '{}',
    content_type text NOT NULL DEFAULT '',
    status       integer NOT NULL DEFAULT 0,
    final_url    text NOT NULL DEFAULT '',
    raw          bytea,          -- gzip of the response body: the evidence
    raw_headers  jsonb NOT NULL DEFAULT '{}',
    raw_size     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    tsv          tsvector GENERATED ALWAYS AS (adwatch_document_tsv(title, text)) STORED,
    UNIQUE (url, content_hash),
    UNIQUE (url, version)
);
CREATE INDEX documents_tsv ON documents USING gin (tsv);
CREATE INDEX documents_newest ON documents ((coalesce(published_at, fetched_at)) DESC, id DESC) WHERE latest;
CREATE INDEX documents_fetched ON documents (fetched_at DESC, id DESC);
CREATE INDEX documents_source ON documents (source_id, id DESC);
CREATE INDEX documents_kind ON documents (kind, id DESC);

CREATE TABLE document_companies (
    document_id bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    name        text NOT NULL,
    mentions    integer NOT NULL DEFAULT 1,
    PRIMARY KEY (document_id, name)
);
CREATE INDEX document_companies_name_trgm ON document_companies USING gin (name gin_trgm_ops);

CREATE TABLE document_matches (
    id            bigserial PRIMARY KEY,
    document_id   bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    advertiser_id bigint NOT NULL REFERENCES advertisers (id) ON DELETE CASCADE,
    alias         text NOT NULL DEFAULT '',
    score         double precision NOT NULL DEFAULT 0,
    reasons       text[] NOT NULL DEFAULT '{}',
    snippet       text NOT NULL DEFAULT '',
    start_offset  integer NOT NULL DEFAULT 0,
    end_offset    integer NOT NULL DEFAULT 0,
    mentions      integer NOT NULL DEFAULT 0,
    UNIQUE (document_id, advertiser_id)
);
CREATE INDEX document_matches_advertiser ON document_matches (advertiser_id, document_id);

CREATE TABLE alerts (
    id            bigserial PRIMARY KEY,
    advertiser_id bigint NOT NULL REFERENCES advertisers (id) ON DELETE CASCADE,
    document_id   bigint NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    alias         text NOT NULL DEFAULT '',
    score         double precision NOT NULL DEFAULT 0,
    reasons       text[] NOT NULL DEFAULT '{}',
    snippet       text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'confirmed', 'dismissed')),
    rescreen      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (advertiser_id, document_id)
);
CREATE INDEX alerts_status ON alerts (status, id DESC);
CREATE INDEX alerts_document ON alerts (document_id);

CREATE TABLE alert_decisions (
    id       bigserial PRIMARY KEY,
    alert_id bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    status   text NOT NULL,
    reason   text NOT NULL DEFAULT '',
    who      text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_decisions_alert ON alert_decisions (alert_id, id);

CREATE TABLE alert_deliveries (
    alert_id     bigint NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    channel      text NOT NULL,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    delivered_at timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (alert_id, channel)
);
CREATE INDEX alert_deliveries_undelivered ON alert_deliveries (channel) WHERE status <> 'delivered';

-- +goose Down
DROP TABLE alert_deliveries;
DROP TABLE alert_decisions;
DROP TABLE alerts;
DROP TABLE document_matches;
DROP TABLE document_companies;
DROP TABLE documents;
DROP FUNCTION adwatch_document_tsv(text, text);
DROP TABLE url_state;
DROP TABLE source_runs;
DROP TABLE sources;
DROP TABLE advertisers;
