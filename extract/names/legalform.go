package names

import (
	_ "embed"
	"strings"
)

//go:embed legalforms.txt
var legalFormsData string

// Legal-form flags.
const (
	lfSuffix uint8 = 1 << iota // written after the name (Kaspersky Lab, Inc.)
	lfPrefix                   // written before the name (AO Kaspersky Lab)
	lfMore                     // a longer form continues these words
)

// legalFormTable is the set of normalised legal forms.
type legalFormTable struct {
	forms     map[string]uint8 // normalised form → lf flags
	hashes    map[uint64]uint8 // hash of the form's words (as the scan hashes them) → lf flags | lfMore
	first     wordFilter       // first words of forms
	maxTokens int
	surface   int // distinct spellings generated (case-insensitive)
	written   int // forms as written in legalforms.txt
}

var legal = buildLegalForms(legalFormsData)

func buildLegalForms(data string) *legalFormTable {
	t := &legalFormTable{forms: make(map[string]uint8), hashes: make(map[uint64]uint8)}
	seen := make(map[string]bool)
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		_, rest, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		for _, f := range strings.Split(rest, "|") {
			f = strings.TrimSpace(f)
			flag := lfSuffix
			if strings.HasPrefix(f, "^") {
				f, flag = f[1:], lfPrefix
			}
			if f == "" {
				continue
			}
			t.written++
			for _, v := range spellings(f) {
				if k := strings.ToLower(v); !seen[k] {
					seen[k] = true
					t.surface++
				}
				n := Normalize(v)
				if n == "" {
					continue
				}
				t.forms[n] |= flag
				g := uint64(seqSeed)
				words := strings.Split(n, " ")
				for i, w := range words {
					if i == 0 {
						t.first.add(hashBytes([]byte(w)))
					}
					g = combine(g, hashBytes([]byte(w)))
					if i < len(words)-1 {
						t.hashes[g] |= lfMore
					} else {
						t.hashes[g] |= flag
					}
				}
				if k := strings.Count(n, " ") + 1; k > t.maxTokens {
					t.maxTokens = k
				}
			}
		}
	}
	return t
}

// spellings generates the ways a form is written in practice: with and
// without dots, commas, parentheses and hyphens, dotted or spaced initials.
func spellings(f string) []string {
	out := []string{f}
	add := func(s string) {
		s = strings.Join(strings.Fields(s), " ")
		for _, o := range out {
			if o == s {
				return
			}
		}
		if s != "" {
			out = append(out, s)
		}
	}
	for _, base := range []string{f, strings.NewReplacer("(", "", ")", "").Replace(f)} {
		add(base)
		add(strings.ReplaceAll(base, ",", ""))
		add(strings.ReplaceAll(base, "-", " "))
		add(strings.ReplaceAll(base, "-", ""))
		if strings.Contains(base, ".") {
			add(strings.ReplaceAll(base, ".", ""))
			add(strings.ReplaceAll(strings.ReplaceAll(base, ",", ""), ".", ""))
			add(strings.ReplaceAll(base, ".", ". "))
		}
	}
	// Short capitalised abbreviations are also written with dots: LLC, L.L.C.
	if isShortAbbrev(f) {
		var b strings.Builder
		for _, r := range f {
			b.WriteRune(r)
			b.WriteByte('.')
		}
		add(b.String())
		add(strings.ReplaceAll(b.String(), ".", ". "))
	}
	return out
}

func isShortAbbrev(f string) bool {
	if len(f) < 2 || len(f) > 4 {
		return false
	}
	for i := 0; i < len(f); i++ {
		if f[i] < 'A' || f[i] > 'Z' {
			return false
		}
	}
	return true
}

// IsLegalForm reports whether s is, as a whole, a legal form such as "Inc.",
// "Co., Ltd.", "GmbH & Co. KG" or "Société Anonyme".
func IsLegalForm(s string) bool {
	_, ok := legal.forms[Normalize(s)]
	return ok && strings.TrimSpace(s) != ""
}

// LegalFormCount returns how many legal forms the table knows: as written in
// the table, as distinct spellings generated from them, and as distinct
// normalised forms the matcher compares.
func LegalFormCount() (written, spellings, normalised int) {
	return legal.written, legal.surface, len(legal.forms)
}

// StripLegalForm splits a company name into its base and its legal form:
// "AO Kaspersky Lab" → ("Kaspersky Lab", "AO"), "Huawei Technologies Co.,
// Ltd." → ("Huawei Technologies", "Co., Ltd."). A name that is nothing but a
// legal form, or has none, comes back whole with an empty form.
func StripLegalForm(name string) (base, form string) {
	words, toks := normTokens(name)
	lo, hi := 0, len(words)
	var pre, suf string
	// The longest suffix form first, then once more for chained forms such as
	// "(Persero) Tbk" or "Ltda. ME".
	for range 2 {
		k := legal.longest(words[lo:hi], lfSuffix, true)
		if k == 0 || hi-k <= lo {
			break
		}
		f := formText(name, toks[hi-k:hi])
		if suf != "" {
			f += " " + suf
		}
		suf = f
		hi -= k
	}
	if k := legal.longest(words[lo:hi], lfPrefix, false); k > 0 && hi-k > lo {
		pre = formText(name, toks[lo:lo+k])
		lo += k
	}
	if pre == "" && suf == "" {
		return strings.TrimSpace(name), ""
	}
	end := toks[hi-1].end
	if hi < len(toks) {
		end = toks[hi].start // keep a possessive: "McDonald's Corporation" → "McDonald's"
	}
	base = trimName(name[toks[lo].start:end])
	switch {
	case pre != "" && suf != "":
		form = pre + " " + suf
	case pre != "":
		form = pre
	default:
		form = suf
	}
	return base, form
}

// longest returns the number of words of the longest legal form at the end
// (suffix) or start (prefix) of words.
func (t *legalFormTable) longest(words []string, flag uint8, suffix bool) int {
	best := 0
	for k := 1; k <= t.maxTokens && k <= len(words); k++ {
		var s string
		if suffix {
			s = strings.Join(words[len(words)-k:], " ")
		} else {
			s = strings.Join(words[:k], " ")
		}
		if t.forms[s]&flag != 0 {
			best = k
		}
	}
	return best
}

// longestAfter returns the number of words of the longest form with the
// flag that starts at the first of the given word hashes, without building
// strings: it runs once per occurrence.
func (t *legalFormTable) longestAfter(hashes func(i int) (uint64, bool), flag uint8) int {
	best := 0
	g := uint64(seqSeed)
	for i := 0; i < t.maxTokens; i++ {
		h, ok := hashes(i)
		if !ok {
			break
		}
		g = combine(g, h)
		f, found := t.hashes[g]
		if !found {
			break
		}
		if f&flag != 0 {
			best = i + 1
		}
		if f&lfMore == 0 {
			break
		}
	}
	return best
}

// formText is the original spelling of a form, with its closing dot or
// parenthesis.
func formText(name string, toks []token) string {
	start, end := toks[0].start, toks[len(toks)-1].end
	for start > 0 && (name[start-1] == '(' || name[start-1] == '&') {
		start--
	}
	for end < len(name) && (name[end] == '.' || name[end] == ')') {
		end++
	}
	return strings.TrimSpace(name[start:end])
}

// trimName drops the separators a stripped form leaves behind.
func trimName(s string) string {
	return strings.Trim(s, " \t\r\n,;:-–—(/&")
}
