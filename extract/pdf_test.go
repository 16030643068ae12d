package extract

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"adwatch"
)

func TestPDFBrokenInputIsAnError(t *testing.T) {
	t.Parallel()
	good := makePDF("t", ndaa1634)
	tests := map[string][]byte{
		"header only":   []byte("%PDF-1.4\n"),
		"truncated":     good[:len(good)/2],
		"garbage":       append([]byte("%PDF-1.7\n"), strings.Repeat("\x00\xff garbage obj << >> ", 200)...),
		"no pages tree": []byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"),
	}
	e := New(Options{})
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := e.Extract(context.Background(), Input{Name: "broken.pdf", Body: body})
			if err == nil {
				// PDFium repairs some damage; what it recovers must
				// still be clean text.
				if strings.ContainsRune(got.Text, 0) {
					t.Errorf("recovered text has NUL bytes: %q", got.Text)
				}
				return
			}
			if !errors.Is(err, ErrPDF) {
				t.Errorf("got error %v, want one wrapping ErrPDF", err)
			}
		})
	}
	// The engine survives broken input: the next good PDF still reads.
	got, err := e.Extract(context.Background(), Input{Name: "good.pdf", Body: good})
	if err != nil || !strings.Contains(got.Text, "Kaspersky Lab (or any successor entity)") {
		t.Fatalf("good PDF after broken ones: err %v, text %q", err, got.Text)
	}
}

func TestPDFPagesAreParagraphs(t *testing.T) {
	t.Parallel()
	body := makePDF("", []string{"Huawei Technologies Co., Ltd.", "Shenzhen, China"}, []string{"ZTE Corporation", "Shenzhen, China"})
	got, err := New(Options{}).Extract(context.Background(), Input{Name: "list.pdf", Kind: adwatch.KindGovernment, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Huawei Technologies Co., Ltd.\nShenzhen, China\n\nZTE Corporation\nShenzhen, China"; got.Text != want {
		t.Errorf("text: got %q, want %q", got.Text, want)
	}
	if want := "Huawei Technologies Co., Ltd."; got.Title != want {
		t.Errorf("title without metadata: got %q, want first line %q", got.Title, want)
	}
}

// One PDFium instance serves every goroutine, one document at a time.
func TestPDFConcurrentUse(t *testing.T) {
	t.Parallel()
	e := New(Options{})
	body := makePDF("Public Law 115-91, Section 1634", ndaa1634)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			got, err := e.Extract(context.Background(), Input{Name: "law.pdf", Body: body})
			if err == nil && !strings.Contains(got.Text, "October 1, 2018.") {
				err = errors.New("text lacks the effective date")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

func TestPDFContextCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := New(Options{}).Extract(ctx, Input{Name: "law.pdf", Body: makePDF("", ndaa1634)})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
