package test

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// Security Hub central configuration (stacks/delegated_securityhub.go): the
// configuration policy must configure a member account as the per-account
// mode would, read from the synthesized templates of the same config: the
// organization-mode config, and the same config with
// delegatedAdministrators.securityHub false, whose member templates have
// the per-account hub.

var orgModeNoDelegationAsm cached

func orgModeNoDelegationAssembly(t testing.TB) (*config.Config, *assembly.Assembly) {
	yaml := strings.Replace(orgModeConfig, "  id: o-a1b2c3d4e5\n", "  id: o-a1b2c3d4e5\n  delegatedAdministrators: {securityHub: false}\n", 1)
	cfg, err := config.Parse([]byte(yaml), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg, orgModeNoDelegationAsm.get(t, func(t testing.TB) *assembly.Assembly { return synthConfig(t, cfg) })
}

// hubSettings are a region's Security Hub settings for an account: the
// standards (ARNs) and the security controls (e.g. IAM.9) disabled.
type hubSettings struct {
	standards, disabled []string
}

// memberHubSettings reads the per-account hub of a member template: its
// AWS::SecurityHub::Standard resources and their disabled controls, mapped
// from the standard's own control id to the security control id by
// policies/globalcontrols.yaml.
func memberHubSettings(t testing.TB, s assembly.Stack) hubSettings {
	env := orderEnv{"aws", s.Region, orgMember, s.Name}
	byID := map[string]string{} // standard/id -> control
	for _, std := range policies.MustGlobalResourceControls().Standards {
		for _, c := range std.Controls {
			byID[std.Standard+"/"+c.ID] = c.Control
		}
	}
	var out hubSettings
	for _, lid := range sortedIDs(s) {
		r := s.Template.Resources[lid]
		if r.Type != "AWS::SecurityHub::Standard" {
			continue
		}
		arn, ok := env.resolve(r.Properties["StandardsArn"], nil)
		if !ok {
			t.Fatalf("%s %s: StandardsArn %v is no literal", s.Name, lid, r.Properties["StandardsArn"])
		}
		out.standards = append(out.standards, standardName(arn))
		controls, _ := r.Properties["DisabledStandardsControls"].([]any)
		for _, c := range controls {
			carn, ok := env.resolve(c.(map[string]any)["StandardsControlArn"], nil)
			if !ok {
				t.Fatalf("%s %s: a StandardsControlArn is no literal", s.Name, lid)
			}
			_, rest, _ := strings.Cut(carn, ":control/")
			control, ok := byID[rest]
			if !ok {
				t.Fatalf("%s %s: %s is no control of policies/globalcontrols.yaml", s.Name, lid, carn)
			}
			out.disabled = append(out.disabled, control)
		}
	}
	sort.Strings(out.standards)
	out.disabled = sortedUnique(out.disabled)
	return out
}

// policySettings reads the configuration policy of the audit account's home
// stack: the same settings for the home region, and the controls that
// Security Hub itself disables outside the home region under central
// configuration ("Security Hub automatically disables controls that
// involve global resources in all Regions except the home Region",
// https://docs.aws.amazon.com/securityhub/latest/userguide/controls-to-disable.html),
// which policies/globalcontrols.yaml lists per standard.
func policySettings(t testing.TB, s assembly.Stack, policy map[string]any) (home, elsewhere hubSettings) {
	env := orderEnv{"aws", s.Region, s.Account, s.Name}
	sh := policy["SecurityHub"].(map[string]any)
	if sh["ServiceEnabled"] != true {
		t.Errorf("the configuration policy does not enable Security Hub: %v", sh["ServiceEnabled"])
	}
	for _, v := range asAny(sh["EnabledStandardIdentifiers"]) {
		arn, ok := env.resolve(v, nil)
		if !ok {
			t.Fatalf("EnabledStandardIdentifiers: %v is no literal", v)
		}
		home.standards = append(home.standards, standardName(arn))
	}
	sort.Strings(home.standards)
	controls := sh["SecurityControlsConfiguration"].(map[string]any)
	if _, ok := controls["EnabledSecurityControlIdentifiers"]; ok {
		t.Errorf("the policy lists enabled controls: every other control, new ones too, would be off")
	}
	home.disabled = sortedUnique(asStrings(controls["DisabledSecurityControlIdentifiers"]))
	elsewhere.standards = home.standards
	var global []string
	for _, std := range policies.MustGlobalResourceControls().Standards {
		for _, arn := range home.standards {
			if arn == std.Standard {
				for _, c := range std.Controls {
					global = append(global, c.Control)
				}
			}
		}
	}
	elsewhere.disabled = sortedUnique(append(slices.Clone(home.disabled), global...))
	return home, elsewhere
}

// standardName is a standard's ARN after "standards/": each region names
// the same standard with its own ARN.
func standardName(arn string) string {
	_, name, ok := strings.Cut(arn, "::standards/")
	if !ok {
		return "not a standard ARN: " + arn
	}
	return name
}

func sortedUnique(l []string) []string {
	l = slices.Clone(l)
	sort.Strings(l)
	return slices.Compact(l)
}

// compareHub lists how want (per-account mode) and got (central
// configuration) differ.
func compareHub(where string, want, got hubSettings) []string {
	var out []string
	if !slices.Equal(want.standards, got.standards) {
		out = append(out, fmt.Sprintf("%s: standards %v, per-account mode %v", where, got.standards, want.standards))
	}
	if !slices.Equal(want.disabled, got.disabled) {
		out = append(out, fmt.Sprintf("%s: disabled controls %v, per-account mode %v", where, got.disabled, want.disabled))
	}
	return out
}

// TestSecurityHubCentralEqualsPerAccount: the configuration policy enables
// the standards, and leaves off the controls, that the per-account mode's
// member templates do, in the home region and in the other regions.
func TestSecurityHubCentralEqualsPerAccount(t *testing.T) {
	cfg := orgModeCfg(t)
	asm := orgModeAssembly(t)
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	auditHome := stack(t, asm, stacks.StackName(audit, audit.HomeRegion))
	policy := resourceWithPrefix(t, auditHome, "AWS::SecurityHub::ConfigurationPolicy", "SecurityHubCentral")
	perCfg, perAsm := orgModeNoDelegationAssembly(t)
	members := orgMemberStacks(t, perAsm, perCfg, orgMember)
	if len(members) != 2 || members[0].Region != cfg.HomeRegion {
		t.Fatalf("want the home and regional member templates, got %d", len(members))
	}
	wantHome, wantElsewhere := memberHubSettings(t, members[0]), memberHubSettings(t, members[1])
	if len(wantHome.standards) == 0 || len(wantElsewhere.disabled) == 0 {
		t.Fatalf("the per-account member templates have no standards (%v) or no disabled controls outside home (%v): nothing to compare", wantHome.standards, wantElsewhere.disabled)
	}
	gotHome, gotElsewhere := policySettings(t, auditHome, policy.Properties["ConfigurationPolicy"].(map[string]any))
	for _, p := range append(compareHub("home region "+cfg.HomeRegion, wantHome, gotHome),
		compareHub("other regions ("+members[1].Region+")", wantElsewhere, gotElsewhere)...) {
		t.Error(p)
	}
	t.Logf("policy: %d standards, %d controls disabled in the home region, %d outside it (by Security Hub); per-account member: %d standards, %d and %d disabled",
		len(gotHome.standards), len(gotHome.disabled), len(gotElsewhere.disabled), len(wantHome.standards), len(wantHome.disabled), len(wantElsewhere.disabled))

	// The member templates under central configuration have no hub: the
	// policy is the only place their settings come from.
	for _, m := range orgMemberStacks(t, asm, cfg, orgMember) {
		for _, lid := range sortedIDs(m) {
			if typ := m.Template.Resources[lid].Type; strings.HasPrefix(typ, "AWS::SecurityHub::") {
				t.Errorf("%s: %s %s; the configuration policy enables Security Hub in members", m.Name, typ, lid)
			}
		}
	}

	// Negative tests: a policy that differs in one thing fails.
	t.Run("a policy that differs fails the comparison", func(t *testing.T) {
		breaks := []struct {
			name   string
			break_ func(h, e *hubSettings)
		}{
			{"a standard dropped", func(h, e *hubSettings) { h.standards = h.standards[1:]; e.standards = h.standards }},
			{"a standard added", func(h, e *hubSettings) {
				h.standards = append(slices.Clone(h.standards), "nist-800-53/v/5.0.0")
				e.standards = h.standards
			}},
			{"a control disabled in every region", func(h, e *hubSettings) {
				h.disabled = append(slices.Clone(h.disabled), "EC2.1")
				e.disabled = append(slices.Clone(e.disabled), "EC2.1")
			}},
			{"a global control left on outside home", func(h, e *hubSettings) { e.disabled = e.disabled[1:] }},
		}
		for _, b := range breaks {
			h, e := gotHome, gotElsewhere
			b.break_(&h, &e)
			if p := append(compareHub("home", wantHome, h), compareHub("elsewhere", wantElsewhere, e)...); len(p) == 0 {
				t.Errorf("%s: the comparison still passes", b.name)
			}
		}
	})
}

// TestSecurityHubCentralStacks: who holds what. The management account's
// organization stack designates the audit account, in the home region
// only; the audit account's home stack turns central configuration on,
// after its aggregator, associates the policy with every target OU and
// every accounts entry as self-managed; no other stack has any of it.
func TestSecurityHubCentralStacks(t *testing.T) {
	cfg := orgModeCfg(t)
	asm := orgModeAssembly(t)
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	counts := map[string]map[string]int{}
	for _, s := range asm.Stacks {
		for _, r := range s.Template.Resources {
			switch r.Type {
			case "AWS::SecurityHub::DelegatedAdmin", "AWS::SecurityHub::OrganizationConfiguration", "AWS::SecurityHub::ConfigurationPolicy",
				"AWS::SecurityHub::PolicyAssociation", "AWS::SecurityHub::FindingAggregator":
				if counts[s.Name] == nil {
					counts[s.Name] = map[string]int{}
				}
				counts[s.Name][r.Type]++
			}
		}
	}
	auditHome := stacks.StackName(audit, audit.HomeRegion)
	want := map[string]map[string]int{
		stacks.OrganizationStackName(cfg): {"AWS::SecurityHub::DelegatedAdmin": 1},
		auditHome: {
			"AWS::SecurityHub::OrganizationConfiguration": 1, "AWS::SecurityHub::ConfigurationPolicy": 1,
			"AWS::SecurityHub::PolicyAssociation": len(cfg.Organization.OrganizationalUnits) + len(cfg.Accounts),
			"AWS::SecurityHub::FindingAggregator": 1,
		},
	}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("Security Hub organization resources by stack:\n got %v\nwant %v", counts, want)
	}
	s := stack(t, asm, auditHome)
	var ous, selfManaged []string
	for _, lid := range sortedIDs(s) {
		r := s.Template.Resources[lid]
		switch r.Type {
		case "AWS::SecurityHub::PolicyAssociation":
			if r.Properties["TargetType"] == "ACCOUNT" {
				// The audit account is centrally managed: the
				// designation turned its Security Hub on, and its own
				// stacks create no hub.
				audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
				want := "SELF_MANAGED_SECURITY_HUB"
				if r.Properties["TargetId"] == audit.ID {
					want = fmt.Sprint(map[string]any{"Fn::GetAtt": []any{"SecurityHubCentralPolicyB9113E08", "Id"}})
				}
				if got := fmt.Sprint(r.Properties["ConfigurationPolicyId"]); got != want {
					t.Errorf("%s: account %v gets %v, want %s", lid, r.Properties["TargetId"], got, want)
				}
				selfManaged = append(selfManaged, r.Properties["TargetId"].(string))
			} else {
				ous = append(ous, r.Properties["TargetId"].(string))
			}
		case "AWS::SecurityHub::OrganizationConfiguration":
			if r.Properties["ConfigurationType"] != "CENTRAL" || r.Properties["AutoEnable"] != false || r.Properties["AutoEnableStandards"] != "NONE" {
				t.Errorf("%s: %v", lid, r.Properties)
			}
			agg := resourceWithPrefix(t, s, "AWS::SecurityHub::FindingAggregator", "SecurityHub")
			raw := readRawTemplate(t, filepath.Join(asm.Dir, s.TemplateFile))
			var aggID string
			for id, rr := range raw {
				if rr["Type"] == "AWS::SecurityHub::FindingAggregator" {
					aggID = id
				}
			}
			if !slices.Contains(asStrings(raw[lid]["DependsOn"]), aggID) {
				t.Errorf("%s does not depend on the finding aggregator %s (central configuration needs the home Region)", lid, aggID)
			}
			if got := fmt.Sprint(agg.Properties["Regions"]); got != "[us-east-1]" {
				t.Errorf("the aggregator links %s, want the organization's other regions [us-east-1]", got)
			}
		}
	}
	var ids []string
	for _, a := range cfg.Accounts {
		ids = append(ids, a.ID)
	}
	if !slices.Equal(sortedUnique(ous), sortedUnique(cfg.Organization.OrganizationalUnits)) || !slices.Equal(sortedUnique(selfManaged), sortedUnique(ids)) {
		t.Errorf("associations: OUs %v (want %v), accounts %v (want every accounts entry %v)", ous, cfg.Organization.OrganizationalUnits, selfManaged, ids)
	}
	// No hub of its own in any of the audit account's stacks: the
	// designation turns Security Hub on in its home region, the policy in
	// the others.
	audit, _ = cfg.OrgAccount(cfg.Organization.AuditAccount)
	for _, region := range audit.Regions {
		if n := len(resourcesOfType(stack(t, asm, stacks.StackName(audit, region)), "AWS::SecurityHub::Hub")); n != 0 {
			t.Errorf("%s: %d hubs of its own", stacks.StackName(audit, region), n)
		}
	}
}

