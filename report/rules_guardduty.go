package report

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// GuardDuty: one control, decided on each region's own stack.
//
// This file is the GuardDuty pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var guardDutyRules = []Control{
	{"GuardDuty.1", "GuardDuty should be enabled", "the region has an enabled detector", RegionScope, guardDutyDetector},
}

func guardDutyDetector(t *Target) Result {
	ds := t.Stack.All("AWS::GuardDuty::Detector")
	if len(ds) == 0 {
		if org, ok := organizationAutoEnable(t); ok {
			return pass(org)
		}
		return optOut("guardDuty.mode", "no detector in this region (an existing one may cover it)")
	}
	if on, _ := ds[0].Flag("Enable"); !on {
		return notCovered("the detector is disabled", ds[0])
	}
	return pass(ds[0])
}

// organizationAutoEnable finds, in another stack of the assembly of the
// same region, the delegated administrator's GuardDuty organization
// configuration with auto-enable ALL (constructs/orgadmin): GuardDuty then
// creates and enables the detector of every account of the organization
// (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html),
// which is why organization mode's accounts have none in their templates.
func organizationAutoEnable(t *Target) (assembly.Res, bool) {
	if t.Assembly == nil {
		return assembly.Res{}, false
	}
	for i := range t.Assembly.Stacks {
		s := &t.Assembly.Stacks[i]
		if s.Region != t.Stack.Region {
			continue
		}
		for _, r := range s.All("Custom::GuardDutyOrganizationConfiguration") {
			create, _ := r.Properties["Create"].(map[string]any)
			if text, ok := create["Parameters"].(string); ok && strings.Contains(text, `"AutoEnableOrganizationMembers":"ALL"`) {
				return r, true
			}
			// With a token (the detector id) the parameters are a join of
			// text parts.
			if strings.Contains(fmt.Sprint(create["Parameters"]), `"AutoEnableOrganizationMembers":"ALL"`) {
				return r, true
			}
		}
	}
	return assembly.Res{}, false
}
