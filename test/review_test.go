package test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/internal/app"
	"github.com/secure-baseline/cdk-baseline/report"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/report/diff"
)

// The controls the review's matrix must hold, in order (issue 7 part 4).
var reviewControls = strings.Fields(`
	CloudTrail.1 CloudTrail.2 CloudTrail.3 CloudTrail.4 CloudTrail.5 CloudTrail.6 CloudTrail.7
	CloudWatch.1 CloudWatch.2 CloudWatch.3 CloudWatch.4 CloudWatch.5 CloudWatch.6 CloudWatch.7 CloudWatch.8
	CloudWatch.9 CloudWatch.10 CloudWatch.11 CloudWatch.12 CloudWatch.13 CloudWatch.14 CloudWatch.15
	CloudWatch.16 CloudWatch.17
	Config.1
	S3.1 S3.2 S3.3 S3.5 S3.6 S3.7 S3.8 S3.9 S3.10 S3.11 S3.12 S3.13 S3.14 S3.15 S3.17 S3.20 S3.22 S3.23
	KMS.4
	IAM.7 IAM.8 IAM.9 IAM.10 IAM.11 IAM.12 IAM.13 IAM.14 IAM.15 IAM.16 IAM.17 IAM.28
	GuardDuty.1 Inspector.1 Inspector.2 Inspector.3 Inspector.4 EC2.7 SNS.1`)

// matrix returns a stack's verdicts by control id.
func reviewMatrix(t testing.TB, r *report.Review, stackName string) map[string]report.Result {
	t.Helper()
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			if s.Stack.Name == stackName {
				out := map[string]report.Result{}
				for _, row := range s.Matrix {
					out[row.Control.ID] = row.Result
				}
				return out
			}
		}
	}
	t.Fatalf("no stack %s in the review", stackName)
	return nil
}

func byPaths(r report.Result) []string {
	var out []string
	for _, b := range r.By {
		out = append(out, b.Path())
	}
	return out
}

func exampleReview(t testing.TB) *report.Review {
	return buildReview(t, exampleAssembly(t), nil, report.DefaultAssumptions())
}

func TestReviewMatrixHasEveryControlInScope(t *testing.T) {
	r := exampleReview(t)
	md := string(r.Markdown())
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			t.Run(s.Stack.Name, func(t *testing.T) {
				var ids []string
				for _, row := range s.Matrix {
					ids = append(ids, row.Control.ID)
					if row.Control.Title == "" || row.Control.Checks == "" {
						t.Errorf("%s has no title or checks", row.Control.ID)
					}
					if row.Result.Status == report.OptOut && row.Result.Key == "" {
						t.Errorf("%s is OPT-OUT without a config key", row.Control.ID)
					}
					if row.Result.Status == report.NotCovered && row.Result.Why == "" {
						t.Errorf("%s is NOT COVERED without a reason", row.Control.ID)
					}
					if row.Result.Status == report.Pass && len(row.Result.By) == 0 {
						t.Errorf("%s passes without a resource", row.Control.ID)
					}
				}
				if strings.Join(ids, " ") != strings.Join(reviewControls, " ") {
					t.Errorf("matrix rows:\n got %v\nwant %v", ids, reviewControls)
				}
				section := md[strings.Index(md, "#### Compliance matrix: "+s.Stack.Name):]
				section = section[:strings.Index(section, "\n\n#")]
				for _, id := range reviewControls {
					if !strings.Contains(section, "| ["+id+"](https://docs.aws.amazon.com/securityhub/latest/userguide/") {
						t.Errorf("REVIEW.md has no row %s for %s", id, s.Stack.Name)
					}
				}
			})
		}
	}
}

