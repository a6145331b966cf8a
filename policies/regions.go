package policies

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
)

//go:embed regions.yaml
var regionsYAML []byte

// RegionalLimits is regions.yaml: what the baseline configures that does
// not exist in some regions, each fact with the AWS page it comes from.
type RegionalLimits struct {
	Retrieved string `yaml:"retrieved"` // when the pages were read, YYYY-MM-DD
	// ConfigGlobalIam lists the regions where AWS Config cannot record the
	// global IAM resource types.
	ConfigGlobalIam RegionalLimit `yaml:"configGlobalIam"`
	// SecurityHubControls are global-resource controls missing in some
	// regions.
	SecurityHubControls []ControlLimit `yaml:"securityHubControls"`
	// GuardDutyFeatures are protection plans missing in some regions.
	GuardDutyFeatures []FeatureLimit `yaml:"guardDutyFeatures"`
}

// RegionalLimit is one documented fact: the regions where a thing is not
// available.
type RegionalLimit struct {
	Source      string   `yaml:"source"` // the AWS documentation page
	Says        string   `yaml:"says"`   // the page's sentence, where it has one
	Unavailable []string `yaml:"unavailable"`
}

// ControlLimit is a Security Hub control missing in some regions.
type ControlLimit struct {
	Control       string `yaml:"control"` // security control id, e.g. IAM.1
	Rule          string `yaml:"rule"`    // the AWS Config managed rule it runs on
	RegionalLimit `yaml:",inline"`
}

// FeatureLimit is a GuardDuty protection plan missing in some regions.
type FeatureLimit struct {
	Plan          string `yaml:"plan"`    // as in guardDuty.protection, e.g. rds
	Feature       string `yaml:"feature"` // the detector feature, e.g. RDS_LOGIN_EVENTS
	RegionalLimit `yaml:",inline"`
}

var (
	regionsOnce sync.Once
	regionsList RegionalLimits
	regionsErr  error

	regionCode = regexp.MustCompile(`^[a-z]{2}-[a-z]+-[0-9]$`)
)

// RegionalAvailability returns the embedded table, parsed and checked once.
func RegionalAvailability() (RegionalLimits, error) {
	regionsOnce.Do(func() {
		regionsList, regionsErr = ParseRegionalLimits(regionsYAML, "policies/regions.yaml")
	})
	return regionsList, regionsErr
}

// MustRegionalAvailability is RegionalAvailability for callers that cannot
// go on without it (the embedded file is checked by the tests).
func MustRegionalAvailability() RegionalLimits {
	r, err := RegionalAvailability()
	if err != nil {
		panic(err)
	}
	return r
}

// ParseRegionalLimits decodes a table strictly (see internal/strictyaml)
// and checks that every fact has an AWS documentation source and region
// codes, and that every control is a global-resource control. It reports
// every problem, each as "source:line: path: message".
func ParseRegionalLimits(data []byte, source string) (RegionalLimits, error) {
	var r RegionalLimits
	d := strictyaml.Unmarshal(data, source, &r)
	if !d.Has("retrieved") {
		d.Problemf("retrieved", "required; the date the pages were read, YYYY-MM-DD")
	}
	check := func(path string, l RegionalLimit) {
		if !strings.HasPrefix(l.Source, "https://docs.aws.amazon.com/") {
			d.Problemf(path+".source", "%q must be an AWS documentation page (https://docs.aws.amazon.com/...)", l.Source)
		}
		if len(l.Unavailable) == 0 {
			d.Problemf(path+".unavailable", "is empty; list the regions, or remove the entry")
		}
		for i, reg := range l.Unavailable {
			p := fmt.Sprintf("%s.unavailable[%d]", path, i)
			if !regionCode.MatchString(reg) {
				d.Problemf(p, "%q is not a region code like ca-west-1", reg)
			} else if slices.Index(l.Unavailable, reg) < i {
				d.Problemf(p, "%s is listed twice", reg)
			}
		}
	}
	check("configGlobalIam", r.ConfigGlobalIam)
	global, err := GlobalResourceControls()
	if err != nil {
		return RegionalLimits{}, err
	}
	for i, c := range r.SecurityHubControls {
		path := fmt.Sprintf("securityHubControls[%d]", i)
		if !global.IsGlobal(c.Control) {
			d.Problemf(path+".control", "%q is not a control of policies/globalcontrols.yaml, the only ones the baseline disables", c.Control)
		}
		check(path, c.RegionalLimit)
	}
	for i, f := range r.GuardDutyFeatures {
		path := fmt.Sprintf("guardDutyFeatures[%d]", i)
		if f.Plan == "" {
			d.Problemf(path+".plan", "required; the plan as guardDuty.protection names it, e.g. rds")
		}
		if f.Feature == "" {
			d.Problemf(path+".feature", "required; the detector feature, e.g. RDS_LOGIN_EVENTS")
		}
		check(path, f.RegionalLimit)
	}
	if err := d.Err(); err != nil {
		return RegionalLimits{}, err
	}
	return r, nil
}

// Has reports whether the thing is available in a region.
func (l RegionalLimit) Has(region string) bool { return !slices.Contains(l.Unavailable, region) }

// ControlLimit returns the limit of a security control, and whether the
// table has one.
func (r RegionalLimits) ControlLimit(control string) (ControlLimit, bool) {
	for _, c := range r.SecurityHubControls {
		if c.Control == control {
			return c, true
		}
	}
	return ControlLimit{}, false
}

// ControlAvailable reports whether a security control exists in a region,
// as far as the table knows.
func (r RegionalLimits) ControlAvailable(control, region string) bool {
	c, ok := r.ControlLimit(control)
	return !ok || c.Has(region)
}

// PlanLimit returns the limit of a GuardDuty plan, and whether the table
// has one.
func (r RegionalLimits) PlanLimit(plan string) (FeatureLimit, bool) {
	for _, f := range r.GuardDutyFeatures {
		if f.Plan == plan {
			return f, true
		}
	}
	return FeatureLimit{}, false
}

// PlanAvailable reports whether a GuardDuty plan exists in a region, as far
// as the table knows.
func (r RegionalLimits) PlanAvailable(plan, region string) bool {
	f, ok := r.PlanLimit(plan)
	return !ok || f.Has(region)
}
