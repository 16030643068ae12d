package store

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/english"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// searchVector computes in Go what the database's adwatch_document_tsv(title,
// body) computes (migration 00045): the English tsvector of the title
// (weight A) followed by the body (weight B). It returns the vector as a
// tsvector literal, which the database reads in a tenth of the time its own
// text parser takes; the parser was the largest single cost of storing a
// document.
//
// It reproduces PostgreSQL's default parser and english configuration only
// for the text it understands: ASCII words, numbers, hyphenated words, dotted
// abbreviations and host names, apostrophes, ordinary punctuation, runs of
// dots ("Co., Ltd.." ending a sentence, ellipses) and a few typographic
// marks. For anything else (another script or accented letter,
// e-mail addresses, URLs and paths, tags and entities, underscores, numbers
// glued to words by hyphens or dots in ways the parser treats case by case,
// very long texts) it returns ok false and the database computes the vector
// as before. Tests compare both on every construct it accepts, and the store
// checks the database agrees before using it (vectorCheck).
func searchVector(title, body string) (string, bool) {
	if utf8.RuneCountInString(title) > 10000 || len(body) > maxVectorBody {
		return "", false
	}
	v := vecBuilders.Get().(*vecBuilder)
	defer v.reset()
	if !v.add(title, true) {
		return "", false
	}
	v.shift = v.maxPos
	if !v.add(body, false) {
		return "", false
	}
	return v.literal(), true
}

const (
	// maxVectorBody bounds the bodies vectorised in Go (bytes); PostgreSQL
	// truncates at 500,000 characters and caps positions, which longer
	// texts would have to reproduce.
	maxVectorBody = 200_000
	// maxVectorTokens keeps every position below PostgreSQL's cap (16383).
	maxVectorTokens = 16000
	// maxLexemePositions: PostgreSQL keeps at most 256 positions of a
	// lexeme; a lexeme that frequent is left to it.
	maxLexemePositions = 255
	// maxVectorWord: PostgreSQL skips words of 2047 bytes or more, and does
	// not stem long ones; such words are left to it.
	maxVectorWord = 200
)

// vecBuilder collects the positions of each lexeme, title then body. Its
// map and slices are reused from one document to the next.
type vecBuilder struct {
	index   map[string]int32 // lexeme → its entry
	entries []vecEntry       // in order of first occurrence
	pos     []vecPos         // every position, chained per lexeme
	shift   int              // the title's last position, added to the body's (tsvector ||)
	maxPos  int              // largest position holding a lexeme
	words   []vecWord
	lower   []byte
	out     []byte
}

type vecEntry struct {
	lex         string
	first, last int32 // into pos
	count       int32
}

type vecPos struct {
	p     uint16
	title bool  // weight A, else B
	next  int32 // the lexeme's next position, or -1
}

var vecBuilders = sync.Pool{New: func() any { return &vecBuilder{index: map[string]int32{}} }}

func (v *vecBuilder) reset() {
	clear(v.index)
	v.entries, v.pos, v.words = v.entries[:0], v.pos[:0], v.words[:0]
	v.shift, v.maxPos = 0, 0
	vecBuilders.Put(v)
}

// vecWord is a token of the default parser with the dictionary the english
// configuration gives it: the Snowball stemmer with its stop words, or
// simple (lower case, kept).
type vecWord struct {
	text string
	stem bool
}

func (v *vecBuilder) add(s string, title bool) bool {
	words, ok := vecWords(s, v.words[:0])
	v.words = words
	if !ok || len(words)+v.shift > maxVectorTokens {
		return false
	}
	for i, w := range words {
		v.lower = appendLowerASCII(v.lower[:0], w.text)
		var e int32
		var known bool
		if w.stem {
			lex := stem(v.lower)
			if lex == "" {
				continue // a stop word: its position is used all the same
			}
			if e, known = v.index[lex]; !known {
				e = v.newEntry(lex)
			}
		} else if e, known = v.index[string(v.lower)]; !known {
			e = v.newEntry(string(v.lower))
		}
		en := &v.entries[e]
		if en.count >= maxLexemePositions {
			return false
		}
		p := i + 1 + v.shift
		v.pos = append(v.pos, vecPos{p: uint16(p), title: title, next: -1})
		at := int32(len(v.pos) - 1)
		if en.count == 0 {
			en.first = at
		} else {
			v.pos[en.last].next = at
		}
		en.last = at
		en.count++
		v.maxPos = max(v.maxPos, p)
	}
	return true
}

func (v *vecBuilder) newEntry(lex string) int32 {
	e := int32(len(v.entries))
	v.entries = append(v.entries, vecEntry{lex: lex})
	v.index[lex] = e
	return e
}