func TestReviewOfTheExample(t *testing.T) {
	r := exampleReview(t)
	home, other := reviewMatrix(t, r, "Prod-ap-northeast-1"), reviewMatrix(t, r, "Prod-us-east-1")
	for _, c := range []struct {
		stack  map[string]report.Result
		id     string
		status report.Status
		by     string // a resource it names, or the key of an OPT-OUT
	}{
		{home, "CloudTrail.1", report.Pass, "AuditTrail"},
		{home, "CloudTrail.6", report.Pass, "LogArchive/Bucket"},
		{home, "CloudWatch.1", report.Pass, "SecurityAlarms/RootAccountUsage/Alarm"},
		{home, "CloudWatch.14", report.Pass, "SecurityAlarms/VpcChanges/Alarm"},
		{home, "Config.1", report.Pass, "Config/Recorder"},
		{home, "S3.5", report.Pass, "LogArchive/Bucket"},
		{home, "S3.22", report.OptOut, "trail.dataEvents.s3"},
		{home, "KMS.4", report.Pass, "LogArchive/Key"},
		{home, "IAM.17", report.Pass, "Hardening/PasswordPolicy"},
		{home, "IAM.8", report.NotCovered, ""},
		{home, "SNS.1", report.Pass, "Alarms/Topic"},
		// Account-wide controls are decided on the home stack.
		{other, "CloudTrail.1", report.Pass, "AuditTrail"},
		{other, "IAM.7", report.Pass, "Hardening/PasswordPolicy"},
		{other, "GuardDuty.1", report.Pass, "GuardDuty"},
		{home, "Inspector.1", report.Pass, "Inspector"},
		{other, "Inspector.2", report.Pass, "Inspector"},
		{other, "Inspector.3", report.Pass, "Inspector"},
		{home, "Inspector.4", report.Pass, "Inspector"},
		{other, "EC2.7", report.Pass, "Hardening/EbsEncryptionByDefault"},
		{other, "SNS.1", report.NotCovered, ""},
		// Outside the home region the recorder leaves the IAM types out, and
		// the controls that need them are disabled.
		{other, "Config.1", report.Pass, "SecurityHub/Standards/cis-aws-foundations-benchmark-v-5.0.0"},
	} {
		got := c.stack[c.id]
		if got.Status != c.status {
			t.Errorf("%s: %s (%s), want %s", c.id, got.Status, got.Why, c.status)
			continue
		}
		if c.status == report.OptOut && got.Key != c.by {
			t.Errorf("%s: OPT-OUT key %q, want %q", c.id, got.Key, c.by)
		}
		if c.status == report.Pass && !reviewHas(byPaths(got), c.by) {
			t.Errorf("%s: satisfied by %v, want %s", c.id, byPaths(got), c.by)
		}
	}
	if why := other["Config.1"].Why; !strings.Contains(why, "every enabled standard here disables the controls that check global resources") {
		t.Errorf("us-east-1's Config.1 does not say why it passes: %q", why)
	}
	t.Run("controls of global resources say where Security Hub checks them", func(t *testing.T) {
		const note = "checked in the home region ap-northeast-1 only: disabled here in "
		for _, c := range []struct {
			id, in string // in: the standards it is disabled in; "" for no note
		}{
			{"IAM.7", "aws-foundational-security-best-practices/v/1.0.0"},
			{"IAM.8", "aws-foundational-security-best-practices/v/1.0.0"},
			{"IAM.9", "cis-aws-foundations-benchmark/v/5.0.0"},
			{"IAM.16", "cis-aws-foundations-benchmark/v/5.0.0"},
			{"IAM.17", ""}, // in neither enabled standard
			{"IAM.28", ""}, // an analyzer is regional
			{"S3.1", ""},
		} {
			got, homeWhy := other[c.id], home[c.id].Why
			if got.Status != home[c.id].Status {
				t.Errorf("%s: %s here, %s in the home region, whose verdict it is", c.id, got.Status, home[c.id].Status)
			}
			if strings.Contains(homeWhy, note) {
				t.Errorf("%s: the home region, which checks it, says %q", c.id, homeWhy)
			}
			if has := strings.Contains(got.Why, note+c.in+" "); has != (c.in != "") {
				t.Errorf("%s: %q, want the note %v", c.id, got.Why, c.in != "")
			}
		}
	})
	t.Run("with disableGlobalControlsOutsideHome false Config.1 fails outside the home region", func(t *testing.T) {
		r := buildReview(t, servicesOptionsAssembly(t), nil, report.DefaultAssumptions())
		all, base := reviewMatrix(t, r, "AllControls-eu-west-1"), reviewMatrix(t, r, "Base-eu-west-1")
		if got := all["Config.1"]; got.Status != report.NotCovered || !strings.Contains(got.Why, "leaves out the IAM global types here") {
			t.Errorf("Config.1 = %s (%s), want NOT COVERED", got.Status, got.Why)
		}
		if strings.Contains(all["IAM.7"].Why, "checked in the home region") {
			t.Errorf("IAM.7 is enabled here and says %q", all["IAM.7"].Why)
		}
		if got := base["Config.1"]; got.Status != report.Pass {
			t.Errorf("Base-eu-west-1 Config.1 = %s (%s), want PASS", got.Status, got.Why)
		}
	})
	if got := other["CloudTrail.1"].By[0].Stack.Name; got != "Prod-ap-northeast-1" {
		t.Errorf("us-east-1's CloudTrail.1 is satisfied in %s, want the home stack", got)
	}
}

