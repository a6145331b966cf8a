package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/constructs/securityhub"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// The regional-limits table (policies/regions.yaml) must speak of the
// regions, plans and controls the config knows, or a typo would make a
// limit silently never apply.
func TestRegionalLimitsNameKnownThings(t *testing.T) {
	limits, err := policies.RegionalAvailability()
	if err != nil {
		t.Fatal(err)
	}
	known := func(what string, regions []string) {
		for _, r := range regions {
			if !slices.Contains(config.Regions, r) {
				t.Errorf("%s: %s is not in config.Regions", what, r)
			}
		}
	}
	known("configGlobalIam", limits.ConfigGlobalIam.Unavailable)
	for _, c := range limits.SecurityHubControls {
		known(c.Control, c.Unavailable)
		// Config validation rejects a home region only where Config cannot
		// record IAM (config.globalIamHomeProblems). A global control
		// missing in another home region would be disabled everywhere else
		// and checked nowhere: extend that rule before adding such a row.
		for _, r := range c.Unavailable {
			if limits.ConfigGlobalIam.Has(r) {
				t.Errorf("%s is missing in %s, where Config records IAM: a home region there would check %s nowhere, and validation does not catch it", c.Control, r, c.Control)
			}
		}
		if c.Rule == "" || !strings.Contains(c.Source, c.Rule) {
			t.Errorf("%s: source %s is not the page of its rule %q", c.Control, c.Source, c.Rule)
		}
	}
	for _, f := range limits.GuardDutyFeatures {
		known(f.Plan, f.Unavailable)
		if !slices.Contains(protectionPlanNames(), f.Plan) {
			t.Errorf("%s is not a guardDuty.protection plan", f.Plan)
		}
	}
}

const configIamURL = "https://docs.aws.amazon.com/config/latest/developerguide/select-resources.html#select-resources-all"

