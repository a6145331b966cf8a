package report

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// The review report: what a synthesized cloud assembly will deploy, per
// account and region, for the person who approves the deploy. It reads the
// templates, never the config, and is written to <assembly>/REVIEW.md.

const reviewUsage = "review [--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml]"

// Review is the whole report.
type Review struct {
	Dir         string
	Version     string
	Accounts    []AccountReview
	Diff        *Diff // nil without a previous assembly
	Assumptions *Assumptions
	// ControlTower are the Control Tower proactive controls that resources
	// fail on purpose, from ControlTowerSource.
	ControlTower       []ControlTowerRow
	ControlTowerSource string
	ControlTowerError  string // why the list could not be read
}

// AccountReview is one account's part of the report.
type AccountReview struct {
	*Account
	Facts  CostFacts
	Cost   Estimate
	Stacks []StackReview
}

// StackReview is one stack's part of the report.
type StackReview struct {
	Stack  *Stack
	Home   bool
	Matrix []Row
	Alarms []AlarmRow
	Routes []RouteRow
	Roles  []RoleRow
}

// CheckBaseline rejects an assembly that this app did not synthesize: each
// stack must carry the baseline:tool tag.
func CheckBaseline(asm *Assembly) error {
	for _, s := range asm.Stacks {
		if s.Tags["baseline:tool"] != "cdk-baseline" {
			return fmt.Errorf("%s is not a cdk-baseline assembly: stack %s has no baseline:tool tag cdk-baseline", asm.Dir, s.Name)
		}
	}
	return nil
}

// BuildReview reviews an assembly; prev, when not nil, is the assembly to
// compare with.
func BuildReview(asm, prev *Assembly, a *Assumptions) *Review {
	r := &Review{Dir: asm.Dir, Assumptions: a}
	if len(asm.Stacks) > 0 {
		r.Version = asm.Stacks[0].Tags["baseline:version"]
	}
	if prev != nil {
		d := DiffAssemblies(prev, asm)
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
	for _, acc := range asm.Accounts() {
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
	return r
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

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}

func code(s string) string {
	if s == "" {
		return ""
	}
	return "`" + cell(s) + "`"
}

// anchor is GitHub's heading anchor of a heading text.
func anchor(heading string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(heading) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteRune(c)
		case c == ' ':
			b.WriteByte('-')
		}
	}
	return b.String()
}

// Markdown renders the report.
func (r *Review) Markdown() []byte {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	stacks := 0
	for _, a := range r.Accounts {
		stacks += len(a.Stacks)
	}
	p("# Review of %s\n\n", filepath.Base(r.Dir))
	p("Written by `go run . review` (cdk-baseline %s) from the cloud assembly in `%s`: %d stacks in %d accounts. ", r.Version, r.Dir, stacks, len(r.Accounts))
	p("Everything below is read from the synthesized templates, not from the config, so it describes what will deploy.\n\n")

	r.diffSection(&b)

	counts := r.Counts()
	p("## Summary\n\n")
	p("Security Hub controls in scope, per stack: **%d PASS, %d OPT-OUT, %d NOT COVERED** in all. ", counts[Pass], counts[OptOut], counts[NotCovered])
	p("PASS names the resource that satisfies the control; OPT-OUT names the config key whose setting leaves it out; NOT COVERED says why the baseline does not satisfy it.\n\n")
	p("| Account | Stack | PASS | OPT-OUT | NOT COVERED | Estimated USD a month |\n|---|---|---:|---:|---:|---:|\n")
	for _, a := range r.Accounts {
		for i, s := range a.Stacks {
			c := Count(s.Matrix)
			cost := ""
			if i == 0 {
				cost = money(a.Cost.Total) + " (account)"
			}
			p("| %s (%s) | [%s](#%s) | %d | %d | %d | %s |\n", a.Name, a.ID, s.Stack.Name, anchor(s.Stack.Name), c[Pass], c[OptOut], c[NotCovered], cost)
		}
	}
	p("\n")

	r.residualRiskSection(&b)

	for _, a := range r.Accounts {
		p("## Account %s (%s)\n\n", a.Name, a.ID)
		r.costSection(&b, a)
		for _, s := range a.Stacks {
			stackSection(&b, a, s)
		}
	}
	r.organizationSection(&b)
	r.controlTowerSection(&b)
	r.assumptionsSection(&b)
	return b.Bytes()
}

