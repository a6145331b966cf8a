package report

import (
	"bytes"
	"fmt"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// residualRiskSection lists the ways around the operator's limits that IAM
// cannot close, when the assembly deploys the access model's roles.
func (r *Review) residualRiskSection(b *bytes.Buffer) {
	roles := false
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			roles = roles || len(s.Roles) > 0
		}
	}
	if !roles {
		return
	}
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## Residual risks of the access model\n\n")
	risks, err := policies.ResidualRisks()
	if err != nil {
		p("The list could not be read: %s\n\n", cell(err.Error()))
		return
	}
	p("IAM cannot close these inside one account; each needs the mitigation named here (policies/iam/residual-risks.yaml).\n\n")
	p("| Path | Why IAM cannot close it | Mitigation |\n|---|---|---|\n")
	for _, rk := range risks {
		p("| %s | %s | %s |\n", cell(rk.Path), cell(rk.Why), cell(rk.Mitigation))
	}
	p("\n")
}
