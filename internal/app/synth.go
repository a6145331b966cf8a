package app

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// synth builds the app into a staging directory and publishes it to the
// output directory only when everything succeeded, so that a failed synth
// leaves no half-written templates behind. It returns the exit code.
func synth(stderr io.Writer) (code int) {
	// jsii.Close() is not called: the Node child exits when this process closes its pipe, and Close races its own reaper (it prints "waitid: no child processes").
	outdir := os.Getenv("CDK_OUTDIR")
	if outdir == "" {
		outdir = "cdk.out"
	}
	staging, err := os.MkdirTemp("", "cdk-baseline-synth-")
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 1
	}
	defer os.RemoveAll(staging)
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintln(stderr, "error:", FailedSynth(r, staging, outdir))
			code = 1
		}
	}()

	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(staging)})
	cfg, err := loadConfig(app)
	if err != nil {
		printError(stderr, err)
		return 1
	}
	stacks.Build(app, cfg)
	app.Synth(nil)

	if err := Publish(staging, outdir); err != nil {
		printError(stderr, err)
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
