package policies_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/policies/filterpattern"
	"github.com/secure-baseline/cdk-baseline/policies/policiestest"
)

// The EC2 large instance pattern of the CloudTrail user guide example and the
// sample template CloudWatch_Alarms_for_CloudTrail_API_Activity:
// https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudwatch-alarms-for-cloudtrail.html#cloudwatch-alarms-for-cloudtrail-ec2-large-instance-changes
// `{ ($.eventName = RunInstances) && (($.requestParameters.instanceType = *.8xlarge) || ($.requestParameters.instanceType = *.4xlarge)) }`
// The catalog renders the same shape with the sizes in configuration order.
const largeInstancesDefault = `{ ($.eventName = RunInstances) && (($.requestParameters.instanceType = *.4xlarge) || ($.requestParameters.instanceType = *.8xlarge)) }`

// The Organizations pattern of CIS AWS Foundations Benchmark v1.4.0, 4.15.
const organizationsCIS = `{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }`

func catalog(t *testing.T) []policies.Alarm {
	t.Helper()
	alarms, err := policies.Alarms()
	if err != nil {
		t.Fatalf("embedded catalog: %v", err)
	}
	return alarms
}

func byID(t *testing.T, id string) policies.Alarm {
	t.Helper()
	for _, a := range catalog(t) {
		if a.ID == id {
			return a
		}
	}
	t.Fatalf("no alarm %s in the catalog", id)
	return policies.Alarm{}
}

func TestEmbeddedCatalogLoads(t *testing.T) {
	alarms := catalog(t)
	var ids []string
	for _, a := range alarms {
		ids = append(ids, a.ID)
	}
	want := []string{
		"RootAccountUsage", "UnauthorizedApiCalls", "ConsoleSignInWithoutMfa", "IamPolicyChanges",
		"CloudTrailConfigChanges", "ConsoleAuthFailures", "CmkDisableOrDeletion", "S3BucketPolicyChanges",
		"ConfigChanges", "SecurityGroupChanges", "NaclChanges", "NetworkGatewayChanges",
		"RouteTableChanges", "VpcChanges", "OrganizationsChanges", "Ec2InstanceChanges",
		"Ec2LargeInstanceLaunches", "AdminRoleUsage", "BreakGlassConsoleLogin", "RootActivityAny",
		"CentralizedRootSessions",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("catalog ids (file order):\n got %q\nwant %q", ids, want)
	}
	// CIS 4.15's pattern with Prowler's three extra event names appended
	// inside the OR group: every CIS term stays, in CIS's order.
	extra := ` || ($.eventName = "CancelHandshake") || ($.eventName = "CreateOrganization") || ($.eventName = "EnableAllFeatures")`
	if got, want := byID(t, "OrganizationsChanges").Pattern, strings.Replace(organizationsCIS, `")) }`, `")`+extra+") }", 1); got != want {
		t.Errorf("OrganizationsChanges pattern is not CIS 4.15 plus Prowler's terms:\n got %s\nwant %s", got, want)
	}
	if got := byID(t, "BreakGlassConsoleLogin").Requires; got != policies.RequiresBreakGlassUsers {
		t.Errorf("BreakGlassConsoleLogin requires %q, want %q", got, policies.RequiresBreakGlassUsers)
	}
	// Only the management account starts centralized root sessions; the
	// entry has a fixed pattern, so it is not templated.
	if a := byID(t, "CentralizedRootSessions"); a.Requires != policies.RequiresManagementAccount || a.Template {
		t.Errorf("CentralizedRootSessions requires %q (template %v), want %q, not templated", a.Requires, a.Template, policies.RequiresManagementAccount)
	}
}

func TestAlarmsReturnsACopy(t *testing.T) {
	first := catalog(t)
	first[0].ID = "Changed"
	first[0].Controls[0] = "Changed"
	second := catalog(t)
	if second[0].ID != "RootAccountUsage" || second[0].Controls[0] != "CloudWatch.1" {
		t.Errorf("Alarms() shares memory with its callers: got %q %q", second[0].ID, second[0].Controls[0])
	}
}

