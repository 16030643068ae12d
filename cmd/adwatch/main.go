// Command adwatch watches government notices and press coverage and alerts
// the policy team when a current advertiser is named. It is the only package
// that imports all the others: it reads the configuration and wires crawler,
// extract, store, alerts and web together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Exit codes of the contract.
const (
	exitOK     = 0
	exitFailed = 1 // the work failed, e.g. a source failed in run
	exitUsage  = 2 // bad usage or configuration
)

// exitError carries an exit code up to main; the message is printed once.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageError(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// env is what a command may touch of the outside world; tests replace it.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	logger *slog.Logger
}

type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"demo":        {"self-contained tour: sample site on loopback, crawl, alerts, web UI", cmdDemo},
		"migrate":     {"apply the embedded database migrations (safe to run twice)", cmdMigrate},
		"advertisers": {"advertisers import FILE.csv [--replace] | advertisers list", cmdAdvertisers},
		"run":         {"one pass over all (or --source) sources: fetch, extract, match, store, alert", cmdRun},
		"serve":       {"long-running: scheduler, workers and the web UI/API", cmdServe},
		"worker":      {"workers only, for more processes against the same database", cmdWorker},
		"extract":     {"offline: text, companies and advertiser matches of local files (JSON Lines)", cmdExtract},
		"search":      {"search the archive", cmdSearch},
		"alerts":      {"alerts list | confirm ID | dismiss ID", cmdAlerts},
		"sources":     {"source health: last run, last success, documents, failures", cmdSources},
		"users":       {"users add NAME --role analyst|admin", cmdUsers},
		"tokens":      {"tokens create NAME --role analyst|admin", cmdTokens},
	}
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	os.Exit(run(context.Background(), e, os.Args[1:]))
}

// run executes one command line and returns the process exit code.
func run(ctx context.Context, e *env, args []string) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if e.logger == nil {
		e.logger = newLogger(e.stderr, e.getenv("ADWATCH_LOG_LEVEL"))
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				return exitCode(c.run(ctx, e, []string{"-h"}), e)
			}
		}
		printUsage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "adwatch: unknown command %q (see adwatch help)\n", args[0])
		return exitUsage
	}
	return exitCode(c.run(ctx, e, args[1:]), e)
}

func exitCode(err error, e *env) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	fmt.Fprintf(e.stderr, "adwatch: %v\n", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitFailed
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "adwatch watches government notices and press coverage for your advertisers.")
	fmt.Fprintln(w, "\nUsage: adwatch COMMAND [flags]   (adwatch COMMAND -h for its flags)\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nConfiguration: --config FILE, else $ADWATCH_CONFIG, else ./adwatch.yaml (see adwatch.example.yaml).")
	fmt.Fprintln(w, "Exit codes: 0 success, 1 the work failed, 2 bad usage or configuration.")
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}
