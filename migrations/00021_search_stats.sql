-- Statistics on the search sort key, so the planner knows how many documents
-- a date range holds. Without them it guesses 0.5% of the archive, fetches
-- every document of the range and sorts them, where walking the newest-first
-- index for one page and the facet window would do.

-- +goose Up
CREATE STATISTICS IF NOT EXISTS documents_sort_key ON (coalesce(published_at, fetched_at)) FROM documents;
ANALYZE documents;

-- +goose Down
DROP STATISTICS IF EXISTS documents_sort_key;
