package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// modelCall is one call an sdkcall custom resource makes, as
// test/botocore/check_calls.py reads it.
type modelCall struct {
	Where        string         `json:"where"`
	Client       string         `json:"client"`
	Method       string         `json:"method"`
	Params       map[string]any `json:"params"`
	IgnoreErrors string         `json:"ignoreErrors,omitempty"`
	Output       string         `json:"output,omitempty"`
	List         string         `json:"list,omitempty"`
	ListSample   []any          `json:"listSample,omitempty"`
	Wait         *modelWait     `json:"wait,omitempty"`
}

type modelWait struct {
	Method  string         `json:"method"`
	Params  map[string]any `json:"params"`
	Query   string         `json:"query"`
	Until   string         `json:"until"`
	Pending []string       `json:"pending,omitempty"`
}

// pseudoValues stand in for the pseudo parameters a StackSet member
// template joins into its calls' parameters.
var pseudoValues = map[string]string{"AWS::AccountId": "222222222222", "AWS::Partition": "aws", "AWS::Region": "us-east-1"}

// outputValue stands in for another sdkcall's Output (Fn::GetAtt of its
// attribute Value) in a call's parameters: a GuardDuty detector id's form.
const outputValue = "0123456789abcdef0123456789abcdef"

// callParams turns a call's Parameters (JSON text, or an Fn::Join of text
// and pseudo parameters) into its value.
func callParams(t *testing.T, where string, v any) map[string]any {
	t.Helper()
	text, ok := v.(string)
	m, _ := v.(map[string]any)
	if j, isJoin := m["Fn::Join"]; !ok && isJoin {
		parts := j.([]any)[1].([]any)
		var b strings.Builder
		for _, p := range parts {
			switch p := p.(type) {
			case string:
				b.WriteString(p)
			case map[string]any:
				if att, ok := p["Fn::GetAtt"].([]any); ok && len(att) == 2 && att[1] == "Value" {
					b.WriteString(outputValue)
					continue
				}
				ref, _ := p["Ref"].(string)
				val, known := pseudoValues[ref]
				if !known {
					t.Fatalf("%s: parameters refer to %v, which this check cannot resolve", where, p)
				}
				b.WriteString(val)
			}
		}
		text, ok = b.String(), true
	}
	if !ok {
		t.Fatalf("%s: Parameters %v is neither JSON text nor a join", where, v)
	}
	var out map[string]any
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		t.Fatalf("%s: Parameters %q: %v", where, text, err)
	}
	return out
}

