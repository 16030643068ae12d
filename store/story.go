package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/bits"
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
//
// It runs on every stored press page, so it counts the shingles' bits eight
// at a time (see bitCounter) and takes ASCII without decoding runes.
func simhash(text string) (fp uint64, ok bool) {
	if len(text) > maxFingerprintText {
		text = text[:maxFingerprintText] // a cut rune is just skipped below
	}
	var bits bitCounter
	var window [shingleWords]uint64
	words := 0
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
			bits.add(s)
		}
	}
	// letter hashes one lower-cased letter or digit into the word.
	letter := func(r rune) {
		if !inWord {
			h, inWord, wordLen = 14695981039346656037, true, 0 // FNV-1a offset basis
		}
		wordLen++
		for r > 0 {
			h ^= uint64(r & 0xff)
			h *= 1099511628211
			r >>= 8
		}
	}
	for i := 0; i < len(text); {
		if c := text[i]; c < utf8.RuneSelf {
			i++
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				letter(rune(c))
				continue
			case 'A' <= c && c <= 'Z':
				letter(rune(c + 'a' - 'A'))
				continue
			case c == '\'' && inWord:
				continue // "Kaspersky's" and "Kasperskys" hash alike
			}
		} else {
			r, size := utf8.DecodeRuneInString(text[i:])
			i += size
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				letter(unicode.ToLower(r))
				continue
			}
			if inWord && r == '’' {
				continue
			}
		}
		if inWord {
			flush()
			inWord = false
		}
	}
	if inWord {
		flush()
	}
	if bits.n < minShingles {
		return 0, false
	}
	// A bit of the fingerprint is set where more shingles had it set than not.
	for b, ones := range bits.ones() {
		if 2*ones > bits.n {
			fp |= 1 << b
		}
	}
	return fp, true
}

// bitCounter counts, for each of 64 bit positions, how many of the added
// words had that bit set. Eight byte-wide counters share each uint64 lane:
// lane j counts bits j, j+8, …, j+56, so adding a word is eight shifts,
// masks and adds, not 64 branches. Lanes are emptied every 255 words,
// before a byte counter can overflow.
type bitCounter struct {
	lanes   [8]uint64
	inLanes int
	total   [64]int
	n       int // words added
}

const laneBits = 0x0101010101010101

func (c *bitCounter) add(w uint64) {
	for j := range c.lanes {
		c.lanes[j] += w >> j & laneBits
	}
	c.n++
	if c.inLanes++; c.inLanes == 255 {
		c.spill()
	}
}

func (c *bitCounter) spill() {
	for j, lane := range c.lanes {
		for k := 0; k < 8; k++ {
			c.total[8*k+j] += int(lane >> (8 * k) & 0xff)
		}
		c.lanes[j] = 0
	}
	c.inLanes = 0
}

