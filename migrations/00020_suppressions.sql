-- Analysts' dismissals turned into rules for the matcher: this alias of this
-- advertiser does not alert in documents from this source, or inside this
-- phrase. Who made the rule, when and why are kept with it.
-- Also an index for the per-advertiser timeline (matches by advertiser are
-- already indexed; alerts by advertiser are not).

-- +goose Up
CREATE TABLE suppressions (
    id            bigserial PRIMARY KEY,
    advertiser_id bigint NOT NULL REFERENCES advertisers (id) ON DELETE CASCADE,
    alias         text NOT NULL,
    source        text NOT NULL DEFAULT '',
    phrase        text NOT NULL DEFAULT '',
    reason        text NOT NULL DEFAULT '',
    created_by    text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (source <> '' OR phrase <> '')
);
CREATE UNIQUE INDEX suppressions_rule ON suppressions (advertiser_id, alias, source, md5(phrase));
CREATE INDEX alerts_advertiser ON alerts (advertiser_id, document_id);

-- +goose Down
DROP INDEX alerts_advertiser;
DROP TABLE suppressions;