// TestSecurityHubCentralOperatorDeny: in the audit account, the operator is
// denied every changing securityhub action on the configuration policy, the
// aggregator and the organization's configuration (the tamper matrix's
// cells of the audit account's home stack), and without the operator
// deny's Security Hub statement those cells fail: the statement is what
// protects central configuration.
func TestSecurityHubCentralOperatorDeny(t *testing.T) {
	cfg := orgModeCfg(t)
	w := newAccessWorld(t, "organization", cfg, orgModeAssembly(t))
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	auditHome := stacks.StackName(audit, audit.HomeRegion)
	organizationActions := []string{"securityhub:UpdateOrganizationConfiguration", "securityhub:UpdateConfigurationPolicy",
		"securityhub:DeleteConfigurationPolicy", "securityhub:StartConfigurationPolicyAssociation",
		"securityhub:StartConfigurationPolicyDisassociation", "securityhub:DeleteFindingAggregator", "securityhub:UpdateFindingAggregator"}
	keeps := loadOperatorKeeps(t) // changing nothing: the operator keeps them (TestTamperMatrix)
	var cells []tamperCell
	seen := map[string]bool{}
	for _, c := range w.tamperCells(t) {
		if c.role != "operator" || c.target.service != "securityhub" || !strings.HasPrefix(c.target.label, auditHome+" ") || keeps[strings.ToLower(c.Action)] != "" {
			continue
		}
		cells = append(cells, c)
		seen[c.Action] = true
	}
	for _, a := range organizationActions {
		if !seen[a] {
			t.Errorf("the matrix has no operator cell of %s in %s", a, auditHome)
		}
	}
	if t.Failed() {
		return
	}
	run := func(cells []tamperCell) (failed map[string]bool) {
		cases := make([]tamperCase, len(cells))
		for i, c := range cells {
			cases[i] = c.tamperCase
		}
		failed = map[string]bool{}
		for i, r := range simulate(t, cases) {
			if !decisionFits(r.Decision, cells[i].want) {
				failed[cells[i].Action] = true
			}
		}
		return failed
	}
	if f := run(cells); len(f) > 0 {
		t.Errorf("the operator may change central configuration: %v", slices.Sorted(maps.Keys(f)))
	}
	broken := make([]tamperCell, len(cells))
	for i, c := range cells {
		var found bool
		if c.IdentityPolicies, found = withoutStatement(c.IdentityPolicies, "DenySecurityHubTamperingAllResourcesNoResourceLevel"); !found {
			t.Fatal("the operator role has no statement DenySecurityHubTamperingAllResourcesNoResourceLevel")
		}
		broken[i] = c
	}
	f := run(broken)
	for _, a := range organizationActions {
		if !f[a] {
			t.Errorf("without the Security Hub statement of the operator deny, %s is still denied: the matrix does not see what protects it", a)
		}
	}
	t.Logf("%d operator cells on Security Hub in %s, all denied; without the statement %d actions fail", len(cells), auditHome, len(f))
}
