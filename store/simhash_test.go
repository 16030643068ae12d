package store

import (
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Wire copy about the Commerce Department adding Huawei to the Entity List
// (May 2019), as three outlets might run it, and a different story about the
// same company (the FCC's Covered List, March 2021). Written for this test.
const (
	wireCopy = "The Commerce Department said on Wednesday it was adding Huawei Technologies and 68 of its " +
		"affiliates to its Entity List, a move that bans the company from acquiring components and technology " +
		"from American firms without government approval. The Bureau of Industry and Security said it had a " +
		"reasonable basis to conclude that Huawei is engaged in activities contrary to national security or " +
		"foreign policy interests. The listing takes effect once it is published in the Federal Register. " +
		"Huawei, the world's largest maker of telecommunications equipment, has denied that its products pose " +
		"a security risk and said it would seek remedies. Analysts said the rule could disrupt supply chains " +
		"for network gear and smartphones that rely on American chips and software."
	differentStory = "The Federal Communications Commission published its first list of communications equipment " +
		"and services deemed to pose an unacceptable risk to national security, naming Huawei, ZTE, Hytera, " +
		"Hikvision and Dahua. The list was required by the Secure and Trusted Communications Networks Act, and " +
		"carriers that receive federal subsidies may not use them to buy the listed equipment. Huawei said the " +
		"designation was unfounded. Commissioners said the list would be updated as other agencies identify " +
		"further risks, and that rural carriers would be reimbursed for replacing equipment already installed."
)

func syndicated() []string {
	return []string{
		wireCopy,
		"WASHINGTON (Wire) - " + wireCopy + " Reporting by a staff writer; editing by the desk.",
		strings.Replace(wireCopy, "said on Wednesday", "said on May 15", 1) + " Read more about trade.",
	}
}

func TestSimhashGroupsCopiesAndSeparatesStories(t *testing.T) {
	t.Parallel()
	base, ok := simhash(wireCopy)
	if !ok {
		t.Fatal("simhash of a full article: not ok")
	}
	for i, c := range syndicated() {
		fp, ok := simhash(c)
		if !ok {
			t.Fatalf("copy %d: not ok", i)
		}
		if d := bits.OnesCount64(base ^ fp); d > storyDistance {
			t.Errorf("copy %d: distance %d, want at most %d", i, d, storyDistance)
		}
	}
	other, _ := simhash(differentStory)
	if d := bits.OnesCount64(base ^ other); d <= storyDistance*3 {
		t.Errorf("different story: distance %d, want far more than %d", d, storyDistance)
	}
	if _, ok := simhash("Huawei added to Entity List"); ok {
		t.Error("a headline alone: ok, want too short to judge")
	}
}

func TestSimhashIgnoresCaseAndPunctuation(t *testing.T) {
	t.Parallel()
	a, _ := simhash(wireCopy)
	b, _ := simhash(strings.ToUpper(strings.NewReplacer(",", "", ".", " ;").Replace(wireCopy)))
	if a != b {
		t.Errorf("fingerprints differ by %d bits after case and punctuation changes", bits.OnesCount64(a^b))
	}
}

func TestBandsCoverTheFingerprint(t *testing.T) {
	t.Parallel()
	fp := uint64(0x0123456789abcdef)
	b := bands(fp)
	if got := uint64(b[0]) | uint64(b[1])<<16 | uint64(b[2])<<32 | uint64(b[3])<<48; got != fp {
		t.Errorf("bands %x reassemble to %x, want %x", b, got, fp)
	}
}

func BenchmarkSimhash(b *testing.B) {
	text := strings.Repeat(wireCopy+" ", 20) // ~2,400 words
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		simhash(text)
	}
}

// simhashReference is the first, plain implementation of simhash: one rune
// and one bit at a time. The fast one must give the same fingerprints, since
// stored documents are grouped by them.
func simhashReference(text string) (uint64, bool) {
	if len(text) > maxFingerprintText {
		text = text[:maxFingerprintText]
	}
	var weights [64]int32
	var h uint64
	shingles := 0
	inWord, wordLen := false, 0
	flush := func() {
		if wordLen < minWordRunes {
			return
		}
		s := mix64(uint64(0x9e3779b97f4a7c15) ^ h)
		for b := 0; b < 64; b++ {
			if s>>b&1 == 1 {
				weights[b]++
			} else {
				weights[b]--
			}
		}
		shingles++
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if !inWord {
				h, inWord, wordLen = 14695981039346656037, true, 0
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
			continue
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
	var fp uint64
	for b := 0; b < 64; b++ {
		if weights[b] > 0 {
			fp |= 1 << b
		}
	}
	return fp, true
}

func TestSimhashMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	pieces := []string{"Kaspersky's", "Kaspersky’s", "HUAWEI", "Zürich", "Straße", "Ⅻ", "İstanbul", "ΣΊΣΥΦΟΣ",
		"北京", "x", "I", "a1", "19", "\xff", "\xe2\x80", " ", "  ", "\n", "-", "'", "’", "—", ".", "\x00"}
	texts := []string{wireCopy, strings.Repeat(wireCopy+" ", 300), strings.Repeat("word ", maxFingerprintText/4)}
	for range 300 {
		var b strings.Builder
		for range r.IntN(2000) {
			b.WriteString(pieces[r.IntN(len(pieces))])
			if r.IntN(3) == 0 {
				b.WriteByte(' ')
			}
		}
		texts = append(texts, b.String())
	}
	for _, text := range texts {
		gotFP, gotOK := simhash(text)
		wantFP, wantOK := simhashReference(text)
		if gotFP != wantFP || gotOK != wantOK {
			t.Fatalf("simhash(%.80q…) = %x, %v; the reference gives %x, %v", text, gotFP, gotOK, wantFP, wantOK)
		}
	}
}

func FuzzSimhashMatchesReference(f *testing.F) {
	f.Add(wireCopy)
	f.Add("Kaspersky’s Lab, \xffHuawei's ZTE Ⅻ İstanbul")
	f.Fuzz(func(t *testing.T, text string) {
		gotFP, gotOK := simhash(text)
		wantFP, wantOK := simhashReference(text)
		if gotFP != wantFP || gotOK != wantOK {
			t.Fatalf("simhash(%q) = %x, %v; the reference gives %x, %v", text, gotFP, gotOK, wantFP, wantOK)
		}
	})
}
