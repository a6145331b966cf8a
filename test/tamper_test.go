package test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// The tamper matrix: for every resource the baseline creates (read from the
// synthesized templates) every action that the Service Authorization
// Reference lists as Write, Permissions management or Tagging on that
// resource type, and for every account-level setting the baseline makes
// every action that changes it. Operator and ReadOnly must be denied each
// one; Admin is allowed except where the log buckets' policy reserves the
// action for the deploy role and break-glass; the deploy role may change the
// log buckets. The cells come from the SAR data (sar_test.go) and the
// templates alone: when AWS adds an action, or a construct adds a resource,
// the next run has a cell for it, and a resource type the matrix cannot map
// fails the test instead of being skipped.

// tamperTarget is one thing an action may be tried on.
type tamperTarget struct {
	label           string // stack, resource type and construct path
	service, rtype  string // SAR service prefix and resource type key ("" = account-level, no resource type)
	arn             string
	resourceAccount string
	resourcePolicy  map[string]any
	context         map[string]any
	actions         []string // the SAR actions tried on it
	logBucket       bool     // a baseline log bucket (or an object in one)
	object          bool
}

// coveredByParent are template resource types whose changes are actions on
// another resource the matrix already has: a metric filter is changed with
// logs:PutMetricFilter on its log group, a bucket policy with
// s3:PutBucketPolicy on its bucket, and so on.
var coveredByParent = map[string]string{
	"AWS::Logs::MetricFilter":      "logs:PutMetricFilter/DeleteMetricFilter act on the log group",
	"AWS::S3::BucketPolicy":        "s3:PutBucketPolicy/DeleteBucketPolicy act on the bucket",
	"AWS::SNS::TopicPolicy":        "sns:SetTopicAttributes/AddPermission act on the topic",
	"AWS::SNS::Subscription":       "sns:Subscribe/Unsubscribe/SetSubscriptionAttributes act on the topic",
	"AWS::IAM::Policy":             "an inline policy is changed with iam:Put/DeleteRolePolicy on its role",
	"AWS::SecurityHub::Standard":   "securityhub:BatchDisableStandards acts on the hub",
	"AWS::Config::DeliveryChannel": "config:PutDeliveryChannel/DeleteDeliveryChannel have no resource type: in the Config service cells",
	"Custom::GuardDutyDetector":    "a read (guardduty:ListDetectors) of the administrator's detector id: the detector's cells come with the GuardDuty service cells of the organization configuration",
}

// delegatedServiceSettings are the custom resources with which a delegated
// administrator sets a service for the whole organization
// (constructs/orgadmin): every changing action of the service is a cell,
// as for serviceSettings (whose entry of the service gives its
// service-linked role).
var delegatedServiceSettings = map[string]string{
	"Custom::GuardDutyAdministratorDetector":     "guardduty",
	"Custom::GuardDutyOrganizationConfiguration": "guardduty",
	"Custom::InspectorOrganizationConfiguration": "inspector2",
}

// accountSettings map a custom resource of the baseline to the actions that
// change the setting it makes: the service's changing actions whose name
// matches. The SAR lists these actions with no resource type.
var accountSettings = map[string]struct {
	service string
	name    *regexp.Regexp
}{
	"Custom::AccountPublicAccessBlock": {"s3", regexp.MustCompile(`AccountPublicAccessBlock`)},
	"Custom::EbsEncryptionByDefault":   {"ec2", regexp.MustCompile(`EbsEncryptionByDefault|EbsDefaultKmsKeyId`)},
	"Custom::AccountPasswordPolicy":    {"iam", regexp.MustCompile(`AccountPasswordPolicy`)},
	// CloudTrail's trusted access in AWS Organizations, which the
	// organization trail needs; the Enable and Disable actions change it.
	"Custom::CloudTrailTrustedAccess": {"organizations", regexp.MustCompile(`AWSServiceAccess`)},
	// The management account's organization settings (constructs/rootaccess,
	// constructs/orgadmin): trusted access, delegated administrators, and
	// centralized root access.
	"Custom::IAMTrustedAccess":             {"organizations", regexp.MustCompile(`AWSServiceAccess`)},
	"Custom::ConfigTrustedAccess":          {"organizations", regexp.MustCompile(`AWSServiceAccess`)},
	"Custom::AccessAnalyzerTrustedAccess":  {"organizations", regexp.MustCompile(`AWSServiceAccess`)},
	"Custom::ConfigDelegatedAdmin":         {"organizations", regexp.MustCompile(`DelegatedAdministrator`)},
	"Custom::AccessAnalyzerDelegatedAdmin": {"organizations", regexp.MustCompile(`DelegatedAdministrator`)},
	"Custom::GuardDutyDelegatedAdmin":      {"guardduty", regexp.MustCompile(`OrganizationAdminAccount`)},
	"Custom::InspectorDelegatedAdmin":      {"inspector2", regexp.MustCompile(`DelegatedAdminAccount`)},
	"Custom::RootCredentialsManagement":    {"iam", regexp.MustCompile(`OrganizationsRootCredentialsManagement`)},
	"Custom::RootSessions":                 {"iam", regexp.MustCompile(`OrganizationsRootSessions`)},
}

// serviceSettings are the services whose whole configuration the baseline
// owns in each region where a template has the resource type: every changing
// action of the service is a cell. Their service-linked roles are targets
// too (deleting one stops the service). The role paths are from each
// service's documentation:
// https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles.html
// https://docs.aws.amazon.com/guardduty/latest/ug/slr-permissions.html
// https://docs.aws.amazon.com/securityhub/latest/userguide/using-service-linked-roles.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-using-service-linked-roles.html
// https://docs.aws.amazon.com/inspector/latest/user/using-service-linked-roles.html
var serviceSettings = map[string]struct{ service, slr string }{
	"AWS::Config::ConfigurationRecorder": {"config", "aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"},
	"AWS::GuardDuty::Detector":           {"guardduty", "aws-service-role/guardduty.amazonaws.com/AWSServiceRoleForAmazonGuardDuty"},
	"AWS::SecurityHub::Hub":              {"securityhub", "aws-service-role/securityhub.amazonaws.com/AWSServiceRoleForSecurityHub"},
	// Organization mode's central configuration (audit account) and the
	// designation (management account): the same service.
	"AWS::SecurityHub::OrganizationConfiguration": {"securityhub", "aws-service-role/securityhub.amazonaws.com/AWSServiceRoleForSecurityHub"},
	"AWS::SecurityHub::PolicyAssociation":         {"securityhub", "aws-service-role/securityhub.amazonaws.com/AWSServiceRoleForSecurityHub"},
	"AWS::SecurityHub::ConfigurationPolicy":       {"securityhub", "aws-service-role/securityhub.amazonaws.com/AWSServiceRoleForSecurityHub"},
	"AWS::SecurityHub::DelegatedAdmin":            {"securityhub", "aws-service-role/securityhub.amazonaws.com/AWSServiceRoleForSecurityHub"},
	"AWS::AccessAnalyzer::Analyzer":               {"access-analyzer", "aws-service-role/access-analyzer.amazonaws.com/AWSServiceRoleForAccessAnalyzer"},
	// Inspector has no CloudFormation type: constructs/inspector's custom
	// resource stands for it.
	"Custom::InspectorScans": {"inspector2", "aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2"},
}

