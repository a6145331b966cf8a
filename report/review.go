// Package report describes what a synthesized cloud assembly will deploy,
// for the person who approves the deploy. It reads templates through
// report/assembly, never the config, and writes no files (internal/app
// does). By concern:
//
//   - report/assembly: reading a cloud assembly, its accounts and the home
//     stack of each (by the baseline:role stack tag);
//   - rules.go and rules_<service>.go: the review's rule table, one pack of
//     Security Hub controls per file, as cdk-nag's packs are;
//   - review_sections.go: the alarm, finding-route and role tables of a stack;
//   - cost.go and cost_assumptions.go (with pricing.yaml): the cost model;
//   - report/diff: what changed since a previous assembly;
//   - report/diagram: the architecture diagram;
//   - review.go, markdown.go and markdown_risks.go: the review and its
//     Markdown rendering (REVIEW.md); summary.go: the one-table summary;
//   - review_json.go: the review as versioned JSON (review --format json);
//     review_failon.go: --fail-on; pr_comment.go: the CI pull-request
//     comment and its failure rule.
package report

import (
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/report/diff"
)

// The review report: what a synthesized cloud assembly will deploy, per
// account and region, for the person who approves the deploy. It reads the
// templates, never the config, and is written to <assembly>/REVIEW.md.

// Review is the whole report.
type Review struct {
	Dir         string
	Version     string
	Accounts    []AccountReview
	Diff        *diff.Diff // nil without a previous assembly
	Assumptions *Assumptions
	// ControlTower are the Control Tower proactive controls that resources
	// fail on purpose, from ControlTowerSource.
	ControlTower       []ControlTowerRow
	ControlTowerSource string
	ControlTowerError  string // why the list could not be read
}

// AccountReview is one account's part of the report.
type AccountReview struct {
	*assembly.Account
	Facts  CostFacts
	Cost   Estimate
	Stacks []StackReview
}

// StackReview is one stack's part of the report.
type StackReview struct {
	Stack  *assembly.Stack
	Home   bool
	Matrix []Row
	Alarms []AlarmRow
	Routes []RouteRow
	Roles  []RoleRow
}

// BuildReview reviews an assembly; prev, when not nil, is the assembly to
// compare with. It fails when the assembly's stacks do not say their roles
// (assembly.Accounts).
func BuildReview(asm, prev *assembly.Assembly, a *Assumptions) (*Review, error) {
	accounts, err := asm.Accounts()
	if err != nil {
		return nil, err
	}
	r := &Review{Dir: asm.Dir, Assumptions: a}
	if len(asm.Stacks) > 0 {
		r.Version = asm.Stacks[0].Tags[assembly.TagVersion]
	}
	if prev != nil {
		d := diff.Compare(prev, asm)
		r.Diff = &d
	}
	// The list is embedded and checked by the tests; a broken one says so
	// in its section.
	if rows, err := ControlTowerExceptions(asm); err == nil {
		r.ControlTower = rows
		list, _ := policies.ControlTowerExceptionList()
		r.ControlTowerSource = list.Source
	} else {
		r.ControlTowerError = err.Error()
	}
	for _, acc := range accounts {
		ar := AccountReview{Account: acc, Facts: Facts(asm, acc)}
		ar.Cost = EstimateCost(ar.Facts, a)
		for _, s := range acc.Stacks {
			ar.Stacks = append(ar.Stacks, StackReview{
				Stack:  s,
				Home:   acc.IsHome(s),
				Matrix: Matrix(asm, acc, s),
				Alarms: Alarms(s),
				Routes: Routes(s),
				Roles:  Roles(s),
			})
		}
		r.Accounts = append(r.Accounts, ar)
	}
	return r, nil
}

// Counts tallies the matrix verdicts of every stack.
func (r *Review) Counts() map[Status]int {
	out := map[Status]int{}
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			for k, v := range Count(s.Matrix) {
				out[k] += v
			}
		}
	}
	return out
}
