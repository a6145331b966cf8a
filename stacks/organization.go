package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/rootaccess"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// OrganizationStackName is the management account's organization stack:
// "<management account name>-organization", so that
// 'cdk deploy Management-*' includes it.
func OrganizationStackName(cfg *config.Config) string {
	return cfg.Organization.ManagementAccount + "-organization"
}

// guardrailPartition: the tool deploys to the commercial partition only
// (config/regions.go), and an SCP's size is checked on its final text, so
// the partition is a literal here rather than the AWS::Partition token.
const guardrailPartition = "aws"

// NewOrganizationStack builds organization mode's stack in the management
// account's home region: the guardrail SCPs (AWS::Organizations::Policy,
// which only the management account can create) attached to every target
// OU, and the resource control policy when it is asked for. It panics, as the constructs do, if a guardrail cannot be filled in
// (config validation keeps that from happening).
func NewOrganizationStack(app constructs.Construct, cfg *config.Config) awscdk.Stack {
	mgmt, ok := cfg.OrgAccount(cfg.Organization.ManagementAccount)
	if !ok {
		panic(fmt.Sprintf("stacks: organization.managementAccount %q is not in accounts", cfg.Organization.ManagementAccount))
	}
	name := OrganizationStackName(cfg)
	stack := newStack(app, name, mgmt, mgmt.HomeRegion, RoleOrganization,
		fmt.Sprintf("organization guardrails (service control policies) on the organizational units %v", cfg.Organization.OrganizationalUnits))
	guardrails, err := Guardrails(cfg, guardrailPartition)
	if err != nil {
		panic("stacks: " + err.Error())
	}
	scope := constructs.NewConstruct(stack, jsii.String("Guardrails"))
	for _, g := range guardrails {
		awsorganizations.NewCfnPolicy(scope, jsii.String(g.Name), &awsorganizations.CfnPolicyProps{
			Name:        jsii.String(g.Name),
			Type:        jsii.String("SERVICE_CONTROL_POLICY"),
			Content:     g.Document,
			TargetIds:   jsii.Strings(cfg.Organization.OrganizationalUnits...),
			Description: jsii.String("Security baseline guardrail (policies/organization/" + g.Name[len("baseline-"):] + ".json); exempt: StackSet execution role and break-glass roles"),
		})
	}
	// The resource control policy, on the OUs and on the log archive and
	// audit accounts. The policy type must be enabled on the root first
	// (README "Organization mode", deploy steps): CloudFormation cannot.
	rcp, err := ResourceControl(cfg, guardrailPartition)
	if err != nil {
		panic("stacks: " + err.Error())
	}
	if rcp != nil {
		awsorganizations.NewCfnPolicy(scope, jsii.String(rcp.Name), &awsorganizations.CfnPolicyProps{
			Name:        jsii.String(rcp.Name),
			Type:        jsii.String("RESOURCE_CONTROL_POLICY"),
			Content:     rcp.Document,
			TargetIds:   jsii.Strings(ResourceControlTargets(cfg)...),
			Description: jsii.String("Security baseline log buckets and keys only for the organization (policies/organization/" + policies.GuardrailResourceControl + ".json)"),
		})
	}
	// Centralized root access: the root-user guardrail leaves members'
	// root users only the sessions the management account opens with
	// sts:AssumeRoot, so organization mode turns those on.
	rootaccess.New(stack, "RootAccess", rootaccess.Props{})
	addSecurityHubDelegation(stack, cfg)
	return stack
}

// orderOrganization deploys the member StackSets after the organization
// stack, so that the guardrails are attached before the members are
// deployed. byName gets the organization stack. The log archive and audit
// accounts' stacks are not (yet) dependencies: the members name nothing in
// them until the organization trail and the delegated administrators
// exist, and test/ordering_test.go refuses a dependency that orders
// nothing.
func orderOrganization(cfg *config.Config, byName map[string]awscdk.Stack, org, set awscdk.Stack) {
	byName[OrganizationStackName(cfg)] = org
	set.AddDependency(org, jsii.String("the guardrails are attached before the members are deployed"))
	if SecurityHubDelegated(cfg) {
		// Central configuration works only from the delegated
		// administrator (securityhub:UpdateOrganizationConfiguration and
		// the policies are its calls).
		audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
		byName[StackName(audit, audit.HomeRegion)].AddDependency(org, jsii.String("Security Hub central configuration needs the delegated administrator designated"))
	}
}
