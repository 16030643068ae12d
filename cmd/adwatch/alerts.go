package main

import (
	"context"
	"errors"
	"fmt"
	"os/user"
	"strconv"

	"adwatch"
	"adwatch/store"
)

func cmdAlerts(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError("usage: adwatch alerts list [--status S] [--json] | confirm ID | dismiss ID --reason R [--suppress source|phrase] | retry ID [--channel C]")
	}
	switch args[0] {
	case "list":
		return alertsList(ctx, e, args[1:])
	case "confirm":
		return alertsDecide(ctx, e, args[1:], adwatch.AlertConfirmed)
	case "dismiss":
		return alertsDecide(ctx, e, args[1:], adwatch.AlertDismissed)
	case "retry":
		return alertsRetry(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, "Usage: adwatch alerts list [--status new|confirmed|dismissed] [--advertiser ID] [--limit N] [--json]\n"+
			"       adwatch alerts confirm ID [--reason R]\n"+
			"       adwatch alerts dismiss ID --reason R [--suppress source|phrase [--phrase \"…\"]]\n"+
			"       adwatch alerts retry ID [--channel C]")
		return errHelp
	}
	return usageError("unknown alerts subcommand %q (list, confirm, dismiss or retry)", args[0])
}

func alertsList(ctx context.Context, e *env, args []string) error {
	f := newFlags("alerts list", "alerts list [--status S] [--advertiser ID] [--source NAME] [--limit N] [--json]", e, true)
	status := f.String("status", "", "new, confirmed or dismissed (default all)")
	advertiser := f.String("advertiser", "", "only this advertiser id")
	source := f.String("source", "", "only this source")
	limit := f.Int("limit", 1000, "at most this many alerts, newest first")
	if err := f.parse(args); err != nil {
		return err
	}
	switch *status {
	case "", adwatch.AlertNew, adwatch.AlertConfirmed, adwatch.AlertDismissed:
	default:
		return usageError("--status must be new, confirmed or dismissed")
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	as, err := a.db.Alerts(ctx, store.AlertFilter{Status: *status, AdvertiserID: *advertiser, Source: *source, Limit: *limit})
	if err != nil {
		return failed(fmt.Errorf("list alerts: %w", err))
	}
	if f.wantJSON() {
		for _, al := range as {
			if err := jsonLine(e.stdout, al); err != nil {
				return err
			}
		}
		return nil
	}
	if len(as) == 0 {
		fmt.Fprintln(e.stdout, "no alerts")
		return nil
	}
	printAlerts(e.stdout, as, alertChannels(as))
	return nil
}

func alertsDecide(ctx context.Context, e *env, args []string, status string) error {
	verb := "confirm"
	if status == adwatch.AlertDismissed {
		verb = "dismiss"
	}
	usage := "alerts " + verb + " ID [--reason R] [--by NAME]"
	if status == adwatch.AlertDismissed {
		usage += " [--suppress source|phrase [--phrase \"…\"]]"
	}
	f := newFlags("alerts "+verb, usage, e, false)
	reason := f.String("reason", "", "why (dismiss: not the company, wrong entity, irrelevant, …)")
	by := f.String("by", "", "who decides (default the OS user)")
	var suppress, phrase *string
	if status == adwatch.AlertDismissed {
		suppress = f.String("suppress", "", "also stop this false alarm: source (this alias from this source) or phrase (this alias in this phrase)")
		phrase = f.String("phrase", "", "with --suppress phrase: the words around the alias (default: taken from the snippet)")
	}
	if err := f.parse(args); err != nil {
		return err
	}
	if suppress != nil && *suppress != "" && *suppress != "source" && *suppress != "phrase" {
		return usageError("--suppress must be source or phrase")
	}
	if phrase != nil && *phrase != "" && (suppress == nil || *suppress != "phrase") {
		return usageError("--phrase goes with --suppress phrase")
	}
	if f.NArg() != 1 {
		return usageError("alerts %s takes one alert ID", verb)
	}
	id, err := strconv.ParseInt(f.Arg(0), 10, 64)
	if err != nil || id <= 0 {
		return usageError("alert ID must be a positive number, got %q", f.Arg(0))
	}
	if status == adwatch.AlertDismissed && *reason == "" {
		return usageError("alerts dismiss needs --reason (e.g. \"not the company\")")
	}
	who := *by
	if who == "" {
		who = "cli"
		if u, err := user.Current(); err == nil {
			who = "cli:" + u.Username
		}
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	var rule *store.Suppression
	if suppress != nil && *suppress != "" {
		// Build the rule before deciding: a rule that cannot be made must
		// not leave a dismissal without it.
		al, err := a.db.Alert(ctx, id)
		if errors.Is(err, adwatch.ErrNotFound) {
			return failed(fmt.Errorf("alert %d does not exist", id))
		}
		if err != nil {
			return failed(err)
		}
		r, err := suppressionFor(al, *suppress, *phrase, *reason, who)
		if err != nil {
			return usageError("%v", err)
		}
		rule = &r
	}
	if err := a.db.DecideAlert(ctx, id, status, *reason, who); err != nil {
		if errors.Is(err, adwatch.ErrNotFound) {
			return failed(fmt.Errorf("alert %d does not exist", id))
		}
		return failed(fmt.Errorf("%s alert %d: %w", verb, id, err))
	}
	fmt.Fprintf(e.stdout, "alert %d %sed by %s\n", id, verb, who)
	if rule == nil {
		return nil
	}
	saved, err := a.db.AddSuppression(ctx, *rule)
	if err != nil {
		return failed(fmt.Errorf("alert %d dismissed, but its suppression failed: %w", id, err))
	}
	where := "from source " + saved.Source
	if saved.Phrase != "" {
		where = fmt.Sprintf("in the phrase %q", saved.Phrase)
	}
	fmt.Fprintf(e.stdout, "suppression %d: %q of %s no longer alerts %s\n", saved.ID, saved.Alias, saved.AdvertiserID, where)
	return nil
}
