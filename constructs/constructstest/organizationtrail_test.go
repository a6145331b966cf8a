package constructstest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/constructs/organizationtrail"
)

const (
	mgmtAccount = "222222222222"
	orgID       = "o-a1b2c3d4e5"
)

// statements are a policy document's statements by Sid (a Sid that is a
// token is rendered as JSON).
func statements(t *testing.T, doc any) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, st := range doc.(map[string]any)["Statement"].([]any) {
		m := st.(map[string]any)
		sid, ok := m["Sid"].(string)
		if !ok {
			sid = jsonOf(t, m["Sid"])
		}
		out[sid] = m
	}
	return out
}

// TestOrganizationArchive: an archive whose writer is an organization
// trail admits the trail's ARN for AWSLogs/<management>/ and
// AWSLogs/<organization id>/ (AWS's bucket policy for an organization
// trail) and in the key policy, and nothing for AWS Config of the
// management account; a writer without a trail (NoTrail) gets the Config
// statements only.
func TestOrganizationArchive(t *testing.T) {
	// In a bare app the partition is the AWS::Partition token.
	trailArn := strings.TrimPrefix(audittrail.TrailArn("aws", "us-east-1", mgmtAccount, naming.OrganizationTrailName), "arn:aws")
	t.Run("an organization trail writer", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{Writers: []audittrail.Writer{
				{AccountID: mgmtAccount, Region: "us-east-1", TrailName: naming.OrganizationTrailName, OrganizationID: orgID},
			}})
		})
		var bp map[string]map[string]any
		for _, p := range tm.ofType("AWS::S3::BucketPolicy") {
			if strings.Contains(jsonOf(t, p.Properties["PolicyDocument"]), "cloudtrail.amazonaws.com") {
				bp = statements(t, p.Properties["PolicyDocument"])
			}
		}
		for sid, prefix := range map[string]string{"CloudTrailWritesLogsOf" + mgmtAccount: "/AWSLogs/" + mgmtAccount + "/*", "CloudTrailWritesOrganizationLogsOfoa1b2c3d4e5": "/AWSLogs/" + orgID + "/*"} {
			st := bp[sid]
			if st == nil {
				t.Fatalf("bucket policy has no %s: %v", sid, bp)
			}
			cond := jsonOf(t, st["Condition"])
			if !strings.Contains(jsonOf(t, st["Resource"]), prefix) || !strings.Contains(cond, `"aws:SourceArn":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},"`+trailArn+`"]]}`) || !strings.Contains(cond, "bucket-owner-full-control") {
				t.Errorf("%s: resource %s, condition %s", sid, jsonOf(t, st["Resource"]), cond)
			}
		}
		for sid := range bp {
			if strings.HasPrefix(sid, "Config") {
				t.Errorf("the organization trail's management account delivers no Config here, but the bucket policy has %s", sid)
			}
		}
		kp := statements(t, tm.one(t, "AWS::KMS::Key").Properties["KeyPolicy"])
		if enc := jsonOf(t, kp["CloudTrailEncryptsLogsOfTheBaselineTrails"]["Condition"]); !strings.Contains(enc, `"kms:EncryptionContext:aws:cloudtrail:arn":[{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},"`+trailArn+`"]]}]`) {
			t.Errorf("key policy: %s", enc)
		}
		if kp["ConfigDeliversSnapshots"] != nil {
			t.Error("the key lets Config of the management account deliver")
		}
	})
	t.Run("a writer without a trail: Config only", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{Writers: []audittrail.Writer{{AccountID: Account, NoTrail: true}}})
		})
		for _, doc := range []any{tm.one(t, "AWS::KMS::Key").Properties["KeyPolicy"]} {
			if strings.Contains(jsonOf(t, doc), "cloudtrail") {
				t.Errorf("the key admits CloudTrail: %s", jsonOf(t, doc))
			}
		}
		for _, p := range tm.ofType("AWS::S3::BucketPolicy") {
			doc := jsonOf(t, p.Properties["PolicyDocument"])
			if strings.Contains(doc, "cloudtrail.amazonaws.com") {
				t.Errorf("a bucket admits CloudTrail: %s", doc)
			}
		}
		if !strings.Contains(jsonOf(t, tm.ofType("AWS::S3::BucketPolicy")), "ConfigDeliversSnapshotsOf"+Account) {
			t.Error("the bucket does not take Config's snapshots")
		}
	})
	checkPanics(t, []panicCase{
		{"an organization id of the wrong form", func(s awscdk.Stack) {
			audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{Writers: []audittrail.Writer{{AccountID: mgmtAccount, Region: "us-east-1", OrganizationID: "o-ABC"}}})
		}, `audittrail: Writer 222222222222: OrganizationID "o-ABC" must be an organization id like o-a1b2c3d4e5, of a writer with a trail`},
		{"an organization writer without a trail", func(s awscdk.Stack) {
			audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{Writers: []audittrail.Writer{{AccountID: mgmtAccount, OrganizationID: orgID, NoTrail: true}}})
		}, `audittrail: Writer 222222222222: OrganizationID "o-a1b2c3d4e5" must be an organization id like o-a1b2c3d4e5, of a writer with a trail`},
	})
}

