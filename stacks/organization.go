package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsorganizations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/constructs/organizationtrail"
	"github.com/secure-baseline/cdk-baseline/constructs/rootaccess"
	"github.com/secure-baseline/cdk-baseline/constructs/securityalarms"
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
	if cfg.Organization.OrganizationTrailOn() {
		addOrganizationTrail(stack, cfg, mgmt)
	}
	return stack
}

// addOrganizationTrail adds the organization trail, into the log archive
// account's bucket and key, and the security alarms on its log group,
// which name the account of each event, notifying the management
// account's alarm topic (its home stack's, by literal ARN: one topic,
// whose subscribers are the management account's notifications). The
// trail takes the management account's trail settings (management
// events, log retention).
func addOrganizationTrail(stack awscdk.Stack, cfg *config.Config, mgmt config.Account) {
	archive, _ := cfg.OrgAccount(cfg.Organization.LogArchiveAccount)
	partition := *stack.Partition()
	ot := organizationtrail.New(stack, "OrganizationTrail", organizationtrail.Props{
		OrganizationID:   cfg.Organization.ID,
		BucketName:       audittrail.BucketName(archive.ID, archive.HomeRegion),
		KeyArn:           OrganizationTrailKeyArn(cfg, partition),
		LogRetentionDays: mgmt.Trail.LogRetentionDays,
		ManagementEvents: mgmt.Trail.ManagementEvents.Value(),
	})
	rs, err := ResolveAlarms(cfg, OrganizationAlarmAccount(cfg))
	if err != nil {
		panic(err.Error())
	}
	deployed := policies.Deployed(rs)
	if len(deployed) == 0 {
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("baseline:alarms-all-off"), jsii.String(
			"no organization alarms: alarms.disable turns off every entry of the catalog"))
		return
	}
	topic := awssns.Topic_FromTopicArn(stack, jsii.String("ManagementAlarmTopic"), jsii.String(
		fmt.Sprintf("arn:%s:sns:%s:%s:%s", partition, mgmt.HomeRegion, mgmt.ID, naming.AlarmTopic)))
	securityalarms.New(stack, "OrganizationAlarms", securityalarms.Props{
		LogGroup:   ot.Trail.LogGroup,
		Topic:      topic,
		Alarms:     deployed,
		NamePrefix: naming.OrganizationAlarmPrefix,
		PerAccount: true,
	})
}

// OrganizationAlarmAccount is the account whose settings the organization
// alarms take: the StackSet members' (the top-level settings), which the
// organization trail's alarms stand in for, with their admin role name and
// instance sizes. Break-glass users live in the identity account (or each
// account) and are the top level's too.
func OrganizationAlarmAccount(cfg *config.Config) config.Account {
	return MemberAccount(cfg)
}

// orderOrganization deploys the member StackSets after the organization
// stack, so that the guardrails are attached before the members are
// deployed. byName gets the organization stack. With the organization
// trail, the organization stack names two other stacks' resources by
// literal ARN and deploys after them:
//
//   - the log archive account's home stack: the bucket, its policy and the
//     key, which CreateTrail checks (InsufficientS3BucketPolicyException,
//     InsufficientEncryptionPolicyException);
//   - the management account's home stack: the alarm topic the
//     organization alarms notify.
//
// The audit account's stacks are not dependencies: nothing here names
// them, and test/ordering_test.go refuses a dependency that orders
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
	if !cfg.Organization.OrganizationTrailOn() {
		return
	}
	archive, _ := cfg.OrgAccount(cfg.Organization.LogArchiveAccount)
	org.AddDependency(byName[StackName(archive, archive.HomeRegion)], jsii.String("the organization trail delivers into the log archive account's bucket, with its key"))
	mgmt, _ := cfg.OrgAccount(cfg.Organization.ManagementAccount)
	org.AddDependency(byName[StackName(mgmt, mgmt.HomeRegion)], jsii.String("the organization alarms notify the management account's alarm topic"))
}
