-- A new press document's story is looked up by fingerprint band within
-- storyWindow of its date. The band indexes held the band only, so a lookup
-- fetched every document ever stored with a matching band and then tested
-- its date: bands of English text are not evenly spread (the commonest words
-- pull every fingerprint the same way), so at 75,000 press documents the
-- lookup took most of the time of storing a batch, growing with the archive.
-- With the date in the index a lookup reads only the window.

-- +goose Up
DROP INDEX IF EXISTS documents_simhash_b0;
DROP INDEX IF EXISTS documents_simhash_b1;
DROP INDEX IF EXISTS documents_simhash_b2;
DROP INDEX IF EXISTS documents_simhash_b3;
CREATE INDEX documents_simhash_b0 ON documents (simhash_b0, (coalesce(published_at, fetched_at)))
    WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b1 ON documents (simhash_b1, (coalesce(published_at, fetched_at)))
    WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b2 ON documents (simhash_b2, (coalesce(published_at, fetched_at)))
    WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b3 ON documents (simhash_b3, (coalesce(published_at, fetched_at)))
    WHERE kind = 'press' AND simhash IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS documents_simhash_b0;
DROP INDEX IF EXISTS documents_simhash_b1;
DROP INDEX IF EXISTS documents_simhash_b2;
DROP INDEX IF EXISTS documents_simhash_b3;
CREATE INDEX documents_simhash_b0 ON documents (simhash_b0) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b1 ON documents (simhash_b1) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b2 ON documents (simhash_b2) WHERE kind = 'press' AND simhash IS NOT NULL;
CREATE INDEX documents_simhash_b3 ON documents (simhash_b3) WHERE kind = 'press' AND simhash IS NOT NULL;
