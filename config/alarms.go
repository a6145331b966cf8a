package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// Alarms choose the security alarms: one CloudWatch Logs metric filter and
// alarm per entry of the catalog (policies/alarms.yaml) on the log group
// that receives the account's CloudTrail events, each notifying the alarm
// topic. Every entry that is not opt-in is on by default.
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
type AlarmThreshold struct {
	// ID is the catalog entry's id, e.g. UnauthorizedApiCalls.
	ID string `yaml:"id"`
	// Threshold is how many matching events in one period (5 minutes)
	// fire the alarm; greater than 0.
	Threshold float64 `yaml:"threshold"`
}

// Choices are the catalog changes these settings make.
func (a Alarms) Choices() policies.AlarmChoices {
	c := policies.AlarmChoices{Enable: a.Enable, Disable: a.Disable}
	if len(a.Thresholds) > 0 {
		c.Thresholds = map[string]float64{}
		for _, t := range a.Thresholds {
			c.Thresholds[t.ID] = t.Threshold
		}
	}
	return c
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
// settings. Paths are relative to the settings.
func (a *Alarms) problems(trailMode string) problems {
	var ps problems
	alarms := catalog()
	entry := func(id string) (policies.Alarm, bool) {
		i := slices.IndexFunc(alarms, func(x policies.Alarm) bool { return x.ID == id })
		if i < 0 {
			return policies.Alarm{}, false
		}
		return alarms[i], true
	}
	known := func(id string) bool { _, ok := entry(id); return ok }
	// checkID reports an id that names no entry, or is listed twice.
	checkID := func(path, id string, list []string, i int) bool {
		switch {
		case id == "":
			ps.addf(path, "required; the id of a catalog entry, e.g. %s", alarms[0].ID)
		case !known(id):
			ps.addf(path, "%q is not an alarm of the catalog; %s", id, idHint(id, alarms))
		case slices.Index(list, id) < i:
			ps.addf(path, "%q is listed twice", id)
		default:
			return true
		}
		return false
	}

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
	for i, id := range a.Enable {
		path := fmt.Sprintf("alarms.enable[%d]", i)
		if !checkID(path, id, a.Enable, i) {
			continue
		}
		if e, _ := entry(id); !e.OptIn {
			ps.addf(path, "%s is on unless disabled; enable lists only opt-in entries (%s)", id, strings.Join(optInIDs(alarms), ", "))
		}
	}
	for i, id := range a.Disable {
		path := fmt.Sprintf("alarms.disable[%d]", i)
		if checkID(path, id, a.Disable, i) && slices.Contains(a.Enable, id) {
			ps.addf(path, "%s is also in alarms.enable; keep it in one of the two lists (an account's own enable list replaces the inherited one)", id)
		}
	}
	var thresholdIDs []string
	for i, t := range a.Thresholds {
		path := fmt.Sprintf("alarms.thresholds[%d]", i)
		thresholdIDs = append(thresholdIDs, t.ID)
		checkID(path+".id", t.ID, thresholdIDs, i)
		if !(t.Threshold > 0) {
			ps.addf(path+".threshold", "must be greater than 0, got %v; it is how many matching events in one period fire the alarm", t.Threshold)
		}
	}
	return ps
}

// idHint suggests the catalog id closest to a mistyped one, or lists them.
func idHint(id string, alarms []policies.Alarm) string {
	best, bestDist := "", 4
	var ids []string
	for _, a := range alarms {
		ids = append(ids, a.ID)
		if d := editDistance(strings.ToLower(id), strings.ToLower(a.ID)); d < bestDist {
			best, bestDist = a.ID, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "the ids are " + strings.Join(ids, ", ")
}

func optInIDs(alarms []policies.Alarm) []string {
	var ids []string
	for _, a := range alarms {
		if a.OptIn {
			ids = append(ids, a.ID)
		}
	}
	return ids
}
