package test

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// The access model, proven with an offline IAM evaluator: every role,
// group and user policy is read from the synthesized templates of two
// configs (the example, single-account mode; hubConfig, hub mode with
// source networks), turned into requests, and evaluated by
// @cloud-copilot/iam-simulate in one Node process (test/iamsim/simulate.mjs).
// What should be allowed comes from the config: the decisions come only from
// the templates.

// hubConfig is hub mode: people are users of Identity; every account's roles
// trust only Identity; Dev renames its read-only role; Prod's alarms go to a
// Slack and a Teams channel too (the chat configurations are in the tamper
// matrix).
const hubConfig = `homeRegion: ap-northeast-1
regions: [ap-northeast-1]
notifications:
  emails: [security@example.com]
access:
  identityAccount: Identity
  mfaMaxAgeSeconds: 900
  allowedSourceIps: [203.0.113.0/24, "2001:db8:1234::/48"]
  breakGlassUsers: [break-glass-1]
accounts:
  - name: Identity
    id: "333333333333"
  - name: Prod
    id: "111111111111"
    notifications:
      emails: [security@example.com]
      slack: [{workspaceId: T0123ABCDE9, channelId: C0456FGHIJ7}]
      teams: [{tenantId: 2d5c4f2e-0d8a-4c1b-9e3a-6f7b8c9d0e1f, teamId: 7f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0, channelId: "19%3a0123456789abcdef0123456789abcdef%40thread.tacv2"}]
  - name: Dev
    id: "222222222222"
    access:
      roles:
        readOnly: {name: DevReadOnly}
`

var hub cached

// hubAssembly is hubConfig, synthesized once.
func hubAssembly(t testing.TB) *assembly.Assembly {
	return hub.get(t, func(t testing.TB) *assembly.Assembly { return synthConfig(t, hubCfg(t)) })
}

func hubCfg(t testing.TB) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(hubConfig), "hub.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// accessWorld is one config and the IAM content of its home stacks.
type accessWorld struct {
	label  string
	cfg    *config.Config
	stacks map[string][]*iamStack // by account id, home stack first
	home   map[string]*iamStack   // by account id
}

func newAccessWorld(t testing.TB, label string, cfg *config.Config, asm *assembly.Assembly) *accessWorld {
	w := &accessWorld{label: label, cfg: cfg, stacks: map[string][]*iamStack{}, home: map[string]*iamStack{}}
	for _, acc := range cfg.Accounts {
		for _, region := range acc.Regions {
			s := readIAM(t, stack(t, asm, acc.Name+"-"+region))
			if region == acc.HomeRegion {
				w.home[acc.ID] = s
				w.stacks[acc.ID] = append([]*iamStack{s}, w.stacks[acc.ID]...)
			} else {
				w.stacks[acc.ID] = append(w.stacks[acc.ID], s)
			}
		}
	}
	return w
}

func (w *accessWorld) account(id string) config.Account {
	for _, a := range w.cfg.Accounts {
		if a.ID == id {
			return a
		}
	}
	panic("no account " + id)
}

// roleKind says which of the access model's roles a role of account acc
// is, by its configured name: admin, operator, readOnly, or "".
func roleKind(acc config.Account, name string) string {
	for _, r := range acc.Access.Roles.RoleList() {
		if r.Role.Name == name {
			return r.Key
		}
	}
	return ""
}

func groupKind(acc config.Account, name string) string {
	switch name {
	case acc.Access.Groups.Admin:
		return "admin"
	case acc.Access.Groups.Operator:
		return "operator"
	case acc.Access.Groups.ReadOnly:
		return "readOnly"
	}
	return ""
}

// accessRoles are the access model's roles of a home stack, by kind.
func (w *accessWorld) accessRoles(t testing.TB, accID string) map[string]*iamRole {
	out := map[string]*iamRole{}
	for _, r := range w.home[accID].Roles {
		if strings.Contains(r.Path, "/Access/Roles/") {
			k := roleKind(w.account(accID), r.Name)
			if k == "" {
				t.Fatalf("%s: role %s (%s) is none of the configured roles", w.label, r.Name, r.Path)
			}
			out[k] = r
		}
	}
	if len(out) != 3 {
		t.Fatalf("%s: account %s has %d access roles, want 3", w.label, accID, len(out))
	}
	return out
}

// A mfaState is what a request says about MFA.
type mfaState struct {
	label string
	ctx   map[string]any
	// age is the MFA age in seconds, -1 without MFA.
	age int
}

