package names

import "math/bits"

// index maps hashes of normalised alias token sequences to the aliases they
// spell. Every proper prefix of an alias is in the table too, marked, so the
// scan can stop extending a candidate as soon as no alias continues it.
//
// The table is open-addressed over one flat array of 16-byte slots: one
// probe is usually one cache line, and a first-word bitset in front of it
// answers "no alias starts with this word" for most words of a text without
// touching the table at all. That is what keeps the scan rate nearly flat from
// a thousand aliases to a million, and the index small enough to build in
// seconds.
type index struct {
	slots []slot
	mask  uint64
	keys  int
	refs  []int32 // alias lists for keys spelled by more than one alias

	first     []uint64 // blocked Bloom filter over first-word hashes: two bits in one word
	firstBits uint     // log2 of the number of words in first
	maxTokens int

	multi map[uint64][]int32 // while building: keys with several aliases
}

// slot is one key. meta holds n<<1 | prefix: n aliases end here (ref is the
// alias if n == 1, else the start of its list in refs), prefix if a longer
// alias continues the sequence.
type slot struct {
	key  uint64
	ref  uint32
	meta uint32
}

func (s *slot) n() uint32    { return s.meta >> 1 }
func (s *slot) prefix() bool { return s.meta&1 != 0 }
func (s *slot) aliases(ix *index) []int32 {
	if s.n() == 1 {
		return []int32{int32(s.ref)}
	}
	return ix.refs[s.ref : s.ref+s.n()]
}

func fixKey(k uint64) uint64 {
	if k == 0 {
		return 1 // 0 marks an empty slot
	}
	return k
}

// newIndex sizes the table for at most maxKeys keys and the bitset for
// about firstWords distinct first words.
func newIndex(maxKeys, firstWords int) *index {
	size := uint64(1) << bits.Len64(uint64(maxKeys+maxKeys/3+16))
	// About 16 bits per first word: with two bits set per word, about 1.5% of
	// the words of a text that start no alias pass the filter.
	nb := uint(bits.Len64(uint64(firstWords/4 + 64)))
	nb = min(nb, 23)
	return &index{
		slots:     make([]slot, size),
		mask:      size - 1,
		firstBits: nb,
		first:     make([]uint64, 1<<nb),
		multi:     make(map[uint64][]int32),
	}
}

// add indexes one alias by its word hashes.
func (ix *index) add(alias int32, hashes []uint64) {
	ix.maxTokens = max(ix.maxTokens, len(hashes))
	w, m := ix.bloom(hashes[0])
	ix.first[w] |= m
	g := uint64(seqSeed)
	for i, h := range hashes {
		g = combine(g, h)
		s := ix.slotFor(fixKey(g))
		if i < len(hashes)-1 {
			s.meta |= 1
			continue
		}
		switch s.n() {
		case 0:
			s.ref = uint32(alias)
		case 1:
			if int32(s.ref) == alias {
				continue
			}
			ix.multi[s.key] = []int32{int32(s.ref), alias}
		default:
			ix.multi[s.key] = append(ix.multi[s.key], alias)
		}
		s.meta += 2
	}
}

// slotFor finds or claims the slot of k.
func (ix *index) slotFor(k uint64) *slot {
	i := k & ix.mask
	for {
		s := &ix.slots[i]
		if s.key == k {
			return s
		}
		if s.key == 0 {
			s.key = k
			ix.keys++
			return s
		}
		i = (i + 1) & ix.mask
	}
}

// finish moves the lists of shared keys into refs.
func (ix *index) finish() {
	for i := range ix.slots {
		s := &ix.slots[i]
		if s.n() > 1 {
			list := ix.multi[s.key]
			s.ref = uint32(len(ix.refs))
			ix.refs = append(ix.refs, list...)
		}
	}
	ix.multi = nil
}

func (ix *index) get(k uint64) *slot {
	k = fixKey(k)
	i := k & ix.mask
	for {
		s := &ix.slots[i]
		if s.key == k {
			return s
		}
		if s.key == 0 {
			return nil
		}
		i = (i + 1) & ix.mask
	}
}

func (ix *index) bloom(h uint64) (word uint64, mask uint64) {
	return h >> (64 - ix.firstBits), 1<<(h&63) | 1<<((h>>6)&63)
}

func (ix *index) mayStart(h uint64) bool {
	w, m := ix.bloom(h)
	return ix.first[w]&m == m
}
