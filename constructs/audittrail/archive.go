// Package audittrail builds the account's audit trail: a multi-region
// CloudTrail, the locked-down, KMS-encrypted S3 bucket it writes to (the log
// archive), and the encrypted CloudWatch Logs group that the alarms watch.
//
// The archive and the trail are separate constructs so that one account
// (the log archive account) can own the bucket and key that every account's
// trail writes to. Without a central archive, an account's home stack holds
// both, and one key encrypts its log files and its log group.
package audittrail

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/keypolicy"
)

// Names the baseline gives its trail resources. Other parts (Config
// delivery, operator deny policies, the review) rely on them.
const (
	DefaultTrailName = "baseline-trail"
	DefaultKeyAlias  = "alias/baseline/cloudtrail"
	DefaultLogGroup  = "/baseline/cloudtrail"
	ConfigPrefix     = "config"
	bucketNamePrefix = "baseline-cloudtrail"
	accessLogsPrefix = "baseline-s3-access-logs"
)

// BucketName is the name of the log bucket owned by an account's home stack.
func BucketName(accountID, region string) string {
	return fmt.Sprintf("%s-%s-%s", bucketNamePrefix, accountID, region)
}

// KeyAliasArn is the ARN of the archive key's alias in an account: how
// other stacks name the key, since its key id is only known once deployed.
func KeyAliasArn(partition, region, accountID string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", partition, region, accountID, DefaultKeyAlias)
}

// TrailArn is the ARN of the baseline trail of an account.
func TrailArn(partition, region, accountID, trailName string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", partition, region, accountID, trailName)
}

// Writer is an account whose trail (and AWS Config) delivers to the archive.
type Writer struct {
	AccountID string
	// Region is where the writer's trail lives (its home region).
	Region string
	// TrailName of the writer's trail. Default: DefaultTrailName.
	TrailName string
}

// ObjectLockMode is S3 Object Lock's retention mode.
type ObjectLockMode string

// Object Lock modes. Governance lets holders of
// s3:BypassGovernanceRetention delete; compliance lets nobody.
const (
	ObjectLockOff        ObjectLockMode = ""
	ObjectLockGovernance ObjectLockMode = "GOVERNANCE"
	ObjectLockCompliance ObjectLockMode = "COMPLIANCE"
)

// ArchiveProps configure an Archive.
type ArchiveProps struct {
	// BucketName of the log bucket. Required.
	BucketName string
	// KeyAlias of the archive's KMS key. Default: DefaultKeyAlias.
	KeyAlias string
	// Writers are the accounts that deliver to this archive. Required.
	Writers []Writer
	// LogGroupNames of log groups in this stack's account and region that
	// may use the key (local mode: the trail's own log group).
	// Default: none.
	LogGroupNames []string
	// TransitionDays moves log files to Glacier Instant Retrieval. Required.
	TransitionDays int
	// ExpirationDays deletes log files. Required.
	ExpirationDays int
	// NoncurrentExpirationDays deletes non-current versions. Required.
	NoncurrentExpirationDays int
	// ObjectLockMode turns on Object Lock. Default: ObjectLockOff.
	ObjectLockMode ObjectLockMode
	// ObjectLockDays is the default retention. Required with a mode.
	ObjectLockDays int
	// BreakGlassRoleArns may delete log files and change the bucket's policy
	// and lifecycle. Default: none (only the account root user can, by
	// replacing the bucket policy).
	BreakGlassRoleArns []string
	// DeployRoleArn is the role CloudFormation deploys this stack with: it
	// may change the bucket's policy and lifecycle. An ARN pattern.
	// Default: the CDK bootstrap's execution role of this account and
	// region, named with the bootstrap qualifier of the stack's synthesizer
	// (see CDKExecutionRoleArn).
	DeployRoleArn string
}