func mfaStates(limit int) []mfaState {
	return []mfaState{
		{"no MFA key (access key)", map[string]any{}, -1},
		{"MFA false", map[string]any{"aws:MultiFactorAuthPresent": "false"}, -1},
		{"MFA 300s old", mfa(300), 300},
		{fmt.Sprintf("MFA exactly %ds old", limit), mfa(limit), limit},
		{fmt.Sprintf("MFA %ds old", limit+600), mfa(limit + 600), limit + 600},
	}
}

func mfa(age int) map[string]any {
	return map[string]any{"aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": fmt.Sprint(age)}
}

// sourceIPs are the addresses requests come from: one inside each
// allowed network and one outside, or one address when any is allowed.
func sourceIPs(allowed []string) []string {
	if len(allowed) == 0 {
		return []string{"198.51.100.7"}
	}
	var out []string
	for _, c := range allowed {
		p := netip.MustParsePrefix(c)
		a := p.Addr()
		for range 5 {
			a = a.Next()
		}
		out = append(out, a.String())
	}
	return append(out, "198.51.100.7")
}

func ipAllowed(allowed []string, ip string) bool {
	if len(allowed) == 0 {
		return true
	}
	a := netip.MustParseAddr(ip)
	for _, c := range allowed {
		if netip.MustParsePrefix(c).Contains(a) {
			return true
		}
	}
	return false
}

// simCase is one request for simulate.mjs.
type simCase struct {
	Name             string         `json:"name"`
	Principal        string         `json:"principal"`
	Action           string         `json:"action"`
	Resource         string         `json:"resource"`
	ResourceAccount  string         `json:"resourceAccount,omitempty"`
	IdentityPolicies []iamPolicy    `json:"identityPolicies"`
	ResourcePolicy   map[string]any `json:"resourcePolicy,omitempty"`
	Context          map[string]any `json:"context"`
}

// simRow is a case with what it must come to and what kind of row it is.
type simRow struct {
	simCase
	want   string // Allowed, Denied (either kind) or ExplicitlyDenied
	kind   string // assume, chain, permission, protection
	target string // role kind for assume and chain rows
	mfaOK  bool
}

// principal is someone who may try to assume a role.
type principal struct {
	label, arn, account string
	policies            []iamPolicy
	// may assume roles of this kind ("" none, "*" any) in the accounts
	// whose identity account is account.
	may string
}

func (w *accessWorld) principals() []principal {
	var out []principal
	for _, acc := range w.cfg.Accounts {
		s := w.home[acc.ID]
		groups := 0
		for _, g := range s.Groups {
			if !strings.Contains(g.Path, "/Access/Groups/") {
				continue
			}
			groups++
			k := groupKind(acc, g.Name)
			if k == "" {
				continue // the break-glass group: its users follow
			}
			out = append(out, principal{
				label: fmt.Sprintf("%s member in %s", g.Name, acc.Name), account: acc.ID,
				arn: fmt.Sprintf("arn:aws:iam::%s:user/alice-%s", acc.ID, g.Name), policies: g.Policies, may: k,
			})
		}
		for _, u := range s.Users {
			if strings.Contains(u.Path, "/Access/Groups/BreakGlassUsers/") {
				out = append(out, principal{label: "break-glass user " + u.Name + " in " + acc.Name, account: acc.ID, arn: u.Arn, policies: u.policiesOf(), may: "*"})
			}
		}
		if groups == 0 {
			// A member account's own admin user (say, from before the
			// baseline): full rights in its account, but not an identity.
			out = append(out, principal{
				label: "AdministratorAccess user in " + acc.Name, account: acc.ID,
				arn:      fmt.Sprintf("arn:aws:iam::%s:user/legacy-admin", acc.ID),
				policies: []iamPolicy{{Managed: "arn:aws:iam::aws:policy/AdministratorAccess"}},
			})
		}
	}
	return out
}

