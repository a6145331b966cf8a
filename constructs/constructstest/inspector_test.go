package constructstest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/inspector"
)

// synth builds Inspector with the zero Props, changed by mutate, in a bare
// app (no context, no feature flags) and returns the template's resources.
func inspectorSynth(t *testing.T, mutate func(*inspector.Props)) (map[string]map[string]any, *inspector.Inspector) {
	t.Helper()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	var props inspector.Props
	if mutate != nil {
		mutate(&props)
	}
	in := inspector.New(stack, "Inspector", props)
	tpl := *assertions.Template_FromStack(stack, nil).ToJSON()
	resources := tpl["Resources"].(map[string]any)
	// A bare app writes no aws:cdk:path metadata: find each L1's logical
	// id from the construct tree.
	out := map[string]map[string]any{}
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if cfn, ok := n.(awscdk.CfnResource); ok {
			id := stack.Resolve(stack.GetLogicalId(cfn)).(string)
			out[strings.TrimPrefix(*n.Node().Path(), "Test/")] = resources[id].(map[string]any)
		}
	}
	return out, in
}

func inspectorJsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func inspectorProp(t *testing.T, res map[string]map[string]any, path, key string) string {
	t.Helper()
	r, ok := res[path]
	if !ok {
		t.Fatalf("no resource at %s", path)
	}
	return inspectorJsonOf(t, r["Properties"].(map[string]any)[key])
}

const enableAll = `{"Client":"inspector2","Method":"enable",` +
	`"Parameters":"{\"accountIds\":[\"111111111111\"],\"resourceTypes\":[\"EC2\",\"ECR\",\"LAMBDA\",\"LAMBDA_CODE\"]}",` +
	`"Wait":{"Method":"batch_get_account_status","Parameters":"{\"accountIds\":[\"111111111111\"]}","Pending":["ENABLING"],` +
	`"Query":"accounts[0].resourceState.[ec2.status, ecr.status, lambda.status, lambdaCode.status]","Seconds":5,"Until":"ENABLED"}}`

func TestInspectorDefaults(t *testing.T) {
	res, in := inspectorSynth(t, nil)
	t.Run("the zero Props scan all four resource types and wait until each is ENABLED", func(t *testing.T) {
		if got := inspectorProp(t, res, "Inspector/Resource/Default", "Create"); got != enableAll {
			t.Errorf("Create %s\nwant   %s", got, enableAll)
		}
		if got := inspectorJsonOf(t, in.Scans); got != `["ec2","ecr","lambda","lambdaCode"]` {
			t.Errorf("Scans %s", got)
		}
	})
	t.Run("an update enables the list and disables what it no longer has", func(t *testing.T) {
		want := strings.TrimSuffix(enableAll, "}") + `,"Prune":{"Client":"inspector2","List":"resourceTypes","Method":"disable","Parameters":"{\"accountIds\":[\"111111111111\"]}"}}`
		var got, w map[string]any
		json.Unmarshal([]byte(inspectorProp(t, res, "Inspector/Resource/Default", "Update")), &got)
		json.Unmarshal([]byte(want), &w)
		if inspectorJsonOf(t, got) != inspectorJsonOf(t, w) {
			t.Errorf("Update %s\nwant   %s", inspectorJsonOf(t, got), inspectorJsonOf(t, w))
		}
	})
	t.Run("removing it leaves scanning on", func(t *testing.T) {
		if got := inspectorProp(t, res, "Inspector/Resource/Default", "Delete"); got != "null" {
			t.Errorf("Delete %s, want none", got)
		}
	})
	t.Run("the function may make exactly these calls", func(t *testing.T) {
		// One statement per call: a bare app does not merge them (this
		// repo's cdk.json sets @aws-cdk/aws-iam:minimizePolicies).
		want := `{"Statement":[{"Action":"inspector2:Enable","Effect":"Allow","Resource":"*"},{"Action":"inspector2:Disable","Effect":"Allow","Resource":"*"},` +
			`{"Action":"inspector2:BatchGetAccountStatus","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}`
		if got := inspectorProp(t, res, "Inspector/CustomResourcePolicy/Resource", "PolicyDocument"); got != want {
			t.Errorf("policy %s\nwant   %s", got, want)
		}
		slr := `{"Statement":[{"Action":"iam:CreateServiceLinkedRole","Condition":{"StringEquals":{"iam:AWSServiceName":"inspector2.amazonaws.com"}},"Effect":"Allow",` +
			`"Resource":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":iam::111111111111:role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2"]]}}],"Version":"2012-10-17"}`
		if got := inspectorProp(t, res, "Inspector/ServiceLinkedRole/CustomResourcePolicy/Resource", "PolicyDocument"); got != slr {
			t.Errorf("service-linked role policy %s\nwant   %s", got, slr)
		}
	})
	t.Run("Enable waits for the service-linked role", func(t *testing.T) {
		deps := inspectorJsonOf(t, res["Inspector/Resource/Default"]["DependsOn"])
		if !strings.Contains(deps, "InspectorServiceLinkedRole") || !strings.Contains(deps, "InspectorCustomResourcePolicy") {
			t.Errorf("DependsOn %s, want the role and the policy", deps)
		}
		if got := inspectorProp(t, res, "Inspector/ServiceLinkedRole/Resource/Default", "Update"); got != "null" {
			t.Errorf("the role is asked for again on update: %s", got)
		}
	})
	t.Run("the L1 child is Resource", func(t *testing.T) {
		if in.Resource.Node().Id() == nil || *in.Resource.Node().Id() != "Resource" {
			t.Errorf("id %v", in.Resource.Node().Id())
		}
	})
}

