package verify_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	cttypes "github.com/aws/aws-sdk-go-v2/service/cloudtrail/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	shtypes "github.com/aws/aws-sdk-go-v2/service/securityhub/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/verify"
)

// The fakes answer in the shapes of the SDK's output types (whose fields
// TestAPICallsMatchBotocore checks against the AWS service models). The
// healthy state is derived from the fixture templates' expectations, not
// typed in: each test then breaks one thing.

const account = "111111111111"

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// writeAssembly writes a cloud assembly of the golden templates of the
// example's Prod account (no synth needed) and returns its directory.
func writeAssembly(t testing.TB, stacks ...string) string {
	t.Helper()
	dir := t.TempDir()
	arts := map[string]any{}
	for _, name := range stacks {
		data, err := os.ReadFile(filepath.Join("..", "test", "testdata", "golden", name+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".template.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		region := strings.SplitN(name, "-", 2)[1]
		arts[name] = map[string]any{"type": "aws:cloudformation:stack", "environment": "aws://" + account + "/" + region,
			"properties": map[string]any{"templateFile": name + ".template.json"}}
	}
	data, _ := json.Marshal(map[string]any{"version": "48.0.0", "artifacts": arts})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

var prodStacks = []string{"Prod-ap-northeast-1", "Prod-us-east-1"}

func fixture(t testing.TB) []assembly.Stack {
	asm, err := assembly.Read(writeAssembly(t, prodStacks...))
	if err != nil {
		t.Fatal(err)
	}
	return asm.Stacks
}

// world is a fake account: regional state plus the account-global state.
type world struct {
	regions map[string]*region
	// global
	trails      map[string]*cloudtrail.GetTrailStatusOutput
	trailCfg    map[string]*cloudtrail.GetTrailOutput
	alarms      map[string]cwtypes.MetricAlarm
	subs        map[string][]snstypes.Subscription // topic ARN -> subscriptions
	password    *iamtypes.PasswordPolicy
	pab         *s3types.PublicAccessBlockConfiguration
	report      [][]string
	reportState []iamtypes.ReportStateType // states GenerateCredentialReport answers in turn
	attached    map[string][]string
	denied      map[string]bool // operation -> AccessDenied
	calls       []string
}

type region struct {
	name       string
	stack      cftypes.Stack
	drift      cloudformation.DescribeStackDriftDetectionStatusOutput
	recorder   *cstypes.ConfigurationRecorderStatus
	channel    *cstypes.DeliveryChannelStatus
	detector   *guardduty.GetDetectorOutput
	standards  []shtypes.StandardsSubscription
	controls   map[string][]shtypes.StandardsControl // subscription ARN -> controls
	ebs        bool
	analyzers  []aatypes.AnalyzerSummary
	driftPolls int // DescribeStackDriftDetectionStatus reads so far
}

func apiErr(code string) error { return &smithy.GenericAPIError{Code: code, Message: code + " (fake)"} }

// healthy builds the fake account that the fixture stacks describe.
func healthy(t testing.TB, stacks []assembly.Stack) *world {
	w := &world{regions: map[string]*region{}, trails: map[string]*cloudtrail.GetTrailStatusOutput{}, trailCfg: map[string]*cloudtrail.GetTrailOutput{},
		alarms: map[string]cwtypes.MetricAlarm{}, subs: map[string][]snstypes.Subscription{}, attached: map[string][]string{}, denied: map[string]bool{}}
	for _, s := range stacks {
		e, err := verify.Expectations(s)
		if err != nil {
			t.Fatal(err)
		}
		r := &region{name: s.Region, controls: map[string][]shtypes.StandardsControl{}}
		w.regions[s.Region] = r
		r.stack = cftypes.Stack{StackName: aws.String(s.Name), StackStatus: cftypes.StackStatusUpdateComplete}
		r.drift = cloudformation.DescribeStackDriftDetectionStatusOutput{DetectionStatus: cftypes.StackDriftDetectionStatusDetectionComplete, StackDriftStatus: cftypes.StackDriftStatusInSync}
		for _, tr := range e.Trails {
			w.trails[tr.Name] = &cloudtrail.GetTrailStatusOutput{IsLogging: aws.Bool(true)}
			w.trailCfg[tr.Name] = &cloudtrail.GetTrailOutput{Trail: &cttypes.Trail{Name: aws.String(tr.Name), IsMultiRegionTrail: aws.Bool(true), IncludeGlobalServiceEvents: aws.Bool(true), LogFileValidationEnabled: aws.Bool(true)}}
		}
		for _, name := range e.Recorders {
			r.recorder = &cstypes.ConfigurationRecorderStatus{Name: aws.String(name), Recording: true, LastStatus: cstypes.RecorderStatusSuccess}
		}
		for _, name := range e.DeliveryChannels {
			r.channel = &cstypes.DeliveryChannelStatus{Name: aws.String(name),
				ConfigSnapshotDeliveryInfo: &cstypes.ConfigExportDeliveryInfo{LastStatus: cstypes.DeliveryStatusSuccess},
				ConfigHistoryDeliveryInfo:  &cstypes.ConfigExportDeliveryInfo{LastStatus: cstypes.DeliveryStatusSuccess}}
		}
		for _, d := range e.Detectors {
			out := &guardduty.GetDetectorOutput{Status: gdtypes.DetectorStatusEnabled}
			for name, status := range d.Features {
				out.Features = append(out.Features, gdtypes.DetectorFeatureConfigurationResult{Name: gdtypes.DetectorFeatureResult(name), Status: gdtypes.FeatureStatus(status)})
			}
			r.detector = out
		}
		for i, st := range e.Standards {
			sub := fmt.Sprintf("arn:aws:securityhub:%s:%s:subscription/%d", s.Region, account, i)
			r.standards = append(r.standards, shtypes.StandardsSubscription{StandardsArn: aws.String(st.Arn), StandardsStatus: shtypes.StandardsStatusReady, StandardsSubscriptionArn: aws.String(sub)})
			for _, arn := range st.Disabled {
				r.controls[sub] = append(r.controls[sub], shtypes.StandardsControl{StandardsControlArn: aws.String(arn), ControlStatus: shtypes.ControlStatusDisabled, DisabledReason: aws.String("baseline")})
			}
			r.controls[sub] = append(r.controls[sub], shtypes.StandardsControl{StandardsControlArn: aws.String(fmt.Sprintf("arn:aws:securityhub:%s:%s:control/x/v/1/Enabled.1", s.Region, account)), ControlStatus: shtypes.ControlStatusEnabled})
		}
		for _, a := range e.Alarms {
			w.alarms[a.Name] = cwtypes.MetricAlarm{AlarmName: aws.String(a.Name), ActionsEnabled: aws.Bool(true), StateValue: cwtypes.StateValueOk}
		}
		for _, tp := range e.Topics {
			arn := fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.Region, account, tp.Name)
			for i, sub := range tp.Subscriptions {
				w.subs[arn] = append(w.subs[arn], snstypes.Subscription{Protocol: aws.String(sub.Protocol), Endpoint: aws.String(sub.Endpoint), SubscriptionArn: aws.String(fmt.Sprintf("%s:%d", arn, i))})
			}
		}
		if e.PasswordPolicy != nil {
			p := e.PasswordPolicy
			num := func(k string) *int32 { return aws.Int32(int32(p[k].(float64))) }
			w.password = &iamtypes.PasswordPolicy{AllowUsersToChangePassword: p["AllowUsersToChangePassword"].(bool), HardExpiry: aws.Bool(p["HardExpiry"].(bool)),
				MaxPasswordAge: num("MaxPasswordAge"), MinimumPasswordLength: num("MinimumPasswordLength"), PasswordReusePrevention: num("PasswordReusePrevention"),
				RequireLowercaseCharacters: p["RequireLowercaseCharacters"].(bool), RequireNumbers: p["RequireNumbers"].(bool), RequireSymbols: p["RequireSymbols"].(bool), RequireUppercaseCharacters: p["RequireUppercaseCharacters"].(bool)}
		}
		if e.PublicAccess != nil {
			w.pab = &s3types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true), BlockPublicPolicy: aws.Bool(true), IgnorePublicAcls: aws.Bool(true), RestrictPublicBuckets: aws.Bool(true)}
		}
		r.ebs = e.EbsEncryption
		for _, a := range e.Analyzers {
			r.analyzers = append(r.analyzers, aatypes.AnalyzerSummary{Name: aws.String(a.Name), Type: aatypes.Type(a.Type), Status: aatypes.AnalyzerStatusActive})
		}
	}
	// A credential report in the documented format: root with MFA and no
	// keys, unused for a year; a machine user with a fresh, used key; a
	// console user with MFA and no keys.
	w.report = [][]string{
		reportHeader,
		reportRow(rootRow, "not_supported", "2025-11-01T00:00:00+00:00", "true", "false", "N/A", "N/A"),
		reportRow("deployer", "false", "N/A", "false", "true", "2026-11-01T00:00:00+00:00", "2026-11-30T00:00:00+00:00"),
		reportRow("alice", "true", "2026-11-30T00:00:00+00:00", "true", "false", "N/A", "N/A"),
	}
	w.reportState = []iamtypes.ReportStateType{iamtypes.ReportStateTypeStarted, iamtypes.ReportStateTypeComplete}
	return w
}

