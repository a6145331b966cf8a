package policies

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
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

// ParseGlobalControls decodes a list strictly (see internal/strictyaml)
// and checks that every standard's controls are in Controls, once each. It
// reports every problem, each as "source:line: path: message".
func ParseGlobalControls(data []byte, source string) (GlobalControls, error) {
	var g GlobalControls
	d := strictyaml.Unmarshal(data, source, &g)
	for _, key := range []string{"source", "retrieved", "controls"} {
		if !d.Has(key) {
			d.Problemf(key, "required; see the header of policies/globalcontrols.yaml")
		}
	}
	if d.Has("controls") && len(g.Controls) == 0 {
		d.Problemf("controls", "is empty; list the control ids to disable outside the recording region")
	}
	for i, c := range g.Controls {
		if slices.Index(g.Controls, c) < i {
			d.Problemf(fmt.Sprintf("controls[%d]", i), "%s is listed twice", c)
		}
	}
	var seenStd []string
	for i, s := range g.Standards {
		path := fmt.Sprintf("standards[%d]", i)
		if slices.Contains(seenStd, s.Standard) {
			d.Problemf(path+".standard", "%s is listed twice", s.Standard)
		}
		seenStd = append(seenStd, s.Standard)
		var seen []string
		for j, c := range s.Controls {
			p := fmt.Sprintf("%s.controls[%d]", path, j)
			switch {
			case !slices.Contains(g.Controls, c.Control):
				d.Problemf(p+".control", "%q is not in controls", c.Control)
			case c.ID == "":
				d.Problemf(p+".id", "required; %s has no id in this standard", c.Control)
			case slices.Contains(seen, c.Control):
				d.Problemf(p+".control", "%s is listed twice", c.Control)
			}
			seen = append(seen, c.Control)
		}
	}
	if err := d.Err(); err != nil {
		return GlobalControls{}, err
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
