package report

import (
	"fmt"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// AWS Config, per region.
//
// This file is the Config pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var configRules = []Control{
	{"Config.1", "AWS Config should be enabled and use the service-linked role for resource recording",
		"a recorder with the service-linked role records every type the region's controls need (IAM types outside linked regions)", RegionScope, configRecorder},
}

func configRecorder(t *Target) Result {
	s := t.Stack
	recorders := s.All("AWS::Config::ConfigurationRecorder")
	if len(recorders) == 0 {
		if len(s.All("AWS::Config::ConfigRule")) > 0 {
			return optOut("awsConfig.mode", "the region's existing recorder is used; its settings are not in this assembly")
		}
		return optOut("awsConfig.mode", "no recorder in this region")
	}
	rec := recorders[0]
	if !strings.HasSuffix(assembly.Render(rec.Prop("RoleARN")), "/AWSServiceRoleForConfig") {
		return notCovered("the recorder does not use the service-linked role AWSServiceRoleForConfig", rec)
	}
	channels := s.All("AWS::Config::DeliveryChannel")
	if len(channels) == 0 {
		return notCovered("no delivery channel", rec)
	}
	all, _ := rec.Flag("RecordingGroup", "AllSupported")
	global, _ := rec.Flag("RecordingGroup", "IncludeGlobalResourceTypes")
	strategy := rec.Str("RecordingGroup", "RecordingStrategy", "UseOnly")
	switch {
	case all && global:
		return pass(rec, channels[0])
	case strategy == "EXCLUSION_BY_RESOURCE_TYPES" || all:
		if standards, ok := globalControlsDisabled(t.Stack); ok {
			r := pass(append([]assembly.Res{rec, channels[0]}, standards...)...)
			r.Why = fmt.Sprintf("the recorder leaves out the IAM global types here (they are recorded once, in the home region %s), and every enabled standard here disables the controls that check global resources (securityHub.disableGlobalControlsOutsideHome), so no enabled control needs them", t.Home.Region)
			return r
		}
		if linkedRegion(t) {
			r := pass(rec, channels[0])
			r.Why = "a linked region of the home region's finding aggregator, where Security Hub does not ask for the IAM types"
			return r
		}
		return notCovered("the recorder leaves out the IAM global types here (they are recorded once, in the home region) and no finding aggregator links this region: Security Hub fails Config.1 here while IAM controls are on in this region; securityHub.findingAggregator: true makes it a linked region", rec, channels[0])
	}
	return notCovered("the recorder records only some resource types", rec)
}