// assumeRows are the matrix: every principal x every access role of every
// account x MFA state x source address.
func (w *accessWorld) assumeRows(t testing.TB) []simRow {
	var rows []simRow
	for _, p := range w.principals() {
		from := w.account(p.account)
		for _, to := range w.cfg.Accounts {
			roles := w.accessRoles(t, to.ID)
			for _, kind := range []string{"admin", "operator", "readOnly"} {
				role := roles[kind]
				for _, m := range mfaStates(to.Access.MFAMaxAgeSeconds) {
					for _, ip := range sourceIPs(from.Access.AllowedSourceIPs) {
						ctx := map[string]any{"aws:SourceIp": ip}
						for k, v := range m.ctx {
							ctx[k] = v
						}
						served := w.cfg.IdentityAccount(to).ID == p.account
						mfaOK := m.age >= 0 && m.age < to.Access.MFAMaxAgeSeconds && m.age < from.Access.MFAMaxAgeSeconds
						netOK := ipAllowed(to.Access.AllowedSourceIPs, ip) && (p.may == "*" || ipAllowed(from.Access.AllowedSourceIPs, ip))
						want := "Denied"
						if served && (p.may == kind || p.may == "*") && mfaOK && netOK {
							want = "Allowed"
						}
						rows = append(rows, simRow{
							simCase: simCase{
								Name:      fmt.Sprintf("%s/%s assumes %s %s/%s/from %s", w.label, p.label, to.Name, role.Name, m.label, ip),
								Principal: p.arn, Action: "sts:AssumeRole", Resource: role.Arn,
								IdentityPolicies: p.policies, ResourcePolicy: role.Trust, Context: ctx,
							},
							want: want, kind: "assume", target: kind, mfaOK: mfaOK,
						})
					}
				}
			}
		}
	}
	return rows
}

// chainRows: a session of any access role, with fresh MFA and from an
// allowed address, tries every access role of every account. The trust
// policies accept IAM users only, so none may.
func (w *accessWorld) chainRows(t testing.TB) []simRow {
	var rows []simRow
	for _, from := range w.cfg.Accounts {
		for _, fk := range []string{"admin", "operator", "readOnly"} {
			session := w.accessRoles(t, from.ID)[fk]
			arn := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", from.ID, session.Name)
			ctx := mfa(300)
			ctx["aws:SourceIp"] = sourceIPs(from.Access.AllowedSourceIPs)[0]
			for _, to := range w.cfg.Accounts {
				for _, tk := range []string{"admin", "operator", "readOnly"} {
					role := w.accessRoles(t, to.ID)[tk]
					rows = append(rows, simRow{
						simCase: simCase{
							Name:      fmt.Sprintf("%s/%s session in %s chains into %s %s", w.label, session.Name, from.Name, to.Name, role.Name),
							Principal: arn, Action: "sts:AssumeRole", Resource: role.Arn,
							IdentityPolicies: session.Policies, ResourcePolicy: role.Trust, Context: ctx,
						},
						want: "Denied", kind: "chain", target: tk,
					})
				}
			}
		}
	}
	return rows
}

