// Package orgadmin registers an account of an organization as the delegated
// administrator of GuardDuty, Amazon Inspector, AWS Config (its
// organization aggregator) and IAM Access Analyzer, from the
// organization's management account. CloudFormation has no resource type
// for these designations, so each is one SDK call (constructs/internal/sdkcall)
// with exactly its own IAM action, plus the Organizations actions the
// service makes with the caller's credentials where its documentation
// lists them.
//
// GuardDuty and Inspector are regional: their administrator is designated
// in every region, so a stack of each region needs this construct. Trusted
// access and the delegated administrator of AWS Organizations (AWS Config,
// IAM Access Analyzer) are organization-wide: made once, from one region
// (Props.RegionalOnly leaves them out of the other regions' stacks).
//
// Every call may run again on an existing organization (a redeploy, or an
// administrator designated by hand before): each ignores exactly the error
// its API returns when the administrator is already set, and the
// designations of GuardDuty and Inspector are then read back, so that an
// organization whose administrator is another account fails the deploy
// instead of passing as "already set".
package orgadmin

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
)

// Service is a service whose administrator the construct designates.
type Service string

// Services, in the order the construct designates them.
const (
	AWSConfig      Service = "awsConfig"
	AccessAnalyzer Service = "accessAnalyzer"
	GuardDuty      Service = "guardDuty"
	Inspector      Service = "inspector"
)

// Services are all services, in order.
var Services = []Service{AWSConfig, AccessAnalyzer, GuardDuty, Inspector}

// ServicePrincipals are the services' principals for trusted access and
// delegated administration
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_integrate_services_list.html).
// AWS Config's aggregator needs config.amazonaws.com only: the other one
// its page names, config-multiaccountsetup.amazonaws.com, is for
// organization rules and conformance packs, which the baseline does not
// deploy
// (https://docs.aws.amazon.com/config/latest/developerguide/aggregated-register-delegated-administrator.html).
var ServicePrincipals = map[Service]string{
	AWSConfig:      "config.amazonaws.com",
	AccessAnalyzer: "access-analyzer.amazonaws.com",
	GuardDuty:      "guardduty.amazonaws.com",
	Inspector:      "inspector2.amazonaws.com",
}

// regional are the services whose administrator is designated per region.
var regional = []Service{GuardDuty, Inspector}

// Regional reports whether a service's administrator is designated in each
// region (GuardDuty, Inspector) rather than once for the organization.
func Regional(s Service) bool { return slices.Contains(regional, s) }

// Props configure DelegatedAdministrators. AdminAccountID is required;
// the zero value of every other field designates all four services.
type Props struct {
	// AdminAccountID is the 12-digit id of the member account to designate
	// (the audit, or security tooling, account). Required.
	AdminAccountID string
	// OrganizationID is the organization's id (o-...): it scopes the grant
	// of organizations:RegisterDelegatedAdministrator to the one account
	// (the Service Authorization Reference's account ARN,
	// arn:${Partition}:organizations::${Account}:account/o-${OrganizationId}/${AccountId}).
	// Required, since every designation registers the account.
	OrganizationID string
	// Skip leaves these services out.
	// Default: none, all four are designated.
	Skip []Service
	// RegionalOnly designates only the regional services (GuardDuty,
	// Inspector), for the stacks of regions other than the one that makes
	// the organization-wide registrations.
	// Default: false, the organization-wide registrations too.
	RegionalOnly bool
	// After are constructs the first designation waits for, such as other
	// changes of the organization in the same stack: AWS Organizations
	// refuses concurrent changes (ConcurrentModificationException).
	// Default: none.
	After []constructs.IDependable
}

// DelegatedAdministrators are the designations, made one after the other.
type DelegatedAdministrators struct {
	constructs.Construct
	// Resource is the last designation made: depend on it to wait for all.
	// Nil when there is none (every service skipped).
	Resource awscdk.CustomResource
	// Calls are the designations' Apply calls, in order, with their
	// construct ids, for review and tests.
	Calls []NamedCall
}

