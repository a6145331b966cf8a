package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// AWS Control Tower's proactive controls are CloudFormation Guard rules
// (https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html).
// The npm package @cdklabs/cdk-validator-cfnguard, pinned in package.json
// for the tests only, ships the cfn-guard binary and those rules; the
// tests run the binary on the synthesized templates directly.
const cfnGuardPackage = "node_modules/@cdklabs/cdk-validator-cfnguard"

// cfnGuard returns the package's cfn-guard binary for this machine and its
// Control Tower rules directory.
func cfnGuard(t testing.TB) (bin, rules string) {
	t.Helper()
	// The package's names for the platform (lib/plugin.js: guard calls
	// every Linux "ubuntu").
	osName := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Fatalf("cfn-guard of %s ships no binary for %s/%s", cfnGuardPackage, runtime.GOOS, runtime.GOARCH)
	}
	pkg := filepath.Join(repoRoot, cfnGuardPackage)
	bin = filepath.Join(pkg, "bin", osName, arch, "cfn-guard")
	rules = filepath.Join(pkg, "rules", "control-tower", "cfn-guard")
	for _, p := range []string{bin, rules} {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%v; run `make deps` (npm ci) to install %s from package.json", err, cfnGuardPackage)
		}
	}
	return bin, rules
}

// guardFinding is one resource of one template that one control fails.
type guardFinding struct {
	Template  string // file name
	File      string // path
	Rule      string // control id, e.g. CT.S3.PR.9
	LogicalID string
	Path      string // construct path under the stack
}

