package stacks

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessanalyzer"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/configrecorder"
	"github.com/secure-baseline/cdk-baseline/constructs/findingroutes"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/constructs/hardening"
	"github.com/secure-baseline/cdk-baseline/constructs/inspector"
	"github.com/secure-baseline/cdk-baseline/constructs/securityhub"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// addRegionalServices adds what every region of an account holds: AWS
// Config, GuardDuty, Security Hub, the finding routes, hardening, IAM
// Access Analyzer and Inspector, each unless its mode is skip. global holds the home
// region's alarm topic and log archive; both are nil elsewhere.
func addRegionalServices(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string, global globalParts) {
	home := region == acc.HomeRegion
	s := acc.RegionalServices

	if c := s.AWSConfig; c.Mode == config.ModeCreate || len(c.Rules) > 0 {
		var dependsOn []constructs.IConstruct
		if a := global.archive; a != nil {
			// The bucket policy and the key (with its alias child) that
			// PutDeliveryChannel checks at creation. From other stacks the
			// stack dependencies of Build order them.
			dependsOn = []constructs.IConstruct{a.Bucket.Policy(), a.Key}
		}
		configrecorder.New(stack, "Config", configrecorder.Props{
			UseExistingRecorder: c.Mode == config.ModeSkip,
			RecordGlobalTypes:   home,
			DailyResourceTypes:  c.DailyResourceTypes,
			BucketName:          LogBucketName(cfg, acc),
			KeyArn:              *ArchiveKeyArn(stack, cfg, acc, region),
			KeyPrefix:           audittrail.ConfigPrefix,
			SnapshotFrequency:   c.SnapshotFrequency,
			ManagedRules:        c.Rules,
			DependsOn:           dependsOn,
		})
	}

	if g := s.GuardDuty; g.Mode == config.ModeCreate {
		guardduty.New(stack, "GuardDuty", guardduty.Props{
			DisabledPlans:    guardduty.Disabled(g.Protection),
			FindingFrequency: g.FindingFrequency,
			Availability:     guardDutyAvailability{policies.MustRegionalAvailability()},
		})
	}

	aggregated := aggregatedRegions(cfg, acc)
	if s.SecurityHub.Mode == config.ModeCreate {
		props := securityHubProps(acc, region)
		if home {
			props.AggregateRegions = aggregated
		}
		securityhub.New(stack, "SecurityHub", props)
	}

	if f := s.Findings; f.Mode == config.ModeCreate {
		props := findingroutes.Props{
			GuardDutyMinSeverity: f.GuardDutyMinSeverity,
			InspectorSeverities:  f.InspectorSeverities,
			OmitSecurityHub:      slices.Contains(aggregated, region),
		}
		switch {
		case home:
			props.Topic = global.alarms.Topic
		case f.Route == config.RouteForward:
			props.ForwardToRegion = acc.HomeRegion
		default: // a topic of this region's own, with the same subscribers
			props.Topic = regionalTopic(stack, acc)
		}
		findingroutes.New(stack, "Findings", props)
	}

	if hd := s.Hardening; hd.Mode == config.ModeCreate {
		hardening.New(stack, "Hardening", hardening.Props{
			AccountWide: home,
			PasswordPolicy: hardening.PasswordPolicy{
				MinimumLength: hd.PasswordPolicy.MinimumLength,
				MaxAgeDays:    hd.PasswordPolicy.MaxAgeDays,
			},
			RevertOnDelete: hd.RevertOnDelete,
		})
	}

	if a := s.AccessAnalyzer; a.Mode == config.ModeCreate {
		accessanalyzer.New(stack, "AccessAnalyzer", accessanalyzer.Props{Zone: a.Type.Zone()})
	}

	if in := s.Inspector; in.Mode == config.ModeCreate {
		scans := make([]inspector.ScanType, len(in.Scan))
		for i, t := range in.Scan {
			scans[i] = inspector.ScanType(t)
		}
		inspector.New(stack, "Inspector", inspector.Props{Scans: scans, RevertOnDelete: in.RevertOnDelete})
	}
}

// securityHubProps are the hub's standards and disabled controls in
// region, from acc's securityHub settings: the one derivation both the
// per-account mode and organization mode's configuration policy
// (CentralSecurityHubProps) use.
func securityHubProps(acc config.Account, region string) securityhub.Props {
	h := acc.SecurityHub
	props := securityhub.Props{Standards: h.Standards, NoStandards: len(h.Standards) == 0}
	if region != acc.HomeRegion && h.DisableGlobalControlsOutsideHome {
		props.GlobalResourcesRegion = acc.HomeRegion
		props.GlobalResourceControls = globalResourceControls()
		props.Availability = policies.MustRegionalAvailability()
	}
	return props
}

// aggregatedRegions are the regions whose Security Hub findings the home
// region's finding aggregator links: the account's other regions, when the
// account's Security Hub has an aggregator; for the delegated
// administrator under central configuration, the organization's other
// regions, which its policy then covers.
func aggregatedRegions(cfg *config.Config, acc config.Account) []string {
	h := acc.SecurityHub
	if isDelegatedSecurityHubAdmin(cfg, acc, acc.HomeRegion) {
		return centralAggregatedRegions(cfg)
	}
	if h.Mode != config.ModeCreate || !h.FindingAggregator {
		return nil
	}
	var out []string
	for _, r := range acc.Regions {
		if r != acc.HomeRegion {
			out = append(out, r)
		}
	}
	return out
}

// regionalTopic is a region's own alarm topic, for findings.route regional:
// named as in the home region, with the same subscribers (each confirms
// once per region) and chat channels (a configuration per region).
func regionalTopic(stack awscdk.Stack, acc config.Account) awssns.ITopic {
	topic := alerttopic.New(stack, "Alarms", alerttopic.Props{
		Emails:         acc.Notifications.Emails,
		HTTPSEndpoints: acc.Notifications.HTTPSEndpoints,
	}).Topic
	addChat(stack, acc, topic)
	return topic
}

// guardDutyAvailability is policies/regions.yaml as the detector asks it,
// with the AWS page that says a plan is missing for its warning.
type guardDutyAvailability struct{ policies.RegionalLimits }

func (a guardDutyAvailability) PlanSource(plan string) string {
	l, _ := a.PlanLimit(plan)
	return l.Source
}

// globalResourceControls is policies/globalcontrols.yaml as the hub takes
// it: every standard's global-resource controls, in file order.
func globalResourceControls() []securityhub.Control {
	var out []securityhub.Control
	for _, s := range policies.MustGlobalResourceControls().Standards {
		for _, c := range s.Controls {
			out = append(out, securityhub.Control{Standard: s.Standard, Control: c.Control, ID: c.ID})
		}
	}
	return out
}
