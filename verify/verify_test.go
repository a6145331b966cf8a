package verify_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"

	"github.com/secure-baseline/cdk-baseline/verify"
)

const home, other = "ap-northeast-1", "us-east-1"

// TestHealthyAccountPasses: an account in exactly the state the templates
// describe passes every check, and every catalog check ran.
func TestHealthyAccountPasses(t *testing.T) {
	stacks := fixture(t)
	w := healthy(t, stacks)
	results := runFake(t, w, stacks, nil)
	if bad := notPassing(results); len(bad) > 0 {
		t.Fatalf("a healthy account has findings:\n%s", strings.Join(bad, "\n"))
	}
	ran := map[string]int{}
	for _, r := range results {
		ran[r.Check]++
	}
	for _, c := range verify.Catalog {
		if ran[c.ID] == 0 {
			t.Errorf("check %s never ran against the fixture", c.ID)
		}
	}
	t.Logf("%d results from %d checks over %d stacks", len(results), len(ran), len(stacks))

	// Each alarm result names its own control, read from the template.
	controls := map[string]bool{}
	for _, r := range results {
		if r.Check == "alarms" && strings.HasPrefix(r.Control, "CloudWatch.") {
			controls[r.Control] = true
		}
	}
	if len(controls) != 14 {
		t.Errorf("the alarm results name %d distinct CloudWatch controls, want CloudWatch.1 to CloudWatch.14: %v", len(controls), controls)
	}
}