// CDKExecutionRoleArn is the ARN of the role `cdk bootstrap` creates for
// CloudFormation to deploy with, cdk-<qualifier>-cfn-exec-role-<account>-<region>
// (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html and
// https://docs.aws.amazon.com/cdk/v2/guide/customize-synth.html). The
// qualifier is the stack synthesizer's: its own, or the context value
// @aws-cdk/core:bootstrapQualifier, or the default hnb659fds, the same
// one `cdk deploy` uses to find the deploy roles. An account bootstrapped
// with another qualifier gets that role's name, so its deploys can still
// update the bucket. A synthesizer without bootstrap roles (StackSet
// members) has no qualifier: pass ArchiveProps.DeployRoleArn instead.
func CDKExecutionRoleArn(stack awscdk.Stack) string {
	var qualifier *string
	if s := stack.Synthesizer(); s != nil {
		qualifier = s.BootstrapQualifier()
	}
	if qualifier == nil || *qualifier == "" {
		panic(fmt.Sprintf("audittrail: stack %s has a synthesizer without a bootstrap qualifier; set ArchiveProps.DeployRoleArn to the role that deploys it", *stack.StackName()))
	}
	account, region := *stack.Account(), *stack.Region()
	return fmt.Sprintf("arn:%s:iam::%s:role/cdk-%s-cfn-exec-role-%s-%s", *stack.Partition(), account, *qualifier, account, region)
}

// StackSetDeployRoleArn is the role service-managed StackSets deploy member
// stacks with, as an ARN pattern of the stack's account.
func StackSetDeployRoleArn(stack awscdk.Stack) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/stacksets-exec-*", *stack.Partition(), *stack.Account())
}

// Archive is the log bucket, its access-log bucket and the key.
type Archive struct {
	constructs.Construct
	Key             awskms.Key
	Bucket          awss3.Bucket
	AccessLogBucket awss3.Bucket
}

