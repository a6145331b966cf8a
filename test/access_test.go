package test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessmodel"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// accessResources are the resources of a stack under its Access construct,
// by construct path (without the stack name).
func accessResources(s assembly.Stack) map[string]assembly.Resource {
	out := map[string]assembly.Resource{}
	for _, r := range s.Template.Resources {
		if p := cdkPath(r); strings.HasPrefix(p, s.Name+"/Access/") {
			out[strings.TrimPrefix(p, s.Name+"/")] = r
		}
	}
	return out
}

func accessResource(t testing.TB, s assembly.Stack, path string) assembly.Resource {
	t.Helper()
	r, ok := accessResources(s)[path]
	if !ok {
		var have []string
		for p := range accessResources(s) {
			have = append(have, p)
		}
		sort.Strings(have)
		t.Fatalf("%s: no resource at %s; have %v", s.Name, path, have)
	}
	return r
}

// trustFor is the trust policy every access role of an account gets.
func trustFor(identity string, maxAge int, ips []string) map[string]any {
	cond := map[string]any{
		"ArnLike":         map[string]any{"aws:PrincipalArn": "arn:aws:iam::" + identity + ":user/*"},
		"Bool":            map[string]any{"aws:MultiFactorAuthPresent": "true"},
		"NumericLessThan": map[string]any{"aws:MultiFactorAuthAge": fmt.Sprint(maxAge)},
		"StringEquals":    map[string]any{"aws:PrincipalType": "User"},
	}
	if len(ips) > 0 {
		cond["IpAddress"] = map[string]any{"aws:SourceIp": ips}
	}
	return map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
		"Action": "sts:AssumeRole", "Effect": "Allow", "Condition": cond,
		"Principal": map[string]any{"AWS": "arn:aws:iam::" + identity + ":root"},
	}}}
}

