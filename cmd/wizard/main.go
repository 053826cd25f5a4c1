// Command wizard serves the guided configuration wizard for "Securing
// Exchange Communications" and runs its command-line tasks.
//
// Usage:
//
//	wizard [flags]              serve the wizard (see -h)
//	wizard procedures [-json]   print the procedure catalogue
//	wizard export -project ID   write a project file
//	wizard import -owner NAME F create a project from a project file
//	wizard render -out DIR F    runbooks and bundles of a project file
//	wizard check [-json] F      every finding of a project file
//	wizard migrate F            a current-platform copy of a guide project
//	wizard probe KIND TARGET    test a certificate, TLS or SMTP endpoint
//	wizard backup FILE          copy the database while serving
//	wizard restore FILE         make a backup the database
package main

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web"
	"github.com/secex/wizard/web/pdf"
	"github.com/secex/wizard/web/probe"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// product is the name printed on every page and generated file.
const product = "Exchange Communications Wizard"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	var usage usageError
	var exit exitError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
	case errors.As(err, &exit):
		os.Exit(exit.status)
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "wizard:", err)
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "wizard:", err)
		os.Exit(1)
	}
}

// usageError is a mistake in the command line: the exit status is 2, as
// for the flag package's own errors, rather than 1 for a failure at run
// time.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// asUsage marks err as a command-line mistake, except a request for help.
func asUsage(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err}
}

// run is the whole program; main only supplies the process's context,
// arguments, environment and output streams, so tests can call it directly.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "procedures":
			return runProcedures(args[1:], stdout, stderr)
		case "export":
			return runExport(ctx, args[1:], getenv, stdout, stderr)
		case "import":
			return runImport(ctx, args[1:], getenv, stdout, stderr)
		case "render":
			return runRender(ctx, args[1:], getenv, stdout, stderr)
		case "check":
			return runCheck(args[1:], stdout, stderr)
		case "migrate":
			return runMigrate(args[1:], stdout, stderr)
		case "probe":
			return runProbe(ctx, args[1:], stdout, stderr)
		case "backup":
			return runBackup(ctx, args[1:], getenv, stdout, stderr)
		case "restore":
			return runRestore(ctx, args[1:], getenv, stdout, stderr)
		case "move":
			return runMove(ctx, args[1:], getenv, stdout, stderr)
		case "serve":
			args = args[1:]
		}
	}
	return runServe(ctx, args, getenv, stdout, stderr)
}

func runProcedures(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard procedures", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the catalogue as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard procedures [-json]\n\nPrints the procedures the wizard walks through, in the guide's order:\nID, title and the section of the guide each one implements.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if *asJSON {
		type entry struct {
			ID       string   `json:"id"`
			Title    string   `json:"title"`
			Section  string   `json:"section"`
			Requires []string `json:"requires"`
		}
		var out []entry
		for _, s := range catalog.All {
			out = append(out, entry{s.ID, s.Title, s.Section, append([]string{}, s.Requires...)})
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	for i, s := range catalog.All {
		fmt.Fprintf(stdout, "%2d  %-28s  %s  [%s]\n", i+1, s.ID, s.Title, s.Section)
	}
	return nil
}

// config is the server's configuration after flags and environment.
type config struct {
	addr, data          string
	database            string // a postgres:// URL; "" for wizard.db in data
	tlsCert, tlsKey     string
	trustedProxy        bool
	idle, absolute      time.Duration
	logFormat, logLevel string
	chromium            string
	probeVia            map[string]string // probe address to the address dialled
}

func defaultDataDir(getenv func(string) string) string {
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "exchange-wizard")
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".local", "share", "exchange-wizard")
	}
	return "wizard-data"
}

func parseServeFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("wizard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var c config
	fs.StringVar(&c.addr, "addr", env("WIZARD_ADDR", "127.0.0.1:8080"), "`address` to listen on (env WIZARD_ADDR); plain HTTP only on a loopback address")
	fs.StringVar(&c.data, "data", env("WIZARD_DATA", defaultDataDir(getenv)), "data `directory` holding wizard.db (env WIZARD_DATA); created on first start")
	fs.StringVar(&c.database, "database", env("WIZARD_DATABASE", ""), "a postgres:// `URL`, to run several wizards on one PostgreSQL behind a load balancer (env WIZARD_DATABASE); without it, wizard.db in the data directory. "+
		"Put the password in PGPASSWORD or ~/.pgpass rather than the URL, which shows in process lists")
	fs.StringVar(&c.tlsCert, "tls-cert", env("WIZARD_TLS_CERT", ""), "TLS certificate `file` (PEM, env WIZARD_TLS_CERT); needed to listen on a non-loopback address")
	fs.StringVar(&c.tlsKey, "tls-key", env("WIZARD_TLS_KEY", ""), "TLS private key `file` (PEM, env WIZARD_TLS_KEY)")
	fs.BoolVar(&c.trustedProxy, "trusted-proxy", env("WIZARD_TRUSTED_PROXY", "") == "true", "serve plain HTTP on a non-loopback address because a reverse proxy in front terminates TLS (env WIZARD_TRUSTED_PROXY=true); cookies are then marked Secure")
	fs.DurationVar(&c.idle, "session-idle", durationEnv(getenv, "WIZARD_SESSION_IDLE", 30*time.Minute), "sign a user out after this long without a request (env WIZARD_SESSION_IDLE)")
	fs.DurationVar(&c.absolute, "session-max", durationEnv(getenv, "WIZARD_SESSION_MAX", 9*time.Hour), "sign a user out this long after signing in, active or not (env WIZARD_SESSION_MAX)")
	fs.StringVar(&c.chromium, "chromium", env("WIZARD_CHROMIUM", ""), "Chromium `binary` for downloading runbooks as PDF (env WIZARD_CHROMIUM); without it runbooks are printed from the browser")
	probeVia := fs.String("probe-via", env("WIZARD_PROBE_VIA", ""), "reach the addresses the plans' probes name through other `host:port=host:port,...` pairs (env WIZARD_PROBE_VIA), such as an SSH port forward from a computer outside: 203.0.113.20:443=127.0.0.1:8443")
	fs.StringVar(&c.logFormat, "log-format", env("WIZARD_LOG_FORMAT", "text"), "log `format` on standard error: text or json (env WIZARD_LOG_FORMAT)")
	fs.StringVar(&c.logLevel, "log-level", env("WIZARD_LOG_LEVEL", "info"), "log `level`: debug, info, warn or error (env WIZARD_LOG_LEVEL)")
	fs.Usage = func() {
		fmt.Fprint(stderr, `Usage: wizard [flags]
       wizard procedures [-json]
       wizard export -project ID [-out FILE] [-data DIR | -database URL]
       wizard import -owner NAME [-data DIR | -database URL] FILE
       wizard render -out DIR PROJECT.json
       wizard check [-json] PROJECT.json
       wizard migrate [-os OS] [-exchange PRODUCT-UPDATE] [-out FILE] GUIDE.json
       wizard probe cert|tls|smtp [flags] TARGET
       wizard backup [-data DIR | -database URL] FILE
       wizard restore [-data DIR | -database URL] FILE
       wizard move -from DATABASE -to DATABASE [-project ID [-by NAME]]

Serves the guided configuration wizard for "Securing Exchange Communications".
On first start it creates the database in the data directory and prints a
one-time link for creating the first administrator.

Flags:
`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q; see wizard -h", fs.Arg(0))
	}
	if *probeVia != "" {
		c.probeVia = map[string]string{}
		for _, pair := range strings.Split(*probeVia, ",") {
			from, to, ok := strings.Cut(strings.TrimSpace(pair), "=")
			_, _, e1 := net.SplitHostPort(from)
			_, _, e2 := net.SplitHostPort(to)
			if !ok || e1 != nil || e2 != nil {
				return c, fmt.Errorf("-probe-via: %q is not host:port=host:port", pair)
			}
			c.probeVia[from] = to
		}
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return c, errors.New("give both -tls-cert and -tls-key, or neither")
	}
	if c.idle <= 0 || c.absolute <= 0 || c.idle > c.absolute {
		return c, errors.New("-session-idle and -session-max must be positive, and idle no longer than max")
	}
	if c.tlsCert == "" && !c.trustedProxy && !isLoopback(c.addr) {
		return c, fmt.Errorf("refusing to serve plain HTTP on %s: passwords and session cookies would cross the network in clear text.\n"+
			"Give a certificate and key with -tls-cert FILE -tls-key FILE, or, if a reverse proxy in front of the wizard terminates TLS, start with -trusted-proxy", c.addr)
	}
	return c, nil
}

func durationEnv(getenv func(string) string, name string, def time.Duration) time.Duration {
	if v := getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

// isLoopback reports whether addr (host:port) listens only on this machine.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func newLogger(c config, stderr io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(stderr, opts)), nil
	}
	return nil, fmt.Errorf("-log-format must be text or json, not %q", c.logFormat)
}

func runServe(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	c, err := parseServeFlags(args, getenv, stderr)
	if err != nil {
		return asUsage(err)
	}
	log, err := newLogger(c, stderr)
	if err != nil {
		return err
	}
	database := c.database
	if database == "" {
		database = filepath.Join(c.data, "wizard.db")
	} else if !store.IsPostgres(database) {
		return usageError{fmt.Errorf("-database must be a postgres:// or postgresql:// URL; an SQLite file goes in -data")}
	}
	st, err := store.Open(ctx, database)
	if err != nil {
		return err
	}
	defer st.Close()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	secure := c.trustedProxy
	if c.tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(c.tlsCert, c.tlsKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("loading the TLS certificate: %w", err)
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
		scheme, secure = "https", true
	}
	base := scheme + "://" + displayAddr(ln.Addr().String())

	var printer web.PDFPrinter
	if c.chromium != "" {
		p, err := pdf.New(c.chromium)
		if err != nil {
			ln.Close()
			return fmt.Errorf("-chromium: %w", err)
		}
		printer = p
	}
	probes := probe.DefaultNetwork()
	if c.probeVia != nil {
		probes.Route = func(addr string) string {
			if to, ok := c.probeVia[addr]; ok {
				return to
			}
			return addr
		}
	}
	srv := web.NewServer(web.Config{
		Product:         product,
		Version:         version,
		Secure:          secure,
		IdleTimeout:     c.idle,
		AbsoluteTimeout: c.absolute,
		PDF:             printer,
		Probes:          &probes,
		Counterparts:    catalog.Counterparts,
	}, st, catalog.All, log)
	// Until ctx ends, that is, until shutdown: the streams are closed by
	// then, and the listener goes with them.
	if err := srv.ListenReplicas(ctx); err != nil {
		ln.Close()
		return fmt.Errorf("listening for the other replicas' live updates: %w", err)
	}
	if link, err := srv.SetupLink(ctx, base); err != nil {
		ln.Close()
		return err
	} else if link != "" {
		fmt.Fprintf(stdout, "No administrator exists yet. Open this one-time link within one hour to create one:\n  %s\n", link)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	hs.RegisterOnShutdown(srv.CloseStreams)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	fmt.Fprintf(stdout, "listening on %s\n", base)
	log.Info("serving", "url", base, "database", describe(database))

	go srv.CleanSessions(ctx, 10*time.Minute)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return err
	}
	return nil
}

// displayAddr makes a listen address usable in a link: an unspecified host
// becomes loopback.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return host + ":" + port
}