func TestRegionalLimitConfigErrors(t *testing.T) {
	home := func(region, regions string) string {
		return strings.Replace(strings.Replace(validConfig, "homeRegion: ap-northeast-1", "homeRegion: "+region, 1),
			"regions: [ap-northeast-1, us-east-1]", "regions: "+regions, 1)
	}
	stackSet := func(regions, extra string) string {
		return "homeRegion: us-east-1\nregions: " + regions + "\nnotifications: {emails: [security@example.com]}\n" + extra +
			"organization: {deployerAccount: Management, organizationalUnits: [ou-ab12-cdef3456]}\n" +
			"accounts:\n  - {name: Management, id: \"999999999999\"}\n"
	}
	cases := []configCase{
		{"a home region where Config cannot record IAM, with Config and the controls on",
			home("ca-west-1", "[ca-west-1, us-east-1]"),
			`b.yaml:1: homeRegion: AWS Config cannot record the global IAM resource types in ca-west-1 (a region it reached after February 2022: ` + configIamURL + `), and awsConfig.mode create records the IAM users, groups, roles and policies in the home region only, and securityHub.disableGlobalControlsOutsideHome turns their controls off in every other region, so IAM would be checked nowhere; choose a homeRegion where Config records them, such as us-east-1, or set awsConfig.mode skip where another recorder covers IAM and set securityHub.disableGlobalControlsOutsideHome false`},
		{"the same with Config skipped: only the controls are named",
			home("eu-central-2", "[eu-central-2, eu-central-1]") + "awsConfig: {mode: skip}\n",
			`b.yaml:1: homeRegion: AWS Config cannot record the global IAM resource types in eu-central-2 (a region it reached after February 2022: ` + configIamURL + `), and securityHub.disableGlobalControlsOutsideHome turns their controls off in every other region, so IAM would be checked nowhere; choose a homeRegion where Config records them, such as eu-central-1, or set securityHub.disableGlobalControlsOutsideHome false`},
		{"the same with the controls kept on: only Config is named",
			home("mx-central-1", "[mx-central-1]") + "securityHub: {disableGlobalControlsOutsideHome: false}\n",
			`b.yaml:1: homeRegion: AWS Config cannot record the global IAM resource types in mx-central-1 (a region it reached after February 2022: ` + configIamURL + `), and awsConfig.mode create records the IAM users, groups, roles and policies in the home region only, so IAM would be checked nowhere; choose a homeRegion where Config records them, such as us-east-1, or set awsConfig.mode skip where another recorder covers IAM`},
		{"a home region without IAM recording is fine when the baseline neither records nor disables",
			home("ap-southeast-5", "[ap-southeast-5, ap-southeast-1]") + "awsConfig: {mode: skip}\nsecurityHub: {disableGlobalControlsOutsideHome: false}\n", ""},
		{"one region alone disables nothing elsewhere",
			home("ap-southeast-7", "[ap-southeast-7]") + "awsConfig: {mode: skip}\n", ""},
		{"an account's own home region is reported at its line",
			validConfig + "    homeRegion: il-central-1\n    regions: [il-central-1, eu-west-1]\n",
			`b.yaml:10: accounts[1].homeRegion: AWS Config cannot record the global IAM resource types in il-central-1 (a region it reached after February 2022: ` + configIamURL + `), and awsConfig.mode create records the IAM users, groups, roles and policies in the home region only, and securityHub.disableGlobalControlsOutsideHome turns their controls off in every other region, so IAM would be checked nowhere; choose a homeRegion where Config records them, such as eu-west-1, or set awsConfig.mode skip where another recorder covers IAM and set securityHub.disableGlobalControlsOutsideHome false`},
		{"newer regions outside the home region are adapted per account, not rejected",
			home("us-east-1", "[us-east-1, ca-west-1, ap-east-2]") + "guardDuty: {protection: [s3, rds, runtime]}\n", ""},
		{"StackSets: a plan missing in a target region",
			stackSet("[us-east-1, ap-east-2]", "securityHub: {disableGlobalControlsOutsideHome: false}\n"),
			`b.yaml:5: guardDuty.protection[3]: rds (RDS_LOGIN_EVENTS) does not exist in ap-east-2 (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_regions.html#gd-regional-feature-availability), and in StackSet mode one template serves every region; remove rds from guardDuty.protection or ap-east-2 from regions`},
		{"StackSets: a disabled control missing in a target region",
			stackSet("[us-east-1, ca-west-1]", ""),
			`b.yaml:4: securityHub.disableGlobalControlsOutsideHome: outside the home region, aws-foundational-security-best-practices/v/1.0.0 would disable IAM.1, which does not exist in ca-west-1 (https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-admin-access.html), and in StackSet mode one template serves every region; set securityHub.disableGlobalControlsOutsideHome false or remove ca-west-1 from regions`},
		{"StackSets: both fixed",
			stackSet("[us-east-1, ca-west-1, ap-east-2]", "securityHub: {disableGlobalControlsOutsideHome: false}\nguardDuty: {protection: [s3, eks, malware, lambda]}\n"), ""},
	}
	checkConfigCases(t, "b.yaml", cases)
}

// everyRegionConfig deploys one account to every region the tool knows,
// with every plan and every standard, so that the proof below covers each
// row of policies/regions.yaml in each region.
func everyRegionConfig() string {
	return "homeRegion: us-east-1\nregions: [" + strings.Join(config.Regions, ", ") + "]\n" +
		"notifications: {emails: [security@example.com]}\n" +
		"guardDuty: {protection: [" + strings.Join(protectionPlanNames(), ", ") + "]}\n" +
		"securityHub: {standards: [" + strings.Join(config.SecurityHubStandards, ", ") + "]}\n" +
		"accounts:\n  - {name: World, id: \"123456789012\"}\n"
}

var everyRegion cached

func everyRegionAssembly(t testing.TB) *assembly.Assembly {
	return everyRegion.config(t, everyRegionConfig(), "every-region.yaml")
}

