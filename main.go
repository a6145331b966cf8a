// Command cdk-baseline is a CDK app: it reads the baseline config and
// synthesizes one CloudFormation stack per account and region.
//
//	npx cdk synth -c config=baseline.yaml   # synthesize (the CDK CLI runs this program)
//	go run . summary [cdk.out]              # stacks and resource counts of a synthesized assembly
//	go run . config [baseline.yaml]         # every account's effective settings, defaults included
//	go run . review [--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml]
//	                                        # the reviewer's report, written to <assembly>/REVIEW.md
//	go run . diagram [--account NAME] [--readme README.md] [cdk.out]
//	                                        # the architecture diagram (Mermaid) of one account
//	go run . verify [--assembly cdk.out] [--account NAME] [--profile NAME] [--format text|markdown|json]
//	                                        # check a live account against the assembly (verify/)
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/stacks"
	"github.com/secure-baseline/cdk-baseline/verify"
)

func main() {
	usePinnedNode()
	if len(os.Args) > 1 {
		os.Exit(command(os.Args[1], os.Args[2:]))
	}
	os.Exit(synth())
}

// command runs one of the helper commands that read a config or an
// assembly; none of them starts the CDK.
func command(name string, args []string) int {
	if name == "verify" { // its own exit codes: 0 clean, 1 findings, 2 cannot check
		return verify.Main(args, os.Stdout, os.Stderr)
	}
	arg := func(def string) string {
		if len(args) > 0 {
			return args[0]
		}
		return def
	}
	var err error
	switch name {
	case "summary":
		err = report.PrintSummary(os.Stdout, arg("cdk.out"))
	case "config":
		var cfg *config.Config
		if cfg, err = loadConfigFile(arg("")); err == nil {
			var out []byte
			if out, err = cfg.Effective(); err == nil {
				_, err = os.Stdout.Write(out)
			}
		}
	case "review":
		err = report.ReviewCommand(os.Stdout, args)
	case "diagram":
		err = report.DiagramCommand(os.Stdout, args)
	default:
		err = fmt.Errorf("unknown command %q; the commands are summary [cdk.out], config [baseline.yaml], review [--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml] diagram [--account NAME] [--readme README.md] [cdk.out] and verify [--assembly cdk.out] [--account NAME] (see README)", name)
	}
	if err != nil {
		printError(err)
		return 1
	}
	return 0
}

func printError(err error) {
	var errs config.Errors
	if errors.As(err, &errs) {
		fmt.Fprintf(os.Stderr, "error: the config has %d problem(s):\n%s\n", len(errs), errs)
		return
	}
	fmt.Fprintln(os.Stderr, "error:", err)
}

// synth builds the app into a staging directory and publishes it to the
// output directory only when everything succeeded, so that a failed synth
// leaves no half-written templates behind.
func synth() (code int) {
	// jsii.Close() is not called: the Node child exits when this process closes its pipe, and Close races its own reaper (it prints "waitid: no child processes").
	outdir := os.Getenv("CDK_OUTDIR")
	if outdir == "" {
		outdir = "cdk.out"
	}
	staging, err := os.MkdirTemp("", "cdk-baseline-synth-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	defer os.RemoveAll(staging)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(os.Stderr, "error:", stacks.FailedSynth(r, staging, outdir))
			code = 1
		}
	}()

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(staging)})
	cfg, err := loadConfig(app)
	if err != nil {
		printError(err)
		return 1
	}
	stacks.Build(app, cfg)
	app.Synth(nil)

	if err := stacks.Publish(staging, outdir); err != nil {
		printError(err)
		return 1
	}
	return 0
}

// loadConfig reads the file named by the CDK context key "config", or the
// embedded example when none is given.
func loadConfig(app awscdk.App) (*config.Config, error) {
	switch path := app.Node().TryGetContext(jsii.String("config")).(type) {
	case nil:
		return loadConfigFile("")
	case string:
		if path == "" {
			return nil, errors.New("context config is empty; pass -c config=<path to your baseline.yaml>")
		}
		return loadConfigFile(path)
	default:
		return nil, fmt.Errorf("context config must be a file path, got %v; pass -c config=<path>", path)
	}
}

func loadConfigFile(path string) (*config.Config, error) {
	if path == "" {
		return config.Example(), nil
	}
	return config.Load(path)
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
		}
	}
}
