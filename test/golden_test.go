package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

var goldenDir = filepath.Join("testdata", "golden")

// TestGoldenTemplates compares every template of three configs with its
// reviewed golden copy: the example (test/testdata/golden/), a
// multi-account config with a central log archive (multi-account/), and a
// StackSet config (organization/, with the member templates). After an
// intended change, rewrite them with
//
//	go test ./test -run TestGoldenTemplates -update
//
// and review the diff like code.
func TestGoldenTemplates(t *testing.T) {
	sets := []struct {
		dir string
		asm func(testing.TB) *assembly.Assembly
	}{
		{goldenDir, exampleAssembly},
		{filepath.Join(goldenDir, "multi-account"), trailOptionsAssembly},
		{filepath.Join(goldenDir, "organization"), stackSetAssembly},
		{filepath.Join(goldenDir, "organization-mode"), orgModeAssembly},
	}
	for _, set := range sets {
		t.Run(set.dir, func(t *testing.T) {
			asm := set.asm(t)
			files := map[string][]byte{}
			for _, s := range asm.Stacks {
				files[s.TemplateFile] = readTemplate(t, asm, s)
				for _, r := range s.Template.Resources {
					if r.Type == "AWS::CloudFormation::StackSet" {
						raw, _ := memberTemplate(t, asm, r)
						name := map[bool]string{true: "Member-home.template.json", false: "Member-regional.template.json"}[r.Properties["StackSetName"] == "baseline-home"]
						files[name] = normalizeTemplate([]byte(raw))
					}
				}
			}
			checkGolden(t, set.dir, files)
		})
	}
}

// checkGolden compares files with the golden files in dir, or rewrites
// them with -update.
func checkGolden(t *testing.T, dir string, files map[string][]byte) {
	if *update {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !e.IsDir() {
				os.Remove(filepath.Join(dir, e.Name()))
			}
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, got := range files {
		path := filepath.Join(dir, name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		golden, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: no golden file; run go test ./test -run TestGoldenTemplates -update and review it", path)
		}
		if !bytes.Equal(got, golden) {
			t.Errorf("%s differs; if the change is intended, rerun with -update and review the diff", path)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if _, ok := files[e.Name()]; !ok && !e.IsDir() {
			t.Errorf("golden file %s belongs to no template; delete it", filepath.Join(dir, e.Name()))
		}
	}
}

func readTemplate(t testing.TB, asm *assembly.Assembly, s assembly.Stack) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(asm.Dir, s.TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	return normalizeTemplate(data)
}

// TestSynthIsDeterministic synthesizes the example a second time: every
// template must be byte-identical, or golden files and `cdk diff` would
// show changes that are not there.
func TestSynthIsDeterministic(t *testing.T) {
	first := exampleAssembly(t)
	second := synthConfig(t, config.Example())
	if len(first.Stacks) != len(second.Stacks) {
		t.Fatalf("first synth has %d stacks, second %d", len(first.Stacks), len(second.Stacks))
	}
	for i := range first.Stacks {
		a, b := readTemplate(t, first, first.Stacks[i]), readTemplate(t, second, second.Stacks[i])
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two synths of the same config differ", first.Stacks[i].Name)
		}
	}
}

// TestExampleStacks pins what every stack of the example must be.
func TestExampleStacks(t *testing.T) {
	asm := exampleAssembly(t)
	cfg := config.Example()
	var names []string
	for _, acc := range cfg.Accounts {
		for _, region := range acc.Regions {
			names = append(names, acc.Name+"-"+region)
		}
	}
	var got []string
	for _, s := range asm.Stacks {
		got = append(got, s.Name)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(got, ",") {
		t.Fatalf("stacks = %v, want one per account and region: %v", got, names)
	}
	for _, acc := range cfg.Accounts {
		for _, region := range acc.Regions {
			s := stack(t, asm, acc.Name+"-"+region)
			t.Run(s.Name+" is pinned to its account and region", func(t *testing.T) {
				if s.Account != acc.ID || s.Region != region {
					t.Errorf("environment = %s/%s, want %s/%s", s.Account, s.Region, acc.ID, region)
				}
			})
			t.Run(s.Name+" says what it is", func(t *testing.T) {
				if !strings.Contains(s.Template.Description, acc.Name+" ("+acc.ID+") in "+region) {
					t.Errorf("description %q does not name the account and region", s.Template.Description)
				}
			})
			t.Run(s.Name+" has termination protection and tool tags", func(t *testing.T) {
				if !s.TerminationProtection {
					t.Error("termination protection is off")
				}
				if s.Tags["baseline:tool"] != "cdk-baseline" || s.Tags["baseline:version"] == "" {
					t.Errorf("tags = %v, want baseline:tool and baseline:version", s.Tags)
				}
			})
			t.Run(s.Name+" holds the alarm topic only in the home region", func(t *testing.T) {
				topics := resourcesOfType(s, "AWS::SNS::Topic")
				if want := map[bool]int{true: 1, false: 0}[region == acc.HomeRegion]; len(topics) != want {
					t.Errorf("%d topics, want %d", len(topics), want)
				}
			})
		}
	}
}

// TestCLISynthMatchesGolden runs the real `cdk synth` (the pinned CLI, with
// cdk.json) and checks that it produces exactly the golden templates: the
// test apps see the same context as users do.
func TestCLISynthMatchesGolden(t *testing.T) {
	cdk, err := filepath.Abs(filepath.Join(repoRoot, "node_modules", ".bin", "cdk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cdk); err != nil {
		t.Skip("the pinned CDK CLI is not installed (run make deps); skipping the CLI comparison")
	}
	out := t.TempDir()
	cmd := exec.Command(cdk, "synth", "--quiet", "--output", out)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "PATH="+filepath.Dir(cdk)+string(os.PathListSeparator)+os.Getenv("PATH"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("cdk synth: %v\n%s", err, msg)
	}
	asm, err := assembly.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range asm.Stacks {
		golden, err := os.ReadFile(filepath.Join(goldenDir, s.TemplateFile))
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if !bytes.Equal(readTemplate(t, asm, s), golden) {
			t.Errorf("%s: cdk synth output differs from the golden file: the test app's context differs from cdk.json", s.Name)
		}
	}
}
