package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cstypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	gdtypes "github.com/aws/aws-sdk-go-v2/service/guardduty/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/verify"
)

// TestVerifyAgainstMoto runs `verify` (its Main, with the standard
// credential chain reading the environment) against moto_server: first an
// account put through the SDK into the state the example's Prod templates
// describe, then the same account broken one thing at a time. Each run
// must report exactly the expected findings.
//
// moto lacks some APIs (verify.Catalog's Moto false: Config delivery
// channel status, Security Hub standards, Access Analyzer, drift
// detection) and its credential report has no <root_account> row; those
// checks must come out as ERROR ("cannot check"), never PASS. Their logic
// is tested with fake clients in verify/verify_test.go, as are a pending
// e-mail subscription (moto confirms at once) and a user holding
// AdministratorAccess (moto has the AWS managed policies only with
// MOTO_IAM_LOAD_MANAGED_POLICIES, which costs about 15 s an account).
func TestVerifyAgainstMoto(t *testing.T) {
	if _, err := os.Stat(filepath.Join("emulator", "serve.py")); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		t.Skip("moto_server is not on PATH (pip install 'moto[server]'); skipping verify against the local AWS emulator, which CI runs")
	}
	emu := startMoto(t)
	asmDir := verifyAssembly(t, "Prod-ap-northeast-1", "Prod-us-east-1", "Dev-ap-northeast-1")
	asm, err := assembly.Read(asmDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	healthy := func(t *testing.T, id string) *motoAccount {
		if resp, err := http.Post(emu.url+"/moto-api/reset", "application/json", nil); err != nil {
			t.Fatal(err)
		} else {
			resp.Body.Close()
		}
		acct := newMotoAccount(ctx, t, emu.url, id)
		acct.deploy(asm.Stacks)
		return acct
	}

	// What moto cannot answer: every result of a check whose APIs moto
	// lacks, and the root checks (no <root_account> row); and moto's
	// recorder stays at lastStatus PENDING (a warning).
	baseline := func(results []verify.Result) []string {
		moto := map[string]bool{}
		for _, c := range verify.Catalog {
			moto[c.ID] = c.Moto
		}
		var out []string
		for _, r := range results {
			switch {
			case !moto[r.Check] || strings.HasPrefix(r.Check, "root-"):
				out = append(out, fmt.Sprintf("ERROR %s %s %s", r.Check, r.Region, r.Resource))
			case r.Check == "config-recorder":
				out = append(out, fmt.Sprintf("WARN %s %s %s", r.Check, r.Region, r.Resource))
			}
		}
		sort.Strings(out)
		return out
	}

	cases := []struct {
		name    string
		account string // Prod unless set
		break_  func(a *motoAccount)
		want    []string // findings beyond the baseline
		gone    []string // baseline findings the break replaces
	}{
		{"a healthy account has only what moto cannot answer", "", nil, nil, nil},
		{"the healthy Dev account (one region) too", "Dev", nil, nil, nil},
		{"the trail stopped logging", "", func(a *motoAccount) {
			must(a.t)(a.trail("ap-northeast-1").StopLogging(a.ctx, &cloudtrail.StopLoggingInput{Name: aws.String("baseline-trail")}))
		}, []string{"FAIL trail-logging ap-northeast-1 baseline-trail"}, nil},
		{"the recorder stopped", "", func(a *motoAccount) {
			must(a.t)(a.config("us-east-1").StopConfigurationRecorder(a.ctx, &configservice.StopConfigurationRecorderInput{ConfigurationRecorderName: aws.String("baseline")}))
		}, []string{"FAIL config-recorder us-east-1 baseline"}, []string{"WARN config-recorder us-east-1 baseline"}},
		{"a detector feature was turned off", "", func(a *motoAccount) {
			gd := a.guardDuty("us-east-1")
			ids := must(a.t)(gd.ListDetectors(a.ctx, &guardduty.ListDetectorsInput{})).(*guardduty.ListDetectorsOutput)
			must(a.t)(gd.UpdateDetector(a.ctx, &guardduty.UpdateDetectorInput{DetectorId: aws.String(ids.DetectorIds[0]),
				Features: []gdtypes.DetectorFeatureConfiguration{{Name: "S3_DATA_EVENTS", Status: gdtypes.FeatureStatusDisabled}}}))
		}, []string{"FAIL guardduty-features us-east-1 " + "$detector"}, nil},
		{"a user has a console password and an access key", "", func(a *motoAccount) {
			must(a.t)(a.iam().CreateLoginProfile(a.ctx, &iam.CreateLoginProfileInput{UserName: aws.String("deployer"), Password: aws.String("Correct-horse-9-battery")}))
		}, []string{"FAIL console-user-mfa ap-northeast-1 deployer", "FAIL user-password-and-keys ap-northeast-1 deployer"}, nil},
		{"an alarm is in ALARM", "", func(a *motoAccount) {
			must(a.t)(a.cloudWatch("ap-northeast-1").SetAlarmState(a.ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("baseline-RootAccountUsage"), StateValue: cwtypes.StateValueAlarm, StateReason: aws.String("test")}))
		}, []string{"FAIL alarms ap-northeast-1 baseline-RootAccountUsage"}, nil},
		{"the e-mail subscription was removed", "", func(a *motoAccount) {
			must(a.t)(a.sns("ap-northeast-1").Unsubscribe(a.ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(a.subscription)}))
		}, []string{"FAIL topic-subscriptions ap-northeast-1 baseline-alarms email:security@example.com"}, nil},
		{"the password policy was deleted", "", func(a *motoAccount) {
			must(a.t)(a.iam().DeleteAccountPasswordPolicy(a.ctx, &iam.DeleteAccountPasswordPolicyInput{}))
		}, []string{"FAIL password-policy ap-northeast-1 account password policy"}, nil},
		{"S3 Block Public Access was deleted", "", func(a *motoAccount) {
			must(a.t)(a.s3control().DeletePublicAccessBlock(a.ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(a.id)}))
		}, []string{"FAIL s3-account-public-access-block ap-northeast-1 account S3 Block Public Access"}, nil},
		{"EBS encryption by default was disabled", "", func(a *motoAccount) {
			must(a.t)(a.ec2("us-east-1").DisableEbsEncryptionByDefault(a.ctx, &ec2.DisableEbsEncryptionByDefaultInput{}))
		}, []string{"FAIL ebs-default-encryption us-east-1 EBS encryption by default"}, nil},
		{"a baseline stack was deleted", "", func(a *motoAccount) {
			must(a.t)(a.cloudFormation("us-east-1").DeleteStack(a.ctx, &cloudformation.DeleteStackInput{StackName: aws.String("Prod-us-east-1")}))
		}, []string{"FAIL stack-drift us-east-1 Prod-us-east-1", "FAIL stack-status us-east-1 Prod-us-east-1"}, []string{"ERROR stack-drift us-east-1 Prod-us-east-1"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			name, id := "Prod", "111111111111"
			if tc.account == "Dev" {
				name, id = "Dev", "222222222222"
			}
			acct := healthy(t, id)
			acct.t = t
			if tc.break_ != nil {
				tc.break_(acct)
			}
			start := time.Now()
			rep, code, stderr := runVerify(t, emu.url, acct, asmDir, "--account", name, "--format", "json", "--drift-timeout", "20s")
			t.Logf("verify --account %s took %s against moto (%d results)", name, time.Since(start).Round(10*time.Millisecond), len(rep.Results))
			if rep.Account != id {
				t.Errorf("report account %s, want %s", rep.Account, id)
			}
			if code != 1 {
				t.Errorf("exit code %d, want 1 (moto leaves checks that cannot run); stderr:\n%s", code, stderr)
			}
			want := map[string]bool{}
			for _, f := range baseline(rep.Results) {
				want[f] = true
			}
			for _, f := range tc.gone {
				delete(want, f)
			}
			for _, f := range tc.want {
				want[strings.ReplaceAll(f, "$detector", acct.detectors["us-east-1"])] = true
			}
			var got, wantList []string
			for _, r := range rep.Results {
				if r.Status != verify.Pass {
					got = append(got, fmt.Sprintf("%s %s %s %s", r.Status, r.Check, r.Region, r.Resource))
				}
			}
			for f := range want {
				wantList = append(wantList, f)
			}
			sort.Strings(got)
			sort.Strings(wantList)
			if strings.Join(got, "\n") != strings.Join(wantList, "\n") {
				t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(wantList, "\n  "))
			}
			for _, r := range rep.Results {
				if r.Status == verify.Error && !strings.HasPrefix(r.Detail, "cannot check: ") {
					t.Errorf("%s: an ERROR result must say why it could not check: %q", r.Check, r.Detail)
				}
			}
		})
	}
	// Least privilege: verify run with the keys of a user holding only the
	// README's policy (verify.PolicyActions) gives the same results as
	// with full rights, once moto enforces IAM (moto-api/reset-auth 0:
	// from the next request on, every call is authorized against the
	// caller's policies). moto names the action after the request's
	// signing name, not the Service Authorization Reference, for
	// CloudWatch (monitoring:DescribeAlarms), and does not authorize the
	// REST calls of GuardDuty and S3 Control by their action: the checks
	// of those services are denied here whatever the policy, and must then
	// say "cannot check", never pass. Negative: each service's actions
	// removed in turn.
	t.Run("the README policy is enough", func(t *testing.T) {
		acct := healthy(t, "111111111111")
		full, _, _ := runVerify(t, emu.url, acct, asmDir, "--account", "Prod", "--format", "json")
		auditor := acct.auditor("auditor", verify.PolicyActions())
		var prefixes []string
		lessers := map[string]*motoAccount{}
		for _, a := range verify.PolicyActions() {
			if p, _, _ := strings.Cut(a, ":"); !slices.Contains(prefixes, p) {
				prefixes = append(prefixes, p)
				rest := slices.DeleteFunc(verify.PolicyActions(), func(a string) bool { return strings.HasPrefix(a, p+":") })
				lessers[p] = acct.auditor("auditor-without-"+p, rest)
			}
		}
		setAuth(t, emu.url, "0")
		t.Cleanup(func() { setAuth(t, emu.url, "inf") })

		motoMisnames := map[string]bool{}
		for _, c := range verify.Catalog {
			for _, a := range c.APIs {
				if p, _, _ := strings.Cut(a, ":"); p == "cloudwatch" || p == "guardduty" || p == "s3" {
					motoMisnames[c.ID] = true
				}
			}
		}
		split := func(results []verify.Result) (kept []verify.Result, misnamed []verify.Result) {
			for _, r := range results {
				if motoMisnames[r.Check] {
					misnamed = append(misnamed, r)
				} else {
					kept = append(kept, r)
				}
			}
			return kept, misnamed
		}
		rep, code, stderr := runVerify(t, emu.url, auditor, asmDir, "--account", "Prod", "--format", "json")
		if code != 1 {
			t.Fatalf("exit %d under the README policy; stderr:\n%s", code, stderr)
		}
		got, misnamed := split(rep.Results)
		want, _ := split(full.Results)
		if outcomes(got) != outcomes(want) {
			t.Errorf("under the README policy:\n%s\nwith full rights:\n%s", outcomes(got), outcomes(want))
		}
		for _, r := range misnamed {
			if r.Status != verify.Error {
				t.Errorf("%s %s: %s under moto's IAM, want ERROR (moto cannot authorize it by its AWS action)", r.Check, r.Resource, r.Status)
			}
		}
		t.Logf("%d results identical under the README policy; %d of CloudWatch, GuardDuty and S3 Control not comparable in moto", len(got), len(misnamed))

		// Each service's actions taken away in turn: where moto enforces
		// that service, exactly the checks listing its actions must say
		// they lack a permission; the others must not change.
		byCheck := func(results []verify.Result) map[string]string {
			out := map[string]string{}
			for _, r := range results {
				out[r.Check+" "+r.Region+" "+r.Resource] = string(r.Status)
			}
			return out
		}
		base := byCheck(rep.Results)
		// Checks moto cannot answer at all stay ERROR with or without a
		// permission.
		alwaysError := map[string]bool{}
		for _, c := range verify.Catalog {
			alwaysError[c.ID] = true
		}
		for _, r := range rep.Results {
			alwaysError[r.Check] = alwaysError[r.Check] && r.Status == verify.Error
		}
		var enforced, notEnforced []string
		for _, prefix := range prefixes {
			rest := slices.DeleteFunc(verify.PolicyActions(), func(a string) bool { return strings.HasPrefix(a, prefix+":") })
			r, _, _ := runVerify(t, emu.url, lessers[prefix], asmDir, "--account", "Prod", "--format", "json")
			changed := map[string]bool{}
			for _, res := range r.Results {
				if base[res.Check+" "+res.Region+" "+res.Resource] != string(res.Status) {
					changed[res.Check] = true
					// moto answers JSON services' denials in XML, which the
					// SDK cannot parse into AccessDenied (AWS answers in
					// JSON): a 403 is the denial there.
					if res.Status != verify.Error || !(strings.Contains(res.Detail, "lacks a permission") || strings.Contains(res.Detail, "StatusCode: 403")) {
						t.Errorf("without %s:*, %s %s became %s: %s", prefix, res.Check, res.Resource, res.Status, res.Detail)
					}
				}
			}
			if len(changed) == 0 {
				notEnforced = append(notEnforced, prefix)
				continue
			}
			enforced = append(enforced, prefix)
			for _, c := range verify.Catalog {
				uses := slices.ContainsFunc(c.APIs, func(a string) bool { return !slices.Contains(rest, a) })
				if uses != changed[c.ID] && !motoMisnames[c.ID] && !alwaysError[c.ID] {
					t.Errorf("without %s:*, check %s changed: %v; it lists %v", prefix, c.ID, changed[c.ID], c.APIs)
				}
			}
		}
		t.Logf("moto enforced IAM for %v (each action needed by exactly the checks that list it); not for %v", enforced, notEnforced)
		if len(enforced) == 0 {
			t.Error("moto enforced no service's permissions: the least-privilege run proves nothing")
		}
	})

	t.Run("credentials of another account are refused", func(t *testing.T) {
		acct := healthy(t, "111111111111")
		_, code, stderr := runVerify(t, emu.url, acct, asmDir, "--account", "Dev")
		want := "error: --account Dev is account 222222222222, but your credentials are for account 111111111111; sign in to 222222222222 (--profile, AWS_PROFILE) or pass --account 111111111111\n"
		if code != 2 || stderr != want {
			t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
		}
	})
	t.Run("an account without stacks in the assembly is refused", func(t *testing.T) {
		acct := newMotoAccount(ctx, t, emu.url, "333333333333")
		_, code, stderr := runVerify(t, emu.url, acct, asmDir)
		want := "has no stacks for account 333333333333 (your credentials' account); it has Prod (111111111111), Dev (222222222222)"
		if code != 2 || !strings.Contains(stderr, want) {
			t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, want)
		}
	})
}

