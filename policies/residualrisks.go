package policies

import (
	_ "embed"
	"fmt"
	"strings"
	"sync"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
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
		risks, risksErr = ParseResidualRisks(residualRisksYAML, "policies/iam/residual-risks.yaml")
	})
	return risks, risksErr
}

// ParseResidualRisks decodes a list strictly (see internal/strictyaml) and
// checks that every risk has its path, why and mitigation. It reports every
// problem, each as "source:line: path: message".
func ParseResidualRisks(data []byte, source string) ([]ResidualRisk, error) {
	var doc struct {
		Risks []ResidualRisk `yaml:"risks"`
	}
	d := strictyaml.Unmarshal(data, source, &doc)
	if len(doc.Risks) == 0 {
		d.Problemf("risks", "list at least one risk, each with path, why and mitigation")
	}
	for i, r := range doc.Risks {
		p := fmt.Sprintf("risks[%d]", i)
		for _, f := range []struct{ key, value string }{{"path", r.Path}, {"why", r.Why}, {"mitigation", r.Mitigation}} {
			if strings.TrimSpace(f.value) == "" {
				d.Problemf(p+"."+f.key, "required; every risk says its path, why IAM cannot close it, and the mitigation")
			}
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return doc.Risks, nil
}
