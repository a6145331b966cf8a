package app

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/report/diagram"
)

// optionalArg is the one optional positional argument of a command, or def.
func optionalArg(name, usage string, args []string, def string) (string, error) {
	switch len(args) {
	case 0:
		return def, nil
	case 1:
		return args[0], nil
	default:
		return "", fmt.Errorf("%s: unexpected argument %q; usage: %s %s", name, args[1], name, usage)
	}
}

// summary runs `summary [cdk.out]`: the stacks of an assembly with their
// resource counts.
func summary(stdout io.Writer, args []string) error {
	dir, err := optionalArg("summary", "[cdk.out]", args, "cdk.out")
	if err != nil {
		return err
	}
	asm, err := assembly.Read(dir)
	if err != nil {
		return err
	}
	return report.Summary(stdout, asm)
}

// showConfig runs `config [baseline.yaml]`: every account's effective
// settings, defaults included, of a config file or the embedded example.
func showConfig(stdout io.Writer, args []string) error {
	path, err := optionalArg("config", "[baseline.yaml]", args, "")
	if err != nil {
		return err
	}
	cfg, err := loadConfigFile(path)
	if err != nil {
		return err
	}
	out, err := cfg.Effective()
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

const reviewArgs = "[--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml] [--format markdown|json] [--fail-on not-covered,opt-out,replacement]"

// review runs `review`: it reviews an assembly and writes
// <assembly>/REVIEW.md; with --format json it also prints the review as
// JSON (report.ReviewJSON). Bad flags, a missing or foreign assembly, a bad
// assumptions file: an error, and nothing is written. When the review holds
// what --fail-on names, it returns a *report.PolicyFailure after writing
// (exit 3).
func review(stdout io.Writer, args []string) error {
	usage := "review " + reviewArgs
	fl := flag.NewFlagSet("review", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	dir := fl.String("assembly", "cdk.out", "")
	previous := fl.String("previous", "", "")
	assumptions := fl.String("assumptions", "", "")
	format := fl.String("format", "markdown", "")
	failOnList := fl.String("fail-on", "", "")
	if help, err := parseFlags(stdout, fl, usage, args); help || err != nil {
		return err
	}
	if *format != "markdown" && *format != "json" {
		return fmt.Errorf("review: --format %q is not a format; use markdown or json", *format)
	}
	failOn, err := report.ParseFailOn(*failOnList)
	if err != nil {
		return err
	}
	if failOn.Replacement && *previous == "" {
		// Without a previous assembly there is nothing to compare, and a
		// pipeline that forgot --previous would pass silently.
		return fmt.Errorf("review: --fail-on replacement needs --previous <the cdk.out of the base branch>")
	}
	asm, err := readBaseline(*dir)
	if err != nil {
		return err
	}
	var prev *assembly.Assembly
	if *previous != "" {
		if filepath.Clean(*previous) == filepath.Clean(*dir) {
			return fmt.Errorf("review: --previous %s is the assembly under review; pass the earlier cdk.out", *previous)
		}
		if prev, err = readBaseline(*previous); err != nil {
			return fmt.Errorf("previous assembly: %w", err)
		}
	}
	a := report.DefaultAssumptions()
	if *assumptions != "" {
		if a, err = report.LoadAssumptions(*assumptions); err != nil {
			return err
		}
	}
	r, err := report.BuildReview(asm, prev, a)
	if err != nil {
		return err
	}
	out := r.Markdown()
	path := filepath.Join(*dir, "REVIEW.md")
	if err := writeAtomic(path, out); err != nil {
		return fmt.Errorf("review: %w", err)
	}
	if *format == "json" {
		data, err := r.MarshalJSONReport()
		if err != nil {
			return fmt.Errorf("review: %w", err)
		}
		if _, err := stdout.Write(data); err != nil {
			return err
		}
	} else {
		c := r.Counts()
		if _, err := fmt.Fprintf(stdout, "wrote %s (%d bytes, %d lines): %d PASS, %d OPT-OUT, %d NOT COVERED\n",
			path, len(out), bytes.Count(out, []byte("\n")), c[report.Pass], c[report.OptOut], c[report.NotCovered]); err != nil {
			return err
		}
	}
	if reasons := r.Failures(failOn); len(reasons) > 0 {
		return &report.PolicyFailure{Reasons: reasons}
	}
	return nil
}

const diagramArgs = "[--account NAME] [--readme README.md] [cdk.out]"

// drawDiagram runs `diagram`: it prints the diagram block, or with --readme
// rewrites the block between the diagram markers of that file.
func drawDiagram(stdout io.Writer, args []string) error {
	usage := "diagram " + diagramArgs
	fl := flag.NewFlagSet("diagram", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	account := fl.String("account", "", "")
	readme := fl.String("readme", "", "")
	if err := fl.Parse(args); err != nil {
		return fmt.Errorf("diagram: %v; usage: %s", err, usage)
	}
	if fl.NArg() > 1 {
		return fmt.Errorf("diagram: unexpected argument %q; usage: %s", fl.Arg(1), usage)
	}
	dir := "cdk.out"
	if fl.NArg() == 1 {
		dir = fl.Arg(0)
	}
	asm, err := readBaseline(dir)
	if err != nil {
		return err
	}
	block, err := diagram.Draw(asm, *account)
	if err != nil {
		return err
	}
	if *readme == "" {
		_, err := io.WriteString(stdout, block)
		return err
	}
	text, err := os.ReadFile(*readme)
	if err != nil {
		return fmt.Errorf("diagram: %w", err)
	}
	updated, err := diagram.Replace(string(text), block)
	if err != nil {
		return fmt.Errorf("%s: %w", *readme, err)
	}
	if updated == string(text) {
		_, err := fmt.Fprintf(stdout, "%s: the diagram is up to date\n", *readme)
		return err
	}
	if err := writeAtomic(*readme, []byte(updated)); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s: diagram rewritten\n", *readme)
	return err
}

// readBaseline reads an assembly that this app synthesized.
func readBaseline(dir string) (*assembly.Assembly, error) {
	asm, err := assembly.Read(dir)
	if err != nil {
		return nil, err
	}
	if err := assembly.CheckBaseline(asm); err != nil {
		return nil, err
	}
	return asm, nil
}

// parseFlags parses the flags of a command that takes no other arguments.
// With -h it prints the usage and says help; a bad flag or a stray
// argument is an error that names the command and shows its usage.
func parseFlags(stdout io.Writer, fl *flag.FlagSet, usage string, args []string) (help bool, err error) {
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := fmt.Fprintln(stdout, "usage: go run . "+usage)
			return true, err
		}
		return false, fmt.Errorf("%s: %v; usage: %s", fl.Name(), err, usage)
	}
	if fl.NArg() > 0 {
		return false, fmt.Errorf("%s: unexpected argument %q; usage: %s", fl.Name(), fl.Arg(0), usage)
	}
	return false, nil
}
