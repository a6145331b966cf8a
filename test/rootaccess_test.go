package test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/constructs/rootaccess"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// botoOperations reads a botocore service model's operations and their
// input shapes' members and required members.
func botoOperations(t *testing.T, dataDir, service string) map[string]struct{ members, required []string } {
	t.Helper()
	z := openBotocoreModel(t, dataDir, service)
	defer z.Close()
	var model struct {
		Operations map[string]struct {
			Input *struct {
				Shape string `json:"shape"`
			} `json:"input"`
		} `json:"operations"`
		Shapes map[string]struct {
			Required []string                  `json:"required"`
			Members  map[string]map[string]any `json:"members"`
		} `json:"shapes"`
	}
	if err := json.NewDecoder(z).Decode(&model); err != nil {
		t.Fatal(err)
	}
	out := map[string]struct{ members, required []string }{}
	for name, op := range model.Operations {
		var e struct{ members, required []string }
		if op.Input != nil {
			s := model.Shapes[op.Input.Shape]
			e.required = s.Required
			for m := range s.Members {
				e.members = append(e.members, m)
			}
		}
		out[name] = e
	}
	return out
}

// checkSDKCall checks one custom-resource call against the AWS SDK's model
// (botocore) and the Service Authorization Reference (iam-data): the
// operation exists, every required parameter is given and no unknown one,
// and the permission is the IAM action of that operation.
func checkSDKCall(t *testing.T, dataDir, service, action, permission string, params map[string]any) error {
	ops := botoOperations(t, dataDir, strings.ToLower(service))
	var op string
	for name := range ops {
		if strings.EqualFold(name, strings.ReplaceAll(action, "_", "")) {
			op = name
		}
	}
	if op == "" {
		return fmt.Errorf("%s %s: no such operation in botocore's %s model", service, action, strings.ToLower(service))
	}
	for _, r := range ops[op].required {
		if _, ok := params[r]; !ok {
			return fmt.Errorf("%s %s: required parameter %s missing", service, op, r)
		}
	}
	for p := range params {
		found := false
		for _, m := range ops[op].members {
			found = found || m == p
		}
		if !found {
			return fmt.Errorf("%s %s: unknown parameter %s", service, op, p)
		}
	}
	prefix, name, _ := strings.Cut(permission, ":")
	if !strings.EqualFold(name, op) {
		return fmt.Errorf("%s %s: permission %s is not the operation's action", service, op, permission)
	}
	if _, ok := sar(t, prefix).action(permission); !ok {
		return fmt.Errorf("%s: not an action of the Service Authorization Reference", permission)
	}
	return nil
}

// TestRootAccessCalls: every call of centralized root access is an
// operation of the AWS SDK's model with its required parameters, and its
// one permission is that operation's IAM action. Negative test: a
// misspelt operation, a missing parameter and a wrong permission are caught.
func TestRootAccessCalls(t *testing.T) {
	dataDir := botocoreDataDir(t)
	calls := rootaccess.Calls(rootaccess.Props{})
	if len(calls) != 3 {
		t.Fatalf("%d calls, want 3", len(calls))
	}
	for _, c := range calls {
		if err := checkSDKCall(t, dataDir, c.Service, c.Action, c.Permission, c.Parameters); err != nil {
			t.Error(err)
		}
	}
	if n := len(rootaccess.Calls(rootaccess.Props{DisableRootSessions: true})); n != 2 {
		t.Errorf("DisableRootSessions: %d calls, want 2", n)
	}
	t.Run("the check catches broken calls", func(t *testing.T) {
		c := calls[0]
		for name, err := range map[string]error{
			"misspelt operation": checkSDKCall(t, dataDir, "IAM", "enableOrganizationsRootSession", "iam:EnableOrganizationsRootSessions", nil),
			"missing parameter":  checkSDKCall(t, dataDir, c.Service, c.Action, c.Permission, nil),
			"unknown parameter":  checkSDKCall(t, dataDir, c.Service, c.Action, c.Permission, map[string]any{"ServicePrincipal": "x", "Principal": "x"}),
			"wrong permission":   checkSDKCall(t, dataDir, c.Service, c.Action, "organizations:EnablePolicyType", c.Parameters),
		} {
			if err == nil {
				t.Errorf("%s: not caught", name)
			}
		}
	})
	t.Run("the organization stack makes them in order", func(t *testing.T) {
		cfg := orgModeCfg(t)
		asm := orgModeAssembly(t)
		org := stack(t, asm, stacks.OrganizationStackName(cfg))
		var raw struct {
			Resources map[string]struct {
				DependsOn any `json:"DependsOn"`
			} `json:"Resources"`
		}
		if err := json.Unmarshal(readTemplate(t, asm, org), &raw); err != nil {
			t.Fatal(err)
		}
		prev := ""
		for _, typ := range []string{"Custom::IAMTrustedAccess", "Custom::RootCredentialsManagement", "Custom::RootSessions"} {
			ids := slices.Sorted(maps.Keys(resourcesOfType(org, typ)))
			if len(ids) != 1 {
				t.Fatalf("%d %s, want 1", len(ids), typ)
			}
			// The resource waits for its policy only (TestSdkCallFunction's
			// rule); the policy waits for the setting before.
			deps := raw.Resources[ids[0]].DependsOn
			list, _ := deps.([]any)
			if s, ok := deps.(string); ok {
				list = []any{s}
			}
			if len(list) != 1 || !strings.Contains(list[0].(string), "CustomResourcePolicy") {
				t.Errorf("%s depends on %v, want its own policy only", typ, deps)
				continue
			}
			policy := list[0].(string)
			if prev != "" && !strings.Contains(jsonOf(t, raw.Resources[policy].DependsOn), `"`+prev+`"`) {
				t.Errorf("%s's policy does not wait for %s", typ, prev)
			}
			prev = ids[0]
		}
		fns := resourcesOfType(org, "AWS::Lambda::Function")
		if len(fns) != 1 || fns[sdkCallFunctionID].Properties["Code"].(map[string]any)["ZipFile"] == nil {
			t.Errorf("the organization stack has functions %v, want the one inline sdkcall function %s", slices.Sorted(maps.Keys(fns)), sdkCallFunctionID)
		}
	})
}
