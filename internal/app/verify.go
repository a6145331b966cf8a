package app

import (
	"io"
	"os"

	"github.com/secure-baseline/cdk-baseline/verify"
)

const verifyArgs = "[--assembly cdk.out] [--account NAME] [--profile P] [--format text|markdown|json] [--fail-on warning] (README: Verify a live account)"

// verifyAccount runs `verify` against a live account. verify prints its own
// findings and errors and has exit codes of its own (0 clean, 1 findings,
// 2 cannot check), which Main passes on.
func verifyAccount(stdout io.Writer, args []string) error {
	if code := verify.Main(args, stdout, os.Stderr); code != 0 {
		return exitCode(code)
	}
	return nil
}

// exitCode is a command's exit code when the command has already said why.
type exitCode int

func (e exitCode) Error() string { return "" }
