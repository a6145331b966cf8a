package test

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/constructs/organizationtrail"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// The organization trail (organization.organizationTrail, default true in
// organization mode): the trail in the management account's organization
// stack, its delivery into the log archive account's archive, the alarms
// that name the account, and the members without a trail of their own.

var orgMemberTrailsAsm, orgControlTowerAsm cached

// orgMemberTrailsAssembly keeps the members' own trails.
func orgMemberTrailsAssembly(t testing.TB) *assembly.Assembly {
	return orgMemberTrailsAsm.config(t, strings.Replace(orgModeConfig, "  guardrails:", "  memberTrails: true\n  guardrails:", 1), "org-member-trails.yaml")
}

// orgControlTowerAssembly is organization mode under Control Tower: no
// organization trail, members keep their own.
func orgControlTowerAssembly(t testing.TB) *assembly.Assembly {
	const old = "  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}"
	if !strings.Contains(orgModeConfig, old) {
		t.Fatalf("%q is not in orgModeConfig", old)
	}
	return orgControlTowerAsm.config(t, strings.Replace(orgModeConfig, old,
		"  controlTower: true\n  organizationTrail: false\n  delegatedAdministrators: {awsConfig: false}\n  guardrails: {regionDeny: false, breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", 1)+"awsConfig: {mode: skip}\n", "org-control-tower.yaml")
}

// memberHome is the home member template of an organization-mode assembly.
func memberHome(t testing.TB, asm *assembly.Assembly) assembly.Template {
	t.Helper()
	_, tmpl := memberTemplate(t, asm, resourceWithPrefix(t, stack(t, asm, "Management-stacksets"), "AWS::CloudFormation::StackSet", "Home"))
	return tmpl
}

func typesIn(tmpl assembly.Template, typ string) int {
	n := 0
	for _, r := range tmpl.Resources {
		if r.Type == typ {
			n++
		}
	}
	return n
}

