package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/constructs/configrecorder"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// RegionalServices configure the services every regional stack holds: AWS
// Config, GuardDuty, Security Hub, the routes that bring their findings to
// people, account hardening and IAM Access Analyzer. Every key has its
// default in defaults.yaml.
//
// Each service has a mode. "create" makes the baseline deploy and own it;
// "skip" leaves the account's existing setup alone (Config allows one
// recorder per region and GuardDuty one detector, so creating a second one
// fails the deploy).
type RegionalServices struct {
	// AWSConfig is the configuration recorder, its delivery channel and the
	// optional AWS managed Config rules.
	AWSConfig AWSConfig `yaml:"awsConfig"`
	// GuardDuty is the region's GuardDuty detector.
	GuardDuty GuardDuty `yaml:"guardDuty"`
	// SecurityHub is Security Hub CSPM and its standards.
	SecurityHub SecurityHub `yaml:"securityHub"`
	// Findings route GuardDuty and Security Hub findings to the alarm topic.
	Findings Findings `yaml:"findings"`
	// Hardening is the account's password policy, S3 Block Public Access
	// and EBS default encryption.
	Hardening Hardening `yaml:"hardening"`
	// AccessAnalyzer is the region's IAM Access Analyzer.
	AccessAnalyzer AccessAnalyzer `yaml:"accessAnalyzer"`
	// Inspector is Amazon Inspector's vulnerability scanning.
	Inspector Inspector `yaml:"inspector"`
}

// Modes of a service.
const (
	// ModeCreate makes the baseline deploy and own the service.
	ModeCreate = "create"
	// ModeSkip leaves the service as the account has it.
	ModeSkip = "skip"
)

// AWSConfig configures AWS Config in every region of the account.
type AWSConfig struct {
	// Mode is create (a recorder for all supported resource types and a
	// delivery channel to the log bucket) or skip (the region already has a
	// recorder, e.g. Control Tower's).
	Mode string `yaml:"mode"`
	// SnapshotFrequency is how often the delivery channel writes a full
	// configuration snapshot: one of SnapshotFrequencies.
	SnapshotFrequency configrecorder.SnapshotFrequency `yaml:"snapshotFrequency"`
	// DailyResourceTypes are recorded once a day instead of on every change,
	// to cut the cost of high-churn types (AWS::EC2::NetworkInterface, ...).
	DailyResourceTypes []string `yaml:"dailyResourceTypes"`
	// Rules are AWS managed Config rules to add, by source identifier
	// (S3_BUCKET_VERSIONING_ENABLED, ...). In skip mode they use the
	// region's existing recorder.
	Rules []string `yaml:"rules"`
}

// GuardDuty configures the GuardDuty detector of every region.
type GuardDuty struct {
	// Mode is create or skip (the region already has a detector).
	Mode string `yaml:"mode"`
	// Protection lists the protection plans to turn on: ProtectionPlans.
	// The others are turned off explicitly.
	Protection []guardduty.Plan `yaml:"protection"`
	// FindingFrequency is how often updates to existing findings are
	// published: one of FindingFrequencies. New findings are published
	// within minutes regardless.
	FindingFrequency guardduty.Frequency `yaml:"findingFrequency"`
}

// SecurityHub configures Security Hub CSPM in every region.
type SecurityHub struct {
	// Mode is create or skip (Security Hub is already on, e.g. managed by a
	// delegated administrator).
	Mode string `yaml:"mode"`
	// Standards to enable, by the ids in SecurityHubStandards.
	Standards []string `yaml:"standards"`
	// FindingAggregator links the account's other regions to its home
	// region, so that the home region shows (and routes) every region's
	// Security Hub findings.
	FindingAggregator bool `yaml:"findingAggregator"`
	// DisableGlobalControlsOutsideHome disables, in the regions other than
	// the home region, the controls that check global resources
	// (policies/globalcontrols.yaml). AWS Config records the global IAM
	// types in the home region only; elsewhere those controls have no data
	// and Config.1 fails. AWS advises disabling them there.
	DisableGlobalControlsOutsideHome bool `yaml:"disableGlobalControlsOutsideHome"`
}