// literal writes the tsvector in PostgreSQL's input syntax (which sorts the
// lexemes itself).
func (v *vecBuilder) literal() string {
	b := v.out[:0]
	for i := range v.entries {
		en := &v.entries[i]
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, '\'')
		for j := 0; j < len(en.lex); j++ {
			if en.lex[j] == '\'' || en.lex[j] == '\\' {
				b = append(b, en.lex[j])
			}
			b = append(b, en.lex[j])
		}
		b = append(b, '\'', ':')
		for at := en.first; at >= 0; at = v.pos[at].next {
			if at != en.first {
				b = append(b, ',')
			}
			b = strconv.AppendUint(b, uint64(v.pos[at].p), 10)
			if v.pos[at].title {
				b = append(b, 'A')
			} else {
				b = append(b, 'B')
			}
		}
	}
	v.out = b
	return string(b)
}

// vecWords splits s into the tokens PostgreSQL's default parser finds and
// the english configuration indexes, in order. ok is false when s holds
// something outside the understood subset.
func vecWords(s string, out []vecWord) ([]vecWord, bool) {
	n := len(s)
	for i := 0; i < n; {
		c := s[i]
		switch {
		case isVecAlnum(c):
			j := alnumEnd(s, i)
			if j+1 < n && s[j] == '.' && isVecAlnum(s[j+1]) {
				// A host name, file name, abbreviation, decimal or
				// version: one token, kept as written (lower case).
				k, parts, numeric, initials := j, 1, !hasLetter(s[i:j]), j-i == 1 && isVecLetter(s[i])
				for k+1 < n && s[k] == '.' && isVecAlnum(s[k+1]) {
					e := alnumEnd(s, k+1)
					if sfloat(s[k+1:e]) || numeric && hasLetter(s[k+1:e]) {
						return out, false // split where the number ends
					}
					initials = initials && e-k == 2 && isVecLetter(s[k+1])
					k, parts = e, parts+1
				}
				// Understood: numbers (1.5, 192.168.0.1), two parts
				// (U.S, St.Louis, v1.2) and initials (S.p.A). The parser
				// takes other names apart by its rules for host and file
				// names; a host name may end in a hyphen or go on with a
				// port.
				if !numeric && !initials && parts > 2 || sfloat(s[i:j]) || joined(s, k) || k < n && s[k] == '-' ||
					k+1 < n && s[k] == ':' && isVecDigit(s[k+1]) || k-i > maxVectorWord {
					return out, false
				}
				out = append(out, vecWord{text: s[i:k]})
				i = k
				continue
			}
			if j-i > maxVectorWord || sfloat(s[i:j]) {
				return out, false
			}
			word := s[i:j]
			letters, digits := classify(word)
			if j+1 < n && s[j] == '-' && isVecAlnum(s[j+1]) {
				k := j
				for k < n && (s[k] == '-' || isVecAlnum(s[k])) {
					k++
				}
				if k+1 < n && s[k] == '.' && isVecAlnum(s[k+1]) {
					return out, false // a host name with hyphens (x-1.example)
				}
				switch {
				case !digits && isVecLetter(s[j+1]):
					// A hyphenated word: the whole, then each part.
					k := j
					for k+1 < n && s[k] == '-' && isVecLetter(s[k+1]) {
						e := alnumEnd(s, k+1)
						if _, d := classify(s[k+1 : e]); d {
							return out, false
						}
						k = e
					}
					if joined(s, k) || k-i > maxVectorWord {
						return out, false
					}
					out = append(out, vecWord{text: s[i:k], stem: true})
					for p := i; p < k; {
						e := alnumEnd(s, p)
						out = append(out, vecWord{text: s[p:e], stem: true})
						p = e + 1
					}
					i = k
					continue
				case letters && digits:
					return out, false
				}
				// A word or number, then a signed number or a hyphen
				// (a blank) before a word: both handled from the hyphen.
			}
			out = append(out, vecWord{text: word, stem: !digits})
			i = j
		case c == '-' || c == '+':
			if i+1 < n && isVecDigit(s[i+1]) {
				j := alnumEnd(s, i+1)
				// A hyphen after it starts the next token (2024-06-20).
				if letters, _ := classify(s[i+1 : j]); letters || j < n && s[j] != '-' && joined(s, j) {
					return out, false
				}
				out = append(out, vecWord{text: s[i:j]})
				i = j
				continue
			}
			i++
		case c == '.' && i+1 < n && s[i+1] == '.':
			// A run of dots: ".." right after a word or number and before
			// a blank or the end is a token of its own (the parser's file
			// name ".."; "Co., Ltd.." at the end of a sentence); the other
			// runs understood here are blanks ("wait... then", "x .. y").
			// Anything else may start a path, which the parser reads case
			// by case.
			e := i
			for e < n && s[e] == '.' {
				e++
			}
			afterWord := i > 0 && isVecAlnum(s[i-1])
			afterSpace := i > 0 && isVecSpace(s[i-1])
			beforeSpace := e == n || isVecSpace(s[e])
			beforeWord := e < n && isVecLetter(s[e])
			switch {
			case e-i == 2 && afterWord && beforeSpace:
				out = append(out, vecWord{text: ".."})
			case e-i == 2 && (afterWord && beforeWord || afterSpace && (beforeSpace || beforeWord)),
				e-i >= 3 && (i == 0 || afterWord || afterSpace) && (beforeSpace || beforeWord):
			default:
				return out, false
			}
			i = e
		case c < utf8.RuneSelf:
			if !vecBlank[c] {
				return out, false
			}
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if !vecBlankRune(r) {
				return out, false
			}
			i += size
		}
	}
	return out, true
}

