package policies_test

import (
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// offReasons maps each entry id to Resolved.Off, for compact comparisons.
func offReasons(rs []policies.Resolved) map[string]string {
	out := map[string]string{}
	for _, r := range rs {
		out[r.ID] = r.Off
	}
	return out
}

func TestResolveDefaults(t *testing.T) {
	rs, err := policies.Resolve(catalog(t), policies.AlarmChoices{}, policies.DefaultAlarmParams())
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(catalog(t)) {
		t.Fatalf("Resolve returned %d entries, want every catalog entry (%d)", len(rs), len(catalog(t)))
	}
	off := offReasons(rs)
	want := map[string]string{
		"Ec2InstanceChanges":     policies.OffNotEnabled,
		"AdminRoleUsage":         "requires adminRoleName, which is not set",
		"BreakGlassConsoleLogin": "requires breakGlassUsers, which is not set",
	}
	for id, reason := range off {
		if reason != want[id] {
			t.Errorf("%s: Off = %q, want %q", id, reason, want[id])
		}
	}
	if got := len(policies.Deployed(rs)); got != 17 {
		t.Errorf("Deployed: %d entries, want 17", got)
	}
	for _, a := range policies.Deployed(rs) {
		if strings.Contains(a.Pattern, "{{") {
			t.Errorf("%s: deployed pattern is not rendered: %s", a.ID, a.Pattern)
		}
	}
}

func TestResolveChoices(t *testing.T) {
	params := policies.DefaultAlarmParams()
	params.AdminRoleName = "FullAdminRole"
	rs, err := policies.Resolve(catalog(t), policies.AlarmChoices{
		Enable:     []string{"Ec2InstanceChanges"},
		Disable:    []string{"UnauthorizedApiCalls", "Ec2InstanceChanges"},
		Thresholds: map[string]float64{"RootAccountUsage": 3, "UnauthorizedApiCalls": 10},
	}, params)
	if err != nil {
		t.Fatal(err)
	}
	off := offReasons(rs)
	for id, want := range map[string]string{
		"UnauthorizedApiCalls":   policies.OffDisabled,
		"Ec2InstanceChanges":     policies.OffDisabled, // Disable wins over Enable
		"AdminRoleUsage":         "",
		"BreakGlassConsoleLogin": "requires breakGlassUsers, which is not set",
		"RootAccountUsage":       "",
	} {
		if off[id] != want {
			t.Errorf("%s: Off = %q, want %q", id, off[id], want)
		}
	}
	for _, r := range rs {
		switch r.ID {
		case "RootAccountUsage":
			if r.Threshold != 3 {
				t.Errorf("RootAccountUsage threshold = %v, want 3", r.Threshold)
			}
		case "AdminRoleUsage":
			if !strings.Contains(r.Pattern, "assumed-role/FullAdminRole/") {
				t.Errorf("AdminRoleUsage pattern not rendered: %s", r.Pattern)
			}
		case "ConsoleSignInWithoutMfa":
			if r.Threshold != 1 {
				t.Errorf("an entry without override keeps the catalog threshold, got %v", r.Threshold)
			}
		}
	}
	if c := catalog(t); c[0].Threshold != 1 {
		t.Errorf("Resolve changed the catalog: RootAccountUsage threshold %v", c[0].Threshold)
	}
}

func TestResolveRejectsBadChoices(t *testing.T) {
	_, err := policies.Resolve(catalog(t), policies.AlarmChoices{
		Enable:     []string{"RootAccountUsage", "Nope"},
		Disable:    []string{"Gone"},
		Thresholds: map[string]float64{"VpcChanges": 0, "Unknown": 2, "NaclChanges": -1},
	}, policies.AlarmParams{LargeInstanceSizes: []string{"BIG"}})
	want := `alarm choices: ` +
		`enable: RootAccountUsage is not opt-in; it is on unless disabled; ` +
		`enable: "Nope" is not an alarm id of the catalog; ` +
		`disable: "Gone" is not an alarm id of the catalog; ` +
		`thresholds: NaclChanges: must be > 0, got -1; ` +
		`thresholds: "Unknown" is not an alarm id of the catalog; ` +
		`thresholds: VpcChanges: must be > 0, got 0; ` +
		`alarm Ec2LargeInstanceLaunches: large instance size "BIG": want lower-case letters and digits, e.g. 4xlarge`
	if err == nil || err.Error() != want {
		t.Errorf("Resolve error:\n got %v\nwant %s", err, want)
	}
}