func (r *Review) diffSection(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## What changed\n\n")
	if r.Diff == nil {
		p("No previous assembly to compare with. Keep the last reviewed `cdk.out` (e.g. `cp -r cdk.out reviewed.out`) and run `go run . review --previous reviewed.out` to list added, removed and replaced resources here.\n\n")
		return
	}
	d := r.Diff
	n := map[ChangeKind]int{}
	stateful := 0
	for _, c := range d.Changes {
		n[c.Kind]++
		if c.Stateful && (c.Kind == Replaced || c.Kind == Removed) {
			stateful++
		}
	}
	p("Compared with `%s`: %d replaced, %d removed, %d added, %d changed in place", d.Previous, n[Replaced], n[Removed], n[Added], n[Modified])
	if stateful > 0 {
		p(". **%d stateful resource(s) replaced or removed: read those rows (in bold) before you deploy.**\n\n", stateful)
	} else {
		p("; no stateful resource is replaced or removed.\n\n")
	}
	if len(d.Changes) == 0 {
		p("The templates are the same.\n\n")
		return
	}
	p("| Change | Stack | Resource | Type | Why |\n|---|---|---|---|---|\n")
	for _, c := range d.Changes {
		res := code(c.Path)
		kind := string(c.Kind)
		if c.Stateful && (c.Kind == Replaced || c.Kind == Removed) {
			res, kind = "**"+res+"**", "**"+kind+" (stateful)**"
		}
		p("| %s | %s | %s | %s | %s |\n", kind, c.Stack, res, c.Type, cell(c.Why))
	}
	p("\n")
}

func (r *Review) costSection(b *bytes.Buffer, a AccountReview) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("### Monthly cost estimate\n\n")
	f := a.Facts
	p("An estimate from the [cost assumptions](#cost-assumptions) (%s list prices, %s) and what the templates hold: %s, %s, %s, %s, %s, %s. ",
		r.Assumptions.Region, r.Assumptions.AsOf, plural(f.Regions, "region"), plural(f.Alarms, "alarm"), plural(f.Keys, "KMS key"),
		plural(f.Recorders, "Config recorder"), plural(f.Detectors, "GuardDuty detector"), plural(f.Standards, "Security Hub standard"))
	p("Data transfer, free tiers and taxes are left out.\n\n")
	p("| Item | Formula | USD a month |\n|---|---|---:|\n")
	for _, l := range a.Cost.Lines {
		p("| %s | %s | %s |\n", cell(l.Item), cell(l.Formula), money(l.USD))
	}
	p("| **Total** | | **%s** |\n\n", money(a.Cost.Total))
	if len(a.Cost.Options) > 0 {
		p("Effect of the cost options:\n\n| Option | Now | If set to | Change a month | Note |\n|---|---|---|---:|---|\n")
		for _, o := range a.Cost.Options {
			sign := "+"
			if o.DeltaUSD < 0 {
				sign = "-"
			}
			v := o.DeltaUSD
			if v < 0 {
				v = -v
			}
			p("| `%s` | %s | %s | %s%s | %s |\n", o.Key, cell(o.Now), cell(o.Then), sign, money(v), cell(o.Note))
		}
		p("\n")
	}
}

func stackSection(b *bytes.Buffer, a AccountReview, s StackReview) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("### %s\n\n", s.Stack.Name)
	role := "regional services"
	if s.Home {
		role = "home region: the account-global parts (trail, alarms, topic, IAM, password policy) and the regional services"
	}
	c := Count(s.Matrix)
	p("Account %s, region %s, %s. %d resources. Matrix: %d PASS, %d OPT-OUT, %d NOT COVERED.", a.ID, s.Stack.Region, role, len(s.Stack.Template.Resources), c[Pass], c[OptOut], c[NotCovered])
	if !s.Home {
		p(" Account-wide controls are decided on the home stack %s.", a.Home().Name)
	}
	p("\n\n#### Compliance matrix: %s\n\n", s.Stack.Name)
	p("| Control | Title | Status | Satisfied by, or why not |\n|---|---|---|---|\n")
	for _, row := range s.Matrix {
		status := string(row.Result.Status)
		if row.Result.Key != "" {
			status += " `" + row.Result.Key + "`"
		}
		var by []string
		for _, r := range row.Result.By {
			name := code(r.Path())
			if r.Stack != s.Stack {
				name += " in " + r.Stack.Name
			}
			by = append(by, name)
		}
		detail := strings.Join(by, ", ")
		if row.Result.Why != "" {
			if detail != "" {
				detail += ": "
			}
			detail += cell(row.Result.Why)
		}
		p("| [%s](%s) | %s | %s | %s |\n", row.Control.ID, row.Control.URL(), cell(row.Control.Title), status, detail)
	}
	p("\n")

	if len(s.Alarms) > 0 {
		p("#### Alarms: %s\n\n", s.Stack.Name)
		p("Each alarm counts the events its metric filter matches on the trail's log group.\n\n")
		p("| Alarm | Controls | Pattern | Fires at | Recipients |\n|---|---|---|---|---|\n")
		for _, al := range s.Alarms {
			p("| %s | %s | %s | %s | %s |\n", cell(al.Name), cell(strings.Join(al.Controls, ", ")), code(al.Pattern), cell(al.Threshold), cell(strings.Join(al.Recipients, ", ")))
		}
		p("\n")
	}
	if len(s.Routes) > 0 {
		p("#### Finding routes: %s\n\n| Rule | Sends | To |\n|---|---|---|\n", s.Stack.Name)
		for _, rt := range s.Routes {
			p("| %s | %s | %s |\n", cell(rt.Name), cell(rt.Description), cell(strings.Join(rt.Targets, ", ")))
		}
		p("\n")
	}
	if len(s.Roles) > 0 {
		p("#### Roles: %s\n\n| Role | Who may assume it | Conditions | Max session | Permissions |\n|---|---|---|---|---|\n", s.Stack.Name)
		for _, rl := range s.Roles {
			name := cell(rl.Name)
			if rl.Name == "(generated name)" {
				name = code(rl.Path)
			}
			p("| %s | %s | %s | %s | %s |\n", name, cell(rl.Trusted), cell(rl.Conditions), rl.MaxSession, cell(rl.Permissions))
		}
		p("\n")
	}
}

