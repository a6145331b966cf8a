package stacks

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudformation"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// StackSet mode. The member templates are the same stacks as in the
// per-account mode, built for an account whose id is the AWS::AccountId
// pseudo parameter and with no fixed environment, synthesized once into a
// separate app with no bootstrap dependencies. Two service-managed StackSets
// in the deployer stack roll them out:
//
//   - <prefix>-home: the home-region template (account-global parts and the
//     home region's services), to the home region only;
//   - <prefix>-regional: the regional template, to every other region.

// Member template names.
const (
	MemberHome     = "Member-home"
	MemberRegional = "Member-regional"
	stackSetPrefix = naming.StackSetPrefix
	// MemberStackPrefix starts the name of every stack the baseline's
	// StackSets create in a member account: CloudFormation names a stack
	// instance StackSet-<stack set name>-<id>, as AWS Control Tower's
	// StackSet-AWSControlTowerBP-BASELINE-CLOUDWATCH-* stacks show
	// (https://docs.aws.amazon.com/controltower/latest/userguide/account-factory-considerations.html).
	// The operator deny protects the members' stacks, roles and functions
	// by this prefix.
	MemberStackPrefix = "StackSet-" + stackSetPrefix + "-"
)

// MemberAccount is the account the member templates are built for: every
// account of the target OUs, whose id is only known at deploy time.
//
// With the organization trail (and not organization.memberTrails), a
// member has no trail of its own: the organization trail logs its events
// into the log archive account, and the organization alarms in the
// management account watch them, naming the account. A second trail would
// be a second, paid copy of every management event
// (https://aws.amazon.com/cloudtrail/pricing/). The member keeps its log
// bucket and key for AWS Config.
//
// In organization mode, the services the audit account administers with
// auto-enable are left out of the member templates (withDelegation says
// why): GuardDuty's detector, which auto-enable ALL creates in every
// member, Inspector's scans, which it enables in every new member, and
// Security Hub, which the configuration policy enables.
func MemberAccount(cfg *config.Config) config.Account {
	acc := withDelegation(cfg, config.Account{Name: "Member", ID: *awscdk.Aws_ACCOUNT_ID(), StackSetMember: true, Settings: cfg.Settings})
	if cfg.Organization.MembersWithoutTrail() {
		acc.Trail.Mode = config.ModeSkip
	}
	return acc
}

// StackSetStackName is the deployer stack's name: it starts with the
// deployer account's name, so that 'cdk deploy Name-*' includes it.
func StackSetStackName(cfg *config.Config) string {
	return cfg.Organization.DeployerAccount + "-stacksets"
}

// NewStackSetStack builds the deployer stack. The member templates are
// synthesized first, in their own app, and travel as file assets.
func NewStackSetStack(app constructs.Construct, cfg *config.Config) awscdk.Stack {
	deployer, ok := cfg.Deployer()
	if !ok {
		panic(fmt.Sprintf("stacks: organization.deployerAccount %q is not in accounts", cfg.Organization.DeployerAccount))
	}
	dir, home, regional := synthMembers(app, cfg)
	// Assets are copied into the cloud assembly when they are made.
	defer os.RemoveAll(dir)

	name := StackSetStackName(cfg)
	stack := newStack(app, name, deployer, deployer.HomeRegion, RoleStackSet,
		fmt.Sprintf("StackSets that roll the security baseline out to the organizational units %v", cfg.Organization.OrganizationalUnits))
	homeSet := newStackSet(stack, "Home", cfg, home, []string{cfg.HomeRegion}, nil,
		"Security baseline of every member account: account-global parts and the home region's services")
	if others := otherRegions(cfg); len(others) > 0 {
		// The regional template's Config delivery channels write into the
		// home template's bucket, with its key: a member account's regional
		// instances must wait for its home instance.
		newStackSet(stack, "Regional", cfg, regional, others, homeSet,
			"Security baseline of every member account: regional services outside the home region")
	}
	return stack
}

// stackSetArn is a StackSet's ARN, in the Service Authorization Reference's
// format arn:${Partition}:cloudformation:${Region}:${Account}:stackset/${StackSetName}:${Id}
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awscloudformation.html),
// whose last part, <name>:<id>, is the StackSetId attribute.
func stackSetArn(stack awscdk.Stack, set awscloudformation.CfnStackSet) *string {
	return jsii.String(fmt.Sprintf("arn:%s:cloudformation:%s:%s:stackset/%s",
		*stack.Partition(), *stack.Region(), *stack.Account(), *set.AttrStackSetId()))
}

func otherRegions(cfg *config.Config) []string {
	var out []string
	for _, r := range cfg.Regions {
		if r != cfg.HomeRegion {
			out = append(out, r)
		}
	}
	return out
}