func TestInspectorOptions(t *testing.T) {
	t.Run("RevertOnDelete disables exactly the configured types", func(t *testing.T) {
		res, _ := inspectorSynth(t, func(p *inspector.Props) { p.RevertOnDelete = true })
		want := `{"Client":"inspector2","Method":"disable","Parameters":"{\"accountIds\":[\"111111111111\"],\"resourceTypes\":[\"EC2\",\"ECR\",\"LAMBDA\",\"LAMBDA_CODE\"]}"}`
		if got := inspectorProp(t, res, "Inspector/Resource/Default", "Delete"); got != want {
			t.Errorf("Delete %s\nwant   %s", got, want)
		}
	})
	t.Run("Scans are put in a fixed order and the wait checks only them", func(t *testing.T) {
		res, in := inspectorSynth(t, func(p *inspector.Props) { p.Scans = []inspector.ScanType{inspector.ECR, inspector.EC2} })
		got := inspectorProp(t, res, "Inspector/Resource/Default", "Create")
		if !strings.Contains(got, `\"resourceTypes\":[\"EC2\",\"ECR\"]`) || !strings.Contains(got, `"Query":"accounts[0].resourceState.[ec2.status, ecr.status]"`) {
			t.Errorf("Create %s", got)
		}
		if inspectorJsonOf(t, in.Scans) != `["ec2","ecr"]` {
			t.Errorf("Scans %v", in.Scans)
		}
	})
}

func TestInspectorBadPropsPanicWithTheFix(t *testing.T) {
	for _, c := range []struct {
		name   string
		mutate func(*inspector.Props)
		want   string
	}{
		{"an unknown scan type", func(p *inspector.Props) { p.Scans = []inspector.ScanType{"ec2", "ecs"} },
			`inspector: Scans[1] "ecs" is not a scan type; use ec2, ecr, lambda, lambdaCode`},
		{"a type twice", func(p *inspector.Props) { p.Scans = []inspector.ScanType{"ecr", "ecr"} },
			`inspector: Scans[1] "ecr" is listed twice`},
		{"an empty list", func(p *inspector.Props) { p.Scans = []inspector.ScanType{} },
			"inspector: Scans is empty; leave it nil for all of ec2, ecr, lambda, lambdaCode, or remove Inspector to scan nothing"},
		{"Lambda code without Lambda", func(p *inspector.Props) { p.Scans = []inspector.ScanType{"lambdaCode"} },
			"inspector: Scans has lambdaCode without lambda; Inspector scans Lambda code only with Lambda standard scanning on, so add lambda"},
	} {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if got := recover(); got != c.want {
					t.Errorf("panic %v\nwant  %s", got, c.want)
				}
			}()
			inspectorSynth(t, c.mutate)
		})
	}
}

func TestInspectorOnePerStack(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	inspector.New(stack, "One", inspector.Props{})
	inspector.New(stack, "Two", inspector.Props{})
	want := "inspector: Test/One and Test/Two both enable Inspector in this stack; keep one per account and region"
	defer func() {
		got, _ := recover().(error)
		if got == nil || !strings.Contains(got.Error(), want) {
			t.Errorf("panic %v\nwant it to say %s", got, want)
		}
	}()
	assertions.Template_FromStack(stack, nil)
}
