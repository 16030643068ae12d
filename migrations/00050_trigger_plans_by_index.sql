-- The search triggers look rows up by key (a document's search row, its
-- advertiser rows, its alerts and matches). PL/pgSQL keeps a generic plan
-- of each lookup for the life of a connection, made when the statement
-- first ran. On a new or freshly restored database, tables like search_docs
-- and advertiser_docs are known to be empty then, so the plan is a
-- sequential scan, and it stays one as the tables grow: each stored document
-- read all of search_docs, and a nightly run got slower with every page
-- (seen once the store kept its connections; autovacuum's statistics would
-- have replaced the plans eventually, and this machine kind runs without
-- it). Sequential scans are off inside these functions, so their plans use
-- the keys' indexes whatever the statistics say.

-- +goose Up
ALTER FUNCTION adwatch_search_docs_sync() SET enable_seqscan = off;
ALTER FUNCTION adwatch_advertiser_docs_search() SET enable_seqscan = off;
ALTER FUNCTION adwatch_advertiser_doc_sync(bigint, bigint) SET enable_seqscan = off;

-- +goose Down
ALTER FUNCTION adwatch_advertiser_doc_sync(bigint, bigint) RESET enable_seqscan;
ALTER FUNCTION adwatch_advertiser_docs_search() RESET enable_seqscan;
ALTER FUNCTION adwatch_search_docs_sync() RESET enable_seqscan;
