package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	// The change window is printed with its UTC offset; with the zone
	// database built in, that does not depend on the host's files.
	_ "time/tzdata"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
	"github.com/secex/wizard/web"
)

func runRender(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard render", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "`directory` to write the runbooks and bundles to (created if missing)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard render -out DIR PROJECT.json\n\nWrites the runbook (runbook.md, runbook.html) and every bundle of a project file,\nwithout a server or a database. The files are byte for byte the downloads the\nweb gives for the same project revision.")
		fs.PrintDefaults()
	}
	// Accept the file before or after the flags.
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 {
		return usageError{errors.New("give one project file; see wizard render -h")}
	}
	if file == "" || *out == "" {
		return usageError{errors.New("give a project file and -out DIR; see wizard render -h")}
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	// The file is checked as an import checks it; the procedures'
	// cross-checks run once, as part of the render.
	p, problems := projectfile.DecodeUnchecked(f, catalog.All)
	var rd *web.Rendered
	if len(problems) == 0 {
		var err error
		rd, err = web.Render(catalog.All, product, version, p)
		var out steps.Output
		if rd != nil {
			out = rd.Out
		}
		problems = projectfile.CrossCheck(p, out, err)
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			if pr.Field != "" {
				fmt.Fprintf(stderr, "%s: %s: %s\n", file, pr.Field, pr.Message)
			} else {
				fmt.Fprintf(stderr, "%s: %s\n", file, pr.Message)
			}
		}
		return fmt.Errorf("%d problems; nothing was rendered", len(problems))
	}
	if rd.Doc == nil {
		return errors.New("nothing to render: no procedure is completed in the file")
	}
	files, err := rd.Files()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(*out, n), files[n], 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stdout, filepath.Join(*out, n))
	}
	return nil
}