// NamedCall is one designation: the construct id of its setting (also its
// resource type, Custom::<ID>) and its call.
type NamedCall struct {
	ID      string
	Service Service
	Call    sdkcall.Call
}

var (
	accountID = regexp.MustCompile(`^\d{12}$`)
	orgID     = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
)

// forwarded are the AWS Organizations actions that GuardDuty and Inspector
// make with the caller's credentials when the management account
// designates their administrator: their pages list them beside the
// service's own action
// (https://docs.aws.amazon.com/guardduty/latest/ug/organizations_permissions.html,
// https://docs.aws.amazon.com/inspector/latest/user/designating-admin.html).
// The two that change the organization are held to the service's own
// principal and, for the registration, to the one account.
func forwarded(principal, registerArn string) []sdkcall.Grant {
	onlyFor := map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": principal}}
	return []sdkcall.Grant{
		{Permission: "organizations:EnableAWSServiceAccess", Conditions: onlyFor},
		{Permission: "organizations:RegisterDelegatedAdministrator", Resource: registerArn, Conditions: onlyFor},
		{Permission: "organizations:ListDelegatedAdministrators"},
		{Permission: "organizations:ListAWSServiceAccessForOrganization"},
		{Permission: "organizations:DescribeOrganizationalUnit"},
		{Permission: "organizations:DescribeAccount"},
		{Permission: "organizations:DescribeOrganization"},
		{Permission: "organizations:ListAccounts"},
	}
}

