package extract

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"adwatch"
)

// MaxInputBytes caps feed, JSON and PDF input read by ExtractReader (and
// PDFs given to Extract): these formats must be parsed whole. Plain text,
// markdown and HTML have no cap: text is streamed, and HTML over
// maxTreeBytes is read as a token stream.
const MaxInputBytes = 64 << 20

// ErrTooLarge is returned for whole-parse input over MaxInputBytes.
var ErrTooLarge = errors.New("input too large")

// Streaming sizes for plain text. Chunks overlap so that a name cut by a
// chunk boundary is seen whole by the next chunk; a mention belongs to the
// chunk in which it starts before the middle of the overlap.
type streamSizes struct {
	piece   int // raw bytes read at a time, cut at a line break
	chunk   int // cleaned text handed to company finding at once
	overlap int // text shared by consecutive chunks
}

var defaultSizes = streamSizes{piece: 256 << 10, chunk: 1 << 20, overlap: 4 << 10}

func (e *Extractor) streamSizes() streamSizes {
	if e.sizes.chunk == 0 {
		return defaultSizes
	}
	return e.sizes
}

// ExtractReader extracts a local file of any size in bounded memory. Plain
// text and markdown are streamed in overlapping chunks, with every offset
// global to the whole text; other formats are read whole up to
// MaxInputBytes. With withText false the text is not kept (Text is empty)
// and neither are Spans, so memory does not grow with the input.
func (e *Extractor) ExtractReader(ctx context.Context, r io.Reader, in Input, withText bool) (adwatch.Extracted, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	first, err := br.Peek(1024)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return adwatch.Extracted{}, fmt.Errorf("extract %s: read: %w", displayName(in), err)
	}
	format := Detect(in.Name, in.ContentType, first)
	if format == FormatText || format == FormatMarkdown {
		out, err := e.stream(ctx, br, in, format == FormatMarkdown, withText)
		if err != nil {
			return adwatch.Extracted{}, fmt.Errorf("extract %s: %w", displayName(in), err)
		}
		return out, nil
	}
	limit := MaxInputBytes
	if format == FormatHTML {
		limit = maxTreeBytes
	}
	body, err := io.ReadAll(io.LimitReader(br, int64(limit)+1))
	if err != nil {
		return adwatch.Extracted{}, fmt.Errorf("extract %s: read: %w", displayName(in), err)
	}
	if format == FormatHTML && len(body) > limit {
		out, err := e.streamHTML(ctx, io.MultiReader(bytes.NewReader(body), br), in, withText)
		if err != nil {
			return adwatch.Extracted{}, fmt.Errorf("extract %s: %w", displayName(in), err)
		}
		return out, nil
	}
	if len(body) > MaxInputBytes {
		return adwatch.Extracted{}, fmt.Errorf("extract %s: %w: %s input over the %d MiB limit", displayName(in), ErrTooLarge, format, MaxInputBytes>>20)
	}
	in.Body = body
	out, err := e.Extract(ctx, in)
	if err != nil {
		return out, err
	}
	if !withText {
		out.Text, out.Spans = "", nil
	}
	return out, nil
}

