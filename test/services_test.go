package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/configrecorder"
	"github.com/secure-baseline/cdk-baseline/constructs/findingroutes"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// svcResource is a template resource with the fields assembly.Resource leaves
// out.
type svcResource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DependsOn      []string       `json:"DependsOn"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	Metadata       map[string]any `json:"Metadata"`
}

// svcTemplate reads a stack's resources, by logical id.
func svcTemplate(t testing.TB, asm *assembly.Assembly, s assembly.Stack) map[string]svcResource {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(asm.Dir, s.TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]svcResource `json:"Resources"`
	}
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl.Resources
}

// svcPath is a resource's construct path below its stack.
func svcPath(r svcResource) string {
	p, _ := r.Metadata["aws:cdk:path"].(string)
	_, rest, _ := strings.Cut(p, "/")
	return rest
}

// svcAt returns the logical id and resource at a construct path below the
// stack; ok is false when there is none.
func svcAt(res map[string]svcResource, path string) (string, svcResource, bool) {
	for id, r := range res {
		if svcPath(r) == path {
			return id, r, true
		}
	}
	return "", svcResource{}, false
}

func svcMust(t testing.TB, name string, res map[string]svcResource, path string) (string, svcResource) {
	t.Helper()
	id, r, ok := svcAt(res, path)
	if !ok {
		t.Fatalf("%s: no resource at %s", name, path)
	}
	return id, r
}

func svcOfType(res map[string]svcResource, typ string) []svcResource {
	var out []svcResource
	for _, r := range res {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// svcStatements normalizes policy statements (Action always a sorted list,
// no Sid) to sorted, de-duplicated JSON lines, so that two sets compare
// regardless of how IAM policy minimization merged them.
func svcStatements(t testing.TB, stmts []map[string]any) []string {
	t.Helper()
	set := map[string]bool{}
	for _, s := range stmts {
		c := map[string]any{}
		for k, v := range s {
			c[k] = v
		}
		delete(c, "Sid")
		actions, ok := c["Action"].([]any)
		if !ok {
			actions = []any{c["Action"]}
		}
		for _, a := range actions {
			one := map[string]any{}
			for k, v := range c {
				one[k] = v
			}
			one["Action"] = a
			set[jsonOf(t, one)] = true
		}
	}
	var out []string
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// customResourceStatements are every statement that the settings' policies
// grant the role of the stack's shared custom-resource function (all
// custom resources of a stack share it), and the role's own permissions:
// its inline policies and managed policies.
func customResourceStatements(t testing.TB, name string, res map[string]svcResource) (stmts []string, own string) {
	t.Helper()
	roleID, role := svcMust(t, name, res, "SdkCall/Role/Resource")
	var all []map[string]any
	for _, p := range svcOfType(res, "AWS::IAM::Policy") {
		if jsonOf(t, p.Properties["Roles"]) == jsonOf(t, []any{map[string]any{"Ref": roleID}}) {
			all = append(all, statementsOf(t, p.Properties["PolicyDocument"])...)
		}
	}
	return svcStatements(t, all), jsonOf(t, map[string]any{"Policies": role.Properties["Policies"], "ManagedPolicyArns": role.Properties["ManagedPolicyArns"]})
}

// customResourceCall is the SDK call a custom resource makes on an event
// (Create, Update or Delete) as JSON, with its Parameters decoded from the
// JSON string they travel as; "null" when it makes none.
func customResourceCall(t testing.TB, r svcResource, event string) string {
	t.Helper()
	call, ok := r.Properties[event].(map[string]any)
	if !ok {
		return jsonOf(t, r.Properties[event])
	}
	c := map[string]any{}
	for k, v := range call {
		c[k] = v
	}
	raw, ok := c["Parameters"].(string)
	if !ok {
		t.Fatalf("%s: %s Parameters %v is not a JSON string", r.Type, event, c["Parameters"])
	}
	var params any
	if err := json.Unmarshal([]byte(raw), &params); err != nil {
		t.Fatalf("%s: %s Parameters: %v", r.Type, event, err)
	}
	c["Parameters"] = params
	return jsonOf(t, c)
}

// globalControls are the controls of global resources each standard holds,
// by the standard's own control id (AWS Security Hub user guide:
// controls-to-disable.html, cis-aws-foundations-benchmark.html, the
// controls' "Related requirements").
var globalControls = map[string][]string{
	"aws-foundational-security-best-practices/v/1.0.0": {"Account.1", "IAM.1", "IAM.2", "IAM.3", "IAM.4", "IAM.5", "IAM.6", "IAM.7", "IAM.8", "IAM.21", "KMS.1", "KMS.2"},
	// CIS v5.0.0 requirements of Account.1, IAM.2, IAM.3, IAM.4, IAM.5,
	// IAM.6, IAM.9, IAM.15, IAM.16, IAM.18, IAM.22, IAM.26, IAM.27.
	"cis-aws-foundations-benchmark/v/5.0.0": {"1.2", "1.14", "1.13", "1.3", "1.9", "1.5", "1.4", "1.7", "1.8", "1.16", "1.11", "1.18", "1.21"},
	"nist-800-53/v/5.0.0":                   {"Account.1", "Account.2", "IAM.1", "IAM.2", "IAM.3", "IAM.4", "IAM.5", "IAM.6", "IAM.7", "IAM.8", "IAM.9", "IAM.19", "IAM.21", "KMS.1", "KMS.2"},
}

// wantDisabled is what a standard outside the home region must disable: the
// control ARN of each of its controls of global resources.
func wantDisabled(partition, region, account, standard string) []string {
	var out []string
	for _, id := range globalControls[standard] {
		out = append(out, fmt.Sprintf("arn:%s:securityhub:%s:%s:control/%s/%s", partition, region, account, standard, id))
	}
	return out
}

// disabledControls lists the control ARNs a standard disables, checking
// that each has a reason that names the home region.
func disabledControls(t testing.TB, st svcResource) []string {
	t.Helper()
	var out []string
	list, _ := st.Properties["DisabledStandardsControls"].([]any)
	for _, c := range list {
		m := c.(map[string]any)
		arn, _ := m["StandardsControlArn"].(string)
		if reason, _ := m["Reason"].(string); !strings.Contains(reason, "checks global resources, which AWS Config records in ") {
			t.Errorf("%s: reason %q does not say why", arn, reason)
		}
		out = append(out, arn)
	}
	return out
}

func TestRegionalServicesInTheExample(t *testing.T) {
	asm := exampleAssembly(t)
	cfg := config.Example()
	for _, acc := range cfg.Accounts {
		globalRecorders := 0
		for _, region := range acc.Regions {
			s := stack(t, asm, acc.Name+"-"+region)
			res := svcTemplate(t, asm, s)
			home := region == acc.HomeRegion
			slr := fmt.Sprintf("arn:aws:iam::%s:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", acc.ID)

			t.Run(s.Name+" records every supported type, global ones in the home region only", func(t *testing.T) {
				recorders := svcOfType(res, "AWS::Config::ConfigurationRecorder")
				if len(recorders) != 1 {
					t.Fatalf("%d recorders, want exactly one per region", len(recorders))
				}
				r := recorders[0].Properties
				want := map[string]any{
					"AllSupported": false, "IncludeGlobalResourceTypes": false,
					"ExclusionByResourceTypes": map[string]any{"ResourceTypes": []any{"AWS::IAM::Group", "AWS::IAM::Policy", "AWS::IAM::Role", "AWS::IAM::User"}},
					"RecordingStrategy":        map[string]any{"UseOnly": "EXCLUSION_BY_RESOURCE_TYPES"},
				}
				if home {
					globalRecorders++
					want = map[string]any{"AllSupported": true, "IncludeGlobalResourceTypes": true, "RecordingStrategy": map[string]any{"UseOnly": "ALL_SUPPORTED_RESOURCE_TYPES"}}
				}
				if got := jsonOf(t, r["RecordingGroup"]); got != jsonOf(t, want) {
					t.Errorf("recording group %s, want %s", got, jsonOf(t, want))
				}
				if jsonOf(t, r["RecordingMode"]) != `{"RecordingFrequency":"CONTINUOUS"}` {
					t.Errorf("recording mode %s, want continuous with no overrides", jsonOf(t, r["RecordingMode"]))
				}
				if r["RoleARN"] != slr || r["Name"] != "baseline" {
					t.Errorf("recorder %v uses role %v, want the service-linked role %s (Config.1)", r["Name"], r["RoleARN"], slr)
				}
			})

			t.Run(s.Name+" starts recording: the delivery channel and recorder are created side by side", func(t *testing.T) {
				recID, rec := svcMust(t, s.Name, res, "Config/Recorder")
				chID, ch := svcMust(t, s.Name, res, "Config/DeliveryChannel")
				roleID, _ := svcMust(t, s.Name, res, "Config/ServiceLinkedRole/Resource/Default")
				if slices.Contains(ch.DependsOn, recID) || slices.Contains(rec.DependsOn, chID) {
					t.Error("a DependsOn between recorder and delivery channel: the recorder's create waits for a channel, so the deploy hangs or fails")
				}
				if !slices.Equal(rec.DependsOn, ch.DependsOn) || !slices.Contains(rec.DependsOn, roleID) {
					t.Errorf("recorder depends on %v, channel on %v; both must wait for the service-linked role %s, and for the same things", rec.DependsOn, ch.DependsOn, roleID)
				}
				if rec.DeletionPolicy != "Retain" || ch.DeletionPolicy != "Retain" {
					t.Errorf("deletion policies %s/%s: removing the stack must not stop recording", rec.DeletionPolicy, ch.DeletionPolicy)
				}
				// In the home stack, which holds the key, its own ARN; in the
				// other regions its alias ARN (stacks/archivekey.go).
				var key any = "arn:aws:kms:" + acc.HomeRegion + ":" + acc.ID + ":alias/baseline/cloudtrail"
				if home {
					keyID, _ := svcMust(t, s.Name, res, "LogArchive/Key/Resource")
					key = map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}}
				}
				want := map[string]any{
					"ConfigSnapshotDeliveryProperties": map[string]any{"DeliveryFrequency": "TwentyFour_Hours"},
					"Name":                             "baseline",
					"S3BucketName":                     "baseline-cloudtrail-" + acc.ID + "-" + acc.HomeRegion,
					"S3KeyPrefix":                      "config",
					"S3KmsKeyArn":                      key,
				}
				if jsonOf(t, ch.Properties) != jsonOf(t, want) {
					t.Errorf("delivery channel %s, want %s", jsonOf(t, ch.Properties), jsonOf(t, want))
				}
			})

			t.Run(s.Name+" asks for Config's service-linked role, and carries on when it exists", func(t *testing.T) {
				_, r := svcMust(t, s.Name, res, "Config/ServiceLinkedRole/Resource/Default")
				// Only IAM's InvalidInput of an existing role passes, by its
				// message (constructs/configrecorder; handler_test.py runs the
				// handler on this message and on other InvalidInput errors).
				want := `{"Client":"iam","IgnoreErrors":"^InvalidInputException$","IgnoreMessage":"^Service role name AWSServiceRoleForConfig has been taken in this account","Method":"create_service_linked_role","Parameters":{"AWSServiceName":"config.amazonaws.com"}}`
				if got := customResourceCall(t, r, "Create"); got != want || r.Properties["Delete"] != nil || r.Properties["Update"] != nil {
					t.Errorf("create %s, update %v, delete %v; want %s and nothing else", got, r.Properties["Update"], r.Properties["Delete"], want)
				}
				py, err := os.ReadFile(filepath.Join(repoRoot, "constructs", "internal", "sdkcall", "handler_test.py"))
				if err != nil || !strings.Contains(string(py), `"IgnoreMessage": "`+configrecorder.ServiceLinkedRoleTakenMessage+`"`) {
					t.Errorf("handler_test.py does not test the IgnoreMessage the template sends (%v)", err)
				}
				if r.Type != "Custom::ConfigServiceLinkedRole" || r.Properties["PhysicalResourceId"] != "ServiceLinkedRole" {
					t.Errorf("type %s, physical id %v", r.Type, r.Properties["PhysicalResourceId"])
				}
			})

			t.Run(s.Name+" has a GuardDuty detector with every plan set explicitly", func(t *testing.T) {
				d := svcOfType(res, "AWS::GuardDuty::Detector")
				if len(d) != 1 {
					t.Fatalf("%d detectors, want one", len(d))
				}
				want := `{"Enable":true,"Features":[{"Name":"S3_DATA_EVENTS","Status":"ENABLED"},{"Name":"EKS_AUDIT_LOGS","Status":"ENABLED"},{"Name":"EBS_MALWARE_PROTECTION","Status":"ENABLED"},{"Name":"RDS_LOGIN_EVENTS","Status":"ENABLED"},{"Name":"LAMBDA_NETWORK_LOGS","Status":"ENABLED"},{"Name":"RUNTIME_MONITORING","Status":"DISABLED"}],"FindingPublishingFrequency":"FIFTEEN_MINUTES"}`
				if got := jsonOf(t, d[0].Properties); got != want {
					t.Errorf("detector %s, want %s", got, want)
				}
				if d[0].DeletionPolicy != "Retain" {
					t.Error("the detector is not retained: deleting it deletes its findings")
				}
			})

			t.Run(s.Name+" has Security Hub with this region's standards", func(t *testing.T) {
				hubID, hub := svcMust(t, s.Name, res, "SecurityHub/Hub")
				if got := jsonOf(t, hub.Properties); got != `{"AutoEnableControls":true,"ControlFindingGenerator":"SECURITY_CONTROL","EnableDefaultStandards":false}` {
					t.Errorf("hub %s, want consolidated control findings and no default standards", got)
				}
				if hub.DeletionPolicy != "Retain" {
					t.Error("the hub is not retained: disabling Security Hub deletes its findings")
				}
				var arns []string
				for _, st := range svcOfType(res, "AWS::SecurityHub::Standard") {
					arns = append(arns, st.Properties["StandardsArn"].(string))
					if !slices.Contains(st.DependsOn, hubID) {
						t.Errorf("standard %v does not wait for the hub", st.Properties["StandardsArn"])
					}
				}
				sort.Strings(arns)
				want := []string{
					"arn:aws:securityhub:" + region + "::standards/aws-foundational-security-best-practices/v/1.0.0",
					"arn:aws:securityhub:" + region + "::standards/cis-aws-foundations-benchmark/v/5.0.0",
				}
				if !slices.Equal(arns, want) {
					t.Errorf("standards %v, want %v", arns, want)
				}
				for _, std := range []string{"aws-foundational-security-best-practices/v/1.0.0", "cis-aws-foundations-benchmark/v/5.0.0"} {
					_, st := svcMust(t, s.Name, res, "SecurityHub/Standards/"+strings.ReplaceAll(std, "/", "-"))
					got := disabledControls(t, st)
					switch {
					case home && len(got) != 0:
						t.Errorf("%s disables %v in the home region, which records global resources", std, got)
					case !home:
						if want := wantDisabled("aws", region, acc.ID, std); !slices.Equal(got, want) {
							t.Errorf("%s disables\n%v\nwant the controls of global resources\n%v", std, got, want)
						}
					}
				}
				if len(svcOfType(res, "AWS::SecurityHub::FindingAggregator")) != 0 {
					t.Error("a finding aggregator, which is off by default")
				}
			})

			t.Run(s.Name+" has an account analyzer and EBS default encryption", func(t *testing.T) {
				a := svcOfType(res, "AWS::AccessAnalyzer::Analyzer")
				if len(a) != 1 || a[0].Properties["Type"] != "ACCOUNT" {
					t.Errorf("analyzers %s, want one of type ACCOUNT (IAM.28)", jsonOf(t, a))
				}
				_, ebs := svcMust(t, s.Name, res, "Hardening/EbsEncryptionByDefault/Resource/Default")
				want := `{"Client":"ec2","Method":"enable_ebs_encryption_by_default","Parameters":{}}`
				if ebs.Type != "Custom::EbsEncryptionByDefault" || customResourceCall(t, ebs, "Create") != want || customResourceCall(t, ebs, "Update") != want {
					t.Errorf("EBS default encryption %s (EC2.7)", jsonOf(t, ebs.Properties))
				}
				if ebs.Properties["Delete"] != nil {
					t.Error("deleting the stack would turn EBS default encryption off, which is opt-in only")
				}
			})

			t.Run(s.Name+" holds the password policy and account Block Public Access in the home region only", func(t *testing.T) {
				_, pp, hasPP := svcAt(res, "Hardening/PasswordPolicy/Resource/Default")
				_, bpa, hasBPA := svcAt(res, "Hardening/S3BlockPublicAccess/Resource/Default")
				if hasPP != home || hasBPA != home {
					t.Fatalf("password policy %v, Block Public Access %v; want both only in the home region", hasPP, hasBPA)
				}
				if !home {
					return
				}
				// Booleans and numbers keep their types: the parameters
				// travel as JSON, since CloudFormation makes every property
				// value a string.
				wantPP := `{"Client":"iam","Method":"update_account_password_policy","Parameters":{"AllowUsersToChangePassword":true,"HardExpiry":false,"MaxPasswordAge":90,"MinimumPasswordLength":14,"PasswordReusePrevention":24,"RequireLowercaseCharacters":true,"RequireNumbers":true,"RequireSymbols":true,"RequireUppercaseCharacters":true}}`
				wantBPA := `{"Client":"s3control","Method":"put_public_access_block","Parameters":{"AccountId":"` + acc.ID + `","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}}}`
				for _, c := range []struct {
					r    svcResource
					want string
				}{{pp, wantPP}, {bpa, wantBPA}} {
					for _, event := range []string{"Create", "Update"} {
						if got := customResourceCall(t, c.r, event); got != c.want {
							t.Errorf("%s: %s\nwant %s", event, got, c.want)
						}
					}
					if c.r.Properties["Delete"] != nil {
						t.Errorf("%s: deleting the stack would undo it; that is opt-in (hardening.revertOnDelete)", c.r.Type)
					}
				}
			})

			t.Run(s.Name+" custom resources may make their calls and nothing else", func(t *testing.T) {
				got, own := customResourceStatements(t, s.Name, res)
				want := []map[string]any{
					{"Action": "iam:CreateServiceLinkedRole", "Effect": "Allow", "Resource": slr, "Condition": map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": "config.amazonaws.com"}}},
					{"Action": "ec2:EnableEbsEncryptionByDefault", "Effect": "Allow", "Resource": "*"},
					// Inspector: its service-linked role, Enable with its
					// status poll, and Disable for the types an update
					// removes (no revertOnDelete in the example).
					{"Action": "iam:CreateServiceLinkedRole", "Effect": "Allow",
						"Resource":  "arn:aws:iam::" + acc.ID + ":role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2",
						"Condition": map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": "inspector2.amazonaws.com"}}},
					{"Action": "inspector2:Enable", "Effect": "Allow", "Resource": "*"},
					{"Action": "inspector2:Disable", "Effect": "Allow", "Resource": "*"},
					{"Action": "inspector2:BatchGetAccountStatus", "Effect": "Allow", "Resource": "*"},
				}
				if home {
					want = append(want,
						map[string]any{"Action": "iam:UpdateAccountPasswordPolicy", "Effect": "Allow", "Resource": "*"},
						map[string]any{"Action": "s3:PutAccountPublicAccessBlock", "Effect": "Allow", "Resource": "*"})
				}
				if w := svcStatements(t, want); !slices.Equal(got, w) {
					t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(w, "\n"))
				}
				wantOwn := jsonOf(t, map[string]any{"ManagedPolicyArns": nil, "Policies": []any{map[string]any{
					"PolicyName": "WriteOwnLogs",
					"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
						"Action": []any{"logs:CreateLogStream", "logs:PutLogEvents"}, "Effect": "Allow",
						"Resource": "arn:aws:logs:" + region + ":" + acc.ID + ":log-group:/baseline/sdkcall:*"}}}}}})
				if own != wantOwn {
					t.Errorf("the role's own permissions %s, want only writing its own log group: %s", own, wantOwn)
				}
			})
		}
		if globalRecorders != 1 {
			t.Errorf("%s: %d regions record the global IAM types, want exactly one (the home region)", acc.Name, globalRecorders)
		}
	}
}

