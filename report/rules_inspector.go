package report

// Amazon Inspector: one control per scan type, decided on each region's own
// stack.
//
// This file is the Inspector pack of the rule table (Controls, rules.go):
// one row per Security Hub control, and the rule function behind them.
var inspectorRules = []Control{
	{"Inspector.1", "Amazon Inspector EC2 scanning should be enabled", "Inspector scans EC2 instances in the region", RegionScope, inspectorScan("EC2", "ec2")},
	{"Inspector.2", "Amazon Inspector ECR scanning should be enabled", "Inspector scans ECR container images in the region", RegionScope, inspectorScan("ECR", "ecr")},
	{"Inspector.3", "Amazon Inspector Lambda code scanning should be enabled", "Inspector scans Lambda functions' code in the region", RegionScope, inspectorScan("LAMBDA_CODE", "lambdaCode")},
	{"Inspector.4", "Amazon Inspector Lambda standard scanning should be enabled", "Inspector scans Lambda functions' packages in the region", RegionScope, inspectorScan("LAMBDA", "lambda")},
}

// inspectorScan passes where the region's Inspector custom resource enables
// the resource type (the Enable API's name, e.g. LAMBDA_CODE); scan is its
// inspector.scan name.
func inspectorScan(resourceType, scan string) func(*Target) Result {
	return func(t *Target) Result {
		for _, c := range t.Stack.SDKCalls("enable") {
			if c.Call.Service != "inspector2" {
				continue
			}
			types, _ := c.Call.Parameters["resourceTypes"].([]any)
			for _, typ := range types {
				if typ == resourceType {
					return pass(c.Res)
				}
			}
			return optOut("inspector.scan", "Inspector runs here without "+scan, c.Res)
		}
		return optOut("inspector.mode", "the baseline does not enable Inspector here (a delegated administrator may)")
	}
}
