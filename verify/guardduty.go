package verify

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
)

// guardDuty checks the region's detector: GuardDuty has at most one
// detector per account and region
// (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_ListDetectors.html),
// so it is the one the template made. Each feature the template sets must
// have that status in GetDetector's Features. A feature on that the
// template leaves off is a warning (more protection, more cost), one off
// that the template turns on a failure.
func (r *run) guardDuty(ctx context.Context, c *Clients, at scope, detectors []Detector) {
	for _, want := range detectors {
		ids, err := c.GuardDuty.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
		if err != nil {
			r.cannot("guardduty-detector", at, "detector", err)
			r.cannot("guardduty-features", at, "detector", err)
			continue
		}
		if len(ids.DetectorIds) == 0 {
			r.fail("guardduty-detector", at, "detector", "no detector in %s", at.region)
			r.fail("guardduty-features", at, "detector", "no detector in %s", at.region)
			continue
		}
		id := ids.DetectorIds[0]
		d, err := c.GuardDuty.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: aws.String(id)})
		if err != nil {
			r.cannot("guardduty-detector", at, id, err)
			r.cannot("guardduty-features", at, id, err)
			continue
		}
		if want.Enable && d.Status != "ENABLED" {
			r.fail("guardduty-detector", at, id, "status %s", d.Status)
		} else {
			r.pass("guardduty-detector", at, id, "enabled")
		}
		got := map[string]string{}
		for _, f := range d.Features {
			got[string(f.Name)] = string(f.Status)
		}
		var names []string
		for name := range want.Features {
			names = append(names, name)
		}
		sort.Strings(names)
		var off, extra []string
		for _, name := range names {
			switch w, g := want.Features[name], got[name]; {
			case w == "ENABLED" && g != "ENABLED":
				off = append(off, name+" is "+orNone(g))
			case w == "DISABLED" && g == "ENABLED":
				extra = append(extra, name)
			}
		}
		switch {
		case len(off) > 0:
			r.fail("guardduty-features", at, id, "%s; the template enables it", strings.Join(off, ", "))
		case len(extra) > 0:
			r.warn("guardduty-features", at, id, "%s enabled; the template leaves it off (cost)", strings.Join(extra, ", "))
		default:
			r.pass("guardduty-features", at, id, "features as the template sets them")
		}
	}
}

func orNone(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

func sortStrings(s []string) { sort.Strings(s) }
