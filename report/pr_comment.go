package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/diff"
)

// The pull-request comment of the CI workflow (examples/ci): what a change
// to the baseline does, read from two reviews in JSON, the head's (made
// with --previous <the base's cdk.out>, so it carries the changes) and the
// base's. The workflow posts it and fails the job by the rule in
// PRComment; both live here so that tests pin them.

// PRCommentMarker starts every comment, so that the workflow finds and
// updates its own comment instead of adding one per push.
const PRCommentMarker = "<!-- cdk-baseline-review -->"

// DefaultAllowLabel is the pull-request label that allows a stateful
// replacement or removal.
const DefaultAllowLabel = "baseline-allow-replacement"

// maxCommentRows caps each table; GitHub rejects comments over 65536
// characters, and the full list is in REVIEW.md.
const maxCommentRows = 40

// PRCommentOptions are pr-comment's inputs besides the reviews.
type PRCommentOptions struct {
	// AllowReplacement is set when the pull request carries AllowLabel.
	AllowReplacement bool
	// AllowLabel names the label in the comment's text.
	AllowLabel string
}

// PRComment renders the comment and decides the failure rule: the job
// fails (blocked) when a stateful resource is replaced or removed and the
// label does not allow it. head must carry changes (review --previous):
// without them no replacement could be seen, so that is an error, never a
// pass. base may be nil; the comment then shows no compliance or cost
// change.
func PRComment(head, base *ReviewJSON, o PRCommentOptions) (comment string, blocked bool, err error) {
	if head.Changes == nil {
		return "", false, errors.New("pr-comment: the head review has no changes; make it with review --previous <the base branch's cdk.out> --format json")
	}
	if o.AllowLabel == "" {
		o.AllowLabel = DefaultAllowLabel
	}
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	ch := head.Changes
	blocked = ch.StatefulReplacedOrRemoved > 0 && !o.AllowReplacement

	p("%s\n## cdk-baseline review\n\n", PRCommentMarker)
	switch {
	case blocked:
		p("**Blocked: %d stateful resource(s) replaced or removed.** The rows in bold say what happens to what each holds. ", ch.StatefulReplacedOrRemoved)
		p("If that is intended, add the label `%s` and run the job again.\n\n", o.AllowLabel)
	case ch.StatefulReplacedOrRemoved > 0:
		p("**Allowed by the label `%s`: %d stateful resource(s) replaced or removed.** The rows in bold say what happens to what each holds.\n\n", o.AllowLabel, ch.StatefulReplacedOrRemoved)
	default:
		p("No stateful resource is replaced or removed.\n\n")
	}

	p("### What changed\n\n")
	p("%d replaced, %d removed, %d added, %d changed in place.\n\n", ch.Replaced, ch.Removed, ch.Added, ch.Modified)
	if len(ch.Items) > 0 {
		items := append([]ChangeJSON(nil), ch.Items...)
		// Stateful replacements and removals first: they are what a
		// reviewer must not miss. Otherwise the review's order.
		sort.SliceStable(items, func(i, j int) bool { return lossJSON(items[i]) && !lossJSON(items[j]) })
		p("| Change | Stack | Resource | Type | Why |\n|---|---|---|---|---|\n")
		for i, c := range items {
			if i == maxCommentRows {
				p("\n…and %d more; see REVIEW.md in the job's artifacts.\n", len(items)-i)
				break
			}
			res, kind := code(c.Path), c.Kind
			if lossJSON(c) {
				res, kind = "**"+res+"**", "**"+kind+" (stateful)**"
			}
			p("| %s | %s | %s | %s | %s |\n", kind, cell(c.Stack), res, cell(c.Type), cell(c.Why))
		}
		p("\n")
	}

	p("### Compliance\n\n")
	p("Security Hub controls in scope, summed over every stack.\n\n")
	p("| | PASS | OPT-OUT | NOT COVERED |\n|---|---:|---:|---:|\n")
	if base != nil {
		p("| base | %d | %d | %d |\n", base.Summary.Pass, base.Summary.OptOut, base.Summary.NotCovered)
	}
	p("| this pull request | %d | %d | %d |\n\n", head.Summary.Pass, head.Summary.OptOut, head.Summary.NotCovered)
	if base != nil {
		moved := verdictChanges(base, head)
		if len(moved) == 0 {
			p("No control changes its verdict in a stack that both have.\n\n")
		} else {
			p("| Stack | Control | Was | Now | Why now |\n|---|---|---|---|---|\n")
			for i, m := range moved {
				if i == maxCommentRows {
					p("\n…and %d more; see REVIEW.md in the job's artifacts.\n", len(moved)-i)
					break
				}
				p("%s\n", m)
			}
			p("\n")
		}
	}

	p("### Estimated cost, USD a month\n\n")
	p("| Account | Base | This pull request | Change |\n|---|---:|---:|---:|\n")
	baseCost := map[string]float64{}
	if base != nil {
		for _, a := range base.Accounts {
			baseCost[a.ID] = a.Cost.TotalUSD
		}
	}
	seen := map[string]bool{}
	for _, a := range head.Accounts {
		seen[a.ID] = true
		was := "–"
		if v, ok := baseCost[a.ID]; ok {
			was = money(v)
		}
		p("| %s (%s) | %s | %s | %s |\n", cell(a.Name), a.ID, was, money(a.Cost.TotalUSD), delta(a.Cost.TotalUSD-baseCost[a.ID], base != nil))
	}
	if base != nil {
		for _, a := range base.Accounts {
			if !seen[a.ID] {
				p("| %s (%s) | %s | – | %s |\n", cell(a.Name), a.ID, money(a.Cost.TotalUSD), delta(-a.Cost.TotalUSD, true))
			}
		}
	}
	total := "–"
	if base != nil {
		total = money(base.Summary.MonthlyUSD)
	}
	p("| **Total** | %s | **%s** | %s |\n\n", total, money(head.Summary.MonthlyUSD), delta(head.Summary.MonthlyUSD-summaryUSD(base), base != nil))
	p("<sub>cdk-baseline %s, review JSON version %d. The cost is an estimate from the review's assumptions, not a quote. The full report is REVIEW.md in the job's artifacts.</sub>\n", head.ToolVersion, head.SchemaVersion)
	return b.String(), blocked, nil
}

