// Package naming is the one place where the baseline's resource names are
// made. Every construct's default name and every protection that names
// those resources (the operator role's deny in accessmodel, the log
// archive's bucket policy) derive from these values, so that a rename here
// moves the resource and its protection together, and no package spells
// another package's names.
//
// The names are fixed, not random: the operator deny, the review report and
// people reading CloudTrail find the baseline's resources by them. Changing
// one renames, and so replaces, the resource it names.
package naming

import (
	"fmt"
	"strings"
)

// Prefix starts the name of every resource the baseline creates.
const Prefix = "baseline"

// Prefixes that the protections match with a wildcard: whatever starts with
// one of them is the baseline's.
const (
	// NamePrefix starts the baseline's buckets, alarms, metric filters,
	// EventBridge rules, Config rules and analyzers.
	NamePrefix = Prefix + "-"
	// KeyAliasPrefix starts the alias of every baseline KMS key.
	KeyAliasPrefix = "alias/" + Prefix + "/"
	// LogGroupPrefix starts the name of every baseline log group.
	LogGroupPrefix = "/" + Prefix + "/"
)

// Names of single resources.
const (
	// TrailName is the baseline trail.
	TrailName = NamePrefix + "trail"
	// TrailLogGroup is the trail's CloudWatch Logs group, which the alarms
	// watch.
	TrailLogGroup = LogGroupPrefix + "cloudtrail"
	// CustomResourceLogGroup is the log group of the SDK-call custom
	// resources' function.
	CustomResourceLogGroup = LogGroupPrefix + "sdkcall"
	// ArchiveKeyAlias is the log archive's key (log files, Config delivery,
	// and the trail's log group in the archive's own account).
	ArchiveKeyAlias = KeyAliasPrefix + "cloudtrail"
	// TrailLogsKeyAlias is the trail log group's own key, where the archive
	// is in another account.
	TrailLogsKeyAlias = KeyAliasPrefix + "cloudtrail-logs"
	// OrganizationTrailName is organization mode's organization trail, in
	// the management account, beside that account's own TrailName.
	OrganizationTrailName = NamePrefix + "organization-trail"
	// OrganizationTrailLogGroup receives the organization trail's events
	// (every account's), which the organization alarms watch.
	OrganizationTrailLogGroup = LogGroupPrefix + "organization-cloudtrail"
	// OrganizationTrailLogsKeyAlias is that log group's key.
	OrganizationTrailLogsKeyAlias = KeyAliasPrefix + "organization-cloudtrail-logs"
	// OrganizationAlarmPrefix starts the organization alarms and their
	// metric filters: the management account's own alarms, in the same
	// account and region, are AlarmPrefix + id.
	OrganizationAlarmPrefix = NamePrefix + "org-"
	// AlarmTopic is the SNS topic of the alarms and findings.
	AlarmTopic = NamePrefix + "alarms"
	// AlarmKeyAlias is the alarm topic's key.
	AlarmKeyAlias = KeyAliasPrefix + "alarms"
	// AlarmPrefix starts every alarm and metric filter name.
	AlarmPrefix = NamePrefix
	// RulePrefix starts every EventBridge rule name.
	RulePrefix = NamePrefix
	// GuardDutyRule, SecurityHubRule and InspectorRule are the finding routes' rules.
	GuardDutyRule   = RulePrefix + "guardduty-findings"
	SecurityHubRule = RulePrefix + "securityhub-findings"
	InspectorRule   = RulePrefix + "inspector-findings"
	// ConfigRecorder and ConfigDeliveryChannel are AWS Config's.
	ConfigRecorder        = Prefix
	ConfigDeliveryChannel = Prefix
	// ConfigKeyPrefix is where AWS Config delivers in the log bucket.
	ConfigKeyPrefix = "config"
	// StackSetPrefix starts the names of the baseline's StackSets.
	StackSetPrefix = Prefix
)

// Names of the access model: IAM names, in IAM's PascalCase.
const (
	AdminRole         = "BaselineAdmin"
	OperatorRole      = "BaselineOperator"
	ReadOnlyRole      = "BaselineReadOnly"
	AdminGroup        = "BaselineAdmins"
	OperatorGroup     = "BaselineOperators"
	ReadOnlyGroup     = "BaselineReadOnlyUsers"
	BreakGlassGroup   = "BaselineBreakGlass"
	SelfServicePolicy = "BaselineSelfServiceMfa"
	// OwnerTagKey marks the CloudFormation stacks the operator owns.
	OwnerTagKey = Prefix + ":owner"
)

// CDKBootstrapQualifier is the CDK bootstrap's default qualifier: its
// roles are named cdk-<qualifier>-<role>-<account>-<region>
// (https://docs.aws.amazon.com/cdk/v2/guide/bootstrapping-env.html).
const CDKBootstrapQualifier = "hnb659fds"

// LogBucket is the log archive bucket of the account and region that own it.
func LogBucket(accountID, region string) string {
	return fmt.Sprintf("%scloudtrail-%s-%s", NamePrefix, accountID, region)
}

// AccessLogBucket is the bucket that receives the log bucket's S3 server
// access logs.
func AccessLogBucket(accountID, region string) string {
	return fmt.Sprintf("%ss3-access-logs-%s-%s", NamePrefix, accountID, region)
}

// ConfigRule is the name of the baseline's copy of an AWS managed Config
// rule, from its source identifier (e.g. IAM_ROOT_ACCESS_KEY_CHECK).
func ConfigRule(identifier string) string {
	return NamePrefix + strings.ToLower(strings.ReplaceAll(identifier, "_", "-"))
}

// Analyzer is the IAM Access Analyzer of a zone of trust ("ACCOUNT" or
// "ORGANIZATION").
func Analyzer(zone string) string {
	return NamePrefix + strings.ToLower(zone)
}

// CDKExecutionRole is the CDK bootstrap's CloudFormation execution role of
// an account and region, the role `cdk deploy` deploys stacks with.
func CDKExecutionRole(partition, accountID, region string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/cdk-%s-cfn-exec-role-%s-%s", partition, accountID, CDKBootstrapQualifier, accountID, region)
}

// KeyAliasPattern is KeyAliasPrefix without "alias/", as IAM's
// kms:RequestAlias and alias ARNs (alias/<name>) need it after "alias/".
func KeyAliasPattern() string { return strings.TrimPrefix(KeyAliasPrefix, "alias/") }