// Findings configure how findings reach the subscribers of the alarm topic.
type Findings struct {
	// Mode is create or skip (findings already go elsewhere, e.g. a SIEM).
	Mode string `yaml:"mode"`
	// Route is how other regions deliver: RouteForward (to the home
	// region's default event bus, and from there to the one alarm topic)
	// or RouteRegional (to a topic of their own, with the same subscribers).
	Route string `yaml:"route"`
	// GuardDutyMinSeverity is the lowest GuardDuty severity that is sent,
	// from 1 to 10: 4 medium, 7 high, 9 critical.
	GuardDutyMinSeverity float64 `yaml:"guardDutyMinSeverity"`
	// InspectorSeverities are the Inspector finding severities that are
	// sent: of InspectorSeverityLabels.
	InspectorSeverities []string `yaml:"inspectorSeverities"`
}

// Inspector configures Amazon Inspector in every region.
type Inspector struct {
	// Mode is create or skip (a delegated administrator manages Inspector).
	Mode string `yaml:"mode"`
	// Scan lists the resource types to scan: InspectorScanTypes.
	Scan []string `yaml:"scan"`
	// RevertOnDelete disables the scans when the stack (or this section,
	// by mode skip) is removed. Off, they stay on. Removing a type from
	// Scan disables it either way.
	RevertOnDelete bool `yaml:"revertOnDelete"`
}

// InspectorScanTypes are the valid inspector.scan values.
var InspectorScanTypes = []string{"ec2", "ecr", "lambda", "lambdaCode"}

// InspectorSeverityLabels are the valid findings.inspectorSeverities values:
// botocore's inspector2 Severity enum.
var InspectorSeverityLabels = []string{"CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNTRIAGED"}

// Routes of findings from the regions other than the home region.
const (
	RouteForward  = "forward"
	RouteRegional = "regional"
)

// Hardening configures account settings CloudFormation has no resource for.
type Hardening struct {
	// Mode is create or skip.
	Mode string `yaml:"mode"`
	// PasswordPolicy is the IAM password policy (home region).
	PasswordPolicy PasswordPolicy `yaml:"passwordPolicy"`
	// RevertOnDelete turns the settings back off when the stack (or this
	// section, by mode skip) is removed. Off, they stay as they are.
	RevertOnDelete bool `yaml:"revertOnDelete"`
}

// PasswordPolicy is the account's IAM password policy. It always requires
// upper and lower case letters, digits and symbols, and prevents the reuse
// of the last 24 passwords (CIS).
type PasswordPolicy struct {
	// MinimumLength of a password, 14 (CIS) to 128.
	MinimumLength int `yaml:"minimumLength"`
	// MaxAgeDays makes passwords expire, 1 to 1095 days; 0 never. Security
	// Hub IAM.17 expects 90 or less.
	MaxAgeDays int `yaml:"maxAgeDays"`
}

// AccessAnalyzer configures the IAM Access Analyzer of every region.
type AccessAnalyzer struct {
	// Mode is create or skip.
	Mode string `yaml:"mode"`
	// Type is account (report access from outside the account) or
	// organization (from outside the organization; only in the
	// organization's management or delegated administrator account).
	Type AnalyzerType `yaml:"type"`
}

// SecurityHubStandards are the valid securityHub.standards values: the
// standard's ARN after "standards/", so that the version is in the config.
var SecurityHubStandards = []string{
	"aws-foundational-security-best-practices/v/1.0.0",
	"cis-aws-foundations-benchmark/v/5.0.0",
	"nist-800-53/v/5.0.0",
}

var (
	resourceTypePattern = regexp.MustCompile(`^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$`)
	managedRulePattern  = regexp.MustCompile(`^[A-Z0-9]+(_[A-Z0-9]+)*$`)
)