// goldenCalls reads every call of every sdkcall custom resource in the
// golden templates: what the app deploys.
func goldenCalls(t *testing.T) []modelCall {
	t.Helper()
	var files []string
	filepath.WalkDir(goldenDir, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".template.json") {
			files = append(files, path)
		}
		return err
	})
	sort.Strings(files)
	seen := map[string]bool{}
	var calls []modelCall
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var tpl struct {
			Resources map[string]struct {
				Type       string         `json:"Type"`
				Properties map[string]any `json:"Properties"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(data, &tpl); err != nil {
			t.Fatal(err)
		}
		for _, lid := range slices.Sorted(maps.Keys(tpl.Resources)) {
			r := tpl.Resources[lid]
			if !strings.HasPrefix(r.Type, "Custom::") {
				continue
			}
			for _, event := range []string{"Create", "Update", "Delete"} {
				raw, ok := r.Properties[event].(map[string]any)
				if !ok {
					continue
				}
				where := fmt.Sprintf("%s %s %s %s", filepath.Base(f), lid, r.Type, event)
				c := modelCall{Where: where, Client: raw["Client"].(string), Method: raw["Method"].(string), Params: callParams(t, where, raw["Parameters"])}
				c.IgnoreErrors, _ = raw["IgnoreErrors"].(string)
				c.Output, _ = raw["Output"].(string)
				if w, ok := raw["Wait"].(map[string]any); ok {
					c.Wait = &modelWait{Method: w["Method"].(string), Params: callParams(t, where, w["Parameters"]), Query: w["Query"].(string), Until: w["Until"].(string)}
					pending, _ := w["Pending"].([]any)
					for _, p := range pending {
						c.Wait.Pending = append(c.Wait.Pending, p.(string))
					}
				}
				all := []modelCall{c}
				if p, ok := raw["Prune"].(map[string]any); ok {
					list := p["List"].(string)
					sample, _ := c.Params[list].([]any)
					if len(sample) == 0 {
						t.Fatalf("%s: Prune's list %s is not a list of Apply", where, list)
					}
					all = append(all, modelCall{Where: where + " Prune", Client: p["Client"].(string), Method: p["Method"].(string),
						Params: callParams(t, where, p["Parameters"]), List: list, ListSample: sample[:1]})
				}
				for _, c := range all {
					// One copy of each distinct call (the same setting in
					// many stacks) keeps the output short.
					key := jsonOf(t, []any{c.Client, c.Method, c.Params, c.IgnoreErrors, c.List, c.Wait, c.Output})
					if !seen[key] {
						seen[key] = true
						calls = append(calls, c)
					}
				}
			}
		}
	}
	return calls
}

// checkCallsWithBotocore runs test/botocore/check_calls.py; it returns the
// problems it reports.
func checkCallsWithBotocore(t *testing.T, calls []modelCall) []string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; CI runs this check")
	}
	if err := exec.Command(python, "-c", "import botocore, jmespath").Run(); err != nil {
		t.Skip("python3 has no botocore; CI runs this check")
	}
	cmd := exec.Command(python, filepath.Join("botocore", "check_calls.py"))
	cmd.Stdin = strings.NewReader(jsonOf(t, calls))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check_calls.py: %v\n%s", err, stderr.String())
	}
	t.Log(strings.TrimSpace(stderr.String()))
	var problems []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if l != "" {
			problems = append(problems, l)
		}
	}
	return problems
}

// TestSdkCallsMatchTheAPIModels checks every call the sdkcall function
// makes in the golden templates (Create, Update, Delete, an update's
// Prune and a call's Wait) against botocore's model of the API: operation,
// parameter names and types, the errors IgnoreErrors names, and the
// output fields and enum values a Wait reads.
func TestSdkCallsMatchTheAPIModels(t *testing.T) {
	calls := goldenCalls(t)
	clients := map[string]bool{}
	for _, c := range calls {
		clients[c.Client+"."+c.Method] = true
	}
	for _, want := range []string{"inspector2.enable", "inspector2.disable", "iam.create_service_linked_role", "ec2.enable_ebs_encryption_by_default",
		// organization mode's delegated administrators (orgadmin)
		"organizations.register_delegated_administrator", "guardduty.enable_organization_admin_account", "inspector2.enable_delegated_admin_account",
		"guardduty.list_detectors", "guardduty.update_detector", "guardduty.update_organization_configuration", "inspector2.update_organization_configuration"} {
		if !clients[want] {
			t.Errorf("no %s call in the goldens: the check would miss it", want)
		}
	}
	t.Logf("%d distinct calls: %s", len(calls), strings.Join(slices.Sorted(maps.Keys(clients)), ", "))
	for _, p := range checkCallsWithBotocore(t, calls) {
		t.Error(p)
	}
}

// TestSdkCallModelCheckCatchesMistakes breaks one call at a time the way a
// typo would, and expects the check to say so.
func TestSdkCallModelCheckCatchesMistakes(t *testing.T) {
	var enable modelCall
	for _, c := range goldenCalls(t) {
		if c.Client == "inspector2" && c.Method == "enable" && c.Wait != nil {
			enable = c
			break
		}
	}
	if enable.Wait == nil {
		t.Fatal("no inspector2 enable call with a wait in the goldens")
	}
	clone := func(change func(c *modelCall)) modelCall {
		var c modelCall
		json.Unmarshal([]byte(jsonOf(t, enable)), &c)
		change(&c)
		return c
	}
	cases := []struct {
		name, want string
		call       modelCall
	}{
		{"a misspelled parameter", "Unknown parameter in input: \"resourceType\"",
			clone(func(c *modelCall) {
				c.Params["resourceType"] = c.Params["resourceTypes"]
				delete(c.Params, "resourceTypes")
			})},
		{"a string where the API takes a list", "Invalid type for parameter resourceTypes",
			clone(func(c *modelCall) { c.Params["resourceTypes"] = "EC2" })},
		{"an operation the service has not", "inspector2 has no operation enable_scanning",
			clone(func(c *modelCall) { c.Method = "enable_scanning" })},
		{"a wait query through a field the answer has not", "has no member resourceStates",
			clone(func(c *modelCall) { c.Wait.Query = strings.Replace(c.Wait.Query, "resourceState", "resourceStates", 1) })},
		{"a wait for a status the API never reports", "ON is not a value of Status",
			clone(func(c *modelCall) { c.Wait.Until = "ON" })},
		{"an ignored error the operation cannot raise", "matches none of its errors",
			clone(func(c *modelCall) { c.IgnoreErrors = "^NoSuchEntityException$" })},
		{"a wait filter on a field the list's members have not", "has no member accountIdd",
			clone(func(c *modelCall) { c.Wait.Query = "accounts[?accountIdd=='222222222222'].state.status" })},
		{"an output that picks a list, not a string", "picks a list, not a string",
			clone(func(c *modelCall) { c.Output = "accounts" })},
		{"a prune list that is no list parameter", "List clientToken is not a list parameter",
			clone(func(c *modelCall) { c.List, c.ListSample, c.Wait = "clientToken", []any{"x"}, nil })},
	}
	// One run of the checker for all cases: botocore takes seconds to load.
	var calls []modelCall
	for _, c := range cases {
		c.call.Where = c.name
		calls = append(calls, c.call)
	}
	problems := checkCallsWithBotocore(t, calls)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var mine []string
			for _, p := range problems {
				if strings.HasPrefix(p, c.name+":") {
					mine = append(mine, p)
				}
			}
			if !strings.Contains(strings.Join(mine, "\n"), c.want) {
				t.Errorf("problems %q, want one saying %q", mine, c.want)
			}
		})
	}
}
