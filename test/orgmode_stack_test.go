package test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// TestOrganizationStack: organization mode's stack in the management
// account attaches every guardrail to every target OU, with the documents
// TestGuardrailMatrix proves, and the member StackSets deploy after it.
func TestOrganizationStack(t *testing.T) {
	cfg := orgModeCfg(t)
	asm := orgModeAssembly(t)
	org := stack(t, asm, stacks.OrganizationStackName(cfg))
	if org.Account != "999999999999" || org.Region != cfg.HomeRegion || !org.TerminationProtection {
		t.Errorf("organization stack in %s/%s, termination protection %v", org.Account, org.Region, org.TerminationProtection)
	}
	want, err := stacks.Guardrails(cfg, "aws")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, lid := range sortedIDs(org) {
		r := org.Template.Resources[lid]
		if r.Type != "AWS::Organizations::Policy" || r.Properties["Type"] == "RESOURCE_CONTROL_POLICY" {
			continue // the RCP: TestResourceControlPolicyTemplate
		}
		name := r.Properties["Name"].(string)
		got = append(got, name)
		i := slices.IndexFunc(want, func(g stacks.Guardrail) bool { return g.Name == name })
		if i < 0 {
			t.Errorf("%s: no such guardrail", name)
			continue
		}
		if r.Properties["Type"] != "SERVICE_CONTROL_POLICY" {
			t.Errorf("%s: Type %v", name, r.Properties["Type"])
		}
		var content map[string]any
		raw, _ := json.Marshal(want[i].Document)
		json.Unmarshal(raw, &content)
		if !reflect.DeepEqual(r.Properties["Content"], content) {
			t.Errorf("%s: Content is not the proven document", name)
		}
		if targets := jsonOf(t, r.Properties["TargetIds"]); targets != `["ou-ab12-cdef3456","ou-ab12-99990000"]` {
			t.Errorf("%s: TargetIds %s", name, targets)
		}
	}
	if len(got) != len(want) {
		t.Errorf("policies %v, want %d", got, len(want))
	}
	deps := manifestStackDeps(t, asm.Dir)[stacks.StackSetStackName(cfg)]
	for _, d := range []string{stacks.OrganizationStackName(cfg)} {
		if !slices.Contains(deps, d) {
			t.Errorf("the StackSets stack does not depend on %s (deps %v)", d, deps)
		}
	}
}