// problems checks the regional-services settings. s holds them, for the
// rules that depend on other sections. Paths are relative to the settings.
func (r *RegionalServices) problems(s *Settings) problems {
	var ps problems
	check := func(path, problem string) {
		if problem != "" {
			ps.addf(path, "%s", problem)
		}
	}
	list := func(path string, values []string, valid func(string) bool, what string) {
		for i, v := range values {
			p := fmt.Sprintf("%s[%d]", path, i)
			if !valid(v) {
				ps.addf(p, "%q is not %s", v, what)
			} else if slices.Index(values, v) < i {
				ps.addf(p, "%q is listed twice", v)
			}
		}
	}
	mode := func(path, value string) { check(path, oneOf(value, validModes, "a mode")) }
	in := func(valid []string) func(string) bool {
		return func(v string) bool { return slices.Contains(valid, v) }
	}

	c := r.AWSConfig
	mode("awsConfig.mode", c.Mode)
	check("awsConfig.snapshotFrequency", oneOf(c.SnapshotFrequency, SnapshotFrequencies, "a snapshot frequency"))
	list("awsConfig.dailyResourceTypes", c.DailyResourceTypes, resourceTypePattern.MatchString, "a resource type like AWS::EC2::NetworkInterface")
	list("awsConfig.rules", c.Rules, managedRulePattern.MatchString, "the identifier of an AWS managed rule, like S3_BUCKET_VERSIONING_ENABLED")
	if c.Mode == ModeCreate {
		// The log bucket grants Config delivery to the accounts whose
		// trail writes to it, and Config cannot deliver to a bucket with a
		// default Object Lock retention. (Invalid trail values are the
		// trail's to report.)
		switch {
		case s.Trail.Mode == ModeSkip:
			ps.addf("awsConfig.mode", "create delivers to the baseline log bucket, which takes Config snapshots only from accounts with trail.mode create; set awsConfig.mode skip where Config is already set up (Control Tower), or trail.mode create")
		case slices.Contains(ObjectLockModes, s.Trail.Bucket.ObjectLock.Mode):
			ps.addf("awsConfig.mode", "create delivers to the log bucket, and AWS Config cannot deliver to a bucket with a default Object Lock retention (trail.bucket.objectLock.mode %s); turn Object Lock off or set awsConfig.mode skip", s.Trail.Bucket.ObjectLock.Mode)
		}
	}

	ps = append(ps, globalIamHomeProblems(s)...)

	g := r.GuardDuty
	mode("guardDuty.mode", g.Mode)
	for i, p := range g.Protection {
		path := fmt.Sprintf("guardDuty.protection[%d]", i)
		if !slices.Contains(ProtectionPlans, p) {
			ps.addf(path, "%q is not a protection plan; use %s", p, orList(ProtectionPlans))
		} else if slices.Index(g.Protection, p) < i {
			ps.addf(path, "%q is listed twice", p)
		}
	}
	check("guardDuty.findingFrequency", oneOf(g.FindingFrequency, FindingFrequencies, "a finding frequency"))

	h := r.SecurityHub
	mode("securityHub.mode", h.Mode)
	list("securityHub.standards", h.Standards, in(SecurityHubStandards), "a standard; use "+orList(SecurityHubStandards))

	f := r.Findings
	mode("findings.mode", f.Mode)
	check("findings.route", oneOf(f.Route, []string{RouteForward, RouteRegional}, "a route"))
	if f.GuardDutyMinSeverity < 1 || f.GuardDutyMinSeverity > 10 {
		ps.addf("findings.guardDutyMinSeverity", "%g is out of range; GuardDuty severities run from 1 to 10 (4 medium, 7 high, 9 critical)", f.GuardDutyMinSeverity)
	}
	list("findings.inspectorSeverities", f.InspectorSeverities, in(InspectorSeverityLabels), "an Inspector severity; use "+orList(InspectorSeverityLabels))
	if len(f.InspectorSeverities) == 0 {
		ps.addf("findings.inspectorSeverities", "list at least one severity, e.g. [HIGH, CRITICAL]; set findings.mode skip to send no findings")
	}

	in2 := r.Inspector
	mode("inspector.mode", in2.Mode)
	list("inspector.scan", in2.Scan, in(InspectorScanTypes), "a scan type; use "+orList(InspectorScanTypes))
	if in2.Mode == ModeCreate && len(in2.Scan) == 0 {
		ps.addf("inspector.scan", "list at least one of %s, or set inspector.mode skip", orList(InspectorScanTypes))
	}
	// https://docs.aws.amazon.com/inspector/latest/user/scanning-lambda.html
	if slices.Contains(in2.Scan, "lambdaCode") && !slices.Contains(in2.Scan, "lambda") {
		ps.addf("inspector.scan", "lambdaCode needs lambda: Inspector scans Lambda code only with Lambda standard scanning on; add lambda")
	}

	hd := r.Hardening
	mode("hardening.mode", hd.Mode)
	if n := hd.PasswordPolicy.MinimumLength; n < 14 || n > 128 {
		ps.addf("hardening.passwordPolicy.minimumLength", "%d is out of range; use 14 (CIS) to 128", n)
	}
	if n := hd.PasswordPolicy.MaxAgeDays; n < 0 || n > 1095 {
		ps.addf("hardening.passwordPolicy.maxAgeDays", "%d is out of range; use 1 to 1095 days (90 or less for Security Hub IAM.17), or 0 for passwords that never expire", n)
	}

	a := r.AccessAnalyzer
	mode("accessAnalyzer.mode", a.Mode)
	check("accessAnalyzer.type", oneOf(a.Type, AnalyzerTypes, "an analyzer type"))
	return ps
}

