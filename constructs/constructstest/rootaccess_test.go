package constructstest

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/rootaccess"
)

// synth builds RootAccess with the zero Props, changed by mutate, in a bare
// app (no feature flags of this repository) and returns the template.
func rootAccessSynth(t *testing.T, mutate func(*rootaccess.Props)) assertions.Template {
	t.Helper()
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Management"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("999999999999"), Region: jsii.String("us-east-1")},
	})
	var props rootaccess.Props
	if mutate != nil {
		mutate(&props)
	}
	r := rootaccess.New(stack, "RootAccess", props)
	if r.Resource == nil {
		t.Fatal("no Resource")
	}
	return assertions.Template_FromStack(stack, nil)
}

func TestRootAccess(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*rootaccess.Props)
		types  map[string]int
	}{
		{"the zero Props turn on trusted access, credentials management and root sessions", nil,
			map[string]int{"Custom::IAMTrustedAccess": 1, "Custom::RootCredentialsManagement": 1, "Custom::RootSessions": 1}},
		{"DisableRootSessions leaves root sessions off", func(p *rootaccess.Props) { p.DisableRootSessions = true },
			map[string]int{"Custom::IAMTrustedAccess": 1, "Custom::RootCredentialsManagement": 1, "Custom::RootSessions": 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl := rootAccessSynth(t, tc.mutate)
			for typ, n := range tc.types {
				tmpl.ResourceCountIs(jsii.String(typ), jsii.Number(n))
			}
			// Each call's policy grants its one action, nothing more.
			tmpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
				"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
					"Action": "iam:EnableOrganizationsRootCredentialsManagement", "Effect": "Allow", "Resource": "*"}}},
			})
		})
	}
}
