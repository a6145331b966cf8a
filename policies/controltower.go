package policies

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed controltower.yaml
var controlTowerYAML []byte

// ControlTowerExceptions is controltower.yaml: the AWS Control Tower
// proactive controls that the baseline's templates fail on purpose.
type ControlTowerExceptions struct {
	Source     string                  `yaml:"source"` // the control reference
	Exceptions []ControlTowerException `yaml:"exceptions"`
}

// ControlTowerException is one control that one resource fails, and why.
type ControlTowerException struct {
	// Rule is the control id, e.g. CT.S3.PR.9.
	Rule string `yaml:"rule"`
	// Resource is the construct path under the stack, e.g.
	// LogArchive/Bucket/Resource.
	Resource string `yaml:"resource"`
	// Reason says why the baseline does not meet the control.
	Reason string `yaml:"reason"`
	// Doc is the AWS page the reason rests on.
	Doc string `yaml:"doc"`
}

var (
	ctRule = regexp.MustCompile(`^CT\.[A-Z0-9]+\.PR\.[0-9]+$`)

	ctOnce sync.Once
	ctList ControlTowerExceptions
	ctErr  error
)

// ControlTowerExceptionList returns the embedded list, parsed and checked
// once.
func ControlTowerExceptionList() (ControlTowerExceptions, error) {
	ctOnce.Do(func() {
		ctList, ctErr = ParseControlTowerExceptions(controlTowerYAML, "policies/controltower.yaml")
	})
	return ctList, ctErr
}

// ParseControlTowerExceptions decodes a list strictly (unknown keys, wrong
// types) and checks every entry: a control id, a construct path, a reason
// and an AWS documentation page, and no rule and resource twice.
func ParseControlTowerExceptions(data []byte, source string) (ControlTowerExceptions, error) {
	var l ControlTowerExceptions
	if err := yaml.UnmarshalWithOptions(data, &l, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return ControlTowerExceptions{}, fmt.Errorf("%s:%d: %s", source, yamlErrorLine(err), yamlErrorMessage(err))
	}
	if l.Source == "" {
		return ControlTowerExceptions{}, fmt.Errorf("%s: source is required: the control reference's URL", source)
	}
	seen := map[string]bool{}
	for i, e := range l.Exceptions {
		p := fmt.Sprintf("%s: exceptions[%d]", source, i)
		switch {
		case !ctRule.MatchString(e.Rule):
			return ControlTowerExceptions{}, fmt.Errorf("%s.rule: %q is not a proactive control id like CT.S3.PR.9", p, e.Rule)
		case e.Resource == "" || strings.HasPrefix(e.Resource, "/"):
			return ControlTowerExceptions{}, fmt.Errorf("%s.resource: %q must be a construct path under the stack, like LogArchive/Bucket/Resource", p, e.Resource)
		case strings.TrimSpace(e.Reason) == "":
			return ControlTowerExceptions{}, fmt.Errorf("%s.reason: say why %s does not meet %s", p, e.Resource, e.Rule)
		case !strings.HasPrefix(e.Doc, "https://docs.aws.amazon.com/"):
			return ControlTowerExceptions{}, fmt.Errorf("%s.doc: %q must be the AWS documentation page the reason rests on (https://docs.aws.amazon.com/...)", p, e.Doc)
		case seen[e.Rule+" "+e.Resource]:
			return ControlTowerExceptions{}, fmt.Errorf("%s: %s on %s is listed twice", p, e.Rule, e.Resource)
		}
		seen[e.Rule+" "+e.Resource] = true
	}
	return l, nil
}

// Excepted tells whether the list excepts rule on the resource at path.
func (l ControlTowerExceptions) Excepted(rule, path string) bool {
	for _, e := range l.Exceptions {
		if e.Rule == rule && e.Resource == path {
			return true
		}
	}
	return false
}