const rootRow = "<root_account>"

// reportHeader is the credential report's header row, in the documented
// order (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html).
var reportHeader = strings.Split("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated", ",")

func reportRow(user, passwordEnabled, passwordLastUsed, mfa, key1, key1Rotated, key1Used string) []string {
	return []string{user, "arn:aws:iam::" + account + ":user/" + user, "2025-01-01T00:00:00+00:00", passwordEnabled, passwordLastUsed, "N/A", "N/A", mfa,
		key1, key1Rotated, key1Used, "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"}
}

func (w *world) clients(name string) *verify.Clients {
	r := w.regions[name]
	if r == nil {
		r = &region{name: name}
	}
	f := &fakeClients{w: w, r: r}
	return &verify.Clients{CloudTrail: f, ConfigService: f, GuardDuty: f, SecurityHub: f, CloudWatch: f, SNS: f, IAM: f, S3Control: f, EC2: f, AccessAnalyzer: f, CloudFormation: f}
}

type fakeClients struct {
	w *world
	r *region
}

func (f *fakeClients) call(op string) error {
	f.w.calls = append(f.w.calls, op)
	if f.w.denied[op] {
		return &smithy.OperationError{ServiceID: "fake", OperationName: op, Err: apiErr("AccessDenied")}
	}
	return nil
}

