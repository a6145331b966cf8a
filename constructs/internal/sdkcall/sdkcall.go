// Package sdkcall makes an account setting that CloudFormation has no
// resource type for, with one AWS SDK call per lifecycle event: a custom
// resource whose own policy grants exactly the IAM action of that call
// (and of the call that undoes it, if any).
//
// All such resources of a stack share one Lambda function: handler.py, a
// few dozen lines of Python inline in the template (CloudFormation's
// ZipFile), so a reviewer reads every line that runs in the account and the
// template needs no CDK asset (StackSets deploy it as is). The function has
// a role of its own that may write its own log group, and each resource
// attaches its statements to that role.
package sdkcall

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/keypolicy"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// Handler is the function's Python source, inline in the template.
//
//go:embed handler.py
var Handler string

// MaxInlineCode is the most CloudFormation takes in a Lambda function's
// ZipFile, in bytes.
const MaxInlineCode = 4096

// Call is one SDK call and the one IAM action it needs.
type Call struct {
	// Service is the SDK client, e.g. "EC2", "IAM", "S3Control"; in lower
	// case it must be boto3's client name ("ec2", "iam", "s3control").
	Service string
	// Action is the API operation, e.g. "enableEbsEncryptionByDefault"; the
	// function calls boto3's method of that name in snake_case
	// (enable_ebs_encryption_by_default, see MethodName), or Action itself
	// if it has an underscore.
	Action string
	// Parameters of the operation. They travel as JSON, so booleans and
	// numbers keep their types; a string may be a token that needs no JSON
	// escaping, such as the stack's account id. Default: none.
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
	// success, e.g. "^InvalidInputException$". The function matches it
	// against the modelled exception's name (as the AWS SDKs name errors)
	// and against the API's error code ("InvalidInput").
	// Default: none, every error fails the deploy.
	IgnoreErrors string
	// IgnoreMessage is a regular expression that the error's message must
	// match as well before IgnoreErrors lets it pass, for an error code
	// that stands for several failures. Needs IgnoreErrors.
	// Default: none, the name or code alone decides.
	IgnoreMessage string
	// Wait polls a read call after this one until the setting has taken
	// effect, for services that apply a setting in the background.
	// Default: nil, the call's answer is the end of it.
	Wait *Wait
	// Forwarded are IAM actions that the service makes with the caller's
	// own credentials while it serves the call (forward access sessions,
	// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html),
	// as the service's documentation lists them; each is granted in a
	// statement of its own, beside Permission.
	// Default: none.
	Forwarded []Grant
	// Output is a JMESPath expression (boto3 ships the jmespath package)
	// that picks one non-empty string from the call's answer; the function
	// returns it as the custom resource's attribute "Value" (see
	// Setting.Value). A call that fails, or whose error IgnoreErrors lets
	// pass, has no answer, and the deploy fails.
	// Default: "", the resource has no attribute.
	Output string
}

// Grant is one more IAM action a Call needs: a forwarded action.
type Grant struct {
	// Permission is the IAM action, e.g. "organizations:DescribeOrganization".
	Permission string
	// Resource the permission is granted on. Default: "*".
	Resource string
	// Conditions of the grant. Default: none.
	Conditions map[string]any
}

// Wait is a read call the function repeats until every value that Query
// picks from its answer equals Until. A value in Pending means "not yet";
// any other value fails the deploy at once. Polling stops with an error
// when the function has 10 seconds left, so it always answers CloudFormation
// (a setting still pending is an error to see, not a success to assume).
type Wait struct {
	// Service, Action, Parameters and Permission are those of Call.
	Service    string
	Action     string
	Parameters map[string]any
	Permission string
	// Query is a JMESPath expression (boto3 ships the jmespath package)
	// that picks one value or a list of values from the answer.
	Query string
	// Until is the value every picked value must have. Required.
	Until string
	// Pending are the values that mean the setting is on its way.
	// Default: none, only Until is accepted.
	Pending []string
	// IntervalSeconds between polls. Default: 5.
	IntervalSeconds int
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
	// Prune undoes part of the setting on update: the function calls it
	// with its PruneList parameter set to the items that the old Apply's
	// parameter of that name had and the new one has not (when there are
	// any). Default: nil, an update only applies.
	Prune *Call
	// PruneList names Apply's list parameter that Prune takes the removed
	// items in. Required with Prune.
	PruneList string
}

