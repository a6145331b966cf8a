package report

import (
	"fmt"
	"sort"
	"strings"
)

// Status is a row's verdict in the compliance matrix.
type Status string

// The three verdicts. A rule decides them from the templates alone: PASS
// names the resource that satisfies the control, OPT-OUT names the config
// key whose setting left it out, NOT COVERED says why the baseline does not
// satisfy it.
const (
	Pass       Status = "PASS"
	OptOut     Status = "OPT-OUT"
	NotCovered Status = "NOT COVERED"
)

// Scope says which template a control is decided on.
type Scope int

const (
	// AccountScope controls are about account-global parts (the trail, the
	// alarms, the password policy, the log buckets): decided on the
	// account's home stack and shown in each of its regions.
	AccountScope Scope = iota
	// RegionScope controls are decided on the region's own stack.
	RegionScope
)

// Control is one row of the rule table (review_rules.go).
type Control struct {
	ID     string // Security Hub control id, e.g. CloudTrail.1
	Title  string // the control's title in the Security Hub user guide
	Checks string // one line: what Security Hub checks
	Scope  Scope
	Rule   func(t *Target) Result
}

// URL is the control's page in the Security Hub user guide.
func (c Control) URL() string {
	service, n, _ := strings.Cut(c.ID, ".")
	s := strings.ToLower(service)
	return fmt.Sprintf("https://docs.aws.amazon.com/securityhub/latest/userguide/%s-controls.html#%s-%s", s, s, n)
}

// Result is a rule's verdict for one stack.
type Result struct {
	Status Status
	// By lists the resources that satisfy the control (PASS), or that do
	// so in part.
	By []res
	// Key is the config key behind an OPT-OUT.
	Key string
	// Why explains NOT COVERED, and qualifies the other verdicts.
	Why string
}

func pass(by ...res) Result { return Result{Status: Pass, By: by} }

func optOut(key, why string, by ...res) Result {
	return Result{Status: OptOut, Key: key, Why: why, By: by}
}

func notCovered(why string, by ...res) Result { return Result{Status: NotCovered, Why: why, By: by} }

// Row is one control's verdict in one stack.
type Row struct {
	Control Control
	Result  Result
}

// Target is what a rule reads: the stack under review, the home stack of
// its account, and the whole assembly (for the log archive of another
// account).
type Target struct {
	Assembly *Assembly
	Stack    *Stack
	Home     *Stack
	Account  *Account
}

// Account is one AWS account of the assembly with its stacks, home stack
// first.
type Account struct {
	ID     string
	Name   string
	Stacks []*Stack
}

// Home is the account's home-region stack.
func (a *Account) Home() *Stack { return a.Stacks[0] }

// Accounts groups the assembly's stacks by account, in order of account
// name. The home stack (the one holding the account-global parts) comes
// first; the other regions follow by name.
func (a *Assembly) Accounts() []*Account {
	byID := map[string]*Account{}
	var out []*Account
	for i := range a.Stacks {
		s := &a.Stacks[i]
		acc := byID[s.Account]
		if acc == nil {
			acc = &Account{ID: s.Account, Name: s.Tags["baseline:account"]}
			if acc.Name == "" {
				acc.Name = s.Account
			}
			byID[s.Account] = acc
			out = append(out, acc)
		}
		acc.Stacks = append(acc.Stacks, s)
	}
	for _, acc := range out {
		sort.SliceStable(acc.Stacks, func(i, j int) bool {
			hi, hj := isHome(acc.Stacks[i]), isHome(acc.Stacks[j])
			if hi != hj {
				return hi
			}
			return acc.Stacks[i].Name < acc.Stacks[j].Name
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// isHome tells the home-region stack by what it holds: its description
// says so, and only it holds the access model (path Access/...).
func isHome(s *Stack) bool {
	if strings.Contains(s.Template.Description, "home region") {
		return true
	}
	for _, r := range s.all("AWS::IAM::Role") {
		if r.top() == "Access" {
			return true
		}
	}
	return false
}

// IsHome reports whether s is its account's home stack.
func (a *Account) IsHome(s *Stack) bool { return s == a.Home() }

// Matrix decides every control of the rule table for one stack.
func Matrix(asm *Assembly, acc *Account, s *Stack) []Row {
	t := &Target{Assembly: asm, Stack: s, Home: acc.Home(), Account: acc}
	rows := make([]Row, 0, len(Controls))
	for _, c := range Controls {
		rows = append(rows, Row{Control: c, Result: c.Rule(t)})
	}
	return rows
}

// Count tallies the rows by status.
func Count(rows []Row) map[Status]int {
	out := map[Status]int{}
	for _, r := range rows {
		out[r.Result.Status]++
	}
	return out
}

// scoped is the stack a control is decided on.
func (t *Target) scoped(s Scope) *Stack {
	if s == AccountScope {
		return t.Home
	}
	return t.Stack
}

// named returns the resource that has a name property (e.g. BucketName)
// equal to name, in any stack of the assembly.
func (t *Target) named(typ, prop, name string) (res, bool) {
	for i := range t.Assembly.Stacks {
		for _, r := range t.Assembly.Stacks[i].all(typ) {
			if r.str(prop) == name {
				return r, true
			}
		}
	}
	return res{}, false
}
