package policies_test

import (
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
)

func TestGlobalControlsListIsValid(t *testing.T) {
	g, err := policies.GlobalResourceControls()
	if err != nil {
		t.Fatalf("embedded list: %v", err)
	}
	if !strings.HasPrefix(g.Source, "https://docs.aws.amazon.com/securityhub/") {
		t.Errorf("source %q is not the Security Hub user guide", g.Source)
	}
	for _, std := range []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/5.0.0", "nist-800-53/v/5.0.0"} {
		if len(g.In(std)) == 0 {
			t.Errorf("no controls for %s", std)
		}
	}
	for _, c := range g.KeptEnabled {
		if g.IsGlobal(c) {
			t.Errorf("%s is both disabled and kept enabled", c)
		}
	}
	if !g.IsGlobal("IAM.9") || g.IsGlobal("IAM.28") {
		t.Error("IAM.9 checks a global resource; IAM.28 (a regional analyzer) does not")
	}
}

func TestGlobalControlsListRejectsMistakes(t *testing.T) {
	const head = "source: https://example.com\nretrieved: \"2026-01-01\"\ncontrols: [IAM.1]\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"a control not in the list", head + "standards:\n  - {standard: s/v/1, controls: [{control: IAM.2, id: IAM.2}]}\n",
			`g.yaml:5: standards[0].controls[0].control: "IAM.2" is not in controls`},
		{"a control without its id", head + "standards:\n  - {standard: s/v/1, controls: [{control: IAM.1}]}\n",
			`g.yaml:5: standards[0].controls[0].id: required; IAM.1 has no id in this standard`},
		{"an unknown key", head + "standard: []\n", `g.yaml:4: standard: unknown key; did you mean "standards"?`},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := policies.ParseGlobalControls([]byte(c.yaml), "g.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v, want %s", err, c.want)
			}
		})
	}
}