// operatorKeeps is policies/iam/operator-keeps.yaml: the changing actions of
// the baseline's services that the operator keeps on purpose.
type operatorKeep struct {
	Action string `yaml:"action"`
	Reason string `yaml:"reason"`
}

func loadOperatorKeeps(t testing.TB) map[string]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "policies", "iam", "operator-keeps.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	keeps, err := parseOperatorKeeps(data, "policies/iam/operator-keeps.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return keeps
}

// parseOperatorKeeps decodes the keeps strictly (internal/strictyaml) and
// returns each action, lower-cased, with its reason; an entry without an
// action or a reason, or an action listed twice, is an error.
func parseOperatorKeeps(data []byte, source string) (map[string]string, error) {
	var doc struct {
		Keeps []operatorKeep `yaml:"keeps"`
	}
	d := strictyaml.Unmarshal(data, source, &doc)
	out := map[string]string{}
	first := map[string]int{}
	for i, k := range doc.Keeps {
		path := fmt.Sprintf("keeps[%d]", i)
		if k.Action == "" {
			d.Problemf(path+".action", "required; the service:Action the operator keeps")
		}
		if strings.TrimSpace(k.Reason) == "" {
			d.Problemf(path+".reason", "required; say in one line why the operator keeps %s", k.Action)
		}
		key := strings.ToLower(k.Action)
		if j, dup := first[key]; dup {
			d.Problemf(path+".action", "%s is already keeps[%d]", k.Action, j)
			continue
		}
		first[key] = i
		out[key] = k.Reason
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// fakeID is a stable, realistic id for something CloudFormation or the
// service names at deploy time.
func fakeID(seed string, n int) string {
	sum := sha256.Sum256([]byte(seed))
	return fmt.Sprintf("%x", sum)[:n]
}

func fakeUUID(seed string) string {
	h := fakeID(seed, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// cfnName is the name CloudFormation gives a resource without a name
// property: <stack name>-<logical id>-<random>, cut to fit the service's
// limit (64 for IAM roles and Lambda functions). It keeps the start of the
// stack name, which is what the operator deny's ${StackPrefix}* matches.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html
func cfnName(stackName, logicalID string, limit int) string {
	suffix := "-" + strings.ToUpper(fakeID(stackName+logicalID, 12))
	head := stackName + "-" + logicalID
	if len(head)+len(suffix) > limit {
		head = head[:limit-len(suffix)]
	}
	return head + suffix
}

// physical resolves Ref and Fn::GetAtt ...Arn of the stack's resources to
// the names and ARNs they will have, for policies that name them.
type physical struct {
	s assembly.Stack
}

func (p physical) keyID(lid string) string { return fakeUUID(p.s.Name + lid) }

func (p physical) name(lid string) string {
	res := p.s.Template.Resources[lid]
	for _, prop := range []string{"BucketName", "TopicName", "LogGroupName", "RoleName", "TrailName", "AliasName", "AnalyzerName", "GroupName", "UserName", "Name", "AlarmName", "FunctionName", "ManagedPolicyName", "ConfigurationName"} {
		switch v := res.Properties[prop].(type) {
		case string:
			return v
		case map[string]any: // Fn::Join of pseudo parameters, as in StackSet member templates
			if s, err := (resolver{stack: p.s}).resolve(v); err == nil {
				if name, ok := s.(string); ok && !strings.HasPrefix(name, "ref:") {
					return name
				}
			}
		}
	}
	switch res.Type {
	case "AWS::KMS::Key":
		return p.keyID(lid)
	case "AWS::GuardDuty::Detector":
		return fakeID(p.s.Name+lid, 32)
	}
	return cfnName(p.s.Name, lid, 64)
}

func (p physical) arn(lid string) string {
	res := p.s.Template.Resources[lid]
	r, a, n := p.s.Region, p.s.Account, p.name(lid)
	switch res.Type {
	case "AWS::S3::Bucket":
		return "arn:aws:s3:::" + n
	case "AWS::KMS::Key":
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", r, a, n)
	case "AWS::KMS::Alias":
		return fmt.Sprintf("arn:aws:kms:%s:%s:%s", r, a, n)
	case "AWS::SNS::Topic":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", r, a, n)
	case "AWS::Logs::LogGroup":
		return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", r, a, n)
	case "AWS::IAM::Role":
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", a, n)
	case "AWS::IAM::Group":
		return fmt.Sprintf("arn:aws:iam::%s:group/%s", a, n)
	case "AWS::IAM::User":
		return fmt.Sprintf("arn:aws:iam::%s:user/%s", a, n)
	case "AWS::IAM::ManagedPolicy":
		return fmt.Sprintf("arn:aws:iam::%s:policy/%s", a, n)
	case "AWS::Lambda::Function":
		return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", r, a, n)
	case "AWS::CloudTrail::Trail":
		return fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", r, a, n)
	case "AWS::CloudWatch::Alarm":
		return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", r, a, n)
	case "AWS::Events::Rule":
		return fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", r, a, n)
	case "AWS::GuardDuty::Detector":
		return fmt.Sprintf("arn:aws:guardduty:%s:%s:detector/%s", r, a, n)
	case "AWS::SecurityHub::Hub":
		return fmt.Sprintf("arn:aws:securityhub:%s:%s:hub/default", r, a)
	// Both ids are made by Security Hub (the Id and FindingAggregatorArn
	// attributes).
	case "AWS::SecurityHub::ConfigurationPolicy":
		return fmt.Sprintf("arn:aws:securityhub:%s:%s:configuration-policy/%s", r, a, fakeUUID(lid))
	case "AWS::SecurityHub::FindingAggregator":
		return fmt.Sprintf("arn:aws:securityhub:%s:%s:finding-aggregator/%s", r, a, fakeUUID(lid))
	case "AWS::AccessAnalyzer::Analyzer":
		return fmt.Sprintf("arn:aws:access-analyzer:%s:%s:analyzer/%s", r, a, n)
	case "AWS::Config::ConfigurationRecorder":
		return fmt.Sprintf("arn:aws:config:%s:%s:configuration-recorder/%s/%s", r, a, n, fakeID(lid, 8))
	case "AWS::Config::ConfigurationAggregator":
		// AWS Config names an aggregator's ARN by an id of its own, not by
		// its name (the SAR's config-aggregator/${AggregatorId}).
		return fmt.Sprintf("arn:aws:config:%s:%s:config-aggregator/config-aggregator-%s", r, a, fakeID(lid, 8))
	case "AWS::CloudFormation::StackSet":
		return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stackset/%s:%s", r, a, n, fakeUUID(lid))
	case "AWS::Organizations::Policy":
		return fmt.Sprintf("arn:aws:organizations::%s:policy/o-%s/service_control_policy/p-%s", a, fakeID(lid, 10), fakeID(lid, 8))
	// Chatbot is global: no region in its ARNs. The configuration types
	// are the API's (ChatConfigurationArn in
	// https://docs.aws.amazon.com/chatbot/latest/APIReference/API_SlackChannelConfiguration.html).
	case "AWS::Chatbot::SlackChannelConfiguration":
		return fmt.Sprintf("arn:aws:chatbot::%s:chat-configuration/slack-channel/%s", a, n)
	case "AWS::Chatbot::MicrosoftTeamsChannelConfiguration":
		return fmt.Sprintf("arn:aws:chatbot::%s:chat-configuration/microsoft-teams-channel/%s", a, n)
	}
	return ""
}

// resolve turns a template value into plain JSON: Ref and Fn::GetAtt of the
// stack's resources become their physical id or ARN, pseudo parameters
// their values, Fn::Join is joined. Anything else fails the test.
func (p physical) resolve(t testing.TB, v any, where string) any {
	t.Helper()
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					name, _ := arg.(string)
					if v, ok := pseudoParameter(p.s, name); ok {
						return v
					}
					if _, ok := p.s.Template.Resources[name]; !ok {
						t.Fatalf("%s %s: Ref to unknown %q", p.s.Name, where, name)
					}
					if p.s.Template.Resources[name].Type == "AWS::SNS::Topic" {
						return p.arn(name) // Ref of a topic is its ARN
					}
					return p.name(name)
				case "Fn::GetAtt":
					args, _ := arg.([]any)
					if len(args) == 2 && args[1] == "Arn" {
						if a := p.arn(args[0].(string)); a != "" {
							return a
						}
					}
					t.Fatalf("%s %s: cannot resolve Fn::GetAtt %v", p.s.Name, where, arg)
				case "Fn::Join":
					args, _ := arg.([]any)
					sep, _ := args[0].(string)
					parts, _ := args[1].([]any)
					var out []string
					for _, e := range parts {
						s, ok := p.resolve(t, e, where).(string)
						if !ok {
							t.Fatalf("%s %s: Fn::Join part %v is not a string", p.s.Name, where, e)
						}
						out = append(out, s)
					}
					return strings.Join(out, sep)
				default:
					if strings.HasPrefix(k, "Fn::") {
						t.Fatalf("%s %s: intrinsic %s is not resolved by the tamper matrix", p.s.Name, where, k)
					}
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = p.resolve(t, e, where)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = p.resolve(t, e, where)
		}
		return out
	}
	return v
}

// resourcePolicies finds the bucket, key and topic policies of a stack, by
// the ARN of the resource they govern.
func (p physical) resourcePolicies(t testing.TB) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, lid := range sortedIDs(p.s) {
		res := p.s.Template.Resources[lid]
		switch res.Type {
		case "AWS::S3::BucketPolicy":
			bucket, _ := p.resolve(t, res.Properties["Bucket"], lid).(string)
			out["arn:aws:s3:::"+bucket], _ = p.resolve(t, res.Properties["PolicyDocument"], lid).(map[string]any)
		case "AWS::KMS::Key":
			out[p.arn(lid)], _ = p.resolve(t, res.Properties["KeyPolicy"], lid).(map[string]any)
		case "AWS::SNS::TopicPolicy":
			doc, _ := p.resolve(t, res.Properties["PolicyDocument"], lid).(map[string]any)
			topics, _ := p.resolve(t, res.Properties["Topics"], lid).([]any)
			for _, tp := range topics {
				out[tp.(string)] = doc
			}
		}
	}
	return out
}

// rootKeyPolicy stands in for an alias's key policy: alias actions are
// authorized by IAM policies on the alias ARN (and by the key policy on the
// key, a separate cell), so the account-root statement lets IAM decide.
// https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html
func rootKeyPolicy(account string) map[string]any {
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + account + ":root"}, "Action": "kms:*", "Resource": "*"}}}
}

