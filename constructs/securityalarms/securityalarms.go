// Package securityalarms builds the baseline's security alarms: for each
// entry of the alarm catalog (policies/alarms.yaml), a CloudWatch Logs metric
// filter on the CloudTrail log group and an alarm on its metric that
// notifies the alarm topic.
//
// This is what Security Hub controls CloudWatch.1 to CloudWatch.14 look
// for: a metric filter with the exact pattern on the log group of a
// multi-Region trail, an alarm on the filter's metric, and an SNS topic with
// at least one subscriber as its action. The alarms also satisfy
// CloudWatch.15 (an action on ALARM) and CloudWatch.17 (actions enabled).
package securityalarms

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/policies/filterpattern"
)

// MaxDescription is the longest alarm description CloudWatch accepts.
const MaxDescription = 1024

// Props configure SecurityAlarms.
type Props struct {
	// LogGroup receives the CloudTrail events the filters read (a
	// Trail's LogGroup). Required.
	LogGroup awslogs.ILogGroup
	// Topic is every alarm's action (an AlertTopic's Topic). Required.
	Topic awssns.ITopic
	// Alarms are the catalog entries to deploy, already resolved
	// (policies.Resolve, then policies.Deployed): each is on, has its
	// deployment's threshold, and a rendered pattern. Order is kept.
	// Required: at least one; a SecurityAlarms that watches nothing would
	// look like coverage and be none.
	Alarms []policies.Alarm
	// NamePrefix starts every alarm and metric filter name.
	// Default: naming.AlarmPrefix ("baseline-").
	NamePrefix string
	// PerAccount names the account in every notification, for a log group
	// that receives the events of many accounts (an organization trail's).
	// Each metric filter publishes its metric with the dimension
	// AccountDimension, valued from the event's recipientAccountId (the
	// account that received the call,
	// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html),
	// and each alarm is a CloudWatch Metrics Insights query grouped by that
	// dimension: a multi-time-series alarm, in which every account's time
	// series is a contributor that goes into ALARM, and notifies, on its
	// own, with its dimension among its attributes
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Metrics_Insights_Alarm.html,
	// https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Acting_Alarm_Changes.html).
	// Security Hub's CloudWatch.1-14 checks look for an alarm on the
	// filter's metric itself, which such an alarm is not: keep an account's
	// own alarms (PerAccount false) where those controls must pass.
	// Default: false (one metric and one alarm on it).
	PerAccount bool
}

// AccountDimension is the metric dimension that names the account in
// PerAccount mode.
const AccountDimension = "Account"

// accountField is the CloudTrail record field the account comes from.
const accountField = "$.recipientAccountId"

// insightsFunction maps a catalog statistic to its Metrics Insights
// function (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-metrics-insights-querylanguage.html).
var insightsFunction = map[string]string{"Average": "AVG", "Maximum": "MAX", "Minimum": "MIN", "SampleCount": "COUNT", "Sum": "SUM"}

// InsightsQuery is the Metrics Insights query of a PerAccount alarm: the
// entry's statistic of its metric, one time series per account.
func InsightsQuery(a policies.Alarm) string {
	return fmt.Sprintf(`SELECT %s("%s") FROM SCHEMA("%s", %s) GROUP BY %s`,
		insightsFunction[a.Statistic], a.MetricName, a.Namespace, AccountDimension, AccountDimension)
}

// SecurityAlarms are the metric filters and alarms, one pair per entry.
type SecurityAlarms struct {
	constructs.Construct
	// Entries are in the order of Props.Alarms.
	Entries []*Entry
}

// Entry is one catalog entry's filter and alarm, grouped under a construct
// whose id is the entry's id.
type Entry struct {
	constructs.Construct
	Alarm  policies.Alarm
	Filter awslogs.CfnMetricFilter
	Watch  awscloudwatch.CfnAlarm
}