// Setting is one account setting: the custom resource and the policy that
// lets the shared function make its calls, under a construct of New's id.
type Setting struct {
	// Resource is the custom resource; depend on it to wait for the
	// setting. Its physical id is New's id, on every event, so that no
	// update replaces it.
	Resource awscdk.CustomResource
	// Policy grants Apply's permission and, with Revert, Revert's, to the
	// shared function's role. It lives and dies with the Setting, and the
	// Resource depends on it, so the Revert call of a removed Setting still
	// has its permission.
	Policy awsiam.Policy

	hasOutput bool
}

// Value is the string Apply's Output picked from the call's answer
// (Fn::GetAtt of the resource's attribute Value). It panics unless Apply
// has an Output.
func (s *Setting) Value() *string {
	if !s.hasOutput {
		panic("sdkcall: Value needs an Apply call with an Output")
	}
	return s.Resource.GetAttString(jsii.String("Value"))
}

// Timeouts, in seconds. timeoutSeconds is how long one call may take before
// the function is stopped. serviceTimeoutSeconds is how long CloudFormation
// waits for the function's answer: the function answers on every error, but
// a function stopped at its timeout cannot, and CloudFormation would wait an
// hour. The function's timeout leaves room for a Wait to poll a setting
// that a service applies in the background (Inspector's Enable). (Plain numbers: a package-level CDK value would start the Node
// runtime as soon as any command of the app runs.)
const (
	timeoutSeconds        = 90
	serviceTimeoutSeconds = 120
)

// LogGroupName is the function's log group.
const LogGroupName = naming.CustomResourceLogGroup

// KeyAlias names the key that encrypts the function's log group.
const KeyAlias = "alias/baseline/sdkcall"

// logRetention of the function's log group.
const logRetention = awslogs.RetentionDays_ONE_YEAR

// functionID is the construct id, under the stack, of the function that
// every Setting of the stack shares. It is the id AwsCustomResource gave
// its function, which sdkcall used before: the custom resources' service
// token is that function's ARN, and CloudFormation refuses to change the
// service token of a deployed custom resource ("Modifying service token is
// not allowed"). Keeping the id, and leaving the function's name to
// CloudFormation (a new name would replace it and change its ARN), updates
// the function in place instead. That is also why it logs to its log group
// through its logging config rather than to /aws/lambda/<its name>.
const functionID = "AWS679f53fac002430cb0da5b7982bd2287"

// sharedID is the construct id, under the stack, of the function's role and
// log group.
const sharedID = "SdkCall"

var (
	resourceType = regexp.MustCompile(`^Custom::[A-Za-z0-9_@-]{1,60}$`)
	clientName   = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	actionName   = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)
)

