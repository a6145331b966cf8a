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
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/keypolicy"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// Names the baseline gives its trail resources, from the one naming
// strategy (constructs/naming) that the protections use too.
const (
	DefaultTrailName = naming.TrailName
	DefaultKeyAlias  = naming.ArchiveKeyAlias
	DefaultLogGroup  = naming.TrailLogGroup
	// ConfigPrefix is where AWS Config delivers in the bucket; the bucket
	// policy lets Config write there only.
	ConfigPrefix = naming.ConfigKeyPrefix
)

// Lifecycle defaults of the log files, as in config/defaults.yaml.
const (
	DefaultTransitionDays           = 90
	DefaultExpirationDays           = 2557 // 7 years
	DefaultNoncurrentExpirationDays = 90
)

// organizationIDPattern is the Organization's Id pattern
// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html).
var organizationIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)

// BucketName is the name of the log bucket owned by an account's home stack.
func BucketName(accountID, region string) string { return naming.LogBucket(accountID, region) }

// KeyAliasArn is the ARN of the archive key's alias in an account: how
// other stacks name the key, since its key id is only known once deployed.
func KeyAliasArn(partition, region, accountID string) string {
	return fmt.Sprintf("arn:%s:kms:%s:%s:%s", partition, region, accountID, DefaultKeyAlias)
}

// serverAccessLogsUseBucketPolicy is aws-cdk-lib's feature flag that makes
// a bucket accept server access logs by a bucket policy statement for
// logging.s3.amazonaws.com instead of the LogDeliveryWrite ACL.
const serverAccessLogsUseBucketPolicy = "@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy"

// TrailArn is the ARN of the baseline trail of an account.
func TrailArn(partition, region, accountID, trailName string) string {
	return fmt.Sprintf("arn:%s:cloudtrail:%s:%s:trail/%s", partition, region, accountID, trailName)
}

// Writer is an account whose trail (and AWS Config) delivers to the archive.
type Writer struct {
	// AccountID of the writer. Required.
	AccountID string
	// Region is where the writer's trail lives (its home region).
	// Required unless NoTrail.
	Region string
	// TrailName of the writer's trail. Default: DefaultTrailName.
	TrailName string
	// OrganizationID (o-...) makes the writer's trail an organization
	// trail of the organization whose management account is AccountID.
	// CloudTrail writes the management account's log files under
	// AWSLogs/<AccountID>/ and every member account's under
	// AWSLogs/<OrganizationID>/<member>/, both with aws:SourceArn the
	// trail's ARN: AWS's bucket policy for an organization trail
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy).
	// Such a writer delivers its trail only: AWS Config of the management
	// account keeps its own bucket. Default: "" (an account's own trail).
	OrganizationID string
	// NoTrail: the account has no trail of its own (an organization trail
	// logs it) and delivers AWS Config snapshots only. Default: false.
	NoTrail bool
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

// ArchiveProps configure an Archive. The zero value is a complete archive
// for the stack's own account: its trail in the stack's region, logs kept
// 7 years.
type ArchiveProps struct {
	// BucketName of the log bucket.
	// Default: BucketName(this stack's account, this stack's region).
	BucketName string
	// KeyAlias of the archive's KMS key. Default: DefaultKeyAlias.
	KeyAlias string
	// Writers are the accounts that deliver to this archive.
	// Default: this stack's account, its trail DefaultTrailName in this
	// stack's region.
	Writers []Writer
	// LogGroupNames of log groups in this stack's account and region that
	// may use the key (local mode: the trail's own log group).
	// Default: none.
	LogGroupNames []string
	// TransitionDays moves log files to Glacier Instant Retrieval.
	// Default: DefaultTransitionDays (90).
	TransitionDays int
	// ExpirationDays deletes log files.
	// Default: DefaultExpirationDays (2557, 7 years).
	ExpirationDays int
	// NoncurrentExpirationDays deletes non-current versions.
	// Default: DefaultNoncurrentExpirationDays (90).
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
	// Key encrypts the log files (and Config's deliveries).
	Key awskms.IKey
	// Bucket holds the log files; its policy is Bucket.Policy().
	Bucket awss3.IBucket
	// AccessLogBucket receives Bucket's S3 server access logs.
	AccessLogBucket awss3.IBucket
	// BucketName is Bucket's name, as a literal (Bucket.BucketName() is a
	// reference).
	BucketName string
	// LogGroupNames may use Key (ArchiveProps.LogGroupNames).
	LogGroupNames []string
}

