// Package guardduty builds the region's GuardDuty detector, with every
// protection plan turned on or off explicitly so that the template says
// which are on.
package guardduty

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsguardduty"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Plan is a GuardDuty protection plan.
type Plan string

// Protection plans, in the order the template lists them.
const (
	S3      Plan = "s3"      // S3 data events
	EKS     Plan = "eks"     // EKS audit logs
	Malware Plan = "malware" // malware scans of EBS volumes
	RDS     Plan = "rds"     // RDS login events
	Lambda  Plan = "lambda"  // Lambda network activity
	Runtime Plan = "runtime" // Runtime Monitoring of EKS, ECS Fargate and EC2, with automated agents
)

// Plans are all protection plans.
var Plans = []Plan{S3, EKS, Malware, RDS, Lambda, Runtime}

var features = map[Plan]string{
	S3:      "S3_DATA_EVENTS",
	EKS:     "EKS_AUDIT_LOGS",
	Malware: "EBS_MALWARE_PROTECTION",
	RDS:     "RDS_LOGIN_EVENTS",
	Lambda:  "LAMBDA_NETWORK_LOGS",
	Runtime: "RUNTIME_MONITORING",
}

// Feature is the detector feature (CfnDetector Features[].Name) that turns
// a plan on; "" for an unknown plan.
func Feature(p Plan) string { return features[p] }

// runtimeAgents are Runtime Monitoring's agent management settings: GuardDuty
// installs and updates its security agent where it is on.
var runtimeAgents = []string{"EKS_ADDON_MANAGEMENT", "ECS_FARGATE_AGENT_MANAGEMENT", "EC2_AGENT_MANAGEMENT"}

// RuntimeAgents are Runtime Monitoring's agent management settings, which
// the detector turns on with the plan (for an organization configuration
// too).
func RuntimeAgents() []string { return slices.Clone(runtimeAgents) }

// FrequencyName is the API's name of a finding frequency (e.g.
// "FIFTEEN_MINUTES"), "" for an unknown one.
func FrequencyName(f Frequency) string { return frequencies[f] }

// Frequency is how often GuardDuty publishes updates of existing findings.
type Frequency string

// Finding publishing frequencies.
const (
	Every15Minutes Frequency = "15m"
	Every1Hour     Frequency = "1h"
	Every6Hours    Frequency = "6h"
)

var frequencies = map[Frequency]string{
	Every15Minutes: "FIFTEEN_MINUTES",
	Every1Hour:     "ONE_HOUR",
	Every6Hours:    "SIX_HOURS",
}

// Availability says which protection plans exist in a region. A
// *policies.RegionalLimits (policies/regions.yaml) is one.
type Availability interface {
	// PlanAvailable reports whether plan (e.g. "rds") exists in region.
	PlanAvailable(plan, region string) bool
}

// Props configure a Detector. The zero value turns every plan on.
type Props struct {
	// DisabledPlans are turned off; every other plan is on. Each plan
	// costs extra by the data it reads, so turn off only what the account
	// does not use.
	// Default: none, every plan is on.
	DisabledPlans []Plan
	// FindingFrequency of updates to existing findings.
	// Default: Every15Minutes.
	FindingFrequency Frequency
	// Availability leaves out of the detector the plans that do not exist
	// in the stack's region: they cannot be turned on there, and naming
	// one could only fail the deploy. A plan left out that was not in
	// DisabledPlans gets a synth warning, so the gap is seen in review. A
	// region only known at deploy time (a StackSet template) cannot be
	// looked up, and every plan is named.
	// Default: nil, every plan is taken to exist in every region.
	Availability Availability
}

// Detector is the region's GuardDuty detector.
type Detector struct {
	constructs.Construct
	// Resource is the detector; its logical id is that of
	// <id>/Resource, as before Detector wrapped it.
	Resource awsguardduty.CfnDetector
	// Enabled are the plans turned on, in the order of Plans.
	Enabled []Plan
}

