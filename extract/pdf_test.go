package extract

import (
	"context"
	"errors"
	"strconv"
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
	errs := make(chan error, 4)
	for range 4 {
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

// makeColumnsPDF draws two columns line by line across the page, the order
// that makes naive extraction interleave them.
func makeColumnsPDF(heading string, left, right []string) []byte {
	var content strings.Builder
	if heading != "" {
		content.WriteString("BT /F1 14 Tf 54 760 Td " + pdfString(heading) + " Tj ET\n")
	}
	for i := range max(len(left), len(right)) {
		y := 740 - 14*i
		if i < len(left) {
			content.WriteString("BT /F1 10 Tf 54 " + itoa(y) + " Td " + pdfString(left[i]) + " Tj ET\n")
		}
		if i < len(right) {
			content.WriteString("BT /F1 10 Tf 320 " + itoa(y) + " Td " + pdfString(right[i]) + " Tj ET\n")
		}
	}
	return makePDFRaw(content.String())
}

func itoa(i int) string { return strconv.Itoa(i) }

func TestPDFColumnsReadInOrder(t *testing.T) {
	t.Parallel()
	left := []string{"The Bureau adds Huawei Technologies", "Co., Ltd. and sixty-eight of its", "non-U.S. affiliates to the Entity", "List, effective May 16, 2019."}
	right := []string{"Separately, the Commission named", "Kaspersky Lab in its update of the", "Covered List of communications", "equipment and services."}
	body := makeColumnsPDF("Export and network security notes", left, right)
	got, err := New(Options{}).Extract(context.Background(), Input{Name: "cols.pdf", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	want := "Export and network security notes\n\n" + strings.Join(left, "\n") + "\n\n" + strings.Join(right, "\n")
	if got.Text != want {
		t.Errorf("text:\ngot  %q\nwant %q", got.Text, want)
	}
}

// A two-column table keeps its rows: only prose columns are reordered.
func TestPDFTableRowsKept(t *testing.T) {
	t.Parallel()
	left := []string{"Huawei Technologies Co., Ltd.", "ZTE Corporation", "Hytera Communications Corporation", "Hangzhou Hikvision Digital Technology"}
	right := []string{"March 12, 2021", "March 12, 2021", "March 12, 2021", "March 12, 2021"}
	got, err := New(Options{}).Extract(context.Background(), Input{Name: "table.pdf", Body: makeColumnsPDF("", left, right)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Text, "ZTE Corporation March 12, 2021\n") {
		t.Errorf("table row split up; got %q", got.Text)
	}
}

// After compileAfterPages pages the engine builds the compiled PDFium in the
// background and switches to it; the text it reads is the same.
func TestPDFEngineSwitchesToCompiled(t *testing.T) {
	if raceEnabled {
		// Compiling PDFium with the race detector on takes minutes; the
		// only goroutine handoff (compile, then close a channel) is plain.
		t.Skip("compiling PDFium under -race takes minutes")
	}
	t.Parallel()
	var pages [][]string
	for i := range compileAfterPages {
		pages = append(pages, []string{"Page " + strconv.Itoa(i+1) + ": Kaspersky Lab (or any successor entity);"})
	}
	body := makePDF("Many pages", pages...)
	e := New(Options{})
	first, err := e.Extract(context.Background(), Input{Name: "many.pdf", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	pdfEngine.mu.Lock()
	compiled := pdfEngine.compiled
	pdfEngine.mu.Unlock()
	if compiled == nil {
		t.Fatalf("no compile started after %d pages", compileAfterPages)
	}
	<-compiled
	if pdfEngine.compiledErr != nil {
		t.Fatalf("compile: %v", pdfEngine.compiledErr)
	}
	second, err := e.Extract(context.Background(), Input{Name: "many.pdf", Body: body})
	if err != nil {
		t.Fatal(err)
	}
	pdfEngine.mu.Lock()
	jit := pdfEngine.instIsJIT
	pdfEngine.mu.Unlock()
	if !jit {
		t.Errorf("engine did not switch to the compiled PDFium")
	}
	if first.Text != second.Text || !strings.Contains(second.Text, "Page 40: Kaspersky Lab") {
		t.Errorf("text differs between engines:\ninterpreted %q\ncompiled    %q", first.Text, second.Text)
	}
}
