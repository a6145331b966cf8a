package policies_test

import (
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
)

func TestRegionalLimitsTableIsValid(t *testing.T) {
	r, err := policies.RegionalAvailability()
	if err != nil {
		t.Fatalf("embedded table: %v", err)
	}
	if len(r.ConfigGlobalIam.Unavailable) == 0 || len(r.SecurityHubControls) == 0 || len(r.GuardDutyFeatures) == 0 {
		t.Error("a section of the table is empty")
	}
	if r.ControlAvailable("IAM.1", "ca-west-1") || !r.ControlAvailable("IAM.1", "us-east-1") || !r.ControlAvailable("IAM.9", "ca-west-1") {
		t.Error("IAM.1 is listed as missing in ca-west-1 only; IAM.9 is not listed")
	}
}

// The table decides what each region's template holds, so it is checked
// strictly: a fact without an AWS page, or a control the baseline never
// disables, is an error with its place.
func TestRegionalLimitsRejectMistakes(t *testing.T) {
	const ok = "retrieved: \"2026-12-01\"\nconfigGlobalIam: {source: https://docs.aws.amazon.com/config/x.html, unavailable: [ca-west-1]}\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"a source that is not AWS documentation", strings.Replace(ok, "https://docs.aws.amazon.com/config/x.html", "https://example.com/x", 1),
			`r.yaml:2: configGlobalIam.source: "https://example.com/x" must be an AWS documentation page (https://docs.aws.amazon.com/...)`},
		{"an empty region list", strings.Replace(ok, "[ca-west-1]", "[]", 1),
			"r.yaml:2: configGlobalIam.unavailable: is empty; list the regions, or remove the entry"},
		{"a region name instead of a code", strings.Replace(ok, "[ca-west-1]", "[Calgary]", 1),
			`r.yaml:2: configGlobalIam.unavailable[0]: "Calgary" is not a region code like ca-west-1`},
		{"a region listed twice", strings.Replace(ok, "[ca-west-1]", "[ca-west-1, ca-west-1]", 1),
			"r.yaml:2: configGlobalIam.unavailable[1]: ca-west-1 is listed twice"},
		{"a control the baseline does not disable", ok + "securityHubControls:\n  - {control: S3.1, rule: r, source: https://docs.aws.amazon.com/r, unavailable: [ca-west-1]}\n",
			`r.yaml:4: securityHubControls[0].control: "S3.1" is not a control of policies/globalcontrols.yaml, the only ones the baseline disables`},
		{"a plan without its feature", ok + "guardDutyFeatures:\n  - {plan: rds, source: https://docs.aws.amazon.com/g, unavailable: [ap-east-2]}\n",
			"r.yaml:4: guardDutyFeatures[0].feature: required; the detector feature, e.g. RDS_LOGIN_EVENTS"},
		{"an unknown key", ok + "guardDutyFeature: []\n", `r.yaml:3: guardDutyFeature: unknown key; did you mean "guardDutyFeatures"?`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := policies.ParseRegionalLimits([]byte(c.yaml), "r.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v, want %s", err, c.want)
			}
		})
	}
	if _, err := policies.ParseRegionalLimits([]byte(ok), "r.yaml"); err != nil {
		t.Errorf("a valid table is rejected: %v", err)
	}
}
