package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// mdTable is one Markdown table of REVIEW.md: the heading it sits under
// and its data rows, split into cells.
type mdTable struct {
	heading string
	rows    [][]string
}

// markdownTables reads every table of a REVIEW.md. A cell's escaped pipe
// (\|) stays inside the cell.
func markdownTables(md string) []mdTable {
	var out []mdTable
	heading := ""
	inTable := false
	for _, line := range strings.Split(md, "\n") {
		switch {
		case strings.HasPrefix(line, "#"):
			heading, inTable = strings.TrimSpace(strings.TrimLeft(line, "#")), false
		case strings.HasPrefix(line, "|"):
			if !inTable { // the header row
				out = append(out, mdTable{heading: heading})
				inTable = true
				continue
			}
			if strings.HasPrefix(line, "|---") || strings.HasPrefix(line, "| ---") {
				continue
			}
			line = strings.ReplaceAll(line, `\|`, "\x00")
			cells := strings.Split(strings.Trim(line, "|"), "|")
			for i := range cells {
				cells[i] = strings.ReplaceAll(strings.TrimSpace(cells[i]), "\x00", `\|`)
			}
			out[len(out)-1].rows = append(out[len(out)-1].rows, cells)
		default:
			inTable = false
		}
	}
	return out
}

// mdCell is how REVIEW.md prints text in a table cell.
func mdCell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", " "), "|", `\|`)
}

var summaryCounts = regexp.MustCompile(`\*\*(\d+) PASS, (\d+) OPT-OUT, (\d+) NOT COVERED\*\* in all`)