func lossJSON(c ChangeJSON) bool {
	return c.Stateful && (c.Kind == string(diff.Replaced) || c.Kind == string(diff.Removed))
}

func summaryUSD(r *ReviewJSON) float64 {
	if r == nil {
		return 0
	}
	return r.Summary.MonthlyUSD
}

func delta(v float64, known bool) string {
	if !known {
		return "–"
	}
	v = round(v, 2)
	switch {
	case v > 0:
		return "+" + money(v)
	case v < 0:
		return "-" + money(-v)
	}
	return "$0.00"
}

// verdictChanges lists the matrix rows whose status changed, as table
// rows, for stacks present in both reviews (a stack that comes or goes
// shows in "What changed").
func verdictChanges(base, head *ReviewJSON) []string {
	was := map[string]MatrixRowJSON{}
	for _, a := range base.Accounts {
		for _, s := range a.Stacks {
			for _, m := range s.Matrix {
				was[s.Name+"\x00"+m.Control] = m
			}
		}
	}
	var out []string
	for _, a := range head.Accounts {
		for _, s := range a.Stacks {
			for _, m := range s.Matrix {
				old, ok := was[s.Name+"\x00"+m.Control]
				if !ok || old.Status == m.Status {
					continue
				}
				why := m.Reason
				if m.Key != "" {
					why = strings.TrimSpace(code(m.Key) + " " + why)
				}
				out = append(out, fmt.Sprintf("| %s | [%s](%s) | %s | %s | %s |", cell(s.Name), m.Control, m.URL, old.Status, m.Status, cell(why)))
			}
		}
	}
	return out
}

// ReadReviewJSON reads a review written by `review --format json`. Fields
// it does not know are ignored (a newer tool may add them); another
// schemaVersion is an error.
func ReadReviewJSON(path string) (*ReviewJSON, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pr-comment: %w; write it with review --format json > %s", err, path)
	}
	var r ReviewJSON
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("pr-comment: %s: %v; it must be the output of review --format json", path, err)
	}
	if r.SchemaVersion != ReviewJSONVersion || r.Tool != "cdk-baseline" {
		return nil, fmt.Errorf("pr-comment: %s is not a cdk-baseline review of version %d (tool %q, schemaVersion %d); make both reviews with this version's review --format json", path, ReviewJSONVersion, r.Tool, r.SchemaVersion)
	}
	return &r, nil
}