// tamperTargets reads every resource and account setting of one stack.
func tamperTargets(t testing.TB, s assembly.Stack, logBucketPrefix string) []tamperTarget {
	t.Helper()
	p := physical{s: s}
	policies := p.resourcePolicies(t)
	aliases := map[string][]string{} // key logical id -> alias names
	for _, lid := range sortedIDs(s) {
		res := s.Template.Resources[lid]
		if res.Type == "AWS::KMS::Alias" {
			target, _ := res.Properties["TargetKeyId"].(map[string]any)
			key, _ := target["Ref"].(string)
			if ga, ok := target["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
				key, _ = ga[0].(string)
			}
			if key == "" {
				t.Fatalf("%s %s: TargetKeyId %v is not a key of the stack", s.Name, lid, target)
			}
			aliases[key] = append(aliases[key], res.Properties["AliasName"].(string))
		}
	}
	var out []tamperTarget
	add := func(tg tamperTarget) {
		if tg.rtype != "" {
			rt := sar(t, tg.service).resourceType(t, tg.rtype)
			if !rt.matchesArn(tg.arn) {
				t.Fatalf("%s: ARN %s does not fit the SAR's %s %s ARN %s", tg.label, tg.arn, tg.service, tg.rtype, rt.Arn)
			}
			tg.actions = sar(t, tg.service).changing(tg.rtype)
		}
		if tg.resourceAccount == "" {
			tg.resourceAccount = s.Account
		}
		out = append(out, tg)
	}
	// The stack itself. Its tags are the stack's: never the operator's
	// ownership tag.
	add(tamperTarget{label: s.Name + " stack", service: "cloudformation", rtype: "stack",
		arn: fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", s.Region, s.Account, s.Name, fakeUUID(s.Name))})

	services := map[string]bool{}
	for _, lid := range sortedIDs(s) {
		res := s.Template.Resources[lid]
		label := fmt.Sprintf("%s %s %s", s.Name, res.Type, strings.TrimPrefix(cdkPath(res), s.Name+"/"))
		arn := p.arn(lid)
		if set, ok := serviceSettings[res.Type]; ok {
			services[set.service] = true
		}
		if svc, ok := delegatedServiceSettings[res.Type]; ok {
			services[svc] = true
		}
		switch res.Type {
		case "AWS::S3::Bucket":
			lb := strings.HasPrefix(p.name(lid), logBucketPrefix)
			add(tamperTarget{label: label, service: "s3", rtype: "bucket", arn: arn, resourcePolicy: policies[arn], logBucket: lb})
			add(tamperTarget{label: label + " object", service: "s3", rtype: "object", arn: arn + "/AWSLogs/" + s.Account + "/CloudTrail/" + s.Region + "/2026/12/01/log.json.gz",
				resourcePolicy: policies[arn], logBucket: lb, object: true})
		case "AWS::KMS::Key":
			ctx := map[string]any{}
			if len(aliases[lid]) > 0 {
				ctx["kms:ResourceAliases"] = aliases[lid]
			}
			add(tamperTarget{label: label, service: "kms", rtype: "key", arn: arn, resourcePolicy: policies[arn], context: ctx})
		case "AWS::KMS::Alias":
			add(tamperTarget{label: label, service: "kms", rtype: "alias", arn: arn, resourcePolicy: rootKeyPolicy(s.Account)})
		case "AWS::SNS::Topic":
			add(tamperTarget{label: label, service: "sns", rtype: "topic", arn: arn, resourcePolicy: policies[arn]})
		case "AWS::Logs::LogGroup":
			add(tamperTarget{label: label, service: "logs", rtype: "log-group", arn: arn})
			add(tamperTarget{label: label + " stream", service: "logs", rtype: "log-stream", arn: arn + ":log-stream:" + s.Account + "_CloudTrail_" + s.Region})
		case "AWS::IAM::Role":
			add(tamperTarget{label: label, service: "iam", rtype: "role", arn: arn})
		case "AWS::IAM::Group":
			add(tamperTarget{label: label, service: "iam", rtype: "group", arn: arn})
		case "AWS::IAM::User":
			add(tamperTarget{label: label, service: "iam", rtype: "user", arn: arn})
		case "AWS::IAM::ManagedPolicy":
			add(tamperTarget{label: label, service: "iam", rtype: "policy", arn: arn})
		case "AWS::Lambda::Function":
			add(tamperTarget{label: label, service: "lambda", rtype: "function", arn: arn})
		case "AWS::CloudTrail::Trail":
			add(tamperTarget{label: label, service: "cloudtrail", rtype: "trail", arn: arn})
		case "AWS::CloudWatch::Alarm":
			add(tamperTarget{label: label, service: "cloudwatch", rtype: "alarm", arn: arn})
		case "AWS::Events::Rule":
			add(tamperTarget{label: label, service: "events", rtype: "rule-on-default-event-bus", arn: arn})
		case "AWS::GuardDuty::Detector":
			add(tamperTarget{label: label, service: "guardduty", rtype: "detector", arn: arn})
		case "AWS::SecurityHub::Hub":
			add(tamperTarget{label: label, service: "securityhub", rtype: "hub", arn: arn})
		case "AWS::SecurityHub::ConfigurationPolicy":
			add(tamperTarget{label: label, service: "securityhub", rtype: "configuration-policy", arn: arn})
		case "AWS::SecurityHub::FindingAggregator":
			add(tamperTarget{label: label, service: "securityhub", rtype: "finding-aggregator", arn: arn})
		case "AWS::SecurityHub::OrganizationConfiguration", "AWS::SecurityHub::PolicyAssociation", "AWS::SecurityHub::DelegatedAdmin":
			// The organization's Security Hub configuration
			// (UpdateOrganizationConfiguration, Start/
			// StartConfigurationPolicyDisassociation, Enable/
			// DisableOrganizationAdminAccount) has no resource type of its
			// own: every changing securityhub action is a service cell
			// below (serviceSettings).
		case "AWS::AccessAnalyzer::Analyzer":
			add(tamperTarget{label: label, service: "access-analyzer", rtype: "analyzer", arn: arn})
		case "AWS::Config::ConfigurationRecorder":
			add(tamperTarget{label: label, service: "config", rtype: "configurationrecorder", arn: arn})
		case "AWS::Chatbot::SlackChannelConfiguration", "AWS::Chatbot::MicrosoftTeamsChannelConfiguration":
			add(tamperTarget{label: label, service: "chatbot", rtype: "ChatbotConfiguration", arn: arn})
		case "Custom::ConfigServiceLinkedRole", "Custom::InspectorServiceLinkedRole":
			// Made by the custom resource; its cells come with the Config
			// and Inspector services below.
		case "AWS::Config::ConfigurationAggregator":
			add(tamperTarget{label: label, service: "config", rtype: "ConfigurationAggregator", arn: arn})
		case "AWS::CloudFormation::StackSet":
			add(tamperTarget{label: label, service: "cloudformation", rtype: "stackset", arn: arn})
		case "AWS::Organizations::Policy":
			add(tamperTarget{label: label, service: "organizations", rtype: "policy", arn: arn})
		case "Custom::GuardDutyAdministratorDetector", "Custom::GuardDutyOrganizationConfiguration", "Custom::InspectorOrganizationConfiguration":
			// The service's organization-wide settings: every changing
			// action of the service is a service cell below.
		case "Custom::InspectorScans":
			// Inspector's whole configuration: every changing inspector2
			// action is a service cell below.
		default:
			if set, ok := accountSettings[res.Type]; ok {
				var acts []string
				for _, a := range sar(t, set.service).changing("") {
					if set.name.MatchString(a) {
						acts = append(acts, a)
					}
				}
				if len(acts) == 0 {
					t.Fatalf("%s: no SAR action of %s matches %s", label, set.service, set.name)
				}
				out = append(out, tamperTarget{label: label + " (account setting)", service: set.service, arn: "*", resourceAccount: s.Account, actions: acts})
				continue
			}
			if _, ok := coveredByParent[res.Type]; ok {
				continue
			}
			t.Errorf("%s: resource type %s has no place in the tamper matrix: map it in tamperTargets (test/tamper_test.go)", label, res.Type)
		}
	}
	// The services the baseline owns: every changing action, on the
	// baseline's resource when the action acts on one (above), else on a
	// resource of the action's first type named as the SAR's template
	// shows, or on "*".
	for _, svc := range slices.Sorted(maps.Keys(services)) {
		done := map[string]bool{}
		for _, tg := range out {
			if tg.service == svc {
				for _, a := range tg.actions {
					done[a] = true
				}
			}
		}
		byArn := map[string][]string{}
		for _, a := range sar(t, svc).changing("") {
			if done[a] {
				continue
			}
			act, _ := sar(t, svc).action(a)
			arn := "*"
			if len(act.ResourceTypes) > 0 {
				rt := sar(t, svc).resourceType(t, act.ResourceTypes[0].Name)
				arn = sarVar.ReplaceAllStringFunc(rt.Arn, func(v string) string {
					switch v {
					case "${Partition}":
						return "aws"
					case "${Region}":
						return s.Region
					case "${Account}":
						return s.Account
					}
					return "x" + fakeID(v, 6)
				})
			}
			byArn[arn] = append(byArn[arn], a)
		}
		for _, arn := range slices.Sorted(maps.Keys(byArn)) {
			out = append(out, tamperTarget{label: fmt.Sprintf("%s %s service settings %s", s.Name, svc, arn), service: svc, arn: arn, resourceAccount: s.Account, actions: byArn[arn]})
		}
		for typ, set := range serviceSettings {
			if set.service == svc {
				add(tamperTarget{label: fmt.Sprintf("%s %s service-linked role (%s)", s.Name, svc, typ), service: "iam", rtype: "role",
					arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", s.Account, set.slr)})
			}
		}
	}
	return out
}

// tamperCase is a simulate.mjs case; allowIgnoredContextKeys because
// kms:ResourceAliases is given for every key cell and some key actions do
// not take it.
type tamperCase struct {
	simCase
	AllowIgnoredContextKeys bool `json:"allowIgnoredContextKeys,omitempty"`
}

type tamperCell struct {
	tamperCase
	role, want string
	target     *tamperTarget
}

// logBucketReserved says which actions on a log bucket (or its objects) the
// bucket policy keeps from everyone but the deploy role (bucket settings)
// and break-glass (log deletion and retention): the design of
// constructs/audittrail's archive. Every other changing action on a log
// object, such as writing one, stays with the admin.
// keyReserved are the key actions every baseline key policy keeps from
// everyone, admin included, unless an AWS service asks for an AWS resource
// (constructs/internal/keypolicy, AWS Control Tower's CT.KMS.PR.3).
var keyReserved = map[string]bool{"kms:CreateGrant": true}

var logObjectReserved = regexp.MustCompile(`^s3:(DeleteObject|DeleteObjectVersion|ReplicateDelete|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention)$`)

func (w *accessWorld) tamperCells(t testing.TB) []tamperCell {
	var cells []tamperCell
	for _, acc := range w.cfg.Accounts {
		roles := w.accessRoles(t, acc.ID)
		for _, is := range w.stacks[acc.ID] {
			s := is.Stack
			deployRole := fmt.Sprintf("cdk-hnb659fds-cfn-exec-role-%s-%s", acc.ID, s.Region)
			targets := tamperTargets(t, s, "baseline-")
			for i := range targets {
				tg := &targets[i]
				for _, action := range tg.actions {
					for _, kind := range []string{"admin", "operator", "readOnly", "deploy"} {
						want := "Denied"
						switch kind {
						case "admin":
							want = "Allowed"
							if tg.logBucket && (!tg.object || logObjectReserved.MatchString(action)) {
								want = "ExplicitlyDenied"
							}
							if tg.service == "kms" && tg.rtype == "key" && keyReserved[action] {
								want = "ExplicitlyDenied"
							}
						case "deploy":
							if !tg.logBucket || tg.object {
								continue
							}
							want = "Allowed"
						}
						principal := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", acc.ID, roleName(roles, kind, deployRole))
						policies := []iamPolicy{{Managed: "arn:aws:iam::aws:policy/AdministratorAccess"}}
						if kind != "deploy" {
							policies = roles[kind].Policies
						}
						c := tamperCell{role: kind, want: want, target: tg}
						c.simCase = simCase{
							Name:      fmt.Sprintf("%s/%s %s: %s on %s", w.label, kind, roleName(roles, kind, deployRole), action, tg.label),
							Principal: principal, Action: action, Resource: tg.arn, ResourceAccount: tg.resourceAccount,
							IdentityPolicies: policies, ResourcePolicy: tg.resourcePolicy, Context: tg.context,
						}
						if c.Context == nil {
							c.Context = map[string]any{}
						}
						c.AllowIgnoredContextKeys = len(tg.context) > 0
						cells = append(cells, c)
					}
				}
			}
		}
	}
	return cells
}

func roleName(roles map[string]*iamRole, kind, deployRole string) string {
	if kind == "deploy" {
		return deployRole
	}
	return roles[kind].Name
}

// simulate runs cases through simulate.mjs and returns the results in order.
func simulate[C any](t testing.TB, cases []C) []simResult {
	t.Helper()
	node, dir := nodeTools(t)
	out, code := runNode(t, node, map[string]any{"cases": cases}, dir+"/simulate.mjs")
	var rep simReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("simulate.mjs (exit %d) printed no report: %v\n%.2000s", code, err, out)
	}
	if len(rep.Errors) > 0 || len(rep.Results) != len(cases) {
		t.Fatalf("simulate.mjs: %v; %d results for %d cases", rep.Errors, len(rep.Results), len(cases))
	}
	return rep.Results
}

func decisionFits(got, want string) bool {
	return got == want || (want == "Denied" && strings.HasSuffix(got, "Denied"))
}

// TestTamperMatrix is the matrix on the example (single-account) and the
// hub-mode configs.
func TestTamperMatrix(t *testing.T) {
	keeps := loadOperatorKeeps(t)
	worlds := []*accessWorld{
		newAccessWorld(t, "single", config.Example(), exampleAssembly(t)),
		newAccessWorld(t, "hub", hubCfg(t), hubAssembly(t)),
		// Organization mode's per-account stacks: the management, log
		// archive and audit accounts, with the audit account's
		// administration of the organization (constructs/orgadmin) and
		// Security Hub central configuration.
		newAccessWorld(t, "organization mode", orgModeCfg(t), orgModeAssembly(t)),
	}
	var cells []tamperCell
	for _, w := range worlds {
		cells = append(cells, w.tamperCells(t)...)
	}
	usedKeeps := map[string]bool{}
	for i := range cells {
		c := &cells[i]
		if c.role == "operator" && keeps[strings.ToLower(c.Action)] != "" && !c.target.logBucket {
			c.want = "Allowed"
			usedKeeps[strings.ToLower(c.Action)] = true
		}
	}
	cases := make([]tamperCase, len(cells))
	for i, c := range cells {
		cases[i] = c.tamperCase
	}
	results := simulate(t, cases)

	type tally struct{ cells, failed int }
	per := map[string]*tally{}
	targets := map[string]map[*tamperTarget]bool{}
	var failures []string
	for i, c := range cells {
		res := results[i]
		if per[c.role] == nil {
			per[c.role] = &tally{}
			targets[c.role] = map[*tamperTarget]bool{}
		}
		per[c.role].cells++
		targets[c.role][c.target] = true
		switch {
		case res.Decision == "Error" || len(res.Errors) > 0:
			per[c.role].failed++
			failures = append(failures, fmt.Sprintf("%s: not evaluated: %s", c.Name, strings.Join(res.Errors, "; ")))
		case !decisionFits(res.Decision, c.want):
			per[c.role].failed++
			failures = append(failures, fmt.Sprintf("%s: %s, want %s", c.Name, res.Decision, c.want))
		}
	}
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
	for _, k := range slices.Sorted(maps.Keys(keeps)) {
		if !usedKeeps[k] {
			t.Errorf("operator-keeps.yaml: %s is no cell of the matrix (renamed or removed by AWS?): drop it", k)
		}
	}
	for _, role := range slices.Sorted(maps.Keys(per)) {
		t.Logf("tamper matrix %s: %d targets, %d cells, %d failed", role, len(targets[role]), per[role].cells, per[role].failed)
	}
	if per["operator"] == nil || per["operator"].cells < 1000 {
		t.Fatalf("the operator has too few cells: the templates were not read")
	}
}

// TestOperatorEscalation proves the rule that keeps the operator from acting
// through CloudFormation's stored service roles. CloudFormation uses a
// stack's service role for CreateChangeSet, UpdateStack and the rest "even if
// the users don't have permission to pass it"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_UpdateStack.html,
// RoleARN), and every stack `cdk deploy` made keeps the bootstrap cfn-exec
// role (AdministratorAccess). The rule: the operator changes only stacks
// tagged accessmodel.OwnerTagKey=operator and creates stacks only with that
// tag; it cannot pass a role (PowerUserAccess has no iam:PassRole), so its
// own stacks never hold one. The cells: every changing CloudFormation action
// of the SAR on stacks, stack sets and change sets, tried on a stack the
// operator does not own (denied) and on one it owns (allowed), and the
// creates with and without the tag.
func TestOperatorEscalation(t *testing.T) {
	const ownerKey = "baseline:owner"
	cfn := sar(t, "cloudformation")
	var actions []string
	for _, rt := range []string{"stack", "stackset", "changeset"} {
		actions = append(actions, cfn.changing(rt)...)
	}
	sort.Strings(actions)
	actions = slicesCompact(actions)
	creates := map[string]bool{"cloudformation:CreateStack": true, "cloudformation:CreateStackSet": true, "cloudformation:CreateChangeSet": true}
	for a := range creates {
		if _, ok := cfn.action(a); !ok {
			t.Fatalf("SAR has no %s", a)
		}
	}
	type row struct {
		tamperCase
		want string
	}
	var rows []row
	for _, w := range []*accessWorld{
		newAccessWorld(t, "single", config.Example(), exampleAssembly(t)),
		newAccessWorld(t, "hub", hubCfg(t), hubAssembly(t)),
	} {
		for _, acc := range w.cfg.Accounts {
			op := w.accessRoles(t, acc.ID)["operator"]
			region := acc.HomeRegion
			resource := func(rtype, name string) string {
				switch rtype {
				case "stackset":
					return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stackset/%s:%s", region, acc.ID, name, fakeUUID(name))
				case "changeset":
					return fmt.Sprintf("arn:aws:cloudformation:%s:%s:changeSet/%s-change/%s", region, acc.ID, name, fakeUUID(name))
				}
				return fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/%s", region, acc.ID, name, fakeUUID(name))
			}
			add := func(label, action, arn string, ctx map[string]any, want string) {
				rows = append(rows, row{tamperCase{simCase: simCase{
					Name:      fmt.Sprintf("%s/%s in %s: %s on %s", w.label, op.Name, acc.Name, action, label),
					Principal: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", acc.ID, op.Name), Action: action, Resource: arn,
					IdentityPolicies: op.Policies, Context: ctx,
				}, AllowIgnoredContextKeys: true}, want})
			}
			for _, a := range actions {
				act, _ := cfn.action(a)
				rtype := act.ResourceTypes[0].Name
				if creates[a] {
					continue
				}
				add("a stack it does not own", a, resource(rtype, "team-app"), map[string]any{}, "Denied")
				add("a stack another owner tagged", a, resource(rtype, "team-app"), map[string]any{"aws:ResourceTag/" + ownerKey: "admin"}, "Denied")
				add("a stack it owns", a, resource(rtype, "ops-app"), map[string]any{"aws:ResourceTag/" + ownerKey: "operator"}, "Allowed")
			}
			for _, stackName := range []string{"CDKToolkit", acc.Name + "-" + acc.HomeRegion} {
				add("the stack "+stackName, "cloudformation:UpdateStack", resource("stack", stackName), map[string]any{}, "Denied")
				add("the stack "+stackName+", even tagged as the operator's", "cloudformation:UpdateStack", resource("stack", stackName),
					map[string]any{"aws:ResourceTag/" + ownerKey: "operator"}, "Denied")
				// The baseline's stacks are protected by name too: not even
				// a change set that would tag them as the operator's.
				add("the stack "+stackName+", tagging it as the operator's", "cloudformation:CreateChangeSet", resource("stack", stackName),
					map[string]any{"aws:RequestTag/" + ownerKey: "operator"}, "Denied")
				add("the stack "+stackName+", then executing it", "cloudformation:ExecuteChangeSet", resource("stack", stackName),
					map[string]any{}, "Denied")
			}
			// A change set that tags another stack as the operator's is
			// created, but cannot be executed: ExecuteChangeSet is decided on
			// the stack's tags as they are.
			add("a stack it does not own, tagging it as the operator's", "cloudformation:CreateChangeSet", resource("stack", "team-app"),
				map[string]any{"aws:RequestTag/" + ownerKey: "operator"}, "Allowed")
			add("a stack it does not own, then executing it", "cloudformation:ExecuteChangeSet", resource("stack", "team-app"),
				map[string]any{}, "Denied")
			add("a new stack without the owner tag", "cloudformation:CreateStack", resource("stack", "ops-new"), map[string]any{}, "Denied")
			add("a new stack tagged for another owner", "cloudformation:CreateStack", resource("stack", "ops-new"), map[string]any{"aws:RequestTag/" + ownerKey: "admin"}, "Denied")
			add("a new stack with the owner tag", "cloudformation:CreateStack", resource("stack", "ops-new"), map[string]any{"aws:RequestTag/" + ownerKey: "operator"}, "Allowed")
			add("a new change set stack without the owner tag", "cloudformation:CreateChangeSet", resource("stack", "ops-new"), map[string]any{}, "Denied")
			add("a new change set stack with the owner tag", "cloudformation:CreateChangeSet", resource("stack", "ops-new"), map[string]any{"aws:RequestTag/" + ownerKey: "operator"}, "Allowed")
			add("a new stack set without the owner tag", "cloudformation:CreateStackSet", "*", map[string]any{}, "Denied")
			add("a new stack set with the owner tag", "cloudformation:CreateStackSet", "*", map[string]any{"aws:RequestTag/" + ownerKey: "operator"}, "Allowed")
			// Without iam:PassRole the operator's own stacks hold no role.
			add("the cfn-exec role", "iam:PassRole", fmt.Sprintf("arn:aws:iam::%s:role/cdk-hnb659fds-cfn-exec-role-%s-%s", acc.ID, acc.ID, region), map[string]any{}, "Denied")
			add("any role", "iam:PassRole", fmt.Sprintf("arn:aws:iam::%s:role/team-admin", acc.ID), map[string]any{}, "Denied")
		}
	}
	cases := make([]tamperCase, len(rows))
	for i, r := range rows {
		cases[i] = r.tamperCase
	}
	results := simulate(t, cases)
	allowed := 0
	for i, r := range rows {
		res := results[i]
		if res.Decision == "Error" || len(res.Errors) > 0 {
			t.Errorf("%s: not evaluated: %s", r.Name, strings.Join(res.Errors, "; "))
			continue
		}
		if !decisionFits(res.Decision, r.want) {
			t.Errorf("%s: %s, want %s", r.Name, res.Decision, r.want)
		}
		if res.Decision == "Allowed" {
			allowed++
		}
	}
	t.Logf("escalation: %d CloudFormation actions from the SAR, %d cases, %d allowed (the operator's own stacks)", len(actions), len(rows), allowed)
}

func slicesCompact(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// withoutStatement returns a copy of policies in which the statement with
// the given Sid is gone, and whether there was one.
func withoutStatement(policies []iamPolicy, sid string) ([]iamPolicy, bool) {
	out := make([]iamPolicy, len(policies))
	found := false
	for i, p := range policies {
		out[i] = p
		if p.Policy == nil {
			continue
		}
		doc, dropped := dropSid(p.Policy, sid)
		out[i].Policy = doc
		found = found || dropped
	}
	return out, found
}

func dropSid(doc map[string]any, sid string) (map[string]any, bool) {
	stmts, _ := doc["Statement"].([]any)
	var kept []any
	for _, s := range stmts {
		if m, _ := s.(map[string]any); m["Sid"] == sid {
			continue
		}
		kept = append(kept, s)
	}
	out := map[string]any{}
	for k, v := range doc {
		out[k] = v
	}
	out["Statement"] = kept
	return out, len(kept) != len(stmts)
}

// TestTamperMatrixCatchesHoles is the matrix's negative test: with one
// statement of the operator deny (or of the log bucket policy) removed, the
// matrix must report the actions it covered.
func TestTamperMatrixCatchesHoles(t *testing.T) {
	w := newAccessWorld(t, "single", config.Example(), exampleAssembly(t))
	all := w.tamperCells(t)
	for _, hole := range []struct {
		sid, service, role string
		bucketPolicy       bool
		mustReport         string
	}{
		// The baseline stacks are denied by name and by the ownership
		// rule: both must go for the matrix to see a hole.
		{"DenyChangesToStacksTheOperatorDoesNotOwn+DenyBaselineStackChangesWhateverTheirTags", "cloudformation", "operator", false, "cloudformation:UpdateStack"},
		{"DenyBaselineFindingRouteChanges", "events", "operator", false, "events:DisableRule"},
		// The bucket policy still keeps bucket settings from the operator;
		// writing a forged log file is what this statement alone stops.
		{"DenyLogBucketTampering", "s3", "operator", false, "s3:PutObject"},
		{"DenyBaselineTopicChanges", "sns", "operator", false, "sns:Subscribe"},
		{"DenyBucketTamperingExceptDeployAndBreakGlass", "s3", "admin", true, "s3:PutBucketPolicy"},
	} {
		t.Run(hole.sid, func(t *testing.T) {
			var cells []tamperCell
			for _, c := range all {
				if c.role != hole.role || c.target.service != hole.service {
					continue
				}
				if hole.bucketPolicy {
					if c.ResourcePolicy == nil {
						continue
					}
					doc, found := dropSid(c.ResourcePolicy, hole.sid)
					if !found {
						continue
					}
					c.ResourcePolicy = doc
				} else {
					for _, sid := range strings.Split(hole.sid, "+") {
						var found bool
						if c.IdentityPolicies, found = withoutStatement(c.IdentityPolicies, sid); !found {
							t.Fatalf("the %s role has no statement %s", c.role, sid)
						}
					}
				}
				cells = append(cells, c)
			}
			if len(cells) == 0 {
				t.Fatalf("no %s cells on %s", hole.role, hole.service)
			}
			cases := make([]tamperCase, len(cells))
			for i, c := range cells {
				cases[i] = c.tamperCase
			}
			results := simulate(t, cases)
			reported := map[string]bool{}
			for i, c := range cells {
				if !decisionFits(results[i].Decision, c.want) {
					reported[c.Action] = true
				}
			}
			if !reported[hole.mustReport] {
				t.Errorf("without %s the matrix does not report %s (it reports %d actions)", hole.sid, hole.mustReport, len(reported))
			}
			t.Logf("without %s: %d of %d %s cells on %s fail, over %d actions", hole.sid, len(reported), len(cells), hole.role, hole.service, len(reported))
		})
	}
}

// TestStackSetMemberProtections runs the tamper matrix over the StackSet
// member templates as the stacks CloudFormation really creates: named
// StackSet-<stack set name>-<id> (stacks.MemberStackPrefix), with the roles
// and functions CloudFormation names after them, in a member account. The
// operator must be denied every cell; with the old "Member-" prefix the
// function and role cells would fail (the negative test below).
func TestStackSetMemberProtections(t *testing.T) {
	asm := stackSetAssembly(t)
	deployer := stack(t, asm, "Management-stacksets")
	const member = "444455556666"
	var memberStacks []assembly.Stack
	for _, id := range []string{"Home", "Regional"} {
		ss := resourceWithPrefix(t, deployer, "AWS::CloudFormation::StackSet", id)
		_, tmpl := memberTemplate(t, asm, ss)
		name := fmt.Sprintf("StackSet-%s-%s", ss.Properties["StackSetName"], fakeUUID(id))
		if !strings.HasPrefix(name, stacks.MemberStackPrefix) {
			t.Fatalf("stack instance name %s does not start with %s", name, stacks.MemberStackPrefix)
		}
		regions := ss.Properties["StackInstancesGroup"].([]any)[0].(map[string]any)["Regions"].([]any)
		memberStacks = append(memberStacks, assembly.Stack{Name: name, Account: member, Region: regions[0].(string), Template: tmpl})
	}
	var op *iamRole
	for _, r := range readIAM(t, memberStacks[0]).Roles {
		if r.Name == "BaselineOperator" {
			op = r
		}
	}
	if op == nil {
		t.Fatal("the home member template has no BaselineOperator role")
	}
	cellsFor := func(policies []iamPolicy) []tamperCell {
		var cells []tamperCell
		for _, s := range memberStacks {
			targets := tamperTargets(t, s, "baseline-")
			for i := range targets {
				tg := &targets[i]
				for _, action := range tg.actions {
					c := tamperCell{role: "operator", want: "Denied", target: tg}
					c.simCase = simCase{
						Name:      fmt.Sprintf("member/operator: %s on %s", action, tg.label),
						Principal: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", member, op.Name), Action: action,
						Resource: tg.arn, ResourceAccount: tg.resourceAccount, IdentityPolicies: policies,
						ResourcePolicy: tg.resourcePolicy, Context: map[string]any{},
					}
					if len(tg.context) > 0 {
						c.Context, c.AllowIgnoredContextKeys = tg.context, true
					}
					cells = append(cells, c)
				}
			}
		}
		return cells
	}
	keeps := loadOperatorKeeps(t)
	run := func(policies []iamPolicy) (cells []tamperCell, failed map[string]bool) {
		cells = cellsFor(policies)
		for i := range cells {
			if keeps[strings.ToLower(cells[i].Action)] != "" && !cells[i].target.logBucket {
				cells[i].want = "Allowed"
			}
		}
		cases := make([]tamperCase, len(cells))
		for i, c := range cells {
			cases[i] = c.tamperCase
		}
		results := simulate(t, cases)
		failed = map[string]bool{}
		for i, c := range cells {
			if results[i].Decision == "Error" || !decisionFits(results[i].Decision, c.want) {
				failed[fmt.Sprintf("%s: %s, want %s %s", c.Name, results[i].Decision, c.want, strings.Join(results[i].Errors, "; "))] = true
			}
		}
		return cells, failed
	}
	cells, failed := run(op.Policies)
	for _, f := range slices.Sorted(maps.Keys(failed)) {
		t.Error(f)
	}
	t.Logf("StackSet members: %d stacks, %d operator cells, %d failed", len(memberStacks), len(cells), len(failed))

	t.Run("with the old Member- prefix the functions are unprotected", func(t *testing.T) {
		var old []iamPolicy
		for _, p := range op.Policies {
			if p.Policy != nil {
				raw, _ := json.Marshal(p.Policy)
				var doc map[string]any
				json.Unmarshal([]byte(strings.ReplaceAll(string(raw), stacks.MemberStackPrefix, "Member-")), &doc)
				p.Policy = doc
			}
			old = append(old, p)
		}
		_, failed := run(old)
		// (Role cells stay denied: PowerUserAccess has no IAM actions.)
		fn := false
		for f := range failed {
			fn = fn || strings.Contains(f, "lambda:UpdateFunctionCode on")
		}
		if !fn {
			t.Errorf("the matrix does not catch the old prefix: no lambda:UpdateFunctionCode cell fails (%d failures)", len(failed))
		}
	})
}

// TestTamperTargetsMapOrganizationMode: every resource type of every stack
// of the organization-mode assembly (the management account's organization
// stacks, the audit account's administration, the log archive and the
// StackSet members) has its place in the tamper matrix: tamperTargets
// fails the test on a type it cannot map.
func TestTamperTargetsMapOrganizationMode(t *testing.T) {
	asm := orgModeAssembly(t)
	cfg := orgModeCfg(t)
	all := append(slices.Clone(asm.Stacks), orgMemberStacks(t, asm, cfg, orgMember)...)
	for _, s := range all {
		targets := tamperTargets(t, s, "baseline-")
		n := 0
		for _, tg := range targets {
			n += len(tg.actions)
		}
		t.Logf("%s: %d targets, %d cells per principal", s.Name, len(targets), n)
		if len(targets) < 2 {
			t.Errorf("%s: %d targets; the stack's resources were not read", s.Name, len(targets))
		}
	}
}