func reviewHas(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// reviewOptionsConfig turns options off, one account each: the trail (and
// AWS Config, which a skipped trail requires), and a handful of others.
const reviewOptionsConfig = `
homeRegion: us-east-1
regions: [us-east-1]
notifications:
  emails: [security@example.com]
accounts:
  - name: NoTrail
    id: "100000000071"
    trail: {mode: skip}
    awsConfig: {mode: skip}
  - name: Lean
    id: "100000000072"
    trail: {managementEvents: writeOnly, logRetentionDays: 90}
    guardDuty: {mode: skip}
    inspector: {scan: [ec2, lambda]}
    alarms: {disable: [ConsoleAuthFailures]}
    hardening: {passwordPolicy: {maxAgeDays: 0}}
    access: {allowedSourceIps: [203.0.113.0/24]}
`

var reviewOptions cached

func reviewOptionsAssembly(t testing.TB) *assembly.Assembly {
	return reviewOptions.config(t, reviewOptionsConfig, "review-options.yaml")
}

func TestReviewOptionsFlipTheirRows(t *testing.T) {
	example := reviewMatrix(t, exampleReview(t), "Prod-ap-northeast-1")
	r := buildReview(t, reviewOptionsAssembly(t), nil, report.DefaultAssumptions())
	lean := reviewMatrix(t, r, "Lean-us-east-1")
	for _, c := range []struct{ id, key string }{
		{"CloudTrail.1", "trail.managementEvents"},
		{"CloudWatch.6", "alarms.disable"},
		{"CloudWatch.16", "trail.logRetentionDays"},
		{"GuardDuty.1", "guardDuty.mode"},
		{"Inspector.2", "inspector.scan"},
		{"Inspector.3", "inspector.scan"},
		{"IAM.10", "hardening.passwordPolicy.maxAgeDays"},
		{"IAM.17", "hardening.passwordPolicy.maxAgeDays"},
	} {
		t.Run(c.id+" turns OPT-OUT with "+c.key, func(t *testing.T) {
			if example[c.id].Status != report.Pass {
				t.Fatalf("the example's %s is %s, want PASS", c.id, example[c.id].Status)
			}
			if got := lean[c.id]; got.Status != report.OptOut || got.Key != c.key {
				t.Errorf("%s = %s %q (%s), want OPT-OUT %q", c.id, got.Status, got.Key, got.Why, c.key)
			}
		})
	}
	t.Run("the other alarms stay PASS", func(t *testing.T) {
		for _, id := range []string{"CloudWatch.1", "CloudWatch.5", "CloudWatch.14", "CloudWatch.15", "CloudWatch.17"} {
			if lean[id].Status != report.Pass {
				t.Errorf("%s = %s (%s)", id, lean[id].Status, lean[id].Why)
			}
		}
	})

	t.Run("trust conditions read in plain words", func(t *testing.T) {
		for _, a := range r.Accounts {
			for _, s := range a.Stacks {
				for _, role := range s.Roles {
					if s.Stack.Name == "Lean-us-east-1" && role.Name == "BaselineAdmin" {
						want := "MFA required, at most 3600 s old; source IP in 203.0.113.0/24; caller must be an IAM user of 100000000072"
						if role.Conditions != want || role.Trusted != "account 100000000072" {
							t.Errorf("BaselineAdmin: %q, %q\nwant %q", role.Trusted, role.Conditions, want)
						}
						return
					}
				}
			}
		}
		t.Error("no role BaselineAdmin in Lean-us-east-1")
	})

	noTrail := reviewMatrix(t, r, "NoTrail-us-east-1")
	t.Run("removing the trail flips every CloudTrail row to OPT-OUT trail.mode", func(t *testing.T) {
		for _, id := range reviewControls {
			if !strings.HasPrefix(id, "CloudTrail.") && !(strings.HasPrefix(id, "CloudWatch.") && id != "CloudWatch.16") {
				continue
			}
			if example[id].Status != report.Pass {
				t.Errorf("the example's %s is %s, want PASS", id, example[id].Status)
			}
			if got := noTrail[id]; got.Status != report.OptOut || got.Key != "trail.mode" {
				t.Errorf("%s = %s %q (%s), want OPT-OUT trail.mode", id, got.Status, got.Key, got.Why)
			}
		}
		if got := noTrail["Config.1"]; got.Status != report.OptOut || got.Key != "awsConfig.mode" {
			t.Errorf("Config.1 = %s %q, want OPT-OUT awsConfig.mode", got.Status, got.Key)
		}
	})
}

// TestCostModelReproducesAHandComputedCase prices a made-up account whose
// numbers are easy by hand: 1,048,576 events of 1 KB are 1 GB.
func TestCostModelReproducesAHandComputedCase(t *testing.T) {
	a, err := report.ParseAssumptions([]byte(`
usage:
  managementEventsPerMonth: 1048576
  eventSizeKB: 1
  writeEventShare: 0.25
  s3DataEventsPerMonth: 2000000
  gzipRatio: 0.1
  logsCompressionRatio: 0.2
  horizonMonths: 12
  kmsRequestsPerMonth: 50000
  configItemsPerRegionPerMonth: 1000
  flowDnsGBPerRegion: 10
  checksPerStandardPerRegion: 500
  inspectorInstancesPerRegion: 10
  inspectorImagesPushedPerRegion: 100
  inspectorImageRescansPerRegion: 50
  inspectorFunctionsPerRegion: 20
`), "hand.yaml")
	if err != nil {
		t.Fatal(err)
	}
	f := report.CostFacts{
		Regions: 2, Trail: true, ManagementEvents: "All", LogsDelivery: true,
		LogRetentionDays: 0,                               // never expires: 12 months kept at month 12
		TransitionDays:   2 * 30.44, ExpirationDays: 2557, // 2 months in Standard, 10 in Glacier IR
		Alarms: 10, MetricFilters: 10, Keys: 2, Recorders: 2, Detectors: 2, S3Protection: 2, Standards: 4,
		InspectorEC2: 2, InspectorECR: 1, InspectorLambda: 2, InspectorLambdaCode: 1,
	}
	e := report.EstimateCost(f, a)
	// By hand, USD a month:
	want := map[string]float64{
		"CloudTrail management events":         0,                          // first copy free
		"CloudWatch Logs ingestion":            1 * 0.50,                   // 1 GB
		"CloudWatch Logs storage, month 12":    1 * 0.2 * 12 * 0.03,        // 0.072
		"S3 log files, month 12":               0.1 * (2*0.023 + 10*0.004), // 0.0086
		"CloudWatch alarms":                    10 * 0.10,                  // 1.00
		"Custom metrics of the metric filters": 10 * 0.30,                  // 3.00
		"KMS keys":                             2 * 1.00,                   // 2.00
		"KMS requests":                         5 * 0.03,                   // 0.15
		"AWS Config items, continuous":         2 * 1000 * 0.003,           // 6.00
		"GuardDuty: management events":         1.048576 * 4.00,            // 4.194304
		"GuardDuty: VPC flow and DNS logs":     2 * 10 * 1.00,              // 20.00
		"GuardDuty: S3 data events":            2 * 0.80,                   // 1.60
		"Security Hub checks":                  4 * 500 * 0.001,            // 2.00
		"Inspector: EC2 instances":             2 * 10 * 1.2528,            // 25.056
		"Inspector: ECR images on push":        1 * 100 * 0.09,             // 9.00
		"Inspector: ECR image rescans":         1 * 50 * 0.01,              // 0.50
		"Inspector: Lambda functions":          2 * 20 * 0.30,              // 12.00
		"Inspector: Lambda code":               1 * 20 * 0.60,              // 12.00
	}
	if len(e.Lines) != len(want) {
		t.Errorf("%d lines, want %d: %+v", len(e.Lines), len(want), e.Lines)
	}
	for _, l := range e.Lines {
		w, ok := want[l.Item]
		if !ok {
			t.Errorf("unexpected line %q", l.Item)
		} else if math.Abs(l.USD-w) > 1e-9 {
			t.Errorf("%s = %v, want %v (%s)", l.Item, l.USD, w, l.Formula)
		}
	}
	if math.Abs(e.Total-99.080904) > 1e-9 {
		t.Errorf("total = %v, want 99.080904", e.Total)
	}
	for _, l := range e.Lines {
		if l.Item == "GuardDuty: VPC flow and DNS logs" && l.Formula != "2 detectors x 10 GB x $1.00" {
			t.Errorf("formula %q", l.Formula)
		}
	}
	// Write-only management events log a quarter: 0.25 GB instead of 1.
	saving := (0.25-1)*0.50 + (0.25-1)*0.2*12*0.03 + (0.025-0.1)*(2*0.023+10*0.004)
	found := false
	for _, o := range e.Options {
		if o.Key == "trail.managementEvents" {
			found = true
			if math.Abs(o.DeltaUSD-saving) > 1e-9 {
				t.Errorf("writeOnly changes the bill by %v, want %v", o.DeltaUSD, saving)
			}
		}
	}
	if !found {
		t.Error("no effect of trail.managementEvents")
	}
}

func TestAssumptionsFileIsStrict(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"unknown usage", "usage: {managementEvents: 1}", "a.yaml:1: usage.managementEvents: unknown name; expected one of "},
		{"a typo", "usage: {horizonMonth: 1}", `a.yaml:1: usage.horizonMonth: unknown name; did you mean "horizonMonths"?`},
		{"negative", "prices: {alarmPerMonth: -1}", "a.yaml:1: prices.alarmPerMonth: must be a number >= 0, got -1"},
		{"not a number", "usage: {horizonMonths: soon}", `a.yaml:1: usage.horizonMonths: must be a number, got the string "soon"`},
		{"share above 1", "usage: {writeEventShare: 2}", "a.yaml:1: usage.writeEventShare: must be between 0 and 1, got 2"},
		{"unknown section", "usag: {}", `a.yaml:1: usag: unknown key; did you mean "usage"?`},
		{"a name set twice", "usage:\n  horizonMonths: 1\n  horizonMonths: 2\n", "a.yaml:3: usage.horizonMonths: duplicate key (first set on line 2); remove one of them"},
		{"every problem at once, in line order", "usage:\n  horizonMonths: soon\n  writeEventShare: 2\nprices:\n  alarmPerMonth: -1\n",
			"a.yaml:2: usage.horizonMonths: must be a number, got the string \"soon\"\n" +
				"a.yaml:3: usage.writeEventShare: must be between 0 and 1, got 2\n" +
				"a.yaml:5: prices.alarmPerMonth: must be a number >= 0, got -1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := report.ParseAssumptions([]byte(c.yaml), "a.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error = %v\nwant prefix %s", err, c.want)
			}
		})
	}
}

