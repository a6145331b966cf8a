package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/constructs/inspector"
	"github.com/secure-baseline/cdk-baseline/constructs/orgadmin"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// addDelegatedServices adds, to the audit account's stack of a region,
// what it turns on for the organization as the delegated administrator of
// GuardDuty, Inspector, AWS Config and IAM Access Analyzer (delegated.go
// says who administers what): the organization configurations of the
// region, and in the home region the organization aggregator over the
// config's regions and the unused-access analyzer. Other accounts get
// nothing.
func addDelegatedServices(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string) {
	if !isAudit(cfg, acc) {
		return
	}
	props := orgadmin.AdministrationProps{RegionalOnly: region != acc.HomeRegion, AggregatorRegions: cfg.Regions}
	n := 0
	for _, s := range orgadmin.Services {
		if !Delegated(cfg, s) {
			props.Skip = append(props.Skip, s)
		} else if !props.RegionalOnly || orgadmin.Regional(s) || s == orgadmin.AccessAnalyzer {
			n++
		}
	}
	if n == 0 {
		return
	}
	// The members get the plans and scan types of the top-level settings,
	// which the StackSets' templates would have had (MemberAccount).
	g := cfg.GuardDuty
	props.GuardDutyDisabledPlans = guardduty.Disabled(g.Protection)
	props.GuardDutyFindingFrequency = acc.GuardDuty.FindingFrequency
	props.GuardDutyAvailability = guardDutyAvailability{policies.MustRegionalAvailability()}
	for _, t := range cfg.Inspector.Scan {
		props.InspectorScans = append(props.InspectorScans, inspector.ScanType(t))
	}
	orgadmin.NewAdministration(stack, "OrganizationAdministration", props)
}
