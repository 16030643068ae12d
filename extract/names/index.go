package names

import (
	"math/bits"
	"slices"
)

// index maps hashes of normalised alias token sequences to the aliases they
// spell. Every proper prefix of an alias is in the table too, marked, so the
// scan can stop extending a candidate as soon as no alias continues it.
//
// The table is open-addressed over flat arrays: one probe is usually one cache
// line, and a first-token bitset in front of it answers "no alias starts with
// this word" for most words of a text without touching the table at all. That
// is what keeps the scan rate nearly flat from a thousand aliases to a million.
type index struct {
	slots   []slot
	mask    uint64
	entries []entry
	refs    []int32 // alias indices, grouped per entry

	first     []uint64 // bitset over first-token hashes
	firstBits uint
	maxTokens int
}

type slot struct {
	key uint64
	val uint32 // entry index + 1; 0 is empty
}

type entry struct {
	ref    uint32 // first of n alias indices in refs
	n      uint32
	prefix bool // some longer alias continues this sequence
}

// keyRec is one (sequence hash, alias) pair collected while building; alias
// -1 marks a proper prefix.
type keyRec struct {
	key   uint64
	alias int32
}

func fixKey(k uint64) uint64 {
	if k == 0 {
		return 1 // 0 marks an empty slot
	}
	return k
}

// buildIndex builds the table from each alias's token hashes.
func buildIndex(seqs [][]uint64, firstHashes []uint64) *index {
	var recs []keyRec
	maxTok := 0
	for a, seq := range seqs {
		if len(seq) > maxTok {
			maxTok = len(seq)
		}
		g := uint64(seqSeed)
		for i, h := range seq {
			g = combine(g, h)
			al := int32(-1)
			if i == len(seq)-1 {
				al = int32(a)
			}
			recs = append(recs, keyRec{fixKey(g), al})
		}
	}
	slices.SortFunc(recs, func(a, b keyRec) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.alias) - int(b.alias)
	})
	ix := &index{maxTokens: maxTok}
	nkeys := 0
	for i := range recs {
		if i == 0 || recs[i].key != recs[i-1].key {
			nkeys++
		}
	}
	size := uint64(1) << bits.Len64(uint64(nkeys*2+16))
	ix.slots = make([]slot, size)
	ix.mask = size - 1
	ix.entries = make([]entry, 0, nkeys)
	for i := 0; i < len(recs); {
		j := i
		e := entry{ref: uint32(len(ix.refs))}
		for ; j < len(recs) && recs[j].key == recs[i].key; j++ {
			if recs[j].alias < 0 {
				e.prefix = true
				continue
			}
			if n := len(ix.refs); n > int(e.ref) && ix.refs[n-1] == recs[j].alias {
				continue
			}
			ix.refs = append(ix.refs, recs[j].alias)
		}
		e.n = uint32(len(ix.refs)) - e.ref
		ix.entries = append(ix.entries, e)
		ix.put(recs[i].key, uint32(len(ix.entries)))
		i = j
	}
	// The bitset is ~16 bits per distinct first word, so false positives
	// stay near 6% and the set stays small enough to live in cache.
	nb := uint(bits.Len64(uint64(len(firstHashes)*16 + 4096)))
	if nb > 28 {
		nb = 28
	}
	ix.firstBits = nb
	ix.first = make([]uint64, (1<<nb)/64)
	for _, h := range firstHashes {
		b := h >> (64 - nb)
		ix.first[b>>6] |= 1 << (b & 63)
	}
	return ix
}

func (ix *index) put(k uint64, v uint32) {
	i := k & ix.mask
	for ix.slots[i].val != 0 {
		i = (i + 1) & ix.mask
	}
	ix.slots[i] = slot{k, v}
}

func (ix *index) get(k uint64) *entry {
	k = fixKey(k)
	i := k & ix.mask
	for {
		s := &ix.slots[i]
		if s.key == k {
			return &ix.entries[s.val-1]
		}
		if s.val == 0 {
			return nil
		}
		i = (i + 1) & ix.mask
	}
}

func (ix *index) mayStart(h uint64) bool {
	b := h >> (64 - ix.firstBits)
	return ix.first[b>>6]&(1<<(b&63)) != 0
}

// bytes is the memory the index holds, for benchmarks.
func (ix *index) bytes() int {
	return len(ix.slots)*16 + len(ix.entries)*12 + len(ix.refs)*4 + len(ix.first)*8
}
