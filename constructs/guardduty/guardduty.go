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

	"github.com/secure-baseline/cdk-baseline/policies"
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

// Props configure a Detector.
type Props struct {
	// Plans to turn on; the others are turned off. A plan that does not
	// exist in the stack's region (policies/regions.yaml) is left out of the
	// detector there, with a synth warning when it was asked for.
	// Default: none.
	Plans []Plan
	// FindingFrequency of updates to existing findings.
	// Default: Every15Minutes.
	FindingFrequency Frequency
}

// New builds the detector. Its L1 child id is "Resource". It is retained
// when removed from the stack: deleting a detector deletes its findings.
func New(scope constructs.Construct, id string, props Props) awsguardduty.CfnDetector {
	if props.FindingFrequency == "" {
		props.FindingFrequency = Every15Minutes
	}
	frequency, ok := frequencies[props.FindingFrequency]
	if !ok {
		panic(fmt.Sprintf("guardduty: FindingFrequency %q is not one of 15m, 1h, 6h", props.FindingFrequency))
	}
	var list []*awsguardduty.CfnDetector_CFNFeatureConfigurationProperty
	for _, p := range props.Plans {
		if !slices.Contains(Plans, p) {
			panic(fmt.Sprintf("guardduty: plan %q is not one of s3, eks, malware, rds, lambda, runtime", p))
		}
	}
	stack := awscdk.Stack_Of(scope)
	region := *stack.Region()
	limits := policies.MustRegionalAvailability()
	for _, p := range Plans {
		// A plan that does not exist in this region is left out of the
		// detector: it cannot be turned on here, and naming it could only
		// fail the deploy (policies/regions.yaml). A plan that was asked
		// for is reported as a synth warning, so the gap is seen in review.
		// A region only known at deploy time (a StackSet template) cannot be
		// looked up; config validation rejects plans missing in any of a
		// StackSet's regions.
		if !*awscdk.Token_IsUnresolved(jsii.String(region)) && !limits.PlanAvailable(string(p), region) {
			if slices.Contains(props.Plans, p) {
				l, _ := limits.PlanLimit(string(p))
				awscdk.Annotations_Of(scope).AddWarningV2(jsii.String("baseline:guardduty-plan-unavailable"), jsii.String(fmt.Sprintf(
					"GuardDuty plan %s (%s) does not exist in %s (%s); the detector here leaves it out", p, features[p], region, l.Source)))
			}
			continue
		}
		status := "DISABLED"
		if slices.Contains(props.Plans, p) {
			status = "ENABLED"
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
	return detector
}
