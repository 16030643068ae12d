-- A btree entry holds at most ~2.7 kB, and URLs are whatever a site links
-- to: a long one would make the whole saving batch fail, every night. URLs
-- are indexed by their md5 instead; queries compare the URL itself too.

-- +goose Up
ALTER TABLE documents DROP CONSTRAINT documents_url_content_hash_key;
ALTER TABLE documents DROP CONSTRAINT documents_url_version_key;
CREATE UNIQUE INDEX documents_url_content ON documents (md5(url), content_hash);
CREATE UNIQUE INDEX documents_url_version ON documents (md5(url), version);
ALTER TABLE url_state DROP CONSTRAINT url_state_pkey;
CREATE UNIQUE INDEX url_state_url ON url_state (md5(url));

-- +goose Down
DROP INDEX url_state_url;
ALTER TABLE url_state ADD PRIMARY KEY (url);
DROP INDEX documents_url_version;
DROP INDEX documents_url_content;
ALTER TABLE documents ADD UNIQUE (url, version);
ALTER TABLE documents ADD UNIQUE (url, content_hash);
