// Package synth generates deterministic advertiser lists and news-like text
// for the matching benchmarks. It must not be used for quality figures: the
// names are invented and the text has no meaning, only the shape of news.
package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"adwatch"
)

var syllables = strings.Fields(`ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ha he hi ho ka ke ki ko ku
	la le li lo lu ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo
	xa xe za ze zi zo tri tra bro pra gra kel mon van dor lex nix vor zan quen stra ther`)

var industries = strings.Fields(`Systems Foods Logistics Energy Labs Holdings Group Networks Pharma Media Motors Capital
	Robotics Analytics Textiles Minerals Aerospace Retail Brands Software Security Telecom Partners Ventures Bank`)

var forms = []string{"Inc.", "LLC", "Ltd.", "GmbH", "S.A.", "Co., Ltd.", "AG", "PLC", "Corp.", "B.V.", "S.p.A.", "OOO", "K.K.", "Pty Ltd", ""}

// real advertisers mixed into every list, so judgement has work to do.
var real = []adwatch.Advertiser{
	{ID: "r1", Name: "AO Kaspersky Lab", Aliases: []string{"Kaspersky"}, Active: true},
	{ID: "r2", Name: "Apple Inc.", Aliases: []string{"Apple"}, Active: true},
	{ID: "r3", Name: "Target Corporation", Aliases: []string{"Target"}, Active: true},
	{ID: "r4", Name: "Shell plc", Aliases: []string{"Shell"}, Active: true},
	{ID: "r5", Name: "Huawei Technologies Co., Ltd.", Aliases: []string{"Huawei"}, Active: true},
	{ID: "r6", Name: "United Airlines Holdings, Inc.", Aliases: []string{"United"}, Active: true},
}

// Name returns the i-th synthetic company name, unique for i below ~10M.
func Name(i int) string {
	r := rand.New(rand.NewPCG(uint64(i), 7))
	var b strings.Builder
	n := i
	for k := 0; k < 3 || n > 0; k++ {
		b.WriteString(syllables[n%len(syllables)])
		n /= len(syllables)
		if k == 0 {
			n += r.IntN(3)
		}
	}
	s := b.String()
	name := strings.ToUpper(s[:1]) + s[1:]
	if r.IntN(2) == 0 {
		name += " " + industries[r.IntN(len(industries))]
	}
	if f := forms[r.IntN(len(forms))]; f != "" {
		name += " " + f
	}
	return name
}

// Advertisers returns advertisers carrying n names and aliases in all: the
// real ones above and synthetic ones with a name and, every other one, a
// short alias.
func Advertisers(n int) []adwatch.Advertiser {
	ads := append([]adwatch.Advertiser(nil), real...)
	count := 0
	for _, a := range ads {
		count += 1 + len(a.Aliases)
	}
	for i := 0; count < n; i++ {
		a := adwatch.Advertiser{ID: fmt.Sprintf("s%d", i), Name: Name(i), Active: true}
		count++
		if i%2 == 1 && count < n {
			a.Aliases = []string{strings.Fields(a.Name)[0] + " " + syllables[i%len(syllables)]}
			count++
		}
		ads = append(ads, a)
	}
	return ads
}

var function = strings.Fields(`the of and to a in that is was for on with as by at from it its has have be are were
	said will would after over about more than which who not this but or an their also new into under`)

var content = strings.Fields(`government officials report market shares agency directive products services network
	security software federal department week year percent million billion investors analysts company companies
	statement customers prices price growth quarter sales rules law order court contract contracts supply chain
	equipment telecommunications devices data systems cyber risk national commerce trade export license entity list
	apple target shell united states delta orchard harvest retailers stores store oil gas energy pipeline flights
	passengers airline airport regulators banks bank loans rate rates inflation economy workers jobs plant factory`)

var capitals = strings.Fields(`Washington Beijing Moscow Monday Tuesday Congress Commerce Treasury Reuters European Union
	January March September President Secretary Department Homeland Security Agency Federal Communications Commission`)

