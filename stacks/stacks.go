// Package stacks composes the baseline's constructs into CloudFormation
// stacks: one stack per account and region. The stack in the account's home
// region also holds the account-global parts.
package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
)

// Tool and Version name this tool in stack tags and descriptions.
const (
	Tool    = "cdk-baseline"
	Version = "0.1.0"
)

// Every stack carries the tag baseline:role with its part in its account,
// so that the reports (report/assembly) find an account's home stack by its
// tag, not by what its description or resources say. Stack tags go to the
// cloud assembly's manifest, not into the template: the CDK CLI passes them
// to CloudFormation at deploy time.
const (
	TagRole = "baseline:role"
	// RoleHome is the stack in the account's home region: the
	// account-global parts and the region's services.
	RoleHome = "home"
	// RoleRegional is a stack in another region: the region's services.
	RoleRegional = "regional"
	// RoleStackSet is the deployer stack of StackSet mode.
	RoleStackSet = "stackset"
	// RoleOrganization is the management account's organization stack.
	RoleOrganization = "organization"
)

// Build adds every account's stacks to app, in config order, and in
// StackSet mode the deployer stack. It orders the stacks that deliver into
// another stack's log bucket after it (see addStackDependencies).
func Build(app constructs.Construct, cfg *config.Config) []awscdk.Stack {
	var out []awscdk.Stack
	byName := map[string]awscdk.Stack{}
	for _, acc := range cfg.Accounts {
		for _, region := range acc.Regions {
			s := NewRegionStack(app, cfg, acc, region)
			byName[StackName(acc, region)] = s
			out = append(out, s)
		}
	}
	addStackDependencies(cfg, byName)
	if cfg.Organization.Enabled() {
		set := NewStackSetStack(app, cfg)
		if cfg.Organization.OrgMode() {
			org := NewOrganizationStack(app, cfg)
			orderOrganization(cfg, byName, org, set)
			out = append(out, org)
			regional := addDelegation(app, cfg, org)
			for _, name := range sortedStackNames(regional) {
				byName[name] = regional[name]
				out = append(out, regional[name])
			}
			orderDelegation(cfg, byName)
		}
		out = append(out, set)
	}
	return out
}

// addStackDependencies orders the stacks of the cloud assembly, so that
// `cdk deploy --all` (with any --concurrency) deploys a stack only after
// the stacks it names by literal strings, which CloudFormation cannot see
// across stacks:
//
//   - an account's regional stacks after its home stack, which holds the
//     account-global parts and, without a central archive, the log bucket
//     and key that every region's Config delivery channel names;
//   - every stack that delivers to a central log archive (a trail, or a
//     Config delivery channel) after the archive account's home stack, which
//     holds the bucket, its policy and the key. CreateTrail and
//     PutDeliveryChannel check them when they are called.
//
// test/ordering_test.go proves these are all the orderings the templates
// need.
func addStackDependencies(cfg *config.Config, byName map[string]awscdk.Stack) {
	for _, acc := range cfg.Accounts {
		home := byName[StackName(acc, acc.HomeRegion)]
		archive := LogArchive(cfg, acc)
		archiveHome := byName[StackName(archive, archive.HomeRegion)]
		for _, region := range acc.Regions {
			s := byName[StackName(acc, region)]
			if region != acc.HomeRegion {
				s.AddDependency(home, jsii.String("the account-global parts and the account's log archive come first"))
			}
			if archive.ID != acc.ID && deliversToArchive(acc, region) {
				s.AddDependency(archiveHome, jsii.String("it delivers into the log archive account's bucket"))
			}
		}
	}
}

// deliversToArchive reports whether acc's stack in region writes into the
// log bucket: its trail (home region) or its Config delivery channel.
func deliversToArchive(acc config.Account, region string) bool {
	trail := region == acc.HomeRegion && acc.Trail.Mode == config.ModeCreate
	return trail || acc.RegionalServices.AWSConfig.Mode == config.ModeCreate
}

// StackName is the name of an account's stack in a region.
func StackName(acc config.Account, region string) string {
	return acc.Name + "-" + region
}

// NewRegionStack builds the stack of one account in one region.
func NewRegionStack(scope constructs.Construct, cfg *config.Config, acc config.Account, region string) awscdk.Stack {
	role, tag := "regional services", RoleRegional
	if region == acc.HomeRegion {
		role, tag = "home region: account-global parts and regional services", RoleHome
	}
	stack := newStack(scope, StackName(acc, region), acc, region, tag,
		fmt.Sprintf("security baseline of account %s (%s) in %s, %s", acc.Name, acc.ID, region, role))
	fillStack(stack, cfg, acc, region)
	return stack
}

// newStack is a stack of the tool in acc's region: named name, pinned to
// the account and region, termination protection on, the tool's tags with
// the stack's role (baseline:role), a description that starts with the
// tool and its version, and the cdk-nag checks the account asks for.
func newStack(scope constructs.Construct, name string, acc config.Account, region, role, description string) awscdk.Stack {
	stack := awscdk.NewStack(scope, jsii.String(name), &awscdk.StackProps{
		StackName:             jsii.String(name),
		Env:                   &awscdk.Environment{Account: jsii.String(acc.ID), Region: jsii.String(region)},
		TerminationProtection: jsii.Bool(true),
		Description:           jsii.String(fmt.Sprintf("%s %s: %s", Tool, Version, description)),
		Tags:                  tags(acc.Name, role),
	})
	ApplyChecks(stack, acc.Checks.PCIDSS321)
	return stack
}

// fillStack adds an account's parts in a region: the account-global parts
// in its home region, the regional services everywhere.
func fillStack(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string) {
	acc = withDelegation(cfg, acc)
	var global globalParts
	if region == acc.HomeRegion {
		global = addGlobalParts(stack, cfg, acc)
	}
	addRegionalServices(stack, cfg, acc, region, global)
	addDelegatedSecurityHub(stack, cfg, acc, region)
	addDelegatedServices(stack, cfg, acc, region)
}

func tags(account, role string) *map[string]*string {
	return &map[string]*string{
		"baseline:tool":    jsii.String(Tool),
		"baseline:version": jsii.String(Version),
		"baseline:account": jsii.String(account),
		TagRole:            jsii.String(role),
	}
}

func sortedStackNames(m map[string]awscdk.Stack) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