func (f *fakeClients) GetTrail(_ context.Context, in *cloudtrail.GetTrailInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error) {
	if err := f.call("GetTrail"); err != nil {
		return nil, err
	}
	if out := f.w.trailCfg[aws.ToString(in.Name)]; out != nil {
		return out, nil
	}
	return nil, apiErr("TrailNotFoundException")
}

func (f *fakeClients) GetTrailStatus(_ context.Context, in *cloudtrail.GetTrailStatusInput, _ ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error) {
	if err := f.call("GetTrailStatus"); err != nil {
		return nil, err
	}
	if out := f.w.trails[aws.ToString(in.Name)]; out != nil {
		return out, nil
	}
	return nil, apiErr("TrailNotFoundException")
}

func (f *fakeClients) DescribeConfigurationRecorderStatus(_ context.Context, in *configservice.DescribeConfigurationRecorderStatusInput, _ ...func(*configservice.Options)) (*configservice.DescribeConfigurationRecorderStatusOutput, error) {
	if err := f.call("DescribeConfigurationRecorderStatus"); err != nil {
		return nil, err
	}
	if f.r.recorder == nil || aws.ToString(f.r.recorder.Name) != in.ConfigurationRecorderNames[0] {
		return nil, apiErr("NoSuchConfigurationRecorderException")
	}
	return &configservice.DescribeConfigurationRecorderStatusOutput{ConfigurationRecordersStatus: []cstypes.ConfigurationRecorderStatus{*f.r.recorder}}, nil
}

func (f *fakeClients) DescribeDeliveryChannelStatus(_ context.Context, in *configservice.DescribeDeliveryChannelStatusInput, _ ...func(*configservice.Options)) (*configservice.DescribeDeliveryChannelStatusOutput, error) {
	if err := f.call("DescribeDeliveryChannelStatus"); err != nil {
		return nil, err
	}
	if f.r.channel == nil || aws.ToString(f.r.channel.Name) != in.DeliveryChannelNames[0] {
		return nil, apiErr("NoSuchDeliveryChannelException")
	}
	return &configservice.DescribeDeliveryChannelStatusOutput{DeliveryChannelsStatus: []cstypes.DeliveryChannelStatus{*f.r.channel}}, nil
}

