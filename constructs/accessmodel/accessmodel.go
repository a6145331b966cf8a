// Package accessmodel builds the baseline's access model: people sign in as
// IAM users with almost no permissions, each in one of three groups; a group
// lets its members assume one role, only with a recent MFA sign-in (and,
// when configured, only from allowed networks); the role holds the real
// permissions.
//
// Roles go in every account (NewRoles); groups, their self-service policy
// and the break-glass users go in the identity account (NewGroups): each
// account in single-account mode, one account in hub mode. Role names are
// fixed, so that a group can name the role in every account by ARN.
//
// The static policy documents come from policies/iam (policies.IAMPolicy);
// the trust and group policies, which need account ids and MFA conditions,
// are built here.
package accessmodel

import (
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// Defaults of the roles, groups and MFA rule.
const (
	DefaultAdminRoleName    = naming.AdminRole
	DefaultOperatorRoleName = naming.OperatorRole
	DefaultReadOnlyRoleName = naming.ReadOnlyRole

	DefaultAdminGroupName    = naming.AdminGroup
	DefaultOperatorGroupName = naming.OperatorGroup
	DefaultReadOnlyGroupName = naming.ReadOnlyGroup

	DefaultMFAMaxAgeSeconds = 3600
	// ReadOnlyAuditPolicy is the AWS managed policy the read-only role
	// always holds next to its configured one: the security configuration
	// reads (findings, trail status, bucket and key policies, IAM
	// policies) that ViewOnlyAccess lacks.
	ReadOnlyAuditPolicy = "SecurityAudit"
	// SelfServicePolicyName is the customer managed policy that every
	// group gets (policies/iam/self-service-mfa.json).
	SelfServicePolicyName = naming.SelfServicePolicy
	// BreakGlassGroupName is the group of the break-glass users.
	BreakGlassGroupName = naming.BreakGlassGroup
	// OwnerTagKey marks the CloudFormation stacks the operator owns: the
	// operator may change a stack only while it carries OwnerTagKey=operator,
	// and may create stacks only with that tag (operator-deny.json). Every
	// other stack (the baseline's, CDKToolkit, an admin's) may keep an
	// admin-capable service role that CloudFormation would use on the
	// operator's behalf.
	OwnerTagKey = naming.OwnerTagKey
)

// Role configures one role.
type Role struct {
	// Name of the role.
	// Default: BaselineAdmin, BaselineOperator or BaselineReadOnly.
	Name string
	// ManagedPolicy is an AWS managed policy name (e.g. ReadOnlyAccess,
	// job-function/ViewOnlyAccess) or a managed policy ARN.
	// Default: AdministratorAccess, PowerUserAccess or
	// job-function/ViewOnlyAccess.
	ManagedPolicy string
	// MaxSessionHours is the longest session, 1 to 12.
	// Default: 1 (admin), 4 (operator), 8 (read-only).
	MaxSessionHours int
}

// GroupNames name the three groups.
type GroupNames struct {
	// Admin group. Default: BaselineAdmins.
	Admin string
	// Operator group. Default: BaselineOperators.
	Operator string
	// ReadOnly group. Default: BaselineReadOnlyUsers.
	ReadOnly string
}

// Protected are the names of the baseline resources that the operator role
// may not change (policies/iam/operator-deny.json). They must be the names
// the other constructs give those resources: every default comes from
// constructs/naming, as the other constructs' defaults do.
type Protected struct {
	// TrailName of the baseline trail. Default: naming.TrailName.
	TrailName string
	// LogBucketPrefix starts every baseline bucket name, and no other.
	// Default: naming.NamePrefix.
	LogBucketPrefix string
	// KeyAliasPrefix starts the alias of every baseline KMS key, without
	// "alias/". Default: naming.KeyAliasPattern().
	KeyAliasPrefix string
	// AlarmPrefix starts every baseline alarm name.
	// Default: naming.AlarmPrefix.
	AlarmPrefix string
	// TopicName of the alarm topic. Default: naming.AlarmTopic.
	TopicName string
	// LogGroupName of the trail's log group (or of the log group that
	// receives the account's CloudTrail events).
	// Default: naming.TrailLogGroup.
	LogGroupName string
	// LogGroupPrefix starts the name of every baseline log group.
	// Default: naming.LogGroupPrefix.
	LogGroupPrefix string
	// RulePrefix starts the name of every EventBridge rule of the baseline
	// (the finding routes). Default: naming.RulePrefix.
	RulePrefix string
	// StackPrefix starts the name of every baseline stack of the account
	// (and of every role CloudFormation names for them).
	// Default: this stack's name (only this stack is protected).
	StackPrefix string
}

// Rule is the MFA and network rule that both the groups and the trust
// policies enforce.
type Rule struct {
	// MFAMaxAgeSeconds: a role may be assumed this long after the MFA
	// sign-in, and not after. Default: 3600.
	MFAMaxAgeSeconds int
	// AllowedSourceIPs are the only networks (CIDRs) a role may be assumed
	// from. Default: none (any address).
	AllowedSourceIPs []string
}

// RolesProps configure the three roles of an account.
type RolesProps struct {
	// TrustedAccountID is the identity account: only its IAM users may
	// assume the roles. Default: this stack's account.
	TrustedAccountID string
	// Rule is the MFA and network rule of the trust policies.
	// Default: MFA at most 3600 seconds old, any address.
	Rule Rule
	// Admin role: the managed policy alone.
	// Default: BaselineAdmin, AdministratorAccess, 1 hour.
	Admin Role
	// Operator role: the managed policy and operator-deny.json.
	// Default: BaselineOperator, PowerUserAccess, 4 hours.
	Operator Role
	// ReadOnly role: the managed policy, SecurityAudit (always) and
	// readonly-deny.json.
	// Default: BaselineReadOnly, job-function/ViewOnlyAccess, 8 hours.
	ReadOnly Role
	// Groups are the group names the operator role may not change.
	// Default: the default group names.
	Groups GroupNames
	// Protected are the baseline resources the operator may not change.
	// Default: see Protected.
	Protected Protected
}

// Roles are the admin, operator and read-only roles of one account.
type Roles struct {
	constructs.Construct
	Admin, Operator, ReadOnly awsiam.Role
}

// NewRoles builds the three roles.
func NewRoles(scope constructs.Construct, id string, props RolesProps) *Roles {
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	if props.TrustedAccountID == "" {
		props.TrustedAccountID = *stack.Account()
	}
	props.Rule = props.Rule.withDefaults()
	props.Admin = props.Admin.withDefaults(DefaultAdminRoleName, "AdministratorAccess", 1)
	props.Operator = props.Operator.withDefaults(DefaultOperatorRoleName, "PowerUserAccess", 4)
	props.ReadOnly = props.ReadOnly.withDefaults(DefaultReadOnlyRoleName, "job-function/ViewOnlyAccess", 8)
	props.Groups = props.Groups.withDefaults()
	props.Protected = props.Protected.withDefaults(*stack.StackName())
	if !*awscdk.Token_IsUnresolved(jsii.String(props.TrustedAccountID)) && !accountIDPattern.MatchString(props.TrustedAccountID) {
		panic(fmt.Sprintf("accessmodel: TrustedAccountID %q is not a 12-digit account id", props.TrustedAccountID))
	}
	props.Rule.check()
	for _, r := range []Role{props.Admin, props.Operator, props.ReadOnly} {
		r.check()
	}

	values := map[string]string{
		"Partition":         *stack.Partition(),
		"AccountId":         *stack.Account(),
		"TrailName":         props.Protected.TrailName,
		"LogBucketPrefix":   props.Protected.LogBucketPrefix,
		"KeyAliasPrefix":    props.Protected.KeyAliasPrefix,
		"AlarmPrefix":       props.Protected.AlarmPrefix,
		"TopicName":         props.Protected.TopicName,
		"LogGroupName":      props.Protected.LogGroupName,
		"LogGroupPrefix":    props.Protected.LogGroupPrefix,
		"StackPrefix":       props.Protected.StackPrefix,
		"AdminRoleName":     props.Admin.Name,
		"OperatorRoleName":  props.Operator.Name,
		"ReadOnlyRoleName":  props.ReadOnly.Name,
		"AdminGroupName":    props.Groups.Admin,
		"OperatorGroupName": props.Groups.Operator,
		"ReadOnlyGroupName": props.Groups.ReadOnly,
		"RulePrefix":        props.Protected.RulePrefix,
		"OwnerTagKey":       OwnerTagKey,
	}
	trust := trustPrincipal(stack, props.TrustedAccountID, props.Rule)
	who := fmt.Sprintf("IAM users of account %s with MFA", props.TrustedAccountID)

	admin := newRole(c, "Admin", props.Admin, trust, "Baseline admin role: "+props.Admin.ManagedPolicy+"; assumed by "+who, "", nil, "")
	operator := newRole(c, "Operator", props.Operator, trust,
		"Baseline operator role: "+props.Operator.ManagedPolicy+" except changes to the baseline; assumed by "+who,
		"BaselineOperatorDeny", mustPolicy(policies.OperatorDeny, values), "")
	// ViewOnlyAccess shows what exists but not its security configuration;
	// SecurityAudit adds that. Neither reads stored data, and the deny
	// removes the content reads they still allow (policies/iam/README.md).
	readOnly := newRole(c, "ReadOnly", props.ReadOnly, trust,
		"Baseline read-only role: "+props.ReadOnly.ManagedPolicy+" and "+ReadOnlyAuditPolicy+" except reading data; assumed by "+who,
		"BaselineReadOnlyDeny", mustPolicy(policies.ReadOnlyDeny, values), ReadOnlyAuditPolicy)
	return &Roles{Construct: c, Admin: admin, Operator: operator, ReadOnly: readOnly}
}

// newRole builds one access role: the configured managed policy, the
// fixed AWS managed policy extra (none when ""), and the inline deny.
func newRole(scope constructs.Construct, id string, r Role, trust awsiam.IPrincipal, description, inlineName string, inline map[string]any, extra string) awsiam.Role {
	managed := []awsiam.IManagedPolicy{managedPolicy(scope, id+"Policy", r.ManagedPolicy)}
	// A role configured with the extra policy itself holds it once.
	if extra != "" && (r.ManagedPolicy == extra || strings.HasSuffix(r.ManagedPolicy, ":policy/"+extra)) {
		extra = ""
	}
	if extra != "" {
		managed = append(managed, awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(extra)))
	}
	props := &awsiam.RoleProps{
		RoleName:           jsii.String(r.Name),
		Description:        jsii.String(description),
		AssumedBy:          trust,
		ManagedPolicies:    &managed,
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(r.MaxSessionHours)),
	}
	suppressions := []*cdknag.NagPackSuppression{}
	if !strings.HasPrefix(r.ManagedPolicy, "arn:") {
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("The access model's roles hold the AWS managed job policy chosen in access.roles (" + r.ManagedPolicy + "): AWS keeps it current as services change, and it can be swapped for a customer managed policy in config"),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/" + r.ManagedPolicy},
		})
	}
	if extra != "" {
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id: jsii.String("AwsSolutions-IAM4"),
			Reason: jsii.String("The read-only role always holds the AWS managed " + extra + " policy: the security configuration reads a reviewer needs (findings, trail status, bucket, key and IAM policies), " +
				"which AWS keeps current as services change; the content reads it still allows are denied inline (policies/iam/readonly-content-reads.yaml)"),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/" + extra},
		})
	}
	if inline != nil {
		props.InlinePolicies = &map[string]awsiam.PolicyDocument{inlineName: awsiam.PolicyDocument_FromJson(inline)}
		suppressions = append(suppressions, &cdknag.NagPackSuppression{
			Id:     jsii.String("NIST.800.53.R5-IAMNoInlinePolicy"),
			Reason: jsii.String("The explicit deny (policies/iam) is inline so that it lives and dies with its role and cannot be detached on its own; the operator deny is also longer than a managed policy may be (6,144 characters)"),
		})
	}
	role := awsiam.NewRole(scope, jsii.String(id), props)
	if len(suppressions) > 0 {
		cdknag.NagSuppressions_AddResourceSuppressions(role, &suppressions, jsii.Bool(true))
	}
	return role
}

