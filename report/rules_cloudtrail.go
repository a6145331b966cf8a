package report

import (
	"fmt"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// CloudTrail: the account's trail, in its home stack.
//
// This file is the CloudTrail pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var cloudTrailRules = []Control{
	{"CloudTrail.1", "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events",
		"a multi-Region trail logs read and write management events and excludes no event source", AccountScope, trailMultiRegionReadWrite},
	{"CloudTrail.2", "CloudTrail should have encryption at-rest enabled",
		"the trail names a KMS key (KmsKeyId) for its log files", AccountScope, trailCheck("KMSKeyId", "the trail's log files are SSE-S3, not SSE-KMS")},
	{"CloudTrail.3", "At least one CloudTrail trail should be enabled",
		"the account has a trail that is logging", AccountScope, trailCheck("IsLogging", "the trail is not logging")},
	{"CloudTrail.4", "CloudTrail log file validation should be enabled",
		"the trail writes signed digest files", AccountScope, trailCheck("EnableLogFileValidation", "log file validation is off")},
	{"CloudTrail.5", "CloudTrail trails should be integrated with Amazon CloudWatch Logs",
		"the trail's CloudWatchLogsLogGroupArn is set", AccountScope, trailCheck("CloudWatchLogsLogGroupArn", "the trail sends no events to CloudWatch Logs")},
	{"CloudTrail.6", "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
		"the trail's bucket is not public (evaluated where the bucket lives)", AccountScope, trailBucket(publicAccessBlocked)},
	{"CloudTrail.7", "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
		"the trail's bucket has server access logging (evaluated where the bucket lives)", AccountScope, trailBucket(accessLogged)},
}

// homeTrail is the account's trail: the multi-Region one when there are
// several.
func homeTrail(t *Target) (assembly.Res, bool) {
	trails := t.Home.All("AWS::CloudTrail::Trail")
	for _, tr := range trails {
		if multi, _ := tr.Flag("IsMultiRegionTrail"); multi {
			return tr, true
		}
	}
	if len(trails) > 0 {
		return trails[0], true
	}
	return assembly.Res{}, false
}

var noTrail = optOut("trail.mode", "the account has no baseline trail (an organization or Control Tower trail may cover it)")

// managementEvents is what a trail logs of management events: All,
// WriteOnly, ReadOnly or None. A trail without event selectors logs all.
func managementEvents(tr assembly.Res) string {
	selectors := tr.List("EventSelectors")
	if tr.Prop("EventSelectors") == nil && tr.Prop("AdvancedEventSelectors") == nil {
		return "All"
	}
	best := "None"
	for i := range selectors {
		s := assembly.Res{Resource: assembly.Resource{Properties: map[string]any{"s": selectors[i]}}}
		if include, set := s.Flag("s", "IncludeManagementEvents"); set && !include {
			continue
		}
		if excluded := s.List("s", "ExcludeManagementEventSources"); len(excluded) > 0 {
			continue
		}
		rw := s.Str("s", "ReadWriteType")
		if rw == "" || rw == "All" {
			return "All"
		}
		best = rw
	}
	return best
}

func trailMultiRegionReadWrite(t *Target) Result {
	tr, ok := homeTrail(t)
	if !ok {
		return noTrail
	}
	if multi, _ := tr.Flag("IsMultiRegionTrail"); !multi {
		return notCovered("the trail logs one region only", tr)
	}
	if logging, set := tr.Flag("IsLogging"); set && !logging {
		return notCovered("the trail is not logging", tr)
	}
	switch rw := managementEvents(tr); rw {
	case "All":
		return pass(tr)
	case "WriteOnly":
		return optOut("trail.managementEvents", "the trail logs write management events only", tr)
	default:
		return notCovered(fmt.Sprintf("the trail logs management events %s", rw), tr)
	}
}

// trailCheck passes when the trail has a property set (true, or any
// value).
func trailCheck(prop, missing string) func(*Target) Result {
	return func(t *Target) Result {
		tr, ok := homeTrail(t)
		if !ok {
			return noTrail
		}
		v := tr.Prop(prop)
		if b, set := tr.Flag(prop); (set && !b) || v == nil || v == "" {
			return notCovered(missing, tr)
		}
		return pass(tr)
	}
}
