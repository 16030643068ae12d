package main

import (
	"math/rand/v2"
	"strings"
)

// The generated text draws words with a Zipf-like law (rank r has weight
// about 1/r) from a vocabulary ordered by rank: function words first, then the
// register of notices and news, then the names and rare words of the long
// tail. A real archive has tens of thousands of distinct words, and how many
// documents a query word hits is what makes search fast or slow, so the tail
// matters: it is padded with pronounceable made-up words to tailSize.

var functionWords = strings.Fields(`the of and to in a that for is on by with as be
was are this it from at or an has have not which its will their been were
may any other such under all also these than more would into shall one
after who two no only new our there can about within but should they`)

// register: words of government notices and the press that report on them,
// roughly most frequent first. Entries with a space are phrases: they are
// emitted as adjacent words, so phrase queries have something to find.
var register = strings.Fields(`department agency federal security information
government national public order rule section products services report
state said secretary notice commission act companies company systems
equipment list requirements year market technology data president
congress office communications final network director review entity
support including date court foreign program risk action access
agencies law authority regulations license trade industry defense federal
comments statement week executive policy administration chinese export
officials directive contracts products vendors telecommunications
commerce bureau provision sales supply chain infrastructure software
threat assessment investigation filing procurement compliance exemption
determination designation acquisition statute appropriations
subsidiary affiliates ministry carrier operators handsets cameras
surveillance antivirus cybersecurity equipment certification waiver
enforcement penalty violation settlement disclosure petition docket
hearing testimony briefing spokesperson analysts shareholders revenue
quarter earnings shipments semiconductor chips components licensing
smartphones routers modules firmware vulnerability remediation`)

var phrases = []string{
	"entity list", "covered list", "national security", "binding operational directive",
	"federal register", "supply chain", "export administration regulations",
	"information security products", "federal acquisition regulation", "public interest",
}

// companies are placed in the tail: each appears in a few percent of the
// documents or fewer, as named entities do.
var companies = []string{
	"kaspersky", "huawei", "zte", "hikvision", "dahua", "hytera", "china mobile",
	"china telecom", "pacific networks", "comnet", "china unicom", "smic",
	"dji", "megvii", "sensetime", "iflytek", "inspur", "sugon", "yangtze memory",
	"fujian jinhua",
}

// advertisers of the scratch archive: the last word of each name is the alias
// that documents mention.
var advertisers = []struct{ ID, Name, Alias string }{
	{"a-1", "AO Kaspersky Lab", "Kaspersky"},
	{"a-2", "Huawei Technologies Co., Ltd.", "Huawei"},
	{"a-3", "ZTE Corporation", "ZTE"},
	{"a-4", "Hangzhou Hikvision Digital Technology Co., Ltd.", "Hikvision"},
	{"a-5", "Zhejiang Dahua Technology Co., Ltd.", "Dahua"},
	{"a-6", "Hytera Communications Corporation Limited", "Hytera"},
	{"a-7", "China Mobile International USA Inc.", "China Mobile"},
	{"a-8", "China Telecom (Americas) Corp", "China Telecom"},
	{"a-9", "Pacific Networks Corp.", "Pacific Networks"},
	{"a-10", "SZ DJI Technology Co., Ltd.", "DJI"},
}

const tailSize = 30000

// vocabulary returns the words by rank. Company names sit at ranks 600 to
// 3,000; everything is deterministic so runs are comparable.
func vocabulary() []string {
	v := append([]string(nil), functionWords...)
	seen := map[string]bool{}
	for _, w := range v {
		seen[w] = true
	}
	for i, w := range register {
		if !seen[w] {
			v = append(v, w)
			seen[w] = true
		}
		if i%15 == 7 && i/15 < len(phrases) {
			v = append(v, phrases[i/15])
		}
	}
	rnd := rand.New(rand.NewPCG(2017, 913))
	next := 0
	for len(v) < tailSize {
		if next < len(companies) && len(v) >= 600+next*120 {
			v = append(v, companies[next])
			next++
			continue
		}
		w := madeUp(rnd)
		if !seen[w] {
			v = append(v, w)
			seen[w] = true
		}
	}
	return v
}

var syllables = strings.Fields(`ka ro mi ten sa vor lin da pe tru ga nel os bri
mun fa ther qui lo ves cam dor pli un zer tal ho mer si ap`)

func madeUp(rnd *rand.Rand) string {
	var b strings.Builder
	for range 2 + rnd.IntN(3) {
		b.WriteString(syllables[rnd.IntN(len(syllables))])
	}
	return b.String()
}
