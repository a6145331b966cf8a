package test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/internal/app"
	"github.com/secure-baseline/cdk-baseline/report/diagram"
)

// TestReadmeDiagramIsCurrent keeps README's architecture diagram from going
// stale: the block between its diagram markers must be what `go run .
// diagram` draws for the example. After a change to the stacks, run
// `make diagram` and review the README diff.
func TestReadmeDiagramIsCurrent(t *testing.T) {
	want, err := diagram.Draw(exampleAssembly(t), "")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := diagram.Block(string(readme))
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	if got != want {
		t.Errorf("README.md's diagram is stale; run make diagram and review the diff.\nREADME:\n%s\nthe example:\n%s", got, want)
	}
}

func TestDiagramOfTheExample(t *testing.T) {
	d, err := diagram.Draw(exampleAssembly(t), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"```mermaid\nflowchart LR\n",
		`subgraph s0["Prod-ap-northeast-1, home region: account-global parts and regional services"]`,
		`subgraph s1["Prod-us-east-1, regional services"]`,
		// L2 groups, with the types below them, not every L1.
		`s0_LogArchive["<b>LogArchive</b><br/>KMS::Alias, KMS::Key, S3::Bucket ×2, S3::BucketPolicy ×2"]`,
		// References inside a stack, and names across regions.
		"  s0_AuditTrail --> s0_LogArchive\n",
		"  s0_SecurityAlarms --> s0_Alarms\n",
		"  s1_Config -.-> s0_LogArchive\n",
		"  s1_Findings -.->|event bus| s0\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("the diagram lacks %q:\n%s", want, d)
		}
	}
	if strings.Contains(d, "Dev-") {
		t.Error("the diagram draws more than one account")
	}
	if _, err := diagram.Draw(exampleAssembly(t), "Nobody"); err == nil || !strings.Contains(err.Error(), `no account "Nobody" in `) {
		t.Errorf("unknown account: %v", err)
	}
}

func TestDiagramCommandRewritesOnlyTheBlock(t *testing.T) {
	dir := copyAssembly(t, exampleAssembly(t))
	readme := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(readme, []byte("# Title\n\nbefore\n"+diagram.Begin+"\nold\n"+diagram.End+"\nafter\n"), 0o644)
	var out bytes.Buffer
	if err := app.Run(&out, "diagram", []string{"--readme", readme, dir}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(readme)
	want, _ := diagram.Draw(exampleAssembly(t), "")
	if string(got) != "# Title\n\nbefore\n"+diagram.Begin+"\n"+want+diagram.End+"\nafter\n" {
		t.Errorf("README after make diagram:\n%s", got)
	}
	noMarkers := filepath.Join(t.TempDir(), "README.md")
	os.WriteFile(noMarkers, []byte("# Title\n"), 0o644)
	err := app.Run(&out, "diagram", []string{"--readme", noMarkers, dir})
	if err == nil || err.Error() != noMarkers+": no line <!-- diagram:begin -->; add it, and a line <!-- diagram:end --> after it, where the diagram goes" {
		t.Errorf("error = %v", err)
	}
	if got, _ := os.ReadFile(noMarkers); string(got) != "# Title\n" {
		t.Error("a README without markers was changed")
	}
}
