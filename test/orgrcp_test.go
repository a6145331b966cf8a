package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// The resource control policy's proof (stacks.ResourceControl,
// policies/organization/rcp-baseline-logs.json), with the IAM evaluator:
// every S3 and KMS action of the Service Authorization Reference on the
// log buckets, their objects and the keys of the log archive account's
// home stack and of a StackSet member's home stack.
//
// RCPs "apply to resources of" S3, STS, KMS, SQS, Secrets Manager and a
// few more services, and never to the management account's resources
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
// Its statements follow AWS's data perimeter RCP: an identity perimeter on
// aws:PrincipalOrgID that leaves AWS service principals alone, and a
// confused-deputy statement on aws:SourceOrgID for service principals that
// act for an account (aws:SourceAccount)
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html,
// https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html).

const (
	rcpExternalAccount = "111122223333"
	rcpOtherOrg        = "o-zz99yy88xx"
)

// rcpNotEffective are the actions an RCP does not control: "The
// kms:RetireGrant permission is not effective in an RCP, even if the
// Action element specifies an asterisk (*) as a wildcard"
// (https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html).
// iam-simulate would deny them; AWS does not, so they are no cells
// (retiring a grant takes access away; kms:CreateGrant, which gives it, is a
// cell and is denied to outsiders).
var rcpNotEffective = map[string]string{
	"kms:RetireGrant": "https://docs.aws.amazon.com/kms/latest/developerguide/resource-control-policies.html",
}

// rcpCell is one request of the RCP matrix.
type rcpCell struct {
	orgCase
	who  string
	want string // ExplicitlyDenied, Allowed, or "unchanged" (twin's decision)
	twin int    // the same request without the RCP
	// denyOnlyWith: the RCP must be what denies it (the twin is Allowed).
	denyOnlyWith bool
	protected    bool // on a log bucket, an object in one, or a log key
}