// reviewDisagreements compares a REVIEW.md with the JSON of the same
// review, section by section and row by row, and lists every difference.
func reviewDisagreements(md string, j *report.ReviewJSON) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }

	if m := summaryCounts.FindStringSubmatch(md); m == nil {
		add("REVIEW.md has no summary counts")
	} else if got := fmt.Sprintf("%s/%s/%s", m[1], m[2], m[3]); got != fmt.Sprintf("%d/%d/%d", j.Summary.Pass, j.Summary.OptOut, j.Summary.NotCovered) {
		add("summary: REVIEW.md %s, JSON %d/%d/%d", got, j.Summary.Pass, j.Summary.OptOut, j.Summary.NotCovered)
	}

	tables := map[string][][]string{}
	var costTables [][][]string // in account order
	for _, t := range markdownTables(md) {
		if t.heading == "Monthly cost estimate" {
			if len(t.rows) > 0 && strings.HasPrefix(t.rows[len(t.rows)-1][0], "**Total**") {
				costTables = append(costTables, t.rows[:len(t.rows)-1])
			}
			continue
		}
		tables[t.heading] = t.rows
	}

	// What changed.
	changes := tables["What changed"]
	switch {
	case j.Changes == nil && changes != nil:
		add("REVIEW.md lists changes, the JSON has none")
	case j.Changes != nil:
		if len(changes) != len(j.Changes.Items) {
			add("changes: REVIEW.md %d rows, JSON %d", len(changes), len(j.Changes.Items))
		}
		for i := 0; i < len(changes) && i < len(j.Changes.Items); i++ {
			c := j.Changes.Items[i]
			if !strings.Contains(changes[i][2], "`"+c.Path+"`") || !strings.Contains(changes[i][0], c.Kind) || changes[i][1] != c.Stack {
				add("change %d: REVIEW.md %q, JSON %s %s/%s", i, changes[i], c.Kind, c.Stack, c.Path)
			}
		}
	}

	ct := tables["AWS Control Tower proactive controls"]
	if len(ct) != len(j.ControlTower.Exceptions) {
		add("Control Tower exceptions: REVIEW.md %d rows, JSON %d", len(ct), len(j.ControlTower.Exceptions))
	}
	for i := 0; i < len(ct) && i < len(j.ControlTower.Exceptions); i++ {
		e := j.ControlTower.Exceptions[i]
		where := "none of its stacks"
		if len(e.Stacks) > 0 {
			where = strings.Join(e.Stacks, ", ")
		}
		if ct[i][0] != e.Rule || ct[i][1] != "`"+e.Resource+"`" || ct[i][2] != mdCell(where) {
			add("Control Tower exception %d: REVIEW.md %q, JSON %s %s %v", i, ct[i][:3], e.Rule, e.Resource, e.Stacks)
		}
	}

	risks := tables["Residual risks of the access model"]
	if len(risks) != len(j.ResidualRisks) {
		add("residual risks: REVIEW.md %d rows, JSON %d", len(risks), len(j.ResidualRisks))
	}

	if len(costTables) != len(j.Accounts) {
		add("cost tables: REVIEW.md %d, JSON %d accounts", len(costTables), len(j.Accounts))
	}
	for ai, a := range j.Accounts {
		if ai < len(costTables) {
			lines := costTables[ai]
			if len(lines) != len(a.Cost.Lines) {
				add("account %s cost: REVIEW.md %d lines, JSON %d", a.Name, len(lines), len(a.Cost.Lines))
			}
			for i := 0; i < len(lines) && i < len(a.Cost.Lines); i++ {
				if lines[i][0] != mdCell(a.Cost.Lines[i].Item) {
					add("account %s cost line %d: REVIEW.md %q, JSON %q", a.Name, i, lines[i][0], a.Cost.Lines[i].Item)
				}
			}
		}
		for _, s := range a.Stacks {
			matrix := tables["Compliance matrix: "+s.Name]
			if len(matrix) != len(s.Matrix) {
				add("%s matrix: REVIEW.md %d rows, JSON %d", s.Name, len(matrix), len(s.Matrix))
			}
			for i := 0; i < len(matrix) && i < len(s.Matrix); i++ {
				m, row := s.Matrix[i], matrix[i]
				status := m.Status
				if m.Key != "" {
					status += " `" + m.Key + "`"
				}
				switch {
				case !strings.HasPrefix(row[0], "["+m.Control+"]"):
					add("%s matrix row %d: REVIEW.md control %s, JSON %s", s.Name, i, row[0], m.Control)
				case row[2] != status:
					add("%s %s: REVIEW.md status %q, JSON %q", s.Name, m.Control, row[2], status)
				case !strings.HasSuffix(row[3], mdCell(m.Reason)):
					add("%s %s: REVIEW.md reason %q, JSON %q", s.Name, m.Control, row[3], m.Reason)
				}
				for _, r := range m.Resources {
					if !strings.Contains(row[3], "`"+r.Path+"`") {
						add("%s %s: REVIEW.md does not name %s", s.Name, m.Control, r.Path)
					}
				}
			}
			alarms := tables["Alarms: "+s.Name]
			if len(alarms) != len(s.Alarms) {
				add("%s alarms: REVIEW.md %d rows, JSON %d", s.Name, len(alarms), len(s.Alarms))
			}
			for i := 0; i < len(alarms) && i < len(s.Alarms); i++ {
				if alarms[i][0] != mdCell(s.Alarms[i].Name) || alarms[i][3] != mdCell(s.Alarms[i].Threshold) {
					add("%s alarm %d: REVIEW.md %q, JSON %s %s", s.Name, i, alarms[i], s.Alarms[i].Name, s.Alarms[i].Threshold)
				}
			}
			if got := len(tables["Finding routes: "+s.Name]); got != len(s.Routes) {
				add("%s routes: REVIEW.md %d rows, JSON %d", s.Name, got, len(s.Routes))
			}
			roles := tables["Roles: "+s.Name]
			if len(roles) != len(s.Roles) {
				add("%s roles: REVIEW.md %d rows, JSON %d", s.Name, len(roles), len(s.Roles))
			}
			for i := 0; i < len(roles) && i < len(s.Roles); i++ {
				if roles[i][1] != mdCell(s.Roles[i].Trusted) || roles[i][4] != mdCell(s.Roles[i].Permissions) {
					add("%s role %d: REVIEW.md %q, JSON %+v", s.Name, i, roles[i], s.Roles[i])
				}
			}
		}
	}
	return out
}

func reviewJSON(t testing.TB, r *report.Review) *report.ReviewJSON {
	t.Helper()
	data, err := r.MarshalJSONReport()
	if err != nil {
		t.Fatal(err)
	}
	// Through the bytes, as a pipeline reads it.
	var j report.ReviewJSON
	if err := json.Unmarshal(data, &j); err != nil {
		t.Fatal(err)
	}
	return &j
}

