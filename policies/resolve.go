package policies

import (
	"fmt"
	"slices"
	"strings"
)

// AlarmChoices are one deployment's changes to the catalog: which entries
// are on, and with which threshold. The zero value keeps the catalog's
// defaults: every entry that is not opt-in, with its own threshold.
type AlarmChoices struct {
	// Enable turns on opt-in entries, by id.
	Enable []string
	// Disable turns entries off, by id. It wins over Enable.
	Disable []string
	// Thresholds replace the catalog's thresholds, by id.
	Thresholds map[string]float64
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
// the catalog, in catalog order. Ids that name no entry, enabling an entry
// that is not opt-in, non-positive thresholds and parameters that cannot be
// rendered are errors, all reported together.
func Resolve(catalog []Alarm, c AlarmChoices, p AlarmParams) ([]Resolved, error) {
	var errs []string
	byID := map[string]Alarm{}
	for _, a := range catalog {
		byID[a.ID] = a
	}
	known := func(what, id string) bool {
		if _, ok := byID[id]; !ok {
			errs = append(errs, fmt.Sprintf("%s: %q is not an alarm id of the catalog", what, id))
			return false
		}
		return true
	}
	for _, id := range c.Enable {
		if known("enable", id) && !byID[id].OptIn {
			errs = append(errs, fmt.Sprintf("enable: %s is not opt-in; it is on unless disabled", id))
		}
	}
	for _, id := range c.Disable {
		known("disable", id)
	}
	ids := make([]string, 0, len(c.Thresholds))
	for id := range c.Thresholds {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if t := c.Thresholds[id]; known("thresholds", id) && !(t > 0) {
			errs = append(errs, fmt.Sprintf("thresholds: %s: must be > 0, got %v", id, t))
		}
	}

	out := make([]Resolved, 0, len(catalog))
	for _, a := range catalog {
		r := Resolved{Alarm: a}
		r.Controls = slices.Clone(a.Controls)
		if t, ok := c.Thresholds[a.ID]; ok {
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
