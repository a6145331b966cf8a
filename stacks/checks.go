package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// ApplyChecks runs cdk-nag's rule packs over a stack at synth: AWS
// Solutions and NIST 800-53 rev 5 always, PCI DSS 3.2.1 when asked. A rule
// violated without a suppression is an error annotation, which fails `cdk
// synth` and the tests; the packs' CSV reports land in the cloud assembly.
func ApplyChecks(stack awscdk.Stack, pciDss bool) {
	props := &cdknag.NagPackProps{Verbose: jsii.Bool(true), Reports: jsii.Bool(true)}
	aspects := awscdk.Aspects_Of(stack)
	aspects.Add(cdknag.NewAwsSolutionsChecks(props), nil)
	aspects.Add(cdknag.NewNIST80053R5Checks(props), nil)
	if pciDss {
		aspects.Add(cdknag.NewPCIDSS321Checks(props), nil)
	}
}