// Calls returns the calls New makes for props, in order. partition and
// managementAccount make the registration's account ARN (tokens are
// fine).
func Calls(props Props, partition, managementAccount string) []NamedCall {
	if !accountID.MatchString(props.AdminAccountID) {
		panic(fmt.Sprintf("orgadmin: AdminAccountID %q must be the 12-digit id of the member account to designate", props.AdminAccountID))
	}
	if !orgID.MatchString(props.OrganizationID) {
		panic(fmt.Sprintf("orgadmin: OrganizationID %q must be the organization's id, like o-a1b2c3d4e5", props.OrganizationID))
	}
	for i, s := range props.Skip {
		if !slices.Contains(Services, s) {
			panic(fmt.Sprintf("orgadmin: Skip[%d] %q is not one of %v", i, s, Services))
		}
	}
	admin := props.AdminAccountID
	registerArn := fmt.Sprintf("arn:%s:organizations::%s:account/%s/%s", partition, managementAccount, props.OrganizationID, admin)
	var out []NamedCall
	for _, s := range Services {
		if slices.Contains(props.Skip, s) || (props.RegionalOnly && !Regional(s)) {
			continue
		}
		principal := ServicePrincipals[s]
		onlyFor := map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": principal}}
		switch s {
		case AWSConfig, AccessAnalyzer:
			name := map[Service]string{AWSConfig: "Config", AccessAnalyzer: "AccessAnalyzer"}[s]
			out = append(out,
				// Enabling trusted access that is on already succeeds:
				// "enables the integration", with no error for "already
				// enabled" among the API's errors
				// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_EnableAWSServiceAccess.html).
				NamedCall{ID: name + "TrustedAccess", Service: s, Call: sdkcall.Call{
					Service: "Organizations", Action: "enableAWSServiceAccess",
					Parameters: map[string]any{"ServicePrincipal": principal},
					Permission: "organizations:EnableAWSServiceAccess",
					Conditions: onlyFor,
				}},
				// "AccountAlreadyRegisteredException: The specified account
				// is already a delegated administrator for this Amazon Web
				// Services service"
				// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_RegisterDelegatedAdministrator.html).
				// Another account registered for the service makes a
				// different error (ConstraintViolationException, the
				// service's limit of administrators), which fails the deploy.
				NamedCall{ID: name + "DelegatedAdmin", Service: s, Call: sdkcall.Call{
					Service: "Organizations", Action: "registerDelegatedAdministrator",
					Parameters:   map[string]any{"AccountId": admin, "ServicePrincipal": principal},
					Permission:   "organizations:RegisterDelegatedAdministrator",
					Resource:     registerArn,
					Conditions:   onlyFor,
					IgnoreErrors: "^AccountAlreadyRegisteredException$",
				}})
		case GuardDuty:
			// https://docs.aws.amazon.com/guardduty/latest/APIReference/API_EnableOrganizationAdminAccount.html
			// lists one client error, BadRequestException, for every
			// refusal. AWS documents no message; GuardDuty's answer to a
			// second designation has been reported as "The request failed
			// because the account is already enabled as the GuardDuty
			// delegated administrator for the organization.", also when
			// another account is the administrator
			// (https://zenn.dev/hiroga/scraps/b7f24f6079ec55). So the
			// error passes only with that message, and the Wait then reads
			// the administrator back: only this account passes, and a
			// changed message fails the deploy rather than passing
			// silently.
			out = append(out, NamedCall{ID: "GuardDutyDelegatedAdmin", Service: s, Call: sdkcall.Call{
				Service: "GuardDuty", Action: "enableOrganizationAdminAccount",
				Parameters:    map[string]any{"AdminAccountId": admin},
				Permission:    "guardduty:EnableOrganizationAdminAccount",
				Forwarded:     forwarded(principal, registerArn),
				IgnoreErrors:  "^BadRequestException$",
				IgnoreMessage: "already enabled as the GuardDuty delegated administrator",
				Wait: &sdkcall.Wait{
					Service: "GuardDuty", Action: "listOrganizationAdminAccounts",
					Permission: "guardduty:ListOrganizationAdminAccounts",
					Query:      fmt.Sprintf("AdminAccounts[?AdminAccountId=='%s'].AdminStatus", admin),
					Until:      "ENABLED",
				},
			}})
		case Inspector:
			// https://docs.aws.amazon.com/inspector/v2/APIReference/API_EnableDelegatedAdminAccount.html:
			// ConflictException, "A conflict occurred", is the answer for
			// an administrator that is set already. The Wait reads the
			// administrator back, so that only this account passes.
			out = append(out, NamedCall{ID: "InspectorDelegatedAdmin", Service: s, Call: sdkcall.Call{
				Service: "Inspector2", Action: "enableDelegatedAdminAccount",
				Parameters:   map[string]any{"delegatedAdminAccountId": admin},
				Permission:   "inspector2:EnableDelegatedAdminAccount",
				Forwarded:    forwarded(principal, registerArn),
				IgnoreErrors: "^ConflictException$",
				Wait: &sdkcall.Wait{
					Service: "Inspector2", Action: "listDelegatedAdminAccounts",
					Permission: "inspector2:ListDelegatedAdminAccounts",
					Query:      fmt.Sprintf("delegatedAdminAccounts[?accountId=='%s'].status", admin),
					Until:      "ENABLED",
				},
			}})
		}
	}
	return out
}

// New makes the designations in the stack of scope, which must be the
// organization's management account. Removing the construct leaves them
// (no revert call): taking an administrator away stops the organization's
// threat detection and findings in every member, a decision for a person
// with the steps of each service's page, not a stack deletion.
func New(scope constructs.Construct, id string, props Props) *DelegatedAdministrators {
	stack := awscdk.Stack_Of(scope)
	calls := Calls(props, *stack.Partition(), *stack.Account())
	c := constructs.NewConstruct(scope, jsii.String(id))
	d := &DelegatedAdministrators{Construct: c, Calls: calls}
	var prev awscdk.CustomResource
	for _, nc := range calls {
		s := sdkcall.New(c, nc.ID, sdkcall.Props{ResourceType: "Custom::" + nc.ID, Apply: nc.Call})
		if prev == nil {
			for _, a := range props.After {
				s.Policy.Node().AddDependency(a)
			}
		} else {
			// One after the other (through the policy, as rootaccess
			// does): each registration changes the organization, and
			// AWS Organizations refuses concurrent changes
			// (ConcurrentModificationException).
			s.Policy.Node().AddDependency(prev)
		}
		prev = s.Resource
	}
	d.Resource = prev
	return d
}
