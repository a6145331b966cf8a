package policies_test

import (
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
)

func TestResidualRisksListIsValid(t *testing.T) {
	risks, err := policies.ResidualRisks()
	if err != nil || len(risks) == 0 {
		t.Fatalf("embedded list: %d risks, %v", len(risks), err)
	}
}

// The README's and the review's risk table come from this file, so a
// misspelt key or a risk without its mitigation is an error, with its place.
func TestResidualRisksListRejectsMistakes(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"a misspelt key, and so no mitigation", "risks:\n  - path: p\n    why: w\n    mitigaton: m\n",
			"r.yaml:2: risks[0].mitigation: required; every risk says its path, why IAM cannot close it, and the mitigation\n" +
				`r.yaml:4: risks[0].mitigaton: unknown key; did you mean "mitigation"?`},
		{"a blank why", "risks:\n  - {path: p, why: \" \", mitigation: m}\n",
			"r.yaml:2: risks[0].why: required; every risk says its path, why IAM cannot close it, and the mitigation"},
		{"no risks", "risks: []\n",
			"r.yaml:1: risks: list at least one risk, each with path, why and mitigation"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := policies.ParseResidualRisks([]byte(c.yaml), "r.yaml")
			if err == nil || err.Error() != c.want {
				t.Errorf("error:\n got %v\nwant %s", err, c.want)
			}
		})
	}
}
