// Package inspector turns on Amazon Inspector (v2) scanning in one account
// and region. CloudFormation has no resource type that does, so it is an
// sdkcall custom resource: inspector2:Enable for the chosen resource types
// on create and update, with the time Enable takes spent polling
// BatchGetAccountStatus until every type reports ENABLED; on update,
// inspector2:Disable for the types removed from the list; on delete,
// Disable only with RevertOnDelete.
//
// Inspector creates its service-linked role when it is enabled
// (https://docs.aws.amazon.com/inspector/latest/user/using-service-linked-roles.html).
// The construct asks IAM for the role first, as the Config recorder does, so
// that Enable never depends on the function's role being allowed to create
// it; a region that finds it already made carries on.
package inspector

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
)

// ScanType is a kind of resource Inspector scans.
type ScanType string

// Scan types, in the order the template lists them.
const (
	EC2        ScanType = "ec2"        // EC2 instances
	ECR        ScanType = "ecr"        // container images in ECR
	Lambda     ScanType = "lambda"     // Lambda functions' packages (standard scanning)
	LambdaCode ScanType = "lambdaCode" // Lambda functions' own code; needs Lambda
)

// ScanTypes are all scan types.
var ScanTypes = []ScanType{EC2, ECR, Lambda, LambdaCode}

// resourceTypes are the API's names (botocore's ResourceScanType enum) of
// the scan types; the status keys of BatchGetAccountStatus's resourceState
// are the ScanType values themselves.
var resourceTypes = map[ScanType]string{EC2: "EC2", ECR: "ECR", Lambda: "LAMBDA", LambdaCode: "LAMBDA_CODE"}

// ResourceType is the Enable API's name of a scan type ("EC2",
// "LAMBDA_CODE"); "" for an unknown one.
func ResourceType(s ScanType) string { return resourceTypes[s] }

// Custom resource types, in the template.
const (
	ScansResourceType             = "Custom::InspectorScans"
	ServiceLinkedRoleResourceType = "Custom::InspectorServiceLinkedRole"
)

// ServicePrincipal is Inspector's service, and the service name of its
// service-linked role.
const ServicePrincipal = "inspector2.amazonaws.com"

// ServiceLinkedRoleName is the role Inspector scans with.
const ServiceLinkedRoleName = "AWSServiceRoleForAmazonInspector2"

// Props configure Inspector.
type Props struct {
	// Scans are the resource types to scan. The ones left out are not
	// enabled, and removing one on update disables it.
	// Default: all of ScanTypes.
	Scans []ScanType
	// RevertOnDelete disables the scans when the construct is removed
	// from the stack (or the stack deleted).
	// Default: false, scanning stays on: a scanner that disappears
	// silently with a stack is a defect.
	RevertOnDelete bool
}

// Inspector is Amazon Inspector's scanning in one account and region.
type Inspector struct {
	constructs.Construct
	// Resource is the custom resource that enables the scans; depend on it
	// to wait until they are on.
	Resource awscdk.CustomResource
	// ServiceLinkedRole is the custom resource that makes Inspector's
	// service-linked role.
	ServiceLinkedRole awscdk.CustomResource
	// Scans are the scan types it enables, in ScanTypes order.
	Scans []ScanType
}

