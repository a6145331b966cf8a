package config

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// Alarms choose the security alarms: one CloudWatch Logs metric filter and
// alarm per entry of the catalog (policies/alarms.yaml) on the log group
// that receives the account's CloudTrail events, each notifying the alarm
// topic. Every entry that is not opt-in is on by default.
//
// In organization mode with the organization trail, the top-level settings
// also choose the organization alarms on that trail's log group in the
// management account (stacks.OrganizationAlarmAccount), which name the
// account of each event; StackSet members then have no trail log group and
// no alarms of their own, unless organization.memberTrails keeps them.
type Alarms struct {
	// LogGroupName names an existing CloudWatch Logs log group, in the
	// account's home region, that receives the account's CloudTrail events.
	// Only for accounts whose trail is not the baseline's (trail.mode: skip).
	// Default: "", the baseline trail's log group; in skip mode, no alarms.
	LogGroupName string `yaml:"logGroupName"`
	// LargeInstanceSizes are the instance sizes (the part after the dot, as
	// in c5.4xlarge) that Ec2LargeInstanceLaunches alarms on. Default:
	// [4xlarge, 8xlarge].
	LargeInstanceSizes []string `yaml:"largeInstanceSizes"`
	// Enable turns on opt-in entries, by id. Default: none.
	Enable []string `yaml:"enable"`
	// Disable turns entries off, by id. Default: none.
	Disable []string `yaml:"disable"`
	// Thresholds replace entries' thresholds. Default: none (each entry's
	// catalog threshold, 1 for all of them).
	Thresholds []AlarmThreshold `yaml:"thresholds"`
}

// AlarmThreshold replaces the threshold of one catalog entry.
type AlarmThreshold = policies.AlarmThreshold

// Choices are the catalog changes these settings make.
func (a Alarms) Choices() policies.AlarmChoices {
	return policies.AlarmChoices{Enable: a.Enable, Disable: a.Disable, Thresholds: a.Thresholds}
}

// catalog is the embedded alarm catalog; it is valid, or the build is broken.
func catalog() []policies.Alarm {
	alarms, err := policies.Alarms()
	if err != nil {
		panic("config: the embedded alarm catalog is invalid: " + err.Error())
	}
	return alarms
}

// logGroupNamePattern is what CloudWatch Logs accepts as a log group name.
var logGroupNamePattern = regexp.MustCompile(`^[.\-_/#A-Za-z0-9]{1,512}$`)

// problems checks the alarm settings; trailMode is trail.mode of the same
// settings. Paths are relative to the settings. The rules of enable,
// disable and thresholds are policies.AlarmChoices.Problems; the ones here
// are about this config's log group and parameters.
func (a *Alarms) problems(trailMode string) problems {
	var ps problems
	switch {
	case a.LogGroupName == "":
	case !logGroupNamePattern.MatchString(a.LogGroupName):
		ps.addf("alarms.logGroupName", "%q is not a log group name (1 to 512 letters, digits and . - _ / #)", a.LogGroupName)
	case trailMode == ModeCreate:
		ps.addf("alarms.logGroupName", "is for accounts whose trail is not the baseline's (trail.mode: skip); with trail.mode create the alarms watch the baseline trail's log group, so remove logGroupName")
	}
	if len(a.LargeInstanceSizes) == 0 && !slices.Contains(a.Disable, "Ec2LargeInstanceLaunches") {
		ps.addf("alarms.largeInstanceSizes", "list at least one size, e.g. [4xlarge, 8xlarge], or turn the entry off with alarms.disable: [Ec2LargeInstanceLaunches]")
	}
	for i, s := range a.LargeInstanceSizes {
		path := fmt.Sprintf("alarms.largeInstanceSizes[%d]", i)
		if !policies.ValidInstanceSize(s) {
			ps.addf(path, "%q is not an instance size like 4xlarge (the part after the dot of c5.4xlarge, in lower case)", s)
		} else if slices.Index(a.LargeInstanceSizes, s) < i {
			ps.addf(path, "%q is listed twice", s)
		}
	}
	for _, p := range a.Choices().Problems(catalog(), "alarms.") {
		ps.addf(p.Path, "%s", p.Msg)
	}
	return ps
}