func TestAccessRolesInTheExample(t *testing.T) {
	asm := exampleAssembly(t)
	cfg := config.Example()
	for _, acc := range cfg.Accounts {
		s := stack(t, asm, acc.Name+"-"+acc.HomeRegion)
		r := resolver{t: t, stack: s}
		for _, c := range []struct {
			path, name string
			managed    []string
			hours      float64
			inline     string
		}{
			{"Access/Roles/Admin/Resource", "BaselineAdmin", []string{"AdministratorAccess"}, 1, ""},
			{"Access/Roles/Operator/Resource", "BaselineOperator", []string{"PowerUserAccess"}, 4, policies.OperatorDeny},
			// ViewOnlyAccess (configurable) and SecurityAudit (always).
			{"Access/Roles/ReadOnly/Resource", "BaselineReadOnly", []string{"job-function/ViewOnlyAccess", "SecurityAudit"}, 8, policies.ReadOnlyDeny},
		} {
			t.Run(s.Name+" "+c.name+" trusts only IAM users of its own account with MFA", func(t *testing.T) {
				role := accessResource(t, s, c.path)
				p := role.Properties
				if p["RoleName"] != c.name || p["MaxSessionDuration"] != c.hours*3600 {
					t.Errorf("RoleName %v, MaxSessionDuration %v; want %s, %v", p["RoleName"], p["MaxSessionDuration"], c.name, c.hours*3600)
				}
				if got, want := jsonOf(t, r.value(p["AssumeRolePolicyDocument"], c.path)), jsonOf(t, trustFor(acc.ID, 3600, nil)); got != want {
					t.Errorf("trust policy\n%s\nwant\n%s", got, want)
				}
				var want []string
				for _, m := range c.managed {
					want = append(want, "arn:aws:iam::aws:policy/"+m)
				}
				if got := jsonOf(t, r.value(p["ManagedPolicyArns"], c.path)); got != jsonOf(t, want) {
					t.Errorf("managed policies %s, want only %v", got, c.managed)
				}
			})
			t.Run(s.Name+" "+c.name+" carries its deny from policies/iam, filled in", func(t *testing.T) {
				inline, _ := accessResource(t, s, c.path).Properties["Policies"].([]any)
				if c.inline == "" {
					if len(inline) != 0 {
						t.Errorf("admin role has %d inline policies, want none", len(inline))
					}
					return
				}
				if len(inline) != 1 {
					t.Fatalf("%d inline policies, want 1", len(inline))
				}
				doc := jsonOf(t, inline[0].(map[string]any)["PolicyDocument"])
				if strings.Contains(doc, "${") && !strings.Contains(doc, "${aws:") {
					t.Errorf("a placeholder is left: %s", doc)
				}
				want, err := policies.IAMPolicy(c.inline, map[string]string{
					"Partition": "aws", "AccountId": acc.ID, "TrailName": "baseline-trail", "LogBucketPrefix": "baseline-",
					"KeyAliasPrefix": "baseline/", "AlarmPrefix": "baseline-", "TopicName": "baseline-alarms",
					"LogGroupName": "/baseline/cloudtrail", "StackPrefix": acc.Name + "-",
					"AdminRoleName": "BaselineAdmin", "OperatorRoleName": "BaselineOperator", "ReadOnlyRoleName": "BaselineReadOnly",
					"AdminGroupName": "BaselineAdmins", "OperatorGroupName": "BaselineOperators", "ReadOnlyGroupName": "BaselineReadOnlyUsers",
					"RulePrefix": "baseline-", "OwnerTagKey": "baseline:owner",
				})
				if err != nil {
					t.Fatal(err)
				}
				// The CDK sorts the actions and resources of a statement.
				if got := jsonOf(t, sortedStatements(r.value(inline[0].(map[string]any)["PolicyDocument"], c.path))); got != jsonOf(t, sortedStatements(want)) {
					t.Errorf("inline deny differs from policies/iam/%s.json:\n%s", c.inline, got)
				}
			})
		}
		t.Run(s.Name+" holds the groups: single-account mode", func(t *testing.T) {
			for _, g := range []struct{ path, name, role string }{
				{"Access/Groups/Admins", "BaselineAdmins", "BaselineAdmin"},
				{"Access/Groups/Operators", "BaselineOperators", "BaselineOperator"},
				{"Access/Groups/ReadOnly", "BaselineReadOnlyUsers", "BaselineReadOnly"},
			} {
				group := accessResource(t, s, g.path+"/Resource")
				if group.Properties["GroupName"] != g.name {
					t.Errorf("%s: GroupName %v, want %s", g.path, group.Properties["GroupName"], g.name)
				}
				assume := accessResource(t, s, g.path+"/AssumeRole/Resource")
				got := jsonOf(t, r.value(assume.Properties["PolicyDocument"], g.path))
				want := jsonOf(t, map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
					"Sid": "Assume" + strings.TrimPrefix(g.role, "Baseline") + "RoleWithMfa", "Action": "sts:AssumeRole", "Effect": "Allow",
					// Only its own account's role: single-account mode.
					"Resource": "arn:aws:iam::" + acc.ID + ":role/" + g.role,
					"Condition": map[string]any{
						"Bool":            map[string]any{"aws:MultiFactorAuthPresent": "true"},
						"NumericLessThan": map[string]any{"aws:MultiFactorAuthAge": "3600"},
					},
				}}})
				if got != want {
					t.Errorf("%s: assume policy\n%s\nwant\n%s", g.path, got, want)
				}
			}
			if _, ok := accessResources(s)["Access/Groups/BreakGlass/Resource"]; ok {
				t.Error("a break-glass group without break-glass users")
			}
		})
		t.Run(s.Name+" adds exactly the access model's resources", func(t *testing.T) {
			var got []string
			for p, r := range accessResources(s) {
				got = append(got, p+" "+r.Type)
			}
			sort.Strings(got)
			want := []string{
				"Access/Groups/Admins/AssumeRole/Resource AWS::IAM::ManagedPolicy",
				"Access/Groups/Admins/Resource AWS::IAM::Group",
				"Access/Groups/Operators/AssumeRole/Resource AWS::IAM::ManagedPolicy",
				"Access/Groups/Operators/Resource AWS::IAM::Group",
				"Access/Groups/ReadOnly/AssumeRole/Resource AWS::IAM::ManagedPolicy",
				"Access/Groups/ReadOnly/Resource AWS::IAM::Group",
				"Access/Groups/SelfServiceMfa/Resource AWS::IAM::ManagedPolicy",
				"Access/Roles/Admin/Resource AWS::IAM::Role",
				"Access/Roles/Operator/Resource AWS::IAM::Role",
				"Access/Roles/ReadOnly/Resource AWS::IAM::Role",
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("access resources:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
	t.Run("regional stacks hold no access resources", func(t *testing.T) {
		s := stack(t, asm, "Prod-us-east-1")
		if n := len(accessResources(s)); n != 0 {
			t.Errorf("%s: %d access resources", s.Name, n)
		}
	})
}

func TestAccessHubMode(t *testing.T) {
	asm := hubAssembly(t)
	const identity = "333333333333"
	ips := []string{"203.0.113.0/24", "2001:db8:1234::/48"}
	identityStack := stack(t, asm, "Identity-ap-northeast-1")
	for _, name := range []string{"Identity", "Prod", "Dev"} {
		s := stack(t, asm, name+"-ap-northeast-1")
		r := resolver{t: t, stack: s}
		t.Run(name+" roles trust only the identity account's users, from the allowed networks", func(t *testing.T) {
			for _, role := range []string{"Admin", "Operator", "ReadOnly"} {
				p := accessResource(t, s, "Access/Roles/"+role+"/Resource").Properties
				if got, want := jsonOf(t, r.value(p["AssumeRolePolicyDocument"], role)), jsonOf(t, trustFor(identity, 900, ips)); got != want {
					t.Errorf("%s trust\n%s\nwant\n%s", role, got, want)
				}
			}
		})
		if name != "Identity" {
			t.Run(name+" holds no groups or users", func(t *testing.T) {
				for p := range accessResources(s) {
					if !strings.HasPrefix(p, "Access/Roles/") {
						t.Errorf("%s holds %s", name, p)
					}
				}
			})
		}
	}
	r := resolver{t: t, stack: identityStack}
	t.Run("the identity account's groups reach their role in every account, by its name there", func(t *testing.T) {
		for _, g := range []struct{ path, roles string }{
			{"Admins", `["arn:aws:iam::111111111111:role/BaselineAdmin","arn:aws:iam::222222222222:role/BaselineAdmin","arn:aws:iam::333333333333:role/BaselineAdmin"]`},
			{"Operators", `["arn:aws:iam::111111111111:role/BaselineOperator","arn:aws:iam::222222222222:role/BaselineOperator","arn:aws:iam::333333333333:role/BaselineOperator"]`},
			{"ReadOnly", `["arn:aws:iam::111111111111:role/BaselineReadOnly","arn:aws:iam::222222222222:role/DevReadOnly","arn:aws:iam::333333333333:role/BaselineReadOnly"]`},
		} {
			doc := r.value(accessResource(t, identityStack, "Access/Groups/"+g.path+"/AssumeRole/Resource").Properties["PolicyDocument"], g.path).(map[string]any)
			st := doc["Statement"].([]any)[0].(map[string]any)
			if got := jsonOf(t, st["Resource"]); got != g.roles {
				t.Errorf("%s: roles %s, want %s", g.path, got, g.roles)
			}
			if got := jsonOf(t, st["Condition"]); got != `{"Bool":{"aws:MultiFactorAuthPresent":"true"},"IpAddress":{"aws:SourceIp":["203.0.113.0/24","2001:db8:1234::/48"]},"NumericLessThan":{"aws:MultiFactorAuthAge":"900"}}` {
				t.Errorf("%s: conditions %s", g.path, got)
			}
			if st["Action"] != "sts:AssumeRole" || st["Effect"] != "Allow" || len(doc["Statement"].([]any)) != 1 {
				t.Errorf("%s: the group's own policy must only allow sts:AssumeRole: %s", g.path, jsonOf(t, doc))
			}
		}
	})
	t.Run("break-glass users are in their own admin group, with neither password nor access key", func(t *testing.T) {
		group := accessResource(t, identityStack, "Access/Groups/BreakGlass/Resource")
		if group.Properties["GroupName"] != accessmodel.BreakGlassGroupName {
			t.Errorf("GroupName %v", group.Properties["GroupName"])
		}
		arns := jsonOf(t, r.value(group.Properties["ManagedPolicyArns"], "BreakGlass"))
		if !strings.Contains(arns, `"arn:aws:iam::aws:policy/AdministratorAccess"`) || !strings.Contains(arns, "ref:") {
			t.Errorf("break-glass group policies %s, want AdministratorAccess and the self-service policy", arns)
		}
		user := accessResource(t, identityStack, "Access/Groups/BreakGlassUsers/break-glass-1/Resource")
		if user.Properties["UserName"] != "break-glass-1" || user.Properties["LoginProfile"] != nil || user.Properties["ManagedPolicyArns"] != nil || user.Properties["Policies"] != nil {
			t.Errorf("break-glass user %s", jsonOf(t, user.Properties))
		}
		if n := len(resourcesOfType(identityStack, "AWS::IAM::AccessKey")); n != 0 {
			t.Errorf("%d access keys", n)
		}
	})
	t.Run("resource count per home stack", func(t *testing.T) {
		for _, name := range []string{"Identity", "Prod", "Dev"} {
			n := len(accessResources(stack(t, asm, name+"-ap-northeast-1")))
			want := map[string]int{"Identity": 12, "Prod": 3, "Dev": 3}[name]
			if n != want {
				t.Errorf("%s: %d access resources, want %d", name, n, want)
			}
		}
	})
}

func TestAccessConfigErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string
	}{
		{
			name: "a malformed CIDR, a bare address, host bits and 0.0.0.0/0 are each explained",
			yaml: validConfig + "access:\n  allowedSourceIps: [203.0.113.0/24, 203.0.113.0/33, 10.1.2.3, 10.1.2.3/8, 0.0.0.0/0, office, 203.0.113.0/24]\n",
			want: []string{
				`b.yaml:11: access.allowedSourceIps[1]: "203.0.113.0/33" is not a CIDR network like 203.0.113.0/24 or 2001:db8::/32`,
				`b.yaml:11: access.allowedSourceIps[2]: "10.1.2.3" is an address, not a network; write 10.1.2.3/32 for that one address`,
				`b.yaml:11: access.allowedSourceIps[3]: "10.1.2.3/8" has bits set after the /8 prefix; did you mean 10.0.0.0/8?`,
				`b.yaml:11: access.allowedSourceIps[4]: "0.0.0.0/0" allows every address; leave allowedSourceIps empty to allow any address`,
				`b.yaml:11: access.allowedSourceIps[5]: "office" is not a CIDR network like 203.0.113.0/24 or 2001:db8::/32`,
				`b.yaml:11: access.allowedSourceIps[6]: "203.0.113.0/24" is listed twice`,
			},
		},
		{
			name: "a non-numeric MFA age",
			yaml: validConfig + "access:\n  mfaMaxAgeSeconds: abc\n",
			want: []string{`b.yaml:11: access.mfaMaxAgeSeconds: must be a whole number, got the string "abc"`},
		},
		{
			name: "an MFA age out of range",
			yaml: validConfig + "access:\n  mfaMaxAgeSeconds: 10\n",
			want: []string{`b.yaml:11: access.mfaMaxAgeSeconds: 10 is not between 60 and 129600 seconds (36 hours)`},
		},
		{
			name: "an identity account that is not in accounts",
			yaml: validConfig + "access:\n  identityAccount: \"333333333333\"\n",
			want: []string{`b.yaml:11: access.identityAccount: "333333333333" is not the id or name of an account in accounts (Prod, Dev); the identity account must be one of them, so that its stack holds the groups`},
		},
		{
			name: "an account's own identity account is checked too",
			yaml: validConfig + "    access: {identityAccount: Prd}\n",
			want: []string{`b.yaml:10: accounts[1].access.identityAccount: "Prd" is not the id or name of an account in accounts (Prod, Dev); the identity account must be one of them, so that its stack holds the groups`},
		},
		{
			name: "a managed policy that is neither a name nor an ARN",
			yaml: validConfig + "access:\n  roles:\n    readOnly: {managedPolicy: \"Read Only\"}\n    operator: {managedPolicy: \"arn:aws:iam::aws:policies/PowerUserAccess\"}\n",
			want: []string{
				`b.yaml:12: access.roles.readOnly.managedPolicy: "Read Only" is neither a managed policy name (e.g. ReadOnlyAccess) nor a managed policy ARN (e.g. arn:aws:iam::aws:policy/ReadOnlyAccess)`,
				`b.yaml:13: access.roles.operator.managedPolicy: "arn:aws:iam::aws:policies/PowerUserAccess" is neither a managed policy name (e.g. ReadOnlyAccess) nor a managed policy ARN (e.g. arn:aws:iam::aws:policy/ReadOnlyAccess)`,
			},
		},
		{
			name: "a customer managed policy of another account",
			yaml: validConfig + "access:\n  roles:\n    admin: {managedPolicy: \"arn:aws:iam::111111111111:policy/TeamAdmin\"}\n",
			want: []string{`b.yaml:12: accounts[1].access.roles.admin.managedPolicy: arn:aws:iam::111111111111:policy/TeamAdmin is a policy of account 111111111111, but this role is in Dev (222222222222); use an AWS managed policy, or set a policy of Dev in this account's entry`},
		},
		{
			name: "role names: valid, distinct, not a CDK bootstrap name; sessions of 1 to 12 hours",
			yaml: validConfig + "access:\n  roles:\n    admin: {name: Ops, maxSessionHours: 24}\n    operator: {name: ops}\n    readOnly: {name: cdk-reader}\n",
			want: []string{
				`b.yaml:12: access.roles.admin.maxSessionHours: 24 is not between 1 and 12 hours (IAM's limits for a role session)`,
				`b.yaml:13: access.roles.operator.name: "ops" is already the name of access.roles.admin; each role needs its own name`,
				`b.yaml:14: access.roles.readOnly.name: "cdk-reader" starts with cdk-, which the operator role may never assume (the CDK bootstrap roles); pick another name`,
			},
		},
		{
			name: "group and break-glass user names",
			yaml: validConfig + "access:\n  groups: {admin: \"Admins Group\", operator: Ops, readOnly: ops}\n  breakGlassUsers: [bg, BG, \"no/slash\"]\n",
			want: []string{
				`b.yaml:11: access.groups.admin: "Admins Group" is not an IAM group name: 1 to 128 letters, digits and +=,.@_-`,
				`b.yaml:11: access.groups.readOnly: "ops" is already the name of access.groups.operator; each group needs its own name`,
				`b.yaml:12: access.breakGlassUsers[1]: "BG" is listed twice`,
				`b.yaml:12: access.breakGlassUsers[2]: "no/slash" is not an IAM user name: 1 to 64 letters, digits and +=,.@_-`,
			},
		},
		{
			name: "an unquoted account id as identity account",
			yaml: validConfig + "access:\n  identityAccount: 022222222222\n",
			want: []string{`b.yaml:11: access.identityAccount: must be a quoted string, got the number 022222222222 (YAML reads unquoted digits as a number and drops leading zeros); write "022222222222"`},
		},
		{
			name: "a misspelt access key",
			yaml: validConfig + "access:\n  mfaMaxAgeSecond: 600\n",
			want: []string{`b.yaml:11: access.mfaMaxAgeSecond: unknown key; did you mean "mfaMaxAgeSeconds"?`},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.yaml), "b.yaml")
			if err == nil {
				t.Fatal("the config was accepted")
			}
			if got := err.Error(); got != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", got, strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestAccessIdentityAccountResolution(t *testing.T) {
	cfg := hubCfg(t)
	byName := map[string]config.Account{}
	for _, a := range cfg.Accounts {
		byName[a.Name] = a
	}
	for _, name := range []string{"Identity", "Prod", "Dev"} {
		if got := cfg.IdentityAccount(byName[name]).Name; got != "Identity" {
			t.Errorf("identity account of %s = %s, want Identity", name, got)
		}
	}
	if n := len(cfg.AccessMembers(byName["Identity"])); n != 3 {
		t.Errorf("Identity serves %d accounts, want 3", n)
	}
	if n := len(cfg.AccessMembers(byName["Prod"])); n != 0 {
		t.Errorf("Prod serves %d accounts, want none (hub mode)", n)
	}
	// By id, and per account: Dev keeps its own users.
	cfg, err := config.Parse([]byte(strings.Replace(strings.Replace(hubConfig,
		"identityAccount: Identity", `identityAccount: "333333333333"`, 1),
		"    access:\n", "    access:\n      identityAccount: \"\"\n", 1)), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dev := cfg.Accounts[2]
	if got := cfg.IdentityAccount(dev).Name; got != "Dev" {
		t.Errorf("Dev's identity account = %s, want Dev itself", got)
	}
	if got := cfg.IdentityAccount(cfg.Accounts[1]).Name; got != "Identity" {
		t.Errorf("Prod's identity account = %s, want Identity (by id)", got)
	}
	if n := len(cfg.AccessMembers(dev)); n != 1 {
		t.Errorf("Dev serves %d accounts, want itself", n)
	}
	single := config.Example()
	for _, a := range single.Accounts {
		if got := single.IdentityAccount(a).ID; got != a.ID {
			t.Errorf("single-account mode: %s's identity account is %s", a.Name, got)
		}
	}
}

func accessPanic(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}

func TestAccessConstructRejectsBadProps(t *testing.T) {
	newStack := func() awscdk.Stack {
		app := awscdk.NewApp(nil)
		return awscdk.NewStack(app, jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("ap-northeast-1")}})
	}
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"a trusted account that is not an id", func() {
			accessmodel.NewRoles(newStack(), "Roles", accessmodel.RolesProps{TrustedAccountID: "Identity"})
		}, `accessmodel: TrustedAccountID "Identity" is not a 12-digit account id`},
		{"a network with host bits", func() {
			accessmodel.NewRoles(newStack(), "Roles", accessmodel.RolesProps{Rule: accessmodel.Rule{AllowedSourceIPs: []string{"10.1.2.3/8"}}})
		}, `accessmodel: AllowedSourceIPs: "10.1.2.3/8" is not a CIDR network like 203.0.113.0/24`},
		{"a managed policy that is not one", func() {
			accessmodel.NewRoles(newStack(), "Roles", accessmodel.RolesProps{ReadOnly: accessmodel.Role{ManagedPolicy: "Read Only"}})
		}, `accessmodel: role BaselineReadOnly: "Read Only" is neither a managed policy name (e.g. ReadOnlyAccess) nor a managed policy ARN`},
		{"a session longer than IAM allows", func() {
			accessmodel.NewRoles(newStack(), "Roles", accessmodel.RolesProps{Admin: accessmodel.Role{MaxSessionHours: 13}})
		}, `accessmodel: role BaselineAdmin: MaxSessionHours 13 is not between 1 and 12`},
		{"groups that reach no account", func() {
			accessmodel.NewGroups(newStack(), "Groups", accessmodel.GroupsProps{})
		}, `accessmodel: Groups need at least one target account whose roles they may assume`},
		{"a break-glass user name IAM refuses", func() {
			accessmodel.NewGroups(newStack(), "Groups", accessmodel.GroupsProps{Targets: []accessmodel.Target{{AccountID: "111111111111"}}, BreakGlassUsers: []string{"break glass"}})
		}, `accessmodel: break-glass user "break glass" is not an IAM user name: 1 to 64 letters, digits and +=,.@_-`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := accessPanic(c.f); got != c.want {
				t.Errorf("panic %q, want %q", got, c.want)
			}
		})
	}
}