func TestReviewJSONAgreesWithMarkdown(t *testing.T) {
	base, head := prAssemblies(t)
	for _, c := range []struct {
		name string
		r    *report.Review
	}{
		{"the example", exampleReview(t)},
		{"a review with changes", buildReview(t, head, base, report.DefaultAssumptions())},
	} {
		t.Run(c.name, func(t *testing.T) {
			md := string(c.r.Markdown())
			j := reviewJSON(t, c.r)
			if diffs := reviewDisagreements(md, j); len(diffs) > 0 {
				t.Fatalf("REVIEW.md and the JSON disagree:\n%s", strings.Join(diffs, "\n"))
			}
			rows, alarms, roles := 0, 0, 0
			for _, a := range j.Accounts {
				for _, s := range a.Stacks {
					rows, alarms, roles = rows+len(s.Matrix), alarms+len(s.Alarms), roles+len(s.Roles)
				}
			}
			if rows == 0 || alarms == 0 || roles == 0 || len(j.ResidualRisks) == 0 || len(j.ControlTower.Exceptions) == 0 {
				t.Fatalf("compared too little: %d matrix rows, %d alarms, %d roles, %d residual risks, %d Control Tower exceptions", rows, alarms, roles, len(j.ResidualRisks), len(j.ControlTower.Exceptions))
			}
			t.Logf("agree on %d matrix rows, %d alarms, %d roles, %d residual risks, %d Control Tower exceptions, %d accounts' cost", rows, alarms, roles, len(j.ResidualRisks), len(j.ControlTower.Exceptions), len(j.Accounts))

			// The comparison catches a JSON that drifted from the Markdown.
			for _, breakIt := range []struct {
				what string
				fn   func(j *report.ReviewJSON)
			}{
				{"a flipped status", func(j *report.ReviewJSON) { j.Accounts[0].Stacks[0].Matrix[3].Status = "PASS?" }},
				{"a lost alarm", func(j *report.ReviewJSON) {
					s := &j.Accounts[0].Stacks[0]
					s.Alarms = s.Alarms[1:]
				}},
				{"a changed reason", func(j *report.ReviewJSON) { j.Accounts[0].Stacks[0].Matrix[0].Reason += " (edited)" }},
				{"a lost cost line", func(j *report.ReviewJSON) { j.Accounts[0].Cost.Lines = j.Accounts[0].Cost.Lines[1:] }},
				{"a wrong summary", func(j *report.ReviewJSON) { j.Summary.NotCovered++ }},
				{"a lost Control Tower exception", func(j *report.ReviewJSON) { j.ControlTower.Exceptions = j.ControlTower.Exceptions[1:] }},
			} {
				broken := reviewJSON(t, c.r)
				breakIt.fn(broken)
				if diffs := reviewDisagreements(md, broken); len(diffs) == 0 {
					t.Errorf("the comparison misses %s", breakIt.what)
				}
			}
		})
	}
}

// The two assemblies of a pull request: the base branch's config, and the
// head's, which turns GuardDuty off (its detector, a stateful resource, is
// removed and GuardDuty.1 becomes OPT-OUT), keeps CloudWatch Logs events
// longer (changed in place) and adds a recipient (a new subscription).
const prBaseConfig = `homeRegion: us-east-1
regions: [us-east-1]
notifications:
  emails: [security@example.com]
accounts:
  - name: Ci
    id: "100000000081"
`

var prHeadConfig = strings.Replace(prBaseConfig, "[security@example.com]", "[security@example.com, oncall@example.com]", 1) +
	"    guardDuty: {mode: skip}\n    trail: {logRetentionDays: 731}\n"

var prBase, prHead cached

func prAssemblies(t testing.TB) (base, head *assembly.Assembly) {
	synth := func(yaml, name string) func(testing.TB) *assembly.Assembly {
		return func(t testing.TB) *assembly.Assembly {
			cfg, err := config.Parse([]byte(yaml), name)
			if err != nil {
				t.Fatal(err)
			}
			return synthConfig(t, cfg)
		}
	}
	return prBase.get(t, synth(prBaseConfig, "base.yaml")), prHead.get(t, synth(prHeadConfig, "head.yaml"))
}

