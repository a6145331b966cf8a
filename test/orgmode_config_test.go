package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
)

// orgModeConfig is StackSet mode plus organization mode: the management,
// log archive and audit accounts get per-account stacks, every other
// account of the two OUs is a StackSet member.
const orgModeConfig = `homeRegion: ap-northeast-1
regions: [ap-northeast-1, us-east-1]
notifications: {emails: [security@example.com]}
organization:
  deployerAccount: Management
  organizationalUnits: [ou-ab12-cdef3456, ou-ab12-99990000]
  managementAccount: Management
  logArchiveAccount: LogArchive
  auditAccount: Audit
  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}
  id: o-a1b2c3d4e5
accounts:
  - name: Management
    id: "999999999999"
  - name: LogArchive
    id: "888888888888"
  - name: Audit
    id: "777777777777"
`

func TestOrgModeConfig(t *testing.T) {
	cfg, err := config.Parse([]byte(orgModeConfig), "org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	o := cfg.Organization
	if !o.OrgMode() || !o.OrganizationTrail || o.MemberTrails || !o.OrganizationTrailOn() || !o.MembersWithoutTrail() || !o.Guardrails.ServiceControlPolicy || !o.Guardrails.RegionDeny || !o.Guardrails.ResourceControlPolicy || o.ControlTower {
		t.Errorf("defaults: %+v", o)
	}
	if a, ok := cfg.OrgAccount(o.AuditAccount); !ok || a.ID != "777777777777" {
		t.Errorf("audit account: %+v %v", a, ok)
	}
	// A target region without a global-resource control: StackSet mode
	// refuses it when the member template would disable the control
	// (TestRegionalLimitConfigErrors), central configuration leaves that to
	// Security Hub, which disables the controls where they exist.
	ca := strings.Replace(orgModeConfig, "regions: [ap-northeast-1, us-east-1]", "regions: [ap-northeast-1, ca-west-1]", 1)
	if _, err := config.Parse([]byte(ca), "org.yaml"); err != nil {
		t.Errorf("central configuration with ca-west-1: %v", err)
	}
	noCentral := strings.Replace(ca, "  id: o-a1b2c3d4e5\n", "  id: o-a1b2c3d4e5\n  delegatedAdministrators: {securityHub: false}\n", 1)
	if _, err := config.Parse([]byte(noCentral), "org.yaml"); err == nil || !strings.Contains(err.Error(), "would disable IAM.1, which does not exist in ca-west-1") {
		t.Errorf("without central configuration, ca-west-1: %v, want the StackSet region error", err)
	}
	// The example of the README.
	if _, err := config.Load("../config/organization.example.yaml"); err != nil {
		t.Errorf("config/organization.example.yaml: %v", err)
	}
	// The organization trail's log archive keeps its archive (and its key's
	// ARN) without a trail of its own; with organizationTrail false it has
	// none, and archiveKeyArn is refused there.
	skip := strings.Replace(orgModeConfig, `    id: "888888888888"`, `    id: "888888888888"
    awsConfig: {mode: skip}
    trail: {mode: skip, archiveKeyArn: "arn:aws:kms:ap-northeast-1:888888888888:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}`, 1)
	if _, err := config.Parse([]byte(skip), "o.yaml"); err != nil {
		t.Errorf("an archive key ARN in the log archive account with trail.mode skip: %v", err)
	}
	off := strings.Replace(skip, "  guardrails:", "  organizationTrail: false\n  guardrails:", 1)
	want := `o.yaml:19: accounts[1].trail.archiveKeyArn: this account has no log archive (trail.mode skip); remove archiveKeyArn`
	if _, err := config.Parse([]byte(off), "o.yaml"); err == nil || err.Error() != want {
		t.Errorf("without the organization trail: %v, want %s", err, want)
	}
}

// TestOrgModeConfigErrors: every bad organization-mode config is refused
// with the field, the reason and the fix (TestRejectedConfigWritesNothing
// shows that a refused config writes nothing).
func TestOrgModeConfigErrors(t *testing.T) {
	rep := func(old, new string) string {
		if !strings.Contains(orgModeConfig, old) {
			t.Fatalf("%q is not in orgModeConfig", old)
		}
		return strings.Replace(orgModeConfig, old, new, 1)
	}
	// Control Tower runs the Config recorders: every Control Tower config
	// leaves them out (the last line, so that no line number moves).
	underControlTower := func(y string) string { return y + "awsConfig: {mode: skip}\n" }
	cases := []configCase{
		{"an OU id of the wrong form", rep("ou-ab12-99990000", "ou-AB12-9999"),
			`o.yaml:6: organization.organizationalUnits[1]: "ou-AB12-9999" is not an OU id like ou-ab12-cdef3456 or a root id like r-ab12`},
		{"the management account listed as a member", rep("  guardrails:", "  accounts: [\"999999999999\"]\n  guardrails:"),
			`o.yaml:10: organization.accounts[0]: 999999999999 is the management account (Management); it is never a StackSet member and no SCP applies to it: remove it from organization.accounts`},
		{"the audit account is the management account", rep("auditAccount: Audit", "auditAccount: Management"),
			`o.yaml:9: organization.auditAccount: "Management" is the management account, where no service control policy applies; use a member account for the audit (security tooling) account`},
		{"the log archive is the management account", rep("logArchiveAccount: LogArchive", "logArchiveAccount: Management"),
			`o.yaml:8: organization.logArchiveAccount: "Management" is the management account, where no service control policy applies; use a member account for the log archive account`},
		{"audit equal to log archive under Control Tower", underControlTower(rep("auditAccount: Audit\n  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "auditAccount: LogArchive\n  controlTower: true\n  organizationTrail: false\n  delegatedAdministrators: {awsConfig: false}\n  guardrails: {regionDeny: false}")),
			`o.yaml:9: organization.auditAccount: "LogArchive" is also the log archive account; Control Tower keeps Log Archive and Audit in two accounts: name its Audit account here`},
		{"an account that is not in accounts", rep("auditAccount: Audit", "auditAccount: Security"),
			`o.yaml:9: organization.auditAccount: "Security" is not the name of an account in accounts; add the audit (security tooling) account there (it gets its own per-account stacks)`},
		{"organization mode without StackSet mode", rep("  deployerAccount: Management\n", ""),
			`o.yaml:6: organization.managementAccount: organization mode deploys the member parts through StackSets: set organization.deployerAccount (and organizationalUnits) too`},
		{"an audit account without organization mode", rep("  managementAccount: Management\n", ""),
			`o.yaml:7: organization.logArchiveAccount: is set but organization.managementAccount is empty; name the management account to turn organization mode on, or remove logArchiveAccount
o.yaml:8: organization.auditAccount: is set but organization.managementAccount is empty; name the management account to turn organization mode on, or remove auditAccount
o.yaml:10: organization.id: is set but organization.managementAccount is empty; name the management account to turn organization mode on, or remove id`},
		{"no organization id", rep("  id: o-a1b2c3d4e5\n", ""),
			`o.yaml:5: organization.id: required in organization mode: the organization's id, like o-a1b2c3d4e5 (aws organizations describe-organization --query Organization.Id)`},
		{"an organization id of the wrong form", rep("o-a1b2c3d4e5", "o-A1B2"),
			`o.yaml:11: organization.id: "o-A1B2" is not an organization id like o-a1b2c3d4e5 (o- and 10 to 32 lower-case letters or digits)`},
		{"SELF from a delegated admin", rep("deployerAccount: Management", "deployerAccount: Audit"),
			`o.yaml:5: organization.deployerAccount: "Audit" deploys with callAs SELF, which only the management account (Management) may; set deployerAccount: Management, or callAs: DELEGATED_ADMIN`},
		{"Control Tower and a second organization trail", underControlTower(rep("  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "  controlTower: true\n  organizationTrail: true\n  delegatedAdministrators: {awsConfig: false}\n  guardrails: {regionDeny: false}")),
			`o.yaml:11: organization.organizationTrail: Control Tower already runs an organization trail into its Log Archive account, and a second one would log every event twice at the cost of a second trail; set organizationTrail: false`},
		{"Control Tower and the region-deny SCP", underControlTower(rep("  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "  controlTower: true\n  organizationTrail: false\n  delegatedAdministrators: {awsConfig: false}")),
			`o.yaml:5: organization.guardrails.regionDeny: Control Tower works across regions in a way the region-deny SCP breaks; set regionDeny: false and use Control Tower's Region deny control (https://docs.aws.amazon.com/controltower/latest/userguide/primary-region-deny-policy.html)`},
		{"region deny without the SCP", rep("{breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "{serviceControlPolicy: false}"),
			`o.yaml:5: organization.guardrails.regionDeny: is a statement of the guardrail SCP; set serviceControlPolicy: true, or regionDeny: false`},
		{"Security Hub delegated with securityHub.mode skip", rep("notifications: {emails: [security@example.com]}\n", "notifications: {emails: [security@example.com]}\nsecurityHub: {mode: skip}\n"),
			`o.yaml:6: organization.delegatedAdministrators.securityHub: the audit account's configuration policy would enable Security Hub in every member account, but securityHub.mode is skip; set securityHub.mode create, or delegatedAdministrators.securityHub false`},
		{"Security Hub delegated with the global controls left on outside home", rep("notifications: {emails: [security@example.com]}\n", "notifications: {emails: [security@example.com]}\nsecurityHub: {disableGlobalControlsOutsideHome: false}\n"),
			`o.yaml:6: organization.delegatedAdministrators.securityHub: central configuration disables the controls that check global resources outside the home region by itself, but securityHub.disableGlobalControlsOutsideHome is false; set it true (the per-account stacks then do the same), or delegatedAdministrators.securityHub false`},
		{"Security Hub delegated to an audit account with another home region", rep("    id: \"777777777777\"\n", "    id: \"777777777777\"\n    homeRegion: us-east-1\n"),
			`o.yaml:5: organization.delegatedAdministrators.securityHub: Security Hub central configuration works from one home region, the members' (ap-northeast-1), but organization.auditAccount Audit has homeRegion us-east-1; give Audit homeRegion ap-northeast-1, or set delegatedAdministrators.securityHub false`},
		{"Security Hub delegated in one region, where CloudFormation's aggregator has nothing to link", rep("regions: [ap-northeast-1, us-east-1]", "regions: [ap-northeast-1]"),
			`o.yaml:5: organization.delegatedAdministrators.securityHub: central configuration needs the audit account's finding aggregator in ap-northeast-1, and CloudFormation's aggregator must link at least one other region; add a second region to regions, or set delegatedAdministrators.securityHub false`},
		// organizationTrail defaults to true: a Control Tower config that
		// does not say false is told to.
		{"Control Tower with the default organization trail", underControlTower(rep("  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "  controlTower: true\n  delegatedAdministrators: {awsConfig: false}\n  guardrails: {regionDeny: false}")),
			`o.yaml:5: organization.organizationTrail: Control Tower already runs an organization trail into its Log Archive account, and a second one would log every event twice at the cost of a second trail; set organizationTrail: false`},
		{"member trails without the organization trail", rep("  guardrails:", "  organizationTrail: false\n  memberTrails: true\n  guardrails:"),
			`o.yaml:11: organization.memberTrails: keeps the members' own trails beside the organization trail, but organizationTrail is false, so members keep their own trail anyway; remove memberTrails`},
		{"an archive key ARN of another account than the log archive's", rep(`    id: "888888888888"`, `    id: "888888888888"
    trail: {archiveKeyArn: "arn:aws:kms:ap-northeast-1:777777777777:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"}`),
			`o.yaml:17: accounts[1].trail.archiveKeyArn: "arn:aws:kms:ap-northeast-1:777777777777:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d" is not a key of this account in its home region; use arn:aws:kms:ap-northeast-1:888888888888:key/<key id>, as the output LogArchiveKeyArn of stack LogArchive-ap-northeast-1 shows after its first deploy`},
		{"Control Tower and the members' Config recorders", rep("  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "  controlTower: true\n  organizationTrail: false\n  delegatedAdministrators: {awsConfig: false}\n  guardrails: {regionDeny: false}"),
			`o.yaml:5: awsConfig.mode: create makes a Config recorder in every StackSet member, where Control Tower runs its own (organization.controlTower); set awsConfig.mode: skip`},
		{"Control Tower and the audit account's own Config recorder", underControlTower(strings.Replace(rep("  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "  controlTower: true\n  organizationTrail: false\n  delegatedAdministrators: {awsConfig: false}\n  guardrails: {regionDeny: false}"),
			"    id: \"777777777777\"", "    id: \"777777777777\"\n    awsConfig: {mode: create}", 1)),
			`o.yaml:22: accounts[2].awsConfig.mode: create makes a Config recorder in Audit, where Control Tower runs its own (organization.controlTower); set awsConfig.mode: skip for it`},
		{"Control Tower and a second Config aggregator", underControlTower(rep("  guardrails: {breakGlassRoles: [BreakGlass], resourceControlPolicy: true}", "  controlTower: true\n  organizationTrail: false\n  guardrails: {regionDeny: false}")),
			`o.yaml:5: organization.delegatedAdministrators.awsConfig: Control Tower already runs an organization Config aggregator in its Audit account and registers it as AWS Config's delegated administrator; a second aggregator would only repeat it: set awsConfig: false`},
		{"an audit account without a stack in every region", rep("    id: \"777777777777\"", "    id: \"777777777777\"\n    regions: [ap-northeast-1]"),
			`o.yaml:9: organization.auditAccount: Audit has no stack in us-east-1, one of regions, where it would administer GuardDuty and Inspector for the members: give Audit every region of regions, or set delegatedAdministrators.guardDuty and inspector: false`},
		{"the audit account's own organization analyzer beside the delegated ones", rep("    id: \"777777777777\"", "    id: \"777777777777\"\n    accessAnalyzer: {type: organization}"),
			`o.yaml:5: organization.delegatedAdministrators.accessAnalyzer: makes the organization analyzers in Audit, whose own accessAnalyzer.type organization would be a second analyzer of the same name: give Audit accessAnalyzer.type: account`},
		{"a break-glass role that is no role name", rep("[BreakGlass]", "[BreakGlass, \"Break Glass\"]"),
			`o.yaml:10: organization.guardrails.breakGlassRoles[1]: "Break Glass" is not an IAM role name (1 to 64 of letters, digits and +=,.@_-)`},
	}
	checkConfigCases(t, "o.yaml", cases)
}

// TestRejectedOrgModeConfigWritesNothing runs the real app with an
// organization-mode config that lists the management account as a member:
// it exits non-zero with the one message and writes no template.
func TestRejectedOrgModeConfigWritesNothing(t *testing.T) {
	bin := buildApp(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "org.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(orgModeConfig, "  guardrails:", "  accounts: [\"999999999999\"]\n  guardrails:", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	outdir := filepath.Join(dir, "cdk.out")
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, `CDK_CONTEXT_JSON={"config":"`+bad+`"}`)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the app accepted a bad config:\n%s", out)
	}
	want := "error: " + bad + " has 1 problem(s):\n" + bad + ":10: organization.accounts[0]: 999999999999 is the management account (Management); it is never a StackSet member and no SCP applies to it: remove it from organization.accounts\n"
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("a rejected config wrote %d files to %s", len(entries), outdir)
	}
}
