// Package findingroutes brings a region's GuardDuty, Inspector and Security
// Hub findings to people: EventBridge rules that send the serious ones either to an SNS
// topic in the same region or to the home region's default event bus, where
// the home region's own rules send them on to the alarm topic.
//
// The rules are L1 resources on purpose: the L2 SNS target grants
// events.amazonaws.com sns:Publish with no condition, where the alarm topic
// already grants it for its own account only.
package findingroutes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// Names of the rules, the same in every region.
const (
	GuardDutyRuleName   = naming.GuardDutyRule
	SecurityHubRuleName = naming.SecurityHubRule
	InspectorRuleName   = naming.InspectorRule
)

// InspectorSeverities are Inspector's finding severities (botocore's
// inspector2 Severity enum), most severe first.
var InspectorSeverities = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"}

// Props configure the routes of one region.
type Props struct {
	// Topic receives the findings. Its policy (and its key's) must let
	// EventBridge of this account publish (an AlertTopic's do).
	// Required: Topic or ForwardToRegion, not both.
	Topic awssns.ITopic
	// ForwardToRegion sends the findings to that region's default event bus
	// instead, through a role whose one managed policy may put events on
	// that bus only. Required: Topic or ForwardToRegion, not both.
	ForwardToRegion string
	// GuardDutyMinSeverity is the lowest GuardDuty severity sent (1 to 10).
	// Default: 7, high and critical.
	GuardDutyMinSeverity float64
	// InspectorSeverities are the Inspector finding severities sent.
	// Default: HIGH and CRITICAL.
	InspectorSeverities []string
	// OmitSecurityHub sends no Security Hub findings from this region: set
	// it where the home region's finding aggregator already brings them to
	// the home region's bus, or each would arrive twice.
	// Default: false.
	OmitSecurityHub bool
}

// Routes are one region's finding rules.
type Routes struct {
	constructs.Construct
	GuardDuty awsevents.CfnRule
	Inspector awsevents.CfnRule
	// SecurityHub is nil with OmitSecurityHub.
	SecurityHub awsevents.CfnRule
	// ForwardRole is nil unless ForwardToRegion is set.
	ForwardRole awsiam.Role
}

// New builds the rules, and the forwarding role if needed.
func New(scope constructs.Construct, id string, props Props) *Routes {
	if (props.Topic == nil) == (props.ForwardToRegion == "") {
		panic("findingroutes: set exactly one of Topic and ForwardToRegion")
	}
	if props.GuardDutyMinSeverity == 0 {
		props.GuardDutyMinSeverity = 7
	}
	if props.GuardDutyMinSeverity < 1 || props.GuardDutyMinSeverity > 10 {
		panic(fmt.Sprintf("findingroutes: GuardDutyMinSeverity %g must be from 1 to 10", props.GuardDutyMinSeverity))
	}
	if props.InspectorSeverities == nil {
		props.InspectorSeverities = []string{"HIGH", "CRITICAL"}
	}
	if len(props.InspectorSeverities) == 0 {
		panic("findingroutes: InspectorSeverities is empty; leave it nil for HIGH and CRITICAL")
	}
	for i, sev := range props.InspectorSeverities {
		if !slices.Contains(InspectorSeverities, sev) {
			panic(fmt.Sprintf("findingroutes: InspectorSeverities[%d] %q is not one of %s", i, sev, strings.Join(InspectorSeverities, ", ")))
		}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	r := &Routes{Construct: c}

	target := &awsevents.CfnRule_TargetProperty{}
	if props.Topic != nil {
		target.Id = jsii.String("AlarmTopic")
		target.Arn = props.Topic.TopicArn()
	} else {
		bus := fmt.Sprintf("arn:%s:events:%s:%s:event-bus/default", *stack.Partition(), props.ForwardToRegion, *stack.Account())
		r.ForwardRole = awsiam.NewRole(c, jsii.String("ForwardRole"), &awsiam.RoleProps{
			Description: jsii.String("Lets this region's finding rules put findings on the default event bus of " + props.ForwardToRegion),
			AssumedBy: awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), &awsiam.ServicePrincipalOpts{
				Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
			}),
		})
		awsiam.NewManagedPolicy(c, jsii.String("ForwardPolicy"), &awsiam.ManagedPolicyProps{
			Description: jsii.String("Put events on the default event bus of " + props.ForwardToRegion + " only"),
			Roles:       &[]awsiam.IRole{r.ForwardRole},
			Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions:   jsii.Strings("events:PutEvents"),
				Resources: jsii.Strings(bus),
			})},
		})
		target.Id = jsii.String("HomeRegionBus")
		target.Arn = jsii.String(bus)
		target.RoleArn = r.ForwardRole.RoleArn()
	}
	rule := func(id, name, description string, pattern map[string]any) awsevents.CfnRule {
		return awsevents.NewCfnRule(c, jsii.String(id), &awsevents.CfnRuleProps{
			Name:         jsii.String(name),
			Description:  jsii.String(description),
			State:        jsii.String("ENABLED"),
			EventPattern: pattern,
			Targets:      &[]any{target},
		})
	}
	r.GuardDuty = rule("GuardDuty", GuardDutyRuleName,
		fmt.Sprintf("GuardDuty findings of severity %g or more", props.GuardDutyMinSeverity),
		GuardDutyPattern(props.GuardDutyMinSeverity))
	r.Inspector = rule("Inspector", InspectorRuleName,
		"Active Inspector findings of severity "+strings.Join(props.InspectorSeverities, ", "),
		InspectorPattern(props.InspectorSeverities))
	if !props.OmitSecurityHub {
		r.SecurityHub = rule("SecurityHub", SecurityHubRuleName,
			"New, active HIGH and CRITICAL Security Hub findings (GuardDuty's and Inspector's come through their own rules)",
			SecurityHubPattern())
	}
	return r
}