func TestSecurityHubPatternsAreExact(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range catalog(t) {
		if a.SecurityHub == "" {
			continue
		}
		seen[a.SecurityHub] = true
		want, ok := policiestest.SecurityHubPatterns[a.SecurityHub]
		if !ok {
			t.Errorf("%s: securityHub %s has no golden pattern", a.ID, a.SecurityHub)
			continue
		}
		if a.Pattern != want {
			t.Errorf("%s (%s): pattern differs from the Security Hub text:\n got %s\nwant %s", a.ID, a.SecurityHub, a.Pattern, want)
		}
		got, err := a.RenderPattern(policies.DefaultAlarmParams())
		if err != nil || got != want {
			t.Errorf("%s: RenderPattern = %q, %v; want the pattern unchanged", a.ID, got, err)
		}
	}
	for id := range policiestest.SecurityHubPatterns {
		if !seen[id] {
			t.Errorf("no catalog entry for Security Hub control %s", id)
		}
	}
}

func TestRenderPattern(t *testing.T) {
	params := policies.AlarmParams{
		LargeInstanceSizes: []string{"4xlarge", "8xlarge"},
		AdminRoleName:      "FullAdminRole",
		BreakGlassUsers:    []string{"alice", "breakglass-admin"},
	}
	tests := []struct {
		id     string
		params policies.AlarmParams
		want   string
	}{
		{"Ec2LargeInstanceLaunches", policies.DefaultAlarmParams(), largeInstancesDefault},
		{"Ec2LargeInstanceLaunches", policies.AlarmParams{LargeInstanceSizes: []string{"16xlarge"}},
			`{ ($.eventName = RunInstances) && (($.requestParameters.instanceType = *.16xlarge)) }`},
		{"AdminRoleUsage", params,
			`{ (($.eventSource = "signin.amazonaws.com") && ($.eventName = "SwitchRole") && ($.userIdentity.arn = "*:assumed-role/FullAdminRole/*")) || (($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRole") && ($.requestParameters.roleArn = "*:role/FullAdminRole")) }`},
		{"BreakGlassConsoleLogin", params,
			`{ ($.eventSource = "signin.amazonaws.com") && ($.eventName = "ConsoleLogin") && ($.userIdentity.type = "IAMUser") && (($.userIdentity.userName = "alice") || ($.userIdentity.userName = "breakglass-admin")) }`},
		{"RootActivityAny", policies.AlarmParams{},
			`{ ($.userIdentity.type = "Root") && ($.eventType != "AwsServiceEvent") }`},
		{"CentralizedRootSessions", policies.AlarmParams{ManagementAccount: true},
			`{ ($.eventSource = "sts.amazonaws.com") && ($.eventName = "AssumeRoot") }`},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			a := byID(t, tt.id)
			got, err := a.RenderPattern(tt.params)
			if err != nil {
				t.Fatalf("RenderPattern: %v", err)
			}
			if got != tt.want {
				t.Errorf("RenderPattern:\n got %s\nwant %s", got, tt.want)
			}
			if _, err := filterpattern.Parse(got); err != nil {
				t.Errorf("rendered pattern does not parse: %v", err)
			}
		})
	}
}

func TestRenderPatternErrors(t *testing.T) {
	tests := []struct {
		id     string
		params policies.AlarmParams
		want   string
	}{
		{"BreakGlassConsoleLogin", policies.DefaultAlarmParams(), "alarm BreakGlassConsoleLogin: requires breakGlassUsers"},
		{"AdminRoleUsage", policies.DefaultAlarmParams(), "alarm AdminRoleUsage: requires adminRoleName"},
		{"Ec2LargeInstanceLaunches", policies.AlarmParams{}, "alarm Ec2LargeInstanceLaunches: requires largeInstanceSizes"},
		{"CentralizedRootSessions", policies.DefaultAlarmParams(), "alarm CentralizedRootSessions: requires managementAccount"},
		{"AdminRoleUsage", policies.AlarmParams{AdminRoleName: `Admin") || ($.x = "`},
			`alarm AdminRoleUsage: admin role name "Admin\") || ($.x = \"": not a valid IAM role name`},
		{"BreakGlassConsoleLogin", policies.AlarmParams{BreakGlassUsers: []string{"ok", "bad*"}},
			`alarm BreakGlassConsoleLogin: break-glass user "bad*": not a valid IAM user name`},
		{"Ec2LargeInstanceLaunches", policies.AlarmParams{LargeInstanceSizes: []string{"4XLARGE"}},
			`alarm Ec2LargeInstanceLaunches: large instance size "4XLARGE": want lower-case letters and digits, e.g. 4xlarge`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			a := byID(t, tt.id)
			if a.RequirementMet(tt.params) && strings.Contains(tt.want, "requires") {
				t.Errorf("RequirementMet = true, want false")
			}
			_, err := a.RenderPattern(tt.params)
			if err == nil || err.Error() != tt.want {
				t.Errorf("RenderPattern error = %v, want %q", err, tt.want)
			}
		})
	}
}