// New builds the custom resources. Bad props panic with the fix.
func New(scope constructs.Construct, id string, props Props) *Inspector {
	scans, err := scanList(props.Scans)
	if err != nil {
		panic(err.Error())
	}
	types := make([]any, len(scans))
	statuses := make([]string, len(scans))
	for i, s := range scans {
		types[i] = resourceTypes[s]
		statuses[i] = string(s) + ".status"
	}
	// Every call names the stack's own account. The API takes the caller's
	// account when accountIds is left out, but says so nowhere for Disable,
	// and an explicit id cannot reach another account (the caller is no
	// delegated administrator here). moto needs the ids, too. (Terraform's
	// aws_inspector2_enabler always sends them, for standalone accounts as
	// well.)
	accounts := []any{awscdk.Stack_Of(scope).Account()}
	disable := func(params map[string]any) *sdkcall.Call {
		params["accountIds"] = accounts
		return &sdkcall.Call{Service: "Inspector2", Action: "disable", Permission: "inspector2:Disable", Parameters: params}
	}
	var revert *sdkcall.Call
	if props.RevertOnDelete {
		// Disable names its resource types: without them it turns all of
		// Inspector off, types this construct never enabled included.
		revert = disable(map[string]any{"resourceTypes": types})
	}
	setting := sdkcall.New(scope, id, sdkcall.Props{
		ResourceType: ScansResourceType,
		Apply: sdkcall.Call{
			Service:    "Inspector2",
			Action:     "enable",
			Permission: "inspector2:Enable",
			Parameters: map[string]any{"resourceTypes": types, "accountIds": accounts},
			// Enable answers while the types are still ENABLING; the deploy
			// waits until each is ENABLED (botocore's Status enum), and
			// fails on anything else (DISABLED, SUSPENDED), so a deploy
			// that succeeded means scanning is on.
			Wait: &sdkcall.Wait{
				Service:    "Inspector2",
				Action:     "batchGetAccountStatus",
				Permission: "inspector2:BatchGetAccountStatus",
				Parameters: map[string]any{"accountIds": accounts},
				Query:      "accounts[0].resourceState.[" + strings.Join(statuses, ", ") + "]",
				Until:      "ENABLED",
				Pending:    []string{"ENABLING"},
			},
		},
		Prune:     disable(map[string]any{}),
		PruneList: "resourceTypes",
		Revert:    revert,
	})
	c := setting.Resource.Node().Scope().(constructs.Construct)

	account := awscdk.Stack_Of(c).Account()
	partition := awscdk.Stack_Of(c).Partition()
	role := sdkcall.New(c, "ServiceLinkedRole", sdkcall.Props{
		ResourceType:      ServiceLinkedRoleResourceType,
		ApplyOnCreateOnly: true,
		Apply: sdkcall.Call{
			Service:      "IAM",
			Action:       "createServiceLinkedRole",
			Parameters:   map[string]any{"AWSServiceName": ServicePrincipal},
			Permission:   "iam:CreateServiceLinkedRole",
			Resource:     fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/%s/%s", *partition, *account, ServicePrincipal, ServiceLinkedRoleName),
			Conditions:   map[string]any{"StringEquals": map[string]any{"iam:AWSServiceName": ServicePrincipal}},
			IgnoreErrors: "^InvalidInputException$", // "has been taken in this account"
		},
	})
	setting.Resource.Node().AddDependency(role.Resource)

	in := &Inspector{Construct: c, Resource: setting.Resource, ServiceLinkedRole: role.Resource, Scans: scans}
	c.Node().AddValidation(&oneInStack{c: c})
	return in
}

// scanList checks the scan types and puts them in ScanTypes order.
func scanList(scans []ScanType) ([]ScanType, error) {
	if scans == nil {
		return slices.Clone(ScanTypes), nil
	}
	if len(scans) == 0 {
		return nil, fmt.Errorf("inspector: Scans is empty; leave it nil for all of %s, or remove Inspector to scan nothing", names(ScanTypes))
	}
	for i, s := range scans {
		if _, ok := resourceTypes[s]; !ok {
			return nil, fmt.Errorf("inspector: Scans[%d] %q is not a scan type; use %s", i, s, names(ScanTypes))
		}
		if slices.Index(scans, s) < i {
			return nil, fmt.Errorf("inspector: Scans[%d] %q is listed twice", i, s)
		}
	}
	// Lambda code scanning runs on top of standard scanning:
	// https://docs.aws.amazon.com/inspector/latest/user/scanning-lambda.html
	if slices.Contains(scans, LambdaCode) && !slices.Contains(scans, Lambda) {
		return nil, fmt.Errorf("inspector: Scans has lambdaCode without lambda; Inspector scans Lambda code only with Lambda standard scanning on, so add lambda")
	}
	var out []ScanType
	for _, s := range ScanTypes {
		if slices.Contains(scans, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func names(list []ScanType) string {
	s := make([]string, len(list))
	for i, t := range list {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

// oneInStack fails synthesis when a stack holds two Inspectors: Inspector
// is one setting per account and region, and two custom resources would
// undo each other's Prune and Revert.
type oneInStack struct{ c constructs.Construct }

func (v *oneInStack) Validate() *[]*string {
	var others []string
	for _, n := range *awscdk.Stack_Of(v.c).Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if r, ok := n.(awscdk.CfnResource); ok && *r.CfnResourceType() == ScansResourceType && !strings.HasPrefix(*n.Node().Path(), *v.c.Node().Path()+"/") {
			others = append(others, *n.Node().Scope().Node().Scope().Node().Path())
		}
	}
	if len(others) == 0 {
		return &[]*string{}
	}
	return &[]*string{jsii.String(fmt.Sprintf("inspector: %s and %s both enable Inspector in this stack; keep one per account and region",
		*v.c.Node().Path(), strings.Join(others, ", ")))}
}
