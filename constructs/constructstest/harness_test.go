package constructstest_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func TestMain(m *testing.M) {
	// The CDK's Node child uses the Node that package.json pins, when make
	// installed it, as the app and test/ do.
	if node, err := filepath.Abs(filepath.Join("..", "..", "node_modules", ".bin", "node")); err == nil && os.Getenv("JSII_NODE") == "" {
		if _, err := os.Stat(node); err == nil {
			os.Setenv("JSII_NODE", node)
		}
	}
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// Account and Region of every test stack.
const (
	Account = "111111111111"
	Region  = "eu-west-1"
)

// newStack is a stack in a bare app: no context, no feature flags.
func newStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(Account), Region: jsii.String(Region)},
	})
}

// resource is one resource of a synthesized template.
type resource struct {
	ID             string
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	DependsOn      []string       `json:"DependsOn"`
}

// template is a synthesized stack template.
type template struct {
	Resources map[string]*resource `json:"Resources"`
}

// synth builds what build adds to a bare app's stack and synthesizes it.
// A panic (bad props, a failed validation) fails the test with its value.
func synth(t *testing.T, build func(awscdk.Stack)) template {
	t.Helper()
	stack := newStack()
	build(stack)
	return synthStack(t, stack)
}

func synthStack(t *testing.T, stack awscdk.Stack) template {
	t.Helper()
	var out template
	if v := recovered(func() {
		app := stack.Node().Root().(awscdk.App)
		raw := app.Synth(nil).GetStackByName(stack.StackName()).Template()
		data, err := json.Marshal(raw)
		if err != nil {
			panic(err)
		}
		if err := json.Unmarshal(data, &out); err != nil {
			panic(err)
		}
	}); v != nil {
		t.Fatalf("synth: %v", v)
	}
	for id, r := range out.Resources {
		r.ID = id
	}
	return out
}

// synthError is the error that synthesizing stack raises, "" for none.
func synthError(stack awscdk.Stack) string {
	v := recovered(func() { stack.Node().Root().(awscdk.App).Synth(nil) })
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// ofType are the template's resources of a type, by logical id.
func (tm template) ofType(typ string) []*resource {
	var out []*resource
	for _, r := range tm.Resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// one is the template's only resource of a type.
func (tm template) one(t *testing.T, typ string) *resource {
	t.Helper()
	rs := tm.ofType(typ)
	if len(rs) != 1 {
		t.Fatalf("want one %s, found %d", typ, len(rs))
	}
	return rs[0]
}

// recovered runs f and returns what it panicked with, nil if nothing.
func recovered(f func()) (v any) {
	defer func() { v = recover() }()
	f()
	return nil
}

// jsonOf renders v as JSON, for comparing nested values.
func jsonOf(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// panicCase is a bad input and the exact message a user sees.
type panicCase struct {
	name string
	f    func(awscdk.Stack)
	want string
}

// checkPanics runs each case in a fresh bare-app stack and pins its message.
func checkPanics(t *testing.T, cases []panicCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stack := newStack()
			got := recovered(func() { c.f(stack) })
			if fmt.Sprint(got) != c.want {
				t.Errorf("panic %v\nwant       %s", got, c.want)
			}
		})
	}
}
