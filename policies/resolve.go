package policies

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
)

// AlarmChoices are one deployment's changes to the catalog: which entries
// are on, and with which threshold. The zero value keeps the catalog's
// defaults: every entry that is not opt-in, with its own threshold.
//
// The rules these choices must follow live here only (Problems): the config
// reports them with the config's field paths and lines, Resolve refuses
// choices that break them.
type AlarmChoices struct {
	// Enable turns on opt-in entries, by id.
	Enable []string
	// Disable turns entries off, by id. An id is in Enable or Disable, not
	// both.
	Disable []string
	// Thresholds replace the catalog's thresholds, one override per id.
	Thresholds []AlarmThreshold
}

// AlarmThreshold replaces the threshold of one catalog entry.
type AlarmThreshold struct {
	// ID is the catalog entry's id, e.g. UnauthorizedApiCalls.
	ID string `yaml:"id"`
	// Threshold is how many matching events in one period (5 minutes)
	// fire the alarm; greater than 0.
	Threshold float64 `yaml:"threshold"`
}

// ChoiceProblem is a selection rule that choices break: Path is the field,
// relative to the choices' prefix (alarms.enable[0], alarms.thresholds[1].id).
type ChoiceProblem struct{ Path, Msg string }

func (p ChoiceProblem) String() string { return p.Path + ": " + p.Msg }

// ThresholdProblem says what is wrong with an alarm threshold, or is "" for
// a good one. The catalog, the choices and the construct all use it.
func ThresholdProblem(t float64) string {
	if t > 0 && !math.IsInf(t, 0) {
		return ""
	}
	return fmt.Sprintf("must be greater than 0, got %v; it is how many matching events in one period fire the alarm", t)
}

// Problems checks the choices against the catalog: every id names an entry
// and is listed once; enable lists only opt-in entries; no id is both
// enabled and disabled; every threshold is greater than 0. Paths start with
// prefix, the place of the choices in their file (e.g. "alarms.").
func (c AlarmChoices) Problems(catalog []Alarm, prefix string) []ChoiceProblem {
	var ps []ChoiceProblem
	add := func(path, format string, args ...any) {
		ps = append(ps, ChoiceProblem{prefix + path, fmt.Sprintf(format, args...)})
	}
	byID := map[string]Alarm{}
	var ids, optIn []string
	for _, a := range catalog {
		byID[a.ID] = a
		ids = append(ids, a.ID)
		if a.OptIn {
			optIn = append(optIn, a.ID)
		}
	}
	// checkID reports an id that names no entry, or is listed twice.
	checkID := func(path, id string, list []string, i int) bool {
		_, known := byID[id]
		switch {
		case id == "":
			add(path, "required; the id of a catalog entry, e.g. %s", ids[0])
		case !known:
			add(path, "%q is not an alarm of the catalog; %s", id, idHint(id, ids))
		case slices.Index(list, id) < i:
			add(path, "%q is listed twice", id)
		default:
			return true
		}
		return false
	}
	for i, id := range c.Enable {
		path := fmt.Sprintf("enable[%d]", i)
		if checkID(path, id, c.Enable, i) && !byID[id].OptIn {
			add(path, "%s is on unless disabled; enable lists only opt-in entries (%s)", id, strings.Join(optIn, ", "))
		}
	}
	for i, id := range c.Disable {
		path := fmt.Sprintf("disable[%d]", i)
		if checkID(path, id, c.Disable, i) && slices.Contains(c.Enable, id) {
			add(path, "%s is also in %senable; keep it in one of the two lists (an account's own enable list replaces the inherited one)", id, prefix)
		}
	}
	var thresholdIDs []string
	for i, t := range c.Thresholds {
		path := fmt.Sprintf("thresholds[%d]", i)
		thresholdIDs = append(thresholdIDs, t.ID)
		checkID(path+".id", t.ID, thresholdIDs, i)
		if msg := ThresholdProblem(t.Threshold); msg != "" {
			add(path+".threshold", "%s", msg)
		}
	}
	return ps
}

// idHint suggests the catalog id closest to a mistyped one, or lists them.
func idHint(id string, ids []string) string {
	if best := strictyaml.Closest(id, ids, 3); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "the ids are " + strings.Join(ids, ", ")
}

// Resolved is one catalog entry as a deployment sees it.
type Resolved struct {
	// Alarm is the entry with the deployment's threshold; when the entry is
	// on, Pattern is rendered (no template actions left).
	Alarm
	// Off says why the entry is not deployed, or is "" when it is.
	Off string
}

// Reasons an entry is off, as Resolved.Off.
const (
	OffNotEnabled = "opt-in, not enabled"
	OffDisabled   = "disabled"
	offRequires   = "requires %s, which is not set"
)

// Resolve applies a deployment's choices and parameters to every entry of
// the catalog, in catalog order. Choices that break the rules of Problems
// and parameters that cannot be rendered are errors, all reported together.
func Resolve(catalog []Alarm, c AlarmChoices, p AlarmParams) ([]Resolved, error) {
	var errs []string
	for _, problem := range c.Problems(catalog, "") {
		errs = append(errs, problem.String())
	}
	thresholds := map[string]float64{}
	for _, t := range c.Thresholds {
		thresholds[t.ID] = t.Threshold
	}

	out := make([]Resolved, 0, len(catalog))
	for _, a := range catalog {
		r := Resolved{Alarm: a}
		r.Controls = slices.Clone(a.Controls)
		if t, ok := thresholds[a.ID]; ok {
			r.Threshold = t
		}
		switch {
		case slices.Contains(c.Disable, a.ID):
			r.Off = OffDisabled
		case a.OptIn && !slices.Contains(c.Enable, a.ID):
			r.Off = OffNotEnabled
		case !a.RequirementMet(p):
			r.Off = fmt.Sprintf(offRequires, a.Requires)
		default:
			pattern, err := a.RenderPattern(p)
			if err != nil {
				errs = append(errs, err.Error())
			}
			r.Pattern = pattern
		}
		out = append(out, r)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("alarm choices: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// Deployed returns the entries that are on, in catalog order.
func Deployed(rs []Resolved) []Alarm {
	var out []Alarm
	for _, r := range rs {
		if r.Off == "" {
			out = append(out, r.Alarm)
		}
	}
	return out
}
