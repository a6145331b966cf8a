package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/secure-baseline/cdk-baseline/report"
)

// lintedConfigs are the synthesized configs whose templates TestCfnLint
// checks: the example and every option config another test synthesizes
// anyway (each is cached, so linting costs no extra synth). Add yours.
var lintedConfigs = []struct {
	name     string
	assembly func(testing.TB) *report.Assembly
}{
	{"the example", exampleAssembly},
	{"the trail options", trailOptionsAssembly},
}

// cfnLintConfig holds the ignored rules, each with its reason.
var cfnLintConfig = filepath.Join(repoRoot, ".cfnlintrc.yaml")

// cfnLintFinding is one entry of `cfn-lint --format json`.
type cfnLintFinding struct {
	Filename string `json:"Filename"`
	Level    string `json:"Level"` // Error, Warning or Informational
	Message  string `json:"Message"`
	Location struct {
		Path  []any `json:"Path"`
		Start struct {
			LineNumber int `json:"LineNumber"`
		} `json:"Start"`
	} `json:"Location"`
	Rule struct {
		ID string `json:"Id"`
	} `json:"Rule"`
}

// TestCfnLint runs AWS's template linter over every template of
// lintedConfigs, each against the region it deploys to, and requires no
// error and no warning. Rules are ignored only in .cfnlintrc.yaml, each
// with its reason. Run it alone with
//
//	go test ./test -run TestCfnLint
func TestCfnLint(t *testing.T) {
	bin, err := exec.LookPath("cfn-lint")
	if err != nil {
		t.Skip("cfn-lint is not on PATH (pip install cfn-lint); skipping the template lint, which CI runs")
	}
	version, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Skipf("cfn-lint is on PATH but does not run (%v): %s; skipping the template lint, which CI runs", err, strings.TrimSpace(string(version)))
	}
	ignored := cfnLintIgnoredRules(t)

	var templates, errs, warnings, infos int
	for _, c := range lintedConfigs {
		asm := c.assembly(t)
		// One run per region: a template is valid or not for the region
		// its stack deploys to (resource types and values differ).
		byRegion := map[string][]report.Stack{}
		for _, s := range asm.Stacks {
			byRegion[s.Region] = append(byRegion[s.Region], s)
		}
		regions := make([]string, 0, len(byRegion))
		for r := range byRegion {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		for _, region := range regions {
			stacksOf := map[string]report.Stack{}
			args := []string{"--format", "json", "--config-file", cfnLintConfig, "--regions", region, "--"}
			for _, s := range byRegion[region] {
				path := filepath.Join(asm.Dir, s.TemplateFile)
				stacksOf[path] = s
				args = append(args, path)
			}
			templates += len(byRegion[region])
			for _, f := range runCfnLint(t, bin, args) {
				s := stacksOf[f.Filename]
				msg := fmt.Sprintf("%s (%s): %s %s at %s: %s", s.Name, c.name, f.Level, f.Rule.ID, findingPath(s, f), f.Message)
				switch f.Level {
				case "Error":
					errs++
					t.Error(msg)
				case "Warning":
					warnings++
					t.Error(msg)
				default:
					infos++
					t.Log(msg)
				}
			}
		}
	}
	t.Logf("%s: %d templates of %d configs checked: %d errors, %d warnings, %d informational; %d rules ignored in .cfnlintrc.yaml %v",
		strings.TrimSpace(string(version)), templates, len(lintedConfigs), errs, warnings, infos, len(ignored), ignored)
}

// runCfnLint runs cfn-lint and returns its findings. cfn-lint exits
// non-zero when it finds something, so the exit code alone means nothing:
// output that is not a JSON list is a failure of the tool itself.
func runCfnLint(t *testing.T, bin string, args []string) []cfnLintFinding {
	t.Helper()
	cmd := exec.Command(bin, args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, runErr := cmd.Output()
	var findings []cfnLintFinding
	if err := json.Unmarshal(out, &findings); err != nil {
		t.Fatalf("cfn-lint %s: %v; no JSON report (%v)\nstdout: %s\nstderr: %s", strings.Join(args, " "), runErr, err, out, stderr.String())
	}
	return findings
}

// findingPath names where a finding is: its path in the template and, for
// a resource, the construct path that made it (aws:cdk:path).
func findingPath(s report.Stack, f cfnLintFinding) string {
	parts := make([]string, len(f.Location.Path))
	for i, p := range f.Location.Path {
		parts[i] = fmt.Sprint(p)
	}
	path := strings.Join(parts, "/")
	if len(parts) >= 2 && parts[0] == "Resources" {
		if cdkPath, ok := s.Template.Resources[parts[1]].Metadata["aws:cdk:path"].(string); ok {
			path += " (" + cdkPath + ")"
		}
	}
	return fmt.Sprintf("%s line %d", path, f.Location.Start.LineNumber)
}

// cfnLintIgnoredRules reads the rules .cfnlintrc.yaml ignores.
func cfnLintIgnoredRules(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(cfnLintConfig)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		IgnoreChecks []string `yaml:"ignore_checks"`
	}
	if err := yaml.Unmarshal(data, &rc); err != nil {
		t.Fatalf(".cfnlintrc.yaml: %v", err)
	}
	return rc.IgnoreChecks
}
