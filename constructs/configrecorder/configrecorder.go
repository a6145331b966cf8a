// Package configrecorder turns on AWS Config in one region: the service-linked
// role that Security Hub Config.1 expects the recorder to use, a recorder for
// every supported resource type, a delivery channel to the log bucket, and
// optional AWS managed Config rules.
//
// Recording starts by itself: CloudFormation starts the recorder as soon as
// the delivery channel exists. Its create handler waits for a delivery
// channel before it completes, and PutDeliveryChannel needs a recorder, so
// the two must be created side by side. A DependsOn between them in either
// direction fails the deploy (the recorder times out waiting for a channel
// that waits for it, or the channel finds no recorder). Both depend on the
// same things instead.
package configrecorder

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
)

// Names the baseline gives its Config resources.
const (
	RecorderName        = "baseline"
	DeliveryChannelName = "baseline"
	// ServiceLinkedRoleName is the role Config records with.
	ServiceLinkedRoleName = "AWSServiceRoleForConfig"
	// DefaultKeyPrefix is where snapshots and history go in the bucket.
	DefaultKeyPrefix = "config"
	principal        = "config.amazonaws.com"
)

// GlobalResourceTypes are the IAM types Config records once per account, in
// the region with RecordGlobalTypes, and excludes everywhere else.
var GlobalResourceTypes = []string{"AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::User"}

// SnapshotFrequency is how often the delivery channel writes a snapshot.
type SnapshotFrequency string

// Snapshot frequencies.
const (
	Every1Hour   SnapshotFrequency = "1h"
	Every3Hours  SnapshotFrequency = "3h"
	Every6Hours  SnapshotFrequency = "6h"
	Every12Hours SnapshotFrequency = "12h"
	Every24Hours SnapshotFrequency = "24h"
)

var deliveryFrequencies = map[SnapshotFrequency]string{
	Every1Hour:   "One_Hour",
	Every3Hours:  "Three_Hours",
	Every6Hours:  "Six_Hours",
	Every12Hours: "Twelve_Hours",
	Every24Hours: "TwentyFour_Hours",
}

// Props configure AWS Config in a region.
type Props struct {
	// UseExistingRecorder leaves the region's recorder as it is (Control
	// Tower's, or one set up before the baseline) and adds only the rules.
	// Default: false, the baseline creates the recorder and delivery channel.
	UseExistingRecorder bool
	// RecordGlobalTypes records the IAM types of GlobalResourceTypes. Set it
	// in one region of the account only (the home region): recorded in two
	// regions, they are billed twice.
	// Default: false, they are excluded.
	RecordGlobalTypes bool
	// DailyResourceTypes are recorded once a day instead of on every change.
	// Default: none, every type is recorded continuously.
	DailyResourceTypes []string
	// BucketName is the bucket the delivery channel writes to. Its policy
	// must let config.amazonaws.com check it (s3:GetBucketAcl,
	// s3:ListBucket) and put objects under
	// <KeyPrefix>/AWSLogs/<account>/Config/ with bucket-owner-full-control,
	// on behalf of this account (aws:SourceAccount).
	// Required unless UseExistingRecorder.
	BucketName string
	// KeyArn encrypts what Config delivers: the KMS key's ARN (a reference,
	// where the key is in this stack), in the bucket's region. Config
	// documents a key ARN
	// (https://docs.aws.amazon.com/config/latest/APIReference/API_DeliveryChannel.html);
	// an alias ARN is taken as given, for keys whose ARN cannot be known
	// (stacks/archivekey.go). Its key policy must let config.amazonaws.com
	// use it (kms:GenerateDataKey, kms:Decrypt) on behalf of this account.
	// Required unless UseExistingRecorder.
	KeyArn string
	// KeyPrefix is where the delivery channel writes in the bucket.
	// Default: DefaultKeyPrefix.
	KeyPrefix string
	// SnapshotFrequency of full configuration snapshots.
	// Default: Every24Hours.
	SnapshotFrequency SnapshotFrequency
	// ManagedRules are AWS managed Config rules, by source identifier.
	// Default: none.
	ManagedRules []string
	// DependsOn are what the delivery channel needs before it is created,
	// when they are in the same stack: the bucket's policy and the key (with
	// its alias). PutDeliveryChannel checks them at once and fails with
	// NoSuchBucketException, InsufficientDeliveryPolicyException or
	// InvalidS3KmsKeyArnException
	// (https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html).
	// The recorder waits for them too: the two are created side by side.
	// A bucket and key in another stack need a stack dependency instead.
	// Default: none.
	DependsOn []constructs.IConstruct
}

