package constructstest_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/constructs/inspector"
	"github.com/secure-baseline/cdk-baseline/constructs/orgadmin"
)

// customTypes are the template's Custom:: resource types, sorted.
func customTypes(tm template) []string {
	var out []string
	for _, r := range tm.Resources {
		if strings.HasPrefix(r.Type, "Custom::") {
			out = append(out, r.Type)
		}
	}
	slices.Sort(out)
	return out
}

// create is the Create call of a custom resource, with its Parameters
// decoded (they are JSON text when they hold no token).
func create(t *testing.T, r *resource) (call map[string]any, params map[string]any) {
	t.Helper()
	call, _ = r.Properties["Create"].(map[string]any)
	if text, ok := call["Parameters"].(string); ok {
		if err := json.Unmarshal([]byte(text), &params); err != nil {
			t.Fatal(err)
		}
	}
	return call, params
}

// TestDelegatedAdministrators builds the management account's designations
// in a bare app: the zero value apart from the required ids designates all
// four services; Skip and RegionalOnly leave services out; bad ids are
// refused with the field and the fix.
func TestDelegatedAdministrators(t *testing.T) {
	base := orgadmin.Props{AdminAccountID: "222222222222", OrganizationID: "o-a1b2c3d4e5"}
	cases := []struct {
		name   string
		mutate func(*orgadmin.Props)
		want   string
	}{
		{"the zero value designates all four services", nil,
			"Custom::AccessAnalyzerDelegatedAdmin Custom::AccessAnalyzerTrustedAccess Custom::ConfigDelegatedAdmin Custom::ConfigTrustedAccess Custom::GuardDutyDelegatedAdmin Custom::InspectorDelegatedAdmin"},
		{"RegionalOnly designates GuardDuty and Inspector", func(p *orgadmin.Props) { p.RegionalOnly = true },
			"Custom::GuardDutyDelegatedAdmin Custom::InspectorDelegatedAdmin"},
		{"Skip leaves a service out", func(p *orgadmin.Props) { p.Skip = []orgadmin.Service{orgadmin.AWSConfig, orgadmin.Inspector} },
			"Custom::AccessAnalyzerDelegatedAdmin Custom::AccessAnalyzerTrustedAccess Custom::GuardDutyDelegatedAdmin"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			props := base
			if tc.mutate != nil {
				tc.mutate(&props)
			}
			var d *orgadmin.DelegatedAdministrators
			tm := synth(t, func(s awscdk.Stack) { d = orgadmin.New(s, "DelegatedAdministrators", props) })
			if got := strings.Join(customTypes(tm), " "); got != tc.want {
				t.Errorf("custom resources %s, want %s", got, tc.want)
			}
			if d.Resource == nil {
				t.Error("no Resource to depend on")
			}
			for _, r := range tm.Resources {
				if !strings.HasPrefix(r.Type, "Custom::") {
					continue
				}
				// No revert: removing the construct leaves the designations.
				if r.Properties["Delete"] != nil {
					t.Errorf("%s reverts on delete", r.Type)
				}
				_, params := create(t, r)
				for _, k := range []string{"AccountId", "AdminAccountId", "delegatedAdminAccountId"} {
					if v, ok := params[k]; ok && v != "222222222222" {
						t.Errorf("%s designates %v", r.Type, v)
					}
				}
			}
		})
	}
	t.Run("bad ids are refused", func(t *testing.T) {
		for _, c := range []struct {
			props orgadmin.Props
			want  string
		}{
			{orgadmin.Props{OrganizationID: "o-a1b2c3d4e5"}, `orgadmin: AdminAccountID "" must be the 12-digit id of the member account to designate`},
			{orgadmin.Props{AdminAccountID: "222222222222"}, `orgadmin: OrganizationID "" must be the organization's id, like o-a1b2c3d4e5`},
			{orgadmin.Props{AdminAccountID: "222222222222", OrganizationID: "o-a1b2c3d4e5", Skip: []orgadmin.Service{"macie"}},
				`orgadmin: Skip[0] "macie" is not one of [awsConfig accessAnalyzer guardDuty inspector]`},
		} {
			if got := recovered(func() { orgadmin.New(newStack(), "D", c.props) }); got != c.want {
				t.Errorf("got %v, want %s", got, c.want)
			}
		}
	})
}

