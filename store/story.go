package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"adwatch"
)

// One story, one alert: press documents whose texts are near-duplicates
// (syndicated wire copy, one article under several URLs, a lightly edited
// update) belong to one story, and an advertiser gets one alert per story.
const (
	// storyDistance is the largest Hamming distance between two SimHash
	// fingerprints of the same story. With four 16-bit bands, two
	// fingerprints this close agree on at least one band (pigeonhole), so
	// band equality finds every candidate.
	storyDistance = 3
	// storyWindow is how far apart in time two copies of a story may be.
	storyWindow = 14 * 24 * time.Hour
	// shingleWords is the length of the word sequences hashed. Single
	// words: a ~150-word article has too few 3-word shingles for the
	// fingerprint to survive a changed dateline or credit line within
	// three bits (measured in simhash_test.go), while its bag of words does.
	shingleWords = 1
	// minWordRunes: shorter words are left out.
	minWordRunes = 2
	// maxFingerprintText bounds the text hashed: press articles are far
	// shorter, and a huge text must not hold the saving transaction.
	maxFingerprintText = 256 << 10
	// minShingles: shorter texts (a headline, a stub) carry too little to
	// call two documents the same story.
	minShingles = 16
)

// simhash is a 64-bit SimHash (Charikar) of text over its lower-cased words
// (shingles of shingleWords words); ok is false when the text is too short
// to judge.
// Near-identical texts get fingerprints a few bits apart; unrelated texts
// differ in about half their bits.
func simhash(text string) (fp uint64, ok bool) {
	if len(text) > maxFingerprintText {
		text = text[:maxFingerprintText] // a cut rune is just skipped below
	}
	var weights [64]int32
	var window [shingleWords]uint64
	words, shingles := 0, 0
	var h uint64
	inWord, wordLen := false, 0
	flush := func() {
		if wordLen < minWordRunes {
			return // "a", "I", single digits: noise
		}
		window[words%shingleWords] = h
		words++
		if words >= shingleWords {
			s := uint64(0x9e3779b97f4a7c15)
			for i := 0; i < shingleWords; i++ { // in order: the oldest word first
				s = mix64(s ^ window[(words+i)%shingleWords])
			}
			for b := 0; b < 64; b++ {
				if s>>b&1 == 1 {
					weights[b]++
				} else {
					weights[b]--
				}
			}
			shingles++
		}
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord {
				h, inWord, wordLen = 14695981039346656037, true, 0 // FNV-1a offset basis
			}
			wordLen++
			r = unicode.ToLower(r)
			for r > 0 {
				h ^= uint64(r & 0xff)
				h *= 1099511628211
				r >>= 8
			}
			continue
		}
		if inWord && (r == '\'' || r == '’') {
			continue // "Kaspersky's" and "Kasperskys" hash alike
		}
		if inWord {
			flush()
			inWord = false
		}
	}
	if inWord {
		flush()
	}
	if shingles < minShingles {
		return 0, false
	}
	for b := 0; b < 64; b++ {
		if weights[b] > 0 {
			fp |= 1 << b
		}
	}
	return fp, true
}

// mix64 is SplitMix64's finaliser: every input bit affects every output bit.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// bands splits a fingerprint into the four 16-bit values that are indexed.
func bands(fp uint64) [4]int32 {
	return [4]int32{int32(fp & 0xffff), int32(fp >> 16 & 0xffff), int32(fp >> 32 & 0xffff), int32(fp >> 48 & 0xffff)}
}

// fingerprint is a document's SimHash as stored: only press documents are
// grouped into stories, so only they get one.
type fingerprint struct {
	fp    uint64
	ok    bool
	story int64 // the story of an earlier near-duplicate; 0: a new story
}

func (f fingerprint) columns() (any, any, any, any, any) {
	if !f.ok {
		return nil, nil, nil, nil, nil
	}
	b := bands(f.fp)
	return int64(f.fp), b[0], b[1], b[2], b[3]
}

