package test

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/constructs/chat"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// svcStackRef is a stack with its assembly.
type svcStackRef struct {
	a *assembly.Assembly
	s assembly.Stack
}

type reportAssembly = assembly.Assembly

// chatbotSLR is the role Chatbot subscribes channel configurations to
// topics with, and its managed policy:
// https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html
const (
	chatbotSLRPath   = "aws-service-role/management.chatbot.amazonaws.com/AWSServiceRoleForAWSChatbot"
	chatbotSLRPolicy = "aws-service-role/AWSChatbotServiceLinkedRolePolicy"
)

// chatConfigs are the chat configurations of the hub config's Prod account
// (Slack and Teams) and the services options' Options account (Slack, home
// and regional topic).
func chatConfigs(t *testing.T) []struct {
	stack svcStackRef
	id    string
	res   svcResource
} {
	var out []struct {
		stack svcStackRef
		id    string
		res   svcResource
	}
	for _, asm := range []func(testing.TB) *reportAssembly{hubAssembly, servicesOptionsAssembly} {
		a := asm(t)
		for _, s := range a.Stacks {
			for id, r := range svcTemplate(t, a, s) {
				if strings.HasPrefix(r.Type, "AWS::Chatbot::") {
					out = append(out, struct {
						stack svcStackRef
						id    string
						res   svcResource
					}{svcStackRef{a, s}, id, r})
				}
			}
		}
	}
	return out
}

// TestChatIDFormatsAreTheResourceSchemas compares the id patterns config
// and constructs/chat check with the CloudFormation resource schemas that
// cfn-lint ships.
func TestChatIDFormatsAreTheResourceSchemas(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; CI runs this check")
	}
	script := `
import json
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER as m
out = {}
for t, props in [("AWS::Chatbot::SlackChannelConfiguration", ["SlackWorkspaceId", "SlackChannelId"]),
                 ("AWS::Chatbot::MicrosoftTeamsChannelConfiguration", ["TeamId", "TeamsTenantId", "TeamsChannelId"])]:
    s = m.get_resource_schema("us-east-1", t).schema["properties"]
    for p in props:
        out[p] = {k: s[p].get(k) for k in ("pattern", "minLength", "maxLength")}
print(json.dumps(out))
`
	raw, err := exec.Command(python, "-c", script).Output()
	if err != nil {
		t.Skipf("cfn-lint's schemas are not importable: %v", err)
	}
	var schemas map[string]struct {
		Pattern   string `json:"pattern"`
		MinLength int    `json:"minLength"`
		MaxLength int    `json:"maxLength"`
	}
	if err := json.Unmarshal(raw, &schemas); err != nil {
		t.Fatal(err)
	}
	for prop, ours := range map[string]string{
		"SlackWorkspaceId": policies.SlackWorkspaceID.String(),
		"SlackChannelId":   policies.SlackChannelID.String(),
		"TeamId":           policies.TeamsUUID.String(),
		"TeamsTenantId":    policies.TeamsUUID.String(),
		"TeamsChannelId":   policies.TeamsChannelID.String(),
	} {
		s := schemas[prop]
		// Our pattern is the schema's, with its length bounds folded in
		// where the schema states them apart from the pattern.
		want := s.Pattern
		if prop == "SlackChannelId" {
			want = strings.Replace(want, "]+$", fmt.Sprintf("]{%d,%d}$", s.MinLength, s.MaxLength), 1)
		}
		if ours != want {
			t.Errorf("%s: ours %s, schema %s (min %d, max %d)", prop, ours, s.Pattern, s.MinLength, s.MaxLength)
		}
	}
}

