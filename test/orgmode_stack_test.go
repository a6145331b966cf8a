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
		if r.Type != "AWS::Organizations::Policy" {
			continue
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
	// Who administers what: every delegated service, with the audit
	// account, the stacks that designate it and what it runs.
	for _, row := range []string{
		"| AWS Config | 777777777777 | Management-organization (ap-northeast-1) | Audit-ap-northeast-1: organization aggregator |",
		"| GuardDuty | 777777777777 | Management-organization (ap-northeast-1), Management-organization-us-east-1 (us-east-1) | Audit-ap-northeast-1: auto-enable ALL; Audit-us-east-1: auto-enable ALL |",
		"| IAM Access Analyzer | 777777777777 | Management-organization (ap-northeast-1) | Audit-ap-northeast-1: organization analyzer; Audit-ap-northeast-1: unused-access analyzer; Audit-us-east-1: organization analyzer |",
		"| Inspector | 777777777777 | Management-organization (ap-northeast-1), Management-organization-us-east-1 (us-east-1) | Audit-ap-northeast-1: auto-enable for new members; Audit-us-east-1: auto-enable for new members |",
	} {
		if !strings.Contains(md, row) {
			t.Errorf("the review lacks %s", row)
		}
	}
	if strings.Contains(string(buildReview(t, stackSetAssembly(t), nil, report.DefaultAssumptions()).Markdown()), "## Organization\n") {
		t.Error("the StackSet-only review has an Organization section")
	}
}