func TestPRCommentOnTwoRealAssemblies(t *testing.T) {
	base, head := prAssemblies(t)
	baseJ := reviewJSON(t, buildReview(t, base, nil, report.DefaultAssumptions()))
	headJ := reviewJSON(t, buildReview(t, head, base, report.DefaultAssumptions()))

	comment, blocked, err := report.PRComment(headJ, baseJ, report.PRCommentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the comment (%d bytes):\n%s", len(comment), comment)
	// README shows this very comment as the sample.
	if readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md")); err != nil || !strings.Contains(string(readme), "````markdown\n"+comment+"````\n") {
		t.Errorf("README's sample pull-request comment is not the one this test produces (%v); paste the comment above into README", err)
	}
	if !blocked {
		t.Error("a removed GuardDuty detector must block the job")
	}
	lines := strings.Split(comment, "\n")
	if lines[0] != report.PRCommentMarker {
		t.Errorf("the comment must start with the marker the workflow finds it by, got %q", lines[0])
	}
	// The stateful rows come before every other change row.
	var kinds []string
	for _, l := range lines {
		if strings.HasPrefix(l, "| **removed (stateful)**") || strings.HasPrefix(l, "| **replaced (stateful)**") {
			kinds = append(kinds, "stateful")
		} else if strings.HasPrefix(l, "| added |") || strings.HasPrefix(l, "| changed in place |") || strings.HasPrefix(l, "| removed |") || strings.HasPrefix(l, "| replaced |") {
			kinds = append(kinds, "other")
		}
	}
	if len(kinds) == 0 || kinds[0] != "stateful" || strings.Contains(strings.Join(kinds, ","), "other,stateful") {
		t.Errorf("stateful replacements and removals must come first, got %v", kinds)
	}
	for _, want := range []string{
		"**Blocked: 1 stateful resource(s) replaced or removed.**",
		"add the label `baseline-allow-replacement` and run the job again",
		"| **removed (stateful)** | Ci-us-east-1 | **`GuardDuty`** | AWS::GuardDuty::Detector | retained (DeletionPolicy Retain): it stays in the account, no longer managed |",
		"| added | Ci-us-east-1 | `Alarms/Email-oncall@example.com` | AWS::SNS::Subscription |  |",
		"| changed in place | Ci-us-east-1 | `AuditTrail/LogGroup` | AWS::Logs::LogGroup | RetentionInDays |",
		"| Ci-us-east-1 | [GuardDuty.1](https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html#guardduty-1) | PASS | OPT-OUT |",
		"| **Total** |",
	} {
		if !strings.Contains(comment, want) {
			t.Errorf("the comment lacks %q", want)
		}
	}
	if headJ.Summary.MonthlyUSD >= baseJ.Summary.MonthlyUSD {
		t.Errorf("turning GuardDuty off should cost less: base %v, head %v", baseJ.Summary.MonthlyUSD, headJ.Summary.MonthlyUSD)
	}
	if !strings.Contains(comment, "| -$") {
		t.Error("the cost table shows no saving")
	}

	// The label allows it: the same comment says so, and the job passes.
	allowed, blocked, err := report.PRComment(headJ, baseJ, report.PRCommentOptions{AllowReplacement: true})
	if err != nil || blocked {
		t.Fatalf("with the label: blocked %v, err %v", blocked, err)
	}
	if !strings.Contains(allowed, "**Allowed by the label `baseline-allow-replacement`: 1 stateful resource(s) replaced or removed.**") {
		t.Errorf("the allowed comment does not say what the label allowed:\n%s", allowed)
	}

	// Negative: a head without stateful changes passes; a head review
	// without --previous is an error, never a silent pass.
	same := reviewJSON(t, buildReview(t, base, base, report.DefaultAssumptions()))
	if text, blocked, err := report.PRComment(same, baseJ, report.PRCommentOptions{}); err != nil || blocked || !strings.Contains(text, "No stateful resource is replaced or removed.") {
		t.Errorf("an unchanged assembly: blocked %v, err %v\n%s", blocked, err, text)
	}
	if _, _, err := report.PRComment(baseJ, nil, report.PRCommentOptions{}); err == nil || err.Error() != "pr-comment: the head review has no changes; make it with review --previous <the base branch's cdk.out> --format json" {
		t.Errorf("a head review without changes: %v", err)
	}
}

