// Command cdk-baseline is a CDK app: it reads the baseline config and
// synthesizes one CloudFormation stack per account and region. The CDK CLI
// runs it without arguments; with a command name it runs that command
// instead (internal/app lists them).
//
//	npx cdk synth -c config=baseline.yaml   # synthesize (the CDK CLI runs this program)
//	go run . summary [cdk.out]              # stacks and resource counts of a synthesized assembly
//	go run . config [baseline.yaml]         # every account's effective settings, defaults included
//	go run . review [--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml]
//	                [--format markdown|json] [--fail-on not-covered,opt-out,replacement]
//	                                        # the reviewer's report, written to <assembly>/REVIEW.md
//	                                        # (json: also printed on stdout); exit 3 when --fail-on matches
//	go run . pr-comment --review head.json [--previous base.json] [--allow-replacement]
//	                                        # the CI pull-request comment (examples/ci); exit 3 when blocked
//	go run . diagram [--account NAME] [--readme README.md] [cdk.out]
//	                                        # the architecture diagram (Mermaid) of one account
//	go run . verify [--assembly cdk.out] [--account NAME] [--profile NAME] [--format text|markdown|json]
//	                                        # check a live account against the assembly (verify/)
package main

import (
	"os"

	"github.com/secure-baseline/cdk-baseline/internal/app"
)

func main() {
	os.Exit(app.Main(os.Args[1:], os.Stdout, os.Stderr))
}