// copyAssembly copies an assembly's top-level files (manifest, templates,
// tree) into a fresh directory.
func copyAssembly(t *testing.T, asm *assembly.Assembly) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "cdk.out")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(asm.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(asm.Dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReviewCommand(t *testing.T) {
	dir := copyAssembly(t, exampleAssembly(t))
	var out bytes.Buffer
	if err := app.Run(&out, "review", []string{"--assembly", dir}); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(dir, "REVIEW.md"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("REVIEW.md of the example: %d bytes, %d lines; %s", len(md), bytes.Count(md, []byte("\n")), strings.TrimSpace(out.String()))
	for _, want := range []string{
		"## What changed", "## Summary", "### Monthly cost estimate", "Effect of the cost options",
		"#### Compliance matrix: Prod-us-east-1", "#### Alarms: Prod-ap-northeast-1", "#### Roles: Prod-ap-northeast-1",
		"| BaselineAdmin | account 111111111111 | MFA required, at most 3600 s old; caller must be an IAM user of 111111111111 | 3600 s | AdministratorAccess (everything) |",
		// The read-only role in plain words: what it sees and what its deny takes away.
		"| BaselineReadOnly | account 111111111111 | MFA required, at most 3600 s old; caller must be an IAM user of 111111111111 | 28800 s | " +
			"job-function/ViewOnlyAccess (lists resources and their basic settings in every service, no stored data), " +
			"SecurityAudit (reads security configuration: policies, findings, trail and logging settings), " +
			"BaselineReadOnlyDeny (inline: denies reading stored data, secrets, credentials, log events, messages, query results and code) |",
		"| baseline-RootAccountUsage | CloudWatch.1, CIS 1.2.0 1.1, CIS 1.2.0 3.3, CIS 1.4.0 1.7, CIS 1.4.0 4.3 | `{$.userIdentity.type=\"Root\" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !=\"AwsServiceEvent\"}` | >= 1 of Sum in 300 s; missing data notBreaching | email security@example.com |",
		"## Cost assumptions", "**Assumptions, not a quote.**",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("REVIEW.md lacks %q", want)
		}
	}
	if strings.Contains(string(md), "\n| [CloudWatch.4]") && strings.Contains(string(md), "($.eventName=DeleteGroupPolicy) ||") {
		t.Error("a pattern's | is not escaped inside the table")
	}
}

func TestReviewListsWhatChanged(t *testing.T) {
	cur := exampleAssembly(t)
	// The previous assembly: the same templates, with the log bucket's
	// name and the trail changed, a resource that is gone now and one
	// that is new.
	var prev assembly.Assembly
	data, _ := json.Marshal(cur)
	if err := json.Unmarshal(data, &prev); err != nil {
		t.Fatal(err)
	}
	prev.Dir = "reviewed.out"
	home := &prev.Stacks[0]
	for i := range prev.Stacks {
		if prev.Stacks[i].Name == "Prod-ap-northeast-1" {
			home = &prev.Stacks[i]
		}
	}
	var bucket, analyzer, topic string
	for id, r := range home.Template.Resources {
		switch {
		case r.Type == "AWS::S3::Bucket" && r.Properties["BucketName"] == "baseline-cloudtrail-111111111111-ap-northeast-1":
			bucket = id
		case r.Type == "AWS::AccessAnalyzer::Analyzer":
			analyzer = id
		case r.Type == "AWS::SNS::Topic":
			topic = id
		}
	}
	home.Template.Resources[bucket].Properties["BucketName"] = "old-name"
	home.Template.Resources["GoneQueue"] = assembly.Resource{Type: "AWS::SQS::Queue", Properties: map[string]any{}}
	delete(home.Template.Resources, analyzer)
	home.Template.Resources[topic].Properties["DisplayName"] = "old display name"

	d := diff.Compare(&prev, cur)
	kinds := map[string]diff.Change{}
	for _, c := range d.Changes {
		kinds[c.ID] = c
	}
	for _, c := range []struct {
		id       string
		kind     diff.ChangeKind
		stateful bool
	}{
		{bucket, diff.Replaced, true},
		{"GoneQueue", diff.Removed, true},
		{analyzer, diff.Added, false},
		{topic, diff.Modified, true},
	} {
		got, ok := kinds[c.id]
		if !ok || got.Kind != c.kind || got.Stateful != c.stateful || got.Stack != "Prod-ap-northeast-1" {
			t.Errorf("%s: %+v, want %s (stateful %v)", c.id, got, c.kind, c.stateful)
		}
	}
	if len(d.Changes) != 4 {
		t.Errorf("%d changes, want 4: %+v", len(d.Changes), d.Changes)
	}
	r := buildReview(t, cur, &prev, report.DefaultAssumptions())
	md := string(r.Markdown())
	for _, want := range []string{
		"Compared with `reviewed.out`: 1 replaced, 1 removed, 1 added, 1 changed in place. **2 stateful resource(s) replaced or removed",
		"| **replaced (stateful)** | Prod-ap-northeast-1 | **`LogArchive/Bucket`** | AWS::S3::Bucket | changes BucketName, which CloudFormation can only change by replacing it (retained: the old one stays, orphaned) |",
		"| **removed (stateful)** | Prod-ap-northeast-1 | **`GoneQueue`** | AWS::SQS::Queue | loses queued messages |",
		"| added | Prod-ap-northeast-1 | `AccessAnalyzer` | AWS::AccessAnalyzer::Analyzer |  |",
		"| changed in place | Prod-ap-northeast-1 | `Alarms/Topic` | AWS::SNS::Topic | DisplayName |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("REVIEW.md lacks %q", want)
		}
	}
}

func TestReviewRejectsBadInput(t *testing.T) {
	good := copyAssembly(t, exampleAssembly(t))
	foreign := copyAssembly(t, exampleAssembly(t))
	{ // a manifest without the baseline's tags: not this app's assembly
		path := filepath.Join(foreign, "manifest.json")
		data, _ := os.ReadFile(path)
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for _, art := range m["artifacts"].(map[string]any) {
			if props, ok := art.(map[string]any)["properties"].(map[string]any); ok {
				delete(props, "tags")
			}
		}
		data, _ = json.Marshal(m)
		os.WriteFile(path, data, 0o644)
	}
	notJSON := copyAssembly(t, exampleAssembly(t))
	os.WriteFile(filepath.Join(notJSON, "Prod-us-east-1.template.json"), []byte("not json"), 0o644)
	empty := t.TempDir()
	assumptions := filepath.Join(t.TempDir(), "a.yaml")
	os.WriteFile(assumptions, []byte("usage: {eventsPerMonth: 5}\n"), 0o644)

	for _, c := range []struct {
		name string
		args []string
		dir  string // where no REVIEW.md may appear
		want string
	}{
		{"a missing cdk.out", []string{"--assembly", filepath.Join(empty, "cdk.out")}, empty,
			filepath.Join(empty, "cdk.out") + " is not a cloud assembly (no manifest.json); run 'make synth' first"},
		{"a directory that is no cloud assembly", []string{"--assembly", empty}, empty,
			empty + " is not a cloud assembly (no manifest.json); run 'make synth' first"},
		{"a foreign cdk.out", []string{"--assembly", foreign}, foreign,
			foreign + " is not a cdk-baseline assembly: stack Dev-ap-northeast-1 has no baseline:tool tag cdk-baseline"},
		{"a template that is not JSON", []string{"--assembly", notJSON}, notJSON,
			"stack Prod-us-east-1: Prod-us-east-1.template.json is not a JSON template: invalid character 'o' in literal null (expecting 'u')"},
		{"a missing previous cdk.out", []string{"--assembly", good, "--previous", filepath.Join(empty, "old")}, good,
			"previous assembly: " + filepath.Join(empty, "old") + " is not a cloud assembly (no manifest.json); run 'make synth' first"},
		{"a foreign previous cdk.out", []string{"--assembly", good, "--previous", foreign}, good,
			"previous assembly: " + foreign + " is not a cdk-baseline assembly: stack Dev-ap-northeast-1 has no baseline:tool tag cdk-baseline"},
		{"the same assembly twice", []string{"--assembly", good, "--previous", good}, good,
			"review: --previous " + good + " is the assembly under review; pass the earlier cdk.out"},
		{"a missing assumptions file", []string{"--assembly", good, "--assumptions", filepath.Join(empty, "no.yaml")}, good,
			"assumptions: open " + filepath.Join(empty, "no.yaml") + ": no such file or directory"},
		{"a bad assumptions file", []string{"--assembly", good, "--assumptions", assumptions}, good,
			assumptions + ":1: usage.eventsPerMonth: unknown name; expected one of checksPerStandardPerRegion, configEvaluationsPerRulePerRegion, configItemsPerRegionPerMonth, dailyTypeResourcesPerRegion, dailyTypeShare, eventSizeKB, flowDnsGBPerRegion, gzipRatio, horizonMonths, iamPrincipalsPerAccount, inspectorFunctionsPerRegion, inspectorImageRescansPerRegion, inspectorImagesPushedPerRegion, inspectorInstancesPerRegion, kmsRequestsPerMonth, lambdaDataEventsPerMonth, logsCompressionRatio, managementEventsPerMonth, runtimeVcpusPerRegion, s3DataEventsPerMonth, smallLogFileShare, writeEventShare"},
		{"an unknown flag", []string{"--assembly", good, "--out", "x"}, good,
			"review: flag provided but not defined: -out; usage: review [--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml] [--format markdown|json] [--fail-on not-covered,opt-out,replacement]"},
		{"a stray argument", []string{good}, good,
			`review: unexpected argument "` + good + `"; usage: review [--assembly cdk.out] [--previous old-cdk.out] [--assumptions file.yaml] [--format markdown|json] [--fail-on not-covered,opt-out,replacement]`},
		{"an unknown format", []string{"--assembly", good, "--format", "yaml"}, good,
			`review: --format "yaml" is not a format; use markdown or json`},
		{"an unknown fail-on condition", []string{"--assembly", good, "--fail-on", "replacement,notcovered"}, good,
			`review: --fail-on "replacement,notcovered": "notcovered" is not a condition; use a comma list of not-covered, opt-out, replacement`},
		{"fail-on replacement without a previous assembly would pass silently", []string{"--assembly", good, "--fail-on", "replacement"}, good,
			"review: --fail-on replacement needs --previous <the cdk.out of the base branch>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			err := app.Run(&out, "review", c.args)
			if err == nil || err.Error() != c.want {
				t.Errorf("error = %v\nwant    %s", err, c.want)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "REVIEW.md")); err == nil {
				t.Errorf("REVIEW.md was written to %s", c.dir)
			}
			if out.Len() > 0 {
				t.Errorf("printed %q", out.String())
			}
		})
	}
}

