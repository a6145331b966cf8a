// Package app is the application layer of cdk-baseline: the commands a user
// runs (synthesis, summary, config, review, diagram), their flags, and the
// file-system plumbing around them (the synthesis staging directory, the
// publication of a finished cloud assembly, atomic writes). The layers below
// it hold no flags and write no files of their own: config loads and
// validates, stacks composes, constructs build, report reads and renders.
package app

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report"
)

// Command is one command of the app: `go run . <Name> <Args>`.
type Command struct {
	Name string
	// Args is the usage of the command's arguments, e.g. "[cdk.out]".
	Args string
	// Run runs the command; what it prints goes to stdout. A returned
	// error is printed by Main and makes the exit code 1.
	Run func(stdout io.Writer, args []string) error
}

// Usage is the command's usage line, without "go run .".
func (c Command) Usage() string { return strings.TrimSpace(c.Name + " " + c.Args) }

// Commands are the app's commands, in the order the usage lists them. A new
// command is one entry here and a function (in its own file of this package)
// that parses its flags and calls the package that does the work. None of
// them starts the CDK: only running the app without a command (synth.go)
// does.
var Commands = []Command{
	{"summary", "[cdk.out]", summary},
	{"config", "[baseline.yaml]", showConfig},
	{"review", reviewArgs, review},
	{"diagram", diagramArgs, drawDiagram},
	{"pr-comment", prCommentArgs, prComment},
	{"verify", verifyArgs, verifyAccount},
}

// Main runs the app with the process's arguments (without the program
// name) and returns its exit code: with no arguments it synthesizes the
// cloud assembly, as the CDK CLI expects; otherwise args[0] names a command.
func Main(args []string, stdout, stderr io.Writer) int {
	usePinnedNode()
	if len(args) == 0 {
		return synth(stderr)
	}
	if err := Run(stdout, args[0], args[1:]); err != nil {
		var code exitCode
		if errors.As(err, &code) {
			return int(code) // the command printed why
		}
		printError(stderr, err)
		// A review that found what the pipeline fails on (review
		// --fail-on, pr-comment) exits 3, so that CI tells it from a
		// command that could not run (1).
		var policy *report.PolicyFailure
		if errors.As(err, &policy) {
			return policy.ExitCode()
		}
		return 1
	}
	return 0
}

// Run runs the command name with its arguments.
func Run(stdout io.Writer, name string, args []string) error {
	for _, c := range Commands {
		if c.Name == name {
			return c.Run(stdout, args)
		}
	}
	usages := make([]string, len(Commands))
	for i, c := range Commands {
		usages[i] = c.Usage()
	}
	return fmt.Errorf("unknown command %q; the commands are %s and %s", name,
		strings.Join(usages[:len(usages)-1], ", "), usages[len(usages)-1])
}

// printError prints an error for a person: a config's problems one a line,
// anything else on one line after "error:".
func printError(w io.Writer, err error) {
	// Every YAML file (the config, an assumptions file) reports its
	// problems as strictyaml.Errors, config.Errors by another name.
	var errs config.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		fmt.Fprintf(w, "error: %s has %d problem(s):\n%s\n", errs[0].Source, len(errs), errs)
		return
	}
	fmt.Fprintln(w, "error:", err)
}

// usePinnedNode makes the CDK's Node child process use the Node that
// package.json pins (node_modules/.bin/node, installed by make), when it is
// there and JSII_NODE does not name another: the machine's own Node may be
// older and end-of-life.
func usePinnedNode() {
	if os.Getenv("JSII_NODE") != "" {
		return
	}
	if node, err := filepath.Abs(filepath.Join("node_modules", ".bin", "node")); err == nil {
		if _, err := os.Stat(node); err == nil {
			os.Setenv("JSII_NODE", node)
			os.Setenv("PATH", filepath.Dir(node)+string(os.PathListSeparator)+os.Getenv("PATH"))
		}
	}
}
