package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// Controls is the review's rule table: every Security Hub control in the
// baseline's scope, one row each, in report order. As in cdk-nag's packs,
// each family of controls is a file of its own (rules_<service>.go) that
// holds its rows and the rule functions behind them. Titles are the
// Security Hub user guide's, each control's page is Control.URL
// (https://docs.aws.amazon.com/securityhub/latest/userguide/<service>-controls.html#<service>-<n>);
// Checks is one line on what Security Hub evaluates there. Each Rule reads
// templates only, never the config: an OPT-OUT names the config key that a
// template's shape reveals.
//
// Left out of scope on purpose: S3.19, S3.24 and S3.25 (access points,
// Multi-Region Access Points, directory buckets: the baseline creates
// none), and CloudTrail.9/CloudTrail.10 (tagging, event data stores).
var Controls = slices.Concat(
	cloudTrailRules,
	cloudWatchRules,
	configRules,
	s3Rules,
	kmsRules,
	iamRules,
	guardDutyRules,
	inspectorRules,
	ec2Rules,
	snsRules,
)

// Controls that check global resources are decided on the home stack and,
// in a region where they are disabled, say so (checkedInHomeRegion).
func init() {
	for i, c := range Controls {
		Controls[i].Rule = checkedInHomeRegion(c.ID, c.Rule)
	}
}

func constant(r Result) func(*Target) Result { return func(*Target) Result { return r } }

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

// Control is one row of the rule table.
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
	By []assembly.Res
	// Key is the config key behind an OPT-OUT.
	Key string
	// Why explains NOT COVERED, and qualifies the other verdicts.
	Why string
}

func pass(by ...assembly.Res) Result { return Result{Status: Pass, By: by} }

func optOut(key, why string, by ...assembly.Res) Result {
	return Result{Status: OptOut, Key: key, Why: why, By: by}
}

func notCovered(why string, by ...assembly.Res) Result {
	return Result{Status: NotCovered, Why: why, By: by}
}

// Row is one control's verdict in one stack.
type Row struct {
	Control Control
	Result  Result
}

// Target is what a rule reads: the stack under review, the home stack of
// its account, and the whole assembly (for the log archive of another
// account).
type Target struct {
	Assembly *assembly.Assembly
	Stack    *assembly.Stack
	Home     *assembly.Stack
	Account  *assembly.Account
}

// Matrix decides every control of the rule table for one stack.
func Matrix(asm *assembly.Assembly, acc *assembly.Account, s *assembly.Stack) []Row {
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
func (t *Target) scoped(s Scope) *assembly.Stack {
	if s == AccountScope {
		return t.Home
	}
	return t.Stack
}

// named returns the resource that has a name property (e.g. BucketName)
// equal to name, in any stack of the assembly.
func (t *Target) named(typ, prop, name string) (assembly.Res, bool) {
	for i := range t.Assembly.Stacks {
		for _, r := range t.Assembly.Stacks[i].All(typ) {
			if r.Str(prop) == name {
				return r, true
			}
		}
	}
	return assembly.Res{}, false
}