func (f *fakeClients) ListDetectors(context.Context, *guardduty.ListDetectorsInput, ...func(*guardduty.Options)) (*guardduty.ListDetectorsOutput, error) {
	if err := f.call("ListDetectors"); err != nil {
		return nil, err
	}
	if f.r.detector == nil {
		return &guardduty.ListDetectorsOutput{}, nil
	}
	return &guardduty.ListDetectorsOutput{DetectorIds: []string{"d-" + f.r.name}}, nil
}

func (f *fakeClients) GetDetector(_ context.Context, in *guardduty.GetDetectorInput, _ ...func(*guardduty.Options)) (*guardduty.GetDetectorOutput, error) {
	if err := f.call("GetDetector"); err != nil {
		return nil, err
	}
	return f.r.detector, nil
}

func (f *fakeClients) GetEnabledStandards(context.Context, *securityhub.GetEnabledStandardsInput, ...func(*securityhub.Options)) (*securityhub.GetEnabledStandardsOutput, error) {
	if err := f.call("GetEnabledStandards"); err != nil {
		return nil, err
	}
	if f.r.standards == nil {
		return nil, apiErr("InvalidAccessException")
	}
	return &securityhub.GetEnabledStandardsOutput{StandardsSubscriptions: f.r.standards}, nil
}

func (f *fakeClients) DescribeStandardsControls(_ context.Context, in *securityhub.DescribeStandardsControlsInput, _ ...func(*securityhub.Options)) (*securityhub.DescribeStandardsControlsOutput, error) {
	if err := f.call("DescribeStandardsControls"); err != nil {
		return nil, err
	}
	return &securityhub.DescribeStandardsControlsOutput{Controls: f.r.controls[aws.ToString(in.StandardsSubscriptionArn)]}, nil
}

func (f *fakeClients) DescribeAlarms(_ context.Context, in *cloudwatch.DescribeAlarmsInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error) {
	if err := f.call("DescribeAlarms"); err != nil {
		return nil, err
	}
	if len(in.AlarmNames) > 100 {
		return nil, apiErr("ValidationError")
	}
	out := &cloudwatch.DescribeAlarmsOutput{}
	for _, n := range in.AlarmNames {
		if a, ok := f.w.alarms[n]; ok {
			out.MetricAlarms = append(out.MetricAlarms, a)
		}
	}
	return out, nil
}

func (f *fakeClients) ListSubscriptionsByTopic(_ context.Context, in *sns.ListSubscriptionsByTopicInput, _ ...func(*sns.Options)) (*sns.ListSubscriptionsByTopicOutput, error) {
	if err := f.call("ListSubscriptionsByTopic"); err != nil {
		return nil, err
	}
	subs, ok := f.w.subs[aws.ToString(in.TopicArn)]
	if !ok {
		return nil, apiErr("NotFound")
	}
	return &sns.ListSubscriptionsByTopicOutput{Subscriptions: subs}, nil
}

func (f *fakeClients) GetAccountPasswordPolicy(context.Context, *iam.GetAccountPasswordPolicyInput, ...func(*iam.Options)) (*iam.GetAccountPasswordPolicyOutput, error) {
	if err := f.call("GetAccountPasswordPolicy"); err != nil {
		return nil, err
	}
	if f.w.password == nil {
		return nil, apiErr("NoSuchEntity")
	}
	return &iam.GetAccountPasswordPolicyOutput{PasswordPolicy: f.w.password}, nil
}

func (f *fakeClients) GenerateCredentialReport(context.Context, *iam.GenerateCredentialReportInput, ...func(*iam.Options)) (*iam.GenerateCredentialReportOutput, error) {
	if err := f.call("GenerateCredentialReport"); err != nil {
		return nil, err
	}
	state := iamtypes.ReportStateTypeComplete
	if len(f.w.reportState) > 0 {
		state, f.w.reportState = f.w.reportState[0], f.w.reportState[1:]
	}
	return &iam.GenerateCredentialReportOutput{State: state}, nil
}

func (f *fakeClients) GetCredentialReport(context.Context, *iam.GetCredentialReportInput, ...func(*iam.Options)) (*iam.GetCredentialReportOutput, error) {
	if err := f.call("GetCredentialReport"); err != nil {
		return nil, err
	}
	var b strings.Builder
	for _, row := range f.w.report {
		b.WriteString(strings.Join(row, ",") + "\n")
	}
	return &iam.GetCredentialReportOutput{Content: []byte(b.String()), ReportFormat: iamtypes.ReportFormatTypeTextCsv}, nil
}

