package test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// nagPacks are the cdk-nag packs every stack is checked against.
var nagPacks = []string{"AwsSolutions", "NIST.800.53.R5"}

// TestNagFindsNothingUnsuppressed reads cdk-nag's reports from the example
// assembly, and from the hub and services-options assemblies (which hold
// the chat configurations): every rule at error level must be compliant or
// suppressed with a reason, on a specific resource.
func TestNagFindsNothingUnsuppressed(t *testing.T) {
	var all []struct {
		asm *assembly.Assembly
		s   assembly.Stack
	}
	for _, build := range []func(testing.TB) *assembly.Assembly{exampleAssembly, hubAssembly, servicesOptionsAssembly} {
		asm := build(t)
		for _, s := range asm.Stacks {
			all = append(all, struct {
				asm *assembly.Assembly
				s   assembly.Stack
			}{asm, s})
		}
	}
	for _, pack := range nagPacks {
		var compliant, suppressed, errs, warnings int
		for _, x := range all {
			asm, s := x.asm, x.s
			path := filepath.Join(asm.Dir, pack+"--"+s.Name+"-NagReport.csv")
			f, err := os.Open(path)
			if err != nil {
				t.Fatalf("no %s report for %s: %v", pack, s.Name, err)
			}
			rows, err := csv.NewReader(f).ReadAll()
			f.Close()
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			for _, r := range rows[1:] { // Rule ID, Resource ID, Compliance, Exception Reason, Rule Level, Rule Info
				switch {
				case r[2] == "Compliant" || r[2] == "N/A":
					compliant++
				case r[2] == "Suppressed":
					suppressed++
					if len(strings.TrimSpace(r[3])) < 20 {
						t.Errorf("%s on %s is suppressed without a real reason: %q", r[0], r[1], r[3])
					}
				case r[4] == "Error":
					errs++
					t.Errorf("%s: %s on %s: %s", pack, r[0], r[1], r[5])
				default:
					warnings++
					t.Logf("%s warning: %s on %s", pack, r[0], r[1])
				}
			}
		}
		t.Logf("%s: %d compliant, %d suppressed, %d unsuppressed errors, %d warnings", pack, compliant, suppressed, errs, warnings)
	}
}

// TestNoStackWideSuppressions: suppressions sit on resources, never on a
// whole stack, so that each one is reviewed where it applies.
func TestNoStackWideSuppressions(t *testing.T) {
	for _, s := range exampleAssembly(t).Stacks {
		raw, err := os.ReadFile(filepath.Join(exampleAssembly(t).Dir, s.TemplateFile))
		if err != nil {
			t.Fatal(err)
		}
		var top struct {
			Metadata map[string]any `json:"Metadata"`
		}
		if err := json.Unmarshal(raw, &top); err != nil {
			t.Fatal(err)
		}
		if _, ok := top.Metadata["cdk_nag"]; ok {
			t.Errorf("%s has stack-wide nag suppressions", s.Name)
		}
		var ids []string
		for id, r := range s.Template.Resources {
			if _, ok := r.Metadata["cdk_nag"]; ok {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		t.Logf("%s: suppressions on %v", s.Name, ids)
	}
}
