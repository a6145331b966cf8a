package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/accessanalyzer"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// TestConfigEnumsAreTheConstructs checks that the config's enum values are
// the constructs' own: every YAML word of trail.managementEvents and
// accessAnalyzer.type maps to a distinct value of the construct's type that
// the construct names as a constant, and the valid plan list is the guardduty
// construct's. A word the table lacks is rejected at load with the list of
// words (TestTrailConfigErrors, TestRegionalServicesConfigErrors pin those
// messages).
func TestConfigEnumsAreTheConstructs(t *testing.T) {
	events := map[audittrail.ManagementEvents]config.ManagementEvents{}
	for _, w := range config.ManagementEventChoices {
		v := w.Value()
		if v != audittrail.AllManagementEvents && v != audittrail.WriteOnlyManagementEvents {
			t.Errorf("trail.managementEvents %q maps to %q, which is no audittrail constant", w, v)
		}
		if other, dup := events[v]; dup {
			t.Errorf("trail.managementEvents %q and %q both map to %q", other, w, v)
		}
		events[v] = w
	}
	if len(events) != 2 {
		t.Errorf("trail.managementEvents covers %d of audittrail's 2 values", len(events))
	}
	zones := map[accessanalyzer.Zone]config.AnalyzerType{}
	for _, w := range config.AnalyzerTypes {
		z := w.Zone()
		if z != accessanalyzer.Account && z != accessanalyzer.Organization {
			t.Errorf("accessAnalyzer.type %q maps to %q, which is no accessanalyzer constant", w, z)
		}
		zones[z] = w
	}
	if len(zones) != 2 {
		t.Errorf("accessAnalyzer.type covers %d of accessanalyzer's 2 zones", len(zones))
	}
	if !slices.Equal(config.ProtectionPlans, guardduty.Plans) {
		t.Errorf("config.ProtectionPlans = %v, guardduty.Plans = %v", config.ProtectionPlans, guardduty.Plans)
	}
	for _, p := range config.ProtectionPlans {
		if guardduty.Feature(p) == "" {
			t.Errorf("guardDuty.protection %q has no detector feature", p)
		}
	}
}

// TestEnumConversionFailsLoudly is the negative of the above: a word that
// no table holds, in a Config that skipped Load (a library user's own), used
// to become "" in stacks/ (and then the construct's default, e.g. every
// management event for a typo of writeOnly). Now building it panics with
// the field, the bad word and the valid ones.
func TestEnumConversionFailsLoudly(t *testing.T) {
	for _, c := range []struct {
		name string
		call func()
		want string
	}{
		{"management events", func() { config.ManagementEvents("writeonly").Value() },
			`config: trail.managementEvents "writeonly" is not all or writeOnly; load the config with config.Load or config.Parse, which report it`},
		{"analyzer type", func() { config.AnalyzerType("ORGANIZATION").Zone() },
			`config: accessAnalyzer.type "ORGANIZATION" is not account or organization; load the config with config.Load or config.Parse, which report it`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := func() (msg string) {
				defer func() { msg = fmt.Sprint(recover()) }()
				c.call()
				return ""
			}()
			if got != c.want {
				t.Errorf("panic = %q\nwant    %q", got, c.want)
			}
		})
	}
	t.Run("stacks.Build with a Config that skipped Load", func(t *testing.T) {
		cfg := config.Example()
		cfg.Accounts[0].Trail.ManagementEvents = "writeonly"
		got := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			context := cdkContext(t)
			stacks.Build(awscdk.NewApp(&awscdk.AppProps{Context: &context}), cfg)
			return ""
		}()
		if !strings.Contains(got, `trail.managementEvents "writeonly" is not all or writeOnly`) {
			t.Errorf("stacks.Build did not fail on the bad word: %q", got)
		}
	})
}
