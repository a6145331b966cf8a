package sdkcall_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
)

// TestHandler runs handler_test.py, the handler's offline tests with boto3
// and cfnresponse stubbed.
func TestHandler(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH; skipping the handler's tests, which CI runs")
	}
	cmd := exec.Command(python, "-B", "-m", "unittest", "-b", "handler_test")
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python3 -m unittest handler_test: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}

func TestHandlerFitsInline(t *testing.T) {
	if n := len(sdkcall.Handler); n > sdkcall.MaxInlineCode || n == 0 {
		t.Errorf("handler.py is %d bytes; CloudFormation takes 1 to %d inline (ZipFile)", n, sdkcall.MaxInlineCode)
	}
}

// TestMethodName pins boto3's method names, as botocore.xform_name makes
// them, for the operations the baseline calls and for the forms that trip
// a naive conversion.
func TestMethodName(t *testing.T) {
	for action, want := range map[string]string{
		"enableEbsEncryptionByDefault":  "enable_ebs_encryption_by_default",
		"disableEbsEncryptionByDefault": "disable_ebs_encryption_by_default",
		"updateAccountPasswordPolicy":   "update_account_password_policy",
		"deleteAccountPasswordPolicy":   "delete_account_password_policy",
		"createServiceLinkedRole":       "create_service_linked_role",
		"putPublicAccessBlock":          "put_public_access_block",
		"deletePublicAccessBlock":       "delete_public_access_block",
		"CreateServiceLinkedRole":       "create_service_linked_role",
		"GetSAMLProvider":               "get_saml_provider",
		"ListSAMLProviders":             "list_saml_providers",
		"DescribeDBInstances":           "describe_db_instances",
		"GetBucketAcl":                  "get_bucket_acl",
		"ListCAs":                       "list_cas",
		"CreateVpcPeeringConnection":    "create_vpc_peering_connection",
		"AssociateVPCWithHostedZone":    "associate_vpc_with_hosted_zone",
		"GetSMSAttributes":              "get_sms_attributes",
		"DescribeKeyPairs":              "describe_key_pairs",
		"put_public_access_block":       "put_public_access_block",
	} {
		if got := sdkcall.MethodName(action); got != want {
			t.Errorf("MethodName(%q) = %q, want %q", action, got, want)
		}
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// memberTemplate synthesizes settings in a stack the way StackSet member
// stacks are: no environment, and a synthesizer that takes no assets.
func memberTemplate(t *testing.T, build func(stack awscdk.Stack)) map[string]any {
	t.Helper()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Member"), &awscdk.StackProps{
		Synthesizer: awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{}),
	})
	props := &cdknag.NagPackProps{Reports: jsii.Bool(false)}
	awscdk.Aspects_Of(stack).Add(cdknag.NewAwsSolutionsChecks(props), nil)
	awscdk.Aspects_Of(stack).Add(cdknag.NewNIST80053R5Checks(props), nil)
	build(stack)
	tpl := *assertions.Template_FromStack(stack, nil).ToJSON()
	// cdk-nag reports unsuppressed findings as annotations.
	for _, level := range []func(*string, interface{}) *[]*cxapi.SynthesisMessage{
		assertions.Annotations_FromStack(stack).FindError, assertions.Annotations_FromStack(stack).FindWarning,
	} {
		for _, m := range *level(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("%s: %v", *m.Id, m.Entry.Data)
		}
	}
	return tpl
}

