package report

// KMS, per region.
//
// This file is the KMS pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var kmsRules = []Control{
	{"KMS.4", "AWS KMS key rotation should be enabled", "every customer managed key rotates", RegionScope, keyRotation},
}

func keyRotation(t *Target) Result {
	keys := t.Stack.All("AWS::KMS::Key")
	if len(keys) == 0 {
		return notCovered("this stack creates no KMS key")
	}
	for _, k := range keys {
		if on, _ := k.Flag("EnableKeyRotation"); !on {
			return notCovered(k.Path()+" does not rotate", k)
		}
	}
	return pass(keys...)
}
