// Command extractbench writes the inputs of the end-to-end check of
// `adwatch extract`: an advertisers CSV with N names and aliases and M
// megabytes of news-like text naming some of them, so the command can be
// timed against another matcher on the same names in the same run:
//
//	go run ./bench/extractbench -out /tmp/xb -aliases 100000 -mb 50
//	go build -o /tmp/adwatch ./cmd/adwatch
//	/usr/bin/time -v /tmp/adwatch extract --advertisers /tmp/xb/advertisers.csv /tmp/xb/news.txt
//
// It also writes names.txt (one pattern per line) for a plain multi-pattern
// matcher. The text is one file: `adwatch extract` streams it in bounded
// memory. It writes nothing else and needs no database.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"adwatch"
	"adwatch/bench/matchbench/synth"
)

func main() {
	out := flag.String("out", "", "directory to write advertisers.csv, names.txt and news.txt into")
	aliases := flag.Int("aliases", 100_000, "names and aliases in the advertisers CSV")
	mb := flag.Int("mb", 50, "megabytes of text")
	flag.Parse()
	if *out == "" {
		log.Fatal("extractbench: -out DIR is required")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	ads := synth.Advertisers(*aliases)
	if err := writeCSV(filepath.Join(*out, "advertisers.csv"), filepath.Join(*out, "names.txt"), ads); err != nil {
		log.Fatal(err)
	}
	f, err := os.Create(filepath.Join(*out, "news.txt"))
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	const chunk = 4 << 20
	for i := 0; i*chunk < *mb<<20; i++ {
		if _, err := w.WriteString(synth.Text(chunk, ads, uint64(i))); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d advertisers (%d names and aliases) and %d MB of text to %s\n", len(ads), *aliases, *mb, *out)
}

func writeCSV(csvPath, namesPath string, ads []adwatch.Advertiser) error {
	cf, err := os.Create(csvPath)
	if err != nil {
		return err
	}
	nf, err := os.Create(namesPath)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(cf)
	nw := bufio.NewWriter(nf)
	cw.Write([]string{"id", "name", "aliases", "active"}) //nolint:errcheck // checked by Flush/Error
	for _, a := range ads {
		cw.Write([]string{a.ID, a.Name, strings.Join(a.Aliases, "|"), "true"}) //nolint:errcheck
		fmt.Fprintln(nw, a.Name)
		for _, al := range a.Aliases {
			fmt.Fprintln(nw, al)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	if err := nw.Flush(); err != nil {
		return err
	}
	if err := nf.Close(); err != nil {
		return err
	}
	return cf.Close()
}
