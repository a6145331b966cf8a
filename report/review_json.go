package report

import (
	"encoding/json"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/diff"
)

// The machine-readable review: `review --format json` prints the same
// report as REVIEW.md as one JSON document, for pipelines (README "The
// review as JSON" documents the shape). Both are rendered from the same
// Review value, so they cannot disagree on a verdict.

// ReviewJSONVersion is the shape's version. It changes only when a field is
// removed, renamed or changes meaning; new fields may appear in the same
// version, so a reader must ignore fields it does not know.
const ReviewJSONVersion = 1

// ReviewJSON is the document `review --format json` prints.
type ReviewJSON struct {
	// SchemaVersion is ReviewJSONVersion.
	SchemaVersion int `json:"schemaVersion"`
	// Tool is always "cdk-baseline"; ToolVersion the baseline:version tag
	// of the assembly's stacks.
	Tool        string `json:"tool"`
	ToolVersion string `json:"toolVersion"`
	// Assembly is the directory of the reviewed cloud assembly.
	Assembly string `json:"assembly"`
	// Summary holds the totals of the whole assembly.
	Summary SummaryJSON `json:"summary"`
	// Changes is null without --previous.
	Changes *ChangesJSON `json:"changes"`
	// ResidualRisks are the access model's residual risks; empty when the
	// assembly deploys no roles (REVIEW.md then has no such section).
	ResidualRisks []ResidualRiskJSON `json:"residualRisks"`
	Accounts      []AccountJSON      `json:"accounts"`
	// ControlTower lists the AWS Control Tower proactive controls that
	// resources fail on purpose (policies/controltower.yaml), with the
	// stacks of this assembly that hold each resource.
	ControlTower ControlTowerJSON `json:"controlTower"`
	// Assumptions are the cost model's inputs.
	Assumptions AssumptionsJSON `json:"assumptions"`
}

// SummaryJSON is REVIEW.md's summary line: the matrix verdicts of every
// stack, and the estimated monthly cost of every account.
type SummaryJSON struct {
	Stacks     int     `json:"stacks"`
	Accounts   int     `json:"accounts"`
	Pass       int     `json:"pass"`
	OptOut     int     `json:"optOut"`
	NotCovered int     `json:"notCovered"`
	MonthlyUSD float64 `json:"monthlyUsd"`
}

// ChangesJSON is REVIEW.md's "What changed".
type ChangesJSON struct {
	// Previous is the directory of the assembly compared with.
	Previous string `json:"previous"`
	Replaced int    `json:"replaced"`
	Removed  int    `json:"removed"`
	Added    int    `json:"added"`
	Modified int    `json:"modified"`
	// StatefulReplacedOrRemoved counts the rows REVIEW.md prints in bold:
	// a stateful resource replaced or removed loses data or history.
	StatefulReplacedOrRemoved int          `json:"statefulReplacedOrRemoved"`
	Items                     []ChangeJSON `json:"items"`
}

// ChangeJSON is one changed resource.
type ChangeJSON struct {
	// Kind is "replaced", "removed", "added" or "changed in place".
	Kind     string `json:"kind"`
	Stack    string `json:"stack"`
	ID       string `json:"logicalId"`
	Path     string `json:"path"`
	Type     string `json:"type"`
	Stateful bool   `json:"stateful"`
	Why      string `json:"why"`
}

// ControlTowerJSON is REVIEW.md's "AWS Control Tower proactive controls".
type ControlTowerJSON struct {
	// Source is the controls' reference page.
	Source string `json:"source"`
	// Error says why the list could not be read; then Exceptions is empty.
	Error      string                   `json:"error"`
	Exceptions []ControlTowerExceptJSON `json:"exceptions"`
}

// ControlTowerExceptJSON is one control that one resource fails on
// purpose.
type ControlTowerExceptJSON struct {
	Rule     string `json:"rule"`
	Resource string `json:"resource"`
	// Stacks of this assembly that hold the resource; empty for none.
	Stacks []string `json:"stacks"`
	Reason string   `json:"reason"`
	Doc    string   `json:"doc"`
}

// ResidualRiskJSON is one residual risk of the access model.
type ResidualRiskJSON struct {
	Path       string `json:"path"`
	Why        string `json:"why"`
	Mitigation string `json:"mitigation"`
}

// AccountJSON is one account: its cost estimate and its stacks.
type AccountJSON struct {
	Name   string      `json:"name"`
	ID     string      `json:"id"`
	Cost   CostJSON    `json:"cost"`
	Stacks []StackJSON `json:"stacks"`
}

