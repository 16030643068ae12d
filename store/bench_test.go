package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"adwatch"
	"adwatch/internal/testdb"
	"adwatch/store"
)

// batch makes n distinct press documents of about 6 KB of text each, every
// third naming an advertiser.
func batch(prefix string, n int) []adwatch.Document {
	docs := make([]adwatch.Document, n)
	for i := range docs {
		d := entityList
		d.URL = fmt.Sprintf("https://press.example/%s/%d", prefix, i)
		d.Text = strings.Repeat(entityList.Text+" ", 30) + fmt.Sprintf(" item %s-%d", prefix, i)
		d.ContentHash = hashOf(d.Text)
		if i%3 != 0 {
			d.Matches, d.Companies = nil, nil
		}
		docs[i] = d
	}
	return docs
}

func BenchmarkSaveDocuments50(b *testing.B) {
	ctx := context.Background()
	db := newStoreB(b)
	for i := 0; b.Loop(); i++ {
		if _, err := db.SaveDocuments(ctx, batch(fmt.Sprint(i), 50), []string{"slack", "email"}, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*50), "µs/doc")
}

func BenchmarkSaveDocumentsUnchanged50(b *testing.B) {
	ctx := context.Background()
	db := newStoreB(b)
	docs := batch("same", 50)
	if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := db.SaveDocuments(ctx, docs, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	db := newStoreB(b)
	for i := range 40 { // 2,000 documents
		if _, err := db.SaveDocuments(ctx, batch(fmt.Sprint(i), 50), nil, nil); err != nil {
			b.Fatal(err)
		}
	}
	for _, q := range []store.SearchQuery{{Q: "huawei entity"}, {Q: `"bureau of industry"`}, {}, {Company: "Huawei Technologis"}} {
		b.Run(fmt.Sprintf("q=%q,company=%q", q.Q, q.Company), func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Search(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkTestDB(b *testing.B) {
	for b.Loop() {
		testdb.DSN(b)
	}
}

func newStoreB(b *testing.B) *store.DB {
	b.Helper()
	db := store.FromSQL(testdb.New(b))
	ctx := context.Background()
	if err := db.SyncSources(ctx, []adwatch.Source{{Name: "tech-press", Kind: adwatch.KindPress, Type: adwatch.SourceFeed, URL: "https://press.example/feed.atom"}}); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ImportAdvertisers(ctx, []adwatch.Advertiser{{ID: "a-21", Name: "Huawei Technologies Co., Ltd.", Active: true}}, false); err != nil {
		b.Fatal(err)
	}
	return db
}