// isVecSpace: the ASCII white space that ends a run of dots as a blank.
func isVecSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// joined reports whether the token ending at k runs on into a joiner and
// another word or number, which the parser treats case by case.
func joined(s string, k int) bool {
	if k+1 >= len(s) || !isVecAlnum(s[k+1]) {
		return false
	}
	switch s[k] {
	case '.', '-', '+', '\'':
		return true
	}
	return false
}

// sfloat reports whether an alphanumeric run starts like a number in
// scientific notation (1e5, 2E-3): the parser ends that number where its
// exponent ends, and takes what follows as a token of its own.
func sfloat(run string) bool {
	i := 0
	for i < len(run) && isVecDigit(run[i]) {
		i++
	}
	return i > 0 && i < len(run) && (run[i] == 'e' || run[i] == 'E')
}

func hasLetter(run string) bool {
	letters, _ := classify(run)
	return letters
}

func alnumEnd(s string, i int) int {
	for i < len(s) && isVecAlnum(s[i]) {
		i++
	}
	return i
}

// classify says whether word (ASCII letters and digits) holds letters and
// whether it holds digits.
func classify(word string) (letters, digits bool) {
	for i := 0; i < len(word); i++ {
		if isVecDigit(word[i]) {
			digits = true
		} else {
			letters = true
		}
	}
	return letters, digits
}

const (
	vecDigit = 1 << iota
	vecLetter
)

var vecClass = func() (t [256]uint8) {
	for c := '0'; c <= '9'; c++ {
		t[c] = vecDigit
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = vecLetter, vecLetter
	}
	return t
}()

func isVecDigit(c byte) bool  { return vecClass[c] == vecDigit }
func isVecLetter(c byte) bool { return vecClass[c] == vecLetter }
func isVecAlnum(c byte) bool  { return vecClass[c] != 0 }

func appendLowerASCII(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b
}

// stems caches the stemmer's results (about 0.6 µs a word), "" for stop
// words: news copy repeats a vocabulary of some tens of thousands of words.
// Bounded: emptied when full.
var stems = struct {
	sync.RWMutex
	m map[string]string
}{m: map[string]string{}}

const maxStems = 50000

var snowballEnvs = sync.Pool{New: func() any { return snowballstem.NewEnv("") }}

// stem is the english configuration's Snowball stemmer of a lower-case
// word, or "" for a stop word.
func stem(word []byte) string {
	stems.RLock()
	s, ok := stems.m[string(word)]
	stems.RUnlock()
	if ok {
		return s
	}
	w := string(word)
	if !stopWords[w] {
		env := snowballEnvs.Get().(*snowballstem.Env)
		env.SetCurrent(w)
		english.Stem(env)
		s = env.Current()
		snowballEnvs.Put(env)
	}
	stems.Lock()
	if len(stems.m) >= maxStems {
		clear(stems.m)
	}
	stems.m[w] = s
	stems.Unlock()
	return s
}

// vecBlank holds the ASCII characters the parser treats as blanks wherever
// they stand ('.', '\”, '-' and '+' are blanks only where vecWords says).
var vecBlank = func() (t [utf8.RuneSelf]bool) {
	for _, c := range " \t\n\r\f\v,;:!?()[]{}\"*|^`#%$='.-+" {
		t[c] = true
	}
	return t
}()

// vecBlankRune says whether a non-ASCII character is one of the typographic
// marks the parser treats as blanks.
func vecBlankRune(r rune) bool {
	switch r {
	case '\u00a0', '\u00a9', '\u00ae', '\u00b7', '\u2013', '\u2014', '\u2018', '\u2019',
		'\u201c', '\u201d', '\u2022', '\u2026', '\u2122':
		return true
	}
	return false
}

