package test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/rhysd/actionlint"

	"github.com/secure-baseline/cdk-baseline/report"
)

const workflowFile = "examples/ci/github-actions.yml"

// lintWorkflow runs actionlint (the library, as `actionlint` does) on a
// workflow's text, named as users install it. shellcheck checks the run:
// scripts when it is on PATH.
func lintWorkflow(t testing.TB, content []byte) []*actionlint.Error {
	t.Helper()
	opts := &actionlint.LinterOptions{}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(".github/workflows/baseline.yml", content, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

func TestCIWorkflowLints(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, workflowFile))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("shellcheck"); err != nil {
		t.Log("shellcheck is not on PATH: actionlint checks the workflow, not the shell in its run: steps")
	}
	for _, e := range lintWorkflow(t, data) {
		t.Errorf("%s:%d:%d: %s [%s]", workflowFile, e.Line, e.Column, e.Message, e.Kind)
	}

	// Negative: actionlint catches what a hand edit breaks.
	for _, c := range []struct{ what, old, new string }{
		{"an unknown context", "${{ github.token }}", "${{ gihub.token }}"},
		{"a misspelt key", "runs-on: ubuntu-24.04", "run-on: ubuntu-24.04"},
		{"an unknown permission", "id-token: write", "id-tokens: write"},
		{"a step output that does not exist", "steps.review.outputs.status == '3'", "steps.reviews.outputs.status == '3'"},
	} {
		broken := bytes.Replace(data, []byte(c.old), []byte(c.new), 1)
		if bytes.Equal(broken, data) {
			t.Fatalf("%s: %q is not in the workflow", c.what, c.old)
		}
		if len(lintWorkflow(t, broken)) == 0 {
			t.Errorf("actionlint misses %s", c.what)
		}
	}
}

// TestCIWorkflowContract pins what the workflow and the Go side must agree
// on, and that deploying is off unless turned on.
func TestCIWorkflowContract(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, workflowFile))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Env         map[string]string `yaml:"env"`
		Jobs        map[string]struct {
			If          string            `yaml:"if"`
			Permissions map[string]string `yaml:"permissions"`
			Steps       []struct {
				ID  string            `yaml:"id"`
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatal(err)
	}
	if len(wf.Permissions) != 0 {
		t.Errorf("the workflow grants %v to every job; grant per job", wf.Permissions)
	}
	deploy := wf.Jobs["deploy"]
	if !strings.Contains(deploy.If, "vars.BASELINE_DEPLOY == 'true'") || !strings.Contains(deploy.If, "refs/heads/main") {
		t.Errorf("deploy must be off unless BASELINE_DEPLOY is true, and only on main: if: %s", deploy.If)
	}
	if deploy.Permissions["id-token"] != "write" {
		t.Error("deploy needs id-token: write for OIDC")
	}
	review := wf.Jobs["review"]
	if review.Permissions["id-token"] != "" {
		t.Error("the review job runs the pull request's code: it must not get an OIDC token")
	}
	if wf.Env["ALLOW_LABEL"] != report.DefaultAllowLabel || !strings.Contains(string(data), "'"+report.DefaultAllowLabel+"'") {
		t.Errorf("the workflow's label must be %s, the one the comment names", report.DefaultAllowLabel)
	}
	if !strings.Contains(string(data), "marker='"+report.PRCommentMarker+"'") {
		t.Errorf("the workflow must find its comment by %s", report.PRCommentMarker)
	}
	ran := false
	for _, s := range review.Steps {
		if strings.Contains(s.Run, "examples/ci/review-pr.sh") {
			ran = true
		}
	}
	if !ran {
		t.Error("the review job must run examples/ci/review-pr.sh")
	}
	script := filepath.Join(repoRoot, "examples", "ci", "review-pr.sh")
	if info, err := os.Stat(script); err != nil || info.Mode()&0o111 == 0 {
		t.Fatalf("%s must exist and be executable: %v", script, err)
	}
	if out, err := exec.Command("bash", "-n", script).CombinedOutput(); err != nil {
		t.Errorf("bash -n %s: %s", script, out)
	}
	body, _ := os.ReadFile(script)
	for _, want := range []string{"--format json", "--previous", "pr-comment", "make test"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("review-pr.sh does not run %q", want)
		}
	}
}