// TestBrokenAccountFindings breaks one thing at a time and asserts that
// exactly the expected checks stop passing.
func TestBrokenAccountFindings(t *testing.T) {
	stacks := fixture(t)
	alarm := "baseline-RootAccountUsage"
	topic := "arn:aws:sns:" + home + ":" + account + ":baseline-alarms"
	cases := []struct {
		name   string
		break_ func(w *world)
		opts   func(*verify.Options)
		want   []string
	}{
		{"the trail stopped logging", func(w *world) {
			w.trails["baseline-trail"].IsLogging = aws.Bool(false)
			w.trails["baseline-trail"].StopLoggingTime = aws.Time(now.Add(-time.Hour))
		}, nil, []string{"FAIL trail-logging ap-northeast-1 baseline-trail"}},
		{"the trail was deleted", func(w *world) { delete(w.trails, "baseline-trail"); delete(w.trailCfg, "baseline-trail") }, nil,
			[]string{"FAIL trail-delivery ap-northeast-1 baseline-trail", "FAIL trail-logging ap-northeast-1 baseline-trail", "FAIL trail-multi-region ap-northeast-1 baseline-trail", "FAIL trail-validation ap-northeast-1 baseline-trail"}},
		{"the trail became single-region", func(w *world) { w.trailCfg["baseline-trail"].Trail.IsMultiRegionTrail = aws.Bool(false) }, nil,
			[]string{"FAIL trail-multi-region ap-northeast-1 baseline-trail"}},
		{"log file validation is off", func(w *world) { w.trailCfg["baseline-trail"].Trail.LogFileValidationEnabled = aws.Bool(false) }, nil,
			[]string{"FAIL trail-validation ap-northeast-1 baseline-trail"}},
		{"S3 delivery fails", func(w *world) { w.trails["baseline-trail"].LatestDeliveryError = aws.String("AccessDenied") }, nil,
			[]string{"FAIL trail-delivery ap-northeast-1 baseline-trail"}},
		{"CloudWatch Logs delivery fails", func(w *world) {
			w.trails["baseline-trail"].LatestCloudWatchLogsDeliveryError = aws.String("LogGroupNotFound")
		}, nil, []string{"FAIL trail-delivery ap-northeast-1 baseline-trail"}},
		{"the recorder stopped", func(w *world) { w.regions[other].recorder.Recording = false }, nil,
			[]string{"FAIL config-recorder us-east-1 baseline"}},
		{"the recorder's last status is Failure", func(w *world) { w.regions[home].recorder.LastStatus = cstypes.RecorderStatusFailure }, nil,
			[]string{"FAIL config-recorder ap-northeast-1 baseline"}},
		{"the recorder's last status is Pending", func(w *world) { w.regions[home].recorder.LastStatus = cstypes.RecorderStatusPending }, nil,
			[]string{"WARN config-recorder ap-northeast-1 baseline"}},
		{"the recorder was deleted", func(w *world) { w.regions[other].recorder = nil }, nil,
			[]string{"FAIL config-recorder us-east-1 baseline"}},
		{"the delivery channel's snapshot delivery failed", func(w *world) {
			w.regions[home].channel.ConfigSnapshotDeliveryInfo.LastStatus = cstypes.DeliveryStatusFailure
		}, nil, []string{"FAIL config-delivery ap-northeast-1 baseline"}},
		{"the detector is disabled", func(w *world) { w.regions[home].detector.Status = gdtypes.DetectorStatusDisabled }, nil,
			[]string{"FAIL guardduty-detector ap-northeast-1 d-ap-northeast-1"}},
		{"the detector was deleted", func(w *world) { w.regions[other].detector = nil }, nil,
			[]string{"FAIL guardduty-detector us-east-1 detector", "FAIL guardduty-features us-east-1 detector"}},
		{"a detector feature the template enables is off", func(w *world) { setFeature(w.regions[other], "S3_DATA_EVENTS", gdtypes.FeatureStatusDisabled) }, nil,
			[]string{"FAIL guardduty-features us-east-1 d-us-east-1"}},
		{"a detector feature the template leaves off is on", func(w *world) { setFeature(w.regions[home], "RUNTIME_MONITORING", gdtypes.FeatureStatusEnabled) }, nil,
			[]string{"WARN guardduty-features ap-northeast-1 d-ap-northeast-1"}},
		{"a standard was disabled", func(w *world) { w.regions[home].standards = w.regions[home].standards[1:] }, nil,
			[]string{"FAIL securityhub-controls ap-northeast-1 " + standardArn(home, 0), "FAIL securityhub-standards ap-northeast-1 " + standardArn(home, 0)}},
		{"Security Hub is off", func(w *world) { w.regions[other].standards = nil }, nil,
			[]string{"FAIL securityhub-controls us-east-1 " + standardArn(other, 0), "FAIL securityhub-controls us-east-1 " + standardArn(other, 1),
				"FAIL securityhub-standards us-east-1 " + standardArn(other, 0), "FAIL securityhub-standards us-east-1 " + standardArn(other, 1)}},
		{"a control was disabled outside the baseline", func(w *world) { setControls(w.regions[home], shtypes.ControlStatusDisabled) }, nil,
			[]string{"FAIL securityhub-controls ap-northeast-1 " + standardArn(home, 0), "FAIL securityhub-controls ap-northeast-1 " + standardArn(home, 1)}},
		{"a control the template disables is enabled", func(w *world) { enableFirstDisabled(w.regions[other]) }, nil,
			[]string{"WARN securityhub-controls us-east-1 " + standardArn(other, 0)}},
		{"an alarm was deleted", func(w *world) { delete(w.alarms, alarm) }, nil, []string{"FAIL alarms ap-northeast-1 " + alarm}},
		{"an alarm's actions are disabled", func(w *world) { a := w.alarms[alarm]; a.ActionsEnabled = aws.Bool(false); w.alarms[alarm] = a }, nil,
			[]string{"FAIL alarms ap-northeast-1 " + alarm}},
		{"an alarm is in ALARM", func(w *world) { a := w.alarms[alarm]; a.StateValue = cwtypes.StateValueAlarm; w.alarms[alarm] = a }, nil,
			[]string{"FAIL alarms ap-northeast-1 " + alarm}},
		{"the e-mail subscription is pending confirmation", func(w *world) { w.subs[topic][0].SubscriptionArn = aws.String("PendingConfirmation") }, nil,
			[]string{"FAIL topic-subscriptions ap-northeast-1 baseline-alarms email:security@example.com"}},
		{"the e-mail subscription was removed", func(w *world) { w.subs[topic] = nil }, nil,
			[]string{"FAIL topic-subscriptions ap-northeast-1 baseline-alarms email:security@example.com"}},
		{"the password policy was deleted", func(w *world) { w.password = nil }, nil, []string{"FAIL password-policy ap-northeast-1 account password policy"}},
		{"the password policy is shorter", func(w *world) { w.password.MinimumPasswordLength = aws.Int32(8) }, nil,
			[]string{"FAIL password-policy ap-northeast-1 account password policy"}},
		{"passwords never expire", func(w *world) { w.password.MaxPasswordAge = nil }, nil,
			[]string{"FAIL password-policy ap-northeast-1 account password policy"}},
		{"a stricter password policy passes", func(w *world) {
			w.password.MinimumPasswordLength = aws.Int32(20)
			w.password.MaxPasswordAge = aws.Int32(30)
		}, nil, nil},
		{"S3 Block Public Access is off", func(w *world) { w.pab.RestrictPublicBuckets = aws.Bool(false) }, nil,
			[]string{"FAIL s3-account-public-access-block ap-northeast-1 account S3 Block Public Access"}},
		{"S3 Block Public Access was deleted", func(w *world) { w.pab = nil }, nil,
			[]string{"FAIL s3-account-public-access-block ap-northeast-1 account S3 Block Public Access"}},
		{"EBS encryption by default is off", func(w *world) { w.regions[other].ebs = false }, nil,
			[]string{"FAIL ebs-default-encryption us-east-1 EBS encryption by default"}},
		{"the access analyzer was deleted", func(w *world) { w.regions[home].analyzers = nil }, nil,
			[]string{"FAIL access-analyzer ap-northeast-1 baseline-account"}},
		{"the access analyzer is disabled", func(w *world) { w.regions[other].analyzers[0].Status = aatypes.AnalyzerStatusDisabled }, nil,
			[]string{"FAIL access-analyzer us-east-1 baseline-account"}},
		{"a stack rolled back", func(w *world) { w.regions[home].stack.StackStatus = cftypes.StackStatusUpdateRollbackComplete }, nil,
			[]string{"FAIL stack-status ap-northeast-1 Prod-ap-northeast-1"}},
		{"a stack is being updated", func(w *world) { w.regions[home].stack.StackStatus = cftypes.StackStatusUpdateInProgress }, nil,
			[]string{"WARN stack-drift ap-northeast-1 Prod-ap-northeast-1", "WARN stack-status ap-northeast-1 Prod-ap-northeast-1"}},
		{"a stack was deleted", func(w *world) { w.regions[other].stack.StackName = aws.String("gone") }, nil,
			[]string{"FAIL stack-drift us-east-1 Prod-us-east-1", "FAIL stack-status us-east-1 Prod-us-east-1"}},
		{"a stack drifted", func(w *world) {
			w.regions[other].drift.StackDriftStatus = cftypes.StackDriftStatusDrifted
			w.regions[other].drift.DriftedStackResourceCount = aws.Int32(2)
		}, nil, []string{"FAIL stack-drift us-east-1 Prod-us-east-1"}},
		{"drift detection failed", func(w *world) {
			w.regions[home].drift.DetectionStatus = cftypes.StackDriftDetectionStatusDetectionFailed
			w.regions[home].drift.DetectionStatusReason = aws.String("Failed to detect drift on resource X")
			w.regions[home].drift.StackDriftStatus = cftypes.StackDriftStatusNotChecked
		}, nil, []string{"ERROR stack-drift ap-northeast-1 Prod-ap-northeast-1"}},
		{"drift detection takes longer than the timeout", nil, func(o *verify.Options) { o.DriftTimeout = -time.Second }, // the fake's first read is always in progress
			[]string{"ERROR stack-drift ap-northeast-1 Prod-ap-northeast-1", "ERROR stack-drift us-east-1 Prod-us-east-1"}},
		{"--no-drift", nil, func(o *verify.Options) { o.NoDrift = true },
			[]string{"WARN stack-drift ap-northeast-1 Prod-ap-northeast-1", "WARN stack-drift us-east-1 Prod-us-east-1"}},
		{"root has no MFA", func(w *world) { w.report[1][7] = "false" }, nil, []string{"FAIL root-mfa ap-northeast-1 root user"}},
		{"root has an access key", func(w *world) { w.report[1][8] = "true" }, nil, []string{"FAIL root-access-keys ap-northeast-1 root user"}},
		{"root signed in last week", func(w *world) { w.report[1][4] = "2026-11-24T09:00:00+00:00" }, nil, []string{"FAIL root-recent-use ap-northeast-1 root user"}},
		{"a user has a password and an access key", func(w *world) { w.report[2][3] = "true"; w.report[2][7] = "true" }, nil,
			[]string{"FAIL user-password-and-keys ap-northeast-1 deployer"}},
		{"a console user has no MFA", func(w *world) { w.report[3][7] = "false" }, nil, []string{"FAIL console-user-mfa ap-northeast-1 alice"}},
		{"an access key is unused for 60 days", func(w *world) { w.report[2][10] = "2026-10-01T00:00:00+00:00" }, nil,
			[]string{"FAIL access-key-unused ap-northeast-1 deployer"}},
		{"an access key was never used since it was made 60 days ago", func(w *world) { w.report[2][9] = "2026-10-01T00:00:00+00:00"; w.report[2][10] = "N/A" }, nil,
			[]string{"FAIL access-key-unused ap-northeast-1 deployer"}},
		{"an access key is older than 90 days", func(w *world) { w.report[2][9] = "2026-06-01T00:00:00+00:00" }, nil,
			[]string{"FAIL access-key-age ap-northeast-1 deployer"}},
		{"a user holds AdministratorAccess directly", func(w *world) { w.attached["alice"] = []string{"arn:aws:iam::aws:policy/AdministratorAccess"} }, nil,
			[]string{"FAIL admin-attached-directly ap-northeast-1 alice"}},
		{"the credential report has no root row", func(w *world) { w.report = append(w.report[:1], w.report[2:]...) }, nil,
			[]string{"ERROR root-access-keys ap-northeast-1 root user", "ERROR root-mfa ap-northeast-1 root user", "ERROR root-recent-use ap-northeast-1 root user"}},
		{"the credential report is never ready", func(w *world) {
			w.reportState = slices.Repeat([]iamtypes.ReportStateType{iamtypes.ReportStateTypeInprogress}, 1000)
		}, func(o *verify.Options) {
			clock := now
			o.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
		},
			[]string{"ERROR access-key-age ap-northeast-1 credential report", "ERROR access-key-unused ap-northeast-1 credential report", "ERROR admin-attached-directly ap-northeast-1 IAM users",
				"ERROR console-user-mfa ap-northeast-1 credential report", "ERROR root-access-keys ap-northeast-1 credential report", "ERROR root-mfa ap-northeast-1 credential report",
				"ERROR root-recent-use ap-northeast-1 credential report", "ERROR user-password-and-keys ap-northeast-1 credential report"}},
		{"a missing permission is reported as cannot check", func(w *world) { w.denied["GetEbsEncryptionByDefault"] = true }, nil,
			[]string{"ERROR ebs-default-encryption ap-northeast-1 EBS encryption by default", "ERROR ebs-default-encryption us-east-1 EBS encryption by default"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := healthy(t, stacks)
			if tc.break_ != nil {
				tc.break_(w)
			}
			got := notPassing(runFake(t, w, stacks, tc.opts))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(tc.want, "\n  "))
			}
		})
	}
}

// standardArn is the name verify reports for the fixture's i-th standard
// (the region is in its own column).
func standardArn(_ string, i int) string {
	return []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/5.0.0"}[i]
}

func setFeature(r *region, name string, status gdtypes.FeatureStatus) {
	for i, f := range r.detector.Features {
		if string(f.Name) == name {
			r.detector.Features[i].Status = status
			return
		}
	}
	panic(fmt.Sprintf("no feature %s in the fixture", name))
}

// setControls sets the status of every control the template leaves on.
func setControls(r *region, status shtypes.ControlStatus) {
	for _, controls := range r.controls {
		for i := range controls {
			if controls[i].ControlStatus == shtypes.ControlStatusEnabled {
				controls[i].ControlStatus = status
			}
		}
	}
}

func enableFirstDisabled(r *region) {
	sub := aws.ToString(r.standards[0].StandardsSubscriptionArn)
	for i, c := range r.controls[sub] {
		if c.ControlStatus == shtypes.ControlStatusDisabled {
			r.controls[sub][i].ControlStatus = shtypes.ControlStatusEnabled
			return
		}
	}
	panic("the fixture's us-east-1 standard disables no control")
}
