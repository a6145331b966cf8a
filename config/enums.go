package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/constructs/accessanalyzer"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/configrecorder"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
)

// The config's enums are typed with the constructs' own types, so that
// stacks/ passes them on without a conversion that could lose a value. Where
// the YAML word is the construct's value (guardDuty.protection "s3",
// awsConfig.snapshotFrequency "24h", objectLock.mode "GOVERNANCE"), the field
// has the construct's type and the valid values are the construct's
// constants. Where the YAML word differs from the construct's value
// (trail.managementEvents "all" is audittrail.AllManagementEvents "All";
// accessAnalyzer.type "account" is accessanalyzer.Account "ACCOUNT"), the
// field has a type of this package whose method returns the construct's
// value from one table, the same table validation checks the word against.

// SnapshotFrequencies are the valid awsConfig.snapshotFrequency values.
var SnapshotFrequencies = []configrecorder.SnapshotFrequency{
	configrecorder.Every1Hour, configrecorder.Every3Hours, configrecorder.Every6Hours,
	configrecorder.Every12Hours, configrecorder.Every24Hours,
}

// FindingFrequencies are the valid guardDuty.findingFrequency values.
var FindingFrequencies = []guardduty.Frequency{guardduty.Every15Minutes, guardduty.Every1Hour, guardduty.Every6Hours}

// ProtectionPlans are the valid guardDuty.protection values: every plan the
// guardduty construct knows.
var ProtectionPlans = slices.Clone(guardduty.Plans)

// ObjectLockModes are the valid trail.bucket.objectLock.mode values besides
// "" (off).
var ObjectLockModes = []audittrail.ObjectLockMode{audittrail.ObjectLockGovernance, audittrail.ObjectLockCompliance}

// ManagementEvents is trail.managementEvents: all or writeOnly.
type ManagementEvents string

// The trail.managementEvents words.
const (
	AllManagementEvents       ManagementEvents = "all"
	WriteOnlyManagementEvents ManagementEvents = "writeOnly"
)

var managementEvents = []choice[ManagementEvents, audittrail.ManagementEvents]{
	{AllManagementEvents, audittrail.AllManagementEvents},
	{WriteOnlyManagementEvents, audittrail.WriteOnlyManagementEvents},
}

// Value is the trail construct's value of the word. It panics on a word
// that Load would have rejected: a Config must be loaded (Load, Parse) or
// checked (Validate) before stacks builds it.
func (m ManagementEvents) Value() audittrail.ManagementEvents {
	return lookup("trail.managementEvents", managementEvents, m)
}

// AnalyzerType is accessAnalyzer.type: account or organization.
type AnalyzerType string

// The accessAnalyzer.type words.
const (
	AccountAnalyzer      AnalyzerType = "account"
	OrganizationAnalyzer AnalyzerType = "organization"
)

var analyzerTypes = []choice[AnalyzerType, accessanalyzer.Zone]{
	{AccountAnalyzer, accessanalyzer.Account},
	{OrganizationAnalyzer, accessanalyzer.Organization},
}

// Zone is the access analyzer construct's zone of trust of the word. It
// panics on a word that Load would have rejected, as ManagementEvents.Value.
func (a AnalyzerType) Zone() accessanalyzer.Zone {
	return lookup("accessAnalyzer.type", analyzerTypes, a)
}

// AnalyzerTypes are the valid accessAnalyzer.type values.
var AnalyzerTypes = words(analyzerTypes)

// ManagementEventChoices are the valid trail.managementEvents values.
var ManagementEventChoices = words(managementEvents)

// choice is one YAML word of an enum and the construct's value for it.
type choice[W ~string, V any] struct {
	word  W
	value V
}

func words[W ~string, V any](choices []choice[W, V]) []W {
	out := make([]W, len(choices))
	for i, c := range choices {
		out[i] = c.word
	}
	return out
}

func lookup[W ~string, V any](path string, choices []choice[W, V], w W) V {
	for _, c := range choices {
		if c.word == w {
			return c.value
		}
	}
	panic(fmt.Sprintf("config: %s %q is not %s; load the config with config.Load or config.Parse, which report it", path, w, orList(words(choices))))
}

// orList renders valid values as "a, b or c".
func orList[T ~string](values []T) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// oneOf is the problem of a value that is not one of valid, or "".
func oneOf[T ~string](value T, valid []T, what string) string {
	if slices.Contains(valid, value) {
		return ""
	}
	return fmt.Sprintf("%q is not %s; use %s", value, what, orList(valid))
}