func (r *Review) assumptionsSection(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	a := r.Assumptions
	p("## Cost assumptions\n\n")
	p("**Assumptions, not a quote.** Prices are %s list prices in %s as written down in %s in `report/pricing.yaml`, not fetched; check the sources. ", a.Region, a.Currency, a.AsOf)
	if a.Source != "" {
		p("Overrides from `%s` are marked. ", a.Source)
	}
	p("Override any value with `go run . review --assumptions file.yaml` (format in `report/pricing.yaml`).\n\n")
	p("| Usage | Value | Meaning |\n|---|---:|---|\n")
	for _, in := range a.Usage {
		p("| `%s` | %s%s | %s |\n", in.Name, pretty(in.Value), overridden(in), cell(in.Unit))
	}
	p("\n| Price | USD | Unit | Source |\n|---|---:|---|---|\n")
	for _, in := range a.Prices {
		p("| `%s` | %s%s | %s | %s |\n", in.Name, num(in.Value), overridden(in), cell(in.Unit), in.Source)
	}
	p("\n")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// pretty prints whole numbers with thousands separators.
func pretty(v float64) string {
	if v == float64(int64(v)) {
		return count(v)
	}
	return num(v)
}

func overridden(in *Input) string {
	if in.Overridden {
		return " (override)"
	}
	return ""
}

// ReviewCommand runs `review`: it reviews an assembly and writes
// <assembly>/REVIEW.md. Bad flags, a missing or foreign assembly, a bad
// assumptions file: an error, and nothing is written.
func ReviewCommand(stdout io.Writer, args []string) error {
	fl := flag.NewFlagSet("review", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	dir := fl.String("assembly", "cdk.out", "")
	previous := fl.String("previous", "", "")
	assumptions := fl.String("assumptions", "", "")
	if err := fl.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			_, err := fmt.Fprintln(stdout, "usage: go run . "+reviewUsage)
			return err
		}
		return fmt.Errorf("review: %v; usage: %s", err, reviewUsage)
	}
	if fl.NArg() > 0 {
		return fmt.Errorf("review: unexpected argument %q; usage: %s", fl.Arg(0), reviewUsage)
	}
	asm, err := ReadAssembly(*dir)
	if err != nil {
		return err
	}
	if err := CheckBaseline(asm); err != nil {
		return err
	}
	var prev *Assembly
	if *previous != "" {
		if filepath.Clean(*previous) == filepath.Clean(*dir) {
			return fmt.Errorf("review: --previous %s is the assembly under review; pass the earlier cdk.out", *previous)
		}
		if prev, err = ReadAssembly(*previous); err != nil {
			return fmt.Errorf("previous assembly: %w", err)
		}
		if err := CheckBaseline(prev); err != nil {
			return fmt.Errorf("previous assembly: %w", err)
		}
	}
	a := DefaultAssumptions()
	if *assumptions != "" {
		if a, err = LoadAssumptions(*assumptions); err != nil {
			return err
		}
	}
	r := BuildReview(asm, prev, a)
	out := r.Markdown()
	path := filepath.Join(*dir, "REVIEW.md")
	if err := writeAtomic(path, out); err != nil {
		return fmt.Errorf("review: %w", err)
	}
	c := r.Counts()
	_, err = fmt.Fprintf(stdout, "wrote %s (%d bytes, %d lines): %d PASS, %d OPT-OUT, %d NOT COVERED\n",
		path, len(out), bytes.Count(out, []byte("\n")), c[Pass], c[OptOut], c[NotCovered])
	return err
}
