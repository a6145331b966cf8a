package test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/orgadmin"
	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// checkGrant checks one more grant of a call against the Service
// Authorization Reference: the action exists, each condition key is one
// the action takes, and a resource matches the ARN format of one of the
// action's resource types.
func checkGrant(t *testing.T, permission, resource string, conditions map[string]any) error {
	prefix, _, _ := strings.Cut(permission, ":")
	svc, ok := knownSAR(t, prefix)
	if !ok {
		return fmt.Errorf("%s: no service %s in the Service Authorization Reference", permission, prefix)
	}
	a, ok := svc.action(permission)
	if !ok {
		return fmt.Errorf("%s: not an action of the Service Authorization Reference", permission)
	}
	for _, kv := range conditions {
		for key := range kv.(map[string]any) {
			if !slices.Contains(a.ConditionKeys, key) {
				return fmt.Errorf("%s: takes no condition key %s (it takes %v)", permission, key, a.ConditionKeys)
			}
		}
	}
	if resource == "" || resource == "*" {
		return nil
	}
	for _, rt := range a.ResourceTypes {
		format := svc.resourceType(t, rt.Name).Arn
		pattern := regexp.MustCompile(`\\\$\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(format), `[^:/]+`)
		if regexp.MustCompile("^" + pattern + "$").MatchString(resource) {
			return nil
		}
	}
	return fmt.Errorf("%s: %s matches no resource type of the action", permission, resource)
}

// checkNamedCalls checks every call against botocore and the SAR, with its
// wait and its forwarded grants.
func checkNamedCalls(t *testing.T, calls []orgadmin.NamedCall) {
	dataDir := botocoreDataDir(t)
	for _, nc := range calls {
		c := nc.Call
		if err := checkSDKCall(t, dataDir, c.Service, c.Action, c.Permission, c.Parameters); err != nil {
			t.Errorf("%s: %v", nc.ID, err)
		}
		if err := checkGrant(t, c.Permission, c.Resource, c.Conditions); err != nil {
			t.Errorf("%s: %v", nc.ID, err)
		}
		if w := c.Wait; w != nil {
			if err := checkSDKCall(t, dataDir, w.Service, w.Action, w.Permission, w.Parameters); err != nil {
				t.Errorf("%s wait: %v", nc.ID, err)
			}
		}
		for _, g := range c.Forwarded {
			if err := checkGrant(t, g.Permission, g.Resource, g.Conditions); err != nil {
				t.Errorf("%s forwarded: %v", nc.ID, err)
			}
		}
	}
}

// TestDelegatedAdministratorCalls: every call of the management account's
// designations and of the audit account's administration is an operation
// of the AWS SDK's model with its required parameters, its permission is
// that operation's IAM action, and every condition, resource and forwarded
// action is one the Service Authorization Reference has. Negative test: a
// condition key the action does not take, a misspelt forwarded action and
// an ARN of the wrong resource type are caught.
func TestDelegatedAdministratorCalls(t *testing.T) {
	props := orgadmin.Props{AdminAccountID: "777777777777", OrganizationID: "o-a1b2c3d4e5"}
	mgmt := orgadmin.Calls(props, "aws", "999999999999")
	var ids []string
	for _, c := range mgmt {
		ids = append(ids, c.ID)
	}
	if want := "ConfigTrustedAccess ConfigDelegatedAdmin AccessAnalyzerTrustedAccess AccessAnalyzerDelegatedAdmin GuardDutyDelegatedAdmin InspectorDelegatedAdmin"; strings.Join(ids, " ") != want {
		t.Errorf("calls %v, want %s", ids, want)
	}
	checkNamedCalls(t, mgmt)
	props.RegionalOnly = true
	if n := len(orgadmin.Calls(props, "aws", "999999999999")); n != 2 {
		t.Errorf("RegionalOnly: %d calls, want GuardDuty's and Inspector's", n)
	}

	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Audit"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("777777777777"), Region: jsii.String("us-east-1")},
	})
	a := orgadmin.NewAdministration(stack, "Administration", orgadmin.AdministrationProps{})
	ids = nil
	for _, c := range a.Calls {
		ids = append(ids, c.ID)
	}
	if want := "GuardDutyDetector GuardDutyAdministratorDetector GuardDutyOrganizationConfiguration InspectorOrganizationConfiguration"; strings.Join(ids, " ") != want {
		t.Errorf("administration calls %v, want %s", ids, want)
	}
	checkNamedCalls(t, a.Calls)

	t.Run("the checks catch broken grants", func(t *testing.T) {
		register := mgmt[1].Call
		for name, err := range map[string]error{
			"a condition key the action does not take": checkGrant(t, "organizations:DescribeOrganization", "*",
				map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": "config.amazonaws.com"}}),
			"a misspelt forwarded action": checkGrant(t, "organizations:ListDelegatedAdministrator", "*", nil),
			"an ARN of another resource type": checkGrant(t, register.Permission,
				"arn:aws:organizations::999999999999:ou/o-a1b2c3d4e5/ou-ab12-cdef3456", register.Conditions),
		} {
			if err == nil {
				t.Errorf("%s: not caught", name)
			}
		}
	})
}

// delegationOffCfg is the organization-mode config with every delegation
// of this file off.
func delegationOffCfg(t testing.TB) *config.Config {
	yaml := strings.Replace(orgModeConfig, "  guardrails:", "  delegatedAdministrators: {securityHub: false, guardDuty: false, inspector: false, awsConfig: false, accessAnalyzer: false}\n  guardrails:", 1)
	cfg, err := config.Parse([]byte(yaml), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestDelegatedAdministrators: in organization mode the management
// account designates the audit account in every one of its regions (the
// organization-wide registrations once, in the organization stack), the
// audit account's stacks administer the services after those
// designations, and the accounts whose GuardDuty and Inspector the
// audit account now runs leave them out. With every flag false, nothing
// of this is built and the services stay as they were.
func TestDelegatedAdministrators(t *testing.T) {
	cfg := orgModeCfg(t)
	asm := orgModeAssembly(t)
	customs := func(s assembly.Stack) []string {
		var out []string
		for _, r := range s.Template.Resources {
			if strings.HasPrefix(r.Type, "Custom::") && r.Type != "Custom::IAMTrustedAccess" && r.Type != "Custom::RootCredentialsManagement" && r.Type != "Custom::RootSessions" && r.Type != "Custom::CloudTrailTrustedAccess" {
				out = append(out, r.Type)
			}
		}
		slices.Sort(out)
		return out
	}
	org := stack(t, asm, stacks.OrganizationStackName(cfg))
	if got := strings.Join(customs(org), " "); got != "Custom::AccessAnalyzerDelegatedAdmin Custom::AccessAnalyzerTrustedAccess Custom::ConfigDelegatedAdmin Custom::ConfigTrustedAccess Custom::GuardDutyDelegatedAdmin Custom::InspectorDelegatedAdmin" {
		t.Errorf("%s designates %s", org.Name, got)
	}
	// The first designation waits for centralized root access, the other
	// change of the organization in the stack (its policy's DependsOn).
	var raw struct {
		Resources map[string]struct {
			Type      string `json:"Type"`
			DependsOn any    `json:"DependsOn"`
		} `json:"Resources"`
	}
	if err := json.Unmarshal(readTemplate(t, asm, org), &raw); err != nil {
		t.Fatal(err)
	}
	waits := false
	for id, r := range raw.Resources {
		if strings.HasPrefix(id, "DelegatedAdministratorsConfigTrustedAccessCustomResourcePolicy") {
			waits = strings.Contains(jsonOf(t, r.DependsOn), `"RootAccessRootSessions`)
		}
	}
	if !waits {
		t.Error("the first designation does not wait for centralized root access")
	}
	regional := stack(t, asm, stacks.OrganizationRegionStackName(cfg, "us-east-1"))
	if regional.Account != "999999999999" || regional.Region != "us-east-1" || regional.Tags[stacks.TagRole] != stacks.RoleOrganization || !regional.TerminationProtection {
		t.Errorf("%s: %s/%s, tags %v, termination protection %v", regional.Name, regional.Account, regional.Region, regional.Tags, regional.TerminationProtection)
	}
	if got := strings.Join(customs(regional), " "); got != "Custom::GuardDutyDelegatedAdmin Custom::InspectorDelegatedAdmin" {
		t.Errorf("%s designates %s", regional.Name, got)
	}

	home, other := stack(t, asm, "Audit-ap-northeast-1"), stack(t, asm, "Audit-us-east-1")
	wantAudit := "Custom::GuardDutyAdministratorDetector Custom::GuardDutyDetector Custom::GuardDutyOrganizationConfiguration Custom::InspectorOrganizationConfiguration Custom::InspectorScans Custom::InspectorServiceLinkedRole"
	for _, s := range []assembly.Stack{home, other} {
		if got := strings.Join(customs(s), " "); !strings.Contains(got, wantAudit) {
			t.Errorf("%s has %s, want %s", s.Name, got, wantAudit)
		}
		if n := len(resourcesOfType(s, "AWS::GuardDuty::Detector")); n != 0 {
			t.Errorf("%s has %d detectors of its own; GuardDuty made the administrator's", s.Name, n)
		}
		var zones []string
		for _, r := range resourcesOfType(s, "AWS::AccessAnalyzer::Analyzer") {
			zones = append(zones, r.Properties["Type"].(string))
		}
		slices.Sort(zones)
		want := "ACCOUNT ORGANIZATION"
		if s.Name == home.Name {
			want += " ORGANIZATION_UNUSED_ACCESS"
		}
		if strings.Join(zones, " ") != want {
			t.Errorf("%s: analyzers %v, want %s", s.Name, zones, want)
		}
		for _, r := range s.Template.Resources {
			if r.Type == "Custom::GuardDutyOrganizationConfiguration" {
				if p := jsonOf(t, r.Properties["Create"]); !strings.Contains(p, `\"AutoEnableOrganizationMembers\":\"ALL\"`) {
					t.Errorf("%s: %s", s.Name, p)
				}
			}
		}
	}
	agg := one(t, home, "AWS::Config::ConfigurationAggregator")
	if src := jsonOf(t, agg.Properties["OrganizationAggregationSource"]); !strings.Contains(src, `"AwsRegions":["ap-northeast-1","us-east-1"]`) || !strings.Contains(src, `"AllAwsRegions":false`) {
		t.Errorf("aggregator source %s", src)
	}
	if n := len(resourcesOfType(other, "AWS::Config::ConfigurationAggregator")); n != 0 {
		t.Errorf("%s has %d aggregators; one, in the home region, collects every region", other.Name, n)
	}
	deps := manifestStackDeps(t, asm.Dir)
	for s, want := range map[string][]string{
		home.Name:  {stacks.OrganizationStackName(cfg)},
		other.Name: {stacks.OrganizationStackName(cfg), regional.Name},
	} {
		for _, d := range want {
			if !slices.Contains(deps[s], d) {
				t.Errorf("%s does not depend on %s (deps %v)", s, d, deps[s])
			}
		}
	}
	// Who keeps a detector: the management account only.
	for _, name := range []string{"Management-ap-northeast-1", "Management-us-east-1", "LogArchive-ap-northeast-1", "LogArchive-us-east-1"} {
		n := len(resourcesOfType(stack(t, asm, name), "AWS::GuardDuty::Detector"))
		if want := map[bool]int{true: 1, false: 0}[strings.HasPrefix(name, "Management")]; n != want {
			t.Errorf("%s has %d detectors, want %d", name, n, want)
		}
	}
	for _, m := range orgMemberStacks(t, asm, cfg, orgMember) {
		for _, typ := range []string{"AWS::GuardDuty::Detector", "Custom::InspectorScans"} {
			if n := len(resourcesOfType(m, typ)); n != 0 {
				t.Errorf("member template %s has %d %s; the audit account's auto-enable makes it", m.Name, n, typ)
			}
		}
	}

	t.Run("the review's GuardDuty.1 counts the auto-enabled detectors", func(t *testing.T) {
		status := func(asm *assembly.Assembly, stackName string) report.Status {
			accs, err := asm.Accounts()
			if err != nil {
				t.Fatal(err)
			}
			for _, acc := range accs {
				for _, s := range acc.Stacks {
					if s.Name != stackName {
						continue
					}
					for _, row := range report.Matrix(asm, acc, s) {
						if row.Control.ID == "GuardDuty.1" {
							return row.Result.Status
						}
					}
				}
			}
			t.Fatalf("no GuardDuty.1 row for %s", stackName)
			return ""
		}
		for _, name := range []string{"LogArchive-ap-northeast-1", "LogArchive-us-east-1", "Audit-ap-northeast-1", "Audit-us-east-1"} {
			if got := status(asm, name); got != report.Pass {
				t.Errorf("%s: GuardDuty.1 %s, want %s (auto-enable ALL)", name, got, report.Pass)
			}
		}
		// Negative test: without the audit account's organization
		// configuration in us-east-1, that region's log archive stack has
		// no detector the review can see.
		broken := *asm
		broken.Stacks = slices.Clone(asm.Stacks)
		for i, s := range broken.Stacks {
			if s.Name == "Audit-us-east-1" {
				res := map[string]assembly.Resource{}
				for id, r := range s.Template.Resources {
					if r.Type != "Custom::GuardDutyOrganizationConfiguration" {
						res[id] = r
					}
				}
				broken.Stacks[i].Template.Resources = res
			}
		}
		if got := status(&broken, "LogArchive-us-east-1"); got != report.OptOut {
			t.Errorf("without the organization configuration: GuardDuty.1 %s, want %s", got, report.OptOut)
		}
	})
	t.Run("every flag off builds none of it", func(t *testing.T) {
		off := delegationOffCfg(t)
		asm := synthConfig(t, off)
		for _, s := range asm.Stacks {
			if strings.HasPrefix(s.Name, stacks.OrganizationStackName(off)+"-") {
				t.Errorf("stack %s with every delegation off", s.Name)
			}
			for _, r := range s.Template.Resources {
				zone, _ := r.Properties["Type"].(string)
				if strings.HasSuffix(r.Type, "DelegatedAdmin") || strings.HasSuffix(r.Type, "OrganizationConfiguration") || strings.HasPrefix(r.Type, "Custom::GuardDuty") ||
					r.Type == "Custom::ConfigTrustedAccess" || r.Type == "Custom::AccessAnalyzerTrustedAccess" || r.Type == "AWS::Config::ConfigurationAggregator" ||
					(r.Type == "AWS::AccessAnalyzer::Analyzer" && zone != "ACCOUNT") {
					t.Errorf("%s: %s with every delegation off", s.Name, r.Type)
				}
			}
		}
		for _, name := range []string{"Audit-us-east-1", "LogArchive-us-east-1"} {
			if n := len(resourcesOfType(stack(t, asm, name), "AWS::GuardDuty::Detector")); n != 1 {
				t.Errorf("%s: %d detectors, want its own", name, n)
			}
		}
		for _, m := range orgMemberStacks(t, asm, off, orgMember) {
			if len(resourcesOfType(m, "AWS::GuardDuty::Detector")) != 1 || len(resourcesOfType(m, "Custom::InspectorScans")) != 1 {
				t.Errorf("member template %s lacks its own detector or scans", m.Name)
			}
		}
	})
}