// Target is an account whose roles the groups reach.
type Target struct {
	// AccountID of the account, 12 digits. Required.
	AccountID string
	// AdminRole, OperatorRole and ReadOnlyRole name its roles.
	// Default: the default role names.
	AdminRole, OperatorRole, ReadOnlyRole string
}

// GroupsProps configure the groups of the identity account.
type GroupsProps struct {
	// Targets are the accounts whose roles the groups may assume, this
	// account among them if its roles trust it. Required: at least one.
	Targets []Target
	// Names of the groups. Default: see GroupNames.
	Names GroupNames
	// Rule is the MFA and network rule of the group policies.
	// Default: MFA at most 3600 seconds old, any address.
	Rule Rule
	// BreakGlassUsers are IAM users created here, in a group of their own
	// (BaselineBreakGlass) with AdministratorAccess and the self-service
	// policy: no role to assume and no network rule, but still nothing
	// without MFA. They get neither password nor access key here.
	// Default: none (and no break-glass group).
	BreakGlassUsers []string
}

// Groups are the three groups, their self-service policy and the
// break-glass users of the identity account.
type Groups struct {
	constructs.Construct
	Admin, Operator, ReadOnly awsiam.Group
	SelfService               awsiam.ManagedPolicy
	// BreakGlassGroup and BreakGlass are nil without break-glass users.
	BreakGlassGroup awsiam.Group
	BreakGlass      []awsiam.User
}