// findStory looks for a recent press document within storyDistance of fp
// and returns its story (its own id when it started the story), or 0. The
// four band conditions are probes of four partial indexes.
func findStory(ctx context.Context, tx *sqlx.Tx, fp uint64, at time.Time) (int64, error) {
	b := bands(fp)
	var story int64
	err := tx.QueryRowContext(ctx, `
		SELECT coalesce(story_id, id) FROM documents
		WHERE kind = 'press' AND simhash IS NOT NULL
			AND (simhash_b0 = $1 OR simhash_b1 = $2 OR simhash_b2 = $3 OR simhash_b3 = $4)
			AND bit_count((simhash # $5)::bit(64)) <= $6
			AND coalesce(published_at, fetched_at) BETWEEN $7::timestamptz - $8 * interval '1 second'
				AND $7::timestamptz + $8 * interval '1 second'
		ORDER BY id LIMIT 1`,
		b[0], b[1], b[2], b[3], int64(fp), storyDistance, at, storyWindow.Seconds()).Scan(&story)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("find story: %w", err)
	}
	return story, nil
}

// storyLockClass is the first key of the advisory locks on fingerprint
// bands (see lockStories).
const storyLockClass = 0x6173 // "as"

// lockStories computes the fingerprints of the batch's new press documents
// and locks their bands until the transaction ends. Two near-duplicates
// share a band, so a batch saving a copy of a story waits for a concurrent
// batch saving another copy to commit, then finds it: two processes crawling
// syndicated copies at once still raise one alert. The locks are taken in
// one sorted statement after the URL locks, so batches cannot deadlock.
func lockStories(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document, hashes []string, known map[versionKey]*storedVersion) ([]fingerprint, error) {
	prints := make([]fingerprint, len(docs))
	var keys []int64
	for i := range docs {
		d := &docs[i]
		if d.Kind != adwatch.KindPress || known[versionKey{clean(d.URL), hashes[i]}] != nil {
			continue
		}
		fp, ok := simhash(d.Text)
		if !ok {
			continue
		}
		prints[i] = fingerprint{fp: fp, ok: true}
		for band, v := range bands(fp) {
			keys = append(keys, int64(band)<<16|int64(v))
		}
	}
	if len(keys) == 0 {
		return prints, nil
	}
	_, err := tx.ExecContext(ctx, `
		SELECT pg_advisory_xact_lock($1, k::int)
		FROM (SELECT DISTINCT k FROM unnest($2::bigint[]) AS k ORDER BY k) AS keys`,
		storyLockClass, pq.Array(keys))
	if err != nil {
		return nil, fmt.Errorf("lock stories: %w", err)
	}
	return prints, nil
}

// findStoryOf looks up the story of a new press document whose fingerprint
// was computed by lockStories.
func findStoryOf(ctx context.Context, tx *sqlx.Tx, d *adwatch.Document, fp fingerprint) (fingerprint, error) {
	if !fp.ok {
		return fp, nil
	}
	at := d.FetchedAt
	if d.PublishedAt != nil {
		at = *d.PublishedAt
	}
	if at.IsZero() {
		at = time.Now()
	}
	story, err := findStory(ctx, tx, fp.fp, at)
	if err != nil {
		return fingerprint{}, err
	}
	fp.story = story
	return fp, nil
}

// loadStories fills the Story of alerts that have documents attached: the
// alert's own document first, then the copies in the order they came.
func loadStories(ctx context.Context, q sqlx.QueryerContext, alerts []adwatch.Alert, index map[int64]int) error {
	ids := make([]int64, len(alerts))
	for i, a := range alerts {
		ids[i] = a.ID
	}
	rows, err := q.QueryContext(ctx, `
		SELECT ad.alert_id, d.id, d.url, d.title, s.name, d.published_at
		FROM alert_documents ad JOIN documents d ON d.id = ad.document_id JOIN sources s ON s.id = d.source_id
		WHERE ad.alert_id = ANY($1) ORDER BY ad.alert_id, ad.added_at, d.id`, pq.Array(ids))
	if err != nil {
		return fmt.Errorf("query stories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var sd adwatch.StoryDocument
		var published sql.NullTime
		if err := rows.Scan(&id, &sd.DocumentID, &sd.URL, &sd.Title, &sd.Source, &published); err != nil {
			return fmt.Errorf("scan story: %w", err)
		}
		sd.PublishedAt = timePtr(published)
		a := &alerts[index[id]]
		if len(a.Story) == 0 {
			a.Story = append(a.Story, adwatch.StoryDocument{DocumentID: a.DocumentID, URL: a.DocumentURL,
				Title: a.Title, Source: a.Source, PublishedAt: a.PublishedAt})
		}
		a.Story = append(a.Story, sd)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("query stories: %w", err)
	}
	return nil
}