// CostJSON is an account's monthly estimate.
type CostJSON struct {
	TotalUSD float64          `json:"totalUsd"`
	Lines    []CostLineJSON   `json:"lines"`
	Options  []CostOptionJSON `json:"options"`
}

// CostLineJSON is one line item.
type CostLineJSON struct {
	Item    string  `json:"item"`
	Formula string  `json:"formula"`
	USD     float64 `json:"usd"`
}

// CostOptionJSON is the effect of turning one cost option the other way.
type CostOptionJSON struct {
	Key      string  `json:"key"`
	Now      string  `json:"now"`
	Then     string  `json:"then"`
	DeltaUSD float64 `json:"deltaUsd"`
	Note     string  `json:"note"`
}

// StackJSON is one stack's part of the report.
type StackJSON struct {
	Name      string          `json:"name"`
	Region    string          `json:"region"`
	Home      bool            `json:"home"`
	Resources int             `json:"resources"`
	Matrix    []MatrixRowJSON `json:"matrix"`
	Alarms    []AlarmJSON     `json:"alarms"`
	Routes    []RouteJSON     `json:"routes"`
	Roles     []RoleJSON      `json:"roles"`
}

// MatrixRowJSON is one Security Hub control's verdict in one stack.
type MatrixRowJSON struct {
	Control string `json:"control"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	// Status is "PASS", "OPT-OUT" or "NOT COVERED".
	Status string `json:"status"`
	// Key is the config key behind an OPT-OUT, else "".
	Key string `json:"key"`
	// Resources satisfy the control (PASS), or do so in part.
	Resources []ResourceRefJSON `json:"resources"`
	// Reason explains NOT COVERED and qualifies the other verdicts.
	Reason string `json:"reason"`
}

// ResourceRefJSON names a resource by stack and construct path.
type ResourceRefJSON struct {
	Stack string `json:"stack"`
	Path  string `json:"path"`
}

// AlarmJSON is one security alarm.
type AlarmJSON struct {
	Name       string   `json:"name"`
	Controls   []string `json:"controls"`
	Pattern    string   `json:"pattern"`
	Threshold  string   `json:"threshold"`
	Recipients []string `json:"recipients"`
}

// RouteJSON is one EventBridge rule that sends findings to people.
type RouteJSON struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Targets     []string `json:"targets"`
}

// RoleJSON is one IAM role.
type RoleJSON struct {
	Name        string `json:"name"`
	Path        string `json:"path"`
	Trusted     string `json:"trusted"`
	Conditions  string `json:"conditions"`
	MaxSession  string `json:"maxSession"`
	Permissions string `json:"permissions"`
}

// AssumptionsJSON are the cost model's inputs.
type AssumptionsJSON struct {
	AsOf     string      `json:"asOf"`
	Region   string      `json:"region"`
	Currency string      `json:"currency"`
	Source   string      `json:"source"`
	Usage    []InputJSON `json:"usage"`
	Prices   []InputJSON `json:"prices"`
}

// InputJSON is one number of the cost model.
type InputJSON struct {
	Name       string  `json:"name"`
	Value      float64 `json:"value"`
	Unit       string  `json:"unit"`
	Source     string  `json:"source,omitempty"`
	Overridden bool    `json:"overridden"`
}

// JSON builds the machine-readable report. Lists are never null, so that a
// reader can iterate without checks.
func (r *Review) JSON() (*ReviewJSON, error) {
	out := &ReviewJSON{
		SchemaVersion: ReviewJSONVersion,
		Tool:          "cdk-baseline",
		ToolVersion:   r.Version,
		Assembly:      r.Dir,
		ResidualRisks: []ResidualRiskJSON{},
		Accounts:      []AccountJSON{},
	}
	c := r.Counts()
	out.Summary = SummaryJSON{Accounts: len(r.Accounts), Pass: c[Pass], OptOut: c[OptOut], NotCovered: c[NotCovered]}
	if r.Diff != nil {
		ch := &ChangesJSON{Previous: r.Diff.Previous, Items: []ChangeJSON{}}
		for _, x := range r.Diff.Changes {
			switch x.Kind {
			case diff.Replaced:
				ch.Replaced++
			case diff.Removed:
				ch.Removed++
			case diff.Added:
				ch.Added++
			case diff.Modified:
				ch.Modified++
			}
			if statefulLoss(x) {
				ch.StatefulReplacedOrRemoved++
			}
			ch.Items = append(ch.Items, ChangeJSON{Kind: string(x.Kind), Stack: x.Stack, ID: x.ID, Path: x.Path, Type: x.Type, Stateful: x.Stateful, Why: x.Why})
		}
		out.Changes = ch
	}
	if r.hasRoles() {
		risks, err := policies.ResidualRisks()
		if err != nil {
			return nil, err
		}
		for _, rk := range risks {
			out.ResidualRisks = append(out.ResidualRisks, ResidualRiskJSON(rk))
		}
	}
	for _, a := range r.Accounts {
		aj := AccountJSON{Name: a.Name, ID: a.ID, Stacks: []StackJSON{}}
		aj.Cost = CostJSON{TotalUSD: a.Cost.Total, Lines: []CostLineJSON{}, Options: []CostOptionJSON{}}
		for _, l := range a.Cost.Lines {
			aj.Cost.Lines = append(aj.Cost.Lines, CostLineJSON(l))
		}
		for _, o := range a.Cost.Options {
			aj.Cost.Options = append(aj.Cost.Options, CostOptionJSON(o))
		}
		out.Summary.MonthlyUSD += a.Cost.Total
		for _, s := range a.Stacks {
			out.Summary.Stacks++
			aj.Stacks = append(aj.Stacks, stackJSON(s))
		}
		out.Accounts = append(out.Accounts, aj)
	}
	out.Summary.MonthlyUSD = round(out.Summary.MonthlyUSD, 2)
	out.ControlTower = ControlTowerJSON{Source: r.ControlTowerSource, Error: r.ControlTowerError, Exceptions: []ControlTowerExceptJSON{}}
	for _, row := range r.ControlTower {
		out.ControlTower.Exceptions = append(out.ControlTower.Exceptions, ControlTowerExceptJSON{
			Rule: row.Rule, Resource: row.Resource, Stacks: nonNil(row.Stacks), Reason: row.Reason, Doc: row.Doc,
		})
	}
	if a := r.Assumptions; a != nil {
		out.Assumptions = AssumptionsJSON{AsOf: a.AsOf, Region: a.Region, Currency: a.Currency, Source: a.Source, Usage: inputsJSON(a.Usage), Prices: inputsJSON(a.Prices)}
	}
	return out, nil
}

// MarshalJSONReport renders the machine-readable report, indented.
func (r *Review) MarshalJSONReport() ([]byte, error) {
	j, err := r.JSON()
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

func stackJSON(s StackReview) StackJSON {
	sj := StackJSON{
		Name: s.Stack.Name, Region: s.Stack.Region, Home: s.Home, Resources: len(s.Stack.Template.Resources),
		Matrix: []MatrixRowJSON{}, Alarms: []AlarmJSON{}, Routes: []RouteJSON{}, Roles: []RoleJSON{},
	}
	for _, row := range s.Matrix {
		m := MatrixRowJSON{
			Control: row.Control.ID, Title: row.Control.Title, URL: row.Control.URL(),
			Status: string(row.Result.Status), Key: row.Result.Key, Reason: row.Result.Why, Resources: []ResourceRefJSON{},
		}
		for _, by := range row.Result.By {
			m.Resources = append(m.Resources, ResourceRefJSON{Stack: by.Stack.Name, Path: by.Path()})
		}
		sj.Matrix = append(sj.Matrix, m)
	}
	for _, al := range s.Alarms {
		sj.Alarms = append(sj.Alarms, AlarmJSON{Name: al.Name, Controls: nonNil(al.Controls), Pattern: al.Pattern, Threshold: al.Threshold, Recipients: nonNil(al.Recipients)})
	}
	for _, rt := range s.Routes {
		sj.Routes = append(sj.Routes, RouteJSON{Name: rt.Name, Description: rt.Description, Targets: nonNil(rt.Targets)})
	}
	for _, rl := range s.Roles {
		sj.Roles = append(sj.Roles, RoleJSON(rl))
	}
	return sj
}

func inputsJSON(in []*Input) []InputJSON {
	out := []InputJSON{}
	for _, i := range in {
		out = append(out, InputJSON{Name: i.Name, Value: i.Value, Unit: i.Unit, Source: i.Source, Overridden: i.Overridden})
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// hasRoles reports whether any stack deploys roles of the access model:
// REVIEW.md lists the residual risks only then.
func (r *Review) hasRoles() bool {
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			if len(s.Roles) > 0 {
				return true
			}
		}
	}
	return false
}

// statefulLoss is a change REVIEW.md prints in bold: a stateful resource
// replaced or removed, which loses the data or history it held.
func statefulLoss(c diff.Change) bool {
	return c.Stateful && (c.Kind == diff.Replaced || c.Kind == diff.Removed)
}
