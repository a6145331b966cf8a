package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// Helpers of the rules about Security Hub itself: the standards a stack
// enables, the controls they disable, and the regions the home region's
// finding aggregator links.

// subscription is a Security Hub standard of a stack: the part of its ARN
// after "standards/", and the ids of the controls it disables (the last
// part of their control ARNs).
type subscription struct {
	assembly.Res
	Standard string
	Disabled []string
}

// standardsOf lists a stack's Security Hub standards.
func standardsOf(s *assembly.Stack) []subscription {
	var out []subscription
	for _, st := range s.All("AWS::SecurityHub::Standard") {
		_, name, ok := strings.Cut(assembly.Render(st.Prop("StandardsArn")), ":standards/")
		if !ok {
			continue
		}
		var disabled []string
		for _, c := range st.List("DisabledStandardsControls") {
			if _, id, ok := strings.Cut(assembly.Render(assembly.Dig(c, "StandardsControlArn")), ":control/"+name+"/"); ok {
				disabled = append(disabled, id)
			}
		}
		out = append(out, subscription{st, name, disabled})
	}
	return out
}

// globalControlsDisabled tells whether the stack has Security Hub
// standards and each disables every control of policies/globalcontrols.yaml
// it holds; it returns those standards.
func globalControlsDisabled(s *assembly.Stack) ([]assembly.Res, bool) {
	g, err := policies.GlobalResourceControls()
	standards := standardsOf(s)
	if err != nil || len(standards) == 0 {
		return nil, false
	}
	var out []assembly.Res
	for _, st := range standards {
		for _, c := range g.In(st.Standard) {
			if !slices.Contains(st.Disabled, c.ID) {
				return nil, false
			}
		}
		out = append(out, st.Res)
	}
	return out, true
}

// checkedInHomeRegion qualifies the verdict of a control that checks
// global resources in a region other than the home region, where each
// enabled standard that holds the control disables it: Security Hub checks
// it in the home region only, and the verdict is the home region's (the
// rule decides it on the home stack). Other controls, and regions where
// the control stays enabled, keep the rule's verdict as it is.
func checkedInHomeRegion(control string, rule func(*Target) Result) func(*Target) Result {
	return func(t *Target) Result {
		r := rule(t)
		if t.Stack == t.Home {
			return r
		}
		g, err := policies.GlobalResourceControls()
		if err != nil || !g.IsGlobal(control) {
			return r
		}
		var in []string
		for _, st := range standardsOf(t.Stack) {
			for _, c := range g.In(st.Standard) {
				if c.Control != control {
					continue
				}
				if !slices.Contains(st.Disabled, c.ID) {
					return r // enabled here in at least one standard
				}
				in = append(in, st.Standard)
			}
		}
		if len(in) == 0 {
			return r // no enabled standard here holds it
		}
		note := fmt.Sprintf("checked in the home region %s only: disabled here in %s (securityHub.disableGlobalControlsOutsideHome), as a control of global resources", t.Home.Region, strings.Join(in, ", "))
		if r.Why != "" {
			note = r.Why + "; " + note
		}
		r.Why = note
		return r
	}
}

// linkedRegion tells whether the home stack's finding aggregator links the
// target's region.
func linkedRegion(t *Target) bool {
	for _, a := range t.Home.All("AWS::SecurityHub::FindingAggregator") {
		regions := assembly.Strings(a.Prop("Regions"))
		switch a.Str("RegionLinkingMode") {
		case "ALL_REGIONS":
			return true
		case "SPECIFIED_REGIONS":
			return slices.Contains(regions, t.Stack.Region)
		case "ALL_REGIONS_EXCEPT_SPECIFIED":
			return !slices.Contains(regions, t.Stack.Region)
		}
	}
	return false
}
