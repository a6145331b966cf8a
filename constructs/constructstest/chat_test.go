package constructstest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/chat"
)

var slack = chat.SlackChannel{WorkspaceID: "T0123ABCDE9", ChannelID: "C0456FGHIJ7"}

// synth builds Chat in a bare app with one Slack channel on one topic,
// changed by mutate, and returns the template.
func chatSynth(t *testing.T, mutate func(*chat.Props)) map[string]any {
	t.Helper()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Topic"), jsii.String("arn:aws:sns:eu-west-1:111111111111:alarms"))
	props := chat.Props{Topics: []awssns.ITopic{topic}, Slack: []chat.SlackChannel{slack}}
	if mutate != nil {
		mutate(&props)
	}
	chat.New(stack, "Chat", props)
	return *assertions.Template_FromStack(stack, nil).ToJSON()
}

func chatOfType(tpl map[string]any, typ string) []map[string]any {
	var out []map[string]any
	for _, r := range tpl["Resources"].(map[string]any) {
		if r := r.(map[string]any); r["Type"] == typ {
			out = append(out, r["Properties"].(map[string]any))
		}
	}
	return out
}

func TestChatDefaults(t *testing.T) {
	tpl := chatSynth(t, nil)
	slacks := chatOfType(tpl, "AWS::Chatbot::SlackChannelConfiguration")
	if len(slacks) != 1 {
		t.Fatalf("%d Slack configurations", len(slacks))
	}
	got, _ := json.Marshal(map[string]any{
		"name": slacks[0]["ConfigurationName"], "logging": slacks[0]["LoggingLevel"], "userRole": slacks[0]["UserRoleRequired"],
		"topics": slacks[0]["SnsTopicArns"], "workspace": slacks[0]["SlackWorkspaceId"], "channel": slacks[0]["SlackChannelId"],
	})
	want := `{"channel":"C0456FGHIJ7","logging":"ERROR","name":"baseline-eu-west-1-slack-C0456FGHIJ7",` +
		`"topics":["arn:aws:sns:eu-west-1:111111111111:alarms"],"userRole":false,"workspace":"T0123ABCDE9"}`
	if string(got) != want {
		t.Errorf("configuration %s\nwant          %s", got, want)
	}
	policies := chatOfType(tpl, "AWS::IAM::ManagedPolicy")
	roles := chatOfType(tpl, "AWS::IAM::Role")
	if len(policies) != 1 || len(roles) != 1 {
		t.Fatalf("%d guardrails, %d roles; want one of each", len(policies), len(roles))
	}
	read := `{"Statement":[{"Action":["cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*"],"Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`
	g, _ := json.Marshal(policies[0]["PolicyDocument"])
	r, _ := json.Marshal(roles[0]["Policies"].([]any)[0].(map[string]any)["PolicyDocument"])
	if string(g) != read || string(r) != read {
		t.Errorf("guardrail %s\nrole      %s\nwant      %s", g, r, read)
	}
}

func TestChatTeams(t *testing.T) {
	tpl := chatSynth(t, func(p *chat.Props) {
		p.Slack = nil
		p.Teams = []chat.TeamsChannel{{TenantID: "2d5c4f2e-0d8a-4c1b-9e3a-6f7b8c9d0e1f", TeamID: "7f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0",
			ChannelID: "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2"}}
	})
	teams := chatOfType(tpl, "AWS::Chatbot::MicrosoftTeamsChannelConfiguration")
	if len(teams) != 1 || teams[0]["ConfigurationName"] != "baseline-eu-west-1-teams-1-0123456789abcdef0123456789abcdef" {
		t.Errorf("teams configurations %v", teams)
	}
}

func TestChatBadPropsPanicWithTheFix(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*chat.Props)
		want   string
	}{
		{"no topic", func(p *chat.Props) { p.Topics = nil }, "chat: Topics is empty; name the SNS topics whose messages the channels get"},
		{"no channel", func(p *chat.Props) { p.Slack = nil }, "chat: no channel; set Slack or Teams, or leave Chat out"},
		{"a workspace name for its id", func(p *chat.Props) { p.Slack[0].WorkspaceID = "acme-security" },
			`chat: Slack[0].WorkspaceID "acme-security" is not a Slack workspace id like T0123456789`},
		{"a channel name for its id", func(p *chat.Props) { p.Slack[0].ChannelID = "#alerts" },
			`chat: Slack[0].ChannelID "#alerts" is not a Slack channel id like C0123456789 (the id, not the name)`},
		{"a channel twice", func(p *chat.Props) { p.Slack = append(p.Slack, slack) }, "chat: Slack[1] channel C0456FGHIJ7 is listed twice"},
		{"a Teams channel id not URL-encoded", func(p *chat.Props) {
			p.Teams = []chat.TeamsChannel{{TenantID: "2d5c4f2e-0d8a-4c1b-9e3a-6f7b8c9d0e1f", TeamID: "7f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0",
				ChannelID: "19:0123@thread.tacv2"}}
		}, `chat: Teams[0].ChannelID "19:0123@thread.tacv2" is not a Teams channel id as its link has it, 19%3a...%40thread.tacv2`},
		{"a bad logging level", func(p *chat.Props) { p.LoggingLevel = "DEBUG" }, `chat: LoggingLevel "DEBUG" is not ERROR, INFO or NONE`},
		{"a name prefix with a space", func(p *chat.Props) { p.NamePrefix = "my chat" }, `chat: NamePrefix "my chat" must be 1 to 48 letters, digits, - and _`},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				got := recover()
				if s, _ := got.(string); !strings.EqualFold(s, c.want) {
					t.Errorf("panic %v\nwant  %s", got, c.want)
				}
			}()
			chatSynth(t, c.mutate)
		})
	}
}

func TestChatTwoChatsWithOneNameFailSynthesis(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("Topic"), jsii.String("arn:aws:sns:eu-west-1:111111111111:alarms"))
	chat.New(stack, "One", chat.Props{Topics: []awssns.ITopic{topic}, Slack: []chat.SlackChannel{slack}})
	chat.New(stack, "Two", chat.Props{Topics: []awssns.ITopic{topic}, Slack: []chat.SlackChannel{slack}})
	want := "chat: Test/One/Slack-T0123ABCDE9-C0456FGHIJ7/Resource and Test/Two/Slack-T0123ABCDE9-C0456FGHIJ7/Resource are both named baseline-eu-west-1-slack-C0456FGHIJ7; give one Chat another NamePrefix"
	defer func() {
		got, _ := recover().(error)
		if got == nil || !strings.Contains(got.Error(), want) {
			t.Errorf("panic %v\nwant it to say %s", got, want)
		}
	}()
	assertions.Template_FromStack(stack, nil)
}
