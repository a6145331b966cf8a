package stacks

import (
	"fmt"
	"slices"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessmodel"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
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

// LogKeyAliases are the aliases of the keys that encrypt the baseline's
// logs: the archive's key (log files, AWS Config delivery, the trail's log
// group in the archive's account) and the trail log group's own key where
// the archive is in another account. The resource control policy names
// the keys by these aliases (kms:ResourceAliases), since a key's ARN holds
// a random id that no policy written before the deploy can know.
var LogKeyAliases = []string{naming.ArchiveKeyAlias, naming.TrailLogsKeyAlias}

// LogBucketArns are the baseline's log buckets and their objects, in any
// account and region: the log archive bucket (naming.LogBucket) and the
// bucket of its S3 server access logs (naming.AccessLogBucket).
func LogBucketArns(partition string) []string {
	var out []string
	for _, b := range []string{naming.LogBucket("*", "*"), naming.AccessLogBucket("*", "*")} {
		arn := fmt.Sprintf("arn:%s:s3:::%s", partition, b)
		out = append(out, arn, arn+"/*")
	}
	return out
}

// ResourceControl returns the resource control policy of organization
// mode (policies/organization/rcp-baseline-logs.json), or nil when
// organization.guardrails.resourceControlPolicy is off: the baseline's log
// buckets and log keys denied to every principal outside the organization
// (aws:PrincipalOrgID) and to AWS services acting for an account outside it
// (aws:SourceOrgID), as in AWS's data perimeter RCP
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_examples.html,
// https://github.com/aws-samples/data-perimeter-policy-examples/blob/main/resource_control_policies/identity_perimeter_rcp.json).
// test/orgrcp_test.go proves it with the IAM evaluator.
func ResourceControl(cfg *config.Config, partition string) (*Guardrail, error) {
	if !cfg.Organization.OrgMode() || !cfg.Organization.Guardrails.ResourceControlPolicy {
		return nil, nil
	}
	doc, err := policies.ResourceControlPolicy(
		map[string]string{"OrganizationId": cfg.Organization.ID},
		map[string][]string{"LogBucketArns": LogBucketArns(partition), "LogKeyAliases": LogKeyAliases})
	if err != nil {
		return nil, err
	}
	return &Guardrail{Name: "baseline-" + policies.GuardrailResourceControl, Document: doc}, nil
}

// ResourceControlTargets are what the resource control policy is attached
// to: the target OUs, and the log archive and audit accounts, which hold
// baseline log buckets of their own (the log archive the central one) and
// need not be in a target OU. Both are members of the organization by
// definition; other accounts entries may not be (attaching a policy to an
// account outside the organization fails the deploy), so they are not
// targets. The management account is not one either: "RCPs don't affect
// resources in the management account"
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html).
// AWS::Organizations::Policy TargetIds are attached as AttachPolicy's
// TargetId: "the root, OU, or account that you want to attach the policy
// to" (https://docs.aws.amazon.com/organizations/latest/APIReference/API_AttachPolicy.html).
func ResourceControlTargets(cfg *config.Config) []string {
	out := slices.Clone(cfg.Organization.OrganizationalUnits)
	for _, name := range []string{cfg.Organization.LogArchiveAccount, cfg.Organization.AuditAccount} {
		if a, ok := cfg.OrgAccount(name); ok && !slices.Contains(out, a.ID) {
			out = append(out, a.ID)
		}
	}
	return out
}
