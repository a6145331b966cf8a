package report

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/report/diff"
)

// The review's Markdown rendering (REVIEW.md).

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
	n := map[diff.ChangeKind]int{}
	stateful := 0
	for _, c := range d.Changes {
		n[c.Kind]++
		if c.Stateful && (c.Kind == diff.Replaced || c.Kind == diff.Removed) {
			stateful++
		}
	}
	p("Compared with `%s`: %d replaced, %d removed, %d added, %d changed in place", d.Previous, n[diff.Replaced], n[diff.Removed], n[diff.Added], n[diff.Modified])
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
		if c.Stateful && (c.Kind == diff.Replaced || c.Kind == diff.Removed) {
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
	switch s.Stack.Role() {
	case assembly.RoleHome:
		role = "home region: the account-global parts (trail, alarms, topic, IAM, password policy) and the regional services"
	case assembly.RoleStackSet:
		role = "the StackSets that roll the baseline out to the organization's accounts"
	case assembly.RoleOrganization:
		role = "the organization's guardrail policies and root access settings"
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
			// As in the alarm's description: an entry that satisfies no
			// Security Hub or CIS control says so.
			controls := strings.Join(al.Controls, ", ")
			if controls == "" && al.Entry != "" {
				controls = "none (baseline alarm)"
			}
			p("| %s | %s | %s | %s | %s |\n", cell(al.Name), cell(controls), code(al.Pattern), cell(al.Threshold), cell(strings.Join(al.Recipients, ", ")))
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