// NewArchive builds the log archive.
func NewArchive(scope constructs.Construct, id string, props ArchiveProps) *Archive {
	c := constructs.NewConstruct(scope, jsii.String(id))
	// The access-log bucket takes S3's server access logs by a bucket
	// policy statement for logging.s3.amazonaws.com, never the
	// LogDeliveryWrite ACL: its ObjectOwnership is BucketOwnerEnforced,
	// which disables ACLs, as AWS recommends
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html:
	// "we recommend that you use a bucket policy" for log delivery
	// permissions). aws-cdk-lib picks the policy only under this feature
	// flag and else sets the ACL, which a BucketOwnerEnforced bucket
	// refuses. Set on this construct before its children exist, the flag
	// holds for them whatever the app's context says (a construct reads
	// context from the nearest node that sets it), so the archive works in
	// a bare app and no app can switch it back to ACLs.
	c.Node().SetContext(jsii.String(serverAccessLogsUseBucketPolicy), true)
	stack := awscdk.Stack_Of(c)
	if props.BucketName == "" {
		props.BucketName = BucketName(*stack.Account(), *stack.Region())
	}
	if len(props.Writers) == 0 {
		props.Writers = []Writer{{AccountID: *stack.Account(), Region: *stack.Region()}}
	}
	if props.KeyAlias == "" {
		props.KeyAlias = DefaultKeyAlias
	}
	if props.TransitionDays == 0 {
		props.TransitionDays = DefaultTransitionDays
	}
	if props.ExpirationDays == 0 {
		props.ExpirationDays = DefaultExpirationDays
	}
	if props.NoncurrentExpirationDays == 0 {
		props.NoncurrentExpirationDays = DefaultNoncurrentExpirationDays
	}
	if props.TransitionDays < 1 || props.ExpirationDays <= props.TransitionDays || props.NoncurrentExpirationDays < 1 {
		panic(fmt.Sprintf("audittrail: lifecycle days must satisfy 1 <= transition (%d) < expiration (%d), noncurrent (%d) >= 1",
			props.TransitionDays, props.ExpirationDays, props.NoncurrentExpirationDays))
	}
	switch props.ObjectLockMode {
	case ObjectLockOff, ObjectLockGovernance, ObjectLockCompliance:
	default:
		panic(fmt.Sprintf("audittrail: ObjectLockMode %q is not GOVERNANCE or COMPLIANCE (or empty for no Object Lock)", props.ObjectLockMode))
	}
	if props.ObjectLockDays < 0 || (props.ObjectLockMode == ObjectLockOff) != (props.ObjectLockDays == 0) {
		panic(fmt.Sprintf("audittrail: ObjectLockMode %q and ObjectLockDays %d go together: set both (days > 0) or neither", props.ObjectLockMode, props.ObjectLockDays))
	}
	for i := range props.Writers {
		if props.Writers[i].TrailName == "" {
			props.Writers[i].TrailName = DefaultTrailName
		}
	}

	partition := *stack.Partition()
	// trails are the writers with a trail, trailArns their ARNs; accounts
	// decrypt their own log files; configAccounts deliver Config.
	var trails []Writer
	var trailArns, accounts, configAccounts []string
	for _, w := range props.Writers {
		if w.OrganizationID != "" && (w.NoTrail || !organizationIDPattern.MatchString(w.OrganizationID)) {
			panic(fmt.Sprintf("audittrail: Writer %s: OrganizationID %q must be an organization id like o-a1b2c3d4e5, of a writer with a trail", w.AccountID, w.OrganizationID))
		}
		if !w.NoTrail {
			trails = append(trails, w)
			trailArns = append(trailArns, TrailArn(partition, w.Region, w.AccountID, w.TrailName))
			accounts = append(accounts, w.AccountID)
		}
		if w.OrganizationID == "" {
			configAccounts = append(configAccounts, w.AccountID)
		}
	}

	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the baseline's CloudTrail log files and log group"),
		Alias:             jsii.String(props.KeyAlias),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	addKeyStatements(key, stack, partition, props, trailArns, accounts, configAccounts)
	keypolicy.DenyGrants(key)

	accessLogs := awss3.NewBucket(c, jsii.String("AccessLogBucket"), &awss3.BucketProps{
		BucketName: jsii.String(naming.AccessLogBucket(*stack.Account(), *stack.Region())),
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
	addBucketStatements(bucket, stack, partition, trails, trailArns, configAccounts)
	denyTampering(bucket, stack, partition, props.DeployRoleArn, props.BreakGlassRoleArns)
	for _, b := range []awss3.Bucket{accessLogs, bucket} {
		sendEventsToEventBridge(b)
	}
	denyTampering(accessLogs, stack, partition, props.DeployRoleArn, props.BreakGlassRoleArns)

	return &Archive{Construct: c, Key: key, Bucket: bucket, AccessLogBucket: accessLogs,
		BucketName: props.BucketName, LogGroupNames: props.LogGroupNames}
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

func addKeyStatements(key awskms.Key, stack awscdk.Stack, partition string, props ArchiveProps, trailArns, accounts, configAccounts []string) {
	add := func(s *awsiam.PolicyStatementProps) {
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(s), jsii.Bool(false))
	}
	if len(trailArns) > 0 {
		addTrailKeyStatements(add, trailArns, accounts)
	}
	if len(configAccounts) > 0 {
		add(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("ConfigDeliversSnapshots"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": configAccounts}},
		})
	}
	if len(props.LogGroupNames) > 0 {
		var arns []string
		for _, name := range props.LogGroupNames {
			arns = append(arns, fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, *stack.Region(), *stack.Account(), name))
		}
		add(logsKeyStatement(stack, arns))
	}
}

// addTrailKeyStatements let CloudTrail encrypt the log files of the
// trails and describe the key, and the trails' accounts decrypt them. An
// organization trail encrypts every member's log files with its own ARN as
// the encryption context aws:cloudtrail:arn (the ARN of the trail in the
// management account), so the same statements admit it
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html).
func addTrailKeyStatements(add func(*awsiam.PolicyStatementProps), trailArns, accounts []string) {
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

func addBucketStatements(bucket awss3.Bucket, stack awscdk.Stack, partition string, trails []Writer, trailArns, configAccounts []string) {
	add := func(s *awsiam.PolicyStatementProps) { bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(s)) }
	service := func(name string) *[]awsiam.IPrincipal {
		return &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(name), nil)}
	}
	bucketArn := *bucket.BucketArn()
	if len(trails) > 0 {
		add(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudTrailChecksTheBucketAcl"),
			Principals: service("cloudtrail.amazonaws.com"),
			Actions:    jsii.Strings("s3:GetBucketAcl"),
			Resources:  jsii.Strings(bucketArn),
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceArn": trailArns}},
		})
	}
	writes := func(sid, prefix, trailArn string) {
		add(&awsiam.PolicyStatementProps{
			Sid:        jsii.String(sid),
			Principals: service("cloudtrail.amazonaws.com"),
			Actions:    jsii.Strings("s3:PutObject"),
			Resources:  jsii.Strings(fmt.Sprintf("%s/AWSLogs/%s/*", bucketArn, prefix)),
			Conditions: &map[string]any{"StringEquals": map[string]any{
				"s3:x-amz-acl":  "bucket-owner-full-control",
				"aws:SourceArn": trailArn,
			}},
		})
	}
	for i, w := range trails {
		writes("CloudTrailWritesLogsOf"+w.AccountID, w.AccountID, trailArns[i])
		if w.OrganizationID != "" {
			// Member accounts' log files, AWSLogs/<org id>/<account>/...;
			// only this trail, whose ARN is in the management account,
			// may write there.
			writes("CloudTrailWritesOrganizationLogsOf"+strings.ReplaceAll(w.OrganizationID, "-", ""), w.OrganizationID, trailArns[i])
		}
	}
	if len(configAccounts) == 0 {
		return
	}
	add(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ConfigChecksTheBucket"),
		Principals: service("config.amazonaws.com"),
		Actions:    jsii.Strings("s3:GetBucketAcl", "s3:ListBucket"),
		Resources:  jsii.Strings(bucketArn),
		Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": configAccounts}},
	})
	for _, a := range configAccounts {
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
