package report

// Controls is the review's rule table: every Security Hub control in the
// baseline's scope, one row each, in report order. Titles are the
// Security Hub user guide's, each control's page is Control.URL
// (https://docs.aws.amazon.com/securityhub/latest/userguide/<service>-controls.html#<service>-<n>);
// Checks is one line on what Security Hub evaluates there. Each Rule reads
// templates only, never the config: an OPT-OUT names the config key that a
// template's shape reveals (review_checks.go holds the rule functions).
//
// Left out of scope on purpose: S3.19, S3.24 and S3.25 (access points,
// Multi-Region Access Points, directory buckets: the baseline creates
// none), and CloudTrail.9/CloudTrail.10 (tagging, event data stores).
var Controls = []Control{
	// CloudTrail: the account's trail, in its home stack.
	{"CloudTrail.1", "CloudTrail should be enabled and configured with at least one multi-Region trail that includes read and write management events",
		"a multi-Region trail logs read and write management events and excludes no event source", AccountScope, trailMultiRegionReadWrite},
	{"CloudTrail.2", "CloudTrail should have encryption at-rest enabled",
		"the trail names a KMS key (KmsKeyId) for its log files", AccountScope, trailCheck("KMSKeyId", "the trail's log files are SSE-S3, not SSE-KMS")},
	{"CloudTrail.3", "At least one CloudTrail trail should be enabled",
		"the account has a trail that is logging", AccountScope, trailCheck("IsLogging", "the trail is not logging")},
	{"CloudTrail.4", "CloudTrail log file validation should be enabled",
		"the trail writes signed digest files", AccountScope, trailCheck("EnableLogFileValidation", "log file validation is off")},
	{"CloudTrail.5", "CloudTrail trails should be integrated with Amazon CloudWatch Logs",
		"the trail's CloudWatchLogsLogGroupArn is set", AccountScope, trailCheck("CloudWatchLogsLogGroupArn", "the trail sends no events to CloudWatch Logs")},
	{"CloudTrail.6", "Ensure the S3 bucket used to store CloudTrail logs is not publicly accessible",
		"the trail's bucket is not public (evaluated where the bucket lives)", AccountScope, trailBucket(publicAccessBlocked)},
	{"CloudTrail.7", "Ensure S3 bucket access logging is enabled on the CloudTrail S3 bucket",
		"the trail's bucket has server access logging (evaluated where the bucket lives)", AccountScope, trailBucket(accessLogged)},

	// CloudWatch.1-14: a metric filter with the exact CIS pattern on the
	// trail's log group, an alarm on its metric, a topic with a subscriber.
	{"CloudWatch.1", `A log metric filter and alarm should exist for usage of the "root" user`, cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.1")},
	{"CloudWatch.2", "Ensure a log metric filter and alarm exist for unauthorized API calls", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.2")},
	{"CloudWatch.3", "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.3")},
	{"CloudWatch.4", "Ensure a log metric filter and alarm exist for IAM policy changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.4")},
	{"CloudWatch.5", "Ensure a log metric filter and alarm exist for CloudTrail configuration changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.5")},
	{"CloudWatch.6", "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.6")},
	{"CloudWatch.7", "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.7")},
	{"CloudWatch.8", "Ensure a log metric filter and alarm exist for S3 bucket policy changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.8")},
	{"CloudWatch.9", "Ensure a log metric filter and alarm exist for AWS Config configuration changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.9")},
	{"CloudWatch.10", "Ensure a log metric filter and alarm exist for security group changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.10")},
	{"CloudWatch.11", "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.11")},
	{"CloudWatch.12", "Ensure a log metric filter and alarm exist for changes to network gateways", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.12")},
	{"CloudWatch.13", "Ensure a log metric filter and alarm exist for route table changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.13")},
	{"CloudWatch.14", "Ensure a log metric filter and alarm exist for VPC changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.14")},
	{"CloudWatch.15", "CloudWatch alarms should have specified actions configured",
		"every metric alarm has an action for the ALARM state", AccountScope, everyAlarm("AlarmActions", "has no alarm action")},
	{"CloudWatch.16", "CloudWatch log groups should be retained for a specified time period",
		"every log group keeps its events at least 365 days", RegionScope, logRetention},
	{"CloudWatch.17", "CloudWatch alarm actions should be activated",
		"no metric alarm has ActionsEnabled false", AccountScope, everyAlarm("ActionsEnabled", "has its actions turned off")},

	// AWS Config, per region.
	{"Config.1", "AWS Config should be enabled and use the service-linked role for resource recording",
		"a recorder with the service-linked role records every type the region's controls need (IAM types outside linked regions)", RegionScope, configRecorder},

	// S3: the account's S3 Block Public Access, the log buckets, and the
	// trail's S3 data events.
	{"S3.1", "S3 general purpose buckets should have block public access settings enabled",
		"all four account-level Block Public Access settings are on", AccountScope, accountPublicAccessBlock},
	{"S3.2", "S3 general purpose buckets should block public read access", "the bucket permits no public read", AccountScope, logBuckets(publicAccessBlocked)},
	{"S3.3", "S3 general purpose buckets should block public write access", "the bucket permits no public write", AccountScope, logBuckets(publicAccessBlocked)},
	{"S3.5", "S3 general purpose buckets should require requests to use SSL", "the bucket policy denies requests without aws:SecureTransport", AccountScope, logBuckets(tlsOnly)},
	{"S3.6", "S3 general purpose bucket policies should restrict access to other AWS accounts",
		"the bucket policy allows no other account to change its policy, ACL or encryption", AccountScope, logBuckets(noForeignAdmin)},
	{"S3.7", "S3 general purpose buckets should use cross-Region replication", "the bucket replicates to another region", AccountScope,
		constant(notCovered("the baseline keeps one copy of the logs and sets up no replication; replicate the log bucket outside the baseline if you need a second region"))},
	{"S3.8", "S3 general purpose buckets should block public access", "all four bucket-level Block Public Access settings are on", AccountScope, logBuckets(publicAccessBlocked)},
	{"S3.9", "S3 general purpose buckets should have server access logging enabled", "the bucket has server access logging", AccountScope, logBuckets(accessLogged)},
	{"S3.10", "S3 general purpose buckets with versioning enabled should have Lifecycle configurations",
		"a versioned bucket has a lifecycle rule", AccountScope, logBuckets(versionedWithLifecycle)},
	{"S3.11", "S3 general purpose buckets should have event notifications enabled", "the bucket sends event notifications", AccountScope,
		constant(notCovered("the log buckets send no event notifications; the alarms watch the trail's log group instead"))},
	{"S3.12", "ACLs should not be used to manage user access to S3 general purpose buckets", "the bucket grants no access through ACLs", AccountScope, logBuckets(aclsDisabled)},
	{"S3.13", "S3 general purpose buckets should have Lifecycle configurations", "the bucket has a lifecycle rule", AccountScope, logBuckets(hasLifecycle)},
	{"S3.14", "S3 general purpose buckets should have versioning enabled", "versioning is on", AccountScope, logBuckets(versioned)},
	{"S3.15", "S3 general purpose buckets should have Object Lock enabled", "Object Lock is on", AccountScope, logBuckets(objectLocked)},
	{"S3.17", "S3 general purpose buckets should be encrypted at rest with AWS KMS keys", "default encryption is SSE-KMS", AccountScope, logBuckets(kmsEncrypted)},
	{"S3.20", "S3 general purpose buckets should have MFA delete enabled", "versioning has MFA delete", AccountScope,
		constant(notCovered("CloudFormation cannot turn on MFA delete; only the root user can, with the CLI; the bucket policy denies deleting log files instead"))},
	{"S3.22", "S3 general purpose buckets should log object-level write events",
		"a multi-Region trail logs write data events of every bucket", AccountScope, s3DataEvents("WriteOnly")},
	{"S3.23", "S3 general purpose buckets should log object-level read events",
		"a multi-Region trail logs read data events of every bucket", AccountScope, s3DataEvents("ReadOnly")},

	// KMS, per region.
	{"KMS.4", "AWS KMS key rotation should be enabled", "every customer managed key rotates", RegionScope, keyRotation},

	// IAM: the account password policy (home region), and the analyzer.
	{"IAM.7", "Password policies for IAM users should have strong configurations",
		"upper case, lower case, symbols, numbers, at least 8 characters", AccountScope, passwordPolicy(iam7)},
	{"IAM.8", "Unused IAM user credentials should be removed", "no IAM user has a password or key unused for 90 days", AccountScope,
		constant(notCovered("about the IAM users' own credentials, which the baseline neither creates nor removes"))},
	{"IAM.9", "MFA should be enabled for the root user", "the root user has MFA", AccountScope,
		constant(notCovered("CloudFormation cannot set the root user's MFA; set it up by hand (the root alarms watch root use)"))},
	{"IAM.10", "Password policies for IAM users should have strong configurations",
		"PCI DSS minimums: upper, lower, numbers, 7+ characters, no reuse of the last 4, expiry within 90 days", AccountScope, passwordPolicy(iam10)},
	{"IAM.11", "Ensure IAM password policy requires at least one uppercase letter", "RequireUppercaseCharacters", AccountScope, passwordPolicy(requires("RequireUppercaseCharacters"))},
	{"IAM.12", "Ensure IAM password policy requires at least one lowercase letter", "RequireLowercaseCharacters", AccountScope, passwordPolicy(requires("RequireLowercaseCharacters"))},
	{"IAM.13", "Ensure IAM password policy requires at least one symbol", "RequireSymbols", AccountScope, passwordPolicy(requires("RequireSymbols"))},
	{"IAM.14", "Ensure IAM password policy requires at least one number", "RequireNumbers", AccountScope, passwordPolicy(requires("RequireNumbers"))},
	{"IAM.15", "Ensure IAM password policy requires minimum password length of 14 or greater", "MinimumPasswordLength is 14 or more", AccountScope, passwordPolicy(iam15)},
	{"IAM.16", "Ensure IAM password policy prevents password reuse", "PasswordReusePrevention is 24", AccountScope, passwordPolicy(iam16)},
	{"IAM.17", "Ensure IAM password policy expires passwords within 90 days or less", "MaxPasswordAge is 1-90", AccountScope, passwordPolicy(iam17)},
	{"IAM.28", "IAM Access Analyzer external access analyzer should be enabled", "the region has an external access analyzer", RegionScope, accessAnalyzer},

	// One service each, per region.
	{"GuardDuty.1", "GuardDuty should be enabled", "the region has an enabled detector", RegionScope, guardDutyDetector},
	{"Inspector.1", "Amazon Inspector EC2 scanning should be enabled", "Inspector scans EC2 instances in the region", RegionScope, inspectorScan("EC2", "ec2")},
	{"Inspector.2", "Amazon Inspector ECR scanning should be enabled", "Inspector scans ECR container images in the region", RegionScope, inspectorScan("ECR", "ecr")},
	{"Inspector.3", "Amazon Inspector Lambda code scanning should be enabled", "Inspector scans Lambda functions' code in the region", RegionScope, inspectorScan("LAMBDA_CODE", "lambdaCode")},
	{"Inspector.4", "Amazon Inspector Lambda standard scanning should be enabled", "Inspector scans Lambda functions' packages in the region", RegionScope, inspectorScan("LAMBDA", "lambda")},
	{"EC2.7", "EBS default encryption should be enabled", "EBS encryption by default is on in the region", RegionScope, ebsDefaultEncryption},
	{"SNS.1", "SNS topics should be encrypted at-rest using AWS KMS", "every topic has a KMS key", RegionScope, topicEncryption},
}

// Controls that check global resources are decided on the home stack and,
// in a region where they are disabled, say so (checkedInHomeRegion).
func init() {
	for i, c := range Controls {
		Controls[i].Rule = checkedInHomeRegion(c.ID, c.Rule)
	}
}

const cisAlarmChecks = "a metric filter with the exact CIS pattern on a multi-Region trail's log group, an alarm on its metric, a topic with a subscriber"

func constant(r Result) func(*Target) Result { return func(*Target) Result { return r } }
