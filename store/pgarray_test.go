package store

import (
	"context"
	"database/sql/driver"
	"math/rand/v2"
	"testing"

	"github.com/lib/pq"

	"adwatch/internal/testdb"
)

// TestArraysReadBackAsSent sends text[] and bytea[] parameters written by
// textArray and byteaArray and checks PostgreSQL reads exactly what
// pq.Array's encoding gives it.
func TestArraysReadBackAsSent(t *testing.T) {
	t.Parallel()
	db := testdb.New(t)
	ctx := context.Background()
	texts := []string{"", `"`, `\`, `\\"x"\`, "plain", "Kaspersky’s “Lab”", "{a,b}", "NULL", " spaced ", "line\nbreak", "tab\there", "é北京"}
	r := rand.New(rand.NewPCG(3, 4))
	var raws [][]byte
	for range 20 {
		b := make([]byte, r.IntN(300))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		raws = append(raws, b)
	}
	raws = append(raws, []byte{}, []byte(`"\`))
	var sameText, sameBytes bool
	err := db.QueryRowContext(ctx, `SELECT $1::text[] = $2::text[], $3::bytea[] = $4::bytea[]`,
		textArray(texts), pq.Array(texts), byteaArray(raws), pq.ByteaArray(raws)).Scan(&sameText, &sameBytes)
	if err != nil {
		t.Fatal(err)
	}
	if !sameText || !sameBytes {
		t.Errorf("read back equal to pq's: text[] %v, bytea[] %v", sameText, sameBytes)
	}
	var nulls bool
	if err := db.QueryRowContext(ctx, `SELECT $1::text[] IS NULL AND $2::bytea[] IS NULL`, textArray(nil), byteaArray(nil)).Scan(&nulls); err != nil {
		t.Fatal(err)
	}
	if !nulls {
		t.Error("nil slices: not NULL")
	}
	for _, v := range []driver.Valuer{textArray{}, byteaArray{}} {
		if got, _ := v.Value(); string(got.([]byte)) != "{}" {
			t.Errorf("%T{}: %q, want {}", v, got)
		}
	}
}

func BenchmarkTextArray(b *testing.B) {
	texts := make([]string, 128)
	for i := range texts {
		texts[i] = wireText(i)
	}
	b.Run("textArray", func(b *testing.B) {
		for b.Loop() {
			textArray(texts).Value()
		}
	})
	b.Run("pq.StringArray", func(b *testing.B) {
		for b.Loop() {
			v, _ := pq.StringArray(texts).Value()
			_ = []byte(v.(string)) // lib/pq's encode of a string parameter
		}
	})
}

func wireText(i int) string {
	s := ""
	for len(s) < 4000 {
		s += "The Commerce Department said it was adding \"Huawei Technologies\" to its Entity List. "
	}
	return s[:4000-i%100]
}
