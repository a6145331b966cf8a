package verify

import (
	"fmt"
	"sort"
)

// Check is one entry of the catalog: what verify looks at, where the
// expectation comes from, the AWS operations it calls, the AWS page that
// documents the field it reads, and the finding it reports.
type Check struct {
	ID      string
	Source  string // "template": the synthesized stack says what to expect; "checklist": the account self-audit
	Control string // the Security Hub control id, where one exists
	What    string
	APIs    []string // the IAM actions it needs (service prefix:action), which README's policy grants
	Doc     string
	Finding string // the failing text; details follow it
	// Moto is true where moto_server answers every API the check calls, so
	// the end-to-end test exercises it; false where only the fake-client
	// unit tests do (the end-to-end test asserts that these report
	// "cannot check", never "pass").
	Moto bool
}

// Catalog lists every check, in report order.
var Catalog = []Check{
	// Baseline stacks.
	{ID: "stack-status", Source: "template", What: "baseline stack is deployed and in a COMPLETE state",
		APIs: []string{"cloudformation:DescribeStacks"}, Doc: "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html",
		Finding: "the stack is not in a healthy COMPLETE state", Moto: true},
	{ID: "stack-drift", Source: "template", What: "baseline stack has not drifted from its template",
		// DetectStackDrift is also authorized as DetectStackResourceDrift,
		// and CloudFormation reads each resource with the caller's own
		// read permissions (README; https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html).
		APIs:    []string{"cloudformation:DetectStackDrift", "cloudformation:DetectStackResourceDrift", "cloudformation:DescribeStackDriftDetectionStatus"},
		Doc:     "https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackDriftDetectionStatus.html",
		Finding: "resources of the stack were changed outside CloudFormation"},

	// CloudTrail.
	{ID: "trail-logging", Source: "template", Control: "CloudTrail.1", What: "trail exists and is logging",
		APIs: []string{"cloudtrail:GetTrailStatus"}, Doc: "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
		Finding: "the trail is not logging: API activity is not recorded", Moto: true},
	{ID: "trail-multi-region", Source: "template", Control: "CloudTrail.1", What: "trail is multi-region and includes global service events",
		APIs: []string{"cloudtrail:GetTrail"}, Doc: "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html",
		Finding: "the trail does not cover every region", Moto: true},
	{ID: "trail-validation", Source: "template", Control: "CloudTrail.4", What: "trail log file validation is on",
		APIs: []string{"cloudtrail:GetTrail"}, Doc: "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html",
		Finding: "log file validation is off: tampering with log files cannot be detected", Moto: true},
	{ID: "trail-delivery", Source: "template", Control: "CloudTrail.5", What: "trail's latest S3 and CloudWatch Logs deliveries have no error",
		APIs: []string{"cloudtrail:GetTrailStatus"}, Doc: "https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html",
		Finding: "the trail's latest delivery failed: logs are being lost", Moto: true},

	// AWS Config.
	{ID: "config-recorder", Source: "template", Control: "Config.1", What: "Config recorder is recording and its last status is SUCCESS",
		APIs: []string{"config:DescribeConfigurationRecorderStatus"}, Doc: "https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorderStatus.html",
		Finding: "the Config recorder is not recording successfully", Moto: true},
	{ID: "config-delivery", Source: "template", Control: "Config.1", What: "Config delivery channel's last deliveries succeeded",
		APIs: []string{"config:DescribeDeliveryChannelStatus"}, Doc: "https://docs.aws.amazon.com/config/latest/APIReference/API_DeliveryChannelStatus.html",
		Finding: "the Config delivery channel's last delivery failed"},

	// GuardDuty.
	{ID: "guardduty-detector", Source: "template", Control: "GuardDuty.1", What: "GuardDuty detector exists and is enabled",
		APIs: []string{"guardduty:ListDetectors", "guardduty:GetDetector"}, Doc: "https://docs.aws.amazon.com/guardduty/latest/APIReference/API_GetDetector.html",
		Finding: "GuardDuty is not enabled in this region", Moto: true},
	{ID: "guardduty-features", Source: "template", What: "GuardDuty features are as the template sets them",
		APIs: []string{"guardduty:ListDetectors", "guardduty:GetDetector"}, Doc: "https://docs.aws.amazon.com/guardduty/latest/APIReference/API_DetectorFeatureConfigurationResult.html",
		Finding: "a GuardDuty protection plan the baseline enables is off", Moto: true},

	// Security Hub.
	{ID: "securityhub-standards", Source: "template", What: "Security Hub standards the template enables are enabled and READY",
		APIs: []string{"securityhub:GetEnabledStandards"}, Doc: "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StandardsSubscription.html",
		Finding: "a Security Hub standard of the baseline is not enabled"},
	{ID: "securityhub-controls", Source: "template", What: "Security Hub controls are disabled exactly as the template says",
		APIs: []string{"securityhub:GetEnabledStandards", "securityhub:DescribeStandardsControls"}, Doc: "https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StandardsControl.html",
		Finding: "a Security Hub control's status differs from the baseline"},

	// Alarms and their topic.
	{ID: "alarms", Source: "template", What: "every baseline alarm exists, has actions enabled and is not in ALARM (each result names the alarm's own CloudWatch.N control)",
		APIs: []string{"cloudwatch:DescribeAlarms"}, Doc: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html",
		Finding: "an alarm is missing, silenced or firing", Moto: true},
	{ID: "topic-subscriptions", Source: "template", What: "every subscription of the alarm topic is confirmed",
		APIs: []string{"sns:ListSubscriptionsByTopic"}, Doc: "https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html",
		Finding: "a subscription is missing or pending confirmation: alarms reach nobody there", Moto: true},

	// Account-wide settings.
	{ID: "password-policy", Source: "template", Control: "IAM.7", What: "IAM password policy is the template's",
		APIs: []string{"iam:GetAccountPasswordPolicy"}, Doc: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_PasswordPolicy.html",
		Finding: "the password policy is weaker than, or differs from, the baseline's", Moto: true},
	{ID: "s3-account-public-access-block", Source: "template", Control: "S3.1", What: "account-level S3 Block Public Access is as the template sets it",
		APIs: []string{"s3:GetAccountPublicAccessBlock"}, Doc: "https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html",
		Finding: "account-level S3 Block Public Access is off", Moto: true},
	{ID: "ebs-default-encryption", Source: "template", Control: "EC2.7", What: "EBS encryption by default is on in the region",
		APIs: []string{"ec2:GetEbsEncryptionByDefault"}, Doc: "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsEncryptionByDefault.html",
		Finding: "new EBS volumes are not encrypted by default", Moto: true},
	{ID: "access-analyzer", Source: "template", Control: "IAM.28", What: "the template's IAM Access Analyzer exists and is ACTIVE",
		APIs: []string{"access-analyzer:ListAnalyzers"}, Doc: "https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_AnalyzerSummary.html",
		Finding: "the Access Analyzer is missing or not active"},

	// The self-audit checklist, from the IAM credential report.
	{ID: "root-mfa", Source: "checklist", Control: "IAM.9", What: "the root user has MFA",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
		Finding: "the root user has no MFA"},
	{ID: "root-access-keys", Source: "checklist", Control: "IAM.4", What: "the root user has no active access keys",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
		Finding: "the root user has an active access key"},
	{ID: "root-recent-use", Source: "checklist", What: "the root user was not used recently",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
		Finding: "the root user was used recently"},
	{ID: "user-password-and-keys", Source: "checklist", What: "no IAM user has both a console password and an active access key",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html",
		Finding: "a user has both a console password and an active access key", Moto: true},
	{ID: "access-key-unused", Source: "checklist", Control: "IAM.22", What: "no active access key is unused for longer than --unused-days",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-22",
		Finding: "an active access key is unused", Moto: true},
	{ID: "access-key-age", Source: "checklist", Control: "IAM.3", What: "no active access key is older than --key-age-days",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-3",
		Finding: "an active access key was not rotated", Moto: true},
	{ID: "console-user-mfa", Source: "checklist", Control: "IAM.5", What: "every IAM user with a console password has MFA",
		APIs: []string{"iam:GenerateCredentialReport", "iam:GetCredentialReport"}, Doc: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-5",
		Finding: "a console user has no MFA", Moto: true},
	{ID: "admin-attached-directly", Source: "checklist", Control: "IAM.2", What: "no IAM user holds AdministratorAccess directly (people use the admin role)",
		APIs: []string{"iam:ListAttachedUserPolicies"}, Doc: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListAttachedUserPolicies.html",
		Finding: "a user holds AdministratorAccess directly instead of through the admin role", Moto: true},
}

// check returns the catalog entry of id; an unknown id is a programming
// error, caught by every test that runs the check.
func check(id string) Check {
	for _, c := range Catalog {
		if c.ID == id {
			return c
		}
	}
	panic(fmt.Sprintf("verify: no check %q in the catalog", id))
}

// PolicyActions are the IAM actions of every check, sorted: the
// read-only policy verify needs (README, "Verify a live account").
func PolicyActions() []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range Catalog {
		for _, a := range c.APIs {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}