// TestDelegatedAdministratorsAgainstMoto runs sdkcall's handler with the
// designations of the organization-mode goldens (both management stacks)
// and the audit account's GuardDuty and Inspector settings against moto's
// Organizations, GuardDuty and Inspector (test/moto/orgadmin_handler.py):
// each designation, each again (a redeploy must pass), an account outside
// the organization (must fail), the detector id read back, and the
// organization configuration. What moto cannot check: GuardDuty's
// UpdateOrganizationConfiguration (moto has no such operation; the
// botocore check covers the call's shape), GuardDuty's and Inspector's
// "already the administrator" errors (moto answers a second designation
// without one, so IgnoreErrors and IgnoreMessage are only exercised by
// handler_test.py), one administrator per organization (moto takes a
// second), config.amazonaws.com as a delegated-administrator principal
// (moto's list lacks it: that step is expected to fail under moto), the
// services' forwarded Organizations calls and IAM permissions (moto
// enforces neither; TestDelegatedAdministratorCalls checks them against the
// SAR), and auto-enable itself.
func TestDelegatedAdministratorsAgainstMoto(t *testing.T) {
	dir := filepath.Join(goldenDir, "organization-mode")
	runMotoSteps(t, "orgadmin_handler.py", "moto.organizations, moto.guardduty, moto.inspector2", 19,
		filepath.Join(dir, "Management-organization.template.json"),
		filepath.Join(dir, "Management-organization-us-east-1.template.json"),
		filepath.Join(dir, "Audit-ap-northeast-1.template.json"))
}
