package extract

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"adwatch"
)

// maxTreeBytes is the largest HTML page ExtractReader parses into a tree
// for readability. A parsed page takes about 40 times its size in memory,
// so larger pages (data dumps, whole registers saved as one page) are read
// as a token stream instead: all body text minus chrome, in bounded memory.
const maxTreeBytes = 4 << 20

// streamHTML extracts a large HTML page without building its tree: a
// tokenizer turns it into text that the plain-text stream then chunks.
func (e *Extractor) streamHTML(ctx context.Context, r io.Reader, in Input, withText bool) (adwatch.Extracted, error) {
	pr, pw := io.Pipe()
	var meta pageMeta
	done := make(chan struct{})
	go func() {
		defer close(done)
		pw.CloseWithError(htmlToText(r, in.ContentType, pw, &meta))
	}()
	out, err := e.stream(ctx, bufio.NewReaderSize(pr, 64<<10), in, false, withText)
	pr.CloseWithError(errors.New("extraction stopped")) // frees the writer if we stopped early
	<-done
	if err != nil {
		return adwatch.Extracted{}, err
	}
	if t := meta.title(in); t != "" {
		out.Title = t
	}
	if p := meta.published(); p != nil {
		out.Published = p
	}
	if c := meta.canonical(in.URL); c != "" {
		out.CanonicalURL = c
	}
	return out, nil
}

// htmlToText writes the text of an HTML stream to w with the structure
// renderText gives (paragraphs, lines, " | " between cells), skipping
// scripts, styles and page chrome, and notes the head's metadata in meta.
func htmlToText(r io.Reader, contentType string, w io.Writer, meta *pageMeta) error {
	dr, err := charset.NewReader(r, contentType)
	if err != nil {
		dr = r
	}
	meta.metas = map[string]string{}
	bw := bufio.NewWriterSize(w, 64<<10)
	z := html.NewTokenizer(dr)
	var (
		// While skipping, only the element that started the skip is
		// counted: unclosed <li> or <p> inside a <nav> must not make the
		// skip outlast it.
		skipRoot  atom.Atom
		skipDepth int
		brk       int
		cells     int
		inTitle   bool
	)
	write := func(s string) {
		if strings.TrimSpace(s) == "" {
			if s != "" && brk == 0 {
				bw.WriteByte(' ')
			}
			return
		}
		switch brk {
		case 2:
			bw.WriteString("\n\n")
		case 1:
			bw.WriteString("\n")
		}
		brk = 0
		bw.WriteString(s)
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if errors.Is(z.Err(), io.EOF) {
				return bw.Flush()
			}
			bw.Flush()
			return z.Err()
		case html.TextToken:
			text := string(z.Text())
			if inTitle && meta.titleTag == "" {
				meta.titleTag = text
			}
			if skipDepth == 0 && !inTitle {
				write(text)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			if tt == html.EndTagToken {
				if a == atom.Title {
					inTitle = false
				}
				if skipDepth > 0 {
					if a == skipRoot {
						skipDepth--
					}
					continue
				}
				if paragraphs[a] {
					brk = max(brk, 2)
				} else if lines[a] {
					brk = max(brk, 1)
				}
				continue
			}
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			switch a {
			case atom.Meta:
				meta.addMeta(attrs)
			case atom.Link:
				if meta.canonLink == "" && hasToken(attrs["rel"], "canonical") {
					meta.canonLink = strings.TrimSpace(attrs["href"])
				}
			case atom.Title:
				inTitle = tt == html.StartTagToken
			case atom.Time:
				if meta.timeAttr == "" {
					meta.timeAttr = strings.TrimSpace(attrs["datetime"])
				}
			}
			if a == atom.Body {
				skipDepth = 0 // a head left unclosed ends here
			}
			if skipDepth > 0 {
				if a == skipRoot && tt == html.StartTagToken {
					skipDepth++
				}
				continue
			}
			if tt == html.StartTagToken && !voidElements[a] && skippedTag(a, attrs) {
				skipRoot, skipDepth = a, 1
				continue
			}
			switch {
			case a == atom.Br:
				brk = max(brk, 1)
			case a == atom.Td || a == atom.Th:
				if cells > 0 {
					write(" | ")
				}
				cells++
			case a == atom.Tr:
				cells = 0
				brk = max(brk, 1)
			case paragraphs[a]:
				brk = max(brk, 2)
			case lines[a]:
				brk = max(brk, 1)
			}
		}
	}
}

// skippedTag reports elements whose content is never document text.
func skippedTag(a atom.Atom, attrs map[string]string) bool {
	if a == atom.Title {
		return false // its text is the title, collected apart
	}
	if skipped[a] || chromeElements[a] {
		return true
	}
	if chromeRoles[strings.ToLower(strings.TrimSpace(attrs["role"]))] {
		return true
	}
	for _, v := range []string{attrs["class"], attrs["id"]} {
		for _, w := range strings.FieldsFunc(strings.ToLower(v), notLetter) {
			if chromeWords[w] {
				return true
			}
		}
	}
	_, hidden := attrs["hidden"]
	return hidden
}

var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true,
	atom.Hr: true, atom.Img: true, atom.Input: true, atom.Link: true, atom.Meta: true,
	atom.Source: true, atom.Track: true, atom.Wbr: true,
}

// addMeta records a <meta> element's content under its property, name and
// itemprop, keeping the first value seen for each.
func (m *pageMeta) addMeta(attrs map[string]string) {
	content := attrs["content"]
	if content == "" {
		return
	}
	for _, k := range []string{"property", "name", "itemprop"} {
		key := strings.ToLower(strings.TrimSpace(attrs[k]))
		if key == "" {
			continue
		}
		if _, seen := m.metas[key]; !seen {
			m.metas[key] = content
		}
	}
}