// outcomes lists results as "status check region resource", sorted.
func outcomes(results []verify.Result) string {
	var out []string
	for _, r := range results {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.Status, r.Check, r.Region, r.Resource))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// setAuth sets moto's INITIAL_NO_AUTH_ACTION_COUNT: "0" enforces IAM from
// the next request on, "inf" stops enforcing.
func setAuth(t *testing.T, endpoint, count string) {
	resp, err := http.Post(endpoint+"/moto-api/reset-auth", "text/plain", strings.NewReader(count))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("moto-api/reset-auth %s: %s", count, resp.Status)
	}
}

// auditor creates an IAM user allowed exactly actions on every resource,
// and returns the account as that user's access key sees it.
func (a *motoAccount) auditor(name string, actions []string) *motoAccount {
	t := a.t
	doc, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow", "Action": actions, "Resource": "*"}}})
	must(t)(a.iam().CreateUser(a.ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
	must(t)(a.iam().PutUserPolicy(a.ctx, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("verify"), PolicyDocument: aws.String(string(doc))}))
	key := must(t)(a.iam().CreateAccessKey(a.ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})).(*iam.CreateAccessKeyOutput).AccessKey
	out := *a
	out.creds = aws.Credentials{AccessKeyID: aws.ToString(key.AccessKeyId), SecretAccessKey: aws.ToString(key.SecretAccessKey)}
	return &out
}