// TestReviewAndPRCommentCommands runs the steps of examples/ci/review-pr.sh
// with the real binary on the two assemblies: the exit codes are the
// pipeline's contract (0 pass, 3 the review says stop, 1 could not run).
func TestReviewAndPRCommentCommands(t *testing.T) {
	base, head := prAssemblies(t)
	bin := buildApp(t)
	baseDir, headDir := copyAssembly(t, base), copyAssembly(t, head)
	work := t.TempDir()
	run := func(args ...string) (stdout string, stderr string, code int) {
		cmd := exec.Command(bin, args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var exit *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &exit):
			code = exit.ExitCode()
		default:
			t.Fatal(err)
		}
		return o.String(), e.String(), code
	}
	write := func(name, data string) string {
		p := filepath.Join(work, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	out, errOut, code := run("review", "--assembly", baseDir, "--format", "json")
	if code != 0 {
		t.Fatalf("review of the base: exit %d: %s", code, errOut)
	}
	baseJSON := write("base.json", out)
	out, errOut, code = run("review", "--assembly", headDir, "--previous", baseDir, "--format", "json", "--fail-on", "replacement")
	if code != report.ExitPolicy || errOut != "error: the review fails the pipeline: 1 stateful resource(s) replaced or removed: removed Ci-us-east-1/GuardDuty (--fail-on replacement)\n" {
		t.Errorf("review --fail-on replacement: exit %d, stderr %q", code, errOut)
	}
	var j report.ReviewJSON
	if err := json.Unmarshal([]byte(out), &j); err != nil || j.SchemaVersion != report.ReviewJSONVersion || j.Changes == nil {
		t.Fatalf("the JSON on stdout: %v, %+v", err, j.Changes)
	}
	if _, err := os.Stat(filepath.Join(headDir, "REVIEW.md")); err != nil {
		t.Errorf("review --format json must still write REVIEW.md: %v", err)
	}
	headJSON := write("head.json", out)

	// --fail-on opt-out,not-covered fails exactly when the JSON counts
	// such rows (the head has GuardDuty.1 OPT-OUT).
	if j.Summary.OptOut == 0 {
		t.Fatal("the head should have an OPT-OUT row")
	}
	if _, errOut, code = run("review", "--assembly", headDir, "--fail-on", "opt-out,not-covered"); code != report.ExitPolicy || !strings.Contains(errOut, fmt.Sprintf("%d matrix row(s) OPT-OUT (--fail-on opt-out)", j.Summary.OptOut)) {
		t.Errorf("review --fail-on opt-out,not-covered on the head: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code = run("review", "--assembly", headDir); code != 0 {
		t.Errorf("review without --fail-on: exit %d, stderr %q", code, errOut)
	}

	comment, errOut, code := run("pr-comment", "--review", headJSON, "--previous", baseJSON)
	if code != report.ExitPolicy || !strings.HasPrefix(comment, report.PRCommentMarker) {
		t.Errorf("pr-comment: exit %d, stderr %q", code, errOut)
	}
	if _, errOut, code = run("pr-comment", "--review", headJSON, "--previous", baseJSON, "--allow-replacement"); code != 0 {
		t.Errorf("pr-comment --allow-replacement: exit %d, stderr %q", code, errOut)
	}
	// Could not run: exit 1, with the fix in the message.
	if _, errOut, code = run("pr-comment", "--review", baseJSON); code != 1 || !strings.Contains(errOut, "make it with review --previous") {
		t.Errorf("pr-comment on a review without changes: exit %d, stderr %q", code, errOut)
	}
	notReview := write("other.json", `{"schemaVersion": 2, "tool": "cdk-baseline"}`)
	if _, errOut, code = run("pr-comment", "--review", notReview); code != 1 || !strings.Contains(errOut, "is not a cdk-baseline review of version 1") {
		t.Errorf("pr-comment on another version: exit %d, stderr %q", code, errOut)
	}
}
