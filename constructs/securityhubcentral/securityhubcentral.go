// Package securityhubcentral is Security Hub CSPM central configuration
// for an AWS Organizations organization: in the management account, the
// designation of the delegated administrator (DelegatedAdmin); in the
// delegated administrator's home Region, the organization configuration
// (CENTRAL), one configuration policy and its associations (Central).
//
// Central configuration works from one home Region, the finding
// aggregator's, and its policies "take effect in the home Region and all
// linked Regions"
// (https://docs.aws.amazon.com/securityhub/latest/userguide/aggregation-central-configuration.html):
// Central needs the aggregator (constructs/securityhub, Props.
// AggregateRegions) in the same account and region, deployed first.
// CloudFormation's aggregator needs at least one linked Region: its
// RegionLinkingMode has no NO_REGIONS
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-securityhub-findingaggregator.html).
package securityhubcentral

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/securityhub"
)

// SelfManaged is the configuration policy id that makes a target
// self-managed: it keeps its own Security Hub settings, made in the account
// itself, and no policy of an OU above it applies
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-securityhub-policyassociation.html,
// ConfigurationPolicyId).
const SelfManaged = "SELF_MANAGED_SECURITY_HUB"

var (
	accountID = regexp.MustCompile(`^[0-9]{12}$`)
	// Organizations' OU and root id patterns
	// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_OrganizationalUnit.html,
	// https://docs.aws.amazon.com/organizations/latest/APIReference/API_Root.html).
	ouID   = regexp.MustCompile(`^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$`)
	rootID = regexp.MustCompile(`^r-[0-9a-z]{4,32}$`)
	// controlID is a security control id, e.g. IAM.9 or EC2.172, not a
	// standard's own id such as CIS's 1.14.
	controlID = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*\.[0-9]+$`)
)

// DelegatedAdminProps configure the designation.
type DelegatedAdminProps struct {
	// AdminAccountID is the account to designate as the delegated Security
	// Hub administrator: a member account, never the management account,
	// which cannot be the delegated administrator under central
	// configuration
	// (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html).
	// Required.
	AdminAccountID string
}

// DelegatedAdmin designates the delegated Security Hub administrator. It
// belongs in the management account, in the Region that becomes the home
// Region: "When you start using central configuration, the same delegated
// administrator is automatically set in all linked Regions as well"
// (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html),
// so one is enough. Designating it "enables Security Hub as a trusted
// service in Organizations" and enables Security Hub in the current
// Region for the delegated administrator account
// (https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html):
// no separate Organizations trusted-access call is made.
type DelegatedAdmin struct {
	constructs.Construct
	Resource awssecurityhub.CfnDelegatedAdmin
}

// NewDelegatedAdmin designates props.AdminAccountID.
func NewDelegatedAdmin(scope constructs.Construct, id string, props DelegatedAdminProps) *DelegatedAdmin {
	if !accountID.MatchString(props.AdminAccountID) {
		panic(fmt.Sprintf("securityhubcentral: AdminAccountID %q is not a 12-digit account id; name the delegated administrator (audit) account", props.AdminAccountID))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	r := awssecurityhub.NewCfnDelegatedAdmin(c, jsii.String("Resource"), &awssecurityhub.CfnDelegatedAdminProps{
		AdminAccountId: jsii.String(props.AdminAccountID),
	})
	return &DelegatedAdmin{Construct: c, Resource: r}
}

// Props configure central configuration. The zero value turns it on with a
// policy that enables Security Hub with securityhub.DefaultStandards and
// every control, associated with nothing.
type Props struct {
	// Standards the policy enables, by their ARN after "standards/", as in
	// securityhub.Props. Default: securityhub.DefaultStandards.
	Standards []string
	// NoStandards enables Security Hub with no standard. Default: false.
	NoStandards bool
	// DisabledControls are security control ids (e.g. IAM.9) the policy
	// disables in every account it applies to, in the home Region and
	// every linked Region; every other control is enabled, new ones too
	// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_SecurityControlsConfiguration.html).
	// Security Hub itself disables the controls that involve global
	// resources outside the home Region
	// (https://docs.aws.amazon.com/securityhub/latest/userguide/controls-to-disable.html).
	// Default: none.
	DisabledControls []string
	// Targets are the OU ids (ou-...) and root ids (r-...) the policy is
	// associated with: every account under them, new ones too, is centrally
	// managed by it. Default: none, the policy applies to no account.
	Targets []string
	// Accounts are account ids associated with the policy itself, such as
	// the delegated administrator's own account, which is in no target
	// OU or should not wait for one. Default: none.
	Accounts []string
	// SelfManagedAccounts are account ids associated as self-managed
	// (SelfManaged): each keeps the Security Hub settings made in the
	// account itself, even under a target OU. Default: none.
	SelfManagedAccounts []string
	// PolicyName names the configuration policy. Default: "baseline".
	PolicyName string
	// Description of the configuration policy.
	// Default: a sentence naming the standards.
	Description string
	// Aggregator is the home Region's finding aggregator (securityhub.Hub's
	// Aggregator, or a construct holding it), when it is in this stack:
	// everything here is created after it (central configuration needs
	// the home Region). Default: nil, the aggregator was deployed before.
	Aggregator constructs.IConstruct
}

// Central is central configuration in the home Region of the delegated
// administrator.
type Central struct {
	constructs.Construct
	// Organization is the organization configuration: CENTRAL.
	Organization awssecurityhub.CfnOrganizationConfiguration
	// Policy is the configuration policy.
	Policy awssecurityhub.CfnConfigurationPolicy
	// Associations are by target id (OU, root or account).
	Associations map[string]awssecurityhub.CfnPolicyAssociation
}

// New turns central configuration on, with one configuration policy.
func New(scope constructs.Construct, id string, props Props) *Central {
	if props.NoStandards && len(props.Standards) > 0 {
		panic("securityhubcentral: NoStandards and Standards are both set; leave one out")
	}
	for _, s := range props.Standards {
		if strings.Count(s, "/v/") != 1 || strings.HasPrefix(s, "arn:") {
			panic(fmt.Sprintf("securityhubcentral: standard %q must be the part of its ARN after standards/, like aws-foundational-security-best-practices/v/1.0.0", s))
		}
	}
	for _, c := range props.DisabledControls {
		if !controlID.MatchString(c) {
			panic(fmt.Sprintf("securityhubcentral: DisabledControls: %q is not a security control id like IAM.9", c))
		}
	}
	for _, t := range props.Targets {
		if !ouID.MatchString(t) && !rootID.MatchString(t) {
			panic(fmt.Sprintf("securityhubcentral: Targets: %q is not an OU id like ou-ab12-cdef3456 or a root id like r-ab12", t))
		}
	}
	for _, a := range props.SelfManagedAccounts {
		if !accountID.MatchString(a) {
			panic(fmt.Sprintf("securityhubcentral: SelfManagedAccounts: %q is not a 12-digit account id", a))
		}
	}
	for _, a := range props.Accounts {
		if !accountID.MatchString(a) {
			panic(fmt.Sprintf("securityhubcentral: Accounts: %q is not a 12-digit account id", a))
		}
		if slices.Contains(props.SelfManagedAccounts, a) {
			panic(fmt.Sprintf("securityhubcentral: account %s is in both Accounts and SelfManagedAccounts; an account has one association", a))
		}
	}
	name := props.PolicyName
	if name == "" {
		name = "baseline"
	}
	standards := securityhub.Props{Standards: props.Standards, NoStandards: props.NoStandards}.EnabledStandards()

	c := constructs.NewConstruct(scope, jsii.String(id))
	if props.Aggregator != nil {
		c.Node().AddDependency(props.Aggregator)
	}
	stack := awscdk.Stack_Of(c)

	// CENTRAL: the delegated administrator configures accounts by
	// policies. AutoEnable false and AutoEnableStandards NONE are what
	// Security Hub sets, and requires, under central configuration: "this
	// field is set to false and can't be changed"; new accounts get their
	// settings from the policy of their OU instead
	// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_UpdateOrganizationConfiguration.html).
	org := awssecurityhub.NewCfnOrganizationConfiguration(c, jsii.String("Organization"), &awssecurityhub.CfnOrganizationConfigurationProps{
		ConfigurationType:   jsii.String("CENTRAL"),
		AutoEnable:          jsii.Bool(false),
		AutoEnableStandards: jsii.String("NONE"),
	})

	arns := make([]string, len(standards))
	for i, s := range standards {
		arns[i] = securityhub.StandardArn(*stack.Partition(), *stack.Region(), s)
	}
	description := props.Description
	if description == "" {
		description = "Security baseline: Security Hub on"
		if len(standards) > 0 {
			description += " with " + strings.Join(standards, ", ")
		}
	}
	disabled := slices.Clone(props.DisabledControls)
	if disabled == nil {
		disabled = []string{} // every control on, new ones too
	}
	policy := awssecurityhub.NewCfnConfigurationPolicy(c, jsii.String("Policy"), &awssecurityhub.CfnConfigurationPolicyProps{
		Name:        jsii.String(name),
		Description: jsii.String(description),
		ConfigurationPolicy: &awssecurityhub.CfnConfigurationPolicy_PolicyProperty{
			SecurityHub: &awssecurityhub.CfnConfigurationPolicy_SecurityHubPolicyProperty{
				ServiceEnabled:             jsii.Bool(true),
				EnabledStandardIdentifiers: jsii.Strings(arns...),
				SecurityControlsConfiguration: &awssecurityhub.CfnConfigurationPolicy_SecurityControlsConfigurationProperty{
					DisabledSecurityControlIdentifiers: jsii.Strings(disabled...),
				},
			},
		},
	})
	policy.AddResourceDependency(org, jsii.String("configuration policies need central configuration"))

	central := &Central{Construct: c, Organization: org, Policy: policy, Associations: map[string]awssecurityhub.CfnPolicyAssociation{}}
	associations := constructs.NewConstruct(c, jsii.String("Associations"))
	associate := func(target, targetType string, policyID *string) {
		a := awssecurityhub.NewCfnPolicyAssociation(associations, jsii.String(target), &awssecurityhub.CfnPolicyAssociationProps{
			ConfigurationPolicyId: policyID,
			TargetId:              jsii.String(target),
			TargetType:            jsii.String(targetType),
		})
		a.AddResourceDependency(org, jsii.String("associations need central configuration"))
		central.Associations[target] = a
	}
	for _, t := range props.Targets {
		kind := "ORGANIZATIONAL_UNIT"
		if rootID.MatchString(t) {
			kind = "ROOT"
		}
		associate(t, kind, policy.AttrId())
	}
	for _, a := range props.Accounts {
		associate(a, "ACCOUNT", policy.AttrId())
	}
	for _, a := range props.SelfManagedAccounts {
		associate(a, "ACCOUNT", jsii.String(SelfManaged))
	}
	return central
}
