// Package diff compares two cloud assemblies resource by resource, for the
// review's "What changed": what a deploy replaces, removes, adds or changes
// in place, and which of those resources hold data or history.
package diff

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// ChangeKind is what happens to a resource when the new assembly deploys
// over the previous one.
type ChangeKind string

// The kinds of change, in report order.
const (
	Replaced ChangeKind = "replaced"
	Removed  ChangeKind = "removed"
	Added    ChangeKind = "added"
	Modified ChangeKind = "changed in place"
)

// Change is one resource's change between two assemblies.
type Change struct {
	Kind     ChangeKind
	Stack    string
	ID       string // logical id (the new one for a move)
	Type     string
	Path     string
	Stateful bool
	Why      string
}

// Diff is what changed between two assemblies, by stack and logical id.
type Diff struct {
	Previous string
	Changes  []Change
}

// statefulTypes hold data or history that a replacement or deletion loses,
// with what is lost. A change to one of these is printed in bold.
var statefulTypes = map[string]string{
	"AWS::S3::Bucket":                    "the log files",
	"AWS::KMS::Key":                      "the key that decrypts existing logs",
	"AWS::Logs::LogGroup":                "the log events",
	"AWS::CloudTrail::Trail":             "continuous logging (a gap while it is recreated)",
	"AWS::Config::ConfigurationRecorder": "the recording history",
	"AWS::Config::DeliveryChannel":       "snapshot delivery",
	"AWS::GuardDuty::Detector":           "the findings",
	"AWS::SecurityHub::Hub":              "the findings and their workflow states",
	"AWS::SNS::Topic":                    "confirmed subscriptions (every address must confirm again)",
	"AWS::SNS::Subscription":             "the confirmation (the address must confirm again)",
	"AWS::DynamoDB::Table":               "the items",
	"AWS::RDS::DBInstance":               "the database",
	"AWS::RDS::DBCluster":                "the database",
	"AWS::EFS::FileSystem":               "the files",
	"AWS::SQS::Queue":                    "queued messages",
}

// replacingProperties are properties whose change makes CloudFormation
// replace the resource ("Update requires: Replacement" in the
// CloudFormation resource reference,
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html).
// A small table of the types the baseline uses; a type change always
// replaces.
var replacingProperties = map[string][]string{
	"AWS::S3::Bucket":                    {"BucketName"},
	"AWS::KMS::Alias":                    {"AliasName"},
	"AWS::Logs::LogGroup":                {"LogGroupName"},
	"AWS::Logs::MetricFilter":            {"FilterName", "LogGroupName"},
	"AWS::CloudWatch::Alarm":             {"AlarmName"},
	"AWS::CloudTrail::Trail":             {"TrailName"},
	"AWS::SNS::Topic":                    {"TopicName", "FifoTopic"},
	"AWS::SNS::Subscription":             {"Endpoint", "Protocol", "TopicArn"},
	"AWS::IAM::Role":                     {"RoleName", "Path"},
	"AWS::IAM::ManagedPolicy":            {"ManagedPolicyName", "Path"},
	"AWS::Config::ConfigurationRecorder": {"Name"},
	"AWS::Config::DeliveryChannel":       {"Name"},
	"AWS::Config::ConfigRule":            {"ConfigRuleName"},
	"AWS::AccessAnalyzer::Analyzer":      {"AnalyzerName", "Type"},
	"AWS::Events::Rule":                  {"Name", "EventBusName"},
	"AWS::SecurityHub::Standard":         {"StandardsArn"},
	"AWS::Lambda::Function":              {"FunctionName"},
	"AWS::DynamoDB::Table":               {"TableName"},
}

