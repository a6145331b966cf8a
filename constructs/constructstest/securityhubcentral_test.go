package constructstest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/securityhub"
	"github.com/secure-baseline/cdk-baseline/constructs/securityhubcentral"
)

func TestSecurityHubCentral(t *testing.T) {
	t.Run("zero Props: CENTRAL, a policy with Security Hub on, DefaultStandards and every control, associated with nothing", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { securityhubcentral.New(s, "Central", securityhubcentral.Props{}) })
		org := tm.one(t, "AWS::SecurityHub::OrganizationConfiguration")
		if org.Properties["ConfigurationType"] != "CENTRAL" || org.Properties["AutoEnable"] != false || org.Properties["AutoEnableStandards"] != "NONE" {
			t.Errorf("organization configuration %v", org.Properties)
		}
		policy := tm.one(t, "AWS::SecurityHub::ConfigurationPolicy")
		got := jsonOf(t, policy.Properties["ConfigurationPolicy"])
		for _, s := range securityhub.DefaultStandards {
			if !strings.Contains(got, "::standards/"+s) {
				t.Errorf("policy %s: no %s", got, s)
			}
		}
		if !strings.Contains(got, `"ServiceEnabled":true`) || !strings.Contains(got, `"DisabledSecurityControlIdentifiers":[]`) || strings.Contains(got, "EnabledSecurityControlIdentifiers") {
			t.Errorf("policy %s: want Security Hub on, an empty disabled list (every control, new ones too)", got)
		}
		if policy.Properties["Name"] != "baseline" || len(policy.DependsOn) != 1 || policy.DependsOn[0] != org.ID {
			t.Errorf("policy %v, DependsOn %v: want the name baseline, after the organization configuration", policy.Properties["Name"], policy.DependsOn)
		}
		if n := len(tm.ofType("AWS::SecurityHub::PolicyAssociation")); n != 0 {
			t.Errorf("%d associations without Targets", n)
		}
	})
	t.Run("targets, self-managed accounts, disabled controls, after the aggregator", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			// The delegated administrator's own aggregator: Security Hub
			// is on there through the designation, so no hub here.
			agg := securityhub.NewAggregator(s, "SecurityHub", []string{"us-east-1"})
			securityhubcentral.New(s, "Central", securityhubcentral.Props{
				Standards:           []string{"nist-800-53/v/5.0.0"},
				DisabledControls:    []string{"IAM.9"},
				Targets:             []string{"ou-ab12-cdef3456", "r-ab12"},
				Accounts:            []string{"333333333333"},
				SelfManagedAccounts: []string{"222222222222"},
				Aggregator:          agg,
			})
		})
		agg := tm.one(t, "AWS::SecurityHub::FindingAggregator")
		if n := len(tm.ofType("AWS::SecurityHub::Hub")); n != 0 {
			t.Errorf("NewAggregator made %d hubs", n)
		}
		own := synth(t, func(s awscdk.Stack) {
			securityhub.New(s, "SecurityHub", securityhub.Props{AggregateRegions: []string{"us-east-1"}})
		}).one(t, "AWS::SecurityHub::FindingAggregator")
		if agg.ID != own.ID {
			t.Errorf("aggregator logical id %s, but %s with its own hub: an account that moves between them would get a second aggregator", agg.ID, own.ID)
		}
		got := jsonOf(t, tm.one(t, "AWS::SecurityHub::ConfigurationPolicy").Properties["ConfigurationPolicy"])
		if !strings.Contains(got, "standards/nist-800-53/v/5.0.0") || strings.Contains(got, "cis-aws") || !strings.Contains(got, `"DisabledSecurityControlIdentifiers":["IAM.9"]`) {
			t.Errorf("policy %s", got)
		}
		kinds := map[string]string{}
		for _, a := range tm.ofType("AWS::SecurityHub::PolicyAssociation") {
			id := jsonOf(t, a.Properties["ConfigurationPolicyId"])
			kinds[a.Properties["TargetId"].(string)] = a.Properties["TargetType"].(string) + " " + map[bool]string{true: "self-managed", false: "policy"}[id == `"SELF_MANAGED_SECURITY_HUB"`]
		}
		want := map[string]string{"ou-ab12-cdef3456": "ORGANIZATIONAL_UNIT policy", "r-ab12": "ROOT policy", "222222222222": "ACCOUNT self-managed", "333333333333": "ACCOUNT policy"}
		if jsonOf(t, kinds) != jsonOf(t, want) {
			t.Errorf("associations %v, want %v", kinds, want)
		}
		org := tm.one(t, "AWS::SecurityHub::OrganizationConfiguration")
		found := false
		for _, d := range org.DependsOn {
			found = found || d == agg.ID
		}
		if !found {
			t.Errorf("the organization configuration does not wait for the aggregator: DependsOn %v", org.DependsOn)
		}
	})
	t.Run("the delegated administrator", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			securityhubcentral.NewDelegatedAdmin(s, "Admin", securityhubcentral.DelegatedAdminProps{AdminAccountID: "222222222222"})
		})
		if a := tm.one(t, "AWS::SecurityHub::DelegatedAdmin"); a.Properties["AdminAccountId"] != "222222222222" {
			t.Errorf("delegated admin %v", a.Properties)
		}
	})
	checkPanics(t, []panicCase{
		{"no admin account", func(s awscdk.Stack) {
			securityhubcentral.NewDelegatedAdmin(s, "A", securityhubcentral.DelegatedAdminProps{})
		}, `securityhubcentral: AdminAccountID "" is not a 12-digit account id; name the delegated administrator (audit) account`},
		{"an account id as a target", func(s awscdk.Stack) {
			securityhubcentral.New(s, "C", securityhubcentral.Props{Targets: []string{"222222222222"}})
		}, `securityhubcentral: Targets: "222222222222" is not an OU id like ou-ab12-cdef3456 or a root id like r-ab12`},
		{"a self-managed account that is no account id", func(s awscdk.Stack) {
			securityhubcentral.New(s, "C", securityhubcentral.Props{SelfManagedAccounts: []string{"ou-ab12-cdef3456"}})
		}, `securityhubcentral: SelfManagedAccounts: "ou-ab12-cdef3456" is not a 12-digit account id`},
		{"an account both centrally managed and self-managed", func(s awscdk.Stack) {
			securityhubcentral.New(s, "C", securityhubcentral.Props{Accounts: []string{"222222222222"}, SelfManagedAccounts: []string{"222222222222"}})
		}, "securityhubcentral: account 222222222222 is in both Accounts and SelfManagedAccounts; an account has one association"},
		{"an aggregator with no region to link", func(s awscdk.Stack) {
			securityhub.NewAggregator(s, "SecurityHub", nil)
		}, "securityhub: NewAggregator needs a region to link; CloudFormation's aggregator has no NO_REGIONS mode"},
		{"a standard's control id instead of the security control id", func(s awscdk.Stack) {
			securityhubcentral.New(s, "C", securityhubcentral.Props{DisabledControls: []string{"1.14"}})
		}, `securityhubcentral: DisabledControls: "1.14" is not a security control id like IAM.9`},
		{"a standard given as a whole ARN", func(s awscdk.Stack) {
			securityhubcentral.New(s, "C", securityhubcentral.Props{Standards: []string{"arn:aws:securityhub:us-east-1::standards/nist-800-53/v/5.0.0"}})
		}, `securityhubcentral: standard "arn:aws:securityhub:us-east-1::standards/nist-800-53/v/5.0.0" must be the part of its ARN after standards/, like aws-foundational-security-best-practices/v/1.0.0`},
		{"no standards and standards", func(s awscdk.Stack) {
			securityhubcentral.New(s, "C", securityhubcentral.Props{NoStandards: true, Standards: []string{"nist-800-53/v/5.0.0"}})
		}, "securityhubcentral: NoStandards and Standards are both set; leave one out"},
	})
}