// NewGroups builds the groups, their policies and the break-glass users.
func NewGroups(scope constructs.Construct, id string, props GroupsProps) *Groups {
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	if len(props.Targets) == 0 {
		panic("accessmodel: Groups need at least one target account whose roles they may assume")
	}
	props.Names = props.Names.withDefaults()
	props.Rule = props.Rule.withDefaults()
	props.Rule.check()
	for i, t := range props.Targets {
		if !*awscdk.Token_IsUnresolved(jsii.String(t.AccountID)) && !accountIDPattern.MatchString(t.AccountID) {
			panic(fmt.Sprintf("accessmodel: Targets[%d].AccountID %q is not a 12-digit account id", i, t.AccountID))
		}
		props.Targets[i].AdminRole = orDefault(t.AdminRole, DefaultAdminRoleName)
		props.Targets[i].OperatorRole = orDefault(t.OperatorRole, DefaultOperatorRoleName)
		props.Targets[i].ReadOnlyRole = orDefault(t.ReadOnlyRole, DefaultReadOnlyRoleName)
	}
	for _, u := range props.BreakGlassUsers {
		if !iamNamePattern.MatchString(u) {
			panic(fmt.Sprintf("accessmodel: break-glass user %q is not an IAM user name: 1 to 64 letters, digits and +=,.@_-", u))
		}
	}

	selfService := awsiam.NewManagedPolicy(c, jsii.String("SelfServiceMfa"), &awsiam.ManagedPolicyProps{
		ManagedPolicyName: jsii.String(SelfServicePolicyName),
		Description:       jsii.String("Lets a user manage their own password and MFA device; denies everything else without MFA"),
		Document: awsiam.PolicyDocument_FromJson(mustPolicy(policies.SelfServiceMFA, map[string]string{
			"Partition": *stack.Partition(),
			"AccountId": *stack.Account(),
		})),
	})
	cdknag.NagSuppressions_AddResourceSuppressions(selfService, &[]*cdknag.NagPackSuppression{{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("iam:GetAccountPasswordPolicy and iam:ListVirtualMFADevices have no resource-level permissions; " +
			"a virtual MFA device may have any name, so creating one needs mfa/*; the Deny statements use * to block everything without MFA"),
		AppliesTo: &[]any{"Resource::*", &cdknag.RegexAppliesTo{Regex: jsii.String("/^Resource::arn:.+:iam::.+:mfa\\/\\*$/")}},
	}}, jsii.Bool(true))
	group := func(id, name, sid, label string, role func(Target) string) awsiam.Group {
		g := awsiam.NewGroup(c, jsii.String(id), &awsiam.GroupProps{
			GroupName:       jsii.String(name),
			ManagedPolicies: &[]awsiam.IManagedPolicy{selfService},
		})
		var arns []*string
		for _, t := range props.Targets {
			arns = append(arns, jsii.String(fmt.Sprintf("arn:%s:iam::%s:role/%s", *stack.Partition(), t.AccountID, role(t))))
		}
		g.AddManagedPolicy(awsiam.NewManagedPolicy(g, jsii.String("AssumeRole"), &awsiam.ManagedPolicyProps{
			Description: jsii.String("Lets the members of " + name + " assume the " + label + " role, with MFA, in every account it serves"),
			Document: awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{
				Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
					Sid:        jsii.String("Assume" + sid + "WithMfa"),
					Effect:     awsiam.Effect_ALLOW,
					Actions:    jsii.Strings("sts:AssumeRole"),
					Resources:  &arns,
					Conditions: props.Rule.conditions(),
				})},
			}),
		}))
		return g
	}
	out := &Groups{Construct: c, SelfService: selfService}
	out.Admin = group("Admins", props.Names.Admin, "AdminRole", "admin", func(t Target) string { return t.AdminRole })
	out.Operator = group("Operators", props.Names.Operator, "OperatorRole", "operator", func(t Target) string { return t.OperatorRole })
	out.ReadOnly = group("ReadOnly", props.Names.ReadOnly, "ReadOnlyRole", "read-only", func(t Target) string { return t.ReadOnlyRole })

	if len(props.BreakGlassUsers) > 0 {
		bg := awsiam.NewGroup(c, jsii.String("BreakGlass"), &awsiam.GroupProps{
			GroupName: jsii.String(BreakGlassGroupName),
			ManagedPolicies: &[]awsiam.IManagedPolicy{
				awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AdministratorAccess")),
				selfService,
			},
		})
		cdknag.NagSuppressions_AddResourceSuppressions(bg, &[]*cdknag.NagPackSuppression{{
			Id:        jsii.String("AwsSolutions-IAM4"),
			Reason:    jsii.String("Break-glass users must be able to repair anything when the role path fails (lost network, broken trust), so they hold AdministratorAccess directly; MFA is still required and every sign-in alarms"),
			AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/AdministratorAccess"},
		}}, jsii.Bool(true))
		out.BreakGlassGroup = bg
		// Users are keyed by name, so that reordering the list replaces nobody.
		users := constructs.NewConstruct(c, jsii.String("BreakGlassUsers"))
		for _, name := range props.BreakGlassUsers {
			out.BreakGlass = append(out.BreakGlass, awsiam.NewUser(users, jsii.String(name), &awsiam.UserProps{
				UserName: jsii.String(name),
				Groups:   &[]awsiam.IGroup{bg},
			}))
		}
	}
	return out
}