// runVerify runs verify.Main with the environment a user would have:
// credentials in AWS_* variables, no config files, the emulator's
// endpoint.
func runVerify(t *testing.T, endpoint string, acct *motoAccount, asmDir string, args ...string) (verify.Report, int, string) {
	t.Helper()
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": acct.creds.AccessKeyID, "AWS_SECRET_ACCESS_KEY": acct.creds.SecretAccessKey,
		"AWS_SESSION_TOKEN": acct.creds.SessionToken, "AWS_REGION": "ap-northeast-1", "AWS_CONFIG_FILE": none,
		"AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "",
	} {
		t.Setenv(k, v)
	}
	var stdout, stderr bytes.Buffer
	code := verify.MainWith(append([]string{"--assembly", asmDir}, args...), &stdout, &stderr, awsconfig.WithHTTPClient(loopbackClient()))
	var rep verify.Report
	if code != 2 {
		if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
			t.Fatalf("verify --format json wrote no JSON (%v):\n%s\n%s", err, stdout.String(), stderr.String())
		}
	}
	return rep, code, stderr.String()
}

// verifyAssembly writes a cloud assembly of golden templates (no synth).
func verifyAssembly(t *testing.T, stacks ...string) string {
	t.Helper()
	dir := t.TempDir()
	arts := map[string]any{}
	for _, name := range stacks {
		data, err := os.ReadFile(filepath.Join(goldenDir, name+".template.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".template.json"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		var tmpl struct{ Description string }
		json.Unmarshal(data, &tmpl)
		acct := strings.TrimSuffix(strings.SplitN(tmpl.Description, "(", 2)[1][:12], ")")
		arts[name] = map[string]any{"type": "aws:cloudformation:stack", "environment": "aws://" + acct + "/" + strings.SplitN(name, "-", 2)[1],
			"properties": map[string]any{"templateFile": name + ".template.json"}}
	}
	data, _ := json.Marshal(map[string]any{"version": "48.0.0", "artifacts": arts})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// must fails the test on an SDK call's error; the results the test uses
// are type-asserted where used.
// loopbackClient dials every host under 127.0.0.1 (S3 Control puts the
// account id in front of the endpoint's host: 111111111111.127.0.0.1) at
// 127.0.0.1, and nothing else: the emulator is the only server.
func loopbackClient() *awshttp.BuildableClient {
	var d net.Dialer
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if host != "127.0.0.1" && !strings.HasSuffix(host, ".127.0.0.1") {
				return nil, fmt.Errorf("verify test: refusing to dial %s; only the emulator on 127.0.0.1 is reachable", addr)
			}
			return d.DialContext(ctx, network, "127.0.0.1:"+port)
		}
	})
}

