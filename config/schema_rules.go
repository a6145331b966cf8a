package config

import (
	"regexp"
	"strings"

	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// KeyRule is one of the loader's rules on a single key that a JSON Schema
// can express too: a choice of values, a pattern, a range, a list's length.
// The schema generator (schema/) turns these into the enums, patterns and
// bounds of schema/baseline.schema.json; they are built here from the very
// values and patterns the loader checks, so the two cannot drift apart.
// Rules across keys or accounts stay with the loader (README "In your own
// pipeline" lists them). One difference the other way: the loader checks
// the organization section only when StackSet mode is on
// (deployerAccount set), the schema always, so that a dormant section does
// not hide a mistake until the day it is turned on.
type KeyRule struct {
	// Type is the Go type that holds the key (e.g. "Trail"), Key its yaml
	// key (e.g. "mode").
	Type, Key string
	Value     ValueRule
	// Items is the rule of each item, for a list.
	Items *ValueRule
	// MinItems is the shortest list the loader accepts; UniqueItems
	// rejects a value listed twice.
	MinItems    int
	UniqueItems bool
	// Required: the key must be present in this mapping.
	Required bool
}

// ValueRule constrains one value.
type ValueRule struct {
	Enum    []any
	Pattern string
	// Min and Max bound a number (inclusive); nil for none.
	Min, Max *float64
	// ExclusiveMin is a bound the number must exceed.
	ExclusiveMin *float64
}

func enumOf[T any](values ...T) ValueRule {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return ValueRule{Enum: out}
}

func pattern(re ...*regexp.Regexp) ValueRule {
	alts := make([]string, len(re))
	for i, r := range re {
		alts[i] = "(?:" + r.String() + ")"
	}
	return ValueRule{Pattern: strings.Join(alts, "|")}
}

func between(min, max float64) ValueRule { return ValueRule{Min: &min, Max: &max} }

func atLeast(min float64) ValueRule { return ValueRule{Min: &min} }

var (
	emptyPattern = regexp.MustCompile(`^$`)
	allPattern   = regexp.MustCompile(`^all$`)
	// emailPattern is what the schema can say about an e-mail address: one
	// @, no spaces, a dotted domain. The loader parses the address (isEmail)
	// and is stricter; every address it accepts matches this.
	emailPattern = regexp.MustCompile(`^[^\s@]+@[^\s@]+\.[^\s@]+$`)
	httpsPattern = regexp.MustCompile(`^https://[^\s/?#]+`)
)

// SchemaRules lists every KeyRule, in type order.
func SchemaRules() []KeyRule {
	ids, optIn := []string{}, []string{}
	for _, a := range catalog() {
		ids = append(ids, a.ID)
		if a.OptIn {
			optIn = append(optIn, a.ID)
		}
	}
	regions := enumOf(Regions...)
	mode := enumOf(validModes...)
	return []KeyRule{
		{Type: "Config", Key: "accounts", MinItems: 1, Required: true},
		{Type: "Account", Key: "name", Value: pattern(accountNamePattern), Required: true},
		{Type: "Account", Key: "id", Value: pattern(accountIDPattern), Required: true},

		{Type: "Settings", Key: "homeRegion", Value: regions},
		{Type: "Settings", Key: "regions", Items: &regions, MinItems: 1, UniqueItems: true},

		{Type: "Notifications", Key: "emails", Items: ptr(pattern(emailPattern)), UniqueItems: true},
		{Type: "Notifications", Key: "httpsEndpoints", Items: ptr(pattern(httpsPattern))},

		{Type: "Trail", Key: "mode", Value: mode},
		{Type: "Trail", Key: "managementEvents", Value: enumOf(ManagementEventChoices...)},
		{Type: "Trail", Key: "logRetentionDays", Value: enumOf(LogRetentionValues...)},
		{Type: "Trail", Key: "breakGlassRoleArns", Items: ptr(pattern(iamRoleArnPattern))},
		{Type: "Trail", Key: "archiveKeyArn", Value: pattern(emptyPattern, kmsKeyArnPattern)},
		{Type: "DataEvents", Key: "s3", Items: ptr(pattern(allPattern, bucketNamePattern))},
		{Type: "DataEvents", Key: "lambda", Items: ptr(pattern(allPattern, lambdaArnPattern))},
		{Type: "TrailBucket", Key: "transitionDays", Value: atLeast(1)},
		{Type: "TrailBucket", Key: "expirationDays", Value: atLeast(2)},
		{Type: "TrailBucket", Key: "noncurrentExpirationDays", Value: atLeast(1)},
		{Type: "ObjectLock", Key: "mode", Value: enumOf(append([]audittrail.ObjectLockMode{""}, ObjectLockModes...)...)},
		{Type: "ObjectLock", Key: "days", Value: atLeast(0)},

		{Type: "AccessRole", Key: "name", Value: pattern(iamRoleNamePattern)},
		{Type: "AccessRole", Key: "managedPolicy", Value: pattern(managedPolicyNamePattern, managedPolicyArnPattern)},
		{Type: "AccessRole", Key: "maxSessionHours", Value: between(1, MaxSessionHours)},
		{Type: "AccessGroups", Key: "admin", Value: pattern(iamGroupNamePattern)},
		{Type: "AccessGroups", Key: "operator", Value: pattern(iamGroupNamePattern)},
		{Type: "AccessGroups", Key: "readOnly", Value: pattern(iamGroupNamePattern)},
		{Type: "Access", Key: "mfaMaxAgeSeconds", Value: between(MinMFAMaxAgeSeconds, MaxMFAMaxAgeSeconds)},
		{Type: "Access", Key: "allowedSourceIps", UniqueItems: true},
		{Type: "Access", Key: "breakGlassUsers", Items: ptr(pattern(iamRoleNamePattern)), UniqueItems: true},

		{Type: "Alarms", Key: "logGroupName", Value: pattern(emptyPattern, logGroupNamePattern)},
		{Type: "Alarms", Key: "largeInstanceSizes", Items: ptr(pattern(policies.InstanceSizePattern())), UniqueItems: true},
		{Type: "Alarms", Key: "enable", Items: ptr(enumOf(optIn...)), UniqueItems: true},
		{Type: "Alarms", Key: "disable", Items: ptr(enumOf(ids...)), UniqueItems: true},
		{Type: "AlarmThreshold", Key: "id", Value: enumOf(ids...), Required: true},
		{Type: "AlarmThreshold", Key: "threshold", Value: ValueRule{ExclusiveMin: ptr(0.0)}, Required: true},

		{Type: "AWSConfig", Key: "mode", Value: mode},
		{Type: "AWSConfig", Key: "snapshotFrequency", Value: enumOf(SnapshotFrequencies...)},
		{Type: "AWSConfig", Key: "dailyResourceTypes", Items: ptr(pattern(resourceTypePattern)), UniqueItems: true},
		{Type: "AWSConfig", Key: "rules", Items: ptr(pattern(managedRulePattern)), UniqueItems: true},
		{Type: "GuardDuty", Key: "mode", Value: mode},
		{Type: "GuardDuty", Key: "protection", Items: ptr(enumOf(ProtectionPlans...)), UniqueItems: true},
		{Type: "GuardDuty", Key: "findingFrequency", Value: enumOf(FindingFrequencies...)},
		{Type: "SecurityHub", Key: "mode", Value: mode},
		{Type: "SecurityHub", Key: "standards", Items: ptr(enumOf(SecurityHubStandards...)), UniqueItems: true},
		{Type: "Findings", Key: "mode", Value: mode},
		{Type: "Findings", Key: "route", Value: enumOf(RouteForward, RouteRegional)},
		{Type: "Findings", Key: "guardDutyMinSeverity", Value: between(1, 10)},
		{Type: "Hardening", Key: "mode", Value: mode},
		{Type: "PasswordPolicy", Key: "minimumLength", Value: between(14, 128)},
		{Type: "PasswordPolicy", Key: "maxAgeDays", Value: between(0, 1095)},
		{Type: "AccessAnalyzer", Key: "mode", Value: mode},
		{Type: "AccessAnalyzer", Key: "type", Value: enumOf(AnalyzerTypes...)},

		{Type: "Organization", Key: "callAs", Value: enumOf(validCallAs...)},
		{Type: "Organization", Key: "organizationalUnits", Items: ptr(pattern(ouPattern))},
		{Type: "Organization", Key: "id", Value: pattern(orgIDPattern)},
		{Type: "Organization", Key: "accounts", Items: ptr(pattern(accountIDPattern))},
		{Type: "Operations", Key: "maxConcurrentPercentage", Value: between(1, 100)},
		{Type: "Operations", Key: "failureTolerancePercentage", Value: between(0, 100)},
		{Type: "Operations", Key: "regionConcurrency", Value: enumOf(validRegCon...)},
		{Type: "Operations", Key: "regionOrder", Items: &regions, UniqueItems: true},
	}
}

func ptr[T any](v T) *T { return &v }