// permissionRows are what each role may do in its account.
func (w *accessWorld) permissionRows(t testing.TB) []simRow {
	var rows []simRow
	for _, acc := range w.cfg.Accounts {
		s := w.home[acc.ID].Stack
		roles := w.accessRoles(t, acc.ID)
		region, id := s.Region, acc.ID
		trail := fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", region, id, baselineTrailName(t, w.home[acc.ID].Stack))
		cells := []struct {
			action, resource string
			want             map[string]string
		}{
			{"s3:GetObject", "arn:aws:s3:::team-data/report.csv", map[string]string{"admin": "Allowed", "operator": "Allowed", "readOnly": "ExplicitlyDenied"}},
			{"secretsmanager:GetSecretValue", fmt.Sprintf("arn:aws:secretsmanager:%s:%s:secret:db-AbCdEf", region, id), map[string]string{"admin": "Allowed", "operator": "Allowed", "readOnly": "ExplicitlyDenied"}},
			{"cloudtrail:DescribeTrails", "*", map[string]string{"admin": "Allowed", "operator": "Allowed", "readOnly": "Allowed"}},
			{"cloudtrail:GetTrailStatus", trail, map[string]string{"admin": "Allowed", "operator": "Allowed", "readOnly": "Allowed"}},
			{"cloudtrail:StopLogging", trail, map[string]string{"admin": "Allowed", "operator": "ExplicitlyDenied", "readOnly": "Denied"}},
			{"config:DeleteConfigurationRecorder", fmt.Sprintf("arn:aws:config:%s:%s:configuration-recorder/default/abcd1234", region, id), map[string]string{"admin": "Allowed", "operator": "ExplicitlyDenied", "readOnly": "Denied"}},
			{"ec2:RunInstances", fmt.Sprintf("arn:aws:ec2:%s:%s:instance/i-0123456789abcdef0", region, id), map[string]string{"admin": "Allowed", "operator": "Allowed", "readOnly": "Denied"}},
			// An untagged stack may hold an admin service role: only stacks
			// tagged as the operator's are (TestOperatorEscalation).
			{"cloudformation:UpdateStack", fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/team-app/0a1b2c3d-0000-1111-2222-333344445555", region, id), map[string]string{"admin": "Allowed", "operator": "ExplicitlyDenied", "readOnly": "Denied"}},
		}
		for _, kind := range []string{"admin", "operator", "readOnly"} {
			role := roles[kind]
			for _, c := range cells {
				sc := simCase{
					Name:      fmt.Sprintf("%s/%s in %s: %s on %s", w.label, role.Name, acc.Name, c.action, c.resource),
					Principal: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", id, role.Name), Action: c.action, Resource: c.resource,
					IdentityPolicies: role.Policies, Context: map[string]any{},
				}
				if strings.HasPrefix(c.resource, "arn:aws:s3:::") {
					sc.ResourceAccount = id
				}
				rows = append(rows, simRow{simCase: sc, want: c.want[kind], kind: "permission", target: kind})
			}
		}
		// The ways around the operator deny: the CDK bootstrap roles and
		// admin-capable roles of other accounts, which trust whole accounts.
		trustAccount := func(acct string) map[string]any {
			return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + acct + ":root"}, "Action": "sts:AssumeRole"}}}
		}
		op := roles["operator"]
		opArn := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", id, op.Name)
		for _, c := range []simCase{
			{Action: "sts:AssumeRole", Resource: fmt.Sprintf("arn:aws:iam::%s:role/cdk-hnb659fds-deploy-role-%s-%s", id, id, region), ResourcePolicy: trustAccount(id)},
			{Action: "sts:AssumeRole", Resource: fmt.Sprintf("arn:aws:iam::%s:role/cdk-hnb659fds-cfn-exec-role-%s-%s", id, id, region), ResourcePolicy: trustAccount(id)},
			{Action: "iam:PassRole", Resource: fmt.Sprintf("arn:aws:iam::%s:role/cdk-hnb659fds-cfn-exec-role-%s-%s", id, id, region)},
			{Action: "sts:AssumeRole", Resource: "arn:aws:iam::444444444444:role/OrganizationAccountAccessRole", ResourcePolicy: trustAccount(id)},
		} {
			c.Name = fmt.Sprintf("%s/%s in %s: %s on %s", w.label, op.Name, acc.Name, c.Action, c.Resource)
			c.Principal, c.IdentityPolicies, c.Context = opArn, op.Policies, map[string]any{}
			rows = append(rows, simRow{simCase: c, want: "ExplicitlyDenied", kind: "permission", target: "operator"})
		}
	}
	return rows
}

// baselineTrailName is the trail the account's home stack creates, or the
// baseline's default name when it creates none.
func baselineTrailName(t testing.TB, s assembly.Stack) string {
	for _, r := range resourcesOfType(s, "AWS::CloudTrail::Trail") {
		if n, ok := r.Properties["TrailName"].(string); ok {
			return n
		}
	}
	return "baseline-trail"
}