func TestChatConfigurations(t *testing.T) {
	configs := chatConfigs(t)
	if len(configs) != 4 {
		t.Fatalf("%d chat configurations, want 4: hub Prod's Slack and Teams, Options' Slack in us-east-1 and eu-west-1", len(configs))
	}
	for _, c := range configs {
		p := c.res.Properties
		label := c.stack.s.Name + " " + svcPath(c.res)
		t.Run(label+" sends its stack's alarm topic and nothing else", func(t *testing.T) {
			topicID, _ := svcMust(t, c.stack.s.Name, svcTemplate(t, c.stack.a, c.stack.s), "Alarms/Topic/Resource")
			if got, want := jsonOf(t, p["SnsTopicArns"]), jsonOf(t, []any{map[string]any{"Ref": topicID}}); got != want {
				t.Errorf("topics %s, want %s", got, want)
			}
		})
		t.Run(label+" is named per region, logs errors and uses the channel role for everyone", func(t *testing.T) {
			name, _ := p["ConfigurationName"].(string)
			if !strings.HasPrefix(name, "baseline-"+c.stack.s.Region+"-") || len(name) > 128 {
				t.Errorf("name %q, want baseline-%s-... within 128 characters", name, c.stack.s.Region)
			}
			if p["LoggingLevel"] != "ERROR" || p["UserRoleRequired"] != false {
				t.Errorf("logging %v, user role required %v; want ERROR, false", p["LoggingLevel"], p["UserRoleRequired"])
			}
		})
		t.Run(label+" can read alarms and change nothing", func(t *testing.T) {
			res := svcTemplate(t, c.stack.a, c.stack.s)
			roleID, role := svcMust(t, c.stack.s.Name, res, "Chat/Role/Resource")
			guardID, guard := svcMust(t, c.stack.s.Name, res, "Chat/Guardrail/Resource")
			if jsonOf(t, p["IamRoleArn"]) != jsonOf(t, map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}}) ||
				jsonOf(t, p["GuardrailPolicies"]) != jsonOf(t, []any{map[string]any{"Ref": guardID}}) {
				t.Errorf("role %s, guardrails %s", jsonOf(t, p["IamRoleArn"]), jsonOf(t, p["GuardrailPolicies"]))
			}
			trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"chatbot.amazonaws.com"}}],"Version":"2012-10-17"}`
			if got := jsonOf(t, role.Properties["AssumeRolePolicyDocument"]); got != trust {
				t.Errorf("trust %s", got)
			}
			docs := []any{guard.Properties["PolicyDocument"]}
			for _, pol := range role.Properties["Policies"].([]any) {
				docs = append(docs, pol.(map[string]any)["PolicyDocument"])
			}
			if role.Properties["ManagedPolicyArns"] != nil {
				t.Errorf("the role has managed policies %v", role.Properties["ManagedPolicyArns"])
			}
			for _, d := range docs {
				for _, problem := range chatPermissionProblems(t, d.(map[string]any)) {
					t.Error(problem)
				}
			}
		})
	}
}

// chatPermissionProblems expands a policy's Allow statements against the
// Service Authorization Reference (allowed.mjs over iam-data) and reports
// every action that is not Read or List: what a channel member could use
// to change something.
func chatPermissionProblems(t *testing.T, doc map[string]any) []string {
	t.Helper()
	node, dir := nodeTools(t)
	rep := allowedSet(t, node, dir, []iamPolicy{{Name: "chat", Policy: doc}})
	var out []string
	for _, a := range rep.Actions {
		if a.AccessLevel != "Read" && a.AccessLevel != "List" {
			out = append(out, fmt.Sprintf("%s (%s) lets the channel change something", a.Action, a.AccessLevel))
		}
	}
	if len(rep.Actions) == 0 {
		out = append(out, "the policy allows nothing: Chatbot cannot render alarm notifications")
	}
	return out
}

// TestChatPermissionCheckCatchesAWrite is the check's negative test: the
// read grant with one write added.
func TestChatPermissionCheckCatchesAWrite(t *testing.T) {
	doc := map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Resource": "*", "Action": append(append([]string{}, chat.ReadActions...), "cloudwatch:DisableAlarmActions"),
	}}}
	problems := chatPermissionProblems(t, doc)
	if len(problems) != 1 || !strings.HasPrefix(problems[0], "cloudwatch:DisableAlarmActions (Write)") {
		t.Errorf("problems %q, want the one write", problems)
	}
}

// TestEncryptedTopicDeliversToChat proves the path Chatbot uses. Chatbot
// subscribes each configuration to its topics with its service-linked role,
// whose one policy allows sns:Subscribe
// (https://docs.aws.amazon.com/chatbot/latest/adminguide/slr-permissions.html);
// the topic's policy must not deny it. SNS then decrypts each message of
// the encrypted topic before it delivers it to the subscription
// (https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html):
// the subscriber needs no grant on the key, while the publishers
// (CloudWatch, EventBridge) need kms:GenerateDataKey* and kms:Decrypt,
// which TestDeliveryPaths proves for every topic. The negative cases break
// the topic policy and the role's policy and expect a denial.
func TestEncryptedTopicDeliversToChat(t *testing.T) {
	var cases []tamperCase
	want := map[string]string{}
	for _, c := range chatConfigs(t) {
		s := c.stack.s
		p := physical{s: s}
		topicID, _ := svcMust(t, s.Name, svcTemplate(t, c.stack.a, s), "Alarms/Topic/Resource")
		topicArn := p.arn(topicID)
		policy := p.resourcePolicies(t)[topicArn]
		if policy == nil {
			t.Fatalf("%s: the alarm topic %s has no policy", s.Name, topicArn)
		}
		// The topic's key must be a customer managed key: the path this
		// proof is about.
		if _, ok := svcTemplate(t, c.stack.a, s)[topicID].Properties["KmsMasterKeyId"]; !ok {
			t.Fatalf("%s: the alarm topic is not encrypted", s.Name)
		}
		slr := fmt.Sprintf("arn:aws:iam::%s:role/%s", s.Account, chatbotSLRPath)
		base := simCase{
			Principal: slr, Action: "sns:Subscribe", Resource: topicArn, ResourceAccount: s.Account,
			IdentityPolicies: []iamPolicy{{Managed: chatbotSLRPolicy}},
			ResourcePolicy:   policy,
			Context:          map[string]any{"aws:SecureTransport": "true", "aws:PrincipalAccount": s.Account},
		}
		ok := base
		ok.Name = s.Name + " " + svcPath(c.res) + ": Chatbot subscribes the encrypted topic"
		cases = append(cases, tamperCase{simCase: ok})
		want[ok.Name] = "Allowed"

		denied := base
		denied.Name = s.Name + " " + svcPath(c.res) + ": negative: a topic policy denying Subscribe stops it"
		pol, _ := copyDoc(t, policy)
		pol["Statement"] = append(pol["Statement"].([]any), map[string]any{
			"Effect": "Deny", "Principal": "*", "Action": "sns:Subscribe", "Resource": topicArn,
		})
		denied.ResourcePolicy = pol
		cases = append(cases, tamperCase{simCase: denied})
		want[denied.Name] = "ExplicitlyDenied"

		noGrant := base
		noGrant.Name = s.Name + " " + svcPath(c.res) + ": negative: without the role's grant nothing subscribes"
		noGrant.IdentityPolicies = []iamPolicy{{Name: "none", Policy: map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Effect": "Allow", "Action": "sns:ListTopics", "Resource": "*"}}}}}
		cases = append(cases, tamperCase{simCase: noGrant})
		want[noGrant.Name] = "Denied"
	}
	results := simulate(t, cases)
	for i, c := range cases {
		got := results[i].Decision
		if !decisionFits(got, want[c.Name]) {
			t.Errorf("%s: %s, want %s %v", c.Name, got, want[c.Name], results[i].Errors)
		}
	}
	t.Logf("%d chat delivery cases", len(cases))
}
