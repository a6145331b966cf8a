package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// sdkCallFunctionID is the logical id of each stack's shared custom-resource
// function. Deployed custom resources carry its ARN as their service token,
// which CloudFormation refuses to change ("Modifying service token is not
// allowed"): a new id fails the update of every deployed stack. If this
// test fails, restore the construct id (sdkcall's functionID).
const sdkCallFunctionID = "AWS679f53fac002430cb0da5b7982bd22872D164C4C"

// customResourceAssemblies are the synthesized configs whose custom
// resources the tests below check: the example, and the services options
// (revertOnDelete, skip modes).
var customResourceAssemblies = []struct {
	name     string
	assembly func(testing.TB) *assembly.Assembly
}{
	{"the example", exampleAssembly},
	{"the services options", servicesOptionsAssembly},
}

// TestTemplatesNeedNoAssets: a StackSet deploys a member template as it is,
// so no template may need a CDK asset, e.g. the code of a custom-resource
// function in the bootstrap bucket.
func TestTemplatesNeedNoAssets(t *testing.T) {
	for _, c := range customResourceAssemblies {
		asm := c.assembly(t)
		for _, s := range asm.Stacks {
			t.Run(c.name+": "+s.Name, func(t *testing.T) {
				raw, err := os.ReadFile(filepath.Join(asm.Dir, s.TemplateFile))
				if err != nil {
					t.Fatal(err)
				}
				for _, needle := range []string{"AssetParameters", "cdk-hnb659fds-assets", "aws:asset:"} {
					if strings.Contains(string(raw), needle) {
						t.Errorf("the template mentions %q: it needs a CDK asset", needle)
					}
				}
				for id, fn := range resourcesOfType(s, "AWS::Lambda::Function") {
					code, _ := fn.Properties["Code"].(map[string]any)
					if _, ok := code["S3Key"]; ok || code["ZipFile"] == nil {
						t.Errorf("function %s has code %s, want inline code (ZipFile)", id, jsonOf(t, code))
					}
				}
				// The asset manifest lists the template itself and nothing else.
				manifest, err := os.ReadFile(filepath.Join(asm.Dir, s.Name+".assets.json"))
				if err != nil {
					t.Fatal(err)
				}
				var assets struct {
					Files map[string]struct {
						Source struct{ Path, Packaging string }
					} `json:"files"`
					DockerImages map[string]any `json:"dockerImages"`
				}
				if err := json.Unmarshal(manifest, &assets); err != nil {
					t.Fatal(err)
				}
				for hash, f := range assets.Files {
					if f.Source.Path != s.TemplateFile {
						t.Errorf("asset %s: %s (%s)", hash, f.Source.Path, f.Source.Packaging)
					}
				}
				if len(assets.DockerImages) != 0 {
					t.Errorf("docker image assets %v", assets.DockerImages)
				}
			})
		}
	}
}

