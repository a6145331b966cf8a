package policies

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed globalcontrols.yaml
var globalControlsYAML []byte

// GlobalControls is globalcontrols.yaml: the Security Hub controls that
// check global resources, which AWS advises to disable in every region
// except the one where AWS Config records global resource types.
type GlobalControls struct {
	Source    string `yaml:"source"`    // the user guide page the list comes from
	Retrieved string `yaml:"retrieved"` // when it was copied, YYYY-MM-DD
	// Controls are the security control ids to disable outside the
	// recording region.
	Controls []string `yaml:"controls"`
	// KeptEnabled are global-resource controls that exist in one region
	// only, which the page says to leave enabled.
	KeptEnabled []string             `yaml:"keptEnabled"`
	Standards   []GlobalStandardList `yaml:"standards"`
}

// GlobalStandardList is one standard's share of Controls.
type GlobalStandardList struct {
	// Standard is the standard's ARN after "standards/", as in
	// securityHub.standards.
	Standard string            `yaml:"standard"`
	Controls []StandardControl `yaml:"controls"`
}

// StandardControl is a security control as one standard names it.
type StandardControl struct {
	Control string `yaml:"control"` // security control id, e.g. IAM.9
	ID      string `yaml:"id"`      // the standard's id, e.g. 1.4 in CIS v5.0.0
}

var (
	globalOnce sync.Once
	globalList GlobalControls
	globalErr  error
)

// GlobalResourceControls returns the embedded list, parsed and checked
// once.
func GlobalResourceControls() (GlobalControls, error) {
	globalOnce.Do(func() {
		globalList, globalErr = ParseGlobalControls(globalControlsYAML, "policies/globalcontrols.yaml")
	})
	return globalList, globalErr
}

// MustGlobalResourceControls is GlobalResourceControls for callers that
// cannot go on without it (the embedded file is checked by the tests).
func MustGlobalResourceControls() GlobalControls {
	g, err := GlobalResourceControls()
	if err != nil {
		panic(err)
	}
	return g
}

// ParseGlobalControls decodes a list strictly (unknown keys, wrong types)
// and checks that every standard's controls are in Controls, once each.
func ParseGlobalControls(data []byte, source string) (GlobalControls, error) {
	var g GlobalControls
	if err := yaml.UnmarshalWithOptions(data, &g, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return GlobalControls{}, fmt.Errorf("%s:%d: %s", source, yamlErrorLine(err), yamlErrorMessage(err))
	}
	switch {
	case g.Source == "" || g.Retrieved == "":
		return GlobalControls{}, fmt.Errorf("%s: source and retrieved are required", source)
	case len(g.Controls) == 0:
		return GlobalControls{}, fmt.Errorf("%s: controls is empty", source)
	}
	var seenStd []string
	for i, s := range g.Standards {
		if slices.Contains(seenStd, s.Standard) {
			return GlobalControls{}, fmt.Errorf("%s: standards[%d]: %s is listed twice", source, i, s.Standard)
		}
		seenStd = append(seenStd, s.Standard)
		var seen []string
		for j, c := range s.Controls {
			p := fmt.Sprintf("%s: standards[%d].controls[%d]", source, i, j)
			switch {
			case !slices.Contains(g.Controls, c.Control):
				return GlobalControls{}, fmt.Errorf("%s: %q is not in controls", p, c.Control)
			case c.ID == "":
				return GlobalControls{}, fmt.Errorf("%s: %s has no id", p, c.Control)
			case slices.Contains(seen, c.Control):
				return GlobalControls{}, fmt.Errorf("%s: %s is listed twice", p, c.Control)
			}
			seen = append(seen, c.Control)
		}
	}
	return g, nil
}

// In returns the controls of Controls that a standard holds, in file
// order; none for a standard the list does not know.
func (g GlobalControls) In(standard string) []StandardControl {
	for _, s := range g.Standards {
		if s.Standard == standard {
			return slices.Clone(s.Controls)
		}
	}
	return nil
}

// IsGlobal tells whether a security control checks global resources.
func (g GlobalControls) IsGlobal(control string) bool { return slices.Contains(g.Controls, control) }
