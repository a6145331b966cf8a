package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report"
)

// residualRiskTable is the Markdown table README.md and REVIEW.md show.
func residualRiskTable(t testing.TB) string {
	risks, err := policies.ResidualRisks()
	if err != nil {
		t.Fatal(err)
	}
	if len(risks) < 3 {
		t.Fatalf("only %d residual risks: the list was not read", len(risks))
	}
	var b strings.Builder
	b.WriteString("| Path | Why IAM cannot close it | Mitigation |\n|---|---|---|\n")
	for _, r := range risks {
		b.WriteString("| " + r.Path + " | " + r.Why + " | " + r.Mitigation + " |\n")
	}
	return b.String()
}

// TestResidualRisksShown keeps the README's table equal to
// policies/iam/residual-risks.yaml, and checks REVIEW.md shows it for an
// assembly with the access model.
func TestResidualRisksShown(t *testing.T) {
	want := residualRiskTable(t)
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md's residual-risk table differs from policies/iam/residual-risks.yaml; it should read:\n%s", want)
	}
	md := string(buildReview(t, exampleAssembly(t), nil, report.DefaultAssumptions()).Markdown())
	if !strings.Contains(md, "## Residual risks of the access model") || !strings.Contains(md, want) {
		t.Errorf("REVIEW.md has no residual-risk table equal to the list")
	}
}