// archiveDeliveryProblems checks the accounts whose Config delivers to
// another account's log bucket (the central log archive): AWS Config cannot
// deliver to a bucket with a default Object Lock retention. Paths are full
// (accounts[1].awsConfig.mode).
func archiveDeliveryProblems(cfg *Config) problems {
	var ps problems
	archive := slices.IndexFunc(cfg.Accounts, func(a Account) bool { return a.LogArchive })
	if archive < 0 {
		return nil
	}
	lock := cfg.Accounts[archive].Trail.Bucket.ObjectLock.Mode
	for i, acc := range cfg.Accounts {
		if i == archive || !slices.Contains(ObjectLockModes, lock) || acc.AWSConfig.Mode != ModeCreate ||
			acc.Trail.Mode == ModeSkip || acc.Trail.Bucket.ObjectLock.Mode != "" {
			continue // the account's own settings report these
		}
		ps.addf(fmt.Sprintf("accounts[%d].awsConfig.mode", i), "create delivers to the log archive's bucket (accounts[%d]), and AWS Config cannot deliver to a bucket with a default Object Lock retention (objectLock.mode %s there); turn Object Lock off or set awsConfig.mode skip", archive, lock)
	}
	return ps
}

// globalIamHomeProblems rejects a home region where AWS Config cannot record
// the global IAM resource types (policies/regions.yaml). The baseline
// records them in the home region only and, outside it, disables the
// Security Hub controls that check them; with such a home region they would
// be recorded and checked nowhere, silently. Adapting (recording them in
// another region) would move the account's global checks out of the region
// its operators chose, so the choice is left to them.
func globalIamHomeProblems(s *Settings) problems {
	var ps problems
	limits := policies.MustRegionalAvailability()
	g := limits.ConfigGlobalIam
	if !slices.Contains(Regions, s.HomeRegion) || g.Has(s.HomeRegion) {
		return nil // an unknown home region is reported on its own
	}
	records := s.AWSConfig.Mode == ModeCreate
	disables := s.SecurityHub.Mode == ModeCreate && s.SecurityHub.DisableGlobalControlsOutsideHome && len(s.Regions) > 1
	if !records && !disables {
		return nil
	}
	var what, fix []string
	if records {
		what = append(what, "awsConfig.mode create records the IAM users, groups, roles and policies in the home region only")
		fix = append(fix, "set awsConfig.mode skip where another recorder covers IAM")
	}
	if disables {
		what = append(what, "securityHub.disableGlobalControlsOutsideHome turns their controls off in every other region")
		fix = append(fix, "set securityHub.disableGlobalControlsOutsideHome false")
	}
	ps.addf("homeRegion", "AWS Config cannot record the global IAM resource types in %s (a region it reached after February 2022: %s), and %s, so IAM would be checked nowhere; choose a homeRegion where Config records them, such as %s, or %s",
		s.HomeRegion, g.Source, strings.Join(what, ", and "), suggestHome(s.Regions, g), strings.Join(fix, " and "))
	return ps
}

