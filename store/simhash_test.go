package store

import (
	"math/bits"
	"strings"
	"testing"
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