var (
	ctID         = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.[0-9]+)\]`)
	resourcePath = regexp.MustCompile(`^/Resources/([^/]+)`)
)

// runGuard validates the templates against every Control Tower rule and
// returns what fails, sorted.
func runGuard(t testing.TB, files []string) []guardFinding {
	t.Helper()
	bin, rules := cfnGuard(t)
	args := []string{"validate", "--rules", rules, "--output-format", "json", "--show-summary", "none", "--structured"}
	for _, f := range files {
		args = append(args, "--data", f)
	}
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// cfn-guard exits 19 when a rule fails, 0 when none does.
	var exit *exec.ExitError
	if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19) {
		t.Fatalf("cfn-guard: %v\n%s", err, stderr.String())
	}
	var results []struct {
		Name         string            `json:"name"`
		Status       string            `json:"status"`
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("cfn-guard's output is not its JSON report: %v\n%.2000s", err, stdout.String())
	}
	if len(results) != len(files) {
		t.Fatalf("cfn-guard reported on %d templates, want %d", len(results), len(files))
	}
	var out []guardFinding
	for _, r := range results {
		paths := cdkPaths(t, r.Name)
		for _, raw := range r.NotCompliant {
			var v any
			if err := json.Unmarshal(raw, &v); err != nil {
				t.Fatal(err)
			}
			ids, logical := map[string]bool{}, map[string]bool{}
			walkGuard(v, ids, logical)
			if len(ids) != 1 || len(logical) == 0 {
				t.Fatalf("%s: a failed rule names controls %v and resources %v; want one control and its resources", r.Name, ids, logical)
			}
			for id := range ids {
				for l := range logical {
					p, ok := paths[l]
					if !ok {
						t.Fatalf("%s: %s fails %s but has no aws:cdk:path metadata", r.Name, l, id)
					}
					out = append(out, guardFinding{Template: filepath.Base(r.Name), File: r.Name, Rule: id, LogicalID: l, Path: p})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return fmt.Sprint(out[i]) < fmt.Sprint(out[j])
	})
	return out
}

// walkGuard collects the control ids (the rules' messages start with
// "[CT.S3.PR.9]: ...") and the logical ids of the resources (every check
// names the path it traversed to, /Resources/<id>/...) of a failed rule.
func walkGuard(v any, ids, logical map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "path" {
				if m := resourcePath.FindStringSubmatch(s); m != nil {
					logical[m[1]] = true
				}
			}
			walkGuard(e, ids, logical)
		}
	case []any:
		for _, e := range x {
			walkGuard(e, ids, logical)
		}
	case string:
		for _, m := range ctID.FindAllStringSubmatch(x, -1) {
			ids[m[1]] = true
		}
	}
}

// cdkPaths maps a template's logical ids to their construct paths under
// the stack (aws:cdk:path without its first part, the stack's name).
func cdkPaths(t testing.TB, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tmpl assembly.Template
	if err := json.Unmarshal(data, &tmpl); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	out := map[string]string{}
	for id, r := range tmpl.Resources {
		if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
			if _, rest, found := strings.Cut(p, "/"); found {
				out[id] = rest
			}
		}
	}
	return out
}

// s3ProtectionOff: CT.GUARDDUTY.PR.1 is excepted because the rule reads
// DataSources and the baseline turns S3 Protection on in Features. That
// holds only while S3 Protection is really on; this lists the detectors
// that fail the rule and have it off in Features too.
func s3ProtectionOff(t testing.TB, findings []guardFinding) []string {
	var out []string
	for _, f := range findings {
		if f.Rule != "CT.GUARDDUTY.PR.1" {
			continue
		}
		var tmpl assembly.Template
		data, err := os.ReadFile(f.File)
		if err != nil || json.Unmarshal(data, &tmpl) != nil {
			t.Fatalf("%s: cannot read it back (%v)", f.File, err)
		}
		if !strings.Contains(jsonOf(t, tmpl.Resources[f.LogicalID].Properties["Features"]), `{"Name":"S3_DATA_EVENTS","Status":"ENABLED"}`) {
			out = append(out, fmt.Sprintf("%s: %s fails CT.GUARDDUTY.PR.1 and has S3 Protection off in Features too: the exception does not hold", f.Template, f.Path))
		}
	}
	return out
}

// judgeGuard compares findings with the exception list: a finding the list
// does not hold is unlisted; an entry that no finding matches is stale.
func judgeGuard(findings []guardFinding, l policies.ControlTowerExceptions) (unlisted, stale []string) {
	used := map[string]bool{}
	for _, f := range findings {
		if l.Excepted(f.Rule, f.Path) {
			used[f.Rule+" "+f.Path] = true
			continue
		}
		unlisted = append(unlisted, fmt.Sprintf("%s: %s fails %s", f.Template, f.Path, f.Rule))
	}
	for _, e := range l.Exceptions {
		if !used[e.Rule+" "+e.Resource] {
			stale = append(stale, e.Rule+" "+e.Resource)
		}
	}
	slices.Sort(unlisted)
	return slices.Compact(unlisted), stale
}

// controlTowerTemplates are the template files of the example, the
// multi-account and the organization configs (test/golden_test.go's
// three), StackSet member templates included.
func controlTowerTemplates(t testing.TB) []string {
	t.Helper()
	var files []string
	for _, asm := range []*assembly.Assembly{exampleAssembly(t), trailOptionsAssembly(t), stackSetAssembly(t)} {
		for _, s := range asm.Stacks {
			files = append(files, filepath.Join(asm.Dir, s.TemplateFile))
			for _, r := range s.Template.Resources {
				if r.Type == "AWS::CloudFormation::StackSet" {
					hash := regexp.MustCompile(`[0-9a-f]{64}\.json`).FindString(jsonOf(t, r.Properties["TemplateURL"]))
					if hash == "" {
						t.Fatalf("%s: a StackSet's TemplateURL names no asset", s.Name)
					}
					files = append(files, filepath.Join(asm.Dir, "asset."+hash))
				}
			}
		}
	}
	return files
}

// TestControlTowerProactiveControls runs AWS Control Tower's proactive
// controls (cfn-guard) over every template: each failure must be an
// exception of policies/controltower.yaml, with its reason, and each
// exception must still fail somewhere.
func TestControlTowerProactiveControls(t *testing.T) {
	list, err := policies.ControlTowerExceptionList()
	if err != nil {
		t.Fatal(err)
	}
	files := controlTowerTemplates(t)
	findings := runGuard(t, files)
	unlisted, stale := judgeGuard(findings, list)
	for _, u := range unlisted {
		t.Errorf("%s: not in policies/controltower.yaml; fix the template, or add the exception with its reason", u)
	}
	for _, s := range stale {
		t.Errorf("policies/controltower.yaml: %s fails in no template any more; delete the entry", s)
	}
	for _, p := range s3ProtectionOff(t, findings) {
		t.Error(p)
	}

	// What fails, for the record: control, resource, how many templates.
	count := map[string]int{}
	for _, f := range findings {
		count[f.Rule+" "+f.Path]++
	}
	keys := make([]string, 0, len(count))
	for k := range count {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	t.Logf("%d templates, %d failures of %d excepted (control, resource) pairs", len(files), len(findings), len(keys))
	for _, k := range keys {
		t.Logf("  %-60s in %d templates", k, count[k])
	}
}

// TestControlTowerCatchesWhatTheFixesFixed breaks the example's home
// template the way it was before the fixes (no key on the custom-resource
// log group, no EventBridge notifications, no grant deny in the key
// policies): cfn-guard must find exactly those, none of them excepted. It
// also turns S3 Protection off, which the GuardDuty exception must not
// cover. And an exception that nothing fails is reported as stale.
func TestControlTowerCatchesWhatTheFixesFixed(t *testing.T) {
	asm := exampleAssembly(t)
	s := stack(t, asm, "Prod-ap-northeast-1")
	var tmpl map[string]any
	if err := json.Unmarshal(readTemplate(t, asm, s), &tmpl); err != nil {
		t.Fatal(err)
	}
	broken := 0
	detector := ""
	for id, v := range tmpl["Resources"].(map[string]any) {
		r := v.(map[string]any)
		props, _ := r["Properties"].(map[string]any)
		path, _ := r["Metadata"].(map[string]any)["aws:cdk:path"].(string)
		switch r["Type"] {
		case "AWS::Logs::LogGroup":
			if strings.HasSuffix(path, "/SdkCall/LogGroup/Resource") {
				delete(props, "KmsKeyId")
				broken++
			}
		case "AWS::S3::Bucket":
			if strings.HasSuffix(path, "/LogArchive/Bucket/Resource") {
				delete(props, "NotificationConfiguration")
				broken++
			}
		case "AWS::GuardDuty::Detector":
			// S3 Protection off: the GuardDuty exception must not cover it.
			for _, f := range props["Features"].([]any) {
				if f.(map[string]any)["Name"] == "S3_DATA_EVENTS" {
					f.(map[string]any)["Status"] = "DISABLED"
					detector = id
				}
			}
		case "AWS::KMS::Key":
			policy := props["KeyPolicy"].(map[string]any)
			var kept []any
			for _, st := range policy["Statement"].([]any) {
				if st.(map[string]any)["Sid"] != "DenyGrantsExceptForAWSResources" {
					kept = append(kept, st)
				}
			}
			if len(kept) == len(policy["Statement"].([]any)) {
				t.Fatalf("%s has no grant deny to remove", path)
			}
			policy["Statement"] = kept
			broken++
		}
	}
	if broken != 5 { // the log group, the bucket, three keys
		t.Fatalf("broke %d resources, want 5", broken)
	}
	data, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "Broken.template.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	list, err := policies.ControlTowerExceptionList()
	if err != nil {
		t.Fatal(err)
	}
	findings := runGuard(t, []string{file})
	unlisted, stale := judgeGuard(findings, list)
	want := []string{
		"Broken.template.json: Alarms/Key/Resource fails CT.KMS.PR.3",
		"Broken.template.json: LogArchive/Bucket/Resource fails CT.S3.PR.4",
		"Broken.template.json: LogArchive/Key/Resource fails CT.KMS.PR.3",
		"Broken.template.json: SdkCall/Key/Resource fails CT.KMS.PR.3",
		"Broken.template.json: SdkCall/LogGroup/Resource fails CT.CLOUDWATCH.PR.3",
	}
	if !slices.Equal(unlisted, want) {
		t.Errorf("unlisted failures\n%s\nwant\n%s", strings.Join(unlisted, "\n"), strings.Join(want, "\n"))
	}
	if len(stale) != 0 {
		t.Errorf("the home template fails every exception, yet %v are stale", stale)
	}
	if detector == "" {
		t.Fatal("no detector with S3_DATA_EVENTS to turn off")
	}
	if got := s3ProtectionOff(t, findings); !slices.Equal(got, []string{"Broken.template.json: GuardDuty/Resource fails CT.GUARDDUTY.PR.1 and has S3 Protection off in Features too: the exception does not hold"}) {
		t.Errorf("S3 Protection off: %v", got)
	}

	extra := list
	extra.Exceptions = append(slices.Clone(list.Exceptions), policies.ControlTowerException{Rule: "CT.S3.PR.1", Resource: "LogArchive/Bucket/Resource"})
	if _, stale := judgeGuard(findings, extra); !slices.Equal(stale, []string{"CT.S3.PR.1 LogArchive/Bucket/Resource"}) {
		t.Errorf("stale = %v, want the entry that nothing fails", stale)
	}
}

// TestControlTowerExceptionListIsChecked pins the loader's errors: each
// names the entry and field, and says what to write.
func TestControlTowerExceptionListIsChecked(t *testing.T) {
	const head = "source: https://docs.aws.amazon.com/controltower/latest/controlreference/proactive-controls.html\nexceptions:\n"
	const ok = "    resource: LogArchive/Bucket/Resource\n    reason: opt-in\n    doc: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"a bad control id", head + "  - rule: S3.PR.9\n" + ok,
			`ct.yaml:3: exceptions[0].rule: "S3.PR.9" is not a proactive control id like CT.S3.PR.9`},
		{"no reason", head + "  - rule: CT.S3.PR.9\n    resource: LogArchive/Bucket/Resource\n    doc: https://docs.aws.amazon.com/x\n",
			"ct.yaml:3: exceptions[0].reason: say why LogArchive/Bucket/Resource does not meet CT.S3.PR.9"},
		{"a doc that is not AWS's", head + "  - rule: CT.S3.PR.9\n    resource: LogArchive/Bucket/Resource\n    reason: r\n    doc: https://example.com\n",
			`ct.yaml:6: exceptions[0].doc: "https://example.com" must be the AWS documentation page the reason rests on (https://docs.aws.amazon.com/...)`},
		{"a stack-qualified path", head + "  - rule: CT.S3.PR.9\n    resource: /Prod/LogArchive\n    reason: r\n    doc: https://docs.aws.amazon.com/x\n",
			`ct.yaml:4: exceptions[0].resource: "/Prod/LogArchive" must be a construct path under the stack, like LogArchive/Bucket/Resource`},
		{"an entry twice", head + "  - rule: CT.S3.PR.9\n" + ok + "  - rule: CT.S3.PR.9\n" + ok,
			"ct.yaml:7: exceptions[1]: CT.S3.PR.9 on LogArchive/Bucket/Resource is listed twice"},
		{"every problem at once", head + "  - rule: S3.PR.9\n    resource: /x\n    reason: r\n    doc: https://example.com\n",
			`ct.yaml:3: exceptions[0].rule: "S3.PR.9" is not a proactive control id like CT.S3.PR.9` + "\n" +
				`ct.yaml:4: exceptions[0].resource: "/x" must be a construct path under the stack, like LogArchive/Bucket/Resource` + "\n" +
				`ct.yaml:6: exceptions[0].doc: "https://example.com" must be the AWS documentation page the reason rests on (https://docs.aws.amazon.com/...)`},
		{"no source", "exceptions: []\n", "ct.yaml:1: source: required: the control reference's URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := policies.ParseControlTowerExceptions([]byte(c.yaml), "ct.yaml")
			if err == nil || err.Error() != c.want {
				t.Errorf("error %v\nwant  %s", err, c.want)
			}
		})
	}
	if _, err := policies.ParseControlTowerExceptions([]byte(head+"  - rule: CT.S3.PR.9\n"+ok+"    extra: 1\n"), "ct.yaml"); err == nil || !strings.Contains(err.Error(), "extra") {
		t.Errorf("an unknown key: %v", err)
	}
}