// TestSdkCallFunction pins the one function per stack that makes the
// account settings CloudFormation has no resource type for: handler.py
// inline, its own role and log group, and every custom resource served by
// it with a stable physical id.
func TestSdkCallFunction(t *testing.T) {
	handler, err := os.ReadFile(filepath.Join(repoRoot, "constructs", "internal", "sdkcall", "handler.py"))
	if err != nil {
		t.Fatal(err)
	}
	snake := regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)
	for _, c := range customResourceAssemblies {
		asm := c.assembly(t)
		for _, s := range asm.Stacks {
			res := svcTemplate(t, asm, s)
			custom := map[string]svcResource{}
			for id, r := range res {
				if strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::CloudFormation::CustomResource" {
					custom[id] = r
				}
			}
			if len(custom) == 0 {
				continue
			}
			t.Run(c.name+": "+s.Name+" has one inline Python function for its custom resources", func(t *testing.T) {
				fns := svcOfType(res, "AWS::Lambda::Function")
				fnID, fn := svcMust(t, s.Name, res, "AWS679f53fac002430cb0da5b7982bd2287/Resource")
				if len(fns) != 1 || fnID != sdkCallFunctionID {
					t.Fatalf("%d functions, the shared one is %s; want one, %s (deployed service tokens point at it)", len(fns), fnID, sdkCallFunctionID)
				}
				roleID, _ := svcMust(t, s.Name, res, "SdkCall/Role/Resource")
				logsID, _ := svcMust(t, s.Name, res, "SdkCall/LogGroup/Resource")
				p := fn.Properties
				if p["Runtime"] != "python3.14" || p["Handler"] != "index.handler" || p["Timeout"] != float64(90) {
					t.Errorf("runtime %v, handler %v, timeout %v; want python3.14, index.handler, 90 s (room for a Wait to poll)", p["Runtime"], p["Handler"], p["Timeout"])
				}
				if code, _ := p["Code"].(map[string]any); code["ZipFile"] != string(handler) {
					t.Error("the function's code is not constructs/internal/sdkcall/handler.py")
				}
				if jsonOf(t, p["Role"]) != jsonOf(t, map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}}) {
					t.Errorf("role %s, want SdkCall/Role", jsonOf(t, p["Role"]))
				}
				if jsonOf(t, p["LoggingConfig"]) != jsonOf(t, map[string]any{"LogGroup": map[string]any{"Ref": logsID}}) {
					t.Errorf("logging config %s, want its own log group", jsonOf(t, p["LoggingConfig"]))
				}
			})

			t.Run(c.name+": "+s.Name+" gives the function a role only Lambda assumes, and its own log group", func(t *testing.T) {
				_, role := svcMust(t, s.Name, res, "SdkCall/Role/Resource")
				trust := `{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"}}],"Version":"2012-10-17"}`
				if got := jsonOf(t, role.Properties["AssumeRolePolicyDocument"]); got != trust {
					t.Errorf("trust policy %s, want %s", got, trust)
				}
				_, logs := svcMust(t, s.Name, res, "SdkCall/LogGroup/Resource")
				if logs.Properties["LogGroupName"] != "/baseline/sdkcall" || logs.Properties["RetentionInDays"] != float64(365) || logs.DeletionPolicy != "Delete" {
					t.Errorf("log group %s, deletion %s; want /baseline/sdkcall, kept a year, deleted with the stack", jsonOf(t, logs.Properties), logs.DeletionPolicy)
				}
			})

			t.Run(c.name+": "+s.Name+" custom resources name their calls, keep their ids and wait for their policies", func(t *testing.T) {
				for id, r := range custom {
					path := svcPath(r)
					setting, ok := strings.CutSuffix(path, "/Resource/Default")
					if !ok {
						t.Errorf("%s at %s, want <setting>/Resource/Default", id, path)
						continue
					}
					if want := map[string]any{"Fn::GetAtt": []any{sdkCallFunctionID, "Arn"}}; jsonOf(t, r.Properties["ServiceToken"]) != jsonOf(t, want) {
						t.Errorf("%s: service token %s", path, jsonOf(t, r.Properties["ServiceToken"]))
					}
					if r.Properties["PhysicalResourceId"] != setting[strings.LastIndex(setting, "/")+1:] {
						t.Errorf("%s: physical id %v, want the setting's construct id", path, r.Properties["PhysicalResourceId"])
					}
					if r.Properties["ServiceTimeout"] != "120" {
						t.Errorf("%s: service timeout %v, want 120 s rather than CloudFormation's hour", path, r.Properties["ServiceTimeout"])
					}
					policyID, _ := svcMust(t, s.Name, res, setting+"/CustomResourcePolicy/Resource")
					want := []string{policyID}
					if r.Type == "Custom::InspectorScans" {
						// Enable waits for the service-linked role, too.
						slrID, _ := svcMust(t, s.Name, res, setting+"/ServiceLinkedRole/Resource/Default")
						want = append(want, slrID)
					}
					if !slices.Equal(r.DependsOn, want) {
						t.Errorf("%s depends on %v, want %v (its own policy, and Inspector's service-linked role)", path, r.DependsOn, want)
					}
					if r.Properties["Create"] == nil {
						t.Errorf("%s makes no call on create", path)
					}
					for _, event := range []string{"Create", "Update", "Delete"} {
						call, ok := r.Properties[event].(map[string]any)
						if !ok {
							continue
						}
						client, _ := call["Client"].(string)
						method, _ := call["Method"].(string)
						if !snake.MatchString(method) || client == "" || strings.ToLower(client) != client {
							t.Errorf("%s: %s calls %q.%q, want boto3's client and snake_case method", path, event, client, method)
						}
						customResourceCall(t, r, event) // Parameters are a JSON string
					}
				}
			})
		}
	}
}
