// Package sdkcall makes an account setting that CloudFormation has no
// resource type for, with one AWS SDK call: a customresources
// AwsCustomResource whose policy grants exactly the IAM action of that call
// (and of the call that undoes it, if any).
//
// All such resources of a stack share one singleton Lambda function and
// role; each adds its own statements to that role.
package sdkcall

import (
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	cr "github.com/aws/aws-cdk-go/awscdk/v2/customresources"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Call is one SDK call and the one IAM action it needs.
type Call struct {
	// Service is the SDK client, e.g. "EC2", "IAM", "S3Control".
	Service string
	// Action is the API operation, e.g. "enableEbsEncryptionByDefault".
	Action string
	// Parameters of the operation. Default: none.
	Parameters map[string]any
	// Permission is the IAM action the call needs, e.g.
	// "ec2:EnableEbsEncryptionByDefault".
	Permission string
	// Resource the permission is granted on.
	// Default: "*", for actions that have no resource type.
	Resource string
	// Conditions of the grant. Default: none.
	Conditions map[string]any
	// IgnoreErrors is a regular expression of error names that count as
	// success, e.g. "^InvalidInputException$". Default: none.
	IgnoreErrors string
}

// Props configure a Setting.
type Props struct {
	// ResourceType names the resource in the template; it must start with
	// "Custom::". Default: "Custom::AWS".
	ResourceType string
	// Apply makes the setting, on create and on every update. Required.
	Apply Call
	// ApplyOnCreateOnly calls Apply on create only: for settings that never
	// change once made. Default: false.
	ApplyOnCreateOnly bool
	// Revert undoes the setting when the resource is deleted.
	// Default: nil, the setting stays after the resource is gone.
	Revert *Call
}

// New builds the custom resource. Its policy grants Apply's permission and,
// with Revert, Revert's: no more.
func New(scope constructs.Construct, id string, props Props) cr.AwsCustomResource {
	if props.Apply.Service == "" || props.Apply.Action == "" || props.Apply.Permission == "" {
		panic("sdkcall: Apply needs a Service, an Action and a Permission")
	}
	physicalID := cr.PhysicalResourceId_Of(jsii.String(id))
	apply := props.Apply.sdkCall(physicalID)
	statements := []awsiam.PolicyStatement{props.Apply.statement()}
	p := &cr.AwsCustomResourceProps{
		OnCreate:            apply,
		InstallLatestAwsSdk: jsii.Bool(false),
	}
	if !props.ApplyOnCreateOnly {
		p.OnUpdate = apply
	}
	if props.Revert != nil {
		p.OnDelete = props.Revert.sdkCall(physicalID)
		statements = append(statements, props.Revert.statement())
	}
	if props.ResourceType != "" {
		p.ResourceType = jsii.String(props.ResourceType)
	}
	p.Policy = cr.AwsCustomResourcePolicy_FromStatements(&statements)
	stack := awscdk.Stack_Of(scope)
	first := stack.Node().TryFindChild(jsii.String(singletonID)) == nil
	resource := cr.NewAwsCustomResource(scope, jsii.String(id), p)
	if first {
		suppressSingleton(stack.Node().FindChild(jsii.String(singletonID)))
	}
	policy := []*cdknag.NagPackSuppression{{
		Id: jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"),
		Reason: jsii.String("AwsCustomResource attaches each call's statements to the shared custom-resource role as an inline policy " +
			"that lives and dies with the call; a managed policy would outlive it"),
	}}
	if slices.ContainsFunc(append([]Call{props.Apply}, revertCalls(props.Revert)...), func(c Call) bool { return c.Resource == "" }) {
		policy = append(policy, &cdknag.NagPackSuppression{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("The action is account-wide and has no resource type to scope it to; the statement names that one action only"),
			AppliesTo: &[]any{"Resource::*"},
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(resource.Node().FindChild(jsii.String("CustomResourcePolicy")), &policy, jsii.Bool(true))
	return resource
}

// singletonID is the construct id of the Lambda function that every
// AwsCustomResource of a stack shares.
const singletonID = "AWS679f53fac002430cb0da5b7982bd2287"

func revertCalls(c *Call) []Call {
	if c == nil {
		return nil
	}
	return []Call{*c}
}

// suppressSingleton records, once per stack, why the shared custom-resource
// function is as CDK builds it.
func suppressSingleton(fn constructs.IConstruct) {
	cdknag.NagSuppressions_AddResourceSuppressions(fn, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("AWSLambdaBasicExecutionRole lets the custom-resource function write its own logs, and nothing else"),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
	}, {
		Id:     jsii.String("NIST.800.53.R5-LambdaInsideVPC"),
		Reason: jsii.String("The function only calls AWS APIs during deploys; a VPC would add NAT or endpoints and no protection"),
	}, {
		Id:     jsii.String("NIST.800.53.R5-LambdaDLQ"),
		Reason: jsii.String("CloudFormation invokes the function synchronously and fails the deploy on an error; there is nothing to queue"),
	}, {
		Id:     jsii.String("NIST.800.53.R5-LambdaConcurrency"),
		Reason: jsii.String("The function runs only while CloudFormation deploys the stack, a handful of times"),
	}, {
		Id:     jsii.String("NIST.800.53.R5-CloudWatchLogGroupEncrypted"),
		Reason: jsii.String("The log group holds the SDK calls that make account settings and their responses, no data or secrets"),
	}}, jsii.Bool(true))
}

func (c Call) sdkCall(physicalID cr.PhysicalResourceId) *cr.AwsSdkCall {
	call := &cr.AwsSdkCall{
		Service:            jsii.String(c.Service),
		Action:             jsii.String(c.Action),
		PhysicalResourceId: physicalID,
	}
	if c.Parameters != nil {
		call.Parameters = c.Parameters
	}
	if c.IgnoreErrors != "" {
		call.IgnoreErrorCodesMatching = jsii.String(c.IgnoreErrors)
	}
	return call
}

func (c Call) statement() awsiam.PolicyStatement {
	resource := c.Resource
	if resource == "" {
		resource = "*"
	}
	props := &awsiam.PolicyStatementProps{
		Actions:   jsii.Strings(c.Permission),
		Resources: jsii.Strings(resource),
	}
	if c.Conditions != nil {
		props.Conditions = &c.Conditions
	}
	return awsiam.NewPolicyStatement(props)
}