// Recorder is AWS Config in one region.
type Recorder struct {
	constructs.Construct
	// Recorder is nil with UseExistingRecorder.
	Recorder awsconfig.CfnConfigurationRecorder
	// DeliveryChannel is nil with UseExistingRecorder.
	DeliveryChannel awsconfig.CfnDeliveryChannel
	// Rules by identifier.
	Rules map[string]awsconfig.CfnConfigRule
}

// New builds the recorder, delivery channel and rules. The recorder and
// delivery channel are retained when removed from the stack: deleting a
// stack must not silently stop recording, and "skip" then means "leave it
// as it is".
func New(scope constructs.Construct, id string, props Props) *Recorder {
	if props.KeyPrefix == "" {
		props.KeyPrefix = DefaultKeyPrefix
	}
	if props.SnapshotFrequency == "" {
		props.SnapshotFrequency = Every24Hours
	}
	frequency, ok := deliveryFrequencies[props.SnapshotFrequency]
	if !ok {
		panic(fmt.Sprintf("configrecorder: SnapshotFrequency %q is not one of 1h, 3h, 6h, 12h, 24h", props.SnapshotFrequency))
	}
	if !props.UseExistingRecorder && (props.BucketName == "" || props.KeyArn == "") {
		panic("configrecorder: BucketName and KeyArn are required to create a recorder; set UseExistingRecorder to add only rules")
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	r := &Recorder{Construct: c, Rules: map[string]awsconfig.CfnConfigRule{}}
	if !props.UseExistingRecorder {
		r.Recorder, r.DeliveryChannel = newRecorder(c, stack, props, frequency)
	}
	var rules constructs.Construct
	if len(props.ManagedRules) > 0 {
		rules = constructs.NewConstruct(c, jsii.String("Rules"))
	}
	for _, identifier := range props.ManagedRules {
		rule := awsconfig.NewCfnConfigRule(rules, jsii.String(identifier), &awsconfig.CfnConfigRuleProps{
			ConfigRuleName: jsii.String("baseline-" + strings.ToLower(strings.ReplaceAll(identifier, "_", "-"))),
			Description:    jsii.String("AWS managed rule " + identifier + ", added by the security baseline"),
			Source: &awsconfig.CfnConfigRule_SourceProperty{
				Owner:            jsii.String("AWS"),
				SourceIdentifier: jsii.String(identifier),
			},
		})
		if r.Recorder != nil {
			rule.AddResourceDependency(r.Recorder, jsii.String("a Config rule needs a recorder"))
		}
		r.Rules[identifier] = rule
	}
	return r
}

func newRecorder(c constructs.Construct, stack awscdk.Stack, props Props, frequency string) (awsconfig.CfnConfigurationRecorder, awsconfig.CfnDeliveryChannel) {
	roleArn := ServiceLinkedRoleArn(*stack.Partition(), *stack.Account())
	// The role is account-wide; each region asks for it, and a region that
	// finds it already made (by another region, or the console) carries on.
	// IAM answers that case with the error code InvalidInput
	// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html#API_CreateServiceLinkedRole_Errors),
	// the same code as for any invalid or out-of-range parameter. The page
	// does not give the message; IAM's is "Service role name
	// AWSServiceRoleForConfig has been taken in this account, please try a
	// different suffix." (as quoted in, e.g.,
	// https://github.com/lgallard/terraform-aws-elasticsearch/issues/5 and
	// https://github.com/Rayraegah/terraform-aws-hasura/issues/17).
	// Only that message passes: every other InvalidInput fails the deploy,
	// loudly, instead of leaving Config without its role.
	role := sdkcall.New(c, "ServiceLinkedRole", sdkcall.Props{
		ResourceType:      "Custom::ConfigServiceLinkedRole",
		ApplyOnCreateOnly: true,
		Apply: sdkcall.Call{
			Service:       "IAM",
			Action:        "createServiceLinkedRole",
			Parameters:    map[string]any{"AWSServiceName": principal},
			Permission:    "iam:CreateServiceLinkedRole",
			Resource:      roleArn,
			Conditions:    map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": principal}},
			IgnoreErrors:  "^InvalidInputException$",
			IgnoreMessage: ServiceLinkedRoleTakenMessage,
		},
	})

	group := &awsconfig.CfnConfigurationRecorder_RecordingGroupProperty{}
	if props.RecordGlobalTypes {
		group.AllSupported = jsii.Bool(true)
		group.IncludeGlobalResourceTypes = jsii.Bool(true)
		group.RecordingStrategy = &awsconfig.CfnConfigurationRecorder_RecordingStrategyProperty{UseOnly: jsii.String("ALL_SUPPORTED_RESOURCE_TYPES")}
	} else {
		group.AllSupported = jsii.Bool(false)
		group.IncludeGlobalResourceTypes = jsii.Bool(false)
		group.ExclusionByResourceTypes = &awsconfig.CfnConfigurationRecorder_ExclusionByResourceTypesProperty{
			ResourceTypes: jsii.Strings(GlobalResourceTypes...),
		}
		group.RecordingStrategy = &awsconfig.CfnConfigurationRecorder_RecordingStrategyProperty{UseOnly: jsii.String("EXCLUSION_BY_RESOURCE_TYPES")}
	}
	mode := &awsconfig.CfnConfigurationRecorder_RecordingModeProperty{RecordingFrequency: jsii.String("CONTINUOUS")}
	var daily []string
	for _, t := range props.DailyResourceTypes {
		if props.RecordGlobalTypes || !slices.Contains(GlobalResourceTypes, t) {
			daily = append(daily, t) // an excluded type has no frequency to set
		}
	}
	if len(daily) > 0 {
		mode.RecordingModeOverrides = &[]*awsconfig.CfnConfigurationRecorder_RecordingModeOverrideProperty{{
			Description:        jsii.String("High-churn types, recorded once a day to cut cost"),
			RecordingFrequency: jsii.String("DAILY"),
			ResourceTypes:      jsii.Strings(daily...),
		}}
	}
	recorder := awsconfig.NewCfnConfigurationRecorder(c, jsii.String("Recorder"), &awsconfig.CfnConfigurationRecorderProps{
		Name:           jsii.String(RecorderName),
		RoleArn:        jsii.String(roleArn),
		RecordingGroup: group,
		RecordingMode:  mode,
	})
	channel := awsconfig.NewCfnDeliveryChannel(c, jsii.String("DeliveryChannel"), &awsconfig.CfnDeliveryChannelProps{
		Name:         jsii.String(DeliveryChannelName),
		S3BucketName: jsii.String(props.BucketName),
		S3KeyPrefix:  jsii.String(props.KeyPrefix),
		S3KmsKeyArn:  jsii.String(props.KeyArn),
		ConfigSnapshotDeliveryProperties: &awsconfig.CfnDeliveryChannel_ConfigSnapshotDeliveryPropertiesProperty{
			DeliveryFrequency: jsii.String(frequency),
		},
	})
	// Side by side, never one after the other (see the package comment):
	// both wait for the same things.
	for _, r := range []awscdk.CfnResource{recorder, channel} {
		r.Node().AddDependency(role.Resource)
		for _, d := range props.DependsOn {
			r.Node().AddDependency(d)
		}
		r.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	}
	return recorder, channel
}

// ServiceLinkedRoleTakenMessage matches the message of IAM's InvalidInput
// error when the service-linked role already exists, e.g. "Service role
// name AWSServiceRoleForConfig has been taken in this account, please try
// a different suffix."
const ServiceLinkedRoleTakenMessage = "^Service role name AWSServiceRoleForConfig has been taken in this account"

// ServiceLinkedRoleArn is the ARN of AWS Config's service-linked role.
func ServiceLinkedRoleArn(partition, accountID string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", partition, accountID, principal, ServiceLinkedRoleName)
}
