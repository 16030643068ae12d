package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

var errHelp = errors.New("help shown")

// flags is a command's flag set with the flags every command shares.
type flags struct {
	*flag.FlagSet
	config *string
	json   *bool
}

func newFlags(name, usage string, e *env, withJSON bool) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := &flags{FlagSet: fs}
	f.config = fs.String("config", "", "configuration file (default $ADWATCH_CONFIG, then ./adwatch.yaml)")
	if withJSON {
		f.json = fs.Bool("json", false, "print one JSON object per line")
	}
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: adwatch %s\n\nFlags:\n", usage)
		fs.PrintDefaults()
	}
	return f
}

// parse parses args, allowing flags after positional arguments
// ("adwatch search kaspersky --json").
func (f *flags) parse(args []string) error {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp
			}
			return usageError("%v", err)
		}
		args = f.Args()
		if len(args) == 0 {
			break
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
	f.Parse(append([]string{"--"}, pos...)) //nolint:errcheck // "--" only re-sets the positional args
	return nil
}

func (f *flags) wantJSON() bool { return f.json != nil && *f.json }

// multi is a repeatable string flag (--source a --source b).
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }
