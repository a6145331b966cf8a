package audittrail

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/keypolicy"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// ManagementEvents selects which management events the trail records.
type ManagementEvents string

// Management event choices. WriteOnly fails Security Hub CloudTrail.1.
const (
	AllManagementEvents       ManagementEvents = "All"
	WriteOnlyManagementEvents ManagementEvents = "WriteOnly"
)

// DefaultLogRetentionDays keeps the trail's events in CloudWatch Logs for a
// year, as CIS and Security Hub CloudWatch.16 expect.
const DefaultLogRetentionDays = 365

// TrailProps configure a Trail. Set Archive (an archive in the same stack),
// or BucketName and KeyArn (an archive elsewhere).
type TrailProps struct {
	// TrailName of the trail. Default: DefaultTrailName.
	TrailName string
	// Archive is the log archive in this stack: the trail writes to its
	// bucket with its key, encrypts its log group with the same key (which
	// must list the log group in ArchiveProps.LogGroupNames), and waits
	// for the bucket policy and the key, which CreateTrail checks.
	// Default: none; then BucketName and KeyArn are required.
	Archive *Archive
	// BucketName is the log archive bucket. Required without Archive.
	BucketName string
	// KeyArn encrypts the log files: the archive key's ARN (a reference, or
	// the key ARN the config gives for another account's archive), or its
	// alias ARN, which CloudTrail documents for KmsKeyId
	// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
	// Required without Archive.
	KeyArn *string
	// LogsKey encrypts the log group. Its policy must let this region's
	// CloudWatch Logs use it for the log group.
	// Default: the Archive's key, or else a new key, aliased LogsKeyAlias.
	LogsKey awskms.IKey
	// LogsKeyAlias is the alias of the new log group key (when LogsKey is
	// not set and there is no Archive). Default: naming.TrailLogsKeyAlias.
	LogsKeyAlias string
	// OrganizationID (o-...) makes the trail an organization trail
	// (IsOrganizationTrail) that logs every account of that organization;
	// only the organization's management account (or CloudTrail's
	// delegated administrator) can create one. Its delivery role may also
	// write the streams CloudTrail names <OrganizationID>_* for the member
	// accounts, as AWS's role policy for organization trails does
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
	// Default: "" (a trail of this account only).
	OrganizationID string
	// LogGroupName of the trail's log group. Default: DefaultLogGroup.
	LogGroupName string
	// LogRetentionDays of the log group; a value CloudWatch Logs supports.
	// Default: DefaultLogRetentionDays (365).
	LogRetentionDays int
	// ManagementEvents recorded. Default: AllManagementEvents.
	ManagementEvents ManagementEvents
	// S3DataEvents are bucket names, or ["all"]. Default: none.
	S3DataEvents []string
	// LambdaDataEvents are function ARNs, or ["all"]. Default: none.
	LambdaDataEvents []string
	// APICallRateInsights and APIErrorRateInsights turn on CloudTrail
	// Insights. Default: off.
	APICallRateInsights, APIErrorRateInsights bool
	// DependsOn are resources the trail must wait for, such as the archive's
	// bucket policy in the same stack. Default: none.
	DependsOn []constructs.IConstruct
}

// Trail is the multi-region trail and its CloudWatch Logs delivery.
type Trail struct {
	constructs.Construct
	// Resource is the trail itself.
	Resource awscloudtrail.CfnTrail
	// LogGroup receives the trail's events: the log group the alarms
	// watch. Its name is a reference, so that what reads it waits for it.
	LogGroup awslogs.ILogGroup
	// LogGroupName is LogGroup's name, as a literal.
	LogGroupName string
	// LogsKey encrypts LogGroup: TrailProps.LogsKey, the Archive's key, or
	// the trail's own.
	LogsKey awskms.IKey
	// TrailArn is the trail's ARN, as the key and bucket policies name it.
	TrailArn string
}

