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
			SnapshotFrequency:   configrecorder.SnapshotFrequency(c.SnapshotFrequency),
			ManagedRules:        c.Rules,
			DependsOn:           dependsOn,
		})
	}

	if g := s.GuardDuty; g.Mode == config.ModeCreate {
		plans := make([]guardduty.Plan, len(g.Protection))
		for i, p := range g.Protection {
			plans[i] = guardduty.Plan(p)
		}
		guardduty.New(stack, "GuardDuty", guardduty.Props{Plans: plans, FindingFrequency: guardduty.Frequency(g.FindingFrequency)})
	}

	aggregated := aggregatedRegions(acc)
	if h := s.SecurityHub; h.Mode == config.ModeCreate {
		props := securityhub.Props{Standards: h.Standards}
		if home {
			props.AggregateRegions = aggregated
		} else if h.DisableGlobalControlsOutsideHome {
			props.GlobalResourcesRegion = acc.HomeRegion
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
		zone := map[string]accessanalyzer.Zone{"account": accessanalyzer.Account, "organization": accessanalyzer.Organization}[a.Type]
		accessanalyzer.New(stack, "AccessAnalyzer", accessanalyzer.Props{Zone: zone})
	}

	if in := s.Inspector; in.Mode == config.ModeCreate {
		scans := make([]inspector.ScanType, len(in.Scan))
		for i, t := range in.Scan {
			scans[i] = inspector.ScanType(t)
		}
		inspector.New(stack, "Inspector", inspector.Props{Scans: scans, RevertOnDelete: in.RevertOnDelete})
	}
}

// aggregatedRegions are the regions whose Security Hub findings the home
// region's finding aggregator links: the account's other regions, when the
// account's Security Hub has an aggregator.
func aggregatedRegions(acc config.Account) []string {
	h := acc.SecurityHub
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
