package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
)

func cmdUsers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, "Usage: adwatch users add NAME --role analyst|admin [--password-stdin]")
			return errHelp
		}
		return usageError("usage: adwatch users add NAME --role analyst|admin [--password-stdin]")
	}
	f := newFlags("users add", "users add NAME --role analyst|admin [--password-stdin]", e, false)
	role := f.String("role", "analyst", "analyst (read and triage) or admin (also advertisers, sources, users)")
	fromStdin := f.Bool("password-stdin", false, "read the password from standard input")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return usageError("users add takes one NAME")
	}
	if *role != "analyst" && *role != "admin" {
		return usageError("--role must be analyst or admin")
	}
	if !*fromStdin {
		fmt.Fprint(e.stderr, "Password (input is shown; prefer --password-stdin in scripts): ")
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return usageError("no password given (%v)", err)
	}
	if len(pw) < 10 {
		return usageError("password too short: use at least 10 characters")
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.db.CreateUser(ctx, f.Arg(0), pw, *role)
	if err != nil {
		return failed(fmt.Errorf("add user %s: %w", f.Arg(0), err))
	}
	fmt.Fprintf(e.stdout, "user %s added with role %s\n", u.Name, u.Role)
	return nil
}

func cmdTokens(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(e.stdout, "Usage: adwatch tokens create NAME --role analyst|admin")
			return errHelp
		}
		return usageError("usage: adwatch tokens create NAME --role analyst|admin")
	}
	f := newFlags("tokens create", "tokens create NAME --role analyst|admin", e, false)
	role := f.String("role", "analyst", "analyst or admin")
	if err := f.parse(args[1:]); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return usageError("tokens create takes one NAME")
	}
	if *role != "analyst" && *role != "admin" {
		return usageError("--role must be analyst or admin")
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	tok, err := a.db.CreateToken(ctx, f.Arg(0), *role)
	if err != nil {
		return failed(fmt.Errorf("create token %s: %w", f.Arg(0), err))
	}
	// The token is the last word printed; it is shown only this once.
	fmt.Fprintf(e.stdout, "API token for %s (%s), shown once; send it as \"Authorization: Bearer TOKEN\": %s\n", f.Arg(0), *role, tok)
	return nil
}