func TestFindingRoutesInTheExample(t *testing.T) {
	asm := exampleAssembly(t)
	home := stack(t, asm, "Prod-ap-northeast-1")
	other := stack(t, asm, "Prod-us-east-1")
	homeRes, otherRes := svcTemplate(t, asm, home), svcTemplate(t, asm, other)
	rules := []string{"Findings/GuardDuty", "Findings/SecurityHub", "Findings/Inspector"}

	t.Run("the home region's rules publish to the alarm topic", func(t *testing.T) {
		topicID, _ := svcMust(t, home.Name, homeRes, "Alarms/Topic/Resource")
		for _, path := range rules {
			_, r := svcMust(t, home.Name, homeRes, path)
			want := []any{map[string]any{"Arn": map[string]any{"Ref": topicID}, "Id": "AlarmTopic"}}
			if jsonOf(t, r.Properties["Targets"]) != jsonOf(t, want) || r.Properties["State"] != "ENABLED" {
				t.Errorf("%s: targets %s, want only the alarm topic", path, jsonOf(t, r.Properties["Targets"]))
			}
		}
	})

	t.Run("the alarm topic and its key let EventBridge of this account publish", func(t *testing.T) {
		topicID, _ := svcMust(t, home.Name, homeRes, "Alarms/Topic/Resource")
		_, policy := svcMust(t, home.Name, homeRes, "Alarms/Topic/Policy/Resource")
		found := false
		for _, st := range statementsOf(t, policy.Properties["PolicyDocument"]) {
			if jsonOf(t, st["Principal"]) == `{"Service":"events.amazonaws.com"}` && st["Action"] == "sns:Publish" {
				found = true
				if jsonOf(t, st["Resource"]) != jsonOf(t, map[string]any{"Ref": topicID}) ||
					jsonOf(t, st["Condition"]) != `{"StringEquals":{"aws:SourceAccount":"111111111111"}}` {
					t.Errorf("EventBridge's grant %s is not limited to this topic and account", jsonOf(t, st))
				}
			}
		}
		if !found {
			t.Error("the topic policy does not let events.amazonaws.com publish")
		}
		_, key := svcMust(t, home.Name, homeRes, "Alarms/Key/Resource")
		found = false
		for _, st := range statementsOf(t, key.Properties["KeyPolicy"]) {
			actions := jsonOf(t, st["Action"])
			if jsonOf(t, st["Principal"]) == `{"Service":"events.amazonaws.com"}` && strings.Contains(actions, `"kms:Decrypt"`) && strings.Contains(actions, `"kms:GenerateDataKey*"`) {
				found = true
			}
		}
		if !found {
			t.Error("the topic's key does not let EventBridge decrypt and generate data keys: deliveries to the encrypted topic would fail")
		}
	})

	t.Run("other regions forward to the home region's default bus through a role that can do only that", func(t *testing.T) {
		bus := "arn:aws:events:ap-northeast-1:111111111111:event-bus/default"
		roleID, role := svcMust(t, other.Name, otherRes, "Findings/ForwardRole/Resource")
		for _, path := range rules {
			_, r := svcMust(t, other.Name, otherRes, path)
			want := []any{map[string]any{"Arn": bus, "Id": "HomeRegionBus", "RoleArn": map[string]any{"Fn::GetAtt": []any{roleID, "Arn"}}}}
			if jsonOf(t, r.Properties["Targets"]) != jsonOf(t, want) {
				t.Errorf("%s: targets %s, want %s", path, jsonOf(t, r.Properties["Targets"]), jsonOf(t, want))
			}
		}
		if got := jsonOf(t, role.Properties["AssumeRolePolicyDocument"]); got != `{"Statement":[{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}},"Effect":"Allow","Principal":{"Service":"events.amazonaws.com"}}],"Version":"2012-10-17"}` {
			t.Errorf("trust policy %s, want EventBridge of this account only", got)
		}
		_, policy := svcMust(t, other.Name, otherRes, "Findings/ForwardPolicy/Resource")
		if got := jsonOf(t, policy.Properties["PolicyDocument"]); got != `{"Statement":[{"Action":"events:PutEvents","Effect":"Allow","Resource":"`+bus+`"}],"Version":"2012-10-17"}` {
			t.Errorf("role policy %s, want events:PutEvents on the home bus only", got)
		}
		if jsonOf(t, policy.Properties["Roles"]) != jsonOf(t, []any{map[string]any{"Ref": roleID}}) {
			t.Errorf("the forwarding policy is attached to %s", jsonOf(t, policy.Properties["Roles"]))
		}
		if role.Properties["Policies"] != nil || role.Properties["ManagedPolicyArns"] != nil {
			t.Error("the forwarding role has permissions besides its one policy")
		}
		if len(resourcesOfType(other, "AWS::SNS::Topic")) != 0 {
			t.Error("the forwarding region has a topic of its own")
		}
	})

	t.Run("every region sends what the home region would send", func(t *testing.T) {
		for _, path := range rules {
			_, h := svcMust(t, home.Name, homeRes, path)
			_, o := svcMust(t, other.Name, otherRes, path)
			if jsonOf(t, h.Properties["EventPattern"]) != jsonOf(t, o.Properties["EventPattern"]) {
				t.Errorf("%s: patterns differ:\n%s\n%s", path, jsonOf(t, h.Properties["EventPattern"]), jsonOf(t, o.Properties["EventPattern"]))
			}
		}
	})

	t.Run("the rules send exactly the findings they should", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join("testdata", "finding_events.json"))
		if err != nil {
			t.Fatal(err)
		}
		var file struct {
			Cases []struct {
				Name  string          `json:"name"`
				Want  map[string]bool `json:"want"`
				Event map[string]any  `json:"event"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(data, &file); err != nil {
			t.Fatal(err)
		}
		_, gd := svcMust(t, home.Name, homeRes, "Findings/GuardDuty")
		_, sh := svcMust(t, home.Name, homeRes, "Findings/SecurityHub")
		_, in := svcMust(t, home.Name, homeRes, "Findings/Inspector")
		for _, c := range file.Cases {
			t.Run(c.Name, func(t *testing.T) {
				if got := svcMatches(gd.Properties["EventPattern"], c.Event); got != c.Want["guardDuty"] {
					t.Errorf("GuardDuty rule matches: %v, want %v", got, c.Want["guardDuty"])
				}
				if got := svcMatches(sh.Properties["EventPattern"], c.Event); got != c.Want["securityHub"] {
					t.Errorf("Security Hub rule matches: %v, want %v", got, c.Want["securityHub"])
				}
				if got := svcMatches(in.Properties["EventPattern"], c.Event); got != c.Want["inspector"] {
					t.Errorf("Inspector rule matches: %v, want %v", got, c.Want["inspector"])
				}
			})
		}
	})
}

// svcMatches is EventBridge's matching for the pattern features the rules
// use: exact values, numeric ranges, anything-but and prefix; an array in
// the event matches when one of its elements does.
func svcMatches(pattern, event any) bool {
	switch p := pattern.(type) {
	case map[string]any:
		if list, ok := event.([]any); ok {
			for _, e := range list {
				if svcMatches(p, e) {
					return true
				}
			}
			return false
		}
		e, ok := event.(map[string]any)
		if !ok {
			return false
		}
		for k, sub := range p {
			v, ok := e[k]
			if !ok || !svcMatches(sub, v) {
				return false
			}
		}
		return true
	case []any:
		values, ok := event.([]any)
		if !ok {
			values = []any{event}
		}
		for _, want := range p {
			for _, v := range values {
				if svcMatchesValue(want, v) {
					return true
				}
			}
		}
		return false
	}
	panic(fmt.Sprintf("unsupported pattern %v", pattern))
}

func svcMatchesValue(want, v any) bool {
	m, ok := want.(map[string]any)
	if !ok {
		return reflect.DeepEqual(want, v)
	}
	for op, arg := range m {
		switch op {
		case "numeric":
			n, ok := v.(float64)
			if !ok {
				return false
			}
			a := arg.([]any)
			for i := 0; i+1 < len(a); i += 2 {
				bound := a[i+1].(float64)
				if !map[string]bool{">=": n >= bound, ">": n > bound, "<=": n <= bound, "<": n < bound, "=": n == bound}[a[i].(string)] {
					return false
				}
			}
		case "anything-but":
			list, ok := arg.([]any)
			if !ok {
				list = []any{arg}
			}
			if slices.ContainsFunc(list, func(x any) bool { return reflect.DeepEqual(x, v) }) {
				return false
			}
		case "prefix":
			s, ok := v.(string)
			if !ok || !strings.HasPrefix(s, arg.(string)) {
				return false
			}
		default:
			panic("unsupported pattern operator " + op)
		}
	}
	return true
}

// TestConfigDeliversWhereTheLogArchiveLetsIt checks the delivery channel
// against the log bucket's policy and key, which the trail owns: the prefix,
// the key alias and the account must be the ones they grant Config.
func TestConfigDeliversWhereTheLogArchiveLetsIt(t *testing.T) {
	asm := exampleAssembly(t)
	s := stack(t, asm, "Prod-ap-northeast-1")
	res := svcTemplate(t, asm, s)
	_, ch := svcMust(t, s.Name, res, "Config/DeliveryChannel")
	prefix := ch.Properties["S3KeyPrefix"].(string)

	_, bucketPolicy := svcMust(t, s.Name, res, "LogArchive/Bucket/Policy/Resource")
	put := bySid(t, statementsOf(t, bucketPolicy.Properties["PolicyDocument"]), "ConfigDeliversSnapshotsOf111111111111")
	if !strings.HasSuffix(jsonOf(t, put["Resource"]), `/`+prefix+`/AWSLogs/111111111111/Config/*"]]}`) || put["Action"] != "s3:PutObject" {
		t.Errorf("the bucket lets Config put %s, but the channel writes under %s/", jsonOf(t, put["Resource"]), prefix)
	}
	for _, a := range svcOfType(res, "AWS::KMS::Alias") {
		if name := a.Properties["AliasName"].(string); strings.Contains(name, "cloudtrail") {
			// The home stack holds the key: the channel names it by its ARN.
			want := jsonOf(t, map[string]any{"Fn::GetAtt": []any{a.Properties["TargetKeyId"].(map[string]any)["Fn::GetAtt"].([]any)[0], "Arn"}})
			if got := jsonOf(t, ch.Properties["S3KmsKeyArn"]); got != want {
				t.Errorf("the channel encrypts with %s, the archive's key (%s) is %s", got, name, want)
			}
			return
		}
	}
	t.Error("no cloudtrail key alias in the home stack")
}

// TestRegionalStatefulLogicalIDs pins the logical ids of the retained
// service resources. A new id makes CloudFormation create a second recorder,
// detector or hub next to the retained one, and the deploy fails (one per
// region). If this test fails, restore the construct id.
func TestRegionalStatefulLogicalIDs(t *testing.T) {
	asm := exampleAssembly(t)
	for _, name := range []string{"Prod-ap-northeast-1", "Prod-us-east-1"} {
		s := stack(t, asm, name)
		for id, typ := range map[string]string{
			"ConfigRecorder49EDB580":        "AWS::Config::ConfigurationRecorder",
			"ConfigDeliveryChannel51D44D28": "AWS::Config::DeliveryChannel",
			"GuardDuty32B27AAC":             "AWS::GuardDuty::Detector",
			"SecurityHubE794FA48":           "AWS::SecurityHub::Hub",
		} {
			if r, ok := s.Template.Resources[id]; !ok || r.Type != typ {
				t.Errorf("%s: %s (%s) is gone: its construct id changed", name, id, typ)
			}
		}
	}
}

// servicesOptionsConfig has one account per skip mode next to a Base
// account with the defaults, one with every other option, and a Control
// Tower account.
const servicesOptionsConfig = `homeRegion: us-east-1
regions: [us-east-1, eu-west-1]
notifications: {emails: [sec@example.com]}
accounts:
  - {name: Base, id: "100000000001"}
  - {name: NoConfig, id: "100000000002", awsConfig: {mode: skip}}
  - {name: NoGuardDuty, id: "100000000003", guardDuty: {mode: skip}}
  - {name: NoSecurityHub, id: "100000000004", securityHub: {mode: skip}}
  - {name: NoFindings, id: "100000000005", findings: {mode: skip}}
  - {name: NoHardening, id: "100000000006", hardening: {mode: skip}}
  - {name: NoAnalyzer, id: "100000000007", accessAnalyzer: {mode: skip}}
  - {name: NoInspector, id: "100000000011", inspector: {mode: skip}}
  - name: Options
    id: "100000000008"
    awsConfig:
      snapshotFrequency: 1h
      dailyResourceTypes: ["AWS::EC2::NetworkInterface", "AWS::IAM::Role"]
      rules: [S3_BUCKET_VERSIONING_ENABLED]
    guardDuty: {protection: [s3, runtime], findingFrequency: 6h}
    securityHub:
      standards: [aws-foundational-security-best-practices/v/1.0.0, nist-800-53/v/5.0.0]
      findingAggregator: true
    findings: {route: regional, guardDutyMinSeverity: 4, inspectorSeverities: [CRITICAL]}
    hardening: {passwordPolicy: {minimumLength: 20, maxAgeDays: 0}, revertOnDelete: true}
    accessAnalyzer: {type: organization}
    inspector: {scan: [ecr, lambda], revertOnDelete: true}
    notifications:
      emails: [sec@example.com]
      slack: [{workspaceId: T0123ABCDE9, channelId: C0456FGHIJ7}]
  - name: ControlTower
    id: "100000000009"
    trail: {mode: skip}
    awsConfig: {mode: skip, rules: [S3_BUCKET_VERSIONING_ENABLED]}
    guardDuty: {mode: skip}
  - {name: AllControls, id: "100000000010", securityHub: {disableGlobalControlsOutsideHome: false}}
`

var servicesOptions cached

func servicesOptionsAssembly(t testing.TB) *assembly.Assembly {
	return servicesOptions.config(t, servicesOptionsConfig, "services-options.yaml")
}

func TestSkipModesRemoveExactlyTheirService(t *testing.T) {
	asm := servicesOptionsAssembly(t)
	inventory := func(name string) map[string]string {
		out := map[string]string{}
		for _, r := range svcTemplate(t, asm, stack(t, asm, name)) {
			out[svcPath(r)] = r.Type
		}
		return out
	}
	for _, c := range []struct{ account, construct string }{
		{"NoConfig", "Config"}, {"NoGuardDuty", "GuardDuty"}, {"NoSecurityHub", "SecurityHub"},
		{"NoFindings", "Findings"}, {"NoHardening", "Hardening"}, {"NoAnalyzer", "AccessAnalyzer"},
		{"NoInspector", "Inspector"},
	} {
		for _, region := range []string{"us-east-1", "eu-west-1"} {
			t.Run(c.account+"-"+region+" lacks "+c.construct+" and nothing else", func(t *testing.T) {
				base, got := inventory("Base-"+region), inventory(c.account+"-"+region)
				removed := 0
				for path, typ := range base {
					service := strings.HasPrefix(path, c.construct+"/")
					if service {
						removed++
					}
					if _, kept := got[path]; kept == service {
						t.Errorf("%s (%s) is %s", path, typ, map[bool]string{true: "still there", false: "gone"}[kept])
					}
				}
				for path, typ := range got {
					if _, ok := base[path]; !ok {
						t.Errorf("%s (%s) is new", path, typ)
					}
				}
				if removed == 0 {
					t.Errorf("Base-%s has nothing under %s/ to remove", region, c.construct)
				}
			})
		}
	}
}

func TestRegionalServiceOptions(t *testing.T) {
	asm := servicesOptionsAssembly(t)
	homeS, otherS := stack(t, asm, "Options-us-east-1"), stack(t, asm, "Options-eu-west-1")
	home, other := svcTemplate(t, asm, homeS), svcTemplate(t, asm, otherS)

	t.Run("chosen types are recorded daily, except global ones where they are not recorded", func(t *testing.T) {
		_, h := svcMust(t, homeS.Name, home, "Config/Recorder")
		_, o := svcMust(t, otherS.Name, other, "Config/Recorder")
		override := func(types ...any) string {
			return jsonOf(t, map[string]any{"RecordingFrequency": "CONTINUOUS", "RecordingModeOverrides": []any{map[string]any{
				"Description": "High-churn types, recorded once a day to cut cost", "RecordingFrequency": "DAILY", "ResourceTypes": types}}})
		}
		if got := jsonOf(t, h.Properties["RecordingMode"]); got != override("AWS::EC2::NetworkInterface", "AWS::IAM::Role") {
			t.Errorf("home recording mode %s", got)
		}
		if got := jsonOf(t, o.Properties["RecordingMode"]); got != override("AWS::EC2::NetworkInterface") {
			t.Errorf("other region's recording mode %s", got)
		}
		_, ch := svcMust(t, otherS.Name, other, "Config/DeliveryChannel")
		if jsonOf(t, ch.Properties["ConfigSnapshotDeliveryProperties"]) != `{"DeliveryFrequency":"One_Hour"}` {
			t.Errorf("snapshot frequency %s, want One_Hour", jsonOf(t, ch.Properties["ConfigSnapshotDeliveryProperties"]))
		}
	})

	t.Run("managed rules wait for the recorder, or use the existing one", func(t *testing.T) {
		recID, _ := svcMust(t, otherS.Name, other, "Config/Recorder")
		_, rule := svcMust(t, otherS.Name, other, "Config/Rules/S3_BUCKET_VERSIONING_ENABLED")
		if jsonOf(t, rule.Properties) != `{"ConfigRuleName":"baseline-s3-bucket-versioning-enabled","Description":"AWS managed rule S3_BUCKET_VERSIONING_ENABLED, added by the security baseline","Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_VERSIONING_ENABLED"}}` || !slices.Equal(rule.DependsOn, []string{recID}) {
			t.Errorf("rule %s depends on %v", jsonOf(t, rule.Properties), rule.DependsOn)
		}
		ct := svcTemplate(t, asm, stack(t, asm, "ControlTower-eu-west-1"))
		_, ctRule := svcMust(t, "ControlTower-eu-west-1", ct, "Config/Rules/S3_BUCKET_VERSIONING_ENABLED")
		if len(svcOfType(ct, "AWS::Config::ConfigurationRecorder")) != 0 || len(svcOfType(ct, "AWS::Config::DeliveryChannel")) != 0 || len(ctRule.DependsOn) != 0 {
			t.Error("with awsConfig.mode skip, the stack must hold the rules only")
		}
		if len(svcOfType(ct, "AWS::GuardDuty::Detector")) != 0 {
			t.Error("guardDuty.mode skip left a detector")
		}
	})

	t.Run("protection plans and finding frequency", func(t *testing.T) {
		d := svcOfType(other, "AWS::GuardDuty::Detector")[0].Properties
		want := `[{"Name":"S3_DATA_EVENTS","Status":"ENABLED"},{"Name":"EKS_AUDIT_LOGS","Status":"DISABLED"},{"Name":"EBS_MALWARE_PROTECTION","Status":"DISABLED"},{"Name":"RDS_LOGIN_EVENTS","Status":"DISABLED"},{"Name":"LAMBDA_NETWORK_LOGS","Status":"DISABLED"},` +
			`{"AdditionalConfiguration":[{"Name":"EKS_ADDON_MANAGEMENT","Status":"ENABLED"},{"Name":"ECS_FARGATE_AGENT_MANAGEMENT","Status":"ENABLED"},{"Name":"EC2_AGENT_MANAGEMENT","Status":"ENABLED"}],"Name":"RUNTIME_MONITORING","Status":"ENABLED"}]`
		if jsonOf(t, d["Features"]) != want || d["FindingPublishingFrequency"] != "SIX_HOURS" {
			t.Errorf("features %s, frequency %v", jsonOf(t, d["Features"]), d["FindingPublishingFrequency"])
		}
	})

	t.Run("NIST 800-53 and the home region's aggregator of the other regions", func(t *testing.T) {
		_, st := svcMust(t, otherS.Name, other, "SecurityHub/Standards/nist-800-53-v-5.0.0")
		if st.Properties["StandardsArn"] != "arn:aws:securityhub:eu-west-1::standards/nist-800-53/v/5.0.0" {
			t.Errorf("NIST standard %v", st.Properties["StandardsArn"])
		}
		hubID, _ := svcMust(t, homeS.Name, home, "SecurityHub/Hub")
		_, agg := svcMust(t, homeS.Name, home, "SecurityHub/FindingAggregator")
		if jsonOf(t, agg.Properties) != `{"RegionLinkingMode":"SPECIFIED_REGIONS","Regions":["eu-west-1"]}` || !slices.Equal(agg.DependsOn, []string{hubID}) {
			t.Errorf("aggregator %s depends on %v", jsonOf(t, agg.Properties), agg.DependsOn)
		}
		if _, _, ok := svcAt(other, "SecurityHub/FindingAggregator"); ok {
			t.Error("an aggregator outside the home region")
		}
	})

	t.Run("outside the home region NIST 800-53 disables its controls of global resources, and the option turns that off", func(t *testing.T) {
		_, st := svcMust(t, otherS.Name, other, "SecurityHub/Standards/nist-800-53-v-5.0.0")
		if got, want := disabledControls(t, st), wantDisabled("aws", "eu-west-1", "100000000008", "nist-800-53/v/5.0.0"); !slices.Equal(got, want) {
			t.Errorf("NIST disables\n%v\nwant\n%v", got, want)
		}
		_, reason := svcMust(t, otherS.Name, other, "SecurityHub/Standards/aws-foundational-security-best-practices-v-1.0.0")
		first := reason.Properties["DisabledStandardsControls"].([]any)[0].(map[string]any)["Reason"]
		if first != "Account.1 checks global resources, which AWS Config records in us-east-1 only; Security Hub checks it there" {
			t.Errorf("reason %q", first)
		}
		all := svcTemplate(t, asm, stack(t, asm, "AllControls-eu-west-1"))
		for _, st := range svcOfType(all, "AWS::SecurityHub::Standard") {
			if got := disabledControls(t, st); len(got) != 0 {
				t.Errorf("disableGlobalControlsOutsideHome false, and %v disables %v", st.Properties["StandardsArn"], got)
			}
		}
	})

	t.Run("a regional topic gets this region's findings, Security Hub's through the aggregator", func(t *testing.T) {
		topicID, _ := svcMust(t, otherS.Name, other, "Alarms/Topic/Resource")
		_, gd := svcMust(t, otherS.Name, other, "Findings/GuardDuty")
		if jsonOf(t, gd.Properties["Targets"]) != jsonOf(t, []any{map[string]any{"Arn": map[string]any{"Ref": topicID}, "Id": "AlarmTopic"}}) {
			t.Errorf("targets %s, want the region's own topic", jsonOf(t, gd.Properties["Targets"]))
		}
		if jsonOf(t, gd.Properties["EventPattern"]) != jsonOf(t, findingroutes.GuardDutyPattern(4)) {
			t.Errorf("pattern %s, want severity 4 or more", jsonOf(t, gd.Properties["EventPattern"]))
		}
		if _, _, ok := svcAt(other, "Findings/SecurityHub"); ok {
			t.Error("the region sends its Security Hub findings itself, and the aggregator sends them again from the home region")
		}
		if _, _, ok := svcAt(home, "Findings/SecurityHub"); !ok {
			t.Error("the home region does not send Security Hub findings")
		}
		if _, _, ok := svcAt(other, "Findings/ForwardRole/Resource"); ok {
			t.Error("a forwarding role with route regional")
		}
		subs := resourcesOfType(otherS, "AWS::SNS::Subscription")
		if len(subs) != 1 {
			t.Errorf("%d subscriptions on the regional topic, want the account's one address", len(subs))
		}
	})

	t.Run("revertOnDelete undoes each setting, with its own permission", func(t *testing.T) {
		for path, want := range map[string]string{
			"Hardening/EbsEncryptionByDefault/Resource/Default": `{"Client":"ec2","Method":"disable_ebs_encryption_by_default","Parameters":{}}`,
			"Hardening/PasswordPolicy/Resource/Default":         `{"Client":"iam","IgnoreErrors":"^NoSuchEntityException$","Method":"delete_account_password_policy","Parameters":{}}`,
			"Hardening/S3BlockPublicAccess/Resource/Default":    `{"Client":"s3control","Method":"delete_public_access_block","Parameters":{"AccountId":"100000000008"}}`,
			// Inspector's chosen types only, in the API's names.
			"Inspector/Resource/Default": `{"Client":"inspector2","Method":"disable","Parameters":{"accountIds":["100000000008"],"resourceTypes":["ECR","LAMBDA"]}}`,
		} {
			_, r := svcMust(t, homeS.Name, home, path)
			if got := customResourceCall(t, r, "Delete"); got != want {
				t.Errorf("%s deletes with %s, want %s", path, got, want)
			}
		}
		got, _ := customResourceStatements(t, homeS.Name, home)
		want := svcStatements(t, []map[string]any{
			{"Action": "iam:CreateServiceLinkedRole", "Effect": "Allow", "Resource": "arn:aws:iam::100000000008:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig", "Condition": map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": "config.amazonaws.com"}}},
			{"Action": []any{"ec2:EnableEbsEncryptionByDefault", "ec2:DisableEbsEncryptionByDefault"}, "Effect": "Allow", "Resource": "*"},
			{"Action": []any{"iam:UpdateAccountPasswordPolicy", "iam:DeleteAccountPasswordPolicy"}, "Effect": "Allow", "Resource": "*"},
			{"Action": "s3:PutAccountPublicAccessBlock", "Effect": "Allow", "Resource": "*"},
			{"Action": "iam:CreateServiceLinkedRole", "Effect": "Allow", "Resource": "arn:aws:iam::100000000008:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2", "Condition": map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": "inspector2.amazonaws.com"}}},
			{"Action": []any{"inspector2:Enable", "inspector2:Disable", "inspector2:BatchGetAccountStatus"}, "Effect": "Allow", "Resource": "*"},
		})
		if !slices.Equal(got, want) {
			t.Errorf("statements:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})

	t.Run("password policy options and an organization analyzer", func(t *testing.T) {
		_, pp := svcMust(t, homeS.Name, home, "Hardening/PasswordPolicy/Resource/Default")
		create := customResourceCall(t, pp, "Create")
		if !strings.Contains(create, `"MinimumPasswordLength":20`) || strings.Contains(create, "MaxPasswordAge") {
			t.Errorf("password policy %s, want length 20 and no expiry", create)
		}
		a := svcOfType(other, "AWS::AccessAnalyzer::Analyzer")
		if len(a) != 1 || a[0].Properties["Type"] != "ORGANIZATION" {
			t.Errorf("analyzer %s, want ORGANIZATION", jsonOf(t, a))
		}
	})
}

// TestTemplateRulesAreClean reads the validation reports of the synths:
// AWS's template rules (cdk.json's validateAgainstDefaultRules, the
// "CloudFormation Validate" plugin) found nothing, not even a warning.
func TestTemplateRulesAreClean(t *testing.T) {
	if cdkContext(t)["@aws-cdk/core:validateAgainstDefaultRules"] != true {
		t.Fatal("cdk.json no longer turns on @aws-cdk/core:validateAgainstDefaultRules")
	}
	for name, asm := range map[string]*assembly.Assembly{"example": exampleAssembly(t), "services options": servicesOptionsAssembly(t)} {
		data, err := os.ReadFile(filepath.Join(asm.Dir, "validation-report.json"))
		if err != nil {
			t.Fatalf("%s: %v (is validateAgainstDefaultRules still on in cdk.json?)", name, err)
		}
		var r struct {
			PluginReports []struct {
				PluginName string           `json:"pluginName"`
				Violations []map[string]any `json:"violations"`
			} `json:"pluginReports"`
		}
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		for _, p := range r.PluginReports {
			if p.PluginName != "CloudFormation Validate" {
				continue // construct annotations: each part tests its own
			}
			for _, v := range p.Violations {
				t.Errorf("%s: %s: %v %v", name, p.PluginName, v["ruleName"], v["description"])
			}
		}
	}
}

func TestRegionalServicesConfigErrors(t *testing.T) {
	dev := validConfig // accounts[1] is Dev, on lines 8-9
	cases := []configCase{
		{"an unknown standard", dev + "    securityHub: {standards: [cis-aws-foundations-benchmark/v/1.2.0]}\n",
			`b.yaml:10: accounts[1].securityHub.standards[0]: "cis-aws-foundations-benchmark/v/1.2.0" is not a standard; use aws-foundational-security-best-practices/v/1.0.0, cis-aws-foundations-benchmark/v/5.0.0 or nist-800-53/v/5.0.0`},
		{"a severity above the range", dev + "    findings: {guardDutyMinSeverity: 11}\n",
			`b.yaml:10: accounts[1].findings.guardDutyMinSeverity: 11 is out of range; GuardDuty severities run from 1 to 10 (4 medium, 7 high, 9 critical)`},
		{"a severity below the range", dev + "    findings: {guardDutyMinSeverity: 0.5}\n",
			`b.yaml:10: accounts[1].findings.guardDutyMinSeverity: 0.5 is out of range; GuardDuty severities run from 1 to 10 (4 medium, 7 high, 9 critical)`},
		{"an unknown protection plan", dev + "    guardDuty: {protection: [s3, ecs]}\n",
			`b.yaml:10: accounts[1].guardDuty.protection[1]: "ecs" is not a protection plan; use s3, eks, malware, rds, lambda or runtime`},
		{"a plan listed twice", dev + "    guardDuty: {protection: [rds, rds]}\n",
			`b.yaml:10: accounts[1].guardDuty.protection[1]: "rds" is listed twice`},
		{"an unknown mode", dev + "    guardDuty: {mode: adopt}\n",
			`b.yaml:10: accounts[1].guardDuty.mode: "adopt" is not a mode; use create or skip`},
		{"an unknown mode at the top level is reported once", strings.Replace(validConfig, "accounts:", "securityHub: {mode: disabled}\naccounts:", 1),
			`b.yaml:5: securityHub.mode: "disabled" is not a mode; use create or skip`},
		{"an unknown Inspector scan type", dev + "    inspector: {scan: [ec2, ecs]}\n",
			`b.yaml:10: accounts[1].inspector.scan[1]: "ecs" is not a scan type; use ec2, ecr, lambda or lambdaCode`},
		{"Lambda code scanning without Lambda scanning", dev + "    inspector: {scan: [ec2, lambdaCode]}\n",
			`b.yaml:10: accounts[1].inspector.scan: lambdaCode needs lambda: Inspector scans Lambda code only with Lambda standard scanning on; add lambda`},
		{"Inspector on with nothing to scan", dev + "    inspector: {scan: []}\n",
			`b.yaml:10: accounts[1].inspector.scan: list at least one of ec2, ecr, lambda or lambdaCode, or set inspector.mode skip`},
		{"an Inspector severity that does not exist", dev + "    findings: {inspectorSeverities: [HIGH, SEVERE]}\n",
			`b.yaml:10: accounts[1].findings.inspectorSeverities[1]: "SEVERE" is not an Inspector severity; use CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL or UNTRIAGED`},
		{"a Slack channel name for its id", dev + "    notifications: {emails: [a@example.com], slack: [{workspaceId: T0123ABCDE9, channelId: \"#alerts\"}]}\n",
			`b.yaml:10: accounts[1].notifications.slack[0].channelId: "#alerts" is not a Slack channel id like C0123456789 (letters and digits; the last part of the channel's link), not its name`},
		{"a Teams channel id not URL-encoded", dev + "    notifications: {emails: [a@example.com], teams: [{tenantId: 2d5c4f2e-0d8a-4c1b-9e3a-6f7b8c9d0e1f, teamId: 7f3e2d1c-4b5a-4968-8776-a5b4c3d2e1f0, channelId: \"19:abc@thread.tacv2\"}]}\n",
			`b.yaml:10: accounts[1].notifications.teams[0].channelId: "19:abc@thread.tacv2" is not a Teams channel id as its link has it, URL-encoded: 19%3a...%40thread.tacv2`},
		{"an unknown route", dev + "    findings: {route: email}\n",
			`b.yaml:10: accounts[1].findings.route: "email" is not a route; use forward or regional`},
		{"a snapshot frequency Config does not have", dev + "    awsConfig: {snapshotFrequency: 2h}\n",
			`b.yaml:10: accounts[1].awsConfig.snapshotFrequency: "2h" is not a snapshot frequency; use 1h, 3h, 6h, 12h or 24h`},
		{"a GuardDuty frequency it does not have", dev + "    guardDuty: {findingFrequency: 5m}\n",
			`b.yaml:10: accounts[1].guardDuty.findingFrequency: "5m" is not a finding frequency; use 15m, 1h or 6h`},
		{"a resource type that YAML reads as a mapping", dev + "    awsConfig: {dailyResourceTypes: [AWS::EC2::NetworkInterface]}\n",
			`b.yaml:10: accounts[1].awsConfig.dailyResourceTypes[0]: must be a string, got a mapping; inside [ ], quote a value with colons ("AWS::EC2::NetworkInterface") or list it on its own line`},
		{"a malformed resource type", dev + "    awsConfig: {dailyResourceTypes: [\"EC2::NetworkInterface\"]}\n",
			`b.yaml:10: accounts[1].awsConfig.dailyResourceTypes[0]: "EC2::NetworkInterface" is not a resource type like AWS::EC2::NetworkInterface`},
		{"a malformed rule identifier", dev + "    awsConfig: {rules: [s3-bucket-versioning-enabled]}\n",
			`b.yaml:10: accounts[1].awsConfig.rules[0]: "s3-bucket-versioning-enabled" is not the identifier of an AWS managed rule, like S3_BUCKET_VERSIONING_ENABLED`},
		{"a short password", dev + "    hardening: {passwordPolicy: {minimumLength: 8}}\n",
			`b.yaml:10: accounts[1].hardening.passwordPolicy.minimumLength: 8 is out of range; use 14 (CIS) to 128`},
		{"a password age IAM does not take", dev + "    hardening: {passwordPolicy: {maxAgeDays: 2000}}\n",
			`b.yaml:10: accounts[1].hardening.passwordPolicy.maxAgeDays: 2000 is out of range; use 1 to 1095 days (90 or less for Security Hub IAM.17), or 0 for passwords that never expire`},
		{"an unknown analyzer type", dev + "    accessAnalyzer: {type: org}\n",
			`b.yaml:10: accounts[1].accessAnalyzer.type: "org" is not an analyzer type; use account or organization`},
		{"Config next to a Control Tower trail", dev + "    trail: {mode: skip}\n",
			`b.yaml:8: accounts[1].awsConfig.mode: create delivers to the baseline log bucket, which takes Config snapshots only from accounts with trail.mode create; set awsConfig.mode skip where Config is already set up (Control Tower), or trail.mode create`},
		{"Config into an Object Lock bucket", dev + "    trail: {bucket: {objectLock: {mode: GOVERNANCE, days: 30}}}\n",
			`b.yaml:8: accounts[1].awsConfig.mode: create delivers to the log bucket, and AWS Config cannot deliver to a bucket with a default Object Lock retention (trail.bucket.objectLock.mode GOVERNANCE); turn Object Lock off or set awsConfig.mode skip`},
		{"Config into a central Object Lock bucket", strings.Replace(validConfig, `id: "111111111111"`, "id: \"111111111111\"\n    logArchive: true\n    awsConfig: {mode: skip}\n    trail: {bucket: {objectLock: {mode: COMPLIANCE, days: 30}}}", 1),
			`b.yaml:11: accounts[1].awsConfig.mode: create delivers to the log archive's bucket (accounts[0]), and AWS Config cannot deliver to a bucket with a default Object Lock retention (objectLock.mode COMPLIANCE there); turn Object Lock off or set awsConfig.mode skip`},
		{"a global-controls switch that is not a boolean", dev + "    securityHub: {disableGlobalControlsOutsideHome: maybe}\n",
			`b.yaml:10: accounts[1].securityHub.disableGlobalControlsOutsideHome: must be true or false, got the string "maybe"`},
		{"a misspelt key", dev + "    guardduty: {mode: skip}\n",
			`b.yaml:10: accounts[1].guardduty: unknown key; did you mean "guardDuty"?`},
	}
	checkConfigCases(t, "b.yaml", cases)
}
