package test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/internal/app"
	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// TestStackRoleTags checks the baseline:role tag of every stack the app
// synthesizes against the config it came from: the stack in an account's
// home region is home, the others regional, the StackSet deployer stack
// stackset; and that the reports' reader (report/assembly) knows every role
// the app writes and finds each account's home stack by it.
func TestStackRoleTags(t *testing.T) {
	stackSetCfg, err := config.Parse([]byte(stackSetConfig), "stackset.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		cfg  *config.Config
		asm  func(testing.TB) *assembly.Assembly
	}{
		{"example", config.Example(), exampleAssembly},
		{"stackset", stackSetCfg, stackSetAssembly},
	} {
		t.Run(c.name, func(t *testing.T) {
			asm := c.asm(t)
			want := map[string]assembly.Role{}
			for _, acc := range c.cfg.Accounts {
				if acc.StackSetMember {
					continue
				}
				for _, region := range acc.Regions {
					want[stacks.StackName(acc, region)] = assembly.RoleRegional
				}
				want[stacks.StackName(acc, acc.HomeRegion)] = assembly.RoleHome
			}
			if c.cfg.Organization.Enabled() {
				want[stacks.StackSetStackName(c.cfg)] = assembly.RoleStackSet
			}
			if len(asm.Stacks) != len(want) {
				t.Errorf("%d stacks, want %d (%v)", len(asm.Stacks), len(want), want)
			}
			for i := range asm.Stacks {
				s := &asm.Stacks[i]
				if got := s.Role(); got != want[s.Name] {
					t.Errorf("stack %s: %s = %q, want %q", s.Name, assembly.TagRole, got, want[s.Name])
				}
			}
			accounts, err := asm.Accounts()
			if err != nil {
				t.Fatal(err)
			}
			for _, acc := range accounts {
				if home := acc.Home(); want[home.Name] != assembly.RoleHome {
					t.Errorf("account %s: home stack %s, which the config does not make home", acc.Name, home.Name)
				}
			}
			// The review says each stack's role as its tag has it.
			md := string(buildReview(t, asm, nil, report.DefaultAssumptions()).Markdown())
			words := map[assembly.Role]string{
				assembly.RoleHome:     "home region: the account-global parts",
				assembly.RoleRegional: "regional services.",
				assembly.RoleStackSet: "the StackSets that roll the baseline out",
			}
			for i := range asm.Stacks {
				s := &asm.Stacks[i]
				line := fmt.Sprintf("Account %s, region %s, %s", s.Account, s.Region, words[s.Role()])
				if !strings.Contains(md, line) {
					t.Errorf("REVIEW.md does not say %q", line)
				}
			}
		})
	}
	// The writer's constants are the reader's.
	for role, want := range map[string]assembly.Role{stacks.RoleHome: assembly.RoleHome, stacks.RoleRegional: assembly.RoleRegional, stacks.RoleStackSet: assembly.RoleStackSet, stacks.RoleOrganization: assembly.RoleOrganization} {
		if assembly.Role(role) != want {
			t.Errorf("stacks writes role %q, report/assembly reads %q", role, want)
		}
	}
	if stacks.TagRole != assembly.TagRole {
		t.Errorf("stacks writes tag %q, report/assembly reads %q", stacks.TagRole, assembly.TagRole)
	}
}

// retag copies the example assembly and rewrites the baseline:role tag of
// its stacks: edit returns a stack's new role, or "" to remove the tag.
func retag(t *testing.T, edit func(stack, role string) string) string {
	t.Helper()
	dir := copyAssembly(t, exampleAssembly(t))
	path := filepath.Join(dir, "manifest.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for name, art := range m["artifacts"].(map[string]any) {
		props, _ := art.(map[string]any)["properties"].(map[string]any)
		tags, _ := props["tags"].(map[string]any)
		if tags == nil {
			continue
		}
		role, _ := tags[assembly.TagRole].(string)
		if r := edit(name, role); r == "" {
			delete(tags, assembly.TagRole)
		} else {
			tags[assembly.TagRole] = r
		}
	}
	if data, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestHomeStackComesFromTheTag shows that the reports take an account's home
// stack from the tag alone: with the tags of Prod's two stacks swapped, the
// us-east-1 stack (whose description still says "regional services") is
// the home stack; and that a missing, unknown or doubled home tag is an
// error that names the stack and the fix, while an older assembly without
// tags still serves as --previous.
func TestHomeStackComesFromTheTag(t *testing.T) {
	swapped := retag(t, func(stack, role string) string {
		switch stack {
		case "Prod-ap-northeast-1":
			return string(assembly.RoleRegional)
		case "Prod-us-east-1":
			return string(assembly.RoleHome)
		}
		return role
	})
	asm, err := assembly.Read(swapped)
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := asm.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range accounts {
		if acc.Name == "Prod" && acc.Home().Name != "Prod-us-east-1" {
			t.Errorf("with the tags swapped, Prod's home stack is %s, want Prod-us-east-1", acc.Home().Name)
		}
	}

	untagged := retag(t, func(string, string) string { return "" })
	good := copyAssembly(t, exampleAssembly(t))
	for _, c := range []struct {
		name string
		dir  string
		want string
	}{
		{"no role tag", untagged,
			untagged + ": stack Dev-ap-northeast-1 has no baseline:role tag (home, regional, stackset or organization); an older cdk-baseline synthesized it: run 'make synth' to rebuild " + untagged},
		{"an unknown role", retag(t, func(stack, role string) string {
			if stack == "Prod-us-east-1" {
				return "primary"
			}
			return role
		}), `: stack Prod-us-east-1 has baseline:role "primary"; the roles are home, regional, stackset or organization`},
		{"no home stack", retag(t, func(stack, role string) string {
			if stack == "Prod-ap-northeast-1" {
				return string(assembly.RoleRegional)
			}
			return role
		}), ": account Prod (111111111111) has no stack with baseline:role home; run 'make synth' to rebuild "},
		{"two home stacks", retag(t, func(stack, role string) string {
			if strings.HasPrefix(stack, "Prod-") {
				return string(assembly.RoleHome)
			}
			return role
		}), ": account Prod (111111111111) has 2 stacks with baseline:role home (Prod-ap-northeast-1, Prod-us-east-1); an account has one home region"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := app.Run(&out, "review", []string{"--assembly", c.dir})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error = %v\nwant it to contain %s", err, c.want)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "REVIEW.md")); err == nil {
				t.Error("REVIEW.md was written")
			}
			err = app.Run(&out, "diagram", []string{c.dir})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("diagram: error = %v\nwant it to contain %s", err, c.want)
			}
		})
	}
	t.Run("an assembly without role tags still serves as the previous one", func(t *testing.T) {
		var out bytes.Buffer
		if err := app.Run(&out, "review", []string{"--assembly", good, "--previous", untagged}); err != nil {
			t.Fatal(err)
		}
	})
}
