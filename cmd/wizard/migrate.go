package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
)

// runMigrate makes a current-platform project file from a guide-platform
// one: each server mapped to its current role (or retired), and a report of
// what each guide procedure becomes, with the old project's status.
func runMigrate(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	osName := fs.String("os", string(steps.OSWindows2022), "`OS` of the new servers: ws2019, ws2022 or ws2025")
	exchange := fs.String("exchange", "2019-CU15", "Exchange `product-update` of the new Mailbox and Edge servers, such as 2019-CU15 or SE-RTM")
	out := fs.String("out", "", "write the new project file to `FILE` instead of standard output (the report then goes to standard output)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard migrate [-os OS] [-exchange PRODUCT-UPDATE] [-out FILE] GUIDE.json\n\nMakes a project file for the current platform (Exchange Server 2019 or SE on\nWindows Server 2019-2025) from a project of the guide's platform: the same\norganisation and names, each server with the counterparts of its roles (a\nback-end becomes a Mailbox server, ISA Server the reverse proxy, an SMTP\ngateway an Edge Transport server) or retired, and a report of what each of the\nguide's procedures becomes, with its status in the old project. The answers\nare not carried over: the current platform's procedures ask their own.")
		fs.PrintDefaults()
	}
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 || file == "" {
		return usageError{errors.New("give one project file of the guide's platform; see wizard migrate -h")}
	}
	var to steps.MigrationTarget
	var err error
	if to.OS, err = steps.ParseOSFor(steps.PlatformCurrent, *osName); err != nil {
		return usageError{fmt.Errorf("-os: %w", err)}
	}
	v, cu, _ := strings.Cut(*exchange, "-")
	if to.Exchange.Version, err = steps.ParseExchangeVersion(v); err != nil {
		return usageError{fmt.Errorf("-exchange: %w", err)}
	}
	if to.Exchange.CU, err = steps.ParseExchangeCU(to.Exchange.Version, cu); err != nil {
		return usageError{fmt.Errorf("-exchange: %w", err)}
	}
	f, err := os.Open(file)
	if err != nil {
		return usageError{err}
	}
	old, problems := projectfile.DecodeUnchecked(f, catalog.All)
	f.Close()
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stderr, "%s: %s: %s\n", file, p.Field, p.Message)
		}
		return usageError{fmt.Errorf("%d problems in %s; run wizard check %s", len(problems), file, file)}
	}
	if old.Topology.Facts.Platform != steps.PlatformGuide {
		return usageError{fmt.Errorf("%s already plans for the current platform", file)}
	}
	topo, moves := steps.MigrateTopology(old.Topology, to)
	p := projectfile.Project{Name: old.Name + " (current platform)", Topology: topo, Answers: map[string]steps.Answers{}, Ticket: old.Ticket}
	body, err := projectfile.Encode(p, catalog.All)
	if err != nil {
		return err
	}
	report := stderr
	if *out != "" {
		if err := os.WriteFile(*out, body, 0o600); err != nil {
			return err
		}
		report = stdout
	} else if _, err := stdout.Write(body); err != nil {
		return err
	}
	printMigration(report, old, moves)
	return nil
}

func printMigration(w io.Writer, old projectfile.Project, moves []steps.ServerMove) {
	fmt.Fprintln(w, "Servers:")
	for _, m := range moves {
		var now []string
		for _, r := range m.Roles {
			now = append(now, r.Label())
		}
		if len(now) == 0 {
			fmt.Fprintf(w, "  %s: retired (%s)\n", m.Server, strings.Join(m.Why, "; "))
			continue
		}
		line := fmt.Sprintf("  %s: %s", m.Server, strings.Join(now, ", "))
		if len(m.Why) > 0 {
			line += " (" + strings.Join(m.Why, "; ") + ")"
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintln(w, "Procedures of the guide:")
	for _, c := range catalog.Counterparts {
		g, _ := catalog.Lookup(c.Guide)
		status := "not completed in the old project"
		if old.Complete(c.Guide) {
			status = "completed in the old project"
		}
		var plan []string
		for _, id := range c.Current {
			s, _ := catalog.Lookup(id)
			plan = append(plan, s.Title)
		}
		to := "retired"
		if len(plan) > 0 {
			to = "plan " + strings.Join(plan, "; ")
		}
		fmt.Fprintf(w, "  %s (%s): %s\n", g.Title, status, to)
	}
}