// Compare compares two assemblies stack by stack and resource by
// logical id. A resource whose logical id changed but whose construct path
// or physical name did not is reported once, as replaced.
func Compare(prev, cur *assembly.Assembly) Diff {
	d := Diff{Previous: prev.Dir}
	stacks := map[string][2]*assembly.Stack{}
	for i := range prev.Stacks {
		s := stacks[prev.Stacks[i].Name]
		s[0] = &prev.Stacks[i]
		stacks[prev.Stacks[i].Name] = s
	}
	for i := range cur.Stacks {
		s := stacks[cur.Stacks[i].Name]
		s[1] = &cur.Stacks[i]
		stacks[cur.Stacks[i].Name] = s
	}
	names := make([]string, 0, len(stacks))
	for n := range stacks {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d.Changes = append(d.Changes, diffStack(n, stacks[n][0], stacks[n][1])...)
	}
	order := map[ChangeKind]int{Replaced: 0, Removed: 1, Added: 2, Modified: 3}
	sort.SliceStable(d.Changes, func(i, j int) bool {
		a, b := d.Changes[i], d.Changes[j]
		if a.Kind != b.Kind {
			return order[a.Kind] < order[b.Kind]
		}
		if a.Stateful != b.Stateful {
			return a.Stateful
		}
		return a.Stack+"/"+a.Path < b.Stack+"/"+b.Path
	})
	return d
}

func diffStack(name string, old, cur *assembly.Stack) []Change {
	empty := &assembly.Stack{Name: name}
	if old == nil {
		old = empty
	}
	if cur == nil {
		cur = empty
	}
	var out []Change
	change := func(kind ChangeKind, r assembly.Res, why string) {
		_, stateful := statefulTypes[r.Type]
		out = append(out, Change{Kind: kind, Stack: name, ID: r.ID, Type: r.Type, Path: r.Path(), Stateful: stateful, Why: why})
	}
	var removed, added []assembly.Res
	for _, r := range old.All() {
		n, ok := cur.ByID(r.ID)
		switch {
		case !ok:
			removed = append(removed, r)
		case n.Type != r.Type:
			change(Replaced, n, fmt.Sprintf("type %s becomes %s", r.Type, n.Type))
		default:
			if props := replacing(r, n); len(props) > 0 {
				why := "changes " + strings.Join(props, ", ") + ", which CloudFormation can only change by replacing it"
				if r.DeletionPolicy == "Retain" {
					why += " (retained: the old one stays, orphaned)"
				}
				change(Replaced, n, why)
			} else if props := changed(r, n); len(props) > 0 {
				change(Modified, n, strings.Join(props, ", "))
			}
		}
	}
	for _, r := range cur.All() {
		if _, ok := old.ByID(r.ID); !ok {
			added = append(added, r)
		}
	}
	// A logical id that changed under the same construct path or physical
	// name is one resource replaced, not one removed and one added.
	moved := map[string]bool{}
	for _, a := range added {
		for _, r := range removed {
			if moved[r.ID] || r.Type != a.Type || !(r.Path() == a.Path() || samePhysicalName(r, a)) {
				continue
			}
			moved[r.ID], moved[a.ID] = true, true
			why := fmt.Sprintf("logical id %s becomes %s: CloudFormation creates the new resource, then deletes the old one", r.ID, a.ID)
			if r.DeletionPolicy == "Retain" {
				why += " (retained: the old one stays, orphaned, and a fixed name makes the create fail)"
			}
			change(Replaced, a, why)
			break
		}
	}
	for _, r := range removed {
		if moved[r.ID] {
			continue
		}
		why := ""
		if lost, ok := statefulTypes[r.Type]; ok {
			why = "loses " + lost
			if r.DeletionPolicy == "Retain" {
				why = "retained (DeletionPolicy Retain): it stays in the account, no longer managed"
			}
		}
		change(Removed, r, why)
	}
	for _, a := range added {
		if !moved[a.ID] {
			change(Added, a, "")
		}
	}
	return out
}

func replacing(old, cur assembly.Res) []string {
	var out []string
	for _, p := range replacingProperties[cur.Type] {
		if !reflect.DeepEqual(old.Properties[p], cur.Properties[p]) {
			out = append(out, p)
		}
	}
	return out
}

func changed(old, cur assembly.Res) []string {
	keys := map[string]bool{}
	for k := range old.Properties {
		keys[k] = true
	}
	for k := range cur.Properties {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if !reflect.DeepEqual(old.Properties[k], cur.Properties[k]) {
			out = append(out, k)
		}
	}
	if old.DeletionPolicy != cur.DeletionPolicy {
		out = append(out, "DeletionPolicy")
	}
	sort.Strings(out)
	return out
}

func samePhysicalName(a, b assembly.Res) bool {
	props := replacingProperties[a.Type]
	if len(props) == 0 {
		return false
	}
	name := a.Properties[props[0]]
	return name != nil && reflect.DeepEqual(name, b.Properties[props[0]])
}
