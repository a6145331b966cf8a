package stacks

import (
	"fmt"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessmodel"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// Guardrail is one service control policy of organization mode, filled in
// for the StackSet members of the target OUs.
type Guardrail struct {
	// Name is the policy's name in AWS Organizations and its template's
	// file name in policies/organization.
	Name string
	// Document is the filled-in policy.
	Document map[string]any
}

// StackSetExecRoleArn is the role service-managed StackSets deploy with in
// every target account: "StackSets with service-managed permissions creates
// an execution role named stacksets-exec-* in each target account"
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacksets-custom-execution-role.html).
// The guardrails exempt it, so that StackSets can still update the
// baseline.
func StackSetExecRoleArn(partition string) string {
	return fmt.Sprintf("arn:%s:iam::*:role/stacksets-exec-*", partition)
}

// GuardrailExemptRoleArns are the principals the guardrail denies do not
// apply to: the StackSet execution role and the break-glass roles.
func GuardrailExemptRoleArns(cfg *config.Config, partition string) []string {
	out := []string{StackSetExecRoleArn(partition)}
	for _, r := range cfg.Organization.Guardrails.BreakGlassRoles {
		out = append(out, fmt.Sprintf("arn:%s:iam::*:role/%s", partition, r))
	}
	return out
}

// Guardrails returns the SCPs organization mode attaches to the target
// OUs, in the order of policies/organization/README.md. The names they
// protect are those of the StackSet member templates (MemberAccount):
// test/orgguardrails_test.go proves every changing action on every
// resource of those templates denied.
func Guardrails(cfg *config.Config, partition string) ([]Guardrail, error) {
	g := cfg.Organization.Guardrails
	if !cfg.Organization.OrgMode() || !g.ServiceControlPolicy {
		return nil, nil
	}
	m := MemberAccount(cfg)
	roles, groups := m.Access.Roles, m.Access.Groups
	values := map[string]string{
		"Partition": partition,
		"TrailName": audittrail.DefaultTrailName,
		// accessmodel.Protected's defaults, which the member templates
		// use (the matrix proves it).
		"LogBucketPrefix":   "baseline-",
		"KeyAliasPrefix":    "baseline/",
		"AlarmPrefix":       "baseline-",
		"TopicName":         "baseline-alarms",
		"RulePrefix":        "baseline-",
		"LogGroupName":      alarmLogGroup(m),
		"StackPrefix":       MemberStackPrefix,
		"AdminRoleName":     orDefault(roles.Admin.Name, accessmodel.DefaultAdminRoleName),
		"OperatorRoleName":  orDefault(roles.Operator.Name, accessmodel.DefaultOperatorRoleName),
		"ReadOnlyRoleName":  orDefault(roles.ReadOnly.Name, accessmodel.DefaultReadOnlyRoleName),
		"AdminGroupName":    orDefault(groups.Admin, accessmodel.DefaultAdminGroupName),
		"OperatorGroupName": orDefault(groups.Operator, accessmodel.DefaultOperatorGroupName),
		"ReadOnlyGroupName": orDefault(groups.ReadOnly, accessmodel.DefaultReadOnlyGroupName),
	}
	lists := map[string][]string{
		"ExemptRoleArns": GuardrailExemptRoleArns(cfg, partition),
		"AllowedRegions": cfg.Regions,
	}
	names := []string{policies.GuardrailLogs, policies.GuardrailServices}
	if g.RegionDeny {
		names = append(names, policies.GuardrailRegions)
	}
	var out []Guardrail
	for _, n := range names {
		doc, err := policies.GuardrailPolicy(n, values, lists)
		if err != nil {
			return nil, err
		}
		out = append(out, Guardrail{Name: "baseline-" + n, Document: doc})
	}
	return out, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
