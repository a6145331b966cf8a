// Package chat delivers the messages of SNS topics to Slack channels and
// Microsoft Teams channels through AWS Chatbot (now "Amazon Q Developer in
// chat applications"): one channel configuration per channel, all sharing a
// role and a guardrail policy that let the channel read CloudWatch alarms
// (to render alarm notifications) and nothing else.
//
// What the channel can do: show the topics' notifications. Members cannot
// run commands that change anything: the channel role and the guardrail
// both grant cloudwatch:Describe*/Get*/List* only, and a member's command
// runs with the intersection of the two
// (https://docs.aws.amazon.com/chatbot/latest/adminguide/understanding-permissions.html).
//
// Chatbot subscribes each configuration to its topics with its
// service-linked role AWSServiceRoleForAWSChatbot (sns:Subscribe, in the
// topic's account; https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html).
// SNS decrypts a message of an encrypted topic before it delivers it to a
// subscription (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html),
// so Chatbot needs no grant on the topic's key: the key must let the
// publishers (CloudWatch, EventBridge) encrypt, which the alarm topic's key
// does. test/chat_test.go proves the subscription path with the IAM
// simulator.
//
// CloudFormation cannot authorize a Slack workspace or a Teams team: that
// is a one-time console step per account (README "Chat").
package chat

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awschatbot"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// SlackChannel is one channel of an authorized Slack workspace.
type SlackChannel struct {
	// WorkspaceID is the workspace's id, e.g. T0123456789. Required.
	WorkspaceID string
	// ChannelID is the channel's id (not its name), e.g. C0123456789. Required.
	ChannelID string
}

// TeamsChannel is one channel of an authorized Microsoft Teams team.
type TeamsChannel struct {
	// TenantID is the Microsoft Entra tenant id, a UUID. Required.
	TenantID string
	// TeamID is the team's id, a UUID. Required.
	TeamID string
	// ChannelID is the channel's id from its link, URL-encoded:
	// 19%3a...%40thread.tacv2. Required.
	ChannelID string
}

// ReadActions are what the channel role and the guardrail allow: the
// CloudWatch reads Chatbot uses to render alarm notifications (the
// console's "Notification permissions" template,
// https://docs.aws.amazon.com/chatbot/latest/adminguide/chatbot-iam-policies.html).
var ReadActions = []string{"cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*"}

// Props configure Chat.
type Props struct {
	// Topics whose messages the channels get. Required.
	Topics []awssns.ITopic
	// Slack channels. Default: none.
	Slack []SlackChannel
	// Teams channels. Default: none. At least one Slack or Teams channel
	// is required.
	Teams []TeamsChannel
	// NamePrefix starts each configuration's name (<prefix>-slack-<channel
	// id>, <prefix>-teams-<n>), which must be unique in the account.
	// Default: "baseline-<the stack's region>", so that a region's
	// configurations never collide with another's.
	NamePrefix string
	// LoggingLevel of Chatbot's own log group (/aws/chatbot/<name>): ERROR,
	// INFO or NONE.
	// Default: "ERROR", so a channel that stopped getting messages (a
	// workspace uninstalled, a channel archived) says why.
	LoggingLevel string
}

// Chat is the channel configurations of one stack.
type Chat struct {
	constructs.Construct
	// Role is what Chatbot assumes for the channels.
	Role awsiam.IRole
	// Guardrail caps what any member's command may do.
	Guardrail awsiam.IManagedPolicy
	// Slack and Teams are the configurations, in Props order; each is the
	// Resource child of a construct named after its channel.
	Slack []awschatbot.CfnSlackChannelConfiguration
	Teams []awschatbot.CfnMicrosoftTeamsChannelConfiguration
}

