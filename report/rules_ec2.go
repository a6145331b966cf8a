package report

// EC2: one control, decided on each region's own stack.
//
// This file is the EC2 pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var ec2Rules = []Control{
	{"EC2.7", "EBS default encryption should be enabled", "EBS encryption by default is on in the region", RegionScope, ebsDefaultEncryption},
}

func ebsDefaultEncryption(t *Target) Result {
	calls := t.Stack.SDKCalls("enableEbsEncryptionByDefault")
	if len(calls) == 0 {
		return optOut("hardening.mode", "the baseline does not turn on EBS encryption by default here")
	}
	return pass(calls[0].Res)
}