// stream runs plain text or markdown through cleaning and company finding
// chunk by chunk.
func (e *Extractor) stream(ctx context.Context, br *bufio.Reader, in Input, markdown, withText bool) (adwatch.Extracted, error) {
	var (
		out     adwatch.Extracted
		m       merger
		cl      = cleaner{keepTabs: true}
		full    strings.Builder
		win     []byte // cleaned text not yet fully processed
		base    int    // global offset of win[0]
		ownFrom int    // global offset from which mentions belong to the next chunk
		carry   []byte
		first   = true // no chunk processed yet
		head    = true // the next piece is the start of the text
		title   string
		sb      strings.Builder
	)
	sz := e.streamSizes()
	raw := make([]byte, sz.piece)
	for eof := false; !eof; {
		if err := ctx.Err(); err != nil {
			return adwatch.Extracted{}, err
		}
		piece, rest, readEOF, err := nextPiece(br, raw, carry)
		if err != nil {
			return adwatch.Extracted{}, fmt.Errorf("read: %w", err)
		}
		carry, eof = rest, readEOF
		src := decodeText(piece)
		if head {
			head = false
			d := firstPiece(src, markdown)
			title, out.Published, out.CanonicalURL = d.Title, d.Published, d.Canonical
			src = d.Text
		} else if markdown {
			src = markdownToText(src)
		}
		sb.Reset()
		sb.Grow(len(src))
		cl.write(&sb, src)
		if withText {
			full.WriteString(sb.String())
		}
		win = append(win, sb.String()...)
		for len(win) >= sz.chunk || eof && (len(win) > 0 || first) {
			end := len(win)
			last := eof && end == len(win)
			ownTo := int(^uint(0) >> 1)
			next := end
			if !last {
				next = chunkRestart(win, end, sz.overlap)
				ownTo = base + next + (end-next)/2
			}
			chunkTitle := ""
			if first {
				chunkTitle = title
			}
			companies, matches, spans := e.mentions(in, chunkTitle, string(win[:end]))
			m.add(companies, matches, spans, base, ownFrom, ownTo, withText)
			first = false
			ownFrom = ownTo
			base += next
			win = append(win[:0], win[next:]...)
			if last {
				win = win[:0]
				break
			}
		}
	}
	out.Title = cleanLine(title)
	if out.Title == "" {
		out.Title = cleanLine(in.Meta["title"])
	}
	if out.Published == nil {
		out.Published = parseDate(in.Meta["published"])
	}
	if out.CanonicalURL == "" {
		out.CanonicalURL = absURL(in.Meta["canonical_url"], in.URL)
	}
	if out.CanonicalURL == "" {
		out.CanonicalURL = absURL(in.URL, "")
	}
	out.Text = full.String()
	out.Companies, out.Matches, out.Spans = m.result()
	return out, nil
}

// firstPiece reads the head of a text stream: front matter, title, date.
func firstPiece(src string, markdown bool) doc {
	if !markdown {
		d := readPlain([]byte(src))
		d.Text = src
		return d
	}
	_, rest := splitFrontMatter(src)
	d := readMarkdown([]byte(src))
	d.Text = markdownToText(rest)
	return d
}

// nextPiece reads up to len(buf) bytes after carry and cuts them after the
// last line break (else the last space, else a rune boundary), so that text
// transforms never see half a line or half a character. What follows the
// cut is returned as the next carry.
func nextPiece(br *bufio.Reader, buf, carry []byte) (piece, rest []byte, eof bool, err error) {
	n := copy(buf, carry)
	for n < len(buf) {
		k, rerr := br.Read(buf[n:])
		n += k
		if errors.Is(rerr, io.EOF) {
			return buf[:n], nil, true, nil
		}
		if rerr != nil {
			return nil, nil, false, rerr
		}
	}
	cut := bytes.LastIndexByte(buf[:n], '\n') + 1
	if cut == 0 {
		cut = bytes.LastIndexByte(buf[:n], ' ') + 1
	}
	if cut == 0 {
		cut = n
		for cut > n-utf8.UTFMax && cut > 0 && !utf8.RuneStart(buf[cut-1]) {
			cut--
		}
		if cut > 0 && buf[cut-1] >= utf8.RuneSelf {
			cut--
		}
		if cut == 0 {
			cut = n
		}
	}
	// The carry must not alias buf, which the next call overwrites.
	return buf[:cut], bytes.Clone(buf[cut:n]), false, nil
}

// chunkRestart is where the next chunk starts: streamOverlap before end, moved
// forward to the start of a word.
func chunkRestart(win []byte, end, overlap int) int {
	// Never step back more than half the window, so chunks always advance.
	next := max(end-overlap, end/2, 1)
	limit := end - overlap/4
	for i := next; i < limit; i++ {
		if win[i-1] == ' ' || win[i-1] == '\n' {
			return i
		}
	}
	return next
}
