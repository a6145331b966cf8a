package report

// SNS: one control, decided on each region's own stack.
//
// This file is the SNS pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var snsRules = []Control{
	{"SNS.1", "SNS topics should be encrypted at-rest using AWS KMS", "every topic has a KMS key", RegionScope, topicEncryption},
}

func topicEncryption(t *Target) Result {
	topics := t.Stack.All("AWS::SNS::Topic")
	if len(topics) == 0 {
		return notCovered("this stack creates no SNS topic")
	}
	for _, tp := range topics {
		if tp.Prop("KmsMasterKeyId") == nil {
			return notCovered(tp.Path()+" has no KMS key", tp)
		}
	}
	return pass(topics...)
}
