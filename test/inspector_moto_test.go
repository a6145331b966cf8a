package test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInspectorHandlerAgainstMoto runs sdkcall's handler, with the Inspector
// custom resources of the example's golden template, against moto's
// Inspector and IAM (test/moto/inspector_handler.py): the service-linked
// role, enable with its wait, an update that prunes two types, a revert,
// and a scan that never turns on. What moto cannot check: ENABLING (moto
// enables at once, so the polling loop runs once; handler_test.py covers
// the loop), IAM permissions (moto does not enforce them; the policy test
// and the botocore check do), the real duplicate-role error (moto says
// EntityAlreadyExists where IAM says InvalidInput, the model's error, which
// IgnoreErrors names), and Lambda code scanning's regional availability.
func TestInspectorHandlerAgainstMoto(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; CI runs this check")
	}
	if exec.Command(python, "-c", "import moto.inspector2").Run() != nil {
		t.Skip("moto with inspector2 is not installed (pip install 'moto[all]'); CI runs this check")
	}
	cmd := exec.Command(python, filepath.Join("moto", "inspector_handler.py"), filepath.Join(goldenDir, "Prod-us-east-1.template.json"))
	out, err := cmd.Output()
	steps := 0
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue // the handler's own log lines
		}
		var s struct {
			Step, Answer, Reason string
			Inspector            map[string]string
			OK                   bool
		}
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		steps++
		if !s.OK {
			t.Errorf("%s: answer %s (%s), Inspector %v", s.Step, s.Answer, s.Reason, s.Inspector)
		}
	}
	if err != nil && !t.Failed() {
		t.Fatalf("inspector_handler.py: %v", err)
	}
	if steps != 6 {
		t.Errorf("%d steps ran, want 6", steps)
	}
}
