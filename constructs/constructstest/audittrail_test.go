package constructstest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// archiveAndTrail builds an archive and a trail on it, each from its zero
// Props with mutate applied.
func archiveAndTrail(t *testing.T, mutateArchive func(*audittrail.ArchiveProps), mutateTrail func(*audittrail.TrailProps)) template {
	t.Helper()
	return synth(t, func(s awscdk.Stack) {
		ap := audittrail.ArchiveProps{LogGroupNames: []string{audittrail.DefaultLogGroup}}
		if mutateArchive != nil {
			mutateArchive(&ap)
		}
		archive := audittrail.NewArchive(s, "LogArchive", ap)
		tp := audittrail.TrailProps{Archive: archive}
		if mutateTrail != nil {
			mutateTrail(&tp)
		}
		audittrail.NewTrail(s, "AuditTrail", tp)
	})
}

// bucketNamed is the template's bucket with a literal name.
func bucketNamed(t *testing.T, tm template, name string) *resource {
	t.Helper()
	for _, b := range tm.ofType("AWS::S3::Bucket") {
		if b.Properties["BucketName"] == name {
			return b
		}
	}
	t.Fatalf("no bucket named %s", name)
	return nil
}

func TestArchive(t *testing.T) {
	t.Run("default: works in a bare app, names from naming, 90/2557/90 days, retained", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{}) })
		bucket := bucketNamed(t, tm, naming.LogBucket(Account, Region))
		logs := bucketNamed(t, tm, naming.AccessLogBucket(Account, Region))
		rule := bucket.Properties["LifecycleConfiguration"].(map[string]any)["Rules"].([]any)[0].(map[string]any)
		if rule["ExpirationInDays"] != 2557.0 || rule["NoncurrentVersionExpiration"].(map[string]any)["NoncurrentDays"] != 90.0 ||
			rule["Transitions"].([]any)[0].(map[string]any)["TransitionInDays"] != 90.0 {
			t.Errorf("lifecycle %v", rule)
		}
		for _, b := range []*resource{bucket, logs} {
			if b.DeletionPolicy != "Retain" {
				t.Errorf("%s: DeletionPolicy %q", b.Properties["BucketName"], b.DeletionPolicy)
			}
			// No ACLs: the owner owns every object, and log delivery is
			// granted by policy.
			oc := jsonOf(t, b.Properties["OwnershipControls"])
			if oc != `{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]}` || b.Properties["AccessControl"] != nil {
				t.Errorf("%s: OwnershipControls %s, AccessControl %v", b.Properties["BucketName"], oc, b.Properties["AccessControl"])
			}
		}
		alias := tm.one(t, "AWS::KMS::Alias")
		if alias.Properties["AliasName"] != naming.ArchiveKeyAlias {
			t.Errorf("alias %v", alias.Properties["AliasName"])
		}
		// The access-log bucket lets S3's logging service write, by policy.
		var logPolicy string
		for _, p := range tm.ofType("AWS::S3::BucketPolicy") {
			if s := jsonOf(t, p.Properties); strings.Contains(s, "logging.s3.amazonaws.com") {
				logPolicy = s
			}
		}
		if logPolicy == "" || !strings.Contains(logPolicy, `"s3:PutObject"`) {
			t.Errorf("no bucket policy statement for logging.s3.amazonaws.com")
		}
		// The default writer is this account's default trail. (In a bare
		// app the partition is a reference: the ARNs are joined.)
		trail := ":cloudtrail:" + Region + ":" + Account + ":trail/" + naming.TrailName
		if !strings.Contains(jsonOf(t, tm.Resources), trail) {
			t.Errorf("the policies do not name the default writer %s", trail)
		}
	})
	t.Run("the app's feature flag cannot switch log delivery back to ACLs", func(t *testing.T) {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &map[string]any{"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy": false}})
		s := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(Account), Region: jsii.String(Region)}})
		audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{})
		tm := synthStack(t, s)
		if logs := bucketNamed(t, tm, naming.AccessLogBucket(Account, Region)); logs.Properties["AccessControl"] != nil {
			t.Errorf("AccessControl %v", logs.Properties["AccessControl"])
		}
	})
	t.Run("Object Lock in compliance mode", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{ObjectLockMode: audittrail.ObjectLockCompliance, ObjectLockDays: 365})
		})
		b := bucketNamed(t, tm, naming.LogBucket(Account, Region))
		if got := jsonOf(t, b.Properties["ObjectLockConfiguration"]); got != `{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Days":365,"Mode":"COMPLIANCE"}}}` {
			t.Errorf("ObjectLockConfiguration %s", got)
		}
	})
	t.Run("writers, break-glass roles and the deploy role are in the policies", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{
				Writers:            []audittrail.Writer{{AccountID: "222222222222", Region: "us-east-1", TrailName: "org-trail"}},
				BreakGlassRoleArns: []string{"arn:aws:iam::111111111111:role/BreakGlass"},
				DeployRoleArn:      "arn:aws:iam::111111111111:role/Deployer",
			})
		})
		all := jsonOf(t, tm.Resources)
		for _, want := range []string{":cloudtrail:us-east-1:222222222222:trail/org-trail", "CloudTrailWritesLogsOf222222222222",
			"arn:aws:iam::111111111111:role/BreakGlass", "arn:aws:iam::111111111111:role/Deployer"} {
			if !strings.Contains(all, want) {
				t.Errorf("the template does not name %s", want)
			}
		}
		if strings.Contains(all, naming.CDKExecutionRole("aws", Account, Region)) {
			t.Errorf("the default deploy role is still named with DeployRoleArn set")
		}
	})
	checkPanics(t, []panicCase{
		{"expiration before transition", func(s awscdk.Stack) {
			audittrail.NewArchive(s, "A", audittrail.ArchiveProps{TransitionDays: 90, ExpirationDays: 30})
		}, "audittrail: lifecycle days must satisfy 1 <= transition (90) < expiration (30), noncurrent (90) >= 1"},
		{"Object Lock days without a mode", func(s awscdk.Stack) { audittrail.NewArchive(s, "A", audittrail.ArchiveProps{ObjectLockDays: 30}) },
			`audittrail: ObjectLockMode "" and ObjectLockDays 30 go together: set both (days > 0) or neither`},
		{"an unknown Object Lock mode", func(s awscdk.Stack) {
			audittrail.NewArchive(s, "A", audittrail.ArchiveProps{ObjectLockMode: "governance", ObjectLockDays: 30})
		}, `audittrail: ObjectLockMode "governance" is not GOVERNANCE or COMPLIANCE (or empty for no Object Lock)`},
	})
}

