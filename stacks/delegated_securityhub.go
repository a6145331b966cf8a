package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/securityhub"
	"github.com/secure-baseline/cdk-baseline/constructs/securityhubcentral"
)

// Security Hub in organization mode (organization.delegatedAdministrators.
// securityHub): central configuration.
//
//   - <management>-organization designates the audit account as the
//     delegated administrator, in the home region only (securityhubcentral.
//     DelegatedAdmin says why). The designation turns Security Hub on in the
//     audit account's home region
//     (https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html),
//     so the audit account's stacks, which deploy after it, create no hub of
//     their own there or anywhere (withDelegation): an
//     AWS::SecurityHub::Hub on an account where Security Hub is on fails
//     (EnableSecurityHub's ResourceConflictException), and a hub of its own
//     in a linked region would race the policy that turns it on there.
//   - <Audit>-<home> holds the finding aggregator, which links the
//     organization's other regions (the home Region of central
//     configuration), then the organization configuration (CENTRAL), the
//     configuration policy, and its associations: the target OUs and the
//     audit account itself.
//   - The member templates create no hub: the policy enables Security Hub
//     in every member account of the target OUs and every region
//     (withDelegation).
//   - Every other accounts entry (management, log archive and any other)
//     keeps the hub of its own per-account stacks and is associated as
//     self-managed, so that a target OU's policy never takes over settings
//     that its stacks own.

// SecurityHubDelegated reports whether the audit account administers
// Security Hub for the organization.
func SecurityHubDelegated(cfg *config.Config) bool {
	o := cfg.Organization
	return o.OrgMode() && o.DelegatedAdministrators.SecurityHub
}

// isDelegatedSecurityHubAdmin reports whether acc's stack in region holds
// central configuration: the audit account's home region.
func isDelegatedSecurityHubAdmin(cfg *config.Config, acc config.Account, region string) bool {
	return SecurityHubDelegated(cfg) && isAudit(cfg, acc) && region == acc.HomeRegion
}

// addSecurityHubDelegation designates the audit account in the management
// account's organization stack.
func addSecurityHubDelegation(stack awscdk.Stack, cfg *config.Config) {
	if !SecurityHubDelegated(cfg) {
		return
	}
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	securityhubcentral.NewDelegatedAdmin(stack, "SecurityHubDelegatedAdmin", securityhubcentral.DelegatedAdminProps{AdminAccountID: audit.ID})
}

// addDelegatedSecurityHub adds central configuration to the audit
// account's home stack (fillStack calls it for every stack).
func addDelegatedSecurityHub(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string) {
	if !isDelegatedSecurityHubAdmin(cfg, acc, region) {
		return
	}
	p := CentralSecurityHubProps(cfg)
	// The aggregator comes first: central configuration needs the home
	// Region. Its construct id is that of the per-account hub's, so an
	// audit account that had one keeps its logical id.
	p.Aggregator = securityhub.NewAggregator(stack, "SecurityHub", centralAggregatedRegions(cfg))
	securityhubcentral.New(stack, "SecurityHubCentral", p)
}

// CentralSecurityHubProps derive the configuration policy from what the
// per-account mode builds for a member's home region (securityHubProps of
// MemberAccount): the same standards, and the same disabled controls,
// none there. Outside the home region the per-account mode disables the
// global-resource controls (policies/globalcontrols.yaml); central
// configuration does so itself ("Security Hub automatically disables
// controls that involve global resources in all Regions except the home
// Region",
// https://docs.aws.amazon.com/securityhub/latest/userguide/controls-to-disable.html),
// and config validation requires securityHub.disableGlobalControlsOutsideHome
// in this mode so that the two agree. test/securityhubcentral_test.go
// checks it region by region.
func CentralSecurityHubProps(cfg *config.Config) securityhubcentral.Props {
	member := MemberAccount(cfg)
	member.SecurityHub.Mode = config.ModeCreate // as the per-account mode would build it
	hub := securityHubProps(member, cfg.HomeRegion)
	var disabled []string
	for _, c := range securityhub.DisabledControls(hub, cfg.HomeRegion) {
		disabled = append(disabled, c.Control)
	}
	var selfManaged, central []string
	for _, a := range cfg.Accounts {
		if a.Name == cfg.Organization.AuditAccount {
			central = append(central, a.ID)
		} else {
			selfManaged = append(selfManaged, a.ID)
		}
	}
	return securityhubcentral.Props{
		Standards:           hub.Standards,
		NoStandards:         hub.NoStandards,
		DisabledControls:    disabled,
		Targets:             cfg.Organization.OrganizationalUnits,
		Accounts:            central,
		SelfManagedAccounts: selfManaged,
	}
}

// centralAggregatedRegions are the regions the audit account's aggregator
// links under central configuration: the organization's other regions,
// whose accounts the policy then configures too.
func centralAggregatedRegions(cfg *config.Config) []string {
	var out []string
	for _, r := range cfg.Regions {
		if r != cfg.HomeRegion {
			out = append(out, r)
		}
	}
	return out
}
