// Package rootaccess turns on centralized root access for the member
// accounts of an organization, from its management account: trusted access
// for IAM, then root credentials management and root sessions
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management).
// CloudFormation has no resource type for these, so each is one SDK call
// (constructs/internal/sdkcall) with exactly its own IAM action.
package rootaccess

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
)

// IAMServicePrincipal is IAM's service principal for trusted access
// (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-iam.html).
const IAMServicePrincipal = "iam.amazonaws.com"

// Props configure RootAccess. The zero value turns on both features.
type Props struct {
	// DisableRootSessions leaves privileged root sessions (sts:AssumeRoot
	// from the management account) off: only root credentials management
	// is turned on. Default: false (both on).
	DisableRootSessions bool
}

// RootAccess is the three settings; each waits (through its policy) for
// the one before it, since both IAM calls need trusted access first (their API
// pages: "Enable trusted access for AWS Identity and Access Management in
// AWS Organizations").
type RootAccess struct {
	constructs.Construct
	// Resource is the last setting made: depend on it to wait for all.
	Resource awscdk.CustomResource
	// Calls are the settings' Apply calls, in order, for review and tests.
	Calls []sdkcall.Call
}

// Calls returns the SDK calls New makes for props, in order.
func Calls(props Props) []sdkcall.Call {
	calls := []sdkcall.Call{
		{
			Service: "Organizations", Action: "enableAWSServiceAccess",
			Parameters: map[string]any{"ServicePrincipal": IAMServicePrincipal},
			Permission: "organizations:EnableAWSServiceAccess",
			Conditions: map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": IAMServicePrincipal}},
		},
		// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootCredentialsManagement.html
		{Service: "IAM", Action: "enableOrganizationsRootCredentialsManagement", Permission: "iam:EnableOrganizationsRootCredentialsManagement"},
	}
	if !props.DisableRootSessions {
		// https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableOrganizationsRootSessions.html
		calls = append(calls, sdkcall.Call{Service: "IAM", Action: "enableOrganizationsRootSessions", Permission: "iam:EnableOrganizationsRootSessions"})
	}
	return calls
}

var ids = []string{"IAMTrustedAccess", "RootCredentialsManagement", "RootSessions"}

// New makes the settings in the stack of scope, which must be the
// organization's management account. Removing the construct leaves them on
// (no revert call): turning centralized root access off is a decision for
// a person, not a stack deletion.
func New(scope constructs.Construct, id string, props Props) *RootAccess {
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := &RootAccess{Construct: c, Calls: Calls(props)}
	var prev awscdk.CustomResource
	for i, call := range r.Calls {
		s := sdkcall.New(c, ids[i], sdkcall.Props{ResourceType: "Custom::" + ids[i], ApplyOnCreateOnly: true, Apply: call})
		if prev != nil {
			// Through the policy: a Setting's resource waits for its own
			// policy only, and the policy waits for the setting before.
			s.Policy.Node().AddDependency(prev)
		}
		prev = s.Resource
	}
	r.Resource = prev
	return r
}
