-- People and service accounts who may use the web UI and API, their browser
-- sessions and their API tokens. Secrets are never stored: passwords as
-- bcrypt hashes, session and API tokens as sha256 digests, so a copy of the
-- database does not let anyone log in.

-- +goose Up
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('analyst', 'admin')),
    password_hash text, -- NULL for service accounts, which only use API tokens
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY, -- sha256 of the cookie value
    user_id    bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE api_tokens (
    token_hash   bytea PRIMARY KEY, -- sha256 of the bearer token
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz
);

-- +goose Down
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
