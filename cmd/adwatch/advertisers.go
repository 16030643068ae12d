package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"adwatch"
	"adwatch/advcsv"
)

func cmdAdvertisers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return usageError("usage: adwatch advertisers import FILE.csv [--replace] | adwatch advertisers list [--json]")
	}
	switch args[0] {
	case "import":
		return advertisersImport(ctx, e, args[1:])
	case "list":
		return advertisersList(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprintln(e.stdout, "Usage: adwatch advertisers import FILE.csv [--replace] | adwatch advertisers list [--json]")
		return errHelp
	}
	return usageError("unknown advertisers subcommand %q (import or list)", args[0])
}

func advertisersImport(ctx context.Context, e *env, args []string) error {
	f := newFlags("advertisers import", "advertisers import FILE.csv [--replace]", e, false)
	replace := f.Bool("replace", false, "deactivate advertisers absent from the file")
	if err := f.parse(args); err != nil {
		return err
	}
	if f.NArg() != 1 {
		return usageError("advertisers import takes exactly one CSV file")
	}
	path := f.Arg(0)
	file, err := os.Open(path)
	if err != nil {
		return failed(fmt.Errorf("advertisers: %w", err))
	}
	defer file.Close()
	ads, err := advcsv.Parse(file)
	if err != nil {
		return failed(fmt.Errorf("%s: %w (nothing was imported)", path, err))
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	before, err := a.db.Advertisers(ctx, false)
	if err != nil {
		return failed(fmt.Errorf("import %s: %w (nothing was imported)", path, err))
	}
	st, err := a.db.ImportAdvertisers(ctx, ads, *replace)
	if err != nil {
		return failed(fmt.Errorf("import %s: %w (nothing was imported)", path, err))
	}
	fmt.Fprintf(e.stdout, "imported %d advertisers from %s: %d new, %d updated, %d unchanged, %d deactivated\n",
		len(ads), path, st.Inserted, st.Updated, st.Unchanged, st.Deactivated)
	return a.rescreenAfterImport(ctx, before)
}

// rescreenAfterImport queues the screening of new, re-activated or renamed
// advertisers against the archive, and says so.
func (a *app) rescreenAfterImport(ctx context.Context, before []adwatch.Advertiser) error {
	n, err := a.rescreenChanged(ctx, before)
	if err != nil {
		return failed(fmt.Errorf("advertisers imported, but the re-screen was not queued: %w", err))
	}
	if n > 0 {
		fmt.Fprintf(a.e.stdout, "re-screening %d advertisers against the last %d days of the archive (run, serve or worker does it)\n",
			n, int(a.cfg.Alerts.RescreenDays))
	}
	return nil
}

func advertisersList(ctx context.Context, e *env, args []string) error {
	f := newFlags("advertisers list", "advertisers list [--active] [--json]", e, true)
	active := f.Bool("active", false, "only active advertisers")
	if err := f.parse(args); err != nil {
		return err
	}
	a, err := openApp(ctx, e, *f.config, true)
	if err != nil {
		return err
	}
	defer a.Close()
	ads, err := a.db.Advertisers(ctx, *active)
	if err != nil {
		return failed(fmt.Errorf("list advertisers: %w", err))
	}
	if f.wantJSON() {
		for _, ad := range ads {
			if err := jsonLine(e.stdout, ad); err != nil {
				return err
			}
		}
		return nil
	}
	t := newTable(e.stdout, "ID", "NAME", "ALIASES", "ACTIVE", "OWNER")
	for _, ad := range ads {
		t.row(ad.ID, clip(ad.Name, 40), clip(strings.Join(ad.Aliases, " | "), 50), fmt.Sprint(ad.Active), ad.OwnerEmail)
	}
	t.flush()
	return nil
}