// protectionRows: the operator may change none of the baseline's own
// resources, as named in the account's templates; admin may change each.
func (w *accessWorld) protectionRows(t testing.TB) []simRow {
	var rows []simRow
	for _, acc := range w.cfg.Accounts {
		roles := w.accessRoles(t, acc.ID)
		id := acc.ID
		type target struct{ action, resource string }
		var targets []target
		for _, is := range w.stacks[acc.ID] {
			s := is.Stack
			name := resolver{t: t, stack: s}.name
			targets = append(targets, target{"cloudformation:UpdateStack", fmt.Sprintf("arn:aws:cloudformation:%s:%s:stack/%s/0a1b2c3d-0000-1111-2222-333344445555", s.Region, id, s.Name)})
			for _, res := range sortedResources(s) {
				switch res.Type {
				case "AWS::CloudTrail::Trail":
					if n, ok := name(res, "TrailName"); ok {
						targets = append(targets, target{"cloudtrail:StopLogging", fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", s.Region, id, n)})
					}
				case "AWS::S3::Bucket":
					if n, ok := name(res, "BucketName"); ok {
						targets = append(targets, target{"s3:PutBucketPolicy", "arn:aws:s3:::" + n}, target{"s3:DeleteObject", "arn:aws:s3:::" + n + "/AWSLogs/" + id + "/x.json.gz"})
					}
				case "AWS::Logs::LogGroup":
					if n, ok := name(res, "LogGroupName"); ok {
						targets = append(targets, target{"logs:PutRetentionPolicy", fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.Region, id, n)})
					}
				case "AWS::SNS::Topic":
					if n, ok := name(res, "TopicName"); ok {
						targets = append(targets, target{"sns:DeleteTopic", fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.Region, id, n)})
					}
				case "AWS::CloudWatch::Alarm":
					if n, ok := name(res, "AlarmName"); ok {
						targets = append(targets, target{"cloudwatch:DeleteAlarms", fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.Region, id, n)})
					}
				case "AWS::KMS::Alias":
					if n, ok := name(res, "AliasName"); ok {
						targets = append(targets, target{"kms:DeleteAlias", fmt.Sprintf("arn:aws:kms:%s:%s:%s", s.Region, id, n)})
					}
				case "AWS::Lambda::Function":
					// Unnamed: CloudFormation names it <stack>-<logical id>-<suffix>.
					// Its role may change account settings, so changing or
					// invoking it would be a way around the operator's deny.
					fn := fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s-AWS679f53fac002430-0A1B2C3D4E5F", s.Region, id, s.Name)
					targets = append(targets, target{"lambda:UpdateFunctionCode", fn}, target{"lambda:InvokeFunction", fn})
				}
			}
			for _, ro := range is.Roles {
				if strings.Contains(ro.Path, "/Access/Roles/") {
					targets = append(targets, target{"iam:UpdateAssumeRolePolicy", ro.Arn})
				}
			}
			for _, g := range is.Groups {
				if strings.Contains(g.Path, "/Access/Groups/") && groupKind(acc, g.Name) != "" {
					targets = append(targets, target{"iam:AddUserToGroup", fmt.Sprintf("arn:aws:iam::%s:group/%s", id, g.Name)})
				}
			}
		}
		for _, kind := range []string{"admin", "operator"} {
			role := roles[kind]
			want := map[string]string{"admin": "Allowed", "operator": "ExplicitlyDenied"}[kind]
			for _, tg := range targets {
				sc := simCase{
					Name:      fmt.Sprintf("%s/%s in %s, baseline resource: %s on %s", w.label, role.Name, acc.Name, tg.action, tg.resource),
					Principal: fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/alice", id, role.Name), Action: tg.action, Resource: tg.resource,
					IdentityPolicies: role.Policies, Context: map[string]any{},
				}
				if strings.HasPrefix(tg.resource, "arn:aws:s3:::") {
					sc.ResourceAccount = id
				}
				rows = append(rows, simRow{simCase: sc, want: want, kind: "protection", target: kind})
			}
		}
	}
	return rows
}

func sortedResources(s assembly.Stack) []assembly.Resource {
	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]assembly.Resource, len(ids))
	for i, id := range ids {
		out[i] = s.Template.Resources[id]
	}
	return out
}

type simResult struct {
	Name     string   `json:"name"`
	Decision string   `json:"decision"`
	Errors   []string `json:"errors"`
	Warnings []string `json:"warnings"`
}

type simReport struct {
	Results         []simResult `json:"results"`
	Errors          []string    `json:"errors"`
	ManagedPolicies map[string]struct {
		Arn     string   `json:"arn"`
		Version string   `json:"version"`
		Pruned  []string `json:"pruned"`
	} `json:"managedPolicies"`
}

