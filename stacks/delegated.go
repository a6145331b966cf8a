package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/orgadmin"
)

// Delegated administrators (organization.delegatedAdministrators) of
// GuardDuty, Inspector, AWS Config and IAM Access Analyzer: the management
// account designates the audit account (orgadmin, in the organization
// stack of its home region and in a stack <management>-organization-<region>
// of every other region of the audit account), and the audit account's own
// region stacks then turn the services on for the organization
// (delegated_services.go). Who administers what:
//
//   - GuardDuty: the audit account, in each region, with auto-enable ALL;
//     every account of the organization gets its detector from GuardDuty,
//     except the management account, which keeps its own stack's (GuardDuty
//     enables the management account only once it has GuardDuty on,
//     https://docs.aws.amazon.com/guardduty/latest/ug/add-member-accounts-guardduty-organization.html).
//   - Inspector: the audit account, in each region, auto-enabling the
//     configured scan types for new members.
//   - AWS Config: recorders stay in every account; the audit account holds
//     the organization aggregator (home region).
//   - IAM Access Analyzer: every account keeps its own analyzer; the audit
//     account adds the organization analyzers.

// Delegated reports whether the organization's audit account administers
// service s (orgadmin.Services) for the members.
func Delegated(cfg *config.Config, s orgadmin.Service) bool {
	o := cfg.Organization
	if !o.OrgMode() {
		return false
	}
	d := o.DelegatedAdministrators
	switch s {
	case orgadmin.GuardDuty:
		return d.GuardDuty
	case orgadmin.Inspector:
		return d.Inspector
	case orgadmin.AWSConfig:
		// Control Tower's own aggregator (config validation refuses the
		// flag with Control Tower).
		return d.AWSConfig && !o.ControlTower
	case orgadmin.AccessAnalyzer:
		return d.AccessAnalyzer
	}
	return false
}

// withDelegation is acc with the services that the audit account now runs
// for it turned to skip.
//
// GuardDuty: auto-enable ALL creates the detector of every account of the
// organization, and an account's own AWS::GuardDuty::Detector would then
// fail ("a detector already exists for the current account", GuardDuty's
// CreateDetector error); designating the audit account as administrator
// enables GuardDuty in it as well ("For this administrator account,
// GuardDuty gets enabled automatically",
// https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html),
// so the audit account adopts that detector (delegated_services.go). Only
// the management account keeps its own: GuardDuty does not enable it
// (Delegated's comment). The detectors of accounts deployed before are
// retained when their stacks drop them (constructs/guardduty), and
// auto-enable ALL takes them over.
//
// Inspector: the StackSet members get their scans from the audit
// account's auto-enable; the per-account stacks keep their own enablement.
//
// Security Hub: the audit account's configuration policy enables Security
// Hub, its standards and controls in every member account and region, and
// in the audit account itself (delegated_securityhub.go says why). A
// member's own AWS::SecurityHub::Hub would fail once the policy has enabled
// it (EnableSecurityHub's ResourceConflictException, "The resource
// specified in the request conflicts with an existing resource",
// https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_EnableSecurityHub.html),
// and its standards are the delegated administrator's to change: a
// centrally managed account cannot configure its own settings
// (https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-management-type.html).
// The finding routes stay: Security Hub sends every account's findings to
// that account's default event bus, members' included
// (https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-cwe-integration-types.html).
func withDelegation(cfg *config.Config, acc config.Account) config.Account {
	o := cfg.Organization
	if SecurityHubDelegated(cfg) && (acc.StackSetMember || isAudit(cfg, acc)) {
		acc.SecurityHub.Mode = config.ModeSkip
	}
	if Delegated(cfg, orgadmin.GuardDuty) && acc.Name != o.ManagementAccount {
		acc.GuardDuty.Mode = config.ModeSkip
	}
	if Delegated(cfg, orgadmin.Inspector) && acc.StackSetMember {
		acc.Inspector.Mode = config.ModeSkip
	}
	return acc
}