// validEntry is one well-formed catalog entry; its fields are on lines 2-16
// when it is the first entry of a document.
const validEntry = `  - id: RootAccountUsage
    title: Root account usage
    controls: [CloudWatch.1]
    source: https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html
    securityHub: CloudWatch.1
    pattern: '{ $.userIdentity.type = "Root" }'
    metricName: RootAccountUsage
    namespace: SecurityBaseline
    statistic: Sum
    threshold: 1
    period: 300
    evaluationPeriods: 1
    description: Root did something.
    runbook: Check who.
    optIn: false
`

// entry returns validEntry with the line starting with each key of edits
// replaced by the edit; an empty edit deletes the line, and a key that is not
// found is appended.
func entry(edits ...[2]string) string {
	lines := strings.Split(strings.TrimSuffix(validEntry, "\n"), "\n")
	for _, e := range edits {
		prefix := "    " + e[0] + ":"
		if e[0] == "id" {
			prefix = "  - id:"
		}
		i := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
		switch {
		case i < 0:
			lines = append(lines, e[1])
		case e[1] == "":
			lines = slices.Delete(lines, i, i+1)
		default:
			lines[i] = e[1]
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func set(key, line string) [2]string { return [2]string{key, line} }

func TestParseAlarmsValid(t *testing.T) {
	alarms, err := policies.ParseAlarms([]byte("alarms:\n"+validEntry), "test.yaml")
	if err != nil {
		t.Fatalf("ParseAlarms: %v", err)
	}
	want := policies.Alarm{
		ID: "RootAccountUsage", Title: "Root account usage", Controls: []string{"CloudWatch.1"},
		Source:      "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html",
		SecurityHub: "CloudWatch.1", Pattern: `{ $.userIdentity.type = "Root" }`,
		MetricName: "RootAccountUsage", Namespace: "SecurityBaseline", Statistic: "Sum",
		Threshold: 1, Period: 300, EvaluationPeriods: 1,
		Description: "Root did something.", Runbook: "Check who.",
	}
	if len(alarms) != 1 || fmt.Sprintf("%#v", alarms[0]) != fmt.Sprintf("%#v", want) {
		t.Errorf("ParseAlarms =\n%#v\nwant\n%#v", alarms, want)
	}
}

func TestParseAlarmsVariant(t *testing.T) {
	variant := entry(set("id", "  - id: RootQuiet"), set("controls", "    controls: []"), set("securityHub", ""),
		set("metricName", "    metricName: RootQuiet"), set("optIn", "    optIn: true"), set("variantOf", "    variantOf: RootAccountUsage"))
	alarms, err := policies.ParseAlarms([]byte("alarms:\n"+validEntry+variant), "test.yaml")
	if err != nil {
		t.Fatalf("ParseAlarms: %v", err)
	}
	if got := alarms[1]; got.VariantOf != "RootAccountUsage" || !got.OptIn || got.SecurityHub != "" || len(got.Controls) != 0 {
		t.Errorf("variant = %+v", got)
	}
}

func TestParseAlarmsErrors(t *testing.T) {
	badPattern := `{ $.userIdentity.type = }`
	_, parseErr := filterpattern.Parse(badPattern)
	if parseErr == nil {
		t.Fatalf("filterpattern.Parse(%q) accepted the pattern", badPattern)
	}
	second := entry(set("id", "  - id: RootActivity"), set("securityHub", ""), set("controls", "    controls: []"), set("metricName", "    metricName: RootActivity"))

	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"threshold zero", "alarms:\n" + entry(set("threshold", "    threshold: 0")),
			[]string{"test.yaml:11: alarms[0].threshold: must be greater than 0, got 0; it is how many matching events in one period fire the alarm"}},
		{"threshold negative float", "alarms:\n" + entry(set("threshold", "    threshold: -0.5")),
			[]string{"test.yaml:11: alarms[0].threshold: must be greater than 0, got -0.5; it is how many matching events in one period fire the alarm"}},
		{"period negative", "alarms:\n" + entry(set("period", "    period: -300")),
			[]string{"test.yaml:12: alarms[0].period: must be > 0, got -300"}},
		{"period not a CloudWatch period", "alarms:\n" + entry(set("period", "    period: 90")),
			[]string{"test.yaml:12: alarms[0].period: must be 10, 30 or a multiple of 60 seconds, got 90"}},
		{"evaluation periods zero", "alarms:\n" + entry(set("evaluationPeriods", "    evaluationPeriods: 0")),
			[]string{"test.yaml:13: alarms[0].evaluationPeriods: must be > 0, got 0"}},
		{"unknown statistic", "alarms:\n" + entry(set("statistic", "    statistic: Total")),
			[]string{`test.yaml:10: alarms[0].statistic: unknown statistic "Total", want one of Average, Maximum, Minimum, SampleCount, Sum`}},
		{"id not PascalCase", "alarms:\n" + entry(set("id", "  - id: root_account_usage")),
			[]string{`test.yaml:2: alarms[0].id: must be PascalCase (letters and digits, starting with an upper-case letter), got "root_account_usage"`}},
		{"unknown field", "alarms:\n" + entry(set("severity", "    severity: high")),
			[]string{"test.yaml:17: alarms[0].severity: unknown key; expected one of controls, description, evaluationPeriods, id, metricName, namespace, optIn, pattern, period, requires, runbook, securityHub, source, statistic, template, threshold, title, variantOf"}},
		{"unknown top-level field", "alarm:\n" + validEntry,
			[]string{`test.yaml:1: alarm: unknown key; did you mean "alarms"?`, "test.yaml:1: alarms: required field missing"}},
		{"duplicate key", "alarms:\n" + entry(set("description", "    title: Root usage again")),
			[]string{
				// description is gone (its line now repeats title): both are reported.
				"test.yaml:2: alarms[0].description: required field missing",
				"test.yaml:14: alarms[0].title: duplicate key (first set on line 3); remove one of them",
			}},
		{"missing required field", "alarms:\n" + entry(set("runbook", "")),
			[]string{"test.yaml:2: alarms[0].runbook: required field missing"}},
		{"wrong types", "alarms:\n" + entry(
			set("title", "    title: 12"),
			set("controls", "    controls: CloudWatch.1"),
			set("threshold", "    threshold: high"),
			set("period", "    period: 1.5"),
			set("optIn", `    optIn: "no"`)),
			[]string{
				`test.yaml:3: alarms[0].title: must be a quoted string, got the number 12 (YAML reads unquoted digits as a number and drops leading zeros); write "12"`,
				`test.yaml:4: alarms[0].controls: must be a list, got the string "CloudWatch.1"; write [CloudWatch.1] for a list of one`,
				`test.yaml:11: alarms[0].threshold: must be a number, got the string "high"`,
				"test.yaml:12: alarms[0].period: must be a whole number, got the number 1.5",
				`test.yaml:16: alarms[0].optIn: must be true or false, got the string "no"`,
			}},
		{"null value", "alarms:\n" + entry(set("namespace", "    namespace:")),
			[]string{"test.yaml:9: alarms[0].namespace: has no value; give one or remove the key"}},
		{"all errors reported in line order", "alarms:\n" + entry(
			set("id", "  - id: rootUsage"),
			set("statistic", "    statistic: Mean"),
			set("threshold", "    threshold: 0"),
			set("evaluationPeriods", "    evaluationPeriods: -1")),
			[]string{
				`test.yaml:2: alarms[0].id: must be PascalCase (letters and digits, starting with an upper-case letter), got "rootUsage"`,
				`test.yaml:10: alarms[0].statistic: unknown statistic "Mean", want one of Average, Maximum, Minimum, SampleCount, Sum`,
				"test.yaml:11: alarms[0].threshold: must be greater than 0, got 0; it is how many matching events in one period fire the alarm",
				"test.yaml:13: alarms[0].evaluationPeriods: must be > 0, got -1",
			}},
		{"duplicate id", "alarms:\n" + validEntry + entry(set("securityHub", ""), set("controls", "    controls: []"), set("metricName", "    metricName: Other")),
			[]string{`test.yaml:17: alarms[1].id: duplicate id "RootAccountUsage", first used by alarms[0] at line 2`}},
		{"duplicate metric and Security Hub control", "alarms:\n" + validEntry + entry(set("id", "  - id: RootAgain")),
			[]string{
				"test.yaml:21: alarms[1].securityHub: duplicate Security Hub control CloudWatch.1, first used by alarms[0] at line 6",
				"test.yaml:23: alarms[1].metricName: duplicate metric SecurityBaseline/RootAccountUsage, first used by alarms[0] at line 8",
			}},
		{"second entry is checked too", "alarms:\n" + validEntry + strings.Replace(second, "threshold: 1", "threshold: 0", 1),
			[]string{"test.yaml:25: alarms[1].threshold: must be greater than 0, got 0; it is how many matching events in one period fire the alarm"}},
		{"template that does not parse", "alarms:\n" + entry(set("securityHub", ""), set("controls", "    controls: []"), set("template", "    template: true"),
			set("pattern", `    pattern: '{ $.a = "{{if}}" }'`)),
			[]string{`test.yaml:6: alarms[0].pattern: bad template: RootAccountUsage:1: missing value for if`}},
		{"template with an unknown parameter", "alarms:\n" + entry(set("securityHub", ""), set("controls", "    controls: []"), set("template", "    template: true"),
			set("pattern", `    pattern: '{ $.a = "{{.Nope}}" }'`)),
			[]string{`test.yaml:6: alarms[0].pattern: bad template: RootAccountUsage:1:11: executing "RootAccountUsage" at <.Nope>: can't evaluate field Nope in type policies.AlarmParams`}},
		{"template action without template: true", "alarms:\n" + entry(set("pattern", `    pattern: '{ $.a = "{{.AdminRoleName}}" }'`)),
			[]string{"test.yaml:7: alarms[0].pattern: contains a template action but template is false"}},
		{"pattern rejected by filterpattern", "alarms:\n" + entry(set("pattern", "    pattern: '"+badPattern+"'")),
			[]string{fmt.Sprintf("test.yaml:7: alarms[0].pattern: %v", parseErr)}},
		{"pattern with surrounding space", "alarms:\n" + entry(set("pattern", `    pattern: ' { $.a = "b" }'`)),
			[]string{"test.yaml:7: alarms[0].pattern: must not start or end with white space"}},
		{"Security Hub entry must not be a template", "alarms:\n" + entry(set("template", "    template: true")),
			[]string{"test.yaml:17: alarms[0].template: must be false when securityHub is set: Security Hub needs the exact text"}},
		{"Security Hub control not in controls", "alarms:\n" + entry(set("controls", `    controls: ["CIS 1.2.0 3.3"]`)),
			[]string{"test.yaml:6: alarms[0].securityHub: CloudWatch.1 must also be listed in controls"}},
		{"bad Security Hub id", "alarms:\n" + entry(set("controls", "    controls: [Root]"), set("securityHub", "    securityHub: Root")),
			[]string{`test.yaml:6: alarms[0].securityHub: must be a Security Hub CloudWatch control id like CloudWatch.1, got "Root"`}},
		{"requires on a plain entry", "alarms:\n" + entry(set("requires", "    requires: breakGlassUsers")),
			[]string{"test.yaml:17: alarms[0].requires: only templated entries can require a parameter"}},
		{"unknown requirement", "alarms:\n" + entry(set("securityHub", ""), set("controls", "    controls: []"), set("template", "    template: true"), set("requires", "    requires: adminRole")),
			[]string{`test.yaml:17: alarms[0].requires: unknown requirement "adminRole", want one of adminRoleName, breakGlassUsers, largeInstanceSizes, managementAccount`}},
		{"empty and duplicate controls", "alarms:\n" + entry(set("controls", `    controls: [CloudWatch.1, "", CloudWatch.1]`)),
			[]string{
				"test.yaml:4: alarms[0].controls: must not contain an empty string",
				`test.yaml:4: alarms[0].controls: duplicate control "CloudWatch.1"`,
			}},
		{"source not a URL", "alarms:\n" + entry(set("source", "    source: the CIS benchmark")),
			[]string{`test.yaml:5: alarms[0].source: must be an https:// URL, got "the CIS benchmark"`}},
		{"blank description", "alarms:\n" + entry(set("description", `    description: "  "`)),
			[]string{"test.yaml:14: alarms[0].description: must not be empty"}},
		{"Security Hub control without its exact pattern", "alarms:\n" + entry(set("securityHub", "")),
			[]string{"test.yaml:4: alarms[0].controls: CloudWatch.1 is a Security Hub control, which only its exact pattern satisfies: set securityHub: CloudWatch.1 and use that pattern, or remove CloudWatch.1"}},
		{"a variant is opt-in, claims no control and no Security Hub pattern", "alarms:\n" + validEntry + entry(
			set("id", "  - id: RootQuiet"), set("metricName", "    metricName: RootQuiet"), set("variantOf", "    variantOf: RootAccountUsage")),
			[]string{
				"test.yaml:19: alarms[1].controls: must be empty for a variant of RootAccountUsage: a changed pattern satisfies none of its controls",
				"test.yaml:21: alarms[1].securityHub: duplicate Security Hub control CloudWatch.1, first used by alarms[0] at line 6",
				"test.yaml:31: alarms[1].optIn: must be true for a variant of RootAccountUsage: a quieter pattern fails the control checks, so it is never on by default",
				"test.yaml:32: alarms[1].variantOf: a variant cannot set securityHub: a changed pattern fails the Security Hub check of CloudWatch.1",
			}},
		{"a variant of an unknown entry", "alarms:\n" + validEntry + entry(
			set("id", "  - id: RootQuiet"), set("controls", "    controls: []"), set("securityHub", ""),
			set("metricName", "    metricName: RootQuiet"), set("optIn", "    optIn: true"), set("variantOf", "    variantOf: Nope")),
			[]string{`test.yaml:31: alarms[1].variantOf: names no entry of the catalog: "Nope"`}},
		{"a variant of a product-specific entry", "alarms:\n" + entry(set("controls", "    controls: []"), set("securityHub", "")) + entry(
			set("id", "  - id: RootQuiet"), set("controls", "    controls: []"), set("securityHub", ""),
			set("metricName", "    metricName: RootQuiet"), set("optIn", "    optIn: true"), set("variantOf", "    variantOf: RootAccountUsage")),
			[]string{"test.yaml:30: alarms[1].variantOf: RootAccountUsage must be an entry with controls, not a variant or a product-specific entry"}},
		{"alarms not a list", "alarms: {}\n",
			[]string{"test.yaml:1: alarms: must be a list, got a mapping; write [{}] for a list of one"}},
		{"empty list", "alarms: []\n",
			[]string{"test.yaml:1: alarms: must not be empty"}},
		{"entry not a mapping", "alarms:\n  - RootAccountUsage\n",
			[]string{`test.yaml:2: alarms[0]: must be a mapping of keys to values, got the string "RootAccountUsage"`}},
		{"syntax error", "alarms: [\n",
			[]string{"test.yaml:1: yaml: sequence end token ']' not found"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alarms, err := policies.ParseAlarms([]byte(tt.yaml), "test.yaml")
			if err == nil {
				t.Fatalf("ParseAlarms accepted:\n%s\ngot %d alarms", tt.yaml, len(alarms))
			}
			if alarms != nil {
				t.Errorf("ParseAlarms returned alarms along with an error")
			}
			want := strings.Join(tt.want, "\n")
			if err.Error() != want {
				t.Errorf("ParseAlarms error:\n got %s\nwant %s\ninput:\n%s", err, want, tt.yaml)
			}
		})
	}
}