// New builds a metric filter and an alarm for every entry of props.Alarms.
// It panics on input a deploy would reject or that would alarm wrongly:
// a missing log group or topic, duplicate ids, an unrendered or unparsable
// pattern, a non-positive threshold, or a description too long.
func New(scope constructs.Construct, id string, props Props) *SecurityAlarms {
	if props.NamePrefix == "" {
		props.NamePrefix = naming.AlarmPrefix
	}
	if props.LogGroup == nil {
		panic("securityalarms: LogGroup is required: the log group that receives the CloudTrail events")
	}
	if props.Topic == nil {
		panic("securityalarms: Topic is required: the SNS topic every alarm notifies")
	}
	if len(props.Alarms) == 0 {
		panic("securityalarms: Alarms is empty; pass the resolved catalog (policies.Deployed of policies.Resolve), or build no SecurityAlarms")
	}
	for i, a := range props.Alarms {
		if err := check(a, props.NamePrefix); err != nil {
			panic(fmt.Sprintf("securityalarms: alarm %s: %v", a.ID, err))
		}
		if j := slices.IndexFunc(props.Alarms, func(b policies.Alarm) bool { return b.ID == a.ID }); j < i {
			panic(fmt.Sprintf("securityalarms: alarm %s is listed twice (Alarms[%d] and Alarms[%d])", a.ID, j, i))
		}
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	out := &SecurityAlarms{Construct: c}
	// L1 resources, with every property set here: the same template as the
	// L2 MetricFilter and Alarm, with a third of the calls into the CDK's
	// Node process (18 entries in every account's home stack).
	logGroupName := props.LogGroup.LogGroupName()
	actions := &[]any{props.Topic.TopicArn()}
	for _, a := range props.Alarms {
		group := constructs.NewConstruct(c, jsii.String(a.ID))
		name := props.NamePrefix + a.ID
		transformation := &awslogs.CfnMetricFilter_MetricTransformationProperty{
			MetricNamespace: jsii.String(a.Namespace),
			MetricName:      jsii.String(a.MetricName),
			// Security Hub's remediation: metric value 1 per matching
			// event. 0 for the others keeps the metric continuous.
			MetricValue:  jsii.String("1"),
			DefaultValue: jsii.Number(0),
		}
		alarmProps := &awscloudwatch.CfnAlarmProps{
			AlarmName:          jsii.String(name),
			AlarmDescription:   jsii.String(Description(a)),
			Namespace:          jsii.String(a.Namespace),
			MetricName:         jsii.String(a.MetricName),
			Statistic:          jsii.String(a.Statistic),
			Period:             jsii.Number(float64(a.Period)),
			Threshold:          jsii.Number(a.Threshold),
			EvaluationPeriods:  jsii.Number(float64(a.EvaluationPeriods)),
			ComparisonOperator: jsii.String("GreaterThanOrEqualToThreshold"),
			// No events means nothing happened, not an unknown state.
			TreatMissingData: jsii.String("notBreaching"),
			ActionsEnabled:   jsii.Bool(true),
			AlarmActions:     actions,
		}
		if props.PerAccount {
			// No DefaultValue: the dimension's value comes from the matched
			// event, so a value for "no match" would belong to no account.
			// An account without a matching event has no data point, which
			// cannot breach: a Metrics Insights contributor "only exists
			// when data is present" (Acting_Alarm_Changes.html).
			transformation.DefaultValue = nil
			transformation.Dimensions = &[]any{&awslogs.CfnMetricFilter_DimensionProperty{
				Key: jsii.String(AccountDimension), Value: jsii.String(accountField),
			}}
			alarmProps.Namespace, alarmProps.MetricName, alarmProps.Statistic, alarmProps.Period = nil, nil, nil, nil
			alarmProps.Metrics = &[]any{&awscloudwatch.CfnAlarm_MetricDataQueryProperty{
				Id:         jsii.String("perAccount"),
				Expression: jsii.String(InsightsQuery(a)),
				Period:     jsii.Number(float64(a.Period)),
				ReturnData: jsii.Bool(true),
				Label:      jsii.String(a.ID + " by account"),
			}}
		}
		filter := awslogs.NewCfnMetricFilter(constructs.NewConstruct(group, jsii.String("Filter")), jsii.String("Resource"), &awslogs.CfnMetricFilterProps{
			FilterName:            jsii.String(name),
			FilterPattern:         jsii.String(a.Pattern),
			LogGroupName:          logGroupName,
			MetricTransformations: &[]any{transformation},
		})
		alarm := awscloudwatch.NewCfnAlarm(constructs.NewConstruct(group, jsii.String("Alarm")), jsii.String("Resource"), alarmProps)
		out.Entries = append(out.Entries, &Entry{Construct: group, Alarm: a, Filter: filter, Watch: alarm})
	}
	return out
}

// Description is an alarm's description: its title, the controls it
// satisfies, what happened and the runbook's first steps.
func Description(a policies.Alarm) string {
	controls := "none (baseline alarm)"
	switch {
	case a.VariantOf != "":
		controls = fmt.Sprintf("none (a quieter variant of %s; fails its control checks)", a.VariantOf)
	case len(a.Controls) > 0:
		controls = strings.Join(a.Controls, ", ")
	}
	return fmt.Sprintf("%s. Controls: %s. %s Runbook: %s", strings.TrimSuffix(a.Title, "."), controls,
		strings.TrimSpace(a.Description), strings.TrimSpace(a.Runbook))
}

// check rejects an entry that would not deploy or would alarm wrongly.
func check(a policies.Alarm, prefix string) error {
	switch {
	case a.ID == "":
		return fmt.Errorf("id is empty")
	case a.Template && strings.Contains(a.Pattern, "{{"):
		return fmt.Errorf("pattern is not rendered; resolve the catalog with policies.Resolve first")
	case policies.ThresholdProblem(a.Threshold) != "":
		// The catalog's and the config's rule, in the same words.
		return fmt.Errorf("threshold %s", policies.ThresholdProblem(a.Threshold))
	case a.Period <= 0 || a.EvaluationPeriods <= 0:
		return fmt.Errorf("period and evaluationPeriods must be > 0, got %d and %d", a.Period, a.EvaluationPeriods)
	case a.Namespace == "" || a.MetricName == "":
		return fmt.Errorf("namespace and metricName are required")
	case len(Description(a)) > MaxDescription:
		return fmt.Errorf("description is %d characters, CloudWatch accepts %d; shorten its description or runbook", len(Description(a)), MaxDescription)
	case len(prefix+a.ID) > 255:
		return fmt.Errorf("name %q is longer than 255 characters", prefix+a.ID)
	}
	if _, err := filterpattern.Parse(a.Pattern); err != nil {
		return fmt.Errorf("pattern %s: %w", a.Pattern, err)
	}
	return nil
}
