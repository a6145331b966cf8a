package report

import (
	"fmt"
	"strings"
)

// ExitPolicy is the exit code of `review --fail-on ...` and `pr-comment`
// when the review found what the pipeline asked to fail on. Bad input
// (flags, a missing assembly) exits 1, as every command does, so a pipeline
// can tell "the review says stop" from "the review could not run".
const ExitPolicy = 3

// PolicyFailure is the error of a review that found what --fail-on names.
// main exits with ExitCode() instead of 1.
type PolicyFailure struct {
	Reasons []string
}

func (p *PolicyFailure) Error() string {
	return "the review fails the pipeline: " + strings.Join(p.Reasons, "; ")
}

// ExitCode is ExitPolicy.
func (p *PolicyFailure) ExitCode() int { return ExitPolicy }

// FailOn is what `review --fail-on` fails on.
type FailOn struct {
	// NotCovered: any matrix row NOT COVERED.
	NotCovered bool
	// OptOut: any matrix row OPT-OUT.
	OptOut bool
	// Replacement: any stateful resource replaced or removed (the bold rows
	// of "What changed"). Needs --previous.
	Replacement bool
}

// failOnNames are the values --fail-on accepts.
var failOnNames = []string{"not-covered", "opt-out", "replacement"}

// ParseFailOn reads a comma list of failOnNames; "" fails on nothing.
func ParseFailOn(list string) (FailOn, error) {
	var f FailOn
	if strings.TrimSpace(list) == "" {
		return f, nil
	}
	for _, name := range strings.Split(list, ",") {
		switch strings.TrimSpace(name) {
		case "not-covered":
			f.NotCovered = true
		case "opt-out":
			f.OptOut = true
		case "replacement":
			f.Replacement = true
		default:
			return f, fmt.Errorf("review: --fail-on %q: %q is not a condition; use a comma list of %s", list, strings.TrimSpace(name), strings.Join(failOnNames, ", "))
		}
	}
	return f, nil
}

// Failures lists why the review fails the pipeline under f; none means it
// passes.
func (r *Review) Failures(f FailOn) []string {
	var out []string
	c := r.Counts()
	if f.NotCovered && c[NotCovered] > 0 {
		out = append(out, fmt.Sprintf("%d matrix row(s) NOT COVERED (--fail-on not-covered)", c[NotCovered]))
	}
	if f.OptOut && c[OptOut] > 0 {
		out = append(out, fmt.Sprintf("%d matrix row(s) OPT-OUT (--fail-on opt-out)", c[OptOut]))
	}
	if f.Replacement && r.Diff != nil {
		var names []string
		for _, ch := range r.Diff.Changes {
			if statefulLoss(ch) {
				names = append(names, fmt.Sprintf("%s %s/%s", ch.Kind, ch.Stack, ch.Path))
			}
		}
		if len(names) > 0 {
			out = append(out, fmt.Sprintf("%d stateful resource(s) replaced or removed: %s (--fail-on replacement)", len(names), strings.Join(names, ", ")))
		}
	}
	return out
}