// onResource lists, sorted, "prefix:Action" for every action of the SAR
// that acts on the resource type key, whatever its access level.
func (s *sarService) onResource(key string) []string {
	var out []string
	for _, a := range s.Actions {
		for _, rt := range a.ResourceTypes {
			if strings.EqualFold(rt.Name, key) {
				out = append(out, s.Prefix+":"+a.Name)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// logKeyArns are the keys that encrypt the stack's logs, read from the
// template: a bucket's default encryption, the trail's KMSKeyId, the key
// of the log group the trail delivers to, and AWS Config's S3KmsKeyArn.
func logKeyArns(t testing.TB, s assembly.Stack) map[string]bool {
	p := physical{s: s}
	keyOf := func(v any) string {
		raw, _ := json.Marshal(v)
		for _, lid := range sortedIDs(s) {
			if s.Template.Resources[lid].Type == "AWS::KMS::Key" && (strings.Contains(string(raw), `"`+lid+`"`)) {
				return p.arn(lid)
			}
		}
		return ""
	}
	trailGroups := map[string]bool{}
	for _, lid := range sortedIDs(s) {
		if res := s.Template.Resources[lid]; res.Type == "AWS::CloudTrail::Trail" {
			raw, _ := json.Marshal(res.Properties["CloudWatchLogsLogGroupArn"])
			for _, g := range sortedIDs(s) {
				if s.Template.Resources[g].Type == "AWS::Logs::LogGroup" && strings.Contains(string(raw), `"`+g+`"`) {
					trailGroups[g] = true
				}
			}
		}
	}
	out := map[string]bool{}
	for _, lid := range sortedIDs(s) {
		res := s.Template.Resources[lid]
		var ref any
		switch res.Type {
		case "AWS::S3::Bucket":
			ref = res.Properties["BucketEncryption"]
		case "AWS::CloudTrail::Trail":
			ref = res.Properties["KMSKeyId"]
		case "AWS::Config::DeliveryChannel":
			ref = res.Properties["S3KmsKeyArn"]
		case "AWS::Logs::LogGroup":
			if trailGroups[lid] {
				ref = res.Properties["KmsKeyId"]
			}
		}
		if k := keyOf(ref); k != "" {
			out[k] = true
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s: no key encrypts its logs", s.Name)
	}
	return out
}

// rcpServiceGrants are the (service principal, action) pairs that the
// stack's bucket and key policies allow to AWS services on the target arn:
// what CloudTrail, AWS Config, S3 server access logging and CloudWatch
// Logs do on the log buckets and keys.
func rcpServiceGrants(t testing.TB, tg tamperTarget) [][2]string {
	var out [][2]string
	if tg.resourcePolicy == nil {
		return nil
	}
	for _, st := range tg.resourcePolicy["Statement"].([]any) {
		m := st.(map[string]any)
		pr, _ := m["Principal"].(map[string]any)
		if m["Effect"] != "Allow" || pr == nil || pr["Service"] == nil {
			continue
		}
		var svcs, acts []string
		for _, v := range asList(pr["Service"]) {
			svcs = append(svcs, v.(string))
		}
		for _, v := range asList(m["Action"]) {
			for _, a := range tg.actions {
				if wildcardMatch(strings.ToLower(v.(string)), strings.ToLower(a)) {
					acts = append(acts, a)
				}
			}
		}
		for _, s := range svcs {
			for _, a := range acts {
				out = append(out, [2]string{s, a})
			}
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

// rcpAllowPolicy is a bucket or key policy that would let principal do
// everything of the target's service on it: what the RCP must override.
func rcpAllowPolicy(tg tamperTarget, principal map[string]any) map[string]any {
	res := any("*")
	if tg.service == "s3" {
		bucket, _, _ := strings.Cut(strings.TrimPrefix(tg.arn, "arn:aws:s3:::"), "/")
		res = []any{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"}
	}
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Effect": "Allow", "Principal": principal, "Action": tg.service + ":*", "Resource": res}}}
}

// rcpLevels puts the RCP where organization mode attaches it: on the first
// target OU for a StackSet member ("ou"), or on the account itself for the
// log archive, which may sit in an OU that is no target ("account").
// iam-simulate adds AWS's RCPFullAWSAccess, attached to every root, OU and
// account once RCPs are enabled, at every level itself
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html).
func rcpLevels(cfg *config.Config, rcp *stacks.Guardrail, account, at string) []orgLevel {
	var on []iamPolicy
	if rcp != nil {
		on = []iamPolicy{{Name: rcp.Name, Policy: rcp.Document}}
	}
	full := []iamPolicy{}
	if at == "ou" {
		return []orgLevel{{OrgIdentifier: "r-ab12", Policies: full}, {OrgIdentifier: cfg.Organization.OrganizationalUnits[0], Policies: on}, {OrgIdentifier: account, Policies: full}}
	}
	return []orgLevel{{OrgIdentifier: "r-ab12", Policies: full}, {OrgIdentifier: "ou-ab12-notatarget", Policies: full}, {OrgIdentifier: account, Policies: on}}
}

// rcpPlacement is one account whose baseline stack the matrix reads, and
// where the RCP sits above it.
type rcpPlacement struct {
	stack assembly.Stack
	at    string // "ou" or "account"
	// insider is a principal of another account of the organization.
	insider string
}

func rcpPlacements(t testing.TB, cfg *config.Config) []rcpPlacement {
	asm := orgModeAssembly(t)
	la, _ := cfg.OrgAccount(cfg.Organization.LogArchiveAccount)
	if !slices.Contains(stacks.ResourceControlTargets(cfg), la.ID) {
		t.Fatalf("the RCP is not attached to the log archive account %s: %v", la.ID, stacks.ResourceControlTargets(cfg))
	}
	return []rcpPlacement{
		{stack: stack(t, asm, la.Name+"-"+la.HomeRegion), at: "account", insider: orgMember},
		{stack: orgMemberStacks(t, asm, cfg, orgMember)[0], at: "ou", insider: la.ID},
	}
}

// rcpCells derives the matrix.
func rcpCells(t testing.TB, cfg *config.Config, rcp *stacks.Guardrail, places []rcpPlacement) (cells []rcpCell, skipped map[string]int) {
	skipped = map[string]int{}
	add := func(c rcpCell) {
		if c.want == "unchanged" || c.denyOnlyWith {
			bare := c
			bare.RCPs = nil
			bare.Name += " (no RCP)"
			bare.who += " without RCP"
			bare.want, bare.denyOnlyWith = "any", false
			cells = append(cells, bare)
			c.twin = len(cells) - 1
		}
		cells = append(cells, c)
	}
	for _, pl := range places {
		s := pl.stack
		levels := rcpLevels(cfg, rcp, s.Account, pl.at)
		logKeys := logKeyArns(t, s)
		for _, tg := range tamperTargets(t, s, "baseline-") {
			var protected bool
			switch {
			case tg.service == "s3" && (tg.rtype == "bucket" || tg.rtype == "object"):
				protected = tg.logBucket
			case tg.service == "kms" && tg.rtype == "key":
				protected = logKeys[tg.arn]
			default:
				continue
			}
			tg.actions = sar(t, tg.service).onResource(tg.rtype)
			for _, action := range tg.actions {
				if rcpNotEffective[action] != "" {
					skipped[action]++
					continue
				}
				req := func(who, principal string, ctx map[string]any, policy map[string]any, identity []iamPolicy) orgCase {
					c := orgCase{simCase: simCase{
						Name:      fmt.Sprintf("%s: %s on %s (%s)", who, action, tg.label, tg.arn),
						Principal: principal, Action: action, Resource: tg.arn, ResourceAccount: tg.resourceAccount,
						IdentityPolicies: identity, ResourcePolicy: policy, Context: map[string]any{},
					}, AllowIgnoredContextKeys: true, RCPs: levels}
					// Every signed request carries aws:PrincipalIsAWSService
					// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice).
					c.Context["aws:PrincipalIsAWSService"] = "false"
					for k, v := range tg.context {
						c.Context[k] = v
					}
					for k, v := range ctx {
						c.Context[k] = v
					}
					return c
				}
				admin := []iamPolicy{{Managed: "arn:aws:iam::aws:policy/AdministratorAccess"}}
				// Outside the organization: in another organization, and in
				// none (no aws:PrincipalOrgID in the request).
				outsider := fmt.Sprintf("arn:aws:sts::%s:assumed-role/Partner/bob", rcpExternalAccount)
				grant := rcpAllowPolicy(tg, map[string]any{"AWS": "arn:aws:iam::" + rcpExternalAccount + ":root"})
				for _, org := range []string{rcpOtherOrg, ""} {
					who := "outsider in " + org
					ctx := map[string]any{"aws:PrincipalOrgID": org}
					if org == "" {
						who, ctx = "outsider in no organization", nil
					}
					c := rcpCell{orgCase: req(who, outsider, ctx, grant, admin), who: who, want: "unchanged", protected: protected}
					if protected {
						c.want, c.denyOnlyWith = "ExplicitlyDenied", true
					}
					add(c)
				}
				// A principal of another account of the organization: the
				// RCP must not change its decision.
				insider := fmt.Sprintf("arn:aws:sts::%s:assumed-role/Reader/alice", pl.insider)
				add(rcpCell{orgCase: req("insider", insider, map[string]any{"aws:PrincipalOrgID": cfg.Organization.ID},
					rcpAllowPolicy(tg, map[string]any{"AWS": "arn:aws:iam::" + pl.insider + ":root"}), admin), who: "insider", want: "unchanged", protected: protected})
			}
			// AWS services, for what the stack's own policies grant them.
			for _, g := range rcpServiceGrants(t, tg) {
				svc, action := g[0], g[1]
				policy := rcpAllowPolicy(tg, map[string]any{"Service": svc})
				svcReq := func(who string, ctx map[string]any) orgCase {
					c := orgCase{simCase: simCase{
						Name:      fmt.Sprintf("%s %s: %s on %s (%s)", svc, who, action, tg.label, tg.arn),
						Principal: svc, Action: action, Resource: tg.arn, ResourceAccount: tg.resourceAccount,
						ResourcePolicy: policy, Context: map[string]any{"aws:PrincipalIsAWSService": "true"},
					}, AllowIgnoredContextKeys: true, RCPs: levels}
					for k, v := range tg.context {
						c.Context[k] = v
					}
					for k, v := range ctx {
						c.Context[k] = v
					}
					return c
				}
				// For an account of the organization (the management
				// account's organization trail, the account's own Config):
				// aws:SourceOrgID is the organization of aws:SourceAccount
				// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-sourceorgid).
				mgmt, _ := cfg.OrgAccount(cfg.Organization.ManagementAccount)
				for _, acct := range []string{s.Account, mgmt.ID} {
					add(rcpCell{orgCase: svcReq("for "+acct, map[string]any{"aws:SourceAccount": acct, "aws:SourceOrgID": cfg.Organization.ID}), who: "service for the organization", want: "Allowed", protected: protected})
				}
				// Without aws:SourceAccount (a service that sends none) the
				// RCP leaves it, as AWS's example does.
				add(rcpCell{orgCase: svcReq("without aws:SourceAccount", nil), who: "service without source", want: "Allowed"})
				want := "unchanged"
				if protected {
					want = "ExplicitlyDenied"
				}
				add(rcpCell{orgCase: svcReq("for another organization", map[string]any{"aws:SourceAccount": rcpExternalAccount, "aws:SourceOrgID": rcpOtherOrg}), who: "service for outsiders", want: want, denyOnlyWith: protected})
				add(rcpCell{orgCase: svcReq("for an account in no organization", map[string]any{"aws:SourceAccount": rcpExternalAccount}), who: "service for outsiders", want: want, denyOnlyWith: protected})
			}
		}
	}
	return cells, skipped
}

type rcpOutcome struct {
	results  []orgResult
	failures []string
	perWho   map[string][2]int
}

func runRCPMatrix(t testing.TB, cells []rcpCell) rcpOutcome {
	cases := make([]orgCase, len(cells))
	for i, c := range cells {
		cases[i] = c.orgCase
	}
	o := rcpOutcome{results: simulateOrg(t, cases), perWho: map[string][2]int{}}
	for i, c := range cells {
		r := o.results[i]
		n := o.perWho[c.who]
		n[0]++
		bad := orgVerdict(r, o.results[c.twin], c.want, "the RCP", "the RCP", "RCP", r.rcpDenies())
		if bad == "" && c.want != "any" && c.want != "unchanged" && c.denyOnlyWith && o.results[c.twin].Decision != "Allowed" {
			bad = fmt.Sprintf("without the RCP %s, want Allowed: the bucket or key policy of the cell must allow it, so that the RCP is what denies", o.results[c.twin].Decision)
		}
		if bad != "" {
			n[1]++
			o.failures = append(o.failures, c.Name+": "+bad)
		}
		o.perWho[c.who] = n
	}
	sort.Strings(o.failures)
	return o
}

// TestResourceControlPolicy proves the RCP: on every S3 action on the log
// buckets and their objects and every KMS action on the log keys (SAR), a
// principal outside the organization whose bucket or key policy allows it
// is denied; a principal of the organization gets what it gets without
// the RCP; CloudTrail, AWS Config, S3 server access logging and CloudWatch
// Logs (the actions the stacks' own policies grant them) are allowed when
// they act for an account of the organization and denied when they act for
// one outside it; resources that hold no logs (the alarm topic's key) are
// untouched. Negative tests: without any one statement, or with another
// organization's id, the matrix fails.
func TestResourceControlPolicy(t *testing.T) {
	cfg := orgModeCfg(t)
	rcp, err := stacks.ResourceControl(cfg, "aws")
	if err != nil || rcp == nil {
		t.Fatalf("no RCP for the organization-mode config: %v", err)
	}
	cells, skipped := rcpCells(t, cfg, rcp, rcpPlacements(t, cfg))
	o := runRCPMatrix(t, cells)
	for _, f := range o.failures {
		t.Error(f)
	}
	for _, who := range slices.Sorted(maps.Keys(o.perWho)) {
		t.Logf("RCP matrix %s: %d cells, %d failed", who, o.perWho[who][0], o.perWho[who][1])
	}
	t.Logf("not cells (an RCP does not control them): %v", skipped)
	if o.perWho["outsider in "+rcpOtherOrg][0] < 300 || o.perWho["service for the organization"][0] < 10 {
		t.Fatalf("too few cells (%v): the stacks or the SAR were not read", o.perWho)
	}

	// Negative test: each statement is what alone denies some cells;
	// without it they fail.
	t.Run("removing any statement fails the matrix", func(t *testing.T) {
		alone := map[string][]int{}
		for i, c := range cells {
			d := o.results[i].rcpDenies()
			if c.want == "ExplicitlyDenied" && len(d) == 1 {
				alone[d[0]] = append(alone[d[0]], i)
			}
		}
		for _, st := range rcp.Document["Statement"].([]any) {
			sid := st.(map[string]any)["Sid"].(string)
			ref := rcp.Name + "#" + sid
			idx := alone[ref]
			if len(idx) == 0 {
				t.Errorf("%s denies no cell of the matrix on its own: it is redundant, or the matrix misses what it protects", ref)
				continue
			}
			doc, ok := dropSid(rcp.Document, sid)
			if !ok {
				t.Fatalf("no statement %s", sid)
			}
			broken := &stacks.Guardrail{Name: rcp.Name, Document: doc}
			sub := rcpRelevel(cfg, cells, idx, broken)
			f := runRCPMatrix(t, sub).failures
			if slices.ContainsFunc(f, func(s string) bool { return strings.Contains(s, "not evaluated") }) {
				t.Fatalf("without %s: %v", ref, f)
			}
			if len(f) != len(idx) {
				t.Errorf("without %s, %d of the %d cells it alone denied fail, want all", ref, len(f), len(idx))
			} else {
				t.Logf("without %s: %d of %d cells fail, e.g. %s", ref, len(f), len(idx), f[0])
			}
		}
	})
	t.Run("another organization's id fails the matrix", func(t *testing.T) {
		other := *cfg
		other.Organization.ID = rcpOtherOrg
		wrong, err := stacks.ResourceControl(&other, "aws")
		if err != nil {
			t.Fatal(err)
		}
		// The insiders and the services acting for the organization, on
		// the log buckets and keys: each must now fail.
		var idx []int
		for i, c := range cells {
			if (c.who == "insider" || c.who == "service for the organization") && c.protected {
				idx = append(idx, i)
			}
		}
		f := runRCPMatrix(t, rcpRelevel(cfg, cells, idx, wrong)).failures
		if slices.ContainsFunc(f, func(s string) bool { return strings.Contains(s, "not evaluated") }) {
			t.Fatalf("%v", f[:1])
		}
		if len(idx) == 0 || len(f) != len(idx) {
			t.Fatalf("with organization id %s in the RCP, %d of %d insider and service cells fail, want all", rcpOtherOrg, len(f), len(idx))
		}
		t.Logf("with organization id %s: %d of %d insider and service cells fail, e.g. %s", rcpOtherOrg, len(f), len(idx), f[0])
	})
}

// rcpRelevel returns the cells idx (with their twins) judged under another
// RCP.
func rcpRelevel(cfg *config.Config, cells []rcpCell, idx []int, rcp *stacks.Guardrail) []rcpCell {
	var out []rcpCell
	for _, i := range idx {
		c := cells[i]
		if c.twin >= 0 && (c.want == "unchanged" || c.denyOnlyWith) {
			out = append(out, cells[c.twin])
			c.twin = len(out) - 1
		}
		at, account := "account", c.ResourceAccount
		if c.RCPs[1].OrgIdentifier == cfg.Organization.OrganizationalUnits[0] {
			at = "ou"
		}
		c.RCPs = rcpLevels(cfg, rcp, account, at)
		out = append(out, c)
	}
	return out
}

// TestResourceControlPolicyTemplate: the organization stack attaches the
// RCP, as filled in for the config, to the target OUs and the log archive
// and audit accounts, never to the management account; without the flag
// there is none.
func TestResourceControlPolicyTemplate(t *testing.T) {
	cfg := orgModeCfg(t)
	org := stack(t, orgModeAssembly(t), stacks.OrganizationStackName(cfg))
	var rcps []assembly.Resource
	for _, lid := range sortedIDs(org) {
		if r := org.Template.Resources[lid]; r.Type == "AWS::Organizations::Policy" && r.Properties["Type"] == "RESOURCE_CONTROL_POLICY" {
			rcps = append(rcps, r)
		}
	}
	if len(rcps) != 1 {
		t.Fatalf("%d RCPs in %s, want 1", len(rcps), org.Name)
	}
	la, _ := cfg.OrgAccount(cfg.Organization.LogArchiveAccount)
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	mgmt, _ := cfg.OrgAccount(cfg.Organization.ManagementAccount)
	want := append(slices.Clone(cfg.Organization.OrganizationalUnits), la.ID, audit.ID)
	if got := jsonOf(t, rcps[0].Properties["TargetIds"]); got != jsonOf(t, want) {
		t.Errorf("TargetIds %s, want %s", got, jsonOf(t, want))
	}
	if strings.Contains(jsonOf(t, rcps[0].Properties["TargetIds"]), mgmt.ID) {
		t.Errorf("the RCP is attached to the management account, where RCPs do not apply")
	}
	doc, _ := stacks.ResourceControl(cfg, "aws")
	if jsonOf(t, rcps[0].Properties["Content"]) != jsonOf(t, doc.Document) {
		t.Errorf("the template's RCP is not stacks.ResourceControl's")
	}
	raw, _ := json.Marshal(doc.Document)
	t.Logf("%s: %d of 5120 characters", doc.Name, len(raw))
	if !strings.Contains(string(raw), `"aws:PrincipalOrgID":"`+cfg.Organization.ID+`"`) {
		t.Errorf("the RCP does not name the organization %s", cfg.Organization.ID)
	}
	off := *cfg
	off.Organization.Guardrails.ResourceControlPolicy = false
	if g, err := stacks.ResourceControl(&off, "aws"); g != nil || err != nil {
		t.Errorf("resourceControlPolicy false: %v %v", g, err)
	}
}
