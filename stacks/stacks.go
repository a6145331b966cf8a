// Package stacks composes the baseline's constructs into CloudFormation
// stacks: one stack per account and region. The stack in the account's home
// region also holds the account-global parts.
package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
)

// Tool and Version name this tool in stack tags and descriptions.
const (
	Tool    = "cdk-baseline"
	Version = "0.1.0"
)

// Build adds every account's stacks to app, in config order, and in
// StackSet mode the deployer stack.
func Build(app constructs.Construct, cfg *config.Config) []awscdk.Stack {
	var out []awscdk.Stack
	for _, acc := range cfg.Accounts {
		for _, region := range acc.Regions {
			out = append(out, NewRegionStack(app, cfg, acc, region))
		}
	}
	if cfg.Organization.Enabled() {
		out = append(out, NewStackSetStack(app, cfg))
	}
	return out
}

// StackName is the name of an account's stack in a region.
func StackName(acc config.Account, region string) string {
	return acc.Name + "-" + region
}

// NewRegionStack builds the stack of one account in one region.
func NewRegionStack(scope constructs.Construct, cfg *config.Config, acc config.Account, region string) awscdk.Stack {
	role := "regional services"
	if region == acc.HomeRegion {
		role = "home region: account-global parts and regional services"
	}
	name := StackName(acc, region)
	stack := awscdk.NewStack(scope, jsii.String(name), &awscdk.StackProps{
		StackName:             jsii.String(name),
		Env:                   &awscdk.Environment{Account: jsii.String(acc.ID), Region: jsii.String(region)},
		TerminationProtection: jsii.Bool(true),
		Description: jsii.String(fmt.Sprintf("%s %s: security baseline of account %s (%s) in %s, %s",
			Tool, Version, acc.Name, acc.ID, region, role)),
		Tags: tags(acc.Name),
	})
	ApplyChecks(stack, acc.Checks.PCIDSS321)
	fillStack(stack, cfg, acc, region)
	return stack
}

// fillStack adds an account's parts in a region: the account-global parts
// in its home region, the regional services everywhere.
func fillStack(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string) {
	var alarms *alerttopic.AlertTopic
	if region == acc.HomeRegion {
		alarms = addGlobalParts(stack, cfg, acc)
	}
	addRegionalServices(stack, cfg, acc, region, alarms)
}

func tags(account string) *map[string]*string {
	return &map[string]*string{
		"baseline:tool":    jsii.String(Tool),
		"baseline:version": jsii.String(Version),
		"baseline:account": jsii.String(account),
	}
}