// NewArchive builds the log archive.
func NewArchive(scope constructs.Construct, id string, props ArchiveProps) *Archive {
	if props.BucketName == "" || len(props.Writers) == 0 {
		panic("audittrail: ArchiveProps needs a BucketName and at least one Writer")
	}
	if props.KeyAlias == "" {
		props.KeyAlias = DefaultKeyAlias
	}
	if props.TransitionDays < 1 || props.ExpirationDays <= props.TransitionDays || props.NoncurrentExpirationDays < 1 {
		panic(fmt.Sprintf("audittrail: lifecycle days must satisfy 1 <= transition (%d) < expiration (%d), noncurrent (%d) >= 1",
			props.TransitionDays, props.ExpirationDays, props.NoncurrentExpirationDays))
	}
	if (props.ObjectLockMode == ObjectLockOff) != (props.ObjectLockDays == 0) {
		panic("audittrail: ObjectLockMode and ObjectLockDays go together")
	}
	for i := range props.Writers {
		if props.Writers[i].TrailName == "" {
			props.Writers[i].TrailName = DefaultTrailName
		}
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	partition := *stack.Partition()
	var trailArns, accounts []string
	for _, w := range props.Writers {
		trailArns = append(trailArns, TrailArn(partition, w.Region, w.AccountID, w.TrailName))
		accounts = append(accounts, w.AccountID)
	}

	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the baseline's CloudTrail log files and log group"),
		Alias:             jsii.String(props.KeyAlias),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	addKeyStatements(key, stack, partition, props, trailArns, accounts)
	keypolicy.DenyGrants(key)

	accessLogs := awss3.NewBucket(c, jsii.String("AccessLogBucket"), &awss3.BucketProps{
		BucketName: jsii.String(fmt.Sprintf("%s-%s-%s", accessLogsPrefix, *stack.Account(), *stack.Region())),
		// Server access logs can only be delivered to SSE-S3 buckets.
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:         jsii.Bool(true),
		EnforceSSL:        jsii.Bool(true),
		MinimumTLSVersion: jsii.Number(1.2),
		LifecycleRules:    lifecycle(props),
		// Access-log files are a few KB each: they stay in Standard.
		TransitionDefaultMinimumObjectSize: minimumTransitionSize,
		RemovalPolicy:                      awscdk.RemovalPolicy_RETAIN,
	})

	bucketProps := &awss3.BucketProps{
		BucketName:             jsii.String(props.BucketName),
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		BucketKeyEnabled:       jsii.Bool(true),
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		Versioned:              jsii.Bool(true),
		EnforceSSL:             jsii.Bool(true),
		MinimumTLSVersion:      jsii.Number(1.2),
		ServerAccessLogsBucket: accessLogs,
		ServerAccessLogsPrefix: jsii.String(props.BucketName + "/"),
		LifecycleRules:         lifecycle(props),
		// Log files under 128 KB stay in Standard, see minimumTransitionSize.
		TransitionDefaultMinimumObjectSize: minimumTransitionSize,
		RemovalPolicy:                      awscdk.RemovalPolicy_RETAIN,
	}
	if props.ObjectLockMode != ObjectLockOff {
		bucketProps.ObjectLockEnabled = jsii.Bool(true)
		days := awscdk.Duration_Days(jsii.Number(float64(props.ObjectLockDays)))
		if props.ObjectLockMode == ObjectLockCompliance {
			bucketProps.ObjectLockDefaultRetention = awss3.ObjectLockRetention_Compliance(days)
		} else {
			bucketProps.ObjectLockDefaultRetention = awss3.ObjectLockRetention_Governance(days)
		}
	}
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), bucketProps)
	noReplication := &cdknag.NagPackSuppression{
		Id: jsii.String("NIST.800.53.R5-S3BucketReplicationEnabled"),
		Reason: jsii.String("Audit logs are protected by versioning, the deletion deny, log-file validation and optional Object Lock; " +
			"a second copy belongs in a separate log archive account (logArchive: true), not a replica the same account controls"),
	}
	cdknag.NagSuppressions_AddResourceSuppressions(bucket, &[]*cdknag.NagPackSuppression{noReplication}, jsii.Bool(false))
	cdknag.NagSuppressions_AddResourceSuppressions(accessLogs, &[]*cdknag.NagPackSuppression{noReplication, {
		Id:     jsii.String("NIST.800.53.R5-S3DefaultEncryptionKMS"),
		Reason: jsii.String("S3 delivers server access logs only to buckets encrypted with SSE-S3, not SSE-KMS"),
	}, {
		Id:     jsii.String("AwsSolutions-S1"),
		Reason: jsii.String("This is the access-log bucket itself; logging it into itself would loop"),
	}, {
		Id:     jsii.String("NIST.800.53.R5-S3BucketLoggingEnabled"),
		Reason: jsii.String("This is the access-log bucket itself; logging it into itself would loop"),
	}}, jsii.Bool(false))
	addBucketStatements(bucket, stack, partition, props, trailArns, accounts)
	for _, b := range []awss3.Bucket{accessLogs, bucket} {
		sendEventsToEventBridge(b)
	}
	denyTampering(accessLogs, stack, partition, props.DeployRoleArn, props.BreakGlassRoleArns)

	return &Archive{Construct: c, Key: key, Bucket: bucket, AccessLogBucket: accessLogs}
}

// minimumTransitionSize is the buckets' TransitionDefaultMinimumObjectSize,
// set on purpose rather than left to S3's default. Since September 2024 S3
// does not transition objects smaller than 128 KB unless the lifecycle
// configuration says otherwise
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html);
// the value all_storage_classes_128K is that default, written down. The
// other value, varies_by_storage_class, only lets small objects into
// Glacier Flexible Retrieval and Deep Archive
// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html),
// while the baseline transitions to Glacier Instant Retrieval, so it would
// change nothing here. And moving small files would not pay: Glacier
// Instant Retrieval bills every object as at least 128 KB and charges a
// request per transitioned object
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/storage-class-intro.html,
// https://aws.amazon.com/s3/pricing/), so at $0.023 against $0.004 per
// GB-month a file under about 22 KB costs more there than in Standard.
// CloudTrail writes a file per region about every five minutes, so most
// files of a small account are a few KB: they stay in Standard until they
// expire, and only the larger ones move. The cost model (report/cost.go,
// usage smallLogFileShare in report/pricing.yaml) prices it that way.
const minimumTransitionSize = awss3.TransitionDefaultMinimumObjectSize_ALL_STORAGE_CLASSES_128_K