func (f *fakeClients) ListAttachedUserPolicies(_ context.Context, in *iam.ListAttachedUserPoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error) {
	if err := f.call("ListAttachedUserPolicies"); err != nil {
		return nil, err
	}
	out := &iam.ListAttachedUserPoliciesOutput{}
	for _, arn := range f.w.attached[aws.ToString(in.UserName)] {
		out.AttachedPolicies = append(out.AttachedPolicies, iamtypes.AttachedPolicy{PolicyArn: aws.String(arn)})
	}
	return out, nil
}

func (f *fakeClients) GetPublicAccessBlock(_ context.Context, in *s3control.GetPublicAccessBlockInput, _ ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error) {
	if err := f.call("GetPublicAccessBlock"); err != nil {
		return nil, err
	}
	if aws.ToString(in.AccountId) != account {
		return nil, errors.New("fake: GetPublicAccessBlock for another account " + aws.ToString(in.AccountId))
	}
	if f.w.pab == nil {
		return nil, apiErr("NoSuchPublicAccessBlockConfiguration")
	}
	return &s3control.GetPublicAccessBlockOutput{PublicAccessBlockConfiguration: f.w.pab}, nil
}

func (f *fakeClients) GetEbsEncryptionByDefault(context.Context, *ec2.GetEbsEncryptionByDefaultInput, ...func(*ec2.Options)) (*ec2.GetEbsEncryptionByDefaultOutput, error) {
	if err := f.call("GetEbsEncryptionByDefault"); err != nil {
		return nil, err
	}
	return &ec2.GetEbsEncryptionByDefaultOutput{EbsEncryptionByDefault: aws.Bool(f.r.ebs)}, nil
}

func (f *fakeClients) ListAnalyzers(context.Context, *accessanalyzer.ListAnalyzersInput, ...func(*accessanalyzer.Options)) (*accessanalyzer.ListAnalyzersOutput, error) {
	if err := f.call("ListAnalyzers"); err != nil {
		return nil, err
	}
	return &accessanalyzer.ListAnalyzersOutput{Analyzers: f.r.analyzers}, nil
}

func (f *fakeClients) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	if err := f.call("DescribeStacks"); err != nil {
		return nil, err
	}
	if aws.ToString(f.r.stack.StackName) != aws.ToString(in.StackName) {
		return nil, &smithy.GenericAPIError{Code: "ValidationError", Message: "Stack with id " + aws.ToString(in.StackName) + " does not exist"}
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{f.r.stack}}, nil
}

func (f *fakeClients) DetectStackDrift(_ context.Context, in *cloudformation.DetectStackDriftInput, _ ...func(*cloudformation.Options)) (*cloudformation.DetectStackDriftOutput, error) {
	if err := f.call("DetectStackDrift"); err != nil {
		return nil, err
	}
	return &cloudformation.DetectStackDriftOutput{StackDriftDetectionId: aws.String("drift-" + aws.ToString(in.StackName))}, nil
}

func (f *fakeClients) DescribeStackDriftDetectionStatus(context.Context, *cloudformation.DescribeStackDriftDetectionStatusInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackDriftDetectionStatusOutput, error) {
	if err := f.call("DescribeStackDriftDetectionStatus"); err != nil {
		return nil, err
	}
	// The first read of each detection is in progress, as against AWS.
	f.r.driftPolls++
	if f.r.driftPolls%2 == 1 {
		return &cloudformation.DescribeStackDriftDetectionStatusOutput{DetectionStatus: cftypes.StackDriftDetectionStatusDetectionInProgress}, nil
	}
	out := f.r.drift
	return &out, nil
}

// runFake runs verify against w with a fixed clock and no waiting.
func runFake(t *testing.T, w *world, stacks []assembly.Stack, mutate func(*verify.Options)) []verify.Result {
	t.Helper()
	opts := verify.Options{Account: account, Now: func() time.Time { return now }, Poll: time.Millisecond}
	if mutate != nil {
		mutate(&opts)
	}
	results, err := verify.Run(context.Background(), opts, stacks, w.clients)
	if err != nil {
		t.Fatal(err)
	}
	return results
}

// notPassing lists the results that did not pass as "status check
// resource", sorted.
func notPassing(results []verify.Result) []string {
	var out []string
	for _, r := range results {
		if r.Status != verify.Pass {
			out = append(out, fmt.Sprintf("%s %s %s %s", r.Status, r.Check, r.Region, r.Resource))
		}
	}
	sort.Strings(out)
	return out
}