func must(t *testing.T) func(any, error) any {
	return func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// motoAccount is one account in moto, reached with credentials of a role
// assumed in it (moto serves the account of the assumed role).
type motoAccount struct {
	t            *testing.T
	ctx          context.Context
	id           string
	cfg          aws.Config
	creds        aws.Credentials
	subscription string
	detectors    map[string]string // region -> detector id
}

func newMotoAccount(ctx context.Context, t *testing.T, endpoint, id string) *motoAccount {
	base := aws.Config{Region: "ap-northeast-1", BaseEndpoint: aws.String(endpoint), HTTPClient: loopbackClient(),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + id + ":role/verify-test"), RoleSessionName: aws.String("verify-test")})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	creds := aws.Credentials{AccessKeyID: aws.ToString(c.AccessKeyId), SecretAccessKey: aws.ToString(c.SecretAccessKey), SessionToken: aws.ToString(c.SessionToken)}
	cfg := base.Copy()
	cfg.Credentials = credentials.StaticCredentialsProvider{Value: creds}
	return &motoAccount{t: t, ctx: ctx, id: id, cfg: cfg, creds: creds, detectors: map[string]string{}}
}

func (a *motoAccount) in(region string) aws.Config { c := a.cfg.Copy(); c.Region = region; return c }
func (a *motoAccount) trail(r string) *cloudtrail.Client {
	return cloudtrail.NewFromConfig(a.in(r))
}
func (a *motoAccount) config(r string) *configservice.Client {
	return configservice.NewFromConfig(a.in(r))
}
func (a *motoAccount) guardDuty(r string) *guardduty.Client { return guardduty.NewFromConfig(a.in(r)) }
func (a *motoAccount) cloudWatch(r string) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(a.in(r), verify.CloudWatchQueryProtocol)
}
func (a *motoAccount) sns(r string) *sns.Client { return sns.NewFromConfig(a.in(r)) }
func (a *motoAccount) iam() *iam.Client         { return iam.NewFromConfig(a.in("us-east-1")) }
func (a *motoAccount) s3control() *s3control.Client {
	return s3control.NewFromConfig(a.in("us-east-1"))
}
func (a *motoAccount) ec2(r string) *ec2.Client { return ec2.NewFromConfig(a.in(r)) }
func (a *motoAccount) cloudFormation(r string) *cloudformation.Client {
	return cloudformation.NewFromConfig(a.in(r))
}

