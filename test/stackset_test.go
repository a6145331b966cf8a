package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// stackSetConfig rolls the baseline out to two OUs from the management
// account, which keeps per-account stacks of its own.
const stackSetConfig = `homeRegion: ap-northeast-1
regions: [ap-northeast-1, us-east-1, eu-west-1]
notifications: {emails: [security@example.com]}
organization:
  deployerAccount: Management
  organizationalUnits: [ou-ab12-cdef3456, ou-ab12-99990000]
  operations: {maxConcurrentPercentage: 50, failureTolerancePercentage: 10, regionConcurrency: SEQUENTIAL, regionOrder: [us-east-1, ap-northeast-1, eu-west-1]}
accounts:
  - name: Management
    id: "999999999999"
`

var stackSetAsm cached

func stackSetAssembly(t testing.TB) *assembly.Assembly {
	return stackSetAsm.config(t, stackSetConfig, "stackset.yaml")
}

// memberTemplate reads the member template a StackSet deploys: the file
// asset its TemplateURL points to.
func memberTemplate(t testing.TB, asm *assembly.Assembly, stackSet assembly.Resource) (string, assembly.Template) {
	t.Helper()
	url := jsonOf(t, stackSet.Properties["TemplateURL"])
	hash := regexp.MustCompile(`[0-9a-f]{64}\.json`).FindString(url)
	if hash == "" {
		t.Fatalf("TemplateURL %s names no asset", url)
	}
	raw, err := os.ReadFile(filepath.Join(asm.Dir, "asset."+hash))
	if err != nil {
		t.Fatal(err)
	}
	var tmpl assembly.Template
	if err := json.Unmarshal(raw, &tmpl); err != nil {
		t.Fatalf("member template: %v", err)
	}
	return string(raw), tmpl
}

