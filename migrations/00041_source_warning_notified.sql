-- When a source's current "lists no items" warning was delivered to the
-- operators; NULL when there is none to deliver or it is not delivered yet.
-- Replaces marker rows that were kept in url_state under a pseudo-URL.

-- +goose Up
ALTER TABLE sources ADD COLUMN warning_notified_at timestamptz;
UPDATE sources s SET warning_notified_at = u.fetched_at
FROM url_state u
WHERE u.url = 'adwatch:source-warning/' || s.name;
DELETE FROM url_state WHERE url LIKE 'adwatch:source-warning/%';

-- +goose Down
ALTER TABLE sources DROP COLUMN warning_notified_at;