// TestCostModelKeepsSmallLogFilesInStandard: the log buckets leave files
// under 128 KB in S3 Standard (TransitionDefaultMinimumObjectSize, see
// constructs/audittrail), so only the rest of the bytes is priced in
// Glacier IR; a lifecycle that moves small files too prices all of them
// there.
func TestCostModelKeepsSmallLogFilesInStandard(t *testing.T) {
	a, err := report.ParseAssumptions([]byte(`
usage:
  managementEventsPerMonth: 1048576
  eventSizeKB: 1
  gzipRatio: 0.1
  smallLogFileShare: 0.5
  horizonMonths: 12
`), "small.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s3Line := func(f report.CostFacts) float64 {
		for _, l := range report.EstimateCost(f, a).Lines {
			if l.Item == "S3 log files, month 12" {
				return l.USD
			}
		}
		t.Fatal("no S3 line")
		return 0
	}
	f := report.CostFacts{Regions: 1, Trail: true, ManagementEvents: "All", TransitionDays: 2 * 30.44, ExpirationDays: 2557, SmallFilesStay: true}
	// 0.1 GB a month: half of it 12 months in Standard, half 2 in Standard and 10 in Glacier IR.
	if got, want := s3Line(f), 0.1*(0.5*12*0.023+0.5*(2*0.023+10*0.004)); math.Abs(got-want) > 1e-12 {
		t.Errorf("small files stay: %v, want %v", got, want)
	}
	f.SmallFilesStay = false
	if got, want := s3Line(f), 0.1*(2*0.023+10*0.004); math.Abs(got-want) > 1e-12 {
		t.Errorf("small files move: %v, want %v", got, want)
	}

	// What the templates say: the example's buckets keep small files ...
	asm, err := assembly.Read(exampleAssembly(t).Dir) // a copy to change
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := asm.Accounts()
	if err != nil {
		t.Fatal(err)
	}
	acc := accounts[0]
	if !report.Facts(asm, acc).SmallFilesStay {
		t.Errorf("%s: the log bucket's lifecycle moves small files, the template says otherwise", acc.Name)
	}
	// ... and a rule with ObjectSizeGreaterThan below 128 KB moves them.
	for _, r := range acc.Home().Template.Resources {
		if r.Type == "AWS::S3::Bucket" {
			for _, rule := range r.Properties["LifecycleConfiguration"].(map[string]any)["Rules"].([]any) {
				rule.(map[string]any)["ObjectSizeGreaterThan"] = 0.0 // JSON numbers are float64
			}
		}
	}
	if report.Facts(asm, acc).SmallFilesStay {
		t.Errorf("%s: a lifecycle with ObjectSizeGreaterThan 0 moves small files too", acc.Name)
	}
}

// buildReview reviews an assembly, failing the test when it cannot.
func buildReview(t testing.TB, asm, prev *assembly.Assembly, a *report.Assumptions) *report.Review {
	t.Helper()
	r, err := report.BuildReview(asm, prev, a)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
