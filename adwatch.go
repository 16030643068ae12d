// Package adwatch holds the nouns shared by every part of the program: sources,
// fetched and stored documents, advertisers, mentions, matches and alerts.
//
// It imports only the standard library and does no work of its own; the
// packages that do work (crawler, extract, store, alerts, web) speak these types
// to each other, and cmd/adwatch wires them together.
package adwatch

import "errors"

// Domain outcomes shared across packages. Callers test them with errors.Is.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// Kind says whether a document is a government notice or press coverage.
type Kind string

const (
	KindGovernment Kind = "government"
	KindPress      Kind = "press"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindGovernment || k == KindPress }
