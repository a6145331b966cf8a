package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessmodel"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
)

// addAccess adds acc's access model to its home stack: the three roles,
// trusting acc's identity account (acc itself in single-account mode), and,
// when acc is an identity account, the groups that reach the roles of every
// account it serves, and the break-glass users.
func addAccess(stack awscdk.Stack, cfg *config.Config, acc config.Account) {
	c := constructs.NewConstruct(stack, jsii.String("Access"))
	identity := cfg.IdentityAccount(acc)
	a := acc.Access
	accessmodel.NewRoles(c, "Roles", accessmodel.RolesProps{
		TrustedAccountID: identity.ID,
		Rule:             accessmodel.Rule{MFAMaxAgeSeconds: a.MFAMaxAgeSeconds, AllowedSourceIPs: a.AllowedSourceIPs},
		Admin:            role(a.Roles.Admin),
		Operator:         role(a.Roles.Operator),
		ReadOnly:         role(a.Roles.ReadOnly),
		Groups:           accessmodel.GroupNames{Admin: a.Groups.Admin, Operator: a.Groups.Operator, ReadOnly: a.Groups.ReadOnly},
		// The operator may change none of these. The rest of the names
		// (buckets, key aliases, topic, alarms) are the construct defaults;
		// test/access_sim_test.go checks every one against the templates.
		Protected: accessmodel.Protected{
			TrailName:    audittrail.DefaultTrailName,
			LogGroupName: alarmLogGroup(acc),
			StackPrefix:  stackPrefix(acc),
		},
	})

	members := cfg.AccessMembers(acc)
	if len(members) == 0 && identity.ID == acc.ID {
		members = []config.Account{acc} // a StackSet member in single-account mode
	}
	if len(members) == 0 {
		return // hub mode, and acc is not the identity account
	}
	var targets []accessmodel.Target
	for _, m := range members {
		targets = append(targets, accessmodel.Target{
			AccountID:    m.ID,
			AdminRole:    m.Access.Roles.Admin.Name,
			OperatorRole: m.Access.Roles.Operator.Name,
			ReadOnlyRole: m.Access.Roles.ReadOnly.Name,
		})
	}
	accessmodel.NewGroups(c, "Groups", accessmodel.GroupsProps{
		Targets:         targets,
		Names:           accessmodel.GroupNames{Admin: a.Groups.Admin, Operator: a.Groups.Operator, ReadOnly: a.Groups.ReadOnly},
		Rule:            accessmodel.Rule{MFAMaxAgeSeconds: a.MFAMaxAgeSeconds, AllowedSourceIPs: a.AllowedSourceIPs},
		BreakGlassUsers: a.BreakGlassUsers,
	})
}

// stackPrefix starts the name of every stack of acc's baseline, and of every
// role and function CloudFormation names for them: "<account name>-" for the
// stacks of `cdk deploy`, MemberStackPrefix for StackSet members.
func stackPrefix(acc config.Account) string {
	if acc.StackSetMember {
		return MemberStackPrefix
	}
	return acc.Name + "-"
}

func role(r config.AccessRole) accessmodel.Role {
	return accessmodel.Role{Name: r.Name, ManagedPolicy: r.ManagedPolicy, MaxSessionHours: r.MaxSessionHours}
}

// alarmLogGroup is the log group the alarms watch (as addSecurityAlarms
// chooses it): the baseline trail's, or else the existing one named in
// alarms.logGroupName.
func alarmLogGroup(acc config.Account) string {
	if acc.Trail.Mode != config.ModeCreate && acc.Alarms.LogGroupName != "" {
		return acc.Alarms.LogGroupName
	}
	return audittrail.DefaultLogGroup
}