// New builds the custom resource. Its policy grants Apply's permission and,
// with Revert, Revert's: no more.
func New(scope constructs.Construct, id string, props Props) *Setting {
	if props.Apply.Service == "" || props.Apply.Action == "" || props.Apply.Permission == "" {
		panic("sdkcall: Apply needs a Service, an Action and a Permission")
	}
	calls := []Call{props.Apply}
	if props.Revert != nil {
		calls = append(calls, *props.Revert)
	}
	if props.Prune != nil {
		if props.ApplyOnCreateOnly {
			panic("sdkcall: Prune runs on update; it cannot go with ApplyOnCreateOnly")
		}
		if _, ok := props.Apply.Parameters[props.PruneList]; !ok || props.PruneList == "" {
			panic(fmt.Sprintf("sdkcall: PruneList %q must name a list parameter of Apply", props.PruneList))
		}
		calls = append(calls, *props.Prune)
	}
	for _, c := range calls {
		c.check()
	}
	// The wait calls are calls too, each with its own permission.
	for _, c := range calls {
		if w := c.Wait; w != nil {
			calls = append(calls, Call{Service: w.Service, Action: w.Action, Permission: w.Permission})
		}
	}
	if props.ResourceType == "" {
		props.ResourceType = "Custom::AWS"
	}
	if !resourceType.MatchString(props.ResourceType) {
		panic(fmt.Sprintf("sdkcall: ResourceType %q must be Custom:: and up to 60 letters, digits and _@-", props.ResourceType))
	}
	stack := awscdk.Stack_Of(scope)
	fn := function(stack)

	if props.Apply.Output != "" && props.ApplyOnCreateOnly {
		// On an update without a call the function answers no Value, and
		// CloudFormation fails every Fn::GetAtt of it.
		panic("sdkcall: an Apply with an Output must run on update too; it cannot go with ApplyOnCreateOnly")
	}
	setting := constructs.NewConstruct(scope, jsii.String(id))
	s := &Setting{hasOutput: props.Apply.Output != ""}
	var statements []awsiam.PolicyStatement
	for _, c := range calls {
		statements = append(statements, c.statement())
		for _, g := range c.Forwarded {
			statements = append(statements, Call{Permission: g.Permission, Resource: g.Resource, Conditions: g.Conditions}.statement())
		}
	}
	s.Policy = awsiam.NewPolicy(setting, jsii.String("CustomResourcePolicy"), &awsiam.PolicyProps{
		Statements: &statements,
		Roles:      &[]awsiam.IRole{fn.Role()},
	})
	suppressions := []*cdknag.NagPackSuppression{{
		Id: jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"),
		Reason: jsii.String("Each setting attaches its calls' statements to the shared function's role with a policy of its own " +
			"that lives and dies with the setting; a managed policy would outlive it"),
	}}
	if slices.ContainsFunc(calls, func(c Call) bool {
		return c.Resource == "" || slices.ContainsFunc(c.Forwarded, func(g Grant) bool { return g.Resource == "" })
	}) {
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id:        jsii.String("AwsSolutions-IAM5"),
			Reason:    jsii.String("The action is account-wide and has no resource type to scope it to; the statement names that one action only"),
			AppliesTo: &[]any{"Resource::*"},
		})
	}
	cdknag.NagSuppressions_AddResourceSuppressions(s.Policy, &suppressions, jsii.Bool(true))

	properties := map[string]any{
		"PhysicalResourceId": id,
		"Create":             props.Apply.properties(stack),
	}
	if !props.ApplyOnCreateOnly {
		update := props.Apply.properties(stack)
		if props.Prune != nil {
			prune := props.Prune.properties(stack)
			prune["List"] = props.PruneList
			update["Prune"] = prune
		}
		properties["Update"] = update
	}
	if props.Revert != nil {
		properties["Delete"] = props.Revert.properties(stack)
	}
	s.Resource = awscdk.NewCustomResource(setting, jsii.String("Resource"), &awscdk.CustomResourceProps{
		ServiceToken:   fn.FunctionArn(),
		ResourceType:   jsii.String(props.ResourceType),
		Properties:     &properties,
		ServiceTimeout: awscdk.Duration_Seconds(jsii.Number(serviceTimeoutSeconds)),
		RemovalPolicy:  awscdk.RemovalPolicy_DESTROY,
	})
	s.Resource.Node().AddDependency(s.Policy)
	return s
}