// TestOrganizationReview: the review names every guardrail statement with
// its targets, and a config without organization mode gets no section.
func TestOrganizationReview(t *testing.T) {
	cfg := orgModeCfg(t)
	md := string(buildReview(t, orgModeAssembly(t), nil, report.DefaultAssumptions()).Markdown())
	if !strings.Contains(md, "## Organization\n") {
		t.Fatal("the review of the organization-mode assembly has no Organization section")
	}
	gs, _ := stacks.Guardrails(cfg, "aws")
	for _, g := range gs {
		for _, st := range g.Document["Statement"].([]any) {
			row := fmt.Sprintf("| %s (%s) | SERVICE_CONTROL_POLICY | ou-ab12-cdef3456, ou-ab12-99990000 | %s |", g.Name, stacks.OrganizationStackName(cfg), st.(map[string]any)["Sid"])
			if !strings.Contains(md, row) {
				t.Errorf("the review lacks %s", row)
			}
		}
	}
	// Who administers Security Hub: the designation, the policy and every
	// association, read from the templates.
	sh := md[strings.Index(md, "### Who administers what: Security Hub"):]
	for _, want := range []string{
		"Management-organization designates account 777777777777 in ap-northeast-1",
		"- Audit-ap-northeast-1 (ap-northeast-1, account 777777777777): configuration policy baseline with aws-foundational-security-best-practices/v/1.0.0, cis-aws-foundations-benchmark/v/5.0.0",
		"  - ORGANIZATIONAL_UNIT ou-ab12-cdef3456: the policy",
		"  - ORGANIZATIONAL_UNIT ou-ab12-99990000: the policy",
		"  - ACCOUNT 999999999999: self-managed",
		"  - ACCOUNT 888888888888: self-managed",
		"  - ACCOUNT 777777777777: the policy",
	} {
		if !strings.Contains(sh, want) {
			t.Errorf("the review's Security Hub part lacks %q:\n%.1500s", want, sh)
		}
	}
	rcp, _ := stacks.ResourceControl(cfg, "aws")
	for _, st := range rcp.Document["Statement"].([]any) {
		row := fmt.Sprintf("| %s (%s) | RESOURCE_CONTROL_POLICY | %s | %s |", rcp.Name, stacks.OrganizationStackName(cfg), strings.Join(stacks.ResourceControlTargets(cfg), ", "), st.(map[string]any)["Sid"])
		if !strings.Contains(md, row) {
			t.Errorf("the review lacks %s", row)
		}
	}
	// Who administers what: every delegated service, with the audit
	// account, the stacks that designate it and what it runs.
	for _, row := range []string{
		"| AWS Config | 777777777777 | Management-organization (ap-northeast-1) | Audit-ap-northeast-1: organization aggregator |",
		"| GuardDuty | 777777777777 | Management-organization (ap-northeast-1), Management-organization-us-east-1 (us-east-1) | Audit-ap-northeast-1: auto-enable ALL; Audit-us-east-1: auto-enable ALL |",
		"| IAM Access Analyzer | 777777777777 | Management-organization (ap-northeast-1) | Audit-ap-northeast-1: organization analyzer; Audit-ap-northeast-1: unused-access analyzer; Audit-us-east-1: organization analyzer |",
		"| Inspector | 777777777777 | Management-organization (ap-northeast-1), Management-organization-us-east-1 (us-east-1) | Audit-ap-northeast-1: auto-enable for new members; Audit-us-east-1: auto-enable for new members |",
		// The unused-access analyzer's price, with the cost model's
		// assumption: 40 roles and users x $0.20.
		"The unused-access analyzer is charged per IAM role and user it analyzes, in every account of the organization: 40 roles and users a member (`report/pricing.yaml`, an assumption) x $0.20 = $8.00 a member a month, billed to the audit account",
	} {
		if !strings.Contains(md, row) {
			t.Errorf("the review lacks %s", row)
		}
	}
	// The AssumeRoot alarm: in the management account's alarm list, with
	// no Security Hub or CIS control, and nowhere else.
	root := "| baseline-CentralizedRootSessions | none (baseline alarm) | `{ ($.eventSource = \"sts.amazonaws.com\") && ($.eventName = \"AssumeRoot\") }` |"
	mgmt, _ := cfg.OrgAccount(cfg.Organization.ManagementAccount)
	found := 0
	for _, sec := range strings.Split(md, "#### Alarms: ")[1:] {
		name, _, _ := strings.Cut(sec, "\n")
		want := name == mgmt.Name+"-"+mgmt.HomeRegion
		got := strings.Contains(sec, root)
		if got {
			found++
		}
		if got != want {
			t.Errorf("alarms of %s: CentralizedRootSessions listed %v, want %v", name, got, want)
		}
	}
	if found != 1 {
		t.Errorf("CentralizedRootSessions is in %d alarm lists of the review, want 1 (the management account's)", found)
	}
	// The organization trail and its cost against per-account trails, with
	// the cost model's numbers: 3,000,000 events x 1.5 KB = 4.29 GB x $0.50.
	for _, want := range []string{
		"### Organization trail\n",
		"`baseline-organization-trail` in `Management-organization` logs every account of the organization into bucket `baseline-cloudtrail-888888888888-ap-northeast-1`",
		"| Organization trail only (default) | $0.00 | $2.15 | $1.80 | $5.40 | $9.35 |",
		"| Per-account trails only (`organizationTrail: false`) | $0.00 | $2.15 | $1.80 | $5.40 | $9.35 |",
		"| Both (`memberTrails: true`) | $60.00 | $4.29 | $3.60 | $10.80 | $78.69 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("the review lacks %q", want)
		}
	}
	ct := string(buildReview(t, orgControlTowerAssembly(t), nil, report.DefaultAssumptions()).Markdown())
	if !strings.Contains(ct, "No organization trail (`organization.organizationTrail: false`, e.g. under Control Tower): every member keeps its own trail through the StackSets.") {
		t.Error("the Control Tower review does not say that members keep their own trail")
	}
	if strings.Contains(string(buildReview(t, stackSetAssembly(t), nil, report.DefaultAssumptions()).Markdown()), "## Organization\n") {
		t.Error("the StackSet-only review has an Organization section")
	}
}