// suggestHome is a configured region where Config records the global IAM
// types, or us-east-1.
func suggestHome(regions []string, g policies.RegionalLimit) string {
	for _, r := range regions {
		if slices.Contains(Regions, r) && g.Has(r) {
			return r
		}
	}
	return exampleRegion
}

// stackSetRegionProblems checks StackSet mode against policies/regions.yaml.
// One member template serves every region of a StackSet, and its region is
// only known at deploy time, so the constructs cannot leave a missing plan
// or control out in some regions only, as they do for per-account stacks.
// A plan or a disabled control that does not exist in a target region is
// therefore an error here, not a failed StackSet instance later. Paths are
// top-level: StackSet members take the top-level settings.
func stackSetRegionProblems(cfg *Config) problems {
	if !cfg.Organization.Enabled() {
		return nil
	}
	var ps problems
	limits := policies.MustRegionalAvailability()
	s := cfg.Settings
	if g := s.GuardDuty; g.Mode == ModeCreate {
		for i, p := range g.Protection {
			f, ok := limits.PlanLimit(string(p))
			if !ok {
				continue
			}
			if missing := regionsWithout(s.Regions, f.RegionalLimit); len(missing) > 0 {
				ps.addf(fmt.Sprintf("guardDuty.protection[%d]", i), "%s (%s) does not exist in %s (%s), and in StackSet mode one template serves every region; remove %s from guardDuty.protection or %s from regions",
					p, f.Feature, strings.Join(missing, ", "), f.Source, p, strings.Join(missing, ", "))
			}
		}
	}
	// Under Security Hub central configuration (organization mode) the
	// member templates disable no control: Security Hub does it itself,
	// where the control exists (stacks/delegated_securityhub.go).
	central := cfg.Organization.OrgMode() && cfg.Organization.DelegatedAdministrators.SecurityHub
	if h := s.SecurityHub; h.Mode == ModeCreate && h.DisableGlobalControlsOutsideHome && !central {
		others := slices.DeleteFunc(slices.Clone(s.Regions), func(r string) bool { return r == s.HomeRegion })
		global := policies.MustGlobalResourceControls()
		for _, std := range h.Standards {
			for _, c := range global.In(std) {
				l, ok := limits.ControlLimit(c.Control)
				if !ok {
					continue
				}
				if missing := regionsWithout(others, l.RegionalLimit); len(missing) > 0 {
					ps.addf("securityHub.disableGlobalControlsOutsideHome", "outside the home region, %s would disable %s, which does not exist in %s (%s), and in StackSet mode one template serves every region; set securityHub.disableGlobalControlsOutsideHome false or remove %s from regions",
						std, c.Control, strings.Join(missing, ", "), l.Source, strings.Join(missing, ", "))
					return ps // one is enough to say what to change
				}
			}
		}
	}
	return ps
}

// regionsWithout are the regions, in config order, where l says the thing
// is missing.
func regionsWithout(regions []string, l policies.RegionalLimit) []string {
	var out []string
	for _, r := range regions {
		if !l.Has(r) {
			out = append(out, r)
		}
	}
	return out
}