// function returns the stack's shared function, made on first use.
func function(stack awscdk.Stack) awslambda.IFunction {
	if existing := stack.Node().TryFindChild(jsii.String(functionID)); existing != nil {
		fn, ok := existing.(awslambda.IFunction)
		if !ok {
			panic(fmt.Sprintf("sdkcall: %s in stack %s is not the shared function", functionID, *stack.StackName()))
		}
		return fn
	}
	if len(Handler) > MaxInlineCode {
		panic(fmt.Sprintf("sdkcall: handler.py is %d bytes; CloudFormation takes at most %d inline", len(Handler), MaxInlineCode))
	}
	shared := constructs.NewConstruct(stack, jsii.String(sharedID))
	logGroupArn := stack.FormatArn(&awscdk.ArnComponents{
		Service:      jsii.String("logs"),
		Resource:     jsii.String("log-group"),
		ResourceName: jsii.String(LogGroupName),
		ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	// The log group is encrypted with a key of its own (AWS Control Tower's
	// CT.CLOUDWATCH.PR.3 asks for a customer managed key on every log
	// group). Only CloudWatch Logs of this region may use it, and only for
	// this log group: the encryption context CloudWatch Logs sends is the
	// log group's ARN
	// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
	// The key goes with the stack, like the log group: once the log group
	// is deleted, nothing is left that the key could decrypt.
	key := awskms.NewKey(shared, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the log group " + LogGroupName + " of the baseline's custom-resource function"),
		Alias:             jsii.String(KeyAlias),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsEncryptsTheSdkCallLogGroup"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("logs."+*stack.Region()+".amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"ArnEquals": map[string]any{"kms:EncryptionContext:aws:logs:arn": logGroupArn},
		},
	}), jsii.Bool(false))
	keypolicy.DenyGrants(key)

	// Its own log group, made before the function and deleted with the
	// stack: it holds the calls made during deploys, which CloudTrail
	// records as well. One per account and region, like every baseline
	// name.
	logGroup := awslogs.NewLogGroup(shared, jsii.String("LogGroup"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(LogGroupName),
		Retention:     logRetention,
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})

	role := awsiam.NewRole(shared, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Makes the account settings of this stack that CloudFormation has no resource type for; each setting adds its own policy"),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"WriteOwnLogs": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Actions: jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
					// The log group's ARN with :*, its streams: written out
					// rather than a GetAtt, so a reviewer reads the name.
					Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
						Service:      jsii.String("logs"),
						Resource:     jsii.String("log-group"),
						ResourceName: jsii.String(LogGroupName + ":*"),
						ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
					})),
				})},
			}),
		},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"),
		Reason: jsii.String("The role's one inline policy lets the function write its own log group and nothing else; it belongs to this role alone"),
	}, {
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("The wildcard is the log streams of the function's own log group, which Lambda names per instance; " +
			"the statement grants writing them and nothing else"),
		AppliesTo: &[]any{&cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:.+:logs:.+:log-group:\/baseline\/sdkcall:\*$/`)}},
	}}, jsii.Bool(true))

	fn := awslambda.NewFunction(stack, jsii.String(functionID), &awslambda.FunctionProps{
		Description: jsii.String("Makes account settings that CloudFormation has no resource type for, one AWS SDK call per event (sdkcall)"),
		Runtime:     awslambda.Runtime_PYTHON_3_14(),
		Handler:     jsii.String("index.handler"),
		Code:        awslambda.Code_FromInline(jsii.String(Handler)),
		Role:        role,
		Timeout:     awscdk.Duration_Seconds(jsii.Number(timeoutSeconds)),
		LogGroup:    logGroup,
	})
	cdknag.NagSuppressions_AddResourceSuppressions(fn, &[]*cdknag.NagPackSuppression{{
		Id:     jsii.String("NIST.800.53.R5-LambdaInsideVPC"),
		Reason: jsii.String("The function only calls AWS APIs during deploys; a VPC would add NAT or endpoints and no protection"),
	}, {
		Id:     jsii.String("NIST.800.53.R5-LambdaDLQ"),
		Reason: jsii.String("CloudFormation invokes the function for a custom resource and fails the deploy on an error; there is nothing to queue"),
	}, {
		Id:     jsii.String("NIST.800.53.R5-LambdaConcurrency"),
		Reason: jsii.String("The function runs only while CloudFormation deploys the stack, a handful of times"),
	}}, jsii.Bool(true))
	return fn
}

// check panics on a call the function could not make.
func (c Call) check() {
	if !clientName.MatchString(strings.ToLower(c.Service)) || !actionName.MatchString(c.Action) || c.Permission == "" {
		panic(fmt.Sprintf("sdkcall: call %s.%s needs a Service like \"IAM\", an Action like \"updateAccountPasswordPolicy\" and a Permission", c.Service, c.Action))
	}
	if c.IgnoreErrors != "" {
		if _, err := regexp.Compile(c.IgnoreErrors); err != nil {
			panic(fmt.Sprintf("sdkcall: call %s.%s: IgnoreErrors %q is not a regular expression: %v", c.Service, c.Action, c.IgnoreErrors, err))
		}
	}
	if c.IgnoreMessage != "" {
		if c.IgnoreErrors == "" {
			panic(fmt.Sprintf("sdkcall: call %s.%s: IgnoreMessage %q needs IgnoreErrors, the error names it applies to", c.Service, c.Action, c.IgnoreMessage))
		}
		if _, err := regexp.Compile(c.IgnoreMessage); err != nil {
			panic(fmt.Sprintf("sdkcall: call %s.%s: IgnoreMessage %q is not a regular expression: %v", c.Service, c.Action, c.IgnoreMessage, err))
		}
	}
	for i, g := range c.Forwarded {
		if !strings.Contains(g.Permission, ":") {
			panic(fmt.Sprintf("sdkcall: call %s.%s: Forwarded[%d] needs a Permission like \"organizations:DescribeOrganization\"", c.Service, c.Action, i))
		}
	}
	if w := c.Wait; w != nil {
		if !strings.EqualFold(w.Service, c.Service) || !actionName.MatchString(w.Action) || w.Permission == "" || w.Query == "" || w.Until == "" {
			panic(fmt.Sprintf("sdkcall: call %s.%s: Wait needs the call's Service, an Action, a Permission, a Query and Until", c.Service, c.Action))
		}
		if w.IntervalSeconds < 0 || w.IntervalSeconds > timeoutSeconds/3 {
			panic(fmt.Sprintf("sdkcall: call %s.%s: Wait.IntervalSeconds %d must be from 1 to %d", c.Service, c.Action, w.IntervalSeconds, timeoutSeconds/3))
		}
	}
}

// properties are the call as the function reads it: boto3's client and
// method names, and the parameters as JSON.
func (c Call) properties(stack awscdk.Stack) map[string]any {
	params := c.Parameters
	if params == nil {
		params = map[string]any{}
	}
	p := map[string]any{
		"Client":     strings.ToLower(c.Service),
		"Method":     MethodName(c.Action),
		"Parameters": stack.ToJsonString(params, nil),
	}
	if c.IgnoreErrors != "" {
		p["IgnoreErrors"] = c.IgnoreErrors
	}
	if c.IgnoreMessage != "" {
		p["IgnoreMessage"] = c.IgnoreMessage
	}
	if c.Output != "" {
		p["Output"] = c.Output
	}
	if w := c.Wait; w != nil {
		params := w.Parameters
		if params == nil {
			params = map[string]any{}
		}
		interval := w.IntervalSeconds
		if interval == 0 {
			interval = 5
		}
		wp := map[string]any{
			"Method":     MethodName(w.Action),
			"Parameters": stack.ToJsonString(params, nil),
			"Query":      w.Query,
			"Until":      w.Until,
			"Seconds":    interval,
		}
		if len(w.Pending) > 0 {
			wp["Pending"] = w.Pending
		}
		p["Wait"] = wp
	}
	return p
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

var (
	pluralAcronym = regexp.MustCompile(`[A-Z]{2,}s$`)
	firstCap      = regexp.MustCompile(`(.)([A-Z][a-z]+)`)
	endCap        = regexp.MustCompile(`([a-z0-9])([A-Z])`)
)

// MethodName is boto3's method name for an API operation, as botocore's
// xform_name makes it: "enableEbsEncryptionByDefault" and
// "EnableEbsEncryptionByDefault" give enable_ebs_encryption_by_default,
// "GetSAMLProvider" get_saml_provider, "ListCAs" list_cas. A name with an
// underscore is taken as boto3's own: use that for the few operations
// botocore names by a table instead (e.g. create_cached_iscsi_volume).
func MethodName(action string) string {
	if strings.Contains(action, "_") {
		return action
	}
	if m := pluralAcronym.FindString(action); m != "" {
		action = action[:len(action)-len(m)] + "_" + strings.ToLower(m)
	}
	s := firstCap.ReplaceAllString(action, "${1}_${2}")
	return strings.ToLower(endCap.ReplaceAllString(s, "${1}_${2}"))
}