// InspectorPattern matches active Inspector findings of the given
// severities. Inspector sends an event for a new finding and for every
// change of one (https://docs.aws.amazon.com/inspector/latest/user/findings-managing-automating-responses.html);
// the event's detail is the finding, with severity and status
// (ACTIVE, SUPPRESSED, CLOSED), as the schema example shows:
// https://docs.aws.amazon.com/inspector/latest/user/eventbridge-integration.html
// A suppressed or closed finding is not sent.
func InspectorPattern(severities []string) map[string]any {
	ordered := make([]string, 0, len(severities))
	for _, s := range InspectorSeverities {
		if slices.Contains(severities, s) {
			ordered = append(ordered, s)
		}
	}
	return map[string]any{
		"source":      []string{"aws.inspector2"},
		"detail-type": []string{"Inspector2 Finding"},
		"detail": map[string]any{
			"severity": ordered,
			"status":   []string{"ACTIVE"},
		},
	}
}

// GuardDutyPattern matches GuardDuty findings of minSeverity or more.
func GuardDutyPattern(minSeverity float64) map[string]any {
	return map[string]any{
		"source":      []string{"aws.guardduty"},
		"detail-type": []string{"GuardDuty Finding"},
		"detail": map[string]any{
			"severity": []any{map[string]any{"numeric": []any{">=", minSeverity}}},
		},
	}
}

// SecurityHubPattern matches new, active Security Hub findings labelled HIGH
// or CRITICAL, except GuardDuty's and Inspector's: Security Hub imports
// those too, and GuardDutyPattern and InspectorPattern already send them at
// their own thresholds. A finding
// marked NOTIFIED (or anything else than NEW) stops being sent when Security
// Hub updates it.
func SecurityHubPattern() map[string]any {
	return map[string]any{
		"source":      []string{"aws.securityhub"},
		"detail-type": []string{"Security Hub Findings - Imported"},
		"detail": map[string]any{
			"findings": map[string]any{
				"Severity":    map[string]any{"Label": []string{"HIGH", "CRITICAL"}},
				"Workflow":    map[string]any{"Status": []string{"NEW"}},
				"RecordState": []string{"ACTIVE"},
				"ProductName": []any{map[string]any{"anything-but": []string{"GuardDuty", "Inspector"}}},
			},
		},
	}
}
