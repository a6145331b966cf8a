package test

import (
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// statementsOf returns a policy document's statements.
func statementsOf(t testing.TB, doc any) []map[string]any {
	t.Helper()
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("not a policy document: %v", doc)
	}
	var out []map[string]any
	for _, s := range m["Statement"].([]any) {
		out = append(out, s.(map[string]any))
	}
	return out
}

// bySid returns the statement with the given Sid.
func bySid(t testing.TB, stmts []map[string]any, sid string) map[string]any {
	t.Helper()
	for _, s := range stmts {
		if s["Sid"] == sid {
			return s
		}
	}
	t.Fatalf("no statement %s", sid)
	return nil
}

// resourceWithPrefix returns the resource of a type whose logical id starts
// with prefix (ids carry a hash suffix that tests must not pin).
func resourceWithPrefix(t testing.TB, s assembly.Stack, typ, prefix string) assembly.Resource {
	t.Helper()
	var found []assembly.Resource
	for id, r := range s.Template.Resources {
		if r.Type == typ && strings.HasPrefix(id, prefix) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s: want one %s with id prefix %s, found %d", s.Name, typ, prefix, len(found))
	}
	return found[0]
}

func TestTrailDefaults(t *testing.T) {
	s := stack(t, exampleAssembly(t), "Prod-ap-northeast-1")
	trail := one(t, s, "AWS::CloudTrail::Trail").Properties
	key := resourceWithPrefix(t, s, "AWS::KMS::Key", "LogArchiveKey")
	bucket := resourceWithPrefix(t, s, "AWS::S3::Bucket", "LogArchiveBucket")
	accessLogs := resourceWithPrefix(t, s, "AWS::S3::Bucket", "LogArchiveAccessLogBucket")
	policy := statementsOf(t, resourceWithPrefix(t, s, "AWS::S3::BucketPolicy", "LogArchiveBucketPolicy").Properties["PolicyDocument"])
	logGroup := resourceWithPrefix(t, s, "AWS::Logs::LogGroup", "AuditTrailLogGroup")
	trailArn := "arn:aws:cloudtrail:ap-northeast-1:111111111111:trail/baseline-trail"

	t.Run("the trail is multi-region, with global events, validation and all management events", func(t *testing.T) {
		for prop, want := range map[string]any{
			"IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true, "EnableLogFileValidation": true,
			"IsLogging": true, "TrailName": "baseline-trail", "S3BucketName": "baseline-cloudtrail-111111111111-ap-northeast-1",
		} {
			if trail[prop] != want {
				t.Errorf("%s = %v, want %v", prop, trail[prop], want)
			}
		}
		if got := jsonOf(t, trail["EventSelectors"]); got != `[{"IncludeManagementEvents":true,"ReadWriteType":"All"}]` {
			t.Errorf("EventSelectors = %s", got)
		}
		if trail["InsightSelectors"] != nil {
			t.Errorf("insights are on by default: %v", trail["InsightSelectors"])
		}
		if !strings.Contains(jsonOf(t, trail["KMSKeyId"]), "LogArchiveKey") || !strings.Contains(jsonOf(t, trail["CloudWatchLogsLogGroupArn"]), "AuditTrailLogGroup") {
			t.Errorf("the trail must use the archive key and its log group: %s %s", jsonOf(t, trail["KMSKeyId"]), jsonOf(t, trail["CloudWatchLogsLogGroupArn"]))
		}
	})

	t.Run("the key rotates, is retained and has an alias", func(t *testing.T) {
		if key.Properties["EnableKeyRotation"] != true || key.DeletionPolicy != "Retain" {
			t.Errorf("rotation %v, deletion policy %q", key.Properties["EnableKeyRotation"], key.DeletionPolicy)
		}
		aliases := resourcesOfType(s, "AWS::KMS::Alias")
		if !strings.Contains(jsonOf(t, aliases), `"alias/baseline/cloudtrail"`) {
			t.Errorf("no alias/baseline/cloudtrail among %s", jsonOf(t, aliases))
		}
	})

	keyPolicy := statementsOf(t, key.Properties["KeyPolicy"])
	t.Run("only the account root administers the key", func(t *testing.T) {
		for _, st := range keyPolicy {
			if strings.Contains(jsonOf(t, st["Action"]), `kms:*`) && jsonOf(t, st["Principal"]) != `{"AWS":"arn:aws:iam::111111111111:root"}` {
				t.Errorf("kms:* granted to %s", jsonOf(t, st["Principal"]))
			}
		}
	})
	t.Run("CloudTrail may encrypt only for this account's trail", func(t *testing.T) {
		st := bySid(t, keyPolicy, "CloudTrailEncryptsLogsOfTheBaselineTrails")
		want := `{"StringEquals":{"aws:SourceArn":["` + trailArn + `"]},"StringLike":{"kms:EncryptionContext:aws:cloudtrail:arn":["` + trailArn + `"]}}`
		if got := jsonOf(t, st["Condition"]); got != want {
			t.Errorf("condition = %s\nwant %s", got, want)
		}
		if st["Action"] != "kms:GenerateDataKey*" {
			t.Errorf("actions = %v", st["Action"])
		}
	})
	t.Run("principals of this account may decrypt log files", func(t *testing.T) {
		st := bySid(t, keyPolicy, "WriterAccountsDecryptTheirLogFiles")
		if got := jsonOf(t, st["Condition"].(map[string]any)["StringEquals"]); got != `{"kms:CallerAccount":["111111111111"]}` {
			t.Errorf("condition = %s", got)
		}
	})
	t.Run("CloudWatch Logs may use the key only for the trail's log group", func(t *testing.T) {
		st := bySid(t, keyPolicy, "CloudWatchLogsEncryptsTheTrailLogGroup")
		if jsonOf(t, st["Principal"]) != `{"Service":"logs.ap-northeast-1.amazonaws.com"}` {
			t.Errorf("principal = %s", jsonOf(t, st["Principal"]))
		}
		if got := jsonOf(t, st["Condition"]); got != `{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":["arn:aws:logs:ap-northeast-1:111111111111:log-group:/baseline/cloudtrail"]}}` {
			t.Errorf("condition = %s", got)
		}
	})

	t.Run("the log bucket is KMS-encrypted with a bucket key, private, owner-enforced, versioned, logged and retained", func(t *testing.T) {
		p := bucket.Properties
		enc := jsonOf(t, p["BucketEncryption"])
		if !strings.Contains(enc, `"SSEAlgorithm":"aws:kms"`) || !strings.Contains(enc, `"BucketKeyEnabled":true`) || !strings.Contains(enc, "LogArchiveKey") {
			t.Errorf("BucketEncryption = %s", enc)
		}
		if got := jsonOf(t, p["PublicAccessBlockConfiguration"]); got != `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}` {
			t.Errorf("PublicAccessBlockConfiguration = %s", got)
		}
		if got := jsonOf(t, p["OwnershipControls"]); got != `{"Rules":[{"ObjectOwnership":"BucketOwnerEnforced"}]}` {
			t.Errorf("OwnershipControls = %s", got)
		}
		if jsonOf(t, p["VersioningConfiguration"]) != `{"Status":"Enabled"}` {
			t.Errorf("versioning = %s", jsonOf(t, p["VersioningConfiguration"]))
		}
		if !strings.Contains(jsonOf(t, p["LoggingConfiguration"]), "LogArchiveAccessLogBucket") {
			t.Errorf("server access logging = %s", jsonOf(t, p["LoggingConfiguration"]))
		}
		rule := jsonOf(t, p["LifecycleConfiguration"])
		for _, want := range []string{`"ExpirationInDays":2557`, `"NoncurrentVersionExpiration":{"NoncurrentDays":90}`, `"StorageClass":"GLACIER_IR","TransitionInDays":90`} {
			if !strings.Contains(rule, want) {
				t.Errorf("lifecycle %s lacks %s", rule, want)
			}
		}
		for _, b := range []assembly.Resource{bucket, accessLogs} {
			if b.DeletionPolicy != "Retain" {
				t.Errorf("a log bucket is not retained: %q", b.DeletionPolicy)
			}
		}
		if !strings.Contains(jsonOf(t, accessLogs.Properties["PublicAccessBlockConfiguration"]), `"RestrictPublicBuckets":true`) {
			t.Error("the access-log bucket is not private")
		}
	})

	t.Run("the bucket policy denies requests without TLS", func(t *testing.T) {
		found := false
		for _, st := range policy {
			if st["Effect"] == "Deny" && jsonOf(t, st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}` && st["Action"] == "s3:*" {
				found = true
			}
		}
		if !found {
			t.Error("no TLS-only deny")
		}
	})
	t.Run("CloudTrail writes only its account's prefix, owner-controlled, for this trail", func(t *testing.T) {
		st := bySid(t, policy, "CloudTrailWritesLogsOf111111111111")
		if got := jsonOf(t, st["Condition"]); got != `{"StringEquals":{"aws:SourceArn":"`+trailArn+`","s3:x-amz-acl":"bucket-owner-full-control"}}` {
			t.Errorf("condition = %s", got)
		}
		if !strings.Contains(jsonOf(t, st["Resource"]), `/AWSLogs/111111111111/*`) {
			t.Errorf("resource = %s", jsonOf(t, st["Resource"]))
		}
	})
	t.Run("Config may deliver under its own prefix, for this account", func(t *testing.T) {
		st := bySid(t, policy, "ConfigDeliversSnapshotsOf111111111111")
		if !strings.Contains(jsonOf(t, st["Resource"]), `/config/AWSLogs/111111111111/Config/*`) ||
			jsonOf(t, st["Condition"]) != `{"StringEquals":{"aws:SourceAccount":"111111111111","s3:x-amz-acl":"bucket-owner-full-control"}}` {
			t.Errorf("statement = %s", jsonOf(t, st))
		}
	})
	t.Run("deleting log files and changing the policy or lifecycle is denied except for break-glass", func(t *testing.T) {
		del := bySid(t, policy, "DenyLogDeletionExceptBreakGlass")
		if del["Effect"] != "Deny" || !strings.Contains(jsonOf(t, del["Action"]), "s3:DeleteObjectVersion") ||
			jsonOf(t, del["Condition"]) != `{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::111111111111:root"]}}` {
			t.Errorf("deletion deny = %s", jsonOf(t, del))
		}
		tamper := bySid(t, policy, "DenyBucketTamperingExceptDeployAndBreakGlass")
		// Wildcards on the bucket's ARN: every bucket setting, proven
		// action by action from the SAR in TestTamperMatrix.
		if got := jsonOf(t, tamper["Action"]); got != `["s3:Create*","s3:Delete*","s3:Pause*","s3:Put*","s3:TagResource","s3:UntagResource","s3:Update*"]` {
			t.Errorf("tampering deny actions = %s", got)
		}
		if got := jsonOf(t, tamper["Condition"]); got != `{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-ap-northeast-1"]}}` {
			t.Errorf("tampering deny exempts %s", got)
		}
	})

	t.Run("the log group keeps a year, is encrypted and retained", func(t *testing.T) {
		p := logGroup.Properties
		if p["RetentionInDays"] != 365.0 || p["LogGroupName"] != "/baseline/cloudtrail" || !strings.Contains(jsonOf(t, p["KmsKeyId"]), "LogArchiveKey") {
			t.Errorf("log group = %s", jsonOf(t, p))
		}
		if logGroup.DeletionPolicy != "Retain" {
			t.Errorf("deletion policy %q", logGroup.DeletionPolicy)
		}
	})
	t.Run("the delivery role may only write streams of that log group, and trusts CloudTrail without source conditions", func(t *testing.T) {
		role := resourceWithPrefix(t, s, "AWS::IAM::Role", "AuditTrailDeliveryRole").Properties
		trust := statementsOf(t, role["AssumeRolePolicyDocument"])
		// CloudTrail sends no aws:SourceArn or aws:SourceAccount when it
		// assumes this role; a condition on them stops delivery (see
		// constructs/audittrail and TestDeliveryPaths).
		if len(trust) != 1 || jsonOf(t, trust[0]) != `{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"}}` {
			t.Errorf("trust = %s", jsonOf(t, trust))
		}
		if role["Policies"] != nil || role["ManagedPolicyArns"] != nil {
			t.Errorf("the role has other policies: %s %s", jsonOf(t, role["Policies"]), jsonOf(t, role["ManagedPolicyArns"]))
		}
		policy := resourceWithPrefix(t, s, "AWS::IAM::ManagedPolicy", "AuditTrailDeliveryPolicy").Properties
		got := jsonOf(t, policy["PolicyDocument"])
		want := `{"Statement":[{"Action":["logs:CreateLogStream","logs:PutLogEvents"],"Effect":"Allow","Resource":"arn:aws:logs:ap-northeast-1:111111111111:log-group:/baseline/cloudtrail:log-stream:111111111111_CloudTrail_*","Sid":"CreateStreamsAndPutEvents"}],"Version":"2012-10-17"}`
		if got != want {
			t.Errorf("policy = %s", got)
		}
		if !strings.Contains(jsonOf(t, policy["Roles"]), "AuditTrailDeliveryRole") {
			t.Errorf("the policy is attached to %s", jsonOf(t, policy["Roles"]))
		}
	})
}

// TestStatefulLogicalIDs pins the logical ids of everything that holds
// audit data. Renaming one makes CloudFormation replace the resource: the
// retained original is orphaned with its logs, and a new empty one takes
// its place. If this test fails, restore the construct id.
func TestStatefulLogicalIDs(t *testing.T) {
	s := stack(t, exampleAssembly(t), "Prod-ap-northeast-1")
	for id, typ := range map[string]string{
		"LogArchiveKey11A44769":             "AWS::KMS::Key",
		"LogArchiveBucket6951A440":          "AWS::S3::Bucket",
		"LogArchiveAccessLogBucketA7576278": "AWS::S3::Bucket",
		"AuditTrailLogGroup28BB9333":        "AWS::Logs::LogGroup",
		"AlarmsKey3C2381B3":                 "AWS::KMS::Key",
	} {
		r, ok := s.Template.Resources[id]
		if !ok || r.Type != typ {
			t.Errorf("stateful resource %s (%s) is gone: its construct id changed", id, typ)
		}
	}
}

const trailOptionsConfig = `homeRegion: us-east-1
regions: [us-east-1]
notifications: {emails: [sec@example.com]}
accounts:
  - name: Archive
    id: "333333333333"
    logArchive: true
    awsConfig: {mode: skip}   # AWS Config cannot deliver to an Object Lock bucket
    trail:
      breakGlassRoleArns: ["arn:aws:iam::333333333333:role/LogBreakGlass"]
      bucket: {objectLock: {mode: COMPLIANCE, days: 365}}
  - name: Cheap
    id: "444444444444"
    awsConfig: {mode: skip}
    trail:
      managementEvents: writeOnly
      dataEvents: {s3: [all], lambda: ["arn:aws:lambda:us-east-1:444444444444:function:pay"]}
      insights: {apiCallRate: true, apiErrorRate: true}
      logRetentionDays: 731
  - name: ControlTower
    id: "555555555555"
    trail: {mode: skip}
    awsConfig: {mode: skip}
`

var trailOptions cached

func trailOptionsAssembly(t testing.TB) *assembly.Assembly {
	return trailOptions.config(t, trailOptionsConfig, "trail-options.yaml")
}

func TestTrailOptions(t *testing.T) {
	asm := trailOptionsAssembly(t)
	archive := stack(t, asm, "Archive-us-east-1")
	cheap := stack(t, asm, "Cheap-us-east-1")
	skip := stack(t, asm, "ControlTower-us-east-1")

	t.Run("the log archive owns the only bucket and key, writable per account and trail", func(t *testing.T) {
		if len(resourcesOfType(cheap, "AWS::S3::Bucket")) != 0 || len(resourcesOfType(skip, "AWS::S3::Bucket")) != 0 {
			t.Error("a member account has its own log bucket")
		}
		policy := statementsOf(t, resourceWithPrefix(t, archive, "AWS::S3::BucketPolicy", "LogArchiveBucketPolicy").Properties["PolicyDocument"])
		st := bySid(t, policy, "CloudTrailWritesLogsOf444444444444")
		if !strings.Contains(jsonOf(t, st), `"aws:SourceArn":"arn:aws:cloudtrail:us-east-1:444444444444:trail/baseline-trail"`) ||
			!strings.Contains(jsonOf(t, st["Resource"]), "/AWSLogs/444444444444/*") {
			t.Errorf("member write statement = %s", jsonOf(t, st))
		}
		for _, st := range policy {
			if strings.Contains(jsonOf(t, st), "555555555555") {
				t.Errorf("the account whose trail is skipped may write: %s", jsonOf(t, st))
			}
		}
	})
	t.Run("a member's trail writes to the archive bucket with the archive key's alias ARN", func(t *testing.T) {
		trail := one(t, cheap, "AWS::CloudTrail::Trail").Properties
		if trail["S3BucketName"] != "baseline-cloudtrail-333333333333-us-east-1" || trail["KMSKeyId"] != "arn:aws:kms:us-east-1:333333333333:alias/baseline/cloudtrail" {
			t.Errorf("bucket %v key %v", trail["S3BucketName"], trail["KMSKeyId"])
		}
		if len(resourcesOfType(cheap, "AWS::KMS::Key")) != 3 { // alarm topic key + log group key + custom-resource log group key
			t.Errorf("member keys = %d, want the alarm key, its own log-group key and the custom-resource log group's key", len(resourcesOfType(cheap, "AWS::KMS::Key")))
		}
	})
	t.Run("write-only management events, data events and insights when asked", func(t *testing.T) {
		trail := one(t, cheap, "AWS::CloudTrail::Trail").Properties
		want := `[{"DataResources":[{"Type":"AWS::S3::Object","Values":["arn:aws:s3"]},{"Type":"AWS::Lambda::Function","Values":["arn:aws:lambda:us-east-1:444444444444:function:pay"]}],"IncludeManagementEvents":true,"ReadWriteType":"WriteOnly"}]`
		if got := jsonOf(t, trail["EventSelectors"]); got != want {
			t.Errorf("EventSelectors = %s", got)
		}
		if got := jsonOf(t, trail["InsightSelectors"]); got != `[{"InsightType":"ApiCallRateInsight"},{"InsightType":"ApiErrorRateInsight"}]` {
			t.Errorf("InsightSelectors = %s", got)
		}
		if lg := resourceWithPrefix(t, cheap, "AWS::Logs::LogGroup", "AuditTrailLogGroup"); lg.Properties["RetentionInDays"] != 731.0 {
			t.Errorf("retention = %v", lg.Properties["RetentionInDays"])
		}
	})
	t.Run("object lock and break-glass roles", func(t *testing.T) {
		b := resourceWithPrefix(t, archive, "AWS::S3::Bucket", "LogArchiveBucket").Properties
		if b["ObjectLockEnabled"] != true || jsonOf(t, b["ObjectLockConfiguration"]) != `{"ObjectLockEnabled":"Enabled","Rule":{"DefaultRetention":{"Days":365,"Mode":"COMPLIANCE"}}}` {
			t.Errorf("object lock = %v %s", b["ObjectLockEnabled"], jsonOf(t, b["ObjectLockConfiguration"]))
		}
		policy := statementsOf(t, resourceWithPrefix(t, archive, "AWS::S3::BucketPolicy", "LogArchiveBucketPolicy").Properties["PolicyDocument"])
		if got := jsonOf(t, bySid(t, policy, "DenyLogDeletionExceptBreakGlass")["Condition"]); got != `{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::333333333333:role/LogBreakGlass"]}}` {
			t.Errorf("deleters = %s", got)
		}
	})
	t.Run("skip mode creates no trail", func(t *testing.T) {
		if n := len(resourcesOfType(skip, "AWS::CloudTrail::Trail")); n != 0 {
			t.Errorf("%d trails", n)
		}
	})
}

func TestTrailConfigErrors(t *testing.T) {
	base := validConfig + "    trail:\n"
	cases := []configCase{
		{"a retention of 0", base + "      logRetentionDays: 0\n",
			`b.yaml:11: accounts[1].trail.logRetentionDays: 0 is not a retention CloudWatch Logs supports; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (365 or more for audit)`},
		{"a retention CloudWatch does not support", base + "      logRetentionDays: 366\n",
			`b.yaml:11: accounts[1].trail.logRetentionDays: 366 is not a retention CloudWatch Logs supports; use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (365 or more for audit)`},
		{"object lock days without a mode", base + "      bucket: {objectLock: {days: 30}}\n",
			`b.yaml:11: accounts[1].trail.bucket.objectLock.days: set objectLock.mode (GOVERNANCE or COMPLIANCE) too, or remove days`},
		{"an unknown object lock mode", base + "      bucket: {objectLock: {mode: STRICT, days: 30}}\n",
			`b.yaml:11: accounts[1].trail.bucket.objectLock.mode: "STRICT" is not a mode; use GOVERNANCE or COMPLIANCE`},
		{"an unknown data-event type", base + "      dataEvents: {dynamodb: [all]}\n",
			`b.yaml:11: accounts[1].trail.dataEvents.dynamodb: unknown key; expected one of lambda, s3`},
		{"a bad data-event value", base + "      dataEvents: {lambda: [pay]}\n",
			`b.yaml:11: accounts[1].trail.dataEvents.lambda[0]: "pay" is not all or a Lambda function ARN`},
		{"an unknown management-events choice", base + "      managementEvents: read\n",
			`b.yaml:11: accounts[1].trail.managementEvents: "read" is not a choice; use all or writeOnly (writeOnly fails Security Hub CloudTrail.1)`},
		{"an unknown mode", base + "      mode: off\n",
			`b.yaml:11: accounts[1].trail.mode: "off" is not a mode; use create or skip`},
		{"two log archives", strings.Replace(validConfig, `id: "111111111111"`, "id: \"111111111111\"\n    logArchive: true", 1) + "    logArchive: true\n",
			`b.yaml:11: accounts[1].logArchive: accounts[0] is already the log archive; mark one account only`},
	}
	checkConfigCases(t, "b.yaml", cases)
}
