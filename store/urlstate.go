package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"adwatch"
)

// execer is satisfied by the pool and by transactions, so the same
// upsert serves PutURLState and SaveDocuments.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// URLState returns what the crawler remembered about url, or
// adwatch.ErrNotFound when it never saw it.
func (db *DB) URLState(ctx context.Context, url string) (adwatch.URLState, error) {
	got, err := db.URLStates(ctx, []string{url})
	if err != nil {
		return adwatch.URLState{}, fmt.Errorf("url state of %s: %w", url, err)
	}
	st, ok := got[url]
	if !ok {
		return adwatch.URLState{}, fmt.Errorf("url state of %s: %w", url, adwatch.ErrNotFound)
	}
	return st, nil
}

// URLStates returns the crawl state of each of urls that the crawler
// remembered, keyed as given, in one query; unknown URLs are absent.
func (db *DB) URLStates(ctx context.Context, urls []string) (map[string]adwatch.URLState, error) {
	out := make(map[string]adwatch.URLState, len(urls))
	if len(urls) == 0 {
		return out, nil
	}
	rows, err := db.db.QueryContext(ctx, `
		SELECT k.n, s.source, s.etag, s.last_modified, s.content_hash, s.status, s.fetched_at, s.updated
		FROM unnest($1::text[]) WITH ORDINALITY AS k(u, n)
		JOIN url_state s ON md5(s.url) = md5(k.u) AND s.url = k.u
		WHERE md5(s.url) = ANY(ARRAY(SELECT md5(u) FROM unnest($1::text[]) AS u))`, pq.Array(cleanAll(urls)))
	if err != nil {
		return nil, fmt.Errorf("url states of %d urls: %w", len(urls), err)
	}
	defer rows.Close()
	for rows.Next() {
		var n int
		var st adwatch.URLState
		var updated sql.NullTime
		if err := rows.Scan(&n, &st.Source, &st.ETag, &st.LastModified, &st.ContentHash, &st.Status, &st.FetchedAt, &updated); err != nil {
			return nil, fmt.Errorf("url states: %w", err)
		}
		st.URL = urls[n-1]
		st.Updated = timePtr(updated)
		out[st.URL] = st
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("url states: %w", err)
	}
	return out, nil
}

// PutURLState inserts or replaces the crawl state of st.URL.
func (db *DB) PutURLState(ctx context.Context, st adwatch.URLState) error {
	if st.URL == "" {
		return fmt.Errorf("put url state: empty url: %w", adwatch.ErrInvalid)
	}
	if err := putURLState(ctx, db.db, st); err != nil {
		return fmt.Errorf("put url state of %s: %w", st.URL, err)
	}
	return nil
}

func putURLState(ctx context.Context, ex execer, st adwatch.URLState) error {
	return putURLStates(ctx, ex, []adwatch.URLState{st})
}

// putURLStates inserts or replaces the crawl state of each URL in one
// statement. The URLs must be distinct (an upsert cannot change a row
// twice).
func putURLStates(ctx context.Context, ex execer, states []adwatch.URLState) error {
	if len(states) == 0 {
		return nil
	}
	n := len(states)
	urls, sources, etags, modified, hashes := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	fetched, updated := make([]string, n), make([]string, n)
	statuses := make([]int64, n)
	for i, st := range states {
		urls[i], sources[i], etags[i] = clean(st.URL), clean(st.Source), clean(st.ETag)
		modified[i], hashes[i], statuses[i] = clean(st.LastModified), clean(st.ContentHash), int64(st.Status)
		fetched[i] = st.FetchedAt.Format(time.RFC3339Nano)
		if st.Updated != nil {
			updated[i] = st.Updated.Format(time.RFC3339Nano)
		}
	}
	_, err := ex.ExecContext(ctx, `
		INSERT INTO url_state (url, source, etag, last_modified, content_hash, status, fetched_at, updated)
		SELECT u, s, e, m, h, st, f::timestamptz, nullif(up, '')::timestamptz
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::text[])
			AS t(u, s, e, m, h, st, f, up)
		ON CONFLICT (md5(url)) DO UPDATE SET url = EXCLUDED.url, source = EXCLUDED.source, etag = EXCLUDED.etag,
			last_modified = EXCLUDED.last_modified, content_hash = EXCLUDED.content_hash,
			status = EXCLUDED.status, fetched_at = EXCLUDED.fetched_at,
			updated = coalesce(EXCLUDED.updated, url_state.updated)`,
		pq.Array(urls), pq.Array(sources), pq.Array(etags), pq.Array(modified), pq.Array(hashes),
		pq.Array(statuses), pq.Array(fetched), pq.Array(updated))
	return err
}