// stopWords is the english configuration's stop list (PostgreSQL's
// tsearch_data/english.stop, the Snowball list); a test checks it against the
// database.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`i me my myself we our ours ourselves you your yours yourself
		yourselves he him his himself she her hers herself it its itself they them their theirs
		themselves what which who whom this that these those am is are was were be been being have
		has had having do does did doing a an the and but if or because as until while of at by for
		with about against between into through during before after above below to from up down in
		out on off over under again further then once here there when where why how all any both
		each few more most other some such no nor not only own same so than too very s t can will
		just don should now`) {
		m[w] = true
	}
	return m
}()

// vectorCheck remembers whether this database computes search vectors as
// searchVector does. A server whose english configuration was changed, or a
// PostgreSQL release with another stemmer or parser, would index documents
// under lexemes its queries never look for; so the store asks the database
// once, on the calibration texts below, and uses the Go vectors only when
// every one is identical.
type vectorCheck struct {
	once sync.Once
	same bool
}

func (c *vectorCheck) ok(ctx context.Context, db *sqlx.DB) bool {
	c.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		err := vectorsAgree(ctx, db)
		c.same = err == nil
		if err != nil {
			slog.Warn("search vectors are left to the database, which is slower", slog.String("reason", err.Error()))
		}
	})
	return c.same
}

// vectorsAgree compares Go's vectors of the calibration texts with the
// database's.
func vectorsAgree(ctx context.Context, db *sqlx.DB) error {
	var titles, bodies, vecs []string
	for _, c := range vectorCalibration {
		v, ok := searchVector(c[0], c[1])
		if !ok {
			return fmt.Errorf("calibration text %.40q is not vectorised in Go", c[1])
		}
		titles, bodies, vecs = append(titles, c[0]), append(bodies, c[1]), append(vecs, v)
	}
	var differ []string
	err := db.SelectContext(ctx, &differ, `
		SELECT t.body FROM unnest($1::text[], $2::text[], $3::text[]) AS t(title, body, vec)
		WHERE adwatch_document_tsv(t.title, t.body) IS DISTINCT FROM t.vec::tsvector`,
		pq.Array(titles), pq.Array(bodies), pq.Array(vecs))
	if err != nil {
		return fmt.Errorf("compare search vectors: %w", err)
	}
	if len(differ) > 0 {
		return fmt.Errorf("the database vectorises %d calibration texts differently, the first %.40q", len(differ), differ[0])
	}
	return nil
}

// vectorCalibration holds every construct searchVector accepts and a spread
// of English inflections for the stemmer, as title and body.
var vectorCalibration = [][2]string{
	{"DHS orders Kaspersky products off U.S. federal networks",
		"WASHINGTON — The Department of Homeland Security on Sept. 13, 2017, directed agencies to identify, " +
			"plan for and remove Kaspersky-branded products within 90 days (Binding Operational Directive 17-01). " +
			"AO Kaspersky Lab’s co-founder called it “unfounded”; the company's shares aren't listed. A 19-year-old " +
			"rule, v1.2 of the list, 1.5% of $42.10, 192.168.0.1, 10:30 a.m., 1,000 jobs, 2nd quarter, 1-2 days, " +
			"covid-19 and mid-2024 plans, 2024-06-20, +5 and -7, x-ray, C++, \"quotes\", [brackets], e.g. S.p.A., " +
			"St.Louis and N.Y. Inc.; Ltd.! Co.? AG, plc * # = | ^ ` { } ‘single’ • © ® ™ …"},
	{"Generously relational conditional organizations",
		"caresses ponies ties caress cats feed agreed disabled matting mating meeting milling messing meetings " +
			"happy sky conflated troubled sized hopping tanned falling hissing fizzed failing filing generalization " +
			"oscillators rational valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli " +
			"vietnamization predication operator feudalism decisiveness hopefulness callousness formaliti " +
			"sensitiviti sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival " +
			"allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment " +
			"dependent adoption homologou communism activate angulariti homologous effective bowdlerize probate " +
			"rate cease controlling rolling generate generously arsenal communities skies dying lying tying idly " +
			"gently ugly early only singly news howe atlas cosmos bias andes inning outing canning herring earring " +
			"proceed exceed succeed succeeding consigned consignment knightly knitting kneeling announces " +
			"sanctions sanctioned sanctioning banned banning bans prohibited prohibition designated designation " +
			"entities entity's listed listing telecommunications surveillance equipment"},
}