// conditions are what a group policy requires of a request: MFA, recent
// MFA, and an allowed source network when any are set.
func (r Rule) conditions() *map[string]any {
	c := map[string]any{
		"Bool":            map[string]any{"aws:MultiFactorAuthPresent": "true"},
		"NumericLessThan": map[string]any{"aws:MultiFactorAuthAge": strconv.Itoa(r.MFAMaxAgeSeconds)},
	}
	if len(r.AllowedSourceIPs) > 0 {
		c["IpAddress"] = map[string]any{"aws:SourceIp": r.AllowedSourceIPs}
	}
	return &c
}

// trustPrincipal is the identity account, limited to its IAM users (not
// its roles: no chaining from another session) under the rule.
func trustPrincipal(stack awscdk.Stack, account string, r Rule) awsiam.IPrincipal {
	c := *r.conditions()
	c["ArnLike"] = map[string]any{"aws:PrincipalArn": fmt.Sprintf("arn:%s:iam::%s:user/*", *stack.Partition(), account)}
	c["StringEquals"] = map[string]any{"aws:PrincipalType": "User"}
	return awsiam.NewAccountPrincipal(jsii.String(account)).WithConditions(&c)
}

// managedPolicy is an AWS managed policy by name, or any managed policy by ARN.
func managedPolicy(scope constructs.Construct, id, nameOrArn string) awsiam.IManagedPolicy {
	if strings.HasPrefix(nameOrArn, "arn:") {
		return awsiam.ManagedPolicy_FromManagedPolicyArn(scope, jsii.String(id), jsii.String(nameOrArn))
	}
	return awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(nameOrArn))
}

