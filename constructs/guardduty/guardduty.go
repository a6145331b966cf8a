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
	// Plans to turn on; the others are turned off.
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
	for _, p := range Plans {
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
