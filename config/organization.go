package config

import (
	"fmt"
	"regexp"
	"slices"
)

// Organization turns on StackSet mode: a deployer stack in the management
// (or delegated-admin) account rolls the baseline out to every account of
// the listed organizational units, new accounts included. Accounts listed
// under `accounts` keep their own per-account stacks and are excluded from
// the StackSets, so the two modes never target the same account.
type Organization struct {
	// DeployerAccount is the name of the accounts entry (the management or
	// a StackSets delegated-admin account) whose home region holds the
	// StackSets. Empty: StackSet mode is off.
	DeployerAccount string `yaml:"deployerAccount"`
	// CallAs is SELF (the deployer is the management account) or
	// DELEGATED_ADMIN.
	CallAs string `yaml:"callAs"`
	// OrganizationalUnits are the targets: ou-... ids, or the root r-....
	OrganizationalUnits []string `yaml:"organizationalUnits"`
	// Accounts narrows the targets to these accounts of the OUs (for a
	// canary rollout). Default: every account of the OUs.
	Accounts []string `yaml:"accounts"`
	// Operations are the StackSet operation preferences.
	Operations Operations `yaml:"operations"`

	// Organization mode (orgmode.go): the organization-level parts around
	// the StackSets. Off while ManagementAccount is empty.
	//
	// ManagementAccount names the accounts entry of the organization's
	// management account. Default: "" (organization mode off).
	ManagementAccount string `yaml:"managementAccount"`
	// ID is the organization's id (o-...), which the organization trail's
	// log prefix (AWSLogs/<id>/) and the resource control policy's
	// aws:PrincipalOrgID name. Required in organization mode.
	ID string `yaml:"id"`
	// LogArchiveAccount names the accounts entry that holds the
	// organization trail's bucket and key. Default: "".
	LogArchiveAccount string `yaml:"logArchiveAccount"`
	// AuditAccount names the accounts entry of the security-tooling
	// account: the delegated administrator of GuardDuty, Security Hub,
	// Inspector, Config and Access Analyzer (DelegatedAdministrators).
	// Default: "".
	AuditAccount string `yaml:"auditAccount"`
	// ControlTower says an AWS Control Tower landing zone governs the
	// organization: its trail and Config stay, and the parts that would
	// conflict with it must be turned off. Default: false.
	ControlTower bool `yaml:"controlTower"`
	// OrganizationTrail builds the organization trail in the management
	// account's organization stack: multi-region, log file validation,
	// delivered into the log archive account's bucket with its key, and
	// to a log group in the management account whose security alarms name
	// the account of each event. Under Control Tower, which runs its own,
	// it must be false. Default: true (defaults.yaml).
	OrganizationTrail bool `yaml:"organizationTrail"`
	// MemberTrails keeps the StackSet members' own trail, log group and
	// alarms beside the organization trail. Each member then records its
	// management events twice, and CloudTrail charges the second copy
	// (https://aws.amazon.com/cloudtrail/pricing/). Without the
	// organization trail members keep their own trail anyway. Default:
	// false (the organization trail and its alarms cover the members).
	MemberTrails bool `yaml:"memberTrails"`
	// Guardrails are the service and resource control policies attached
	// to the organizational units.
	Guardrails Guardrails `yaml:"guardrails"`
	// DelegatedAdministrators are the services the audit account
	// administers for every member account, in every region.
	DelegatedAdministrators DelegatedAdministrators `yaml:"delegatedAdministrators"`
}

// Operations are StackSet operation preferences.
type Operations struct {
	// MaxConcurrentPercentage of accounts deployed at once, per region.
	MaxConcurrentPercentage int `yaml:"maxConcurrentPercentage"`
	// FailureTolerancePercentage of accounts that may fail, per region,
	// before the operation stops.
	FailureTolerancePercentage int `yaml:"failureTolerancePercentage"`
	// RegionConcurrency is SEQUENTIAL or PARALLEL.
	RegionConcurrency string `yaml:"regionConcurrency"`
	// RegionOrder for sequential rollouts. Default: regions, home first.
	RegionOrder []string `yaml:"regionOrder"`
}

