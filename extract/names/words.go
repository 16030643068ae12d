package names

import (
	_ "embed"
	"strings"
)

//go:embed commonwords.txt
var commonWordsData string

//go:embed givennames.txt
var givenNamesData string

func wordSet(data string, extra ...string) map[string]bool {
	m := make(map[string]bool)
	for _, line := range strings.Split(data, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range strings.Fields(line) {
			m[w] = true
		}
	}
	for _, w := range extra {
		m[w] = true
	}
	return m
}

var (
	commonWords = wordSet(commonWordsData)
	givenNames  = wordSet(givenNamesData)

	// Hash-keyed copies: the index is built and occurrences are judged on
	// word hashes, without making strings.
	commonWordsH     = hashSet(commonWords)
	stopwordsH       = hashSet(stopwords)
	companyTailsH    = hashSet(companyTails)
	exchangesH       = hashSet(exchanges)
	companyNounsH    = hashSet(companyNouns)
	companyVerbsH    = hashSet(companyVerbs)
	modalsH          = hashSet(modals)
	nonCompanyHeadsH = hashSet(nonCompanyHeads)
	hTo              = hw("to")

	// Honorifics make the next capitalised word a person whatever its case.
	honorifics = wordSet("mr mrs ms dr prof sir dame")

	// Nouns that make a nearby name a company: "the retailer Target",
	// "Apple's chief executive", "shares of Shell".
	companyNouns = wordSet(`company companies firm firms corporation corp inc retailer retailers maker makers manufacturer
		giant conglomerate brand brands carrier airline airlines bank lender insurer chain operator operators startup
		supplier suppliers vendor vendors provider providers subsidiary subsidiaries parent rival rivals competitor
		competitors group holding holdings enterprise multinational automaker carmaker chipmaker drugmaker
		telecom telecoms distributor producer developer publisher platform store stores franchise business businesses
		contractor contractors conglomerates shareholders shareholder investors stock stocks shares share ceo cfo cto
		coo executive executives chairman board founder cofounder co spokesperson spokesman spokeswoman
		headquarters hq employees workers staff earnings revenue revenues profit profits sales quarterly nasdaq nyse
		listed ipo merger acquisition stake`)

	// Verbs a company is the subject of: "Target said", "Oracle announced".
	companyVerbs = wordSet(`said says announced announces reported told tells sells sold selling acquired acquires
		acquire bought buys agreed agrees planned launched launches confirmed confirms declined denied denies employs
		employed hired fired raised lowered released unveiled unveils opened closed shipped manufactures produces
		operates operated owns owned sued sues settled invested invests expects expected warned recalled pledged
		partnered lobbied disclosed discloses responded introduced offered marketed`)

	// Heads of noun phrases that say the capitalised word before them is
	// not a company: "Corona virus", "Delta variant", "Amazon River".
	nonCompanyHeads = wordSet(`virus viruses variant variants strain pandemic outbreak disease orchard orchards pie pies
		juice cider tree trees seed seeds river rivers rainforest forest basin region area county state city island islands
		beach mountain mountains lake valley sea bay coast desert plateau peninsula lowlands highlands`)

	// Words before a name that make it the object of a verb, not a company:
	// "to target", "will target".
	modals = wordSet("to will would can could may might should must shall cannot")

	// Stock exchanges that introduce a ticker: "(NASDAQ: AAPL)".
	exchanges = wordSet(`nasdaq nyse amex lse tsx tsxv asx hkex sehk sse szse tse jpx krx nse bse euronext xetra fwb six
		otc otcqx otcmkts bats cboe moex jse bmv bovespa b3 twse sgx idx set bursa omx`)

	// Words that make a capitalised phrase a government body, not a company.
	governmentWords = wordSet(`department ministry agency commission bureau congress senate parliament office administration
		council court government federal state committee directorate secretariat service services authority
		treasury embassy consulate police army navy force forces command cabinet assembly house
		republic kingdom union nations tribunal board`)

	// Words that end a company name in running text and so are company
	// evidence when capitalised after an ambiguous alias: "Shell Oil",
	// "Delta Air Lines".
	companyTails = wordSet(`group holdings holding airlines airline air lines bank bancorp stores motors motor oil energy
		foods food technologies technology tech systems networks network communications pharmaceuticals pharma labs lab
		software capital partners financial entertainment media brands industries international global worldwide
		enterprises solutions ventures co company corporation corp inc ltd llc plc ag sa nv gmbh telecom mobile
		electronics semiconductor semiconductors petroleum chemical chemicals insurance securities investments resources
		airways cruises hotels restaurants pictures studios games payments`)

	// Function words that cannot start a company name found by capitalisation.
	stopwords = wordSet(`a an the this that these those in on at of for from by with to and or but as if is are was were be
		been it its he she they we you i his her their our your after before under over into about between during
		since until while when where which who whom whose what why how all any each every some no not also however
		although though because yet so then than there here today yesterday tomorrow monday tuesday wednesday
		thursday friday saturday sunday january february march april may june july august september october
		november december mr mrs ms dr according`)
)

// hset is a set of word hashes, open-addressed in a power-of-two array at
// most a quarter full: the finder asks several sets about every word of a
// text, and a probe here is a fraction of a map lookup.
type hset struct {
	keys []uint64
	mask uint64
}

func hashSet(m map[string]bool) *hset {
	s := &hset{}
	size := uint64(64)
	for size < uint64(4*len(m)) {
		size *= 2
	}
	s.keys, s.mask = make([]uint64, size), size-1
	for w := range m {
		s.add(hashBytes([]byte(w)))
	}
	return s
}

func (s *hset) add(h uint64) {
	h = fixKey(h)
	i := (h ^ h>>29) & s.mask
	for s.keys[i] != 0 && s.keys[i] != h {
		i = (i + 1) & s.mask
	}
	s.keys[i] = h
}

func (s *hset) has(h uint64) bool {
	h = fixKey(h)
	i := (h ^ h>>29) & s.mask
	for {
		switch s.keys[i] {
		case h:
			return true
		case 0:
			return false
		}
		i = (i + 1) & s.mask
	}
}

// wordFilter is a small two-bit Bloom filter over word hashes: a cheap "surely
// not" before a map lookup, for words tested once per word of a text.
type wordFilter [64]uint64

func newWordFilter(hs *hset) *wordFilter {
	var f wordFilter
	for _, h := range hs.keys {
		if h != 0 {
			f.add(h)
		}
	}
	return &f
}

func (f *wordFilter) add(h uint64) {
	f[(h>>58)&63] |= 1<<(h&63) | 1<<((h>>6)&63)
}

func (f *wordFilter) may(h uint64) bool {
	m := uint64(1)<<(h&63) | 1<<((h>>6)&63)
	return f[(h>>58)&63]&m == m
}