func TestTrail(t *testing.T) {
	t.Run("default on an archive: multi-region, all management events, validation, logs for 365 days", func(t *testing.T) {
		tm := archiveAndTrail(t, nil, nil)
		tr := tm.one(t, "AWS::CloudTrail::Trail")
		p := tr.Properties
		if p["TrailName"] != naming.TrailName || p["IsMultiRegionTrail"] != true || p["IncludeGlobalServiceEvents"] != true ||
			p["EnableLogFileValidation"] != true || p["IsLogging"] != true || p["S3BucketName"] != naming.LogBucket(Account, Region) {
			t.Errorf("trail %v", p)
		}
		if got := jsonOf(t, p["EventSelectors"]); got != `[{"IncludeManagementEvents":true,"ReadWriteType":"All"}]` {
			t.Errorf("EventSelectors %s", got)
		}
		lg := tm.one(t, "AWS::Logs::LogGroup")
		if lg.Properties["LogGroupName"] != naming.TrailLogGroup || lg.Properties["RetentionInDays"] != 365.0 || lg.DeletionPolicy != "Retain" {
			t.Errorf("log group %v %s", lg.Properties, lg.DeletionPolicy)
		}
		// The trail waits for the bucket policy, which CreateTrail checks.
		policy := ""
		for _, bp := range tm.ofType("AWS::S3::BucketPolicy") {
			if strings.Contains(jsonOf(t, bp.Properties), "CloudTrailChecksTheBucketAcl") {
				policy = bp.ID
			}
		}
		if !strings.Contains(jsonOf(t, tr.DependsOn), policy) || policy == "" {
			t.Errorf("trail DependsOn %v, want the bucket policy %s", tr.DependsOn, policy)
		}
		// One key: the archive's, for files and log group alike.
		if n := len(tm.ofType("AWS::KMS::Key")); n != 1 {
			t.Errorf("%d keys, want the archive's only", n)
		}
	})
	t.Run("the log group is an ILogGroup named by a reference", func(t *testing.T) {
		s := newStack()
		archive := audittrail.NewArchive(s, "LogArchive", audittrail.ArchiveProps{LogGroupNames: []string{audittrail.DefaultLogGroup}})
		tr := audittrail.NewTrail(s, "AuditTrail", audittrail.TrailProps{Archive: archive})
		if !*awscdk.Token_IsUnresolved(tr.LogGroup.LogGroupName()) {
			t.Errorf("LogGroupName() %s is a literal; metric filters would not wait for the log group", *tr.LogGroup.LogGroupName())
		}
	})
	t.Run("an archive elsewhere: bucket and key ARN, and a key of its own for the log group", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			audittrail.NewTrail(s, "AuditTrail", audittrail.TrailProps{
				BucketName: "central-logs", KeyArn: jsii.String("arn:aws:kms:us-east-1:222222222222:key/abc"),
				ManagementEvents: audittrail.WriteOnlyManagementEvents, S3DataEvents: []string{"all"},
				APICallRateInsights: true, LogRetentionDays: 731,
			})
		})
		tr := tm.one(t, "AWS::CloudTrail::Trail").Properties
		if tr["S3BucketName"] != "central-logs" || tr["KMSKeyId"] != "arn:aws:kms:us-east-1:222222222222:key/abc" {
			t.Errorf("trail %v", tr)
		}
		if got := jsonOf(t, tr["EventSelectors"]); !strings.Contains(got, `"ReadWriteType":"WriteOnly"`) || !strings.Contains(got, `"Type":"AWS::S3::Object"`) {
			t.Errorf("EventSelectors %s", got)
		}
		if got := jsonOf(t, tr["InsightSelectors"]); got != `[{"InsightType":"ApiCallRateInsight"}]` {
			t.Errorf("InsightSelectors %s", got)
		}
		if a := tm.one(t, "AWS::KMS::Alias"); a.Properties["AliasName"] != naming.TrailLogsKeyAlias {
			t.Errorf("log group key alias %v", a.Properties["AliasName"])
		}
		if lg := tm.one(t, "AWS::Logs::LogGroup"); lg.Properties["RetentionInDays"] != 731.0 {
			t.Errorf("retention %v", lg.Properties["RetentionInDays"])
		}
	})
	checkPanics(t, []panicCase{
		{"no archive, bucket or key", func(s awscdk.Stack) { audittrail.NewTrail(s, "T", audittrail.TrailProps{}) },
			"audittrail: TrailProps needs an Archive, or a BucketName and a KeyArn"},
		{"an archive and a bucket", func(s awscdk.Stack) {
			a := audittrail.NewArchive(s, "A", audittrail.ArchiveProps{LogGroupNames: []string{audittrail.DefaultLogGroup}})
			audittrail.NewTrail(s, "T", audittrail.TrailProps{Archive: a, BucketName: "b"})
		}, "audittrail: TrailProps: set Archive, or BucketName and KeyArn, not both"},
		{"an archive whose key does not cover the log group", func(s awscdk.Stack) {
			a := audittrail.NewArchive(s, "A", audittrail.ArchiveProps{})
			audittrail.NewTrail(s, "T", audittrail.TrailProps{Archive: a})
		}, "audittrail: the Archive's key does not let CloudWatch Logs encrypt log group /baseline/cloudtrail; add it to ArchiveProps.LogGroupNames, or set TrailProps.LogsKey"},
		{"a negative retention", func(s awscdk.Stack) {
			audittrail.NewTrail(s, "T", audittrail.TrailProps{BucketName: "b", KeyArn: jsii.String("k"), LogRetentionDays: -1})
		}, "audittrail: LogRetentionDays must be positive, got -1"},
		{"unknown management events", func(s awscdk.Stack) {
			audittrail.NewTrail(s, "T", audittrail.TrailProps{BucketName: "b", KeyArn: jsii.String("k"), ManagementEvents: "ReadOnly"})
		}, `audittrail: ManagementEvents "ReadOnly" is not All or WriteOnly`},
	})
}
