package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/securityalarms"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// AlarmParams are the values acc's templated alarm patterns are rendered
// with. The admin role exists in every account; the break-glass users only
// in the account that holds the groups (acc itself, or the hub's identity
// account), so only that account alarms on their sign-in. Centralized root
// sessions start only in organization mode's management account: "You must
// use credentials from an AWS Organizations management account or a
// delegated administrator account for IAM to call AssumeRoot"
// (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoot.html),
// and the baseline registers no delegated administrator for IAM. The
// caller's trail records the AssumeRoot event
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html),
// so the alarm on it is in that account.
func AlarmParams(cfg *config.Config, acc config.Account) policies.AlarmParams {
	p := policies.AlarmParams{
		LargeInstanceSizes: acc.Alarms.LargeInstanceSizes,
		AdminRoleName:      acc.Access.Roles.Admin.Name,
		ManagementAccount:  cfg.Organization.OrgMode() && acc.Name == cfg.Organization.ManagementAccount,
	}
	if cfg.IdentityAccount(acc).ID == acc.ID {
		p.BreakGlassUsers = acc.Access.BreakGlassUsers
	}
	return p
}

// ResolveAlarms is the alarm catalog as acc deploys it: every entry, on or
// off (and why), with acc's thresholds and rendered patterns. The stacks
// deploy policies.Deployed of it; the review report reads all of it.
func ResolveAlarms(cfg *config.Config, acc config.Account) ([]policies.Resolved, error) {
	catalog, err := policies.Alarms()
	if err != nil {
		return nil, err
	}
	rs, err := policies.Resolve(catalog, acc.Alarms.Choices(), AlarmParams(cfg, acc))
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", acc.Name, err)
	}
	return rs, nil
}

// addSecurityAlarms adds acc's security alarms to its home stack, on the log
// group that receives acc's CloudTrail events: the baseline trail's (trail,
// nil in trail.mode skip), or else alarms.logGroupName. With neither, no
// alarm is added and the synth warns.
func addSecurityAlarms(stack awscdk.Stack, cfg *config.Config, acc config.Account, topic awssns.ITopic, trail *audittrail.Trail) *securityalarms.SecurityAlarms {
	rs, err := ResolveAlarms(cfg, acc)
	if err != nil {
		panic(err.Error())
	}
	var logGroup awslogs.ILogGroup
	switch {
	case trail != nil:
		// Named by a Ref, so that the filters wait for the log group.
		logGroup = trail.LogGroup
	case acc.Alarms.LogGroupName != "":
		logGroup = awslogs.LogGroup_FromLogGroupName(stack, jsii.String("CloudTrailLogGroup"), jsii.String(acc.Alarms.LogGroupName))
	case acc.StackSetMember && cfg.Organization.MembersWithoutTrail():
		// The organization alarms (organization.go) watch this member's
		// events in the management account.
		return nil
	default:
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("baseline:alarms-without-log-group"), jsii.String(
			"no security alarms: this account has no baseline trail and alarms.logGroupName is not set; "+
				"name the log group that receives the account's CloudTrail events in alarms.logGroupName"))
		return nil
	}
	deployed := policies.Deployed(rs)
	if len(deployed) == 0 {
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("baseline:alarms-all-off"), jsii.String(
			"no security alarms: alarms.disable turns off every entry of the catalog"))
		return nil
	}
	return securityalarms.New(stack, "SecurityAlarms", securityalarms.Props{
		LogGroup: logGroup,
		Topic:    topic,
		Alarms:   deployed,
	})
}