// TestAccessModelSimulation is the matrix and the role permission cells.
func TestAccessModelSimulation(t *testing.T) {
	node, dir := nodeTools(t)
	worlds := []*accessWorld{
		newAccessWorld(t, "single", config.Example(), exampleAssembly(t)),
		newAccessWorld(t, "hub", hubCfg(t), hubAssembly(t)),
	}
	var rows []simRow
	for _, w := range worlds {
		rows = append(rows, w.assumeRows(t)...)
		rows = append(rows, w.chainRows(t)...)
		rows = append(rows, w.permissionRows(t)...)
		rows = append(rows, w.protectionRows(t)...)
	}
	seen := map[string]bool{}
	cases := make([]simCase, len(rows))
	for i, r := range rows {
		if seen[r.Name] {
			t.Fatalf("two cases are named %q", r.Name)
		}
		seen[r.Name] = true
		cases[i] = r.simCase
	}

	out, code := runNode(t, node, map[string]any{"cases": cases}, dir+"/simulate.mjs")
	var rep simReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("simulate.mjs (exit %d) printed no report: %v\n%.2000s", code, err, out)
	}
	if len(rep.Errors) > 0 || len(rep.Results) != len(rows) {
		t.Fatalf("simulate.mjs: %v; %d results for %d cases", rep.Errors, len(rep.Results), len(rows))
	}
	for name, m := range rep.ManagedPolicies {
		t.Logf("AWS managed policy %s %s (%s), %d entries of retired services left out: %s", name, m.Version, m.Arn, len(m.Pruned), strings.Join(m.Pruned, " "))
	}

	counts := map[string]map[string]int{}
	noMFAAdmin := 0
	for i, row := range rows {
		res := rep.Results[i]
		if counts[row.kind] == nil {
			counts[row.kind] = map[string]int{}
		}
		counts[row.kind][res.Decision]++
		t.Run(row.Name, func(t *testing.T) {
			if res.Name != row.Name {
				t.Fatalf("result %d is for %q", i, res.Name)
			}
			if res.Decision == "Error" || len(res.Errors) > 0 {
				t.Fatalf("not evaluated: %s", strings.Join(res.Errors, "; "))
			}
			ok := res.Decision == row.want || (row.want == "Denied" && strings.HasSuffix(res.Decision, "Denied"))
			if !ok {
				t.Errorf("decision %s, want %s", res.Decision, row.want)
			}
		})
		if res.Decision == "Allowed" && row.target == "admin" && (row.kind == "chain" || (row.kind == "assume" && !row.mfaOK)) {
			noMFAAdmin++
		}
	}
	allowed := counts["assume"]["Allowed"]
	t.Logf("matrix: %d assume cases (%d Allowed), %d chaining cases, %d permission cases, %d protection cases; %d in all",
		len(filterRows(rows, "assume")), allowed, len(filterRows(rows, "chain")), len(filterRows(rows, "permission")), len(filterRows(rows, "protection")), len(rows))
	for kind, c := range counts {
		t.Logf("  %s: %v", kind, c)
	}
	if noMFAAdmin > 0 {
		t.Errorf("%d paths to an admin role without valid MFA", noMFAAdmin)
	}
	if allowed == 0 {
		t.Error("no assume case is allowed: the matrix proves nothing")
	}
}

func filterRows(rows []simRow, kind string) []simRow {
	var out []simRow
	for _, r := range rows {
		if r.kind == kind {
			out = append(out, r)
		}
	}
	return out
}

// TestAccessPolicyActionsExist runs check-actions.mjs over every IAM
// policy document of both configs' templates: a misspelt action would match
// nothing, and silently weaken a deny.
func TestAccessPolicyActionsExist(t *testing.T) {
	node, dir := nodeTools(t)
	type named struct {
		Name     string         `json:"name"`
		Document map[string]any `json:"document"`
	}
	var docs []named
	for _, asm := range []*assembly.Assembly{exampleAssembly(t), hubAssembly(t)} {
		for _, s := range asm.Stacks {
			is := readIAM(t, s)
			names := make([]string, 0, len(is.Docs))
			for n := range is.Docs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				docs = append(docs, named{n, is.Docs[n]})
			}
		}
	}
	out, code := runNode(t, node, map[string]any{"policies": docs}, dir+"/check-actions.mjs")
	var rep struct {
		Checked int              `json:"checked"`
		Unknown []map[string]any `json:"unknown"`
		Errors  []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("check-actions.mjs (exit %d) printed no report: %v\n%.2000s", code, err, out)
	}
	if code != 0 || len(rep.Unknown) > 0 || len(rep.Errors) > 0 {
		t.Errorf("check-actions.mjs exit %d:\nunknown: %v\nerrors: %v", code, rep.Unknown, rep.Errors)
	}
	if rep.Checked < 150 {
		t.Errorf("only %d actions checked in %d policies: the templates were not read", rep.Checked, len(docs))
	}
	t.Logf("%d actions in %d policy documents exist", rep.Checked, len(docs))
}

// TestIAMSimSelftest runs the Node self-test of the harness and of the
// policy templates (node --test).
func TestIAMSimSelftest(t *testing.T) {
	node, _ := nodeTools(t)
	out, code := runNode(t, node, nil, "--test", "--test-reporter=tap", "test/iamsim/*.test.mjs")
	text := string(out)
	if code != 0 || !strings.Contains(text, "\n# fail 0") {
		t.Fatalf("node --test test/iamsim: exit %d\n%s", code, text)
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, "# tests ") || strings.HasPrefix(l, "# pass ") {
			t.Log(l)
		}
	}
}