// Text returns about size bytes of news-like text: sentences of common words,
// capitalised places and bodies, and mentions of the given advertisers' names
// (about one per 1,500 bytes), some in common-word senses.
func Text(size int, ads []adwatch.Advertiser, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 11))
	return sentences(size, r, func(x int) string {
		if x < 88 {
			return content[r.IntN(len(content))]
		}
		return otherWord(x, r, ads)
	})
}

// sentences writes about size bytes of sentences of 12-29 words; content
// picks each word that is not a function word, given a roll x in [45, 100).
func sentences(size int, r *rand.Rand, content func(x int) string) string {
	var b strings.Builder
	b.Grow(size + 256)
	for b.Len() < size {
		n := 12 + r.IntN(18)
		for k := 0; k < n; k++ {
			var w string
			if x := r.IntN(100); x < 45 {
				w = function[r.IntN(len(function))]
			} else {
				w = content(x)
			}
			if k == 0 {
				w = strings.ToUpper(w[:1]) + w[1:]
			} else {
				b.WriteByte(' ')
			}
			b.WriteString(w)
			if k < n-1 && r.IntN(12) == 0 {
				b.WriteByte(',')
			}
		}
		b.WriteString(". ")
		if r.IntN(6) == 0 {
			b.WriteString("\n\n")
		}
	}
	return b.String()
}

// otherWord is a capitalised place or body (x < 97), an advertiser's name
// now and then, or a number.
func otherWord(x int, r *rand.Rand, ads []adwatch.Advertiser) string {
	switch {
	case x < 97:
		return capitals[r.IntN(len(capitals))]
	case x < 98 && r.IntN(3) == 0:
		a := ads[r.IntN(len(ads))]
		if len(a.Aliases) > 0 && r.IntN(2) == 0 {
			return a.Aliases[0]
		}
		return a.Name
	default:
		return fmt.Sprintf("%d", r.IntN(2030))
	}
}

// Docs cuts about total bytes of text into documents of 2-12 KB, the size of
// news articles and notices: matching is per document, and a document names a
// handful of companies, not thousands.
func Docs(total int, ads []adwatch.Advertiser, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, 13))
	text := Text(total, ads, seed)
	var docs []string
	for len(text) > 0 {
		n := min(len(text), 2048+r.IntN(10240))
		if i := strings.Index(text[n:], ". "); i >= 0 {
			n += i + 2
		} else {
			n = len(text)
		}
		docs = append(docs, text[:n])
		text = text[n:]
	}
	return docs
}

// Article is Text with the vocabulary of real articles: besides the shared
// news words, a fifth of its content words come from a topic of its own (40
// words that it repeats) and two fifths from a long tail of 20,000 words
// drawn Zipf-like. Text's ~150 words make every document the same bag of
// words, so near-duplicate detection (SimHash over words) takes any two for
// copies of one story; real articles differ in most of their vocabulary.
func Article(size int, ads []adwatch.Advertiser, seed uint64) string {
	r := rand.New(rand.NewPCG(seed, 13))
	topic := make([]string, 40)
	for i := range topic {
		topic[i] = tailWord(20000 + r.IntN(1_000_000))
	}
	return sentences(size, r, func(x int) string {
		switch {
		case x < 56:
			return content[r.IntN(len(content))]
		case x < 67:
			return topic[r.IntN(len(topic))]
		case x < 88:
			// Zipf-like: rank e^(u·ln 20000), from 1 to 20,000.
			return tailWord(int(math.Exp(r.Float64() * math.Log(20000))))
		}
		return otherWord(x, r, ads)
	})
}

// tailWord is the i-th invented lower-case word: two to four syllables.
func tailWord(i int) string {
	var b strings.Builder
	n := 2 + i%3
	for k := 0; k < n; k++ {
		b.WriteString(syllables[i%len(syllables)])
		i = i/len(syllables) + 7*k + 1
	}
	return b.String()
}