// newStackSet adds one service-managed StackSet of a member template. With
// after, the StackSet's operations wait for after's: CloudFormation's
// DependsOn orders the two when the deployer stack creates or updates them,
// and AutoDeployment.DependsOn when a new account joins a target OU, "to
// ensure all dependencies complete successfully before this StackSet's
// operation begins"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-cloudformation-stackset-autodeployment.html).
// Without the latter, a new account gets both StackSets at once.
func newStackSet(stack awscdk.Stack, id string, cfg *config.Config, templateFile string, regions []string, after awscloudformation.CfnStackSet, description string) awscloudformation.CfnStackSet {
	org := cfg.Organization
	scope := constructs.NewConstruct(stack, jsii.String(id))
	asset := awss3assets.NewAsset(scope, jsii.String("Template"), &awss3assets.AssetProps{Path: jsii.String(templateFile)})

	targets := &awscloudformation.CfnStackSet_DeploymentTargetsProperty{
		OrganizationalUnitIds: jsii.Strings(org.OrganizationalUnits...),
	}
	var perAccount []string
	for _, a := range cfg.Accounts {
		perAccount = append(perAccount, a.ID)
	}
	switch {
	case len(org.Accounts) > 0:
		targets.Accounts = jsii.Strings(org.Accounts...)
		targets.AccountFilterType = jsii.String("INTERSECTION")
	default:
		// Accounts with per-account stacks never get the StackSet too.
		targets.Accounts = jsii.Strings(perAccount...)
		targets.AccountFilterType = jsii.String("DIFFERENCE")
	}

	order := org.Operations.RegionOrder
	if len(order) == 0 {
		order = cfg.Regions
	}
	var regionOrder []string
	for _, r := range order {
		if slices.Contains(regions, r) {
			regionOrder = append(regionOrder, r)
		}
	}
	auto := &awscloudformation.CfnStackSet_AutoDeploymentProperty{
		Enabled:                      jsii.Bool(true),
		RetainStacksOnAccountRemoval: jsii.Bool(true),
	}
	if after != nil {
		auto.DependsOn = &[]*string{stackSetArn(stack, after)}
	}
	set := awscloudformation.NewCfnStackSet(scope, jsii.String("Resource"), &awscloudformation.CfnStackSetProps{
		StackSetName:     jsii.String(stackSetPrefix + "-" + map[string]string{"Home": "home", "Regional": "regional"}[id]),
		Description:      jsii.String(description),
		PermissionModel:  jsii.String("SERVICE_MANAGED"),
		CallAs:           jsii.String(org.CallAs),
		AutoDeployment:   auto,
		ManagedExecution: map[string]any{"Active": true},
		Capabilities:     jsii.Strings("CAPABILITY_NAMED_IAM"),
		OperationPreferences: &awscloudformation.CfnStackSet_OperationPreferencesProperty{
			MaxConcurrentPercentage:    jsii.Number(float64(org.Operations.MaxConcurrentPercentage)),
			FailureTolerancePercentage: jsii.Number(float64(org.Operations.FailureTolerancePercentage)),
			RegionConcurrencyType:      jsii.String(org.Operations.RegionConcurrency),
			RegionOrder:                jsii.Strings(regionOrder...),
		},
		StackInstancesGroup: []any{&awscloudformation.CfnStackSet_StackInstancesProperty{
			DeploymentTargets: targets,
			Regions:           jsii.Strings(regions...),
		}},
		TemplateUrl: asset.HttpUrl(),
		Tags: &[]*awscdk.CfnTag{
			{Key: jsii.String("baseline:tool"), Value: jsii.String(Tool)},
			{Key: jsii.String("baseline:version"), Value: jsii.String(Version)},
		},
	})
	if after != nil {
		set.AddDependency(after)
	}
	return set
}

// synthMembers synthesizes the two member templates once, in a separate app
// that shares the outer app's context (feature flags), and returns their
// files. The stacks have no environment: account and region come from
// pseudo parameters when each stack instance deploys.
func synthMembers(scope constructs.Construct, cfg *config.Config) (dir, home, regional string) {
	dir, err := os.MkdirTemp("", "baseline-members-")
	if err != nil {
		panic(err)
	}
	context, _ := scope.Node().GetAllContext(nil).(map[string]any)
	members := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(dir), Context: &context})
	acc := MemberAccount(cfg)
	build := func(name, region string) {
		stack := awscdk.NewStack(members, jsii.String(name), &awscdk.StackProps{
			Synthesizer: awscdk.NewBootstraplessSynthesizer(&awscdk.BootstraplessSynthesizerProps{}),
			Description: jsii.String(fmt.Sprintf("%s %s: security baseline of a member account (deployed by the StackSet %s-%s)",
				Tool, Version, stackSetPrefix, map[string]string{MemberHome: "home", MemberRegional: "regional"}[name])),
		})
		ApplyChecks(stack, acc.Checks.PCIDSS321)
		fillStack(stack, cfg, acc, region)
	}
	build(MemberHome, cfg.HomeRegion)
	if others := otherRegions(cfg); len(others) > 0 {
		// Every non-home region gets the same template; build it as the first.
		build(MemberRegional, others[0])
	}
	members.Synth(nil)
	return dir, filepath.Join(dir, MemberHome+".template.json"), filepath.Join(dir, MemberRegional+".template.json")
}
