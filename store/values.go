package store

// How Go values become column values and back: PostgreSQL refuses NUL and
// invalid UTF-8 in text, lib/pq sends []byte as bytea (so jsonb goes as a
// string), and the raw evidence is kept gzipped.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"adwatch"
)

// cleanAll cleans each string; nil becomes empty (the columns are NOT NULL).
func cleanAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = clean(v)
	}
	return out
}

// jsonMap encodes a map of strings as a jsonb literal ({} for nil). It is a
// string because lib/pq would send []byte as bytea.
func jsonMap(m map[string]string) (string, error) {
	if m == nil {
		return "{}", nil
	}
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[clean(k)] = clean(v)
	}
	b, err := json.Marshal(c)
	return string(b), err
}

// clean makes s storable in a text column: valid UTF-8 without NUL, which
// PostgreSQL refuses (extracted PDFs and hostile pages contain both).
func clean(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// gzipWriters are reused: a flate compressor is ~1 MB of state, and the
// crawl compresses every response it stores.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed) // the level is valid
	return zw
}}

// gzipBytes compresses the raw evidence. BestSpeed: on the nightly path
// compression costs CPU beside extraction, and the evidence is read rarely;
// HTML compresses ~4x at this level, ~5x at the default. klauspost's gzip
// writes the same format twice as fast as compress/gzip at this level (39
// against 82 µs for a bench article of 5.4 KB, 3% larger output).
func gzipBytes(b []byte) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	buf.Grow(len(b)/3 + 64)
	zw := gzipWriters.Get().(*gzip.Writer)
	defer gzipWriters.Put(zw)
	zw.Reset(&buf)
	if _, err := zw.Write(b); err != nil {
		return nil, fmt.Errorf("compress raw: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress raw: %w", err)
	}
	return buf.Bytes(), nil
}

func gunzipBytes(b []byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("decompress raw: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("decompress raw: %w", err)
	}
	return out, nil
}

func jsonHeader(h http.Header) (string, error) {
	c := make(map[string][]string, len(h))
	for k, vs := range h {
		c[clean(k)] = cleanAll(vs)
	}
	b, err := json.Marshal(c)
	return string(b), err
}

func nonNilSpans(s []adwatch.Span) []adwatch.Span {
	out := make([]adwatch.Span, len(s))
	for i, sp := range s {
		sp.Name = clean(sp.Name)
		out[i] = sp
	}
	return out
}

// uniq returns the distinct non-empty strings of s, sorted.
func uniq(s []string) []string {
	out := make([]string, 0, len(s))
	for _, v := range s {
		if v != "" {
			out = append(out, v)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}
