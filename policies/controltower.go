package policies

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
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

// ParseControlTowerExceptions decodes a list strictly (see
// internal/strictyaml) and checks every entry: a control id, a construct
// path, a reason and an AWS documentation page, and no rule and resource
// twice. It reports every problem, each as "source:line: path: message".
func ParseControlTowerExceptions(data []byte, source string) (ControlTowerExceptions, error) {
	var l ControlTowerExceptions
	d := strictyaml.Unmarshal(data, source, &l)
	if d.Clean("source") && l.Source == "" {
		d.Problemf("source", "required: the control reference's URL")
	}
	seen := map[string]bool{}
	for i, e := range l.Exceptions {
		p := fmt.Sprintf("exceptions[%d]", i)
		if !d.Clean(p) {
			continue
		}
		if !ctRule.MatchString(e.Rule) {
			d.Problemf(p+".rule", "%q is not a proactive control id like CT.S3.PR.9", e.Rule)
		}
		if e.Resource == "" || strings.HasPrefix(e.Resource, "/") {
			d.Problemf(p+".resource", "%q must be a construct path under the stack, like LogArchive/Bucket/Resource", e.Resource)
		}
		if strings.TrimSpace(e.Reason) == "" {
			d.Problemf(p+".reason", "say why %s does not meet %s", e.Resource, e.Rule)
		}
		if !strings.HasPrefix(e.Doc, "https://docs.aws.amazon.com/") {
			d.Problemf(p+".doc", "%q must be the AWS documentation page the reason rests on (https://docs.aws.amazon.com/...)", e.Doc)
		}
		if seen[e.Rule+" "+e.Resource] {
			d.Problemf(p, "%s on %s is listed twice", e.Rule, e.Resource)
		}
		seen[e.Rule+" "+e.Resource] = true
	}
	if err := d.Err(); err != nil {
		return ControlTowerExceptions{}, err
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