// TestControlTowerExceptionsAreShown: REVIEW.md lists every exception with
// the stacks that hold its resource, and README.md's table lists the same
// controls and resources as policies/controltower.yaml.
func TestControlTowerExceptionsAreShown(t *testing.T) {
	r := exampleReview(t)
	where := map[string]string{}
	for _, row := range r.ControlTower {
		where[row.Rule+" "+row.Resource] = strings.Join(row.Stacks, ", ")
	}
	homes := "Dev-ap-northeast-1, Prod-ap-northeast-1"
	everywhere := "Dev-ap-northeast-1, Prod-ap-northeast-1, Prod-us-east-1"
	want := map[string]string{
		"CT.GUARDDUTY.PR.1 GuardDuty/Resource":                        everywhere,
		"CT.LAMBDA.PR.3 AWS679f53fac002430cb0da5b7982bd2287/Resource": everywhere,
		"CT.S3.PR.2 LogArchive/AccessLogBucket/Resource":              homes,
		"CT.S3.PR.9 LogArchive/AccessLogBucket/Resource":              homes,
		"CT.S3.PR.9 LogArchive/Bucket/Resource":                       homes,
		"CT.S3.PR.10 LogArchive/AccessLogBucket/Resource":             homes,
	}
	if jsonOf(t, where) != jsonOf(t, want) {
		t.Errorf("REVIEW.md's rows:\n%s\nwant\n%s", jsonOf(t, where), jsonOf(t, want))
	}
	md := string(r.Markdown())
	if r.ControlTowerError != "" || !strings.Contains(md, "## AWS Control Tower proactive controls") ||
		!strings.Contains(md, "| CT.S3.PR.10 | `LogArchive/AccessLogBucket/Resource` | Dev-ap-northeast-1, Prod-ap-northeast-1 | S3 delivers server access logs only") {
		t.Errorf("REVIEW.md has no Control Tower section with its rows (error %q)", r.ControlTowerError)
	}

	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile("(?m)^\\| (CT\\.[A-Z0-9]+\\.PR\\.[0-9]+) \\| `([^`]+)` \\|").FindAllStringSubmatch(string(readme), -1)
	var inReadme, inList []string
	for _, m := range rows {
		inReadme = append(inReadme, m[1]+" "+m[2])
	}
	list, _ := policies.ControlTowerExceptionList()
	for _, e := range list.Exceptions {
		inList = append(inList, e.Rule+" "+e.Resource)
	}
	slices.Sort(inReadme)
	slices.Sort(inList)
	if !slices.Equal(inReadme, inList) {
		t.Errorf("README.md's Control Tower table has\n%s\npolicies/controltower.yaml has\n%s", strings.Join(inReadme, "\n"), strings.Join(inList, "\n"))
	}
}