// deploy puts the account into the state the stacks' templates describe,
// read with verify.Expectations (the same reading verify compares with),
// through the SDK calls the baseline's resources make.
func (a *motoAccount) deploy(stacks []assembly.Stack) {
	t, ctx := a.t, a.ctx
	for _, s := range stacks {
		if s.Account != a.id {
			continue
		}
		e, err := verify.Expectations(s)
		if err != nil {
			t.Fatal(err)
		}
		r := s.Region
		// The stack itself: a stand-in template (verify reads only its
		// status; moto does not run the real one's custom resources).
		must(t)(a.cloudFormation(r).CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(s.Name),
			TemplateBody: aws.String(`{"Resources":{"Handle":{"Type":"AWS::CloudFormation::WaitConditionHandle"}}}`)}))
		for _, tr := range e.Trails {
			bucket := "verify-trail-" + a.id + "-" + r
			must(t)(s3.NewFromConfig(a.in(r), func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
				CreateBucketConfiguration: createBucketConfig(r)}))
			must(t)(a.trail(r).CreateTrail(ctx, &cloudtrail.CreateTrailInput{Name: aws.String(tr.Name), S3BucketName: aws.String(bucket),
				IsMultiRegionTrail: aws.Bool(tr.MultiRegion), EnableLogFileValidation: aws.Bool(tr.Validation), IncludeGlobalServiceEvents: aws.Bool(tr.GlobalEvents)}))
			must(t)(a.trail(r).StartLogging(ctx, &cloudtrail.StartLoggingInput{Name: aws.String(tr.Name)}))
		}
		for _, name := range e.Recorders {
			must(t)(a.config(r).PutConfigurationRecorder(ctx, &configservice.PutConfigurationRecorderInput{ConfigurationRecorder: &cstypes.ConfigurationRecorder{
				Name: aws.String(name), RoleARN: aws.String("arn:aws:iam::" + a.id + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"),
				RecordingGroup: &cstypes.RecordingGroup{AllSupported: true}}}))
		}
		for _, name := range e.DeliveryChannels {
			bucket := "verify-config-" + a.id + "-" + r
			must(t)(s3.NewFromConfig(a.in(r), func(o *s3.Options) { o.UsePathStyle = true }).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
				CreateBucketConfiguration: createBucketConfig(r)}))
			must(t)(a.config(r).PutDeliveryChannel(ctx, &configservice.PutDeliveryChannelInput{DeliveryChannel: &cstypes.DeliveryChannel{Name: aws.String(name), S3BucketName: aws.String(bucket)}}))
		}
		for _, name := range e.Recorders {
			must(t)(a.config(r).StartConfigurationRecorder(ctx, &configservice.StartConfigurationRecorderInput{ConfigurationRecorderName: aws.String(name)}))
		}
		for _, d := range e.Detectors {
			in := &guardduty.CreateDetectorInput{Enable: aws.Bool(d.Enable)}
			for name, status := range d.Features {
				in.Features = append(in.Features, gdtypes.DetectorFeatureConfiguration{Name: gdtypes.DetectorFeature(name), Status: gdtypes.FeatureStatus(status)})
			}
			a.detectors[r] = aws.ToString(must(t)(a.guardDuty(r).CreateDetector(ctx, in)).(*guardduty.CreateDetectorOutput).DetectorId)
		}
		for _, al := range e.Alarms {
			must(t)(a.cloudWatch(r).PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String(al.Name), ActionsEnabled: aws.Bool(al.ActionsEnabled),
				MetricName: aws.String(strings.TrimPrefix(al.Name, "baseline-")), Namespace: aws.String("SecurityBaseline"), Statistic: cwtypes.StatisticSum,
				Period: aws.Int32(300), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1), ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold}))
		}
		for _, tp := range e.Topics {
			arn := must(t)(a.sns(r).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(tp.Name)})).(*sns.CreateTopicOutput).TopicArn
			for _, sub := range tp.Subscriptions {
				// moto confirms e-mail subscriptions at once; a pending one
				// is tested with a fake client (verify/verify_test.go).
				a.subscription = aws.ToString(must(t)(a.sns(r).Subscribe(ctx, &sns.SubscribeInput{TopicArn: arn, Protocol: aws.String(sub.Protocol), Endpoint: aws.String(sub.Endpoint), ReturnSubscriptionArn: true})).(*sns.SubscribeOutput).SubscriptionArn)
			}
		}
		if p := e.PasswordPolicy; p != nil {
			num := func(k string) *int32 { return aws.Int32(int32(p[k].(float64))) }
			must(t)(a.iam().UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{AllowUsersToChangePassword: p["AllowUsersToChangePassword"].(bool),
				HardExpiry: aws.Bool(p["HardExpiry"].(bool)), MaxPasswordAge: num("MaxPasswordAge"), MinimumPasswordLength: num("MinimumPasswordLength"),
				PasswordReusePrevention: num("PasswordReusePrevention"), RequireLowercaseCharacters: p["RequireLowercaseCharacters"].(bool),
				RequireNumbers: p["RequireNumbers"].(bool), RequireSymbols: p["RequireSymbols"].(bool), RequireUppercaseCharacters: p["RequireUppercaseCharacters"].(bool)}))
		}
		if pab := e.PublicAccess; pab != nil {
			must(t)(a.s3control().PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(a.id), PublicAccessBlockConfiguration: &s3ctypes.PublicAccessBlockConfiguration{
				BlockPublicAcls: aws.Bool(pab["BlockPublicAcls"]), BlockPublicPolicy: aws.Bool(pab["BlockPublicPolicy"]), IgnorePublicAcls: aws.Bool(pab["IgnorePublicAcls"]), RestrictPublicBuckets: aws.Bool(pab["RestrictPublicBuckets"])}}))
		}
		if e.EbsEncryption {
			must(t)(a.ec2(r).EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{}))
		}
	}
	// A machine user with an access key and no password: healthy.
	must(t)(a.iam().CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("deployer")}))
	must(t)(a.iam().CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("deployer")}))
}

func createBucketConfig(region string) *s3types.CreateBucketConfiguration {
	if region == "us-east-1" {
		return nil // us-east-1 takes no location constraint
	}
	return &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
}