// limitProblems compares one regional template with the table: a plan or a
// disabled control that the table says is missing in the region must not
// be in it (it could only fail the deploy), and everything else the config
// asks for must be (leaving out more than the table says loses
// protection). home is the account's home region; plans are the plans the
// config turned on.
func limitProblems(limits policies.RegionalLimits, region, home, account string, plans []string, res map[string]svcResource) []string {
	var out []string
	for _, d := range svcOfType(res, "AWS::GuardDuty::Detector") {
		got := map[string]string{}
		for _, f := range d.Properties["Features"].([]any) {
			m := f.(map[string]any)
			got[m["Name"].(string)] = m["Status"].(string)
		}
		for _, p := range guardduty.Plans {
			feature := guardduty.Feature(p)
			status, present := got[feature]
			switch available := limits.PlanAvailable(string(p), region); {
			case !available && present:
				out = append(out, fmt.Sprintf("%s: detector names %s, which the table says does not exist here", region, feature))
			case available && !present:
				out = append(out, fmt.Sprintf("%s: detector leaves out %s, which exists here", region, feature))
			case available && (status == "ENABLED") != slices.Contains(plans, string(p)):
				out = append(out, fmt.Sprintf("%s: %s is %s", region, feature, status))
			}
		}
	}
	global := policies.MustGlobalResourceControls()
	for _, st := range svcOfType(res, "AWS::SecurityHub::Standard") {
		arn := jsonString(st.Properties["StandardsArn"])
		std := arn[strings.Index(arn, "standards/")+len("standards/"):]
		var got []string
		if list, ok := st.Properties["DisabledStandardsControls"].([]any); ok {
			for _, c := range list {
				got = append(got, c.(map[string]any)["StandardsControlArn"].(string))
			}
		}
		var want []string
		if region != home {
			for _, c := range global.In(std) {
				if limits.ControlAvailable(c.Control, region) {
					want = append(want, securityhub.ControlArn("aws", region, account, std, c.ID))
				}
			}
		}
		for _, c := range global.In(std) {
			arn := securityhub.ControlArn("aws", region, account, std, c.ID)
			if slices.Contains(got, arn) && !limits.ControlAvailable(c.Control, region) {
				out = append(out, fmt.Sprintf("%s: %s disables %s (%s), which the table says does not exist here", region, std, c.Control, c.ID))
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			out = append(out, fmt.Sprintf("%s: %s disables %v, want %v", region, std, got, want))
		}
	}
	return out
}

// jsonString is a template value that must be a plain string.
func jsonString(v any) string {
	s, _ := v.(string)
	return s
}

// manifestWarnings are the synth warnings of each stack, from the cloud
// assembly manifest.
func manifestWarnings(t testing.TB, asm *assembly.Assembly) map[string][]string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(asm.Dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	type entries map[string][]struct {
		Type string `json:"type"`
		Data any    `json:"data"`
	}
	var m struct {
		Artifacts map[string]struct {
			Metadata entries `json:"metadata"`
			// Newer assemblies keep a stack's metadata in a file of its own.
			AdditionalMetadataFile string `json:"additionalMetadataFile"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for name, a := range m.Artifacts {
		meta := a.Metadata
		if a.AdditionalMetadataFile != "" {
			raw, err := os.ReadFile(filepath.Join(asm.Dir, a.AdditionalMetadataFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &meta); err != nil {
				t.Fatalf("%s: %v", a.AdditionalMetadataFile, err)
			}
		}
		for _, entries := range meta {
			for _, e := range entries {
				if s, ok := e.Data.(string); ok && e.Type == "aws:cdk:warning" {
					out[name] = append(out[name], s)
				}
			}
		}
	}
	return out
}

// The proof: every region the tool knows, each row of the table. A region
// gets every plan and every disabled control the config asks for, except
// exactly those the table says it lacks; each plan it leaves out is a synth
// warning.
func TestEveryRegionHoldsWhatExistsThere(t *testing.T) {
	asm := everyRegionAssembly(t)
	limits := policies.MustRegionalAvailability()
	warnings := manifestWarnings(t, asm)
	var omittedPlans, omittedControls, checked int
	for _, region := range config.Regions {
		name := "World-" + region
		res := svcTemplate(t, asm, stack(t, asm, name))
		checked++
		for _, p := range limitProblems(limits, region, "us-east-1", "123456789012", protectionPlanNames(), res) {
			t.Error(p)
		}
		var want []string
		for _, p := range protectionPlanNames() {
			if !limits.PlanAvailable(p, region) {
				omittedPlans++
				f, _ := limits.PlanLimit(p)
				want = append(want, fmt.Sprintf("GuardDuty plan %s (%s) does not exist in %s (%s); the detector here leaves it out", p, f.Feature, region, f.Source))
			}
		}
		var got []string
		for _, w := range warnings[name] {
			if strings.HasPrefix(w, "GuardDuty plan ") {
				got = append(got, strings.TrimSuffix(w, " [ack: baseline:guardduty-plan-unavailable]"))
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: warnings %q, want %q", name, got, want)
		}
		if region != "us-east-1" {
			for _, c := range limits.SecurityHubControls {
				if !c.Has(region) {
					omittedControls++
				}
			}
		}
	}
	t.Logf("%d regions checked against %d table rows; %d plans and %d controls left out where they do not exist",
		checked, 1+len(limits.SecurityHubControls)+len(limits.GuardDutyFeatures), omittedPlans, omittedControls)
	if omittedPlans == 0 || omittedControls == 0 {
		t.Error("the proof left nothing out: it proves nothing about the table")
	}
}

// The negative of the proof: put back what the table says a region lacks,
// or take out what it has, and the check must say so.
func TestRegionLimitCheckCatchesBrokenTemplates(t *testing.T) {
	asm := everyRegionAssembly(t)
	limits := policies.MustRegionalAvailability()
	plans := protectionPlanNames()
	load := func(region string) map[string]svcResource {
		return svcTemplate(t, asm, stack(t, asm, "World-"+region))
	}
	cases := []struct {
		name   string
		region string
		breakf func(res map[string]svcResource)
		want   string
	}{
		{"a plan put back where it does not exist", "ca-west-1", func(res map[string]svcResource) {
			d := svcOfType(res, "AWS::GuardDuty::Detector")[0]
			d.Properties["Features"] = append(d.Properties["Features"].([]any), map[string]any{"Name": "RUNTIME_MONITORING", "Status": "ENABLED"})
		}, "ca-west-1: detector names RUNTIME_MONITORING, which the table says does not exist here"},
		{"a plan left out where it exists", "us-west-2", func(res map[string]svcResource) {
			d := svcOfType(res, "AWS::GuardDuty::Detector")[0]
			d.Properties["Features"] = slices.DeleteFunc(d.Properties["Features"].([]any), func(f any) bool {
				return f.(map[string]any)["Name"] == "RDS_LOGIN_EVENTS"
			})
		}, "us-west-2: detector leaves out RDS_LOGIN_EVENTS, which exists here"},
		{"a control disabled where it does not exist", "ca-west-1", func(res map[string]svcResource) {
			for _, st := range svcOfType(res, "AWS::SecurityHub::Standard") {
				if strings.HasSuffix(jsonString(st.Properties["StandardsArn"]), "nist-800-53/v/5.0.0") {
					st.Properties["DisabledStandardsControls"] = append(st.Properties["DisabledStandardsControls"].([]any), map[string]any{
						"StandardsControlArn": securityhub.ControlArn("aws", "ca-west-1", "123456789012", "nist-800-53/v/5.0.0", "IAM.1"),
					})
				}
			}
		}, "ca-west-1: nist-800-53/v/5.0.0 disables IAM.1 (IAM.1), which the table says does not exist here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := load(tc.region)
			if p := limitProblems(limits, tc.region, "us-east-1", "123456789012", plans, res); len(p) > 0 {
				t.Fatalf("unbroken template already fails: %v", p)
			}
			tc.breakf(res)
			if p := limitProblems(limits, tc.region, "us-east-1", "123456789012", plans, res); !slices.Contains(p, tc.want) {
				t.Errorf("problems %q, want %q among them", p, tc.want)
			}
		})
	}
}

// The table's feature names are the construct's: a limit on a name the
// detector never uses would never apply.
func TestRegionalLimitsUseTheDetectorsFeatureNames(t *testing.T) {
	for _, f := range policies.MustRegionalAvailability().GuardDutyFeatures {
		if got := guardduty.Feature(guardduty.Plan(f.Plan)); got != f.Feature {
			t.Errorf("plan %s: the table says %s, the detector uses %q", f.Plan, f.Feature, got)
		}
	}
}

// protectionPlanNames are config.ProtectionPlans as the strings
// policies/regions.yaml and the templates hold.
func protectionPlanNames() []string {
	out := make([]string, len(config.ProtectionPlans))
	for i, p := range config.ProtectionPlans {
		out[i] = string(p)
	}
	return out
}
