package test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runMotoSteps runs one of the handler scripts of test/moto (each runs
// sdkcall's handler.py against moto in-process, test/moto/harness.py) with
// args, after checking that python3 and the moto modules it needs are
// installed (skipping otherwise; CI has both). Each script prints one JSON
// line per step, {"Step", "OK", ...}: a step that is not OK fails the test
// with its whole line, and the script must run exactly want steps.
func runMotoSteps(t *testing.T, script, modules string, want int, args ...string) {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; CI runs this check")
	}
	if exec.Command(python, "-c", "import "+modules).Run() != nil {
		t.Skipf("moto with %s is not installed (pip install 'moto[all]'); CI runs this check", modules)
	}
	out, err := exec.Command(python, append([]string{filepath.Join("moto", script)}, args...)...).Output()
	steps := 0
	for _, line := range strings.Split(string(out), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue // the handler's own log lines
		}
		var s struct {
			Step string
			OK   bool
		}
		if err := json.Unmarshal([]byte(line), &s); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		steps++
		if !s.OK {
			t.Errorf("%s: %s", s.Step, line)
		}
	}
	if err != nil && !t.Failed() {
		t.Fatalf("%s: %v", script, err)
	}
	if steps != want {
		t.Errorf("%s: %d steps ran, want %d", script, steps, want)
	}
}
