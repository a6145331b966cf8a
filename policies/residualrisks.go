package policies

import (
	_ "embed"
	"fmt"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed iam/residual-risks.yaml
var residualRisksYAML []byte

// ResidualRisk is a way around the operator's limits that IAM cannot close
// inside one account, with what to do about it (iam/residual-risks.yaml).
type ResidualRisk struct {
	Path       string `yaml:"path"`
	Why        string `yaml:"why"`
	Mitigation string `yaml:"mitigation"`
}

var (
	risksOnce sync.Once
	risks     []ResidualRisk
	risksErr  error
)

// ResidualRisks returns the embedded list, parsed strictly once.
func ResidualRisks() ([]ResidualRisk, error) {
	risksOnce.Do(func() {
		var doc struct {
			Risks []ResidualRisk `yaml:"risks"`
		}
		if err := yaml.UnmarshalWithOptions(residualRisksYAML, &doc, yaml.Strict()); err != nil {
			risksErr = fmt.Errorf("policies/iam/residual-risks.yaml: %w", err)
			return
		}
		for i, r := range doc.Risks {
			if r.Path == "" || r.Why == "" || r.Mitigation == "" {
				risksErr = fmt.Errorf("policies/iam/residual-risks.yaml: risks[%d]: path, why and mitigation are all required", i)
				return
			}
		}
		risks = doc.Risks
	})
	return risks, risksErr
}
