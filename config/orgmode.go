package config

import (
	"fmt"
	"regexp"
	"slices"
)

// Guardrails are the organization policies attached to the target OUs.
type Guardrails struct {
	// ServiceControlPolicy attaches the guardrail SCP
	// (policies/organization/guardrail-scp.json): members cannot leave the
	// organization or change the baseline, and their root user is denied.
	// Default: true (defaults.yaml).
	ServiceControlPolicy bool `yaml:"serviceControlPolicy"`
	// RegionDeny adds the region-deny statement: requests outside regions
	// are denied, except to the global services AWS's example exempts.
	// Default: true (defaults.yaml).
	RegionDeny bool `yaml:"regionDeny"`
	// BreakGlassRoles are role names, present in every member account, that
	// the guardrail denies exempt (besides the StackSet execution role).
	// Default: none.
	BreakGlassRoles []string `yaml:"breakGlassRoles"`
	// ResourceControlPolicy attaches the resource control policy
	// (policies/organization/rcp-baseline-logs.json) to the target OUs and
	// the log archive and audit accounts: the baseline's log buckets and log
	// keys cannot be used by principals outside the organization, nor by AWS
	// services acting for accounts outside it. The policy type
	// RESOURCE_CONTROL_POLICY must be enabled on the organization's root
	// first. Default: false.
	ResourceControlPolicy bool `yaml:"resourceControlPolicy"`
}

// DelegatedAdministrators are the services whose delegated administrator
// is the audit account: the management account registers it, and the audit
// account turns the service on for every member (auto-enable). A service
// the audit account administers is not created by the member StackSets.
// Each defaults to true (defaults.yaml).
type DelegatedAdministrators struct {
	// GuardDuty: organization configuration auto-enables ALL members with
	// the protection plans of guardDuty.
	GuardDuty bool `yaml:"guardDuty"`
	// SecurityHub: central configuration, with the standards and disabled
	// controls of securityHub, and the finding aggregator in the home region.
	SecurityHub bool `yaml:"securityHub"`
	// Inspector: auto-enable for the scan types of inspector.scan.
	Inspector bool `yaml:"inspector"`
	// AWSConfig: an organization aggregator in the audit account (the
	// recorders stay in every account, through the StackSets).
	AWSConfig bool `yaml:"awsConfig"`
	// AccessAnalyzer: an organization analyzer and an organization
	// unused-access analyzer in the audit account.
	AccessAnalyzer bool `yaml:"accessAnalyzer"`
}

// roleNamePattern is IAM's RoleName pattern
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// OrgMode reports whether organization mode is on.
func (o *Organization) OrgMode() bool { return o.ManagementAccount != "" }

// OrganizationTrailOn reports whether the organization trail is built (a
// valid config never asks for it under Control Tower).
func (o *Organization) OrganizationTrailOn() bool {
	return o.OrgMode() && o.OrganizationTrail && !o.ControlTower
}

// MembersWithoutTrail reports whether the StackSet members get no trail
// of their own: the organization trail logs them, and its alarms in the
// management account watch them.
func (o *Organization) MembersWithoutTrail() bool {
	return o.OrganizationTrailOn() && !o.MemberTrails
}

// accountNamed returns the index of the accounts entry called name, or -1.
func (c *Config) accountNamed(name string) int {
	return slices.IndexFunc(c.Accounts, func(a Account) bool { return a.Name == name })
}

// OrgAccount returns the accounts entry that the organization field
// (ManagementAccount, LogArchiveAccount or AuditAccount) names.
func (c *Config) OrgAccount(name string) (Account, bool) {
	if i := c.accountNamed(name); i >= 0 {
		return c.Accounts[i], true
	}
	return Account{}, false
}

