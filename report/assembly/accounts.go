package assembly

import (
	"fmt"
	"sort"
	"strings"
)

// The stack tags the app writes (package stacks) and the reports read.
// test/review_test.go checks that every stack the app synthesizes carries
// them with values this package knows.
const (
	Tool       = "cdk-baseline"
	TagTool    = "baseline:tool"
	TagVersion = "baseline:version"
	TagAccount = "baseline:account"
	TagRole    = "baseline:role"
)

// Role is a stack's part in its account, from its baseline:role tag.
type Role string

// The roles of a stack.
const (
	// RoleHome is the stack in the account's home region: the
	// account-global parts (trail, alarms, topic, IAM, password policy)
	// and the region's services.
	RoleHome Role = "home"
	// RoleRegional is a stack in another region: the region's services.
	RoleRegional Role = "regional"
	// RoleStackSet is the deployer stack of StackSet mode: the StackSets
	// that roll the baseline out to an organization's accounts.
	RoleStackSet Role = "stackset"
	// RoleOrganization is the management account's organization stack of
	// organization mode: the guardrail policies and root access settings.
	RoleOrganization Role = "organization"
)

// Roles are the valid roles, in the order error messages list them.
var Roles = []Role{RoleHome, RoleRegional, RoleStackSet, RoleOrganization}

// Role is the stack's role, from its baseline:role tag ("" without one).
func (s *Stack) Role() Role { return Role(s.Tags[TagRole]) }

// Account is one AWS account of the assembly with its stacks, home stack
// first.
type Account struct {
	ID     string
	Name   string
	Stacks []*Stack
}

// Home is the account's home-region stack.
func (a *Account) Home() *Stack { return a.Stacks[0] }

// IsHome reports whether s is its account's home stack.
func (a *Account) IsHome(s *Stack) bool { return s == a.Home() }

// Accounts groups the assembly's stacks by account, in order of account
// name. The home stack comes first; the other stacks follow by name. A
// stack's role is its baseline:role tag, never a guess from what the stack
// holds: a stack without a known role, or an account without exactly one
// home stack, is an error.
func (a *Assembly) Accounts() ([]*Account, error) {
	byID := map[string]*Account{}
	var out []*Account
	for i := range a.Stacks {
		s := &a.Stacks[i]
		if err := checkRole(a, s); err != nil {
			return nil, err
		}
		acc := byID[s.Account]
		if acc == nil {
			acc = &Account{ID: s.Account, Name: s.Tags[TagAccount]}
			if acc.Name == "" {
				acc.Name = s.Account
			}
			byID[s.Account] = acc
			out = append(out, acc)
		}
		acc.Stacks = append(acc.Stacks, s)
	}
	for _, acc := range out {
		var homes []string
		for _, s := range acc.Stacks {
			if s.Role() == RoleHome {
				homes = append(homes, s.Name)
			}
		}
		switch len(homes) {
		case 0:
			return nil, fmt.Errorf("%s: account %s (%s) has no stack with %s %s; run 'make synth' to rebuild %s",
				a.Dir, acc.Name, acc.ID, TagRole, RoleHome, a.Dir)
		case 1:
		default:
			return nil, fmt.Errorf("%s: account %s (%s) has %d stacks with %s %s (%s); an account has one home region",
				a.Dir, acc.Name, acc.ID, len(homes), TagRole, RoleHome, strings.Join(homes, ", "))
		}
		sort.SliceStable(acc.Stacks, func(i, j int) bool {
			hi, hj := acc.Stacks[i].Role() == RoleHome, acc.Stacks[j].Role() == RoleHome
			if hi != hj {
				return hi
			}
			return acc.Stacks[i].Name < acc.Stacks[j].Name
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func checkRole(a *Assembly, s *Stack) error {
	role, ok := s.Tags[TagRole]
	if !ok {
		return fmt.Errorf("%s: stack %s has no %s tag (%s); an older cdk-baseline synthesized it: run 'make synth' to rebuild %s",
			a.Dir, s.Name, TagRole, roleList(), a.Dir)
	}
	for _, r := range Roles {
		if Role(role) == r {
			return nil
		}
	}
	return fmt.Errorf("%s: stack %s has %s %q; the roles are %s", a.Dir, s.Name, TagRole, role, roleList())
}

func roleList() string {
	names := make([]string, len(Roles))
	for i, r := range Roles {
		names[i] = string(r)
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
