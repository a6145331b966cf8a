package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// TestDeployRoleFollowsTheBootstrapQualifier: the log buckets' policies
// let CloudFormation's deploy role change them, and that role's name holds
// the qualifier the account was bootstrapped with
// (https://docs.aws.amazon.com/cdk/v2/guide/customize-synth.html). With
// `-c @aws-cdk/core:bootstrapQualifier=acme01` (or the same key in
// cdk.json) every exemption must name cdk-acme01-cfn-exec-role, and the
// default qualifier must appear nowhere, or a deploy into an account
// bootstrapped with acme01 could not update its own log buckets.
func TestDeployRoleFollowsTheBootstrapQualifier(t *testing.T) {
	outdir, err := os.MkdirTemp(tmpRoot, "cdk.out-qualifier-")
	if err != nil {
		t.Fatal(err)
	}
	context := cdkContext(t)
	context["@aws-cdk/core:bootstrapQualifier"] = "acme01"
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &context})
	stacks.Build(app, config.Example())
	app.Synth(nil)
	asm, err := assembly.Read(outdir)
	if err != nil {
		t.Fatal(err)
	}

	exemptions := 0
	for _, s := range asm.Stacks {
		raw := string(readTemplate(t, asm, s))
		if strings.Contains(raw, "hnb659fds") {
			t.Errorf("%s still names the default qualifier hnb659fds", s.Name)
		}
		for _, p := range resourcesOfType(s, "AWS::S3::BucketPolicy") {
			for _, st := range statementsOf(t, p.Properties["PolicyDocument"]) {
				if st["Sid"] != "DenyBucketTamperingExceptDeployAndBreakGlass" {
					continue
				}
				want := `{"ArnNotLike":{"aws:PrincipalArn":["arn:aws:iam::` + s.Account + `:role/cdk-acme01-cfn-exec-role-` + s.Account + `-` + s.Region + `"]}}`
				if got := jsonOf(t, st["Condition"]); got != want {
					t.Errorf("%s: tampering deny exempts %s, want %s", s.Name, got, want)
				}
				exemptions++
			}
		}
		// The CLI assumes the deploy roles of that qualifier as well: the
		// same name, from the same synthesizer.
		manifest, err := os.ReadFile(filepath.Join(outdir, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`cdk-acme01-cfn-exec-role-` + s.Account + `-` + s.Region).Match(manifest) {
			t.Errorf("%s: the manifest deploys with another role than cdk-acme01-cfn-exec-role", s.Name)
		}
	}
	// Two buckets (log files, access logs) in each home stack of the
	// example's two accounts.
	if exemptions != 4 {
		t.Errorf("%d tampering denies, want 4", exemptions)
	}

	// Beside it, the default: the example's golden synth names hnb659fds,
	// so the check above would see a hard-coded qualifier.
	if !strings.Contains(string(readTemplate(t, exampleAssembly(t), stack(t, exampleAssembly(t), "Prod-ap-northeast-1"))), "cdk-hnb659fds-cfn-exec-role-111111111111-ap-northeast-1") {
		t.Error("the default synth does not name the default qualifier's role")
	}
}

// TestArchiveWithoutBootstrapRolesNeedsADeployRole: a stack whose
// synthesizer has no bootstrap roles (a StackSet member) has no qualifier
// to name the deploy role by, and the archive says what to set.
func TestArchiveWithoutBootstrapRolesNeedsADeployRole(t *testing.T) {
	// This repo's feature flags: without them the L2 bucket refuses the
	// access-log bucket's settings (see the report of this change).
	context := cdkContext(t)
	stack := awscdk.NewStack(awscdk.NewApp(&awscdk.AppProps{Context: &context}), jsii.String("Member"), &awscdk.StackProps{
		Synthesizer: awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{}),
	})
	want := "audittrail: stack Member has a synthesizer without a bootstrap qualifier; set ArchiveProps.DeployRoleArn to the role that deploys it"
	defer func() {
		if got := recover(); got != want {
			t.Errorf("panic %v\nwant  %s", got, want)
		}
	}()
	audittrail.NewArchive(stack, "LogArchive", audittrail.ArchiveProps{
		BucketName: "logs", Writers: []audittrail.Writer{{AccountID: "111111111111", Region: "us-east-1"}},
		TransitionDays: 90, ExpirationDays: 2557, NoncurrentExpirationDays: 90,
	})
}
