// Package advcsv reads the advertisers CSV of the contract: a header row with
// at least id, name, aliases and active (any order), aliases separated by |,
// extra columns allowed (owner_email is understood, others are kept as Extra).
//
// Reading is all-or-nothing: the first bad row rejects the whole file with its
// line number, so an import never applies half a file. It does no I/O of its
// own beyond the reader it is given.
package advcsv

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"unicode/utf8"

	"adwatch"
)

// MaxRows bounds one file, so a runaway export cannot exhaust memory.
const MaxRows = 2_000_000

// LineError is a problem in one line of the file.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

var required = []string{"id", "name", "aliases", "active"}

// Parse reads every advertiser in r or returns the first problem.
func Parse(r io.Reader) ([]adwatch.Advertiser, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = 0 // every row as long as the header
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, &LineError{Line: 1, Msg: "empty file: a header row id,name,aliases,active is required"}
	}
	if err != nil {
		return nil, csvError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			return nil, &LineError{Line: 1, Msg: fmt.Sprintf("column %q appears twice", h)}
		}
		col[h] = i
	}
	for _, name := range required {
		if _, ok := col[name]; !ok {
			return nil, &LineError{Line: 1, Msg: fmt.Sprintf("header lacks column %q (need id,name,aliases,active)", name)}
		}
	}
	names := append([]string(nil), header...)
	var out []adwatch.Advertiser
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		if len(out) >= MaxRows {
			return nil, &LineError{Line: line, Msg: fmt.Sprintf("more than %d advertisers in one file", MaxRows)}
		}
		a, err := parseRow(rec, col, names)
		if err != nil {
			return nil, &LineError{Line: line, Msg: err.Error()}
		}
		if first, dup := seen[a.ID]; dup {
			return nil, &LineError{Line: line, Msg: fmt.Sprintf("id %q already used on line %d", a.ID, first)}
		}
		seen[a.ID] = line
		out = append(out, a)
	}
	return out, nil
}

func parseRow(rec []string, col map[string]int, header []string) (adwatch.Advertiser, error) {
	for i, f := range rec {
		if !utf8.ValidString(f) {
			return adwatch.Advertiser{}, fmt.Errorf("column %q is not valid UTF-8", header[i])
		}
	}
	get := func(name string) string { return strings.TrimSpace(rec[col[name]]) }
	a := adwatch.Advertiser{ID: get("id"), Name: get("name")}
	if a.ID == "" {
		return a, errors.New("id is empty")
	}
	if len(a.ID) > 200 || strings.ContainsAny(a.ID, "\r\n\t") {
		return a, fmt.Errorf("id %q is not a usable identifier", a.ID)
	}
	if a.Name == "" {
		return a, fmt.Errorf("advertiser %q has no name", a.ID)
	}
	for _, al := range strings.Split(get("aliases"), "|") {
		if al = strings.TrimSpace(al); al != "" {
			a.Aliases = append(a.Aliases, al)
		}
	}
	active, err := parseBool(get("active"))
	if err != nil {
		return a, err
	}
	a.Active = active
	if i, ok := col["owner_email"]; ok {
		if e := strings.TrimSpace(rec[i]); e != "" {
			addr, err := mail.ParseAddress(e)
			if err != nil {
				return a, fmt.Errorf("owner_email %q is not an email address", e)
			}
			a.OwnerEmail = addr.Address
		}
	}
	for i, h := range header {
		k := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch k {
		case "id", "name", "aliases", "active", "owner_email":
			continue
		}
		if v := strings.TrimSpace(rec[i]); v != "" {
			if a.Extra == nil {
				a.Extra = map[string]string{}
			}
			a.Extra[k] = v
		}
	}
	return a, nil
}

// parseBool accepts the spellings spreadsheets produce. An empty cell means
// active: a listed advertiser is a current one unless the file says not.
func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "true", "t", "yes", "y", "1", "active":
		return true, nil
	case "false", "f", "no", "n", "0", "inactive":
		return false, nil
	}
	return false, fmt.Errorf("active must be true or false, got %q", s)
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "wrong number of fields (compare with the header)"
		}
		return &LineError{Line: pe.Line, Msg: msg}
	}
	return fmt.Errorf("read advertisers csv: %w", err)
}
