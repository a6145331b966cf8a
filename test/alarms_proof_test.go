package test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/policies/filterpattern"
)

// The proof that the alarm patterns do what they claim: every catalog entry
// runs against real CloudTrail records (testdata/cloudtrail/panther and
// stratus-red-team) and records written from AWS documentation
// (testdata/cloudtrail/synthetic), and must fire on exactly the records
// testdata/alarm_expectations.yaml lists for it.

const (
	cloudtrailDir    = "testdata/cloudtrail"
	expectationsFile = "testdata/alarm_expectations.yaml"
)

// proofParams are the parameters alarm_expectations.yaml is written for
// (see its header).
func proofParams() policies.AlarmParams {
	p := policies.DefaultAlarmParams()
	p.AdminRoleName = "FullAdminRole"
	p.BreakGlassUsers = []string{"alice", "breakglass-admin"}
	p.ManagementAccount = true
	return p
}

// expectation is one row of alarm_expectations.yaml.
type expectation struct {
	Record string   `yaml:"record"`
	Index  *int     `yaml:"index"`
	Fires  []string `yaml:"fires"`
}

func (e expectation) name() string {
	if e.Index != nil {
		return fmt.Sprintf("%s[%d]", e.Record, *e.Index)
	}
	return e.Record
}

// real reports whether the record is a copy of a real or upstream-published
// record (AWS documentation examples under aws-docs/ included), not one
// written for this project.
func (e expectation) real() bool { return !strings.HasPrefix(e.Record, "synthetic/") }

func readExpectations(t *testing.T) []expectation {
	t.Helper()
	data, err := os.ReadFile(expectationsFile)
	if err != nil {
		t.Fatal(err)
	}
	var rows []expectation
	if err := yaml.UnmarshalWithOptions(data, &rows, yaml.DisallowUnknownField()); err != nil {
		t.Fatalf("%s: %v", expectationsFile, err)
	}
	if len(rows) == 0 {
		t.Fatalf("%s lists no records", expectationsFile)
	}
	return rows
}

// readRecord returns the CloudTrail record a row names, decoded as the
// matcher expects.
func readRecord(t *testing.T, e expectation) any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(cloudtrailDir, e.Record))
	if err != nil {
		t.Fatalf("%s: %v", e.name(), err)
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", e.name(), err)
	}
	list, isList := v.([]any)
	switch {
	case isList && e.Index == nil:
		t.Fatalf("%s holds %d records; give the row an index", e.Record, len(list))
	case isList && (*e.Index < 0 || *e.Index >= len(list)):
		t.Fatalf("%s: index out of range (%d records)", e.name(), len(list))
	case isList:
		return list[*e.Index]
	case e.Index != nil:
		t.Fatalf("%s: an index for a file that holds one record", e.name())
	}
	return v
}