func mustPolicy(name string, values map[string]string) map[string]any {
	doc, err := policies.IAMPolicy(name, values)
	if err != nil {
		panic("accessmodel: " + err.Error())
	}
	return doc
}

var (
	accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)
	iamNamePattern   = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	managedPattern   = regexp.MustCompile(`^(arn:aws(-cn|-us-gov)?:iam::(aws|[0-9]{12}):policy/)?([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
)

func (r Role) withDefaults(name, policy string, hours int) Role {
	r.Name = orDefault(r.Name, name)
	r.ManagedPolicy = orDefault(r.ManagedPolicy, policy)
	if r.MaxSessionHours == 0 {
		r.MaxSessionHours = hours
	}
	return r
}

func (r Role) check() {
	if !iamNamePattern.MatchString(r.Name) {
		panic(fmt.Sprintf("accessmodel: role name %q is not an IAM role name: 1 to 64 letters, digits and +=,.@_-", r.Name))
	}
	if !managedPattern.MatchString(r.ManagedPolicy) {
		panic(fmt.Sprintf("accessmodel: role %s: %q is neither a managed policy name (e.g. ReadOnlyAccess) nor a managed policy ARN", r.Name, r.ManagedPolicy))
	}
	if r.MaxSessionHours < 1 || r.MaxSessionHours > 12 {
		panic(fmt.Sprintf("accessmodel: role %s: MaxSessionHours %d is not between 1 and 12", r.Name, r.MaxSessionHours))
	}
}

func (g GroupNames) withDefaults() GroupNames {
	g.Admin = orDefault(g.Admin, DefaultAdminGroupName)
	g.Operator = orDefault(g.Operator, DefaultOperatorGroupName)
	g.ReadOnly = orDefault(g.ReadOnly, DefaultReadOnlyGroupName)
	return g
}

func (p Protected) withDefaults(stackName string) Protected {
	p.TrailName = orDefault(p.TrailName, naming.TrailName)
	p.LogBucketPrefix = orDefault(p.LogBucketPrefix, naming.NamePrefix)
	p.KeyAliasPrefix = orDefault(p.KeyAliasPrefix, naming.KeyAliasPattern())
	p.AlarmPrefix = orDefault(p.AlarmPrefix, naming.AlarmPrefix)
	p.TopicName = orDefault(p.TopicName, naming.AlarmTopic)
	p.LogGroupName = orDefault(p.LogGroupName, naming.TrailLogGroup)
	p.LogGroupPrefix = orDefault(p.LogGroupPrefix, naming.LogGroupPrefix)
	p.RulePrefix = orDefault(p.RulePrefix, naming.RulePrefix)
	p.StackPrefix = orDefault(p.StackPrefix, stackName)
	return p
}

func (r Rule) withDefaults() Rule {
	if r.MFAMaxAgeSeconds == 0 {
		r.MFAMaxAgeSeconds = DefaultMFAMaxAgeSeconds
	}
	return r
}

func (r Rule) check() {
	if r.MFAMaxAgeSeconds < 1 {
		panic(fmt.Sprintf("accessmodel: MFAMaxAgeSeconds %d must be positive", r.MFAMaxAgeSeconds))
	}
	for _, s := range r.AllowedSourceIPs {
		if p, err := netip.ParsePrefix(s); err != nil || p.Masked() != p {
			panic(fmt.Sprintf("accessmodel: AllowedSourceIPs: %q is not a CIDR network like 203.0.113.0/24", s))
		}
	}
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