// New builds the detector. Its L1 child id is "Resource". It is retained
// when removed from the stack: deleting a detector deletes its findings.
func New(scope constructs.Construct, id string, props Props) *Detector {
	if props.FindingFrequency == "" {
		props.FindingFrequency = Every15Minutes
	}
	frequency, ok := frequencies[props.FindingFrequency]
	if !ok {
		panic(fmt.Sprintf("guardduty: FindingFrequency %q is not one of 15m, 1h, 6h", props.FindingFrequency))
	}
	var list []*awsguardduty.CfnDetector_CFNFeatureConfigurationProperty
	for i, p := range props.DisabledPlans {
		if !slices.Contains(Plans, p) {
			panic(fmt.Sprintf("guardduty: DisabledPlans[%d] %q is not one of s3, eks, malware, rds, lambda, runtime", i, p))
		}
	}
	stack := awscdk.Stack_Of(scope)
	region := *stack.Region()
	var enabled []Plan
	for _, p := range Plans {
		on := !slices.Contains(props.DisabledPlans, p)
		// A plan that does not exist in this region is left out of the
		// detector: it cannot be turned on here, and naming it could only
		// fail the deploy (policies/regions.yaml). A plan that was asked
		// for is reported as a synth warning, so the gap is seen in review.
		// A region only known at deploy time (a StackSet template) cannot be
		// looked up; config validation rejects plans missing in any of a
		// StackSet's regions.
		if props.Availability != nil && !*awscdk.Token_IsUnresolved(jsii.String(region)) && !props.Availability.PlanAvailable(string(p), region) {
			if on {
				awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("baseline:guardduty-plan-unavailable"), jsii.String(fmt.Sprintf(
					"GuardDuty plan %s (%s) does not exist in %s (%s); the detector here leaves it out", p, features[p], region, source(props.Availability, p))))
			}
			continue
		}
		status := "DISABLED"
		if on {
			status = "ENABLED"
			enabled = append(enabled, p)
		}
		feature := &awsguardduty.CfnDetector_CFNFeatureConfigurationProperty{
			Name:   jsii.String(features[p]),
			Status: jsii.String(status),
		}
		if p == Runtime && status == "ENABLED" {
			var agents []*awsguardduty.CfnDetector_CFNFeatureAdditionalConfigurationProperty
			for _, a := range runtimeAgents {
				agents = append(agents, &awsguardduty.CfnDetector_CFNFeatureAdditionalConfigurationProperty{
					Name: jsii.String(a), Status: jsii.String("ENABLED"),
				})
			}
			feature.AdditionalConfiguration = &agents
		}
		list = append(list, feature)
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	detector := awsguardduty.NewCfnDetector(c, jsii.String("Resource"), &awsguardduty.CfnDetectorProps{
		Enable:                     jsii.Bool(true),
		FindingPublishingFrequency: jsii.String(frequency),
		Features:                   &list,
	})
	detector.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	return &Detector{Construct: c, Resource: detector, Enabled: enabled}
}

// source is the page that says a plan is missing, where Availability
// knows one.
func source(a Availability, p Plan) string {
	if s, ok := a.(interface{ PlanSource(plan string) string }); ok {
		return s.PlanSource(string(p))
	}
	return "no source given"
}

// Disabled is the complement of on: the plans of Plans not in on, for
// callers that list the plans they want (as the config does).
// It panics on a plan that is not one of Plans, which would otherwise be
// dropped without a word.
func Disabled(on []Plan) []Plan {
	for i, p := range on {
		if !slices.Contains(Plans, p) {
			panic(fmt.Sprintf("guardduty: plan %q (item %d) is not one of s3, eks, malware, rds, lambda, runtime", p, i))
		}
	}
	var out []Plan
	for _, p := range Plans {
		if !slices.Contains(on, p) {
			out = append(out, p)
		}
	}
	return out
}