// allRecords lists every record of the corpus, as row names.
func allRecords(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(cloudtrailDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		rel, _ := filepath.Rel(cloudtrailDir, path)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			return fmt.Errorf("%s: %w", rel, err)
		}
		if list, ok := v.([]any); ok {
			for i := range list {
				out = append(out, fmt.Sprintf("%s[%d]", rel, i))
			}
		} else {
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// proofCatalog is every catalog entry, opt-in ones included, rendered with
// proofParams.
func proofCatalog(t testing.TB) []policies.Alarm {
	t.Helper()
	catalog, err := policies.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	var optIn []string
	for _, a := range catalog {
		if a.OptIn {
			optIn = append(optIn, a.ID)
		}
	}
	rs, err := policies.Resolve(catalog, policies.AlarmChoices{Enable: optIn}, proofParams())
	if err != nil {
		t.Fatal(err)
	}
	on := policies.Deployed(rs)
	if len(on) != len(catalog) {
		t.Fatalf("%d of %d entries are on; the proof covers every entry", len(on), len(catalog))
	}
	return on
}

// TestAlarmPatternsAgainstCloudTrailRecords runs every catalog entry on every
// record of the corpus: each record must fire exactly the entries its row
// lists, and each entry must fire on at least one record.
func TestAlarmPatternsAgainstCloudTrailRecords(t *testing.T) {
	alarms := proofCatalog(t)
	rows := readExpectations(t)
	patterns := make([]*filterpattern.Pattern, len(alarms))
	ids := make([]string, len(alarms))
	for i, a := range alarms {
		p, err := filterpattern.Parse(a.Pattern)
		if err != nil {
			t.Fatalf("%s: %v", a.ID, err)
		}
		patterns[i], ids[i] = p, a.ID
	}

	t.Run("the expectations cover every record once and name only catalog ids", func(t *testing.T) {
		seen := map[string]bool{}
		for _, e := range rows {
			if seen[e.name()] {
				t.Errorf("%s is listed twice", e.name())
			}
			seen[e.name()] = true
			for _, id := range e.Fires {
				if !slices.Contains(ids, id) {
					t.Errorf("%s: %q is not a catalog id", e.name(), id)
				}
			}
		}
		for _, r := range allRecords(t) {
			if !seen[r] {
				t.Errorf("%s has no row in %s: say which alarms it fires ([] for none)", r, expectationsFile)
			}
		}
	})

	real, synthetic := map[string]int{}, map[string]int{}
	for _, e := range rows {
		record := readRecord(t, e)
		var fired []string
		for i, p := range patterns {
			if p.MatchValue(record) {
				fired = append(fired, ids[i])
				if e.real() {
					real[ids[i]]++
				} else {
					synthetic[ids[i]]++
				}
			}
		}
		if !slices.Equal(fired, e.Fires) && !(len(fired) == 0 && len(e.Fires) == 0) {
			t.Errorf("%s fires %v, want %v (in catalog order)", e.name(), fired, e.Fires)
		}
	}

	var table strings.Builder
	fmt.Fprintf(&table, "records matched per entry (%d records):\n%-26s %5s %9s  %s\n", len(rows), "entry", "real", "synthetic", "controls")
	for _, a := range alarms {
		if real[a.ID]+synthetic[a.ID] == 0 {
			t.Errorf("%s fires on no record: add a real or documented record that must trigger it", a.ID)
		}
		fmt.Fprintf(&table, "%-26s %5d %9d  %s\n", a.ID, real[a.ID], synthetic[a.ID], strings.Join(a.Controls, ", "))
	}
	t.Log(table.String())
}

// centralizedRootRecord is the AssumeRoot record of the IAM User Guide,
// "Track privileged tasks in AWS CloudTrail"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-track-privileged-tasks.html),
// copied in testdata/cloudtrail/aws-docs (NOTICE.md there).
const centralizedRootRecord = "aws-docs/iam-assumeroot-s3unlockbucketpolicy.json"

// TestCentralizedRootSessionsAlarm: the AssumeRoot entry fires on AWS's
// documented AssumeRoot record, and on the same call refused (an attempt
// matters as much); it fires on no other STS call of the corpus (every
// record with eventSource sts.amazonaws.com and another eventName: the
// negative cases), and the root-user entries (RootAccountUsage,
// RootActivityAny) do not fire on the AssumeRoot call, whose caller is an
// assumed role: without this entry no alarm would see a root session start.
func TestCentralizedRootSessionsAlarm(t *testing.T) {
	byID := map[string]*filterpattern.Pattern{}
	for _, a := range proofCatalog(t) {
		p, err := filterpattern.Parse(a.Pattern)
		if err != nil {
			t.Fatal(err)
		}
		byID[a.ID] = p
	}
	alarm := byID["CentralizedRootSessions"]
	record := readRecord(t, expectation{Record: centralizedRootRecord}).(map[string]any)
	if !alarm.MatchValue(record) {
		t.Errorf("CentralizedRootSessions does not fire on AWS's AssumeRoot record")
	}
	refused := map[string]any{}
	for k, v := range record {
		refused[k] = v
	}
	delete(refused, "responseElements")
	refused["errorCode"], refused["errorMessage"] = "AccessDenied", "not authorized to perform: sts:AssumeRoot"
	if !alarm.MatchValue(refused) {
		t.Errorf("CentralizedRootSessions does not fire on a refused AssumeRoot call")
	}
	for _, id := range []string{"RootAccountUsage", "RootActivityAny"} {
		if byID[id].MatchValue(record) {
			t.Errorf("%s fires on the AssumeRoot call: the README's account of which alarm sees what is wrong", id)
		}
	}
	negatives := 0
	for _, name := range allRecords(t) {
		e := expectation{Record: name}
		if base, idx, ok := strings.Cut(name, "["); ok {
			i := 0
			fmt.Sscanf(idx, "%d]", &i)
			e = expectation{Record: base, Index: &i}
		}
		r, _ := readRecord(t, e).(map[string]any)
		if r == nil || r["eventSource"] != "sts.amazonaws.com" || r["eventName"] == "AssumeRoot" {
			continue
		}
		negatives++
		if alarm.MatchValue(r) {
			t.Errorf("CentralizedRootSessions fires on %s (%v)", name, r["eventName"])
		}
	}
	if negatives < 3 {
		t.Fatalf("only %d other STS records in the corpus: the negative cases are gone", negatives)
	}
	t.Logf("CentralizedRootSessions: fires on AWS's AssumeRoot record and its refused twin, not on %d other STS records", negatives)
}