// sendEventsToEventBridge turns on S3's delivery of the bucket's events to
// EventBridge (AWS Control Tower's CT.S3.PR.4 asks for event notifications
// on every bucket). It is set on the L1 bucket: the L2's
// eventBridgeEnabled would add a Lambda-backed custom resource to do the
// same. S3 sends every event of the bucket to the account's default bus
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html),
// where events that AWS services publish cost nothing
// (https://aws.amazon.com/eventbridge/pricing/): no rule of the baseline
// matches them, and a security team can add one, e.g. for deleted objects.
func sendEventsToEventBridge(b awss3.Bucket) {
	b.Node().DefaultChild().(awss3.CfnBucket).SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
		EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
	})
}

func lifecycle(props ArchiveProps) *[]*awss3.LifecycleRule {
	return &[]*awss3.LifecycleRule{{
		Id:      jsii.String("RetainThenExpire"),
		Enabled: jsii.Bool(true),
		Transitions: &[]*awss3.Transition{{
			StorageClass:    awss3.StorageClass_GLACIER_INSTANT_RETRIEVAL(),
			TransitionAfter: awscdk.Duration_Days(jsii.Number(float64(props.TransitionDays))),
		}},
		Expiration:                          awscdk.Duration_Days(jsii.Number(float64(props.ExpirationDays))),
		NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(float64(props.NoncurrentExpirationDays))),
		AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
	}}
}

func addKeyStatements(key awskms.Key, stack awscdk.Stack, partition string, props ArchiveProps, trailArns, accounts []string) {
	add := func(s *awsiam.PolicyStatementProps) {
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(s), jsii.Bool(false))
	}
	cloudtrail := &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil)}
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudTrailEncryptsLogsOfTheBaselineTrails"),
		Principals: cloudtrail,
		Actions:    jsii.Strings("kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceArn": trailArns},
			"StringLike":   map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": trailArns},
		},
	})
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudTrailDescribesTheKey"),
		Principals: cloudtrail,
		Actions:    jsii.Strings("kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailArns}},
	})
	readers := make([]awsiam.IPrincipal, len(accounts))
	for i, a := range accounts {
		readers[i] = awsiam.NewAccountPrincipal(jsii.String(a))
	}
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("WriterAccountsDecryptTheirLogFiles"),
		Principals: &readers,
		Actions:    jsii.Strings("kms:Decrypt", "kms:ReEncryptFrom"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"kms:CallerAccount": accounts},
			"StringLike":   map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": trailArns},
		},
	})
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ConfigDeliversSnapshots"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": accounts}},
	})
	if len(props.LogGroupNames) > 0 {
		var arns []string
		for _, name := range props.LogGroupNames {
			arns = append(arns, fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, *stack.Region(), *stack.Account(), name))
		}
		add(logsKeyStatement(stack, arns))
	}
}

// logsKeyStatement lets the regional CloudWatch Logs service use a key for
// the named log groups only.
func logsKeyStatement(stack awscdk.Stack, logGroupArns []string) *awsiam.PolicyStatementProps {
	return &awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsEncryptsTheTrailLogGroup"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": logGroupArns},
		},
	}
}

