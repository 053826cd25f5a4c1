package main

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
	"github.com/secex/wizard/web"
	"github.com/secex/wizard/web/probe"
)

// nameList is a repeatable flag.
type nameList []string

func (l *nameList) String() string     { return strings.Join(*l, ",") }
func (l *nameList) Set(s string) error { *l = append(*l, s); return nil }

// runProbe runs one probe against a real endpoint or file and prints each
// check. Exit status: 0 when every check passes, 1 when one fails, 2 for a
// wrong command line or an unreachable target.
func runProbe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := "Usage: wizard probe cert|tls|smtp [flags] TARGET\n       wizard probe -project FILE -server NAME [-ca FILE] [-json]\n\n" +
		"  cert FILE        check a certificate file (PEM or DER, never a private key)\n" +
		"  tls HOST:PORT    check a TLS endpoint: certificate, versions, cipher, plain HTTP, OWA sign-in\n" +
		"  smtp HOST:PORT   check an SMTP server: banner, EHLO, STARTTLS, open relay, listed relay, long HELO\n" +
		"  -project FILE -server NAME   run every probe the project's plan defines for that server\n\n" +
		"Exit status: 0 every check passed, 1 a check failed, 2 a wrong command line or an unreachable target.\n" +
		"See wizard probe KIND -h for each kind's flags."
	if len(args) > 0 && (args[0] == "-project" || strings.HasPrefix(args[0], "-project=")) {
		return runPlanProbes(ctx, args, stdout, stderr)
	}
	if len(args) == 0 || (args[0] != "cert" && args[0] != "tls" && args[0] != "smtp") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Fprintln(stderr, usage)
			return flag.ErrHelp
		}
		return usageError{errors.New("give the kind of probe: cert, tls or smtp; see wizard probe -h")}
	}
	kind := args[0]
	fs := flag.NewFlagSet("wizard probe "+kind, flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON: {target, startedAt, checks:[{id, expected, observed, result, reason}]}")
	var names nameList
	fs.Var(&names, "name", "`host name` the certificate must be valid for (repeatable); for tls and smtp also the name sent as SNI")
	caFile := fs.String("ca", "", "PEM `file` of the CA certificate the chain must end in (default: the system's roots)")
	from := fs.String("from", "", "start of the change window, RFC 3339 `time` (default: now)")
	until := fs.String("until", "", "end of the change window, RFC 3339 `time` (default: now)")
	connect := fs.Duration("connect", 5*time.Second, "timeout for each connection")
	whole := fs.Duration("timeout", 30*time.Second, "timeout for the whole probe")
	chain := fs.String("chain", "", "cert: PEM `file` of the intermediate certificates")
	path := fs.String("path", "", "tls: OWA `path` that must ask for Basic authentication, such as /exchange")
	httpAddr := fs.String("http", "", "tls: plain-HTTP `host:port` that must refuse or redirect to HTTPS")
	helo := fs.String("helo", "probe.invalid", "smtp: the `name` to greet with")
	starttls := fs.Bool("starttls", false, "smtp: the server must offer STARTTLS")
	outFrom := fs.String("outside-from", "probe@outside.invalid", "smtp: outside `sender` of the open-relay attempt")
	outTo := fs.String("outside-to", "probe@elsewhere.invalid", "smtp: outside `recipient` of the open-relay attempt (never sent a message)")
	allowedFrom := fs.String("allowed-from", "", "smtp: listed `address` of this computer for an allowed-relay attempt")
	allowedTo := fs.String("allowed-to", "", "smtp: `recipient` of the allowed-relay attempt")
	longHelo := fs.Bool("long-helo", false, "smtp: an over-long HELO must be refused (Message Screener command limits)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, usage+"\n\nFlags:")
		fs.PrintDefaults()
	}
	rest := args[1:]
	var target string
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		target, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return asUsage(err)
	}
	if target == "" && fs.NArg() == 1 {
		target = fs.Arg(0)
	} else if fs.NArg() > 0 || target == "" {
		return usageError{fmt.Errorf("give one target; see wizard probe %s -h", kind)}
	}
	plan := probe.CertPlan{Names: names}
	var err error
	if plan.From, err = optionalTime(*from); err != nil {
		return usageError{fmt.Errorf("-from: %v", err)}
	}
	if plan.Until, err = optionalTime(*until); err != nil {
		return usageError{fmt.Errorf("-until: %v", err)}
	}
	var caPEM []byte
	if *caFile != "" {
		if caPEM, err = os.ReadFile(*caFile); err != nil {
			return usageError{err}
		}
		cs, err := probe.ParseCertificates(caPEM)
		if err != nil {
			return usageError{fmt.Errorf("-ca %s: %v", *caFile, err)}
		}
		plan.Roots = x509.NewCertPool()
		for _, c := range cs {
			plan.Roots.AddCert(c)
		}
	}
	n := probe.DefaultNetwork()
	n.Connect, n.Whole = *connect, *whole
	var r probe.Report
	switch kind {
	case "cert":
		file, err := os.ReadFile(target)
		if err != nil {
			return usageError{err}
		}
		var chainPEM []byte
		if *chain != "" {
			if chainPEM, err = os.ReadFile(*chain); err != nil {
				return usageError{err}
			}
		}
		r = probe.CheckCertificate(file, chainPEM, caPEM, plan, time.Now())
		r.Target = target
	case "tls":
		if _, _, err := net.SplitHostPort(target); err != nil {
			return usageError{fmt.Errorf("give the target as host:port, such as mail.example.com:443")}
		}
		sni := ""
		if len(names) > 0 {
			sni = names[0]
		} else {
			sni, _, _ = net.SplitHostPort(target)
		}
		r = n.ProbeTLS(ctx, probe.TLSPlan{Addr: target, ServerName: sni, Cert: plan, OWAPath: *path, HTTPAddr: *httpAddr})
	case "smtp":
		if _, _, err := net.SplitHostPort(target); err != nil {
			return usageError{fmt.Errorf("give the target as host:port, such as mx.example.com:25")}
		}
		sp := probe.SMTPPlan{Addr: target, HeloName: *helo, STARTTLS: *starttls, Cert: plan,
			OutsideFrom: *outFrom, OutsideTo: *outTo, AllowedTo: *allowedTo, LongHELORefused: *longHelo}
		if *allowedFrom != "" {
			if sp.AllowedFrom = net.ParseIP(*allowedFrom); sp.AllowedFrom == nil {
				return usageError{fmt.Errorf("-allowed-from %q is not an IP address", *allowedFrom)}
			}
		}
		r = n.ProbeSMTP(ctx, sp)
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(r); err != nil {
			return err
		}
	} else {
		printProbe(stdout, r)
	}
	switch {
	case r.Unreachable():
		return exitError{2}
	case r.Failed():
		return exitError{1}
	}
	return nil
}

func optionalTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, s)
}

func printProbe(w io.Writer, r probe.Report) {
	var failed int
	for _, c := range r.Checks {
		word := strings.ToUpper(string(c.Result))
		if c.Result == probe.Fail {
			failed++
		}
		fmt.Fprintf(w, "%-4s  %-24s expected %s; observed %s\n", word, c.ID, c.Expected, orDash(c.Observed))
		if c.Reason != "" {
			fmt.Fprintf(w, "      %s\n", c.Reason)
		}
	}
	if failed == 0 {
		fmt.Fprintf(w, "%s: every check passed (%d checks).\n", r.Target, len(r.Checks))
	} else {
		fmt.Fprintf(w, "%s: %s of %d failed.\n", r.Target, count(failed, "check", "checks"), len(r.Checks))
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// runPlanProbes runs every probe the plan of a project file defines for
// one server, with the change window of its ticket.
func runPlanProbes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard probe -project", flag.ContinueOnError)
	fs.SetOutput(stderr)
	file := fs.String("project", "", "project `file` whose plan defines the probes")
	server := fs.String("server", "", "the server's NetBIOS `name`, as the plan's steps name it")
	caFile := fs.String("ca", "", "PEM `file` of the project's CA certificate (default: the system's roots)")
	asJSON := fs.Bool("json", false, "print the reports as a JSON array")
	certFile := fs.String("cert", "", "certificate `file` (PEM or DER) for the plan's certificate checks of that server")
	connect := fs.Duration("connect", 5*time.Second, "timeout for each connection")
	whole := fs.Duration("timeout", 30*time.Second, "timeout for each probe")
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if *file == "" || *server == "" || fs.NArg() > 0 {
		return usageError{errors.New("give -project FILE and -server NAME; see wizard probe -h")}
	}
	f, err := os.Open(*file)
	if err != nil {
		return usageError{err}
	}
	p, problems := projectfile.Decode(f, catalog.All)
	f.Close()
	if len(problems) > 0 {
		for _, pr := range problems {
			fmt.Fprintf(stderr, "%s: %s: %s\n", *file, pr.Field, pr.Message)
		}
		return usageError{fmt.Errorf("%d problems in the project file; run wizard check %s", len(problems), *file)}
	}
	rd, err := web.Render(catalog.All, product, version, p)
	if err != nil {
		return err
	}
	var roots *x509.CertPool
	if *caFile != "" {
		b, err := os.ReadFile(*caFile)
		if err != nil {
			return usageError{err}
		}
		cs, err := probe.ParseCertificates(b)
		if err != nil {
			return usageError{fmt.Errorf("-ca %s: %v", *caFile, err)}
		}
		roots = x509.NewCertPool()
		for _, c := range cs {
			roots.AddCert(c)
		}
	}
	var cert []byte
	if *certFile != "" {
		if cert, err = os.ReadFile(*certFile); err != nil {
			return usageError{err}
		}
	}
	var from, until time.Time
	if p.Ticket != nil {
		from, until, _ = p.Ticket.Window()
	}
	n := probe.DefaultNetwork()
	n.Connect, n.Whole = *connect, *whole
	var reports []probe.Report
	for _, a := range rd.Out.Actions {
		if a.Probe == nil || !strings.EqualFold(a.Target, *server) {
			continue
		}
		var r probe.Report
		if a.Probe.Kind == steps.ProbeCert {
			r = probe.CheckFile(*a.Probe, cert, roots, from, until, time.Now())
		} else {
			r = n.Run(ctx, *a.Probe, roots, from, until)
		}
		r.Target = a.Key() + " " + r.Target
		reports = append(reports, r)
	}
	if len(reports) == 0 {
		return usageError{fmt.Errorf("the plan defines no probe for %s; the servers with probes are the ones whose verify steps test an endpoint (ISA Servers publishing OWA or SMTP)", *server)}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reports); err != nil {
			return err
		}
	} else {
		for _, r := range reports {
			printProbe(stdout, r)
		}
	}
	status := 0
	for _, r := range reports {
		switch {
		case r.Unreachable():
			status = 2
		case r.Failed() && status == 0:
			status = 1
		}
	}
	if status != 0 {
		return exitError{status}
	}
	return nil
}
