package app_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/internal/app"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPublishCopiesTheAssemblyAndKeepsEarlierFiles(t *testing.T) {
	staging, outdir := t.TempDir(), filepath.Join(t.TempDir(), "cdk.out")
	write(t, filepath.Join(staging, "manifest.json"), `{"version":"new"}`)
	write(t, filepath.Join(staging, "A.template.json"), "new template")
	write(t, filepath.Join(staging, "asset.1", "index.js"), "asset")
	write(t, filepath.Join(outdir, "manifest.json"), `{"version":"old"}`)
	write(t, filepath.Join(outdir, "Old.template.json"), "an earlier synth's")

	if err := app.Publish(staging, outdir); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"manifest.json":     `{"version":"new"}`,
		"A.template.json":   "new template",
		"asset.1/index.js":  "asset",
		"Old.template.json": "an earlier synth's", // the manifest no longer names it
	} {
		if got := read(t, filepath.Join(outdir, path)); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if tmp, _ := filepath.Glob(filepath.Join(outdir, "*.tmp")); len(tmp) > 0 {
		t.Errorf("left temporary files %v", tmp)
	}
}

func TestPublishFailsWhenTheOutputIsNoDirectory(t *testing.T) {
	staging := t.TempDir()
	write(t, filepath.Join(staging, "manifest.json"), "{}")
	outdir := filepath.Join(t.TempDir(), "cdk.out")
	write(t, outdir, "a file, not a directory")
	err := app.Publish(staging, outdir)
	if err == nil || !strings.HasPrefix(err.Error(), "create output directory: ") {
		t.Errorf("error = %v, want it to say the output directory could not be created", err)
	}
}

// A failed synth publishes only the CDK's validation report, and the
// message names it where it is published, never the staging directory.
func TestFailedSynthKeepsOnlyTheValidationReport(t *testing.T) {
	staging, outdir := t.TempDir(), filepath.Join(t.TempDir(), "cdk.out")
	write(t, filepath.Join(staging, "validation-report.json"), `{"title":"report"}`)
	write(t, filepath.Join(staging, "A.template.json"), "half-written")
	panicked := errors.New("Validation failed with the following errors:\n  see " + filepath.Join(staging, "validation-report.json") + "\n    at Object.synth (/x/node_modules/aws-cdk-lib/core/lib/app.js:1:2)\ngoroutine 1 [running]:")

	msg := app.FailedSynth(panicked, staging, outdir)
	want := "Validation failed with the following errors:\n  see " + filepath.Join(outdir, "validation-report.json")
	if msg != want {
		t.Errorf("message = %q\nwant      %q", msg, want)
	}
	if got := read(t, filepath.Join(outdir, "validation-report.json")); got != `{"title":"report"}` {
		t.Errorf("validation report = %q", got)
	}
	if _, err := os.Stat(filepath.Join(outdir, "A.template.json")); err == nil {
		t.Error("a template of the failed synth was published")
	}

	// Without a validation report, nothing is published.
	staging2, outdir2 := t.TempDir(), filepath.Join(t.TempDir(), "cdk.out")
	write(t, filepath.Join(staging2, "A.template.json"), "half-written")
	if msg := app.FailedSynth("boom in "+staging2, staging2, outdir2); msg != "boom in "+outdir2 {
		t.Errorf("message = %q", msg)
	}
	if _, err := os.Stat(outdir2); err == nil {
		t.Errorf("a failed synth without a report created %s", outdir2)
	}
}

func TestRunNamesTheCommandsAndRejectsStrayArguments(t *testing.T) {
	var usages []string
	for _, c := range app.Commands {
		usages = append(usages, c.Usage())
	}
	var out bytes.Buffer
	err := app.Run(&out, "deploy", nil)
	want := `unknown command "deploy"; the commands are ` + strings.Join(usages[:len(usages)-1], ", ") + " and " + usages[len(usages)-1]
	if err == nil || err.Error() != want {
		t.Errorf("error = %v\nwant    %s", err, want)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"summary", "a", "b"}, `summary: unexpected argument "b"; usage: summary [cdk.out]`},
		{[]string{"config", "a.yaml", "b.yaml"}, `config: unexpected argument "b.yaml"; usage: config [baseline.yaml]`},
		{[]string{"summary", filepath.Join(t.TempDir(), "none")}, "is not a cloud assembly (no manifest.json); run 'make synth' first"},
	} {
		err := app.Run(&out, c.args[0], c.args[1:])
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: error = %v, want %s", c.args, err, c.want)
		}
	}
	if out.Len() > 0 {
		t.Errorf("printed %q", out.String())
	}
}

func TestMainPrintsErrorsAndExitsNonZero(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := app.Main([]string{"deploy"}, &stdout, &stderr); code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if !strings.HasPrefix(stderr.String(), `error: unknown command "deploy"`) || stdout.Len() > 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
	stderr.Reset()
	if code := app.Main([]string{"config", filepath.Join(t.TempDir(), "none.yaml")}, &stdout, &stderr); code != 1 || !strings.HasPrefix(stderr.String(), "error: ") {
		t.Errorf("exit code %d, stderr %q", code, stderr.String())
	}
}