var (
	// orgIDPattern is the Organization's Id pattern
	// (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Organization.html).
	orgIDPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	ouPattern    = regexp.MustCompile(`^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$`)
	validCallAs  = []string{"SELF", "DELEGATED_ADMIN"}
	validRegCon  = []string{"SEQUENTIAL", "PARALLEL"}
)

// Enabled reports whether StackSet mode is on.
func (o *Organization) Enabled() bool { return o.DeployerAccount != "" }

// Deployer returns the deployer account's entry.
func (c *Config) Deployer() (Account, bool) {
	for _, a := range c.Accounts {
		if a.Name == c.Organization.DeployerAccount {
			return a, true
		}
	}
	return Account{}, false
}

func (c *Config) organizationProblems() problems {
	var ps problems
	o := &c.Organization
	if !o.Enabled() {
		return ps
	}
	if _, ok := c.Deployer(); !ok {
		names := make([]string, len(c.Accounts))
		for i, a := range c.Accounts {
			names[i] = a.Name
		}
		ps.addf("organization.deployerAccount", "%q is not the name of an account in accounts (%v); add the management or delegated-admin account there", o.DeployerAccount, names)
	}
	if !slices.Contains(validCallAs, o.CallAs) {
		ps.addf("organization.callAs", "%q is not SELF (management account) or DELEGATED_ADMIN", o.CallAs)
	}
	if len(o.OrganizationalUnits) == 0 {
		ps.addf("organization.organizationalUnits", "list at least one OU id (ou-xxxx-xxxxxxxx) or the root id (r-xxxx) to deploy to")
	}
	for i, ou := range o.OrganizationalUnits {
		if !ouPattern.MatchString(ou) {
			ps.addf(fmt.Sprintf("organization.organizationalUnits[%d]", i), "%q is not an OU id like ou-ab12-cdef3456 or a root id like r-ab12", ou)
		}
	}
	for i, id := range o.Accounts {
		p := fmt.Sprintf("organization.accounts[%d]", i)
		if !accountIDPattern.MatchString(id) {
			ps.addf(p, "%q is not a 12-digit account id", id)
			continue
		}
		for j, a := range c.Accounts {
			if a.ID == id && !(o.OrgMode() && a.Name == o.ManagementAccount) { // orgmode.go says why
				ps.addf(p, "%s is accounts[%d] (%s), which has its own per-account stacks; the two modes never target the same account: remove it from one of them", id, j, a.Name)
			}
		}
	}
	op := o.Operations
	if op.MaxConcurrentPercentage < 1 || op.MaxConcurrentPercentage > 100 {
		ps.addf("organization.operations.maxConcurrentPercentage", "must be 1 to 100, got %d", op.MaxConcurrentPercentage)
	}
	if op.FailureTolerancePercentage < 0 || op.FailureTolerancePercentage > 100 {
		ps.addf("organization.operations.failureTolerancePercentage", "must be 0 to 100, got %d", op.FailureTolerancePercentage)
	}
	if !slices.Contains(validRegCon, op.RegionConcurrency) {
		ps.addf("organization.operations.regionConcurrency", "%q is not SEQUENTIAL or PARALLEL", op.RegionConcurrency)
	}
	for i, r := range op.RegionOrder {
		if !slices.Contains(c.Regions, r) {
			ps.addf(fmt.Sprintf("organization.operations.regionOrder[%d]", i), "%s is not in regions %v", r, c.Regions)
		}
	}
	if len(op.RegionOrder) > 0 && len(op.RegionOrder) != len(c.Regions) {
		ps.addf("organization.operations.regionOrder", "list every region of regions once, or leave it empty")
	}
	for _, a := range c.Accounts {
		if a.LogArchive {
			ps.addf("organization", "a central log archive (accounts[].logArchive) does not combine with StackSet mode yet: StackSet members keep their own log bucket")
			break
		}
	}
	return ps
}