// orgModeProblems checks the organization-mode fields. Their accounts are
// accounts entries (the CDK deploys them, with their own per-account
// stacks); every other account of the target OUs is a StackSet member.
func (c *Config) orgModeProblems() problems {
	var ps problems
	o := &c.Organization
	if !o.OrgMode() {
		for _, f := range []struct{ path, v string }{{"id", o.ID}, {"logArchiveAccount", o.LogArchiveAccount}, {"auditAccount", o.AuditAccount}} {
			if f.v != "" {
				ps.addf("organization."+f.path, "is set but organization.managementAccount is empty; name the management account to turn organization mode on, or remove %s", f.path)
			}
		}
		return ps
	}
	switch {
	case o.ID == "":
		ps.addf("organization.id", "required in organization mode: the organization's id, like o-a1b2c3d4e5 (aws organizations describe-organization --query Organization.Id)")
	case !orgIDPattern.MatchString(o.ID):
		ps.addf("organization.id", "%q is not an organization id like o-a1b2c3d4e5 (o- and 10 to 32 lower-case letters or digits)", o.ID)
	}
	if !o.Enabled() {
		ps.addf("organization.managementAccount", "organization mode deploys the member parts through StackSets: set organization.deployerAccount (and organizationalUnits) too")
	}
	roles := []struct{ path, name, what string }{
		{"managementAccount", o.ManagementAccount, "the organization's management account"},
		{"logArchiveAccount", o.LogArchiveAccount, "the log archive account"},
		{"auditAccount", o.AuditAccount, "the audit (security tooling) account"},
	}
	for _, r := range roles {
		p := "organization." + r.path
		switch {
		case r.name == "":
			ps.addf(p, "required in organization mode: the name of the accounts entry of %s", r.what)
		case c.accountNamed(r.name) < 0:
			ps.addf(p, "%q is not the name of an account in accounts; add %s there (it gets its own per-account stacks)", r.name, r.what)
		}
	}
	// SCPs "don't affect users or roles in the management account"
	// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
	// logs or tooling kept there would lose every guardrail.
	for _, r := range roles[1:] {
		if r.name != "" && r.name == o.ManagementAccount {
			ps.addf("organization."+r.path, "%q is the management account, where no service control policy applies; use a member account for %s", r.name, r.what)
		}
	}
	// AWS Control Tower needs "two shared accounts", a log archive and an
	// audit account, created separately
	// (https://docs.aws.amazon.com/controltower/latest/userguide/walkthrough-api-setup.html).
	if o.ControlTower && o.AuditAccount != "" && o.AuditAccount == o.LogArchiveAccount {
		ps.addf("organization.auditAccount", "%q is also the log archive account; Control Tower keeps Log Archive and Audit in two accounts: name its Audit account here", o.AuditAccount)
	}
	if mgmt, ok := c.OrgAccount(o.ManagementAccount); ok {
		// "StackSets doesn't deploy stack instances to the organization
		// management account, even if the organization management account
		// is in your organization or in an OU in your organization"
		// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DeploymentTargets.html).
		for i, id := range o.Accounts {
			if id == mgmt.ID {
				ps.addf(fmt.Sprintf("organization.accounts[%d]", i), "%s is the management account (%s); it is never a StackSet member and no SCP applies to it: remove it from organization.accounts", id, mgmt.Name)
			}
		}
		if o.Enabled() && o.CallAs == "SELF" && o.DeployerAccount != o.ManagementAccount {
			ps.addf("organization.deployerAccount", "%q deploys with callAs SELF, which only the management account (%s) may; set deployerAccount: %s, or callAs: DELEGATED_ADMIN", o.DeployerAccount, o.ManagementAccount, o.ManagementAccount)
		}
		if o.Enabled() && o.CallAs == "DELEGATED_ADMIN" && o.DeployerAccount == o.ManagementAccount {
			ps.addf("organization.callAs", "DELEGATED_ADMIN, but the deployer is the management account %s; set callAs: SELF", o.ManagementAccount)
		}
	}
	if o.ControlTower {
		if o.OrganizationTrail {
			ps.addf("organization.organizationTrail", "Control Tower already runs an organization trail into its Log Archive account, and a second one would log every event twice at the cost of a second trail; set organizationTrail: false")
		}
		// AWS: "If you use AWS Control Tower in your organization, we
		// recommend that you do not use this example policy"
		// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_examples_general.html).
		if o.Guardrails.RegionDeny {
			ps.addf("organization.guardrails.regionDeny", "Control Tower works across regions in a way the region-deny SCP breaks; set regionDeny: false and use Control Tower's Region deny control (https://docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html)")
		}
		// Control Tower "automatically enables AWS Config in the AWS
		// Control Tower Regions" of every account it governs, its shared
		// accounts included, through its AWSControlTowerBP-BASELINE-CONFIG
		// stack set
		// (https://docs.aws.amazon.com/controltower/latest/userguide/enroll-account.html),
		// and a region has one configuration recorder of the account's own
		// (https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html):
		// a second one fails the deploy, or Control Tower's enrollment.
		if c.AWSConfig.Mode == ModeCreate {
			ps.addf("awsConfig.mode", "create makes a Config recorder in every StackSet member, where Control Tower runs its own (organization.controlTower); set awsConfig.mode: skip")
		}
		seen := map[string]bool{}
		for _, r := range []string{o.ManagementAccount, o.LogArchiveAccount, o.AuditAccount} {
			// One that inherits create is reported once, above.
			if i := c.accountNamed(r); i >= 0 && !seen[r] && c.Accounts[i].AWSConfig.Mode == ModeCreate && c.AWSConfig.Mode != ModeCreate {
				seen[r] = true
				ps.addf(fmt.Sprintf("accounts[%d].awsConfig.mode", i), "create makes a Config recorder in %s, where Control Tower runs its own (organization.controlTower); set awsConfig.mode: skip for it", r)
			}
		}
	}
	ps = append(ps, c.securityHubDelegationProblems()...)
	ps = append(ps, c.delegatedProblems()...)
	g := o.Guardrails
	if o.MemberTrails && !o.OrganizationTrail {
		ps.addf("organization.memberTrails", "keeps the members' own trails beside the organization trail, but organizationTrail is false, so members keep their own trail anyway; remove memberTrails")
	}
	if g.RegionDeny && !g.ServiceControlPolicy {
		ps.addf("organization.guardrails.regionDeny", "is a statement of the guardrail SCP; set serviceControlPolicy: true, or regionDeny: false")
	}
	for i, r := range g.BreakGlassRoles {
		p := fmt.Sprintf("organization.guardrails.breakGlassRoles[%d]", i)
		switch {
		case !roleNamePattern.MatchString(r):
			ps.addf(p, "%q is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)", r)
		case slices.Index(g.BreakGlassRoles, r) < i:
			ps.addf(p, "%q is listed twice", r)
		}
	}
	return ps
}