// New builds the role, the guardrail and a configuration per channel. Bad
// props panic with the fix.
func New(scope constructs.Construct, id string, props Props) *Chat {
	if len(props.Topics) == 0 {
		panic("chat: Topics is empty; name the SNS topics whose messages the channels get")
	}
	if len(props.Slack)+len(props.Teams) == 0 {
		panic("chat: no channel; set Slack or Teams, or leave Chat out")
	}
	if props.LoggingLevel == "" {
		props.LoggingLevel = "ERROR"
	}
	if !slices.Contains([]string{"ERROR", "INFO", "NONE"}, props.LoggingLevel) {
		panic(fmt.Sprintf("chat: LoggingLevel %q is not ERROR, INFO or NONE", props.LoggingLevel))
	}
	for i, c := range props.Slack {
		if !policies.SlackWorkspaceID.MatchString(c.WorkspaceID) {
			panic(fmt.Sprintf("chat: Slack[%d].WorkspaceID %q is not a Slack workspace id like T0123456789", i, c.WorkspaceID))
		}
		if !policies.SlackChannelID.MatchString(c.ChannelID) {
			panic(fmt.Sprintf("chat: Slack[%d].ChannelID %q is not a Slack channel id like C0123456789 (the id, not the name)", i, c.ChannelID))
		}
		if slices.Index(props.Slack, c) < i {
			panic(fmt.Sprintf("chat: Slack[%d] channel %s is listed twice", i, c.ChannelID))
		}
	}
	for i, c := range props.Teams {
		if !policies.TeamsUUID.MatchString(c.TenantID) || !policies.TeamsUUID.MatchString(c.TeamID) {
			panic(fmt.Sprintf("chat: Teams[%d] TenantID %q and TeamID %q must be UUIDs", i, c.TenantID, c.TeamID))
		}
		if !policies.TeamsChannelID.MatchString(c.ChannelID) {
			panic(fmt.Sprintf("chat: Teams[%d].ChannelID %q is not a Teams channel id as its link has it, 19%%3a...%%40thread.tacv2", i, c.ChannelID))
		}
		if slices.Index(props.Teams, c) < i {
			panic(fmt.Sprintf("chat: Teams[%d] channel is listed twice", i))
		}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	if props.NamePrefix == "" {
		// In a stack without a region (a StackSet template) the region is
		// a token, which CloudFormation joins in.
		props.NamePrefix = "baseline-" + *stack.Region()
	} else if !namePrefix.MatchString(props.NamePrefix) {
		panic(fmt.Sprintf("chat: NamePrefix %q must be 1 to 48 letters, digits, - and _", props.NamePrefix))
	}

	read := awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(ReadActions...), Resources: jsii.Strings("*")}),
	}})
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		Description:    jsii.String("Lets AWS Chatbot render this stack's alarm notifications in chat: CloudWatch reads only"),
		AssumedBy:      awsiam.NewServicePrincipal(jsii.String("chatbot.amazonaws.com"), nil),
		InlinePolicies: &map[string]awsiam.PolicyDocument{"ReadAlarms": read},
	})
	guardrail := awsiam.NewManagedPolicy(c, jsii.String("Guardrail"), &awsiam.ManagedPolicyProps{
		Description: jsii.String("Chat guardrail: channel members may read CloudWatch alarms and change nothing"),
		Document:    read,
	})
	nag := []*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM5"),
		Reason:    jsii.String("CloudWatch's Describe/Get/List actions, on every alarm and metric: what Chatbot reads to render a notification; nothing that changes"),
		AppliesTo: &[]any{"Action::cloudwatch:Describe*", "Action::cloudwatch:Get*", "Action::cloudwatch:List*", "Resource::*"},
	}, {
		Id:     jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"),
		Reason: jsii.String("The role's one inline policy is its read-only grant; it belongs to this role alone"),
	}}
	cdknag.NagSuppressions_AddResourceSuppressions(role, &nag, jsii.Bool(true))
	cdknag.NagSuppressions_AddResourceSuppressions(guardrail, &nag, jsii.Bool(true))

	topics := make([]any, len(props.Topics))
	teamsTopics := make([]*string, len(props.Topics))
	for i, t := range props.Topics {
		topics[i], teamsTopics[i] = t.TopicArn(), t.TopicArn()
	}
	guardrails := jsii.Strings(*guardrail.ManagedPolicyArn())
	ch := &Chat{Construct: c, Role: role, Guardrail: guardrail}
	c.Node().AddValidation(&uniqueNames{c: c})
	for _, s := range props.Slack {
		// The construct id is the channel: reordering the list changes
		// nothing, and a channel's configuration is named after it.
		holder := constructs.NewConstruct(c, jsii.String("Slack-"+s.WorkspaceID+"-"+s.ChannelID))
		ch.Slack = append(ch.Slack, awschatbot.NewCfnSlackChannelConfiguration(holder, jsii.String("Resource"), &awschatbot.CfnSlackChannelConfigurationProps{
			ConfigurationName: jsii.String(configName(props.NamePrefix, "slack", s.ChannelID)),
			SlackWorkspaceId:  jsii.String(s.WorkspaceID),
			SlackChannelId:    jsii.String(s.ChannelID),
			IamRoleArn:        role.RoleArn(),
			GuardrailPolicies: guardrails,
			SnsTopicArns:      &topics,
			LoggingLevel:      jsii.String(props.LoggingLevel),
			UserRoleRequired:  jsii.Bool(false),
		}))
	}
	for i, t := range props.Teams {
		holder := constructs.NewConstruct(c, jsii.String(fmt.Sprintf("Teams-%s-%s", t.TeamID, channelKey(t.ChannelID))))
		ch.Teams = append(ch.Teams, awschatbot.NewCfnMicrosoftTeamsChannelConfiguration(holder, jsii.String("Resource"), &awschatbot.CfnMicrosoftTeamsChannelConfigurationProps{
			ConfigurationName: jsii.String(configName(props.NamePrefix, "teams", fmt.Sprintf("%d-%s", i+1, channelKey(t.ChannelID)))),
			TeamsTenantId:     jsii.String(t.TenantID),
			TeamId:            jsii.String(t.TeamID),
			TeamsChannelId:    jsii.String(t.ChannelID),
			IamRoleArn:        role.RoleArn(),
			GuardrailPolicies: guardrails,
			SnsTopicArns:      &teamsTopics,
			LoggingLevel:      jsii.String(props.LoggingLevel),
			UserRoleRequired:  jsii.Bool(false),
		}))
	}
	return ch
}