// isAudit reports whether acc is organization mode's audit account.
func isAudit(cfg *config.Config, acc config.Account) bool {
	return cfg.Organization.OrgMode() && !acc.StackSetMember && acc.Name == cfg.Organization.AuditAccount
}

// OrganizationRegionStackName is the management account's stack of
// organization mode in a region other than its home region.
func OrganizationRegionStackName(cfg *config.Config, region string) string {
	return OrganizationStackName(cfg) + "-" + region
}

// delegationProps are the designations of the management account in one
// region: all of them in the home region, the regional ones elsewhere.
func delegationProps(cfg *config.Config, home bool) (orgadmin.Props, bool) {
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	props := orgadmin.Props{AdminAccountID: audit.ID, OrganizationID: cfg.Organization.ID, RegionalOnly: !home}
	n := 0
	for _, s := range orgadmin.Services {
		switch {
		case !Delegated(cfg, s):
			props.Skip = append(props.Skip, s)
		case home || orgadmin.Regional(s):
			n++
		}
	}
	return props, n > 0
}

// addDelegation adds the designations of the home region to the
// organization stack, and builds the organization stacks of the audit
// account's other regions (when it administers a regional service). It
// returns those stacks by name.
func addDelegation(app constructs.Construct, cfg *config.Config, org awscdk.Stack) map[string]awscdk.Stack {
	mgmt, _ := cfg.OrgAccount(cfg.Organization.ManagementAccount)
	audit, _ := cfg.OrgAccount(cfg.Organization.AuditAccount)
	out := map[string]awscdk.Stack{}
	if props, any := delegationProps(cfg, true); any {
		// After centralized root access, whose first call enables trusted
		// access too: AWS Organizations refuses concurrent changes of the
		// organization (ConcurrentModificationException, among the errors
		// of EnableAWSServiceAccess and RegisterDelegatedAdministrator in
		// the API model).
		if root := org.Node().TryFindChild(jsii.String("RootAccess")); root != nil {
			props.After = []constructs.IDependable{root}
		}
		orgadmin.New(org, "DelegatedAdministrators", props)
	}
	props, any := delegationProps(cfg, false)
	if !any {
		return out
	}
	for _, region := range audit.Regions {
		if region == mgmt.HomeRegion {
			continue
		}
		name := OrganizationRegionStackName(cfg, region)
		s := newStack(app, name, mgmt, region, RoleOrganization,
			fmt.Sprintf("organization mode in %s: the audit account %s (%s) as delegated administrator of the region's services", region, audit.Name, audit.ID))
		orgadmin.New(s, "DelegatedAdministrators", props)
		out[name] = s
	}
	return out
}

// orderDelegation deploys each of the audit account's region stacks after
// the management account's stacks that designate it: its organization
// configurations, aggregator and organization analyzers need the
// designations when they are created (the services refuse them from an
// account that is not the administrator). test/ordering_test.go's
// delegation rule finds these needs in the templates.
func orderDelegation(cfg *config.Config, byName map[string]awscdk.Stack) {
	audit, ok := cfg.OrgAccount(cfg.Organization.AuditAccount)
	if !ok {
		return
	}
	mgmt, _ := cfg.OrgAccount(cfg.Organization.ManagementAccount)
	for _, region := range audit.Regions {
		s := byName[StackName(audit, region)]
		// The organization-wide registrations (home organization stack):
		// the organization analyzer of every region, and the aggregator.
		if Delegated(cfg, orgadmin.AccessAnalyzer) || (Delegated(cfg, orgadmin.AWSConfig) && region == audit.HomeRegion) {
			s.AddDependency(byName[OrganizationStackName(cfg)], jsii.String("the management account registers the audit account as delegated administrator first"))
		}
		if Delegated(cfg, orgadmin.GuardDuty) || Delegated(cfg, orgadmin.Inspector) {
			name := OrganizationRegionStackName(cfg, region)
			if region == mgmt.HomeRegion {
				name = OrganizationStackName(cfg)
			}
			if o := byName[name]; o != nil {
				s.AddDependency(o, jsii.String("the management account designates the audit account as the region's GuardDuty and Inspector administrator first"))
			}
		}
	}
}
