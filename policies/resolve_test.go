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

func ids(alarms []policies.Alarm) []string {
	var out []string
	for _, a := range alarms {
		out = append(out, a.ID)
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
		// Only in organization mode's management account (stacks.AlarmParams).
		"CentralizedRootSessions": "requires managementAccount, which is not set",
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
		Disable:    []string{"UnauthorizedApiCalls"},
		Thresholds: []policies.AlarmThreshold{{ID: "RootAccountUsage", Threshold: 3}, {ID: "UnauthorizedApiCalls", Threshold: 10}},
	}, params)
	if err != nil {
		t.Fatal(err)
	}
	off := offReasons(rs)
	for id, want := range map[string]string{
		"UnauthorizedApiCalls":   policies.OffDisabled,
		"Ec2InstanceChanges":     "",
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
		Enable:     []string{"RootAccountUsage", "VpcChange", "Ec2InstanceChanges"},
		Disable:    []string{"Gone", "Ec2InstanceChanges"},
		Thresholds: []policies.AlarmThreshold{{ID: "VpcChanges", Threshold: 0}, {ID: "Unknown", Threshold: 2}, {ID: "NaclChanges", Threshold: -1}},
	}, policies.AlarmParams{LargeInstanceSizes: []string{"BIG"}})
	// The same rules, in the same words, as the config reports them
	// (test/alarms_test.go TestAlarmConfigErrors), with paths relative to
	// the choices.
	want := `alarm choices: ` +
		`enable[0]: RootAccountUsage is on unless disabled; enable lists only opt-in entries (Ec2InstanceChanges); ` +
		`enable[1]: "VpcChange" is not an alarm of the catalog; did you mean "VpcChanges"?; ` +
		`disable[0]: "Gone" is not an alarm of the catalog; the ids are ` + strings.Join(ids(catalog(t)), ", ") + `; ` +
		`disable[1]: Ec2InstanceChanges is also in enable; keep it in one of the two lists (an account's own enable list replaces the inherited one); ` +
		`thresholds[0].threshold: must be greater than 0, got 0; it is how many matching events in one period fire the alarm; ` +
		`thresholds[1].id: "Unknown" is not an alarm of the catalog; the ids are ` + strings.Join(ids(catalog(t)), ", ") + `; ` +
		`thresholds[2].threshold: must be greater than 0, got -1; it is how many matching events in one period fire the alarm; ` +
		`alarm Ec2LargeInstanceLaunches: large instance size "BIG": want lower-case letters and digits, e.g. 4xlarge`
	if err == nil || err.Error() != want {
		t.Errorf("Resolve error:\n got %v\nwant %s", err, want)
	}
}
