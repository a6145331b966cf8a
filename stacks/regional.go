package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessanalyzer"
)

// addRegionalServices adds what every region of an account holds.
func addRegionalServices(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string) {
	accessanalyzer.New(stack, "AccessAnalyzer", accessanalyzer.Props{})
}