// channelKey is the part of a Teams channel id that tells channels apart,
// in the characters a configuration name takes.
func channelKey(id string) string {
	id = strings.ToLower(id)
	id = strings.TrimPrefix(id, "19%3a")
	if at := strings.Index(id, "%40"); at >= 0 {
		id = id[:at]
	}
	var b strings.Builder
	for _, r := range id {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if s := b.String(); len(s) > 32 {
		return s[:32]
	}
	return b.String()
}

var namePrefix = regexp.MustCompile(`^[A-Za-z0-9_-]{1,48}$`)

// configName is a configuration name: letters, digits, - and _, at most
// 128 characters (the resource schema's ConfigurationName): a prefix of at
// most 48 (or baseline- and a region), the kind, and at most 64 of the
// channel's.
func configName(prefix, kind, channel string) string {
	if len(channel) > 64 {
		channel = channel[:64]
	}
	return prefix + "-" + kind + "-" + channel
}

// uniqueNames fails synthesis when two configurations of the stack share a
// name (two Chats with one NamePrefix and a channel in common):
// configuration names are unique in the account, and the second would fail
// the deploy.
type uniqueNames struct{ c constructs.Construct }

func (v *uniqueNames) Validate() *[]*string {
	stack := awscdk.Stack_Of(v.c)
	seen := map[string]string{}
	var out []*string
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		var name *string
		switch r := n.(type) {
		case awschatbot.CfnSlackChannelConfiguration:
			name = r.ConfigurationName()
		case awschatbot.CfnMicrosoftTeamsChannelConfiguration:
			name = r.ConfigurationName()
		default:
			continue
		}
		// A name with the region token resolves to an Fn::Join: its JSON
		// tells names apart as well.
		key := *stack.ToJsonString(stack.Resolve(name), nil)
		if s, ok := stack.Resolve(name).(string); ok {
			key = s
		}
		path := *n.Node().Path()
		if first, ok := seen[key]; ok && strings.HasPrefix(path, *v.c.Node().Path()+"/") {
			out = append(out, jsii.String(fmt.Sprintf("chat: %s and %s are both named %s; give one Chat another NamePrefix", first, path, key)))
		}
		if _, ok := seen[key]; !ok {
			seen[key] = path
		}
	}
	return &out
}