// TestAdministration builds the audit account's administration in a bare
// app: the zero value administers all four services with every plan and
// scan type; RegionalOnly leaves the aggregator and the unused-access
// analyzer to the home region; the organization configurations follow the
// props.
func TestAdministration(t *testing.T) {
	t.Run("the zero value", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { orgadmin.NewAdministration(s, "Administration", orgadmin.AdministrationProps{}) })
		if got := strings.Join(customTypes(tm), " "); got != "Custom::GuardDutyAdministratorDetector Custom::GuardDutyDetector Custom::GuardDutyOrganizationConfiguration Custom::InspectorOrganizationConfiguration" {
			t.Errorf("custom resources %s", got)
		}
		agg := tm.one(t, "AWS::Config::ConfigurationAggregator")
		if src := agg.Properties["OrganizationAggregationSource"].(map[string]any); src["AllAwsRegions"] != true {
			t.Errorf("aggregator source %v, want every region", src)
		}
		var zones []string
		for _, r := range tm.ofType("AWS::AccessAnalyzer::Analyzer") {
			zones = append(zones, r.Properties["Type"].(string))
		}
		slices.Sort(zones)
		if strings.Join(zones, " ") != "ORGANIZATION ORGANIZATION_UNUSED_ACCESS" {
			t.Errorf("analyzers %v", zones)
		}
		for _, r := range tm.ofType("Custom::InspectorOrganizationConfiguration") {
			if _, p := create(t, r); jsonText(t, p) != `{"autoEnable":{"ec2":true,"ecr":true,"lambda":true,"lambdaCode":true}}` {
				t.Errorf("Inspector's organization configuration %v", p)
			}
		}
		found := 0
		for _, role := range tm.ofType("AWS::IAM::Role") {
			if text := jsonText(t, role.Properties); strings.Contains(text, "config.amazonaws.com") {
				found++
				if !strings.Contains(text, "service-role/AWSConfigRoleForOrganizations") {
					t.Errorf("aggregator role %s", text)
				}
			}
		}
		if found != 1 {
			t.Errorf("%d roles for AWS Config, want the aggregator's", found)
		}
	})
	t.Run("RegionalOnly, fewer plans and scans", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			orgadmin.NewAdministration(s, "Administration", orgadmin.AdministrationProps{
				RegionalOnly:           true,
				GuardDutyDisabledPlans: []guardduty.Plan{guardduty.Runtime},
				InspectorScans:         []inspector.ScanType{inspector.EC2, inspector.ECR},
			})
		})
		if n := len(tm.ofType("AWS::Config::ConfigurationAggregator")); n != 0 {
			t.Errorf("%d aggregators with RegionalOnly", n)
		}
		if n := len(tm.ofType("AWS::AccessAnalyzer::Analyzer")); n != 1 {
			t.Errorf("%d analyzers with RegionalOnly, want the organization analyzer", n)
		}
		org := tm.one(t, "Custom::GuardDutyOrganizationConfiguration")
		text := jsonText(t, org.Properties["Create"])
		if !strings.Contains(text, `\"Name\":\"RUNTIME_MONITORING\"`) || !strings.Contains(text, `\"AutoEnable\":\"NONE\"`) || !strings.Contains(text, `\"AutoEnableOrganizationMembers\":\"ALL\"`) {
			t.Errorf("GuardDuty's organization configuration %s", text)
		}
		for _, r := range tm.ofType("Custom::InspectorOrganizationConfiguration") {
			if _, p := create(t, r); jsonText(t, p) != `{"autoEnable":{"ec2":true,"ecr":true,"lambda":false,"lambdaCode":false}}` {
				t.Errorf("Inspector's organization configuration %v", p)
			}
		}
	})
	t.Run("Lambda code scanning without Lambda is refused", func(t *testing.T) {
		want := "orgadmin: InspectorScans has lambdaCode without lambda; Lambda code scanning needs Lambda standard scanning"
		if got := recovered(func() {
			orgadmin.NewAdministration(newStack(), "A", orgadmin.AdministrationProps{InspectorScans: []inspector.ScanType{inspector.LambdaCode}})
		}); got != want {
			t.Errorf("got %v, want %s", got, want)
		}
	})
}

func jsonText(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