func addBucketStatements(bucket awss3.Bucket, stack awscdk.Stack, partition string, props ArchiveProps, trailArns, accounts []string) {
	add := func(s *awsiam.PolicyStatementProps) { bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(s)) }
	service := func(name string) *[]awsiam.IPrincipal {
		return &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(name), nil)}
	}
	bucketArn := *bucket.BucketArn()
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudTrailChecksTheBucketAcl"),
		Principals: service("cloudtrail.amazonaws.com"),
		Actions:    jsii.Strings("s3:GetBucketAcl"),
		Resources:  jsii.Strings(bucketArn),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailArns}},
	})
	for i, w := range props.Writers {
		add(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudTrailWritesLogsOf" + w.AccountID),
			Principals: service("cloudtrail.amazonaws.com"),
			Actions:    jsii.Strings("s3:PutObject"),
			Resources:  jsii.Strings(fmt.Sprintf("%s/AWSLogs/%s/*", bucketArn, w.AccountID)),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl":  "bucket-owner-full-control",
				"aws:SourceArn": trailArns[i],
			}},
		})
	}
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ConfigChecksTheBucket"),
		Principals: service("config.amazonaws.com"),
		Actions:    jsii.Strings("s3:GetBucketAcl", "s3:ListBucket"),
		Resources:  jsii.Strings(bucketArn),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": accounts}},
	})
	for _, a := range accounts {
		add(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("ConfigDeliversSnapshotsOf" + a),
			Principals: service("config.amazonaws.com"),
			Actions:    jsii.Strings("s3:PutObject"),
			Resources:  jsii.Strings(fmt.Sprintf("%s/%s/AWSLogs/%s/Config/*", bucketArn, ConfigPrefix, a)),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl":      "bucket-owner-full-control",
				"aws:SourceAccount": a,
			}},
		})
	}

	denyTampering(bucket, stack, partition, props.DeployRoleArn, props.BreakGlassRoleArns)
}

// denyTampering is the break-glass path: only the break-glass roles may
// delete log files; they and CloudFormation's deploy role may change the
// bucket's policy, lifecycle, versioning, encryption and logging. Without
// break-glass roles, the account root user is the only deleter. The root
// user can also always replace a bucket policy (S3's lockout protection):
// that is the last resort, and it raises the root-activity alarms.
func denyTampering(bucket awss3.Bucket, stack awscdk.Stack, partition, deployRole string, breakGlassRoleArns []string) {
	bucketArn := *bucket.BucketArn()
	if deployRole == "" {
		deployRole = CDKExecutionRoleArn(stack)
	}
	breakGlass := append([]string{}, breakGlassRoleArns...)
	deleters := breakGlass
	if len(deleters) == 0 {
		deleters = []string{fmt.Sprintf("arn:%s:iam::%s:root", partition, *stack.Account())}
	}
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DenyLogDeletionExceptBreakGlass"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		// ReplicateDelete writes delete markers, as a replication role
		// does into a destination bucket.
		Actions: jsii.Strings("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ReplicateDelete",
			"s3:PutObjectRetention", "s3:PutObjectLegalHold", "s3:BypassGovernanceRetention"),
		Resources:  jsii.Strings(bucketArn + "/*"),
		Conditions: &map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": deleters}},
	}))
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DenyBucketTamperingExceptDeployAndBreakGlass"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		// Every change to the bucket itself: on the bucket's ARN (not its
		// objects') every Create/Put/Update/Delete/Pause action and tagging
		// is a bucket setting (policy, lifecycle, replication, request
		// payment, notifications, metadata tables, ...), and the wildcards
		// take in the settings AWS adds. test/tamper_test.go checks every
		// changing action of the SAR's bucket resource type against this.
		Actions: jsii.Strings("s3:Create*", "s3:Put*", "s3:Update*", "s3:Delete*", "s3:Pause*",
			"s3:TagResource", "s3:UntagResource"),
		Resources:  jsii.Strings(bucketArn),
		Conditions: &map[string]any{"ArnNotLike": map[string]any{"aws:PrincipalArn": append([]string{deployRole}, breakGlass...)}},
	}))
}