// NewTrail builds the trail.
func NewTrail(scope constructs.Construct, id string, props TrailProps) *Trail {
	if a := props.Archive; a != nil {
		if props.BucketName != "" || props.KeyArn != nil {
			panic("audittrail: TrailProps: set Archive, or BucketName and KeyArn, not both")
		}
		props.BucketName = a.BucketName
		props.KeyArn = a.Key.KeyArn()
		if props.LogsKey == nil {
			props.LogsKey = a.Key
		}
		props.DependsOn = append([]constructs.IConstruct{a.Bucket.Policy(), a.Key}, props.DependsOn...)
	}
	if props.BucketName == "" || props.KeyArn == nil {
		panic("audittrail: TrailProps needs an Archive, or a BucketName and a KeyArn")
	}
	if props.LogRetentionDays == 0 {
		props.LogRetentionDays = DefaultLogRetentionDays
	}
	if props.LogRetentionDays < 1 {
		panic(fmt.Sprintf("audittrail: LogRetentionDays must be positive, got %d", props.LogRetentionDays))
	}
	if props.TrailName == "" {
		props.TrailName = DefaultTrailName
	}
	if props.LogGroupName == "" {
		props.LogGroupName = DefaultLogGroup
	}
	if props.LogsKeyAlias == "" {
		props.LogsKeyAlias = naming.TrailLogsKeyAlias
	}
	if props.OrganizationID != "" && !organizationIDPattern.MatchString(props.OrganizationID) {
		panic(fmt.Sprintf("audittrail: OrganizationID %q is not an organization id like o-a1b2c3d4e5", props.OrganizationID))
	}
	if a := props.Archive; a != nil && props.LogsKey == a.Key && !slices.Contains(a.LogGroupNames, props.LogGroupName) {
		panic(fmt.Sprintf("audittrail: the Archive's key does not let CloudWatch Logs encrypt log group %s; add it to ArchiveProps.LogGroupNames, or set TrailProps.LogsKey", props.LogGroupName))
	}
	if props.ManagementEvents == "" {
		props.ManagementEvents = AllManagementEvents
	}
	if props.ManagementEvents != AllManagementEvents && props.ManagementEvents != WriteOnlyManagementEvents {
		panic(fmt.Sprintf("audittrail: ManagementEvents %q is not %s or %s", props.ManagementEvents, AllManagementEvents, WriteOnlyManagementEvents))
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	partition, region, account := *stack.Partition(), *stack.Region(), *stack.Account()
	trailArn := TrailArn(partition, region, account, props.TrailName)
	logGroupArn := fmt.Sprintf("arn:%s:logs:%s:%s:log-group:%s", partition, region, account, props.LogGroupName)

	logsKey := props.LogsKey
	if logsKey == nil {
		key := awskms.NewKey(c, jsii.String("LogsKey"), &awskms.KeyProps{
			Description:       jsii.String("Encrypts the baseline trail's CloudWatch Logs group"),
			Alias:             jsii.String(props.LogsKeyAlias),
			EnableKeyRotation: jsii.Bool(true),
			RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
		})
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(logsKeyStatement(stack, []string{logGroupArn})), jsii.Bool(false))
		keypolicy.DenyGrants(key)
		logsKey = key
	}

	logGroupScope := constructs.NewConstruct(c, jsii.String("LogGroup"))
	logGroup := awslogs.NewCfnLogGroup(logGroupScope, jsii.String("Resource"), &awslogs.CfnLogGroupProps{
		LogGroupName:    jsii.String(props.LogGroupName),
		RetentionInDays: jsii.Number(float64(props.LogRetentionDays)),
		KmsKeyId:        logsKey.KeyArn(),
	})
	logGroup.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)

	// The delivery role may only create streams and put events in this log
	// group. CloudTrail names its streams <account>_CloudTrail_<region>.
	//
	// Its trust names CloudTrail and nothing else: no aws:SourceArn or
	// aws:SourceAccount condition. AWS: "Confused deputy prevention is not
	// applicable to the role policy for CloudWatch Logs monitoring. The role
	// policy doesn't support the use of aws:SourceArn and aws:SourceAccount"
	// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
	// A condition on a key CloudTrail does not send fails every AssumeRole,
	// and the trail then delivers nothing to the log group the alarms watch,
	// with no error anywhere but the trail's status (test/delivery_test.go).
	// What limits the role instead: only a principal of this account can
	// pass it to a trail (iam:PassRole), and it can write only the
	// CloudTrail streams of this one log group.
	streams := []string{fmt.Sprintf("%s:log-stream:%s_CloudTrail_*", logGroupArn, account)}
	if props.OrganizationID != "" {
		streams = append(streams, fmt.Sprintf("%s:log-stream:%s_*", logGroupArn, props.OrganizationID))
	}
	role := awsiam.NewRole(c, jsii.String("DeliveryRole"), &awsiam.RoleProps{
		Description: jsii.String("Lets the baseline trail deliver events to its CloudWatch Logs group"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil),
	})
	policy := awsiam.NewManagedPolicy(c, jsii.String("DeliveryPolicy"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("Create streams and put events in the baseline trail's log group, nothing else"),
		Roles:       &[]awsiam.IRole{role},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("CreateStreamsAndPutEvents"),
			Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
			Resources: jsii.Strings(streams...),
		})},
	})
	streamSuffix, orgStreams := "CloudTrail_", ""
	if props.OrganizationID != "" {
		streamSuffix, orgStreams = "(CloudTrail_)?", " and, for the organization's member accounts, <organization id>_*"
	}
	cdknag.NagSuppressions_AddResourceSuppressions(policy, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("CloudTrail creates the streams itself and names them <account>_CloudTrail_<region>" + orgStreams + "; the wildcard covers only those streams of the one trail log group"),
		// A pattern, not the literal ARN: in StackSet member templates the
		// account and region are pseudo parameters, which cdk-nag renders
		// as <AWS::AccountId>.
		AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String(
			"/^Resource::arn:.+:logs:.+:log-group:" + regexp.QuoteMeta(props.LogGroupName) + ":log-stream:.+_" + streamSuffix + "\\*$/")}},
	}}, jsii.Bool(false))

	selector := &awscloudtrail.CfnTrail_EventSelectorProperty{
		IncludeManagementEvents: jsii.Bool(true),
		ReadWriteType:           jsii.String(string(props.ManagementEvents)),
	}
	selector.DataResources = dataResources(partition, props)
	trailProps := &awscloudtrail.CfnTrailProps{
		TrailName:                  jsii.String(props.TrailName),
		IsLogging:                  jsii.Bool(true),
		IsMultiRegionTrail:         jsii.Bool(true),
		IncludeGlobalServiceEvents: jsii.Bool(true),
		EnableLogFileValidation:    jsii.Bool(true),
		S3BucketName:               jsii.String(props.BucketName),
		KmsKeyId:                   props.KeyArn,
		CloudWatchLogsLogGroupArn:  logGroup.AttrArn(),
		CloudWatchLogsRoleArn:      role.RoleArn(),
		EventSelectors:             &[]any{selector},
	}
	if props.OrganizationID != "" {
		trailProps.IsOrganizationTrail = jsii.Bool(true)
	}
	var insights []any
	if props.APICallRateInsights {
		insights = append(insights, &awscloudtrail.CfnTrail_InsightSelectorProperty{InsightType: jsii.String("ApiCallRateInsight")})
	}
	if props.APIErrorRateInsights {
		insights = append(insights, &awscloudtrail.CfnTrail_InsightSelectorProperty{InsightType: jsii.String("ApiErrorRateInsight")})
	}
	if len(insights) > 0 {
		trailProps.InsightSelectors = &insights
	}
	trail := awscloudtrail.NewCfnTrail(c, jsii.String("Resource"), trailProps)
	trail.Node().AddDependency(role, policy)
	for _, d := range props.DependsOn {
		trail.Node().AddDependency(d)
	}
	// The log group as an ILogGroup, named by a Ref to the L1: an import
	// adds nothing to the template, and what reads its name (the metric
	// filters) waits for the log group.
	imported := awslogs.LogGroup_FromLogGroupName(logGroupScope, jsii.String("Imported"), logGroup.Ref())
	return &Trail{Construct: c, Resource: trail, LogGroup: imported, LogGroupName: props.LogGroupName, LogsKey: logsKey, TrailArn: trailArn}
}

func dataResources(partition string, props TrailProps) *[]any {
	var out []any
	if values := dataValues(props.S3DataEvents, "arn:"+partition+":s3", func(b string) string { return "arn:" + partition + ":s3:::" + b + "/" }); len(values) > 0 {
		out = append(out, &awscloudtrail.CfnTrail_DataResourceProperty{Type: jsii.String("AWS::S3::Object"), Values: jsii.Strings(values...)})
	}
	if values := dataValues(props.LambdaDataEvents, "arn:"+partition+":lambda", func(f string) string { return f }); len(values) > 0 {
		out = append(out, &awscloudtrail.CfnTrail_DataResourceProperty{Type: jsii.String("AWS::Lambda::Function"), Values: jsii.Strings(values...)})
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}

func dataValues(items []string, all string, each func(string) string) []string {
	var out []string
	for _, item := range items {
		if item == "all" {
			return []string{all}
		}
		out = append(out, each(item))
	}
	return out
}