func TestIAMPolicyLoader(t *testing.T) {
	if _, err := policies.IAMPolicy(policies.SelfServiceMFA, map[string]string{"Partition": "aws"}); err == nil || err.Error() != "iam policy self-service-mfa: no value for ${AccountId}" {
		t.Errorf("a missing value: %v", err)
	}
	if _, err := policies.IAMPolicy(policies.SelfServiceMFA, map[string]string{"Partition": "aws", "AccountId": "${Region}"}); err == nil || !strings.Contains(err.Error(), "holds a placeholder") {
		t.Errorf("a value that is a placeholder: %v", err)
	}
	if _, err := policies.IAMPolicy("nope", nil); err == nil || !strings.Contains(err.Error(), "operator-deny, readonly-deny, self-service-mfa") {
		t.Errorf("an unknown template: %v", err)
	}
	doc, err := policies.IAMPolicy(policies.SelfServiceMFA, map[string]string{"Partition": "aws", "AccountId": `1"2`})
	if err != nil {
		t.Fatal(err)
	}
	if s := jsonOf(t, doc); !strings.Contains(s, `iam::1\"2:user/${aws:username}`) {
		t.Errorf("values are JSON-escaped and IAM variables kept: %s", s)
	}
	for _, name := range policies.IAMPolicyNames() {
		tokens, err := policies.IAMPolicyTokens(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tok := range tokens {
			if !slices.Contains(policies.IAMTokens, tok) {
				t.Errorf("%s uses ${%s}, which is not a known token", name, tok)
			}
		}
	}
}

// sortedStatements sorts the action and resource lists of a policy's
// statements, as the CDK does when it renders them.
func sortedStatements(doc any) any {
	d, ok := doc.(map[string]any)
	if !ok {
		return doc
	}
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	var sts []any
	for _, st := range d["Statement"].([]any) {
		m := map[string]any{}
		for k, v := range st.(map[string]any) {
			if list, ok := v.([]any); ok && (k == "Action" || k == "NotAction" || k == "Resource" || k == "NotResource") {
				ss := make([]string, len(list))
				for i, e := range list {
					ss[i] = e.(string)
				}
				sort.Strings(ss)
				v = ss
			}
			m[k] = v
		}
		sts = append(sts, m)
	}
	out["Statement"] = sts
	return out
}

// TestReadOnlyRoleAlwaysHoldsSecurityAudit: the read-only role holds the
// configured managed policy and SecurityAudit, whatever the config says,
// and SecurityAudit once when it is the configured one.
func TestReadOnlyRoleAlwaysHoldsSecurityAudit(t *testing.T) {
	for _, c := range []struct{ configured, want string }{
		{"", `["arn:aws:iam::aws:policy/job-function/ViewOnlyAccess","arn:aws:iam::aws:policy/SecurityAudit"]`},
		{"ReadOnlyAccess", `["arn:aws:iam::aws:policy/ReadOnlyAccess","arn:aws:iam::aws:policy/SecurityAudit"]`},
		{"SecurityAudit", `["arn:aws:iam::aws:policy/SecurityAudit"]`},
		{"arn:aws:iam::aws:policy/SecurityAudit", `["arn:aws:iam::aws:policy/SecurityAudit"]`},
	} {
		t.Run("configured "+orNone(c.configured), func(t *testing.T) {
			app := awscdk.NewApp(nil)
			st := awscdk.NewStack(app, jsii.String("S"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("ap-northeast-1")}})
			accessmodel.NewRoles(st, "Roles", accessmodel.RolesProps{ReadOnly: accessmodel.Role{ManagedPolicy: c.configured}})
			tpl := assertions.Template_FromStack(st, nil).ToJSON()
			var got any
			for _, r := range (*tpl)["Resources"].(map[string]any) {
				res := r.(map[string]any)
				props, _ := res["Properties"].(map[string]any)
				if res["Type"] == "AWS::IAM::Role" && props["RoleName"] == "BaselineReadOnly" {
					got = resolver{t: t}.value(props["ManagedPolicyArns"], "ManagedPolicyArns")
				}
			}
			if s := jsonOf(t, got); s != c.want {
				t.Errorf("managed policies %s, want %s", s, c.want)
			}
		})
	}
}

func orNone(s string) string {
	if s == "" {
		return "(default)"
	}
	return s
}