// ones returns the per-bit counts.
func (c *bitCounter) ones() [64]int {
	c.spill()
	return c.total
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

// storyLockClass is the first key of the advisory locks on fingerprint
// bands (see lockStories).
const storyLockClass = 0x6173 // "as"

// fingerprints computes the fingerprints of the batch's new press
// documents.
func fingerprints(docs []adwatch.Document, isNew []bool) []fingerprint {
	prints := make([]fingerprint, len(docs))
	for i := range docs {
		if docs[i].Kind != adwatch.KindPress || !isNew[i] {
			continue
		}
		if fp, ok := simhash(docs[i].Text); ok {
			prints[i] = fingerprint{fp: fp, ok: true}
		}
	}
	return prints
}

// lockStories locks the bands of the batch's fingerprints until the
// transaction ends. Two near-duplicates share a band, so a batch saving a
// copy of a story waits for a concurrent batch saving another copy to
// commit, then finds it: two processes crawling syndicated copies at once
// still raise one alert. The locks are taken in one sorted statement after
// the URL locks, so batches cannot deadlock.
func lockStories(ctx context.Context, tx *sqlx.Tx, prints []fingerprint) error {
	var keys []int64
	for _, p := range prints {
		if !p.ok {
			continue
		}
		for band, v := range bands(p.fp) {
			keys = append(keys, int64(band)<<16|int64(v))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		SELECT pg_advisory_xact_lock($1, k::int)
		FROM (SELECT DISTINCT k FROM unnest($2::bigint[]) AS k ORDER BY k) AS keys`,
		storyLockClass, pq.Array(keys))
	if err != nil {
		return fmt.Errorf("lock stories: %w", err)
	}
	return nil
}

// setStories records the stories findStories found.
func setStories(ctx context.Context, tx *sqlx.Tx, b *batch, prints []fingerprint) error {
	var ids, stories []int64
	for i, p := range prints {
		if p.story != 0 {
			ids, stories = append(ids, b.versions[i].ID), append(stories, p.story)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `
		UPDATE documents d SET story_id = k.story FROM unnest($1::bigint[], $2::bigint[]) AS k(id, story)
		WHERE d.id = k.id`, pq.Array(ids), pq.Array(stories))
	if err != nil {
		return fmt.Errorf("set stories: %w", err)
	}
	return nil
}

// storyTime is when a document appeared, for the story window.
func storyTime(d *adwatch.Document) time.Time {
	if d.PublishedAt != nil && !d.PublishedAt.IsZero() {
		return *d.PublishedAt
	}
	if d.FetchedAt.IsZero() {
		return time.Now()
	}
	return d.FetchedAt
}

// findStories sets the story of each new press document fingerprinted by
// lockStories: the story of the earliest stored press document within
// storyDistance and storyWindow (its own id when it started the story),
// else that of the earliest such document earlier in the batch, else 0 (a
// new story). The stored ones are found in one statement whose four band
// conditions are probes of four partial indexes; the batch's own are
// compared here, as saving one by one would have found them.
func findStories(ctx context.Context, tx *sqlx.Tx, docs []adwatch.Document, b *batch, prints []fingerprint) error {
	var idx, fps, b0, b1, b2, b3 []int64
	var at []string
	for i, p := range prints {
		if !p.ok {
			continue
		}
		bs := bands(p.fp)
		idx, fps = append(idx, int64(i)), append(fps, int64(p.fp))
		b0, b1, b2, b3 = append(b0, int64(bs[0])), append(b1, int64(bs[1])), append(b2, int64(bs[2])), append(b3, int64(bs[3]))
		at = append(at, storyTime(&docs[i]).Format(time.RFC3339Nano))
	}
	if len(idx) == 0 {
		return nil
	}
	// The batch's documents are inserted already; they are matched below,
	// in order, as saving them one by one would have.
	var batchIDs []int64
	for i, isNew := range b.isNew {
		if isNew {
			batchIDs = append(batchIDs, b.versions[i].ID)
		}
	}
	// One index probe per band, each bounded by the window in the index
	// (documents_simhash_bN: band, date); a plan the planner cannot turn
	// into a scan of a whole band or a whole window, with or without
	// statistics.
	arm := func(band int) string {
		return fmt.Sprintf(`SELECT d.id, coalesce(d.story_id, d.id) AS story FROM documents d
			WHERE d.kind = 'press' AND d.simhash IS NOT NULL AND d.simhash_b%[1]d = k.b%[1]d
				AND coalesce(d.published_at, d.fetched_at) BETWEEN k.at::timestamptz - $9 * interval '1 second'
					AND k.at::timestamptz + $9 * interval '1 second'
				AND bit_count((d.simhash # k.fp)::bit(64)) <= $8 AND d.id <> ALL($10::bigint[])`, band)
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT k.i, (SELECT c.story FROM (`+arm(0)+` UNION ALL `+arm(1)+` UNION ALL `+arm(2)+` UNION ALL `+arm(3)+`) AS c
			ORDER BY c.id LIMIT 1)
		FROM unnest($1::int[], $2::bigint[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[])
			AS k(i, fp, b0, b1, b2, b3, at)`,
		pq.Array(idx), pq.Array(fps), pq.Array(b0), pq.Array(b1), pq.Array(b2), pq.Array(b3), pq.Array(at),
		storyDistance, storyWindow.Seconds(), pq.Array(batchIDs))
	if err != nil {
		return fmt.Errorf("find stories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var i int
		var story sql.NullInt64
		if err := rows.Scan(&i, &story); err != nil {
			return fmt.Errorf("find stories: %w", err)
		}
		prints[i].story = story.Int64
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("find stories: %w", err)
	}
	for _, n := range idx {
		i := int(n)
		if prints[i].story != 0 {
			continue
		}
		for j := range i {
			if !prints[j].ok || !sameStory(prints[i].fp, storyTime(&docs[i]), prints[j].fp, storyTime(&docs[j])) {
				continue
			}
			prints[i].story = prints[j].story
			if prints[i].story == 0 {
				prints[i].story = b.versions[j].ID
			}
			break
		}
	}
	return nil
}

// sameStory says whether two fingerprinted press documents are copies of
// one story, by the rule findStories applies to stored ones.
func sameStory(a uint64, at time.Time, b uint64, bt time.Time) bool {
	d := at.Sub(bt)
	return bits.OnesCount64(a^b) <= storyDistance && d <= storyWindow && d >= -storyWindow
}

// loadStories fills the Story of the alerts index names (alert ID → index
// into alerts), those with documents attached: the alert's own document
// first, then the copies in the order they came.
func loadStories(ctx context.Context, q sqlx.QueryerContext, alerts []adwatch.Alert, index map[int64]int) error {
	ids := make([]int64, 0, len(index))
	for id := range index {
		ids = append(ids, id)
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