func TestStackSets(t *testing.T) {
	asm := stackSetAssembly(t)
	deployer := stack(t, asm, "Management-stacksets")
	if deployer.Account != "999999999999" || deployer.Region != "ap-northeast-1" || !deployer.TerminationProtection {
		t.Errorf("deployer stack env %s/%s, termination protection %v", deployer.Account, deployer.Region, deployer.TerminationProtection)
	}
	home := resourceWithPrefix(t, deployer, "AWS::CloudFormation::StackSet", "Home")
	regional := resourceWithPrefix(t, deployer, "AWS::CloudFormation::StackSet", "Regional")

	for name, ss := range map[string]assembly.Resource{"home": home, "regional": regional} {
		p := ss.Properties
		t.Run("the "+name+" StackSet is service-managed, auto-deploying and retains stacks of leaving accounts", func(t *testing.T) {
			if p["PermissionModel"] != "SERVICE_MANAGED" || p["CallAs"] != "SELF" {
				t.Errorf("permission model %v, call as %v", p["PermissionModel"], p["CallAs"])
			}
			// AutoDeployment.DependsOn orders the regional StackSet after the
			// home one; TestDeployOrder proves it.
			auto, _ := p["AutoDeployment"].(map[string]any)
			if auto["Enabled"] != true || auto["RetainStacksOnAccountRemoval"] != true {
				t.Errorf("AutoDeployment = %s", jsonOf(t, auto))
			}
			if got := jsonOf(t, p["Capabilities"]); got != `["CAPABILITY_NAMED_IAM"]` {
				t.Errorf("Capabilities = %s", got)
			}
		})
		t.Run("the "+name+" StackSet targets the OUs, minus accounts with their own stacks", func(t *testing.T) {
			groups := p["StackInstancesGroup"].([]any)
			if len(groups) != 1 {
				t.Fatalf("%d instance groups", len(groups))
			}
			targets := jsonOf(t, groups[0].(map[string]any)["DeploymentTargets"])
			if targets != `{"AccountFilterType":"DIFFERENCE","Accounts":["999999999999"],"OrganizationalUnitIds":["ou-ab12-cdef3456","ou-ab12-99990000"]}` {
				t.Errorf("DeploymentTargets = %s", targets)
			}
		})
	}
	t.Run("global parts go to the home region once, regional parts to every other region", func(t *testing.T) {
		regionsOf := func(ss assembly.Resource) string {
			return jsonOf(t, ss.Properties["StackInstancesGroup"].([]any)[0].(map[string]any)["Regions"])
		}
		if regionsOf(home) != `["ap-northeast-1"]` || regionsOf(regional) != `["us-east-1","eu-west-1"]` {
			t.Errorf("home regions %s, regional regions %s", regionsOf(home), regionsOf(regional))
		}
	})
	t.Run("operation preferences come from the config, region order filtered per StackSet", func(t *testing.T) {
		if got := jsonOf(t, regional.Properties["OperationPreferences"]); got != `{"FailureTolerancePercentage":10,"MaxConcurrentPercentage":50,"RegionConcurrencyType":"SEQUENTIAL","RegionOrder":["us-east-1","eu-west-1"]}` {
			t.Errorf("OperationPreferences = %s", got)
		}
	})

	homeRaw, homeTmpl := memberTemplate(t, asm, home)
	regionalRaw, regionalTmpl := memberTemplate(t, asm, regional)
	t.Run("member templates contain no hard-coded account id and need no bootstrap", func(t *testing.T) {
		for name, raw := range map[string]string{"home": homeRaw, "regional": regionalRaw} {
			if ids := regexp.MustCompile(`(^|[^0-9])[0-9]{12}([^0-9]|$)`).FindAllString(raw, -1); len(ids) > 0 {
				t.Errorf("%s member template hard-codes account ids %v", name, ids)
			}
			for _, bootstrap := range []string{"BootstrapVersion", "cdk-hnb659fds", "AssetParameters"} {
				if strings.Contains(raw, bootstrap) {
					t.Errorf("%s member template depends on CDK bootstrap (%s)", name, bootstrap)
				}
			}
			if !strings.Contains(raw, `"Ref":"AWS::AccountId"`) && !strings.Contains(raw, `"Ref": "AWS::AccountId"`) {
				t.Errorf("%s member template never uses AWS::AccountId", name)
			}
		}
	})
	t.Run("the home member template holds the trail, alarms and access; the regional one does not", func(t *testing.T) {
		count := func(tmpl assembly.Template, typ string) int {
			n := 0
			for _, r := range tmpl.Resources {
				if r.Type == typ {
					n++
				}
			}
			return n
		}
		for _, typ := range []string{"AWS::CloudTrail::Trail", "AWS::SNS::Topic", "AWS::IAM::Group"} {
			if count(homeTmpl, typ) == 0 || count(regionalTmpl, typ) != 0 {
				t.Errorf("%s: home %d, regional %d", typ, count(homeTmpl, typ), count(regionalTmpl, typ))
			}
		}
		for _, typ := range []string{"AWS::GuardDuty::Detector", "AWS::SecurityHub::Hub", "AWS::Config::ConfigurationRecorder"} {
			if count(homeTmpl, typ) != 1 || count(regionalTmpl, typ) != 1 {
				t.Errorf("%s: home %d, regional %d; want one each", typ, count(homeTmpl, typ), count(regionalTmpl, typ))
			}
		}
		if len(homeTmpl.Resources) < 50 {
			t.Errorf("the home member template has only %d resources", len(homeTmpl.Resources))
		}
	})
	t.Run("the management account keeps its own per-account stacks", func(t *testing.T) {
		stack(t, asm, "Management-ap-northeast-1")
		stack(t, asm, "Management-eu-west-1")
	})
}

func TestOrganizationConfigErrors(t *testing.T) {
	cases := []configCase{
		{"an OU id that is not ou- or r-", strings.Replace(stackSetConfig, "ou-ab12-99990000", "ab12-9999", 1),
			`b.yaml:6: organization.organizationalUnits[1]: "ab12-9999" is not an OU id like ou-ab12-cdef3456 or a root id like r-ab12`},
		{"an empty target list", strings.Replace(stackSetConfig, "[ou-ab12-cdef3456, ou-ab12-99990000]", "[]", 1),
			`b.yaml:6: organization.organizationalUnits: list at least one OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx) to deploy to`},
		{"the same account targeted by both modes", strings.Replace(stackSetConfig, "  operations:", "  accounts: [\"999999999999\"]\n  operations:", 1),
			`b.yaml:7: organization.accounts[0]: 999999999999 is accounts[0] (Management), which has its own per-account stacks; the two modes never target the same account: remove it from one of them`},
		{"a deployer that is not in accounts", strings.Replace(stackSetConfig, "deployerAccount: Management", "deployerAccount: Root", 1),
			`b.yaml:5: organization.deployerAccount: "Root" is not the name of an account in accounts ([Management]); add the management or delegated-admin account there`},
		{"a region order that misses a region", strings.Replace(stackSetConfig, "regionOrder: [us-east-1, ap-northeast-1, eu-west-1]", "regionOrder: [us-east-1]", 1),
			`b.yaml:7: organization.operations.regionOrder: list every region of regions once, or leave it empty`},
	}
	checkConfigCases(t, "b.yaml", cases)
}
