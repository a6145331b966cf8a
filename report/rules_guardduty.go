package report

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
		return optOut("guardDuty.mode", "no detector in this region (an existing one may cover it)")
	}
	if on, _ := ds[0].Flag("Enable"); !on {
		return notCovered("the detector is disabled", ds[0])
	}
	return pass(ds[0])
}