// TestOrganizationTrail: the construct, in a bare app, makes an
// organization trail (multi-region, global events, file validation, all
// management events) into another account's bucket and key, after
// CloudTrail's trusted access, with its delivery role also allowed the
// organization's member streams.
func TestOrganizationTrail(t *testing.T) {
	keyArn := audittrail.KeyAliasArn("aws", "us-east-1", "888888888888")
	build := func(s awscdk.Stack, mutate func(*organizationtrail.Props)) {
		p := organizationtrail.Props{OrganizationID: orgID, BucketName: naming.LogBucket("888888888888", "us-east-1"), KeyArn: keyArn}
		if mutate != nil {
			mutate(&p)
		}
		organizationtrail.New(s, "OrganizationTrail", p)
	}
	tm := synth(t, func(s awscdk.Stack) { build(s, nil) })
	trail := tm.one(t, "AWS::CloudTrail::Trail")
	p := trail.Properties
	for k, v := range map[string]any{"IsOrganizationTrail": true, "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true,
		"EnableLogFileValidation": true, "IsLogging": true, "TrailName": naming.OrganizationTrailName, "KMSKeyId": keyArn,
		"S3BucketName": naming.LogBucket("888888888888", "us-east-1")} {
		if p[k] != v {
			t.Errorf("%s = %v, want %v", k, p[k], v)
		}
	}
	if sel := jsonOf(t, p["EventSelectors"]); sel != `[{"IncludeManagementEvents":true,"ReadWriteType":"All"}]` {
		t.Errorf("event selectors %s", sel)
	}
	access := tm.one(t, "Custom::CloudTrailTrustedAccess")
	if !strings.Contains(jsonOf(t, trail.DependsOn), `"`+access.ID+`"`) {
		t.Errorf("the trail (DependsOn %v) does not wait for trusted access %s", trail.DependsOn, access.ID)
	}
	if !strings.Contains(jsonOf(t, access.Properties), `{\"ServicePrincipal\":\"cloudtrail.amazonaws.com\"}`) {
		t.Errorf("trusted access for %s", jsonOf(t, access.Properties))
	}
	var group *resource
	for _, g := range tm.ofType("AWS::Logs::LogGroup") {
		if g.Properties["LogGroupName"] == naming.OrganizationTrailLogGroup {
			group = g
		}
	}
	if group == nil || group.Properties["RetentionInDays"] != 365.0 || group.Properties["KmsKeyId"] == nil {
		t.Errorf("log group %v", group)
	}
	if !strings.Contains(jsonOf(t, tm.ofType("AWS::KMS::Alias")), `"AliasName":"`+naming.OrganizationTrailLogsKeyAlias+`"`) {
		t.Errorf("no logs key aliased %s", naming.OrganizationTrailLogsKeyAlias)
	}
	role := jsonOf(t, tm.one(t, "AWS::IAM::ManagedPolicy").Properties["PolicyDocument"])
	for _, stream := range []string{":log-stream:" + Account + "_CloudTrail_*", ":log-stream:" + orgID + "_*"} {
		if !strings.Contains(role, naming.OrganizationTrailLogGroup+stream) {
			t.Errorf("the delivery policy lacks %s: %s", stream, role)
		}
	}
	checkPanics(t, []panicCase{
		{"no organization id", func(s awscdk.Stack) { build(s, func(p *organizationtrail.Props) { p.OrganizationID = "" }) },
			"organizationtrail: OrganizationID is required: the organization's id, o-..."},
		{"an organization id of the wrong form", func(s awscdk.Stack) { build(s, func(p *organizationtrail.Props) { p.OrganizationID = "o-1" }) },
			`audittrail: OrganizationID "o-1" is not an organization id like o-a1b2c3d4e5`},
		{"no key", func(s awscdk.Stack) { build(s, func(p *organizationtrail.Props) { p.KeyArn = "" }) },
			`organizationtrail: BucketName ("baseline-cloudtrail-888888888888-us-east-1") and KeyArn ("") are required: the log archive's bucket and key`},
	})
}