func TestSettingsInAStackWithoutAssets(t *testing.T) {
	tpl := memberTemplate(t, func(stack awscdk.Stack) {
		sdkcall.New(stack, "Ebs", sdkcall.Props{
			ResourceType: "Custom::EbsEncryptionByDefault",
			Apply:        sdkcall.Call{Service: "EC2", Action: "enableEbsEncryptionByDefault", Permission: "ec2:EnableEbsEncryptionByDefault"},
			Revert:       &sdkcall.Call{Service: "EC2", Action: "disableEbsEncryptionByDefault", Permission: "ec2:DisableEbsEncryptionByDefault"},
		})
		sdkcall.New(stack, "Bpa", sdkcall.Props{
			ApplyOnCreateOnly: true,
			Apply: sdkcall.Call{Service: "S3Control", Action: "putPublicAccessBlock", Permission: "s3:PutAccountPublicAccessBlock",
				Parameters:   map[string]any{"AccountId": stack.Account(), "PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true}},
				IgnoreErrors: "^NoSuchPublicAccessBlockConfiguration$"},
		})
	})
	resources := tpl["Resources"].(map[string]any)
	var functions, custom []map[string]any
	for _, r := range resources {
		r := r.(map[string]any)
		switch typ := r["Type"].(string); {
		case typ == "AWS::Lambda::Function":
			functions = append(functions, r)
		case strings.HasPrefix(typ, "Custom::"):
			custom = append(custom, r)
		}
	}
	if len(functions) != 1 || len(custom) != 2 {
		t.Fatalf("%d functions and %d custom resources, want one function for both", len(functions), len(custom))
	}
	if code := functions[0]["Properties"].(map[string]any)["Code"]; !reflect.DeepEqual(code, map[string]any{"ZipFile": sdkcall.Handler}) {
		t.Errorf("code %v, want handler.py inline", code)
	}
	if _, ok := tpl["Parameters"]; ok {
		t.Errorf("parameters %v, want none", tpl["Parameters"])
	}
	for _, r := range custom {
		p := r["Properties"].(map[string]any)
		got, _ := json.Marshal(map[string]any{"Type": r["Type"], "Create": p["Create"], "Update": p["Update"], "Delete": p["Delete"], "PhysicalResourceId": p["PhysicalResourceId"]})
		var want string
		switch p["PhysicalResourceId"] {
		case "Ebs":
			want = `{"Create":{"Client":"ec2","Method":"enable_ebs_encryption_by_default","Parameters":"{}"},` +
				`"Delete":{"Client":"ec2","Method":"disable_ebs_encryption_by_default","Parameters":"{}"},"PhysicalResourceId":"Ebs",` +
				`"Type":"Custom::EbsEncryptionByDefault","Update":{"Client":"ec2","Method":"enable_ebs_encryption_by_default","Parameters":"{}"}}`
		default:
			// The account id is a pseudo parameter, joined into the JSON.
			want = `{"Create":{"Client":"s3control","IgnoreErrors":"^NoSuchPublicAccessBlockConfiguration$","Method":"put_public_access_block",` +
				`"Parameters":{"Fn::Join":["",["{\"AccountId\":\"",{"Ref":"AWS::AccountId"},"\",\"PublicAccessBlockConfiguration\":{\"BlockPublicAcls\":true}}"]]}},` +
				`"Delete":null,"PhysicalResourceId":"Bpa","Type":"Custom::AWS","Update":null}`
		}
		if string(got) != want {
			t.Errorf("custom resource\n%s\nwant\n%s", got, want)
		}
	}
}

func TestBadPropsPanicWithTheFix(t *testing.T) {
	ok := sdkcall.Call{Service: "IAM", Action: "updateAccountPasswordPolicy", Permission: "iam:UpdateAccountPasswordPolicy"}
	for _, c := range []struct {
		name  string
		props sdkcall.Props
		want  string
	}{
		{"no permission", sdkcall.Props{Apply: sdkcall.Call{Service: "IAM", Action: "updateAccountPasswordPolicy"}},
			"sdkcall: Apply needs a Service, an Action and a Permission"},
		{"a service boto3 cannot name", sdkcall.Props{Apply: sdkcall.Call{Service: "Cloud Watch", Action: "putMetricData", Permission: "cloudwatch:PutMetricData"}},
			`sdkcall: call Cloud Watch.putMetricData needs a Service like "IAM", an Action like "updateAccountPasswordPolicy" and a Permission`},
		{"a resource type outside Custom::", sdkcall.Props{ResourceType: "AWS::IAM::PasswordPolicy", Apply: ok},
			`sdkcall: ResourceType "AWS::IAM::PasswordPolicy" must be Custom:: and up to 60 letters, digits and _@-`},
		{"an IgnoreErrors that is no regular expression", sdkcall.Props{Apply: ok, Revert: &sdkcall.Call{Service: "IAM", Action: "deleteAccountPasswordPolicy",
			Permission: "iam:DeleteAccountPasswordPolicy", IgnoreErrors: "^NoSuchEntity(Exception$"}},
			"sdkcall: call IAM.deleteAccountPasswordPolicy: IgnoreErrors \"^NoSuchEntity(Exception$\" is not a regular expression: error parsing regexp: missing closing ): `^NoSuchEntity(Exception$`"},
		{"an IgnoreMessage without IgnoreErrors", sdkcall.Props{Apply: sdkcall.Call{Service: "IAM", Action: "createServiceLinkedRole",
			Permission: "iam:CreateServiceLinkedRole", IgnoreMessage: "has been taken"}},
			`sdkcall: call IAM.createServiceLinkedRole: IgnoreMessage "has been taken" needs IgnoreErrors, the error names it applies to`},
		{"an IgnoreMessage that is no regular expression", sdkcall.Props{Apply: sdkcall.Call{Service: "IAM", Action: "createServiceLinkedRole",
			Permission: "iam:CreateServiceLinkedRole", IgnoreErrors: "^InvalidInput", IgnoreMessage: "taken("}},
			"sdkcall: call IAM.createServiceLinkedRole: IgnoreMessage \"taken(\" is not a regular expression: error parsing regexp: missing closing ): `taken(`"},
		{"a wait without Until", sdkcall.Props{Apply: sdkcall.Call{Service: "Inspector2", Action: "enable", Permission: "inspector2:Enable",
			Wait: &sdkcall.Wait{Service: "Inspector2", Action: "batchGetAccountStatus", Permission: "inspector2:BatchGetAccountStatus", Query: "accounts[0].state.status"}}},
			"sdkcall: call Inspector2.enable: Wait needs the call's Service, an Action, a Permission, a Query and Until"},
		{"a wait that pauses too long", sdkcall.Props{Apply: sdkcall.Call{Service: "Inspector2", Action: "enable", Permission: "inspector2:Enable",
			Wait: &sdkcall.Wait{Service: "Inspector2", Action: "batchGetAccountStatus", Permission: "inspector2:BatchGetAccountStatus", Query: "q", Until: "ENABLED", IntervalSeconds: 60}}},
			"sdkcall: call Inspector2.enable: Wait.IntervalSeconds 60 must be from 1 to 30"},
		{"a prune of a parameter Apply has not", sdkcall.Props{Apply: ok, PruneList: "resourceTypes",
			Prune: &sdkcall.Call{Service: "IAM", Action: "deleteAccountPasswordPolicy", Permission: "iam:DeleteAccountPasswordPolicy"}},
			`sdkcall: PruneList "resourceTypes" must name a list parameter of Apply`},
		{"a prune on a setting made once", sdkcall.Props{Apply: ok, ApplyOnCreateOnly: true, PruneList: "x",
			Prune: &sdkcall.Call{Service: "IAM", Action: "deleteAccountPasswordPolicy", Permission: "iam:DeleteAccountPasswordPolicy"}},
			"sdkcall: Prune runs on update; it cannot go with ApplyOnCreateOnly"},
		{"an Output on a setting made once", sdkcall.Props{ApplyOnCreateOnly: true,
			Apply: sdkcall.Call{Service: "GuardDuty", Action: "listDetectors", Permission: "guardduty:ListDetectors", Output: "DetectorIds[0]"}},
			"sdkcall: an Apply with an Output must run on update too; it cannot go with ApplyOnCreateOnly"},
		{"a forwarded grant without a service prefix", sdkcall.Props{Apply: sdkcall.Call{Service: "GuardDuty", Action: "enableOrganizationAdminAccount",
			Permission: "guardduty:EnableOrganizationAdminAccount", Forwarded: []sdkcall.Grant{{Permission: "DescribeOrganization"}}}},
			`sdkcall: call GuardDuty.enableOrganizationAdminAccount: Forwarded[0] needs a Permission like "organizations:DescribeOrganization"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Bad"), nil)
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("panic %v\nwant  %s", got, c.want)
				}
			}()
			sdkcall.New(stack, "Setting", c.props)
		})
	}
}

// TestOutputAndForwardedGrants: a call's Output makes the resource's
// attribute Value (Fn::GetAtt, so a setting that uses it waits for it),
// a setting without one has no Value to read, and each forwarded grant is
// a statement of its own, with its resource and conditions.
func TestOutputAndForwardedGrants(t *testing.T) {
	var detector *sdkcall.Setting
	tpl := memberTemplate(t, func(stack awscdk.Stack) {
		detector = sdkcall.New(stack, "Detector", sdkcall.Props{
			Apply: sdkcall.Call{Service: "GuardDuty", Action: "listDetectors", Permission: "guardduty:ListDetectors", Output: "DetectorIds[0]"},
		})
		sdkcall.New(stack, "Admin", sdkcall.Props{
			Apply: sdkcall.Call{Service: "GuardDuty", Action: "updateOrganizationConfiguration", Permission: "guardduty:UpdateOrganizationConfiguration",
				Parameters: map[string]any{"DetectorId": detector.Value(), "AutoEnableOrganizationMembers": "ALL"},
				Forwarded: []sdkcall.Grant{{Permission: "organizations:RegisterDelegatedAdministrator", Resource: "arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/222222222222",
					Conditions: map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": "guardduty.amazonaws.com"}}}}},
		})
	})
	text, _ := json.Marshal(tpl)
	for _, want := range []string{
		`"Output":"DetectorIds[0]"`,
		`{"Fn::GetAtt":["Detector`, // the parameter names the detector's Value
		`{"Action":"organizations:RegisterDelegatedAdministrator","Condition":{"StringEquals":{"organizations:ServicePrincipal":"guardduty.amazonaws.com"}},"Effect":"Allow","Resource":"arn:aws:organizations::111111111111:account/o-a1b2c3d4e5/222222222222"}`,
	} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the template lacks %s", want)
		}
	}
	func() {
		defer func() {
			if got := recover(); got != "sdkcall: Value needs an Apply call with an Output" {
				t.Errorf("Value of a setting without Output: %v", got)
			}
		}()
		stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("NoOutput"), nil)
		sdkcall.New(stack, "S", sdkcall.Props{Apply: sdkcall.Call{Service: "IAM", Action: "updateAccountPasswordPolicy", Permission: "iam:UpdateAccountPasswordPolicy"}}).Value()
	}()
}