// securityHubDelegationProblems checks delegatedAdministrators.securityHub:
// Security Hub central configuration (stacks/delegated_securityhub.go).
// Control Tower does not conflict with it: Control Tower's own Security
// Hub standard is service-managed, created and deleted in Control Tower
// (https://docs.aws.amazon.com/securityhub/latest/userguide/service-managed-standard-aws-control-tower.html),
// and its Audit account is the one AWS has administer the security
// services.
func (c *Config) securityHubDelegationProblems() problems {
	var ps problems
	o := &c.Organization
	if !o.DelegatedAdministrators.SecurityHub {
		return nil
	}
	const p = "organization.delegatedAdministrators.securityHub"
	h := c.SecurityHub
	if h.Mode != ModeCreate {
		ps.addf(p, "the audit account's configuration policy would enable Security Hub in every member account, but securityHub.mode is %s; set securityHub.mode create, or delegatedAdministrators.securityHub false", h.Mode)
	}
	// Under central configuration Security Hub disables the controls that
	// involve global resources outside the home Region itself
	// (https://docs.aws.amazon.com/securityhub/latest/userguide/controls-to-disable.html).
	if h.Mode == ModeCreate && !h.DisableGlobalControlsOutsideHome {
		ps.addf(p, "central configuration disables the controls that check global resources outside the home region by itself, but securityHub.disableGlobalControlsOutsideHome is false; set it true (the per-account stacks then do the same), or delegatedAdministrators.securityHub false")
	}
	// Central configuration needs the home Region's finding aggregator,
	// and CloudFormation's needs a linked Region: its RegionLinkingMode
	// has no NO_REGIONS
	// (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-securityhub-findingaggregator.html).
	if len(c.Regions) < 2 {
		ps.addf(p, "central configuration needs the audit account's finding aggregator in %s, and CloudFormation's aggregator must link at least one other region; add a second region to regions, or set delegatedAdministrators.securityHub false", c.HomeRegion)
	}
	// The delegated administrator is designated in the intended home
	// Region, and central configuration works from there
	// (https://docs.aws.amazon.com/securityhub/latest/userguide/start-central-configuration.html):
	// the members' home region, where Config records the global types.
	for _, r := range []struct{ path, name string }{{"managementAccount", o.ManagementAccount}, {"auditAccount", o.AuditAccount}} {
		a, ok := c.OrgAccount(r.name)
		if !ok {
			continue // reported on its own
		}
		if a.HomeRegion != c.HomeRegion {
			ps.addf(p, "Security Hub central configuration works from one home region, the members' (%s), but organization.%s %s has homeRegion %s; give %s homeRegion %s, or set delegatedAdministrators.securityHub false", c.HomeRegion, r.path, a.Name, a.HomeRegion, a.Name, c.HomeRegion)
		}
	}
	return ps
}

// delegatedProblems checks organization.delegatedAdministrators against
// the accounts that carry them out.
func (c *Config) delegatedProblems() problems {
	var ps problems
	o := &c.Organization
	d := o.DelegatedAdministrators
	// AWS Control Tower (landing zone 4.0) deploys its own aggregator in
	// the audit account and registers that account as AWS Config's
	// delegated administrator
	// (https://docs.aws.amazon.com/controltower/latest/userguide/config.html).
	if o.ControlTower && d.AWSConfig {
		ps.addf("organization.delegatedAdministrators.awsConfig", "Control Tower already runs an organization Config aggregator in its Audit account and registers it as AWS Config's delegated administrator; a second aggregator would only repeat it: set awsConfig: false")
	}
	if audit, ok := c.OrgAccount(o.AuditAccount); ok && d.AccessAnalyzer && audit.AccessAnalyzer.Mode == ModeCreate && audit.AccessAnalyzer.Type == OrganizationAnalyzer {
		ps.addf("organization.delegatedAdministrators.accessAnalyzer", "makes the organization analyzers in %s, whose own accessAnalyzer.type organization would be a second analyzer of the same name: give %s accessAnalyzer.type: account", audit.Name, audit.Name)
	}
	// GuardDuty and Inspector are administered region by region: in a
	// region where the audit account has no stack, no administrator would
	// turn them on for the members, whose own detector and scans the
	// delegation leaves out.
	audit, ok := c.OrgAccount(o.AuditAccount)
	if !ok || !(d.GuardDuty || d.Inspector) {
		return ps
	}
	for _, r := range c.Regions {
		if !slices.Contains(audit.Regions, r) {
			ps.addf("organization.auditAccount", "%s has no stack in %s, one of regions, where it would administer GuardDuty and Inspector for the members: give %s every region of regions, or set delegatedAdministrators.guardDuty and inspector: false", audit.Name, r, audit.Name)
		}
	}
	return ps
}
