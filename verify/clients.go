package verify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// The interfaces below name every AWS operation verify calls, and nothing
// else: they are the read-only surface the README's policy grants, the
// seam the unit tests fake, and the list TestAPICallsMatchBotocore checks
// against the AWS service models. Each method has the SDK client's own
// signature, so *sts.Client etc. satisfy them.

// STS reads who is calling.
type STS interface {
	GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// CloudTrail reads a trail and its status.
type CloudTrail interface {
	GetTrail(context.Context, *cloudtrail.GetTrailInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
}

// ConfigService reads the recorder's and the delivery channel's status.
type ConfigService interface {
	DescribeConfigurationRecorderStatus(context.Context, *configservice.DescribeConfigurationRecorderStatusInput, ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error)
	DescribeDeliveryChannelStatus(context.Context, *configservice.DescribeDeliveryChannelStatusInput, ...func(*configservice.Options)) (*configservice.DescribeDeliveryChannelStatusOutput, error)
}

// GuardDuty reads the region's detector.
type GuardDuty interface {
	ListDetectors(context.Context, *guardduty.ListDetectorsInput, ...func(*guardduty.Options)) (*guardduty.ListDetectorsOutput, error)
	GetDetector(context.Context, *guardduty.GetDetectorInput, ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error)
}

// SecurityHub reads the enabled standards and their controls.
type SecurityHub interface {
	GetEnabledStandards(context.Context, *securityhub.GetEnabledStandardsInput, ...func(*securityhub.Options)) (*securityhub.GetEnabledStandardsOutput, error)
	DescribeStandardsControls(context.Context, *securityhub.DescribeStandardsControlsInput, ...func(*securityhub.Options)) (*securityhub.DescribeStandardsControlsOutput, error)
}

// CloudWatch reads alarms.
type CloudWatch interface {
	DescribeAlarms(context.Context, *cloudwatch.DescribeAlarmsInput, ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// SNS reads a topic's subscriptions.
type SNS interface {
	ListSubscriptionsByTopic(context.Context, *sns.ListSubscriptionsByTopicInput, ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error)
}

// IAM reads the password policy, the credential report and users'
// attached policies.
type IAM interface {
	GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error)
	GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error)
	GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error)
	ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
}

// S3Control reads the account's S3 Block Public Access.
type S3Control interface {
	GetPublicAccessBlock(context.Context, *s3control.GetPublicAccessBlockInput, ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
}

// EC2 reads EBS encryption by default.
type EC2 interface {
	GetEbsEncryptionByDefault(context.Context, *ec2.GetEbsEncryptionByDefaultInput, ...func(*ec2.Options)) (*ec2.GetEbsEncryptionByDefaultOutput, error)
}

// AccessAnalyzer lists the region's analyzers.
type AccessAnalyzer interface {
	ListAnalyzers(context.Context, *accessanalyzer.ListAnalyzersInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.ListAnalyzersOutput, error)
}

// CloudFormation reads stacks and runs drift detection (DetectStackDrift
// writes nothing to the stack; it starts a read of its resources).
type CloudFormation interface {
	DescribeStacks(context.Context, *cloudformation.DescribeStacksInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	DetectStackDrift(context.Context, *cloudformation.DetectStackDriftInput, ...func(*cloudformation.Options)) (*cloudformation.DetectStackDriftOutput, error)
	DescribeStackDriftDetectionStatus(context.Context, *cloudformation.DescribeStackDriftDetectionStatusInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackDriftDetectionStatusOutput, error)
}

// Clients are the clients of one region.
type Clients struct {
	CloudTrail     CloudTrail
	ConfigService  ConfigService
	GuardDuty      GuardDuty
	SecurityHub    SecurityHub
	CloudWatch     CloudWatch
	SNS            SNS
	IAM            IAM
	S3Control      S3Control
	EC2            EC2
	AccessAnalyzer AccessAnalyzer
	CloudFormation CloudFormation
}

// ClientsFor makes the clients of one region; tests replace it.
type ClientsFor func(region string) *Clients

// CloudWatchQueryProtocol makes a CloudWatch client speak awsQuery, one
// of the three protocols CloudWatch serves (the service model's
// "protocols": smithy-rpc-v2-cbor, json, query; TestCloudWatchProtocol
// reads it from botocore). The Go SDK defaults to RPC v2 CBOR since
// cloudwatch v1.53.0; awsQuery is the protocol every AWS SDK spoke before,
// and the one AWS emulators (moto) answer, so verify's tests run the very
// client users run.
func CloudWatchQueryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801)
}

// SDKClients makes the AWS SDK's clients of region from cfg.
func SDKClients(cfg aws.Config) ClientsFor {
	return func(region string) *Clients {
		c := cfg.Copy()
		c.Region = region
		return &Clients{
			CloudTrail:     cloudtrail.NewFromConfig(c),
			ConfigService:  configservice.NewFromConfig(c),
			GuardDuty:      guardduty.NewFromConfig(c),
			SecurityHub:    securityhub.NewFromConfig(c),
			CloudWatch:     cloudwatch.NewFromConfig(c, CloudWatchQueryProtocol),
			SNS:            sns.NewFromConfig(c),
			IAM:            iam.NewFromConfig(c),
			S3Control:      s3control.NewFromConfig(c),
			EC2:            ec2.NewFromConfig(c),
			AccessAnalyzer: accessanalyzer.NewFromConfig(c),
			CloudFormation: cloudformation.NewFromConfig(c),
		}
	}
}
