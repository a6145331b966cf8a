package verify_test

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/verify"
)

// readmeProblems checks README's "Verify a live account" against the
// catalog: one table row per check with its source, control, actions and
// moto column, and a policy whose actions are exactly PolicyActions.
func readmeProblems(readme string) []string {
	var problems []string
	for _, c := range verify.Catalog {
		control := c.Control
		if control == "" {
			control = "-"
		}
		moto := "no (fake client)"
		if c.Moto {
			moto = "yes"
		}
		row := fmt.Sprintf("| [`%s`](%s) | %s | %s | %s | %s | %s |", c.ID, c.Doc, c.Source, control, c.What, "`"+strings.Join(c.APIs, "`, `")+"`", moto)
		if !strings.Contains(readme, row+"\n") {
			problems = append(problems, "README has no row "+row)
		}
	}
	start := strings.Index(readme, "```json\n{\n  \"Statement\"")
	if start < 0 {
		return append(problems, "README has no verify policy")
	}
	body := readme[start+len("```json\n"):]
	body = body[:strings.Index(body, "```")]
	var policy struct{ Statement []struct{ Action []string } }
	if err := json.Unmarshal([]byte(body), &policy); err != nil || len(policy.Statement) != 1 {
		return append(problems, fmt.Sprintf("README's verify policy is not one statement: %v", err))
	}
	if !slices.Equal(policy.Statement[0].Action, verify.PolicyActions()) {
		problems = append(problems, fmt.Sprintf("README's verify policy grants %v, verify needs %v", policy.Statement[0].Action, verify.PolicyActions()))
	}
	return problems
}

func TestReadmeListsEveryCheckAndThePolicy(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range readmeProblems(string(data)) {
		t.Error(p)
	}
	// Negative: a README without a check's row, or whose policy lacks an
	// action, is caught.
	broken := strings.Replace(string(data), "| [`root-mfa`]", "| [`root-mfa-gone`]", 1)
	broken = strings.Replace(broken, `"iam:GetCredentialReport",`, "", 1)
	if got := readmeProblems(broken); len(got) != 2 {
		t.Errorf("a README missing a row and an action gives %d problems, want 2: %v", len(got), got)
	}
}