func TestOrganizationTrailStack(t *testing.T) {
	cfg := orgModeCfg(t)
	asm := orgModeAssembly(t)
	org := stack(t, asm, stacks.OrganizationStackName(cfg))
	trails := resourcesOfType(org, "AWS::CloudTrail::Trail")
	if len(trails) != 1 {
		t.Fatalf("%d trails in the organization stack", len(trails))
	}
	var trailID string
	var trail assembly.Resource
	for id, r := range trails {
		trailID, trail = id, r
	}
	t.Run("an organization trail into the log archive account's bucket and key", func(t *testing.T) {
		p := trail.Properties
		for k, v := range map[string]any{"IsOrganizationTrail": true, "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
			"EnableLogFileValidation": true, "IsLogging": true, "TrailName": naming.OrganizationTrailName,
			"S3BucketName": naming.LogBucket("888888888888", "ap-northeast-1"),
			// The alias ARN until LogArchive's trail.archiveKeyArn is set.
			"KMSKeyId": "arn:aws:kms:ap-northeast-1:888888888888:alias/baseline/cloudtrail"} {
			if p[k] != v {
				t.Errorf("%s = %v, want %v", k, p[k], v)
			}
		}
		access := resourcesOfType(org, "Custom::CloudTrailTrustedAccess")
		raw := readRawTemplate(t, filepath.Join(asm.Dir, org.TemplateFile))
		for id := range access {
			if deps := asStrings(raw[trailID]["DependsOn"]); !slices.Contains(deps, id) {
				t.Errorf("%s does not wait for trusted access %s (DependsOn %v)", trailID, id, deps)
			}
		}
		if len(access) != 1 {
			t.Errorf("%d trusted-access calls", len(access))
		}
		// The archive stack holds that bucket and key.
		archive := stack(t, asm, "LogArchive-ap-northeast-1")
		found := false
		for _, r := range resourcesOfType(archive, "AWS::S3::Bucket") {
			found = found || r.Properties["BucketName"] == p["S3BucketName"]
		}
		aliases := jsonOf(t, resourcesOfType(archive, "AWS::KMS::Alias"))
		if !found || !strings.Contains(aliases, `"AliasName":"alias/baseline/cloudtrail"`) {
			t.Errorf("stack %s lacks the bucket %v or the alias (%s)", archive.Name, p["S3BucketName"], aliases)
		}
	})
	t.Run("with trail.archiveKeyArn in the log archive account, the trail names the key ARN", func(t *testing.T) {
		c := orgModeCfg(t)
		key := "arn:aws:kms:ap-northeast-1:888888888888:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
		for i := range c.Accounts {
			if c.Accounts[i].Name == "LogArchive" {
				c.Accounts[i].Trail.ArchiveKeyArn = key
			}
		}
		if got := stacks.OrganizationTrailKeyArn(c, "aws"); got != key {
			t.Errorf("key %s, want %s", got, key)
		}
	})
	t.Run("the alarms: the members' catalog, per account, to the management account's topic", func(t *testing.T) {
		rs, err := stacks.ResolveAlarms(cfg, stacks.OrganizationAlarmAccount(cfg))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, a := range policies.Deployed(rs) {
			want = append(want, naming.OrganizationAlarmPrefix+a.ID)
		}
		topic := fmt.Sprintf("arn:aws:sns:%s:999999999999:%s", cfg.HomeRegion, naming.AlarmTopic)
		var got []string
		for id, a := range resourcesOfType(org, "AWS::CloudWatch::Alarm") {
			got = append(got, a.Properties["AlarmName"].(string))
			if jsonOf(t, a.Properties["AlarmActions"]) != `["`+topic+`"]` {
				t.Errorf("%s notifies %s", id, jsonOf(t, a.Properties["AlarmActions"]))
			}
			if !strings.Contains(jsonOf(t, a.Properties["Metrics"]), "GROUP BY Account") {
				t.Errorf("%s is not grouped by account: %s", id, jsonOf(t, a.Properties["Metrics"]))
			}
		}
		for id, f := range resourcesOfType(org, "AWS::Logs::MetricFilter") {
			if !strings.Contains(jsonOf(t, f.Properties["MetricTransformations"]), `"Dimensions":[{"Key":"Account","Value":"$.recipientAccountId"}]`) {
				t.Errorf("%s has no Account dimension", id)
			}
			if jsonOf(t, f.Properties["LogGroupName"]) != `{"Ref":"OrganizationTrailLogGroupAFC2E4F4"}` {
				t.Errorf("%s watches %s", id, jsonOf(t, f.Properties["LogGroupName"]))
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Errorf("alarms %v, want %v", got, want)
		}
		// The topic is the management account's home stack's.
		home := stack(t, asm, "Management-"+cfg.HomeRegion)
		named := false
		for _, r := range resourcesOfType(home, "AWS::SNS::Topic") {
			named = named || r.Properties["TopicName"] == naming.AlarmTopic
		}
		if !named || home.Account != "999999999999" || home.Region != org.Region {
			t.Errorf("no topic %s in %s", topic, home.Name)
		}
	})
	t.Run("the organization stack deploys after the log archive's and the management account's home stacks", func(t *testing.T) {
		deps := manifestStackDeps(t, asm.Dir)[org.Name]
		sort.Strings(deps)
		if want := []string{"LogArchive-ap-northeast-1", "Management-ap-northeast-1"}; !slices.Equal(deps, want) {
			t.Errorf("dependencies %v, want %v", deps, want)
		}
	})
	t.Run("members have no trail, log group or alarms; they keep their Config bucket", func(t *testing.T) {
		m := memberHome(t, asm)
		for _, typ := range []string{"AWS::CloudTrail::Trail", "AWS::Logs::MetricFilter", "AWS::CloudWatch::Alarm"} {
			if n := typesIn(m, typ); n != 0 {
				t.Errorf("%d %s in the member template", n, typ)
			}
		}
		if typesIn(m, "AWS::Config::DeliveryChannel") != 1 || !strings.Contains(jsonOf(t, m.Resources), "ConfigDeliversSnapshotsOf") {
			t.Error("the member's Config has no bucket to deliver to")
		}
	})
	t.Run("memberTrails: true keeps the members' trails and alarms", func(t *testing.T) {
		m := memberHome(t, orgMemberTrailsAssembly(t))
		if typesIn(m, "AWS::CloudTrail::Trail") != 1 || typesIn(m, "AWS::CloudWatch::Alarm") == 0 {
			t.Errorf("member template: %d trails, %d alarms", typesIn(m, "AWS::CloudTrail::Trail"), typesIn(m, "AWS::CloudWatch::Alarm"))
		}
	})
	t.Run("under Control Tower there is no organization trail and members keep theirs", func(t *testing.T) {
		a := orgControlTowerAssembly(t)
		o := stack(t, a, stacks.OrganizationStackName(cfg))
		if n := len(resourcesOfType(o, "AWS::CloudTrail::Trail")) + len(resourcesOfType(o, "AWS::CloudWatch::Alarm")); n != 0 {
			t.Errorf("%d trails and alarms in the organization stack", n)
		}
		if strings.Contains(jsonOf(t, stack(t, a, "LogArchive-ap-northeast-1").Template.Resources), naming.OrganizationTrailName) {
			t.Error("the log archive admits an organization trail that does not exist")
		}
		if typesIn(memberHome(t, a), "AWS::CloudTrail::Trail") != 1 {
			t.Error("the members lost their trail")
		}
		if deps := manifestStackDeps(t, a.Dir)[o.Name]; len(deps) != 0 {
			t.Errorf("the organization stack depends on %v and names nothing there", deps)
		}
	})
}

// TestOrganizationAlarmsNameTheAccount: every record of the alarm proof's
// CloudTrail corpus that an alarm fires on carries recipientAccountId, a
// 12-digit account id, so the organization alarm's Account dimension (and
// with it the notification) names the account. The dimension comes from the
// field, not a constant: AWS documents recipientAccountId as "the account ID
// that received this event"
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
// Negative test: a record without the field is caught.
func TestOrganizationAlarmsNameTheAccount(t *testing.T) {
	alarms := proofCatalog(t)
	type fired struct {
		name   string
		record any
	}
	var hits []fired
	for _, e := range readExpectations(t) {
		if len(e.Fires) > 0 {
			hits = append(hits, fired{e.name(), readRecord(t, e)})
		}
	}
	account := regexp.MustCompile(`^[0-9]{12}$`)
	named := func(record any) bool {
		m, _ := record.(map[string]any)
		id, _ := m["recipientAccountId"].(string)
		return account.MatchString(id)
	}
	missing, excerpts := 0, 0
	for _, h := range hits {
		// AWS's documentation pages print excerpts of records (the
		// AssumeRoot example has no eventID, readOnly or
		// recipientAccountId); CloudTrail writes the field into every
		// record it delivers (record contents, above).
		if strings.HasPrefix(h.name, "aws-docs/") {
			excerpts++
			continue
		}
		if !named(h.record) {
			missing++
			t.Errorf("%s fires an alarm but has no recipientAccountId: its organization alarm would name no account", h.name)
		}
	}
	t.Logf("%d records fire one of %d alarms; %d lack recipientAccountId; %d excerpts of AWS's documentation not checked", len(hits), len(alarms), missing, excerpts)
	if len(hits) == 0 {
		t.Fatal("no record fires an alarm")
	}
	t.Run("negative: a record without recipientAccountId is caught", func(t *testing.T) {
		m := map[string]any{}
		for k, v := range hits[0].record.(map[string]any) {
			if k != "recipientAccountId" {
				m[k] = v
			}
		}
		if named(m) {
			t.Error("the check passes a record without recipientAccountId")
		}
	})
}

// TestOrganizationTrailTamperTargets: every resource of the organization
// trail and its alarms has a place in the tamper matrix (tamperTargets
// fails the test on a type it cannot map), and the trail, its log group,
// its key and the trusted-access setting are targets with changing actions
// from the Service Authorization Reference.
func TestOrganizationTrailTamperTargets(t *testing.T) {
	cfg := orgModeCfg(t)
	org := stack(t, orgModeAssembly(t), stacks.OrganizationStackName(cfg))
	part := org
	part.Template.Resources = map[string]assembly.Resource{}
	for id, r := range org.Template.Resources {
		path, _ := r.Metadata["aws:cdk:path"].(string)
		if strings.HasPrefix(path, org.Name+"/OrganizationTrail/") || strings.HasPrefix(path, org.Name+"/OrganizationAlarms/") {
			part.Template.Resources[id] = r
		}
	}
	targets := tamperTargets(t, part, "baseline-")
	want := map[string]bool{"cloudtrail trail": false, "logs log-group": false, "kms key": false, "organizations ": false, "cloudwatch alarm": false}
	cells := 0
	for _, tg := range targets {
		k := tg.service + " " + tg.rtype
		if _, ok := want[k]; ok && len(tg.actions) > 0 {
			want[k] = true
		}
		cells += len(tg.actions)
	}
	for k, ok := range want {
		if !ok {
			t.Errorf("no tamper target %q with changing actions", k)
		}
	}
	t.Logf("%d resources of the organization trail and alarms: %d targets, %d changing actions", len(part.Template.Resources), len(targets), cells)
}

// TestOrganizationTrailTrustedAccess: the trusted-access call fits
// botocore's Organizations model and the SAR (checkSDKCall), and the
// handler makes it against moto's Organizations
// (test/moto/trusted_access_handler.py, which says what moto cannot check).
func TestOrganizationTrailTrustedAccess(t *testing.T) {
	c := organizationtrail.TrustedAccessCall()
	if err := checkSDKCall(t, botocoreDataDir(t), c.Service, c.Action, c.Permission, c.Parameters); err != nil {
		t.Error(err)
	}
	if err := checkSDKCall(t, botocoreDataDir(t), c.Service, c.Action, "cloudtrail:CreateTrail", c.Parameters); err == nil {
		t.Error("the check passes a permission that is not the call's")
	}
	runMotoSteps(t, "trusted_access_handler.py", "moto.organizations", 2, filepath.Join(goldenDir, "organization-mode", "Management-organization.template.json"))
}
