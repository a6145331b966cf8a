// Package test holds the app's tests. They live in one package because each
// Go test package starts its own Node process for the CDK: one package, one
// process, and each synthesized assembly is built once and shared.
package test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/internal/app"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

var update = flag.Bool("update", false, "rewrite the golden files under test/testdata/golden")

// repoRoot is the repository's top directory (tests run in test/).
const repoRoot = ".."

var tmpRoot string

func TestMain(m *testing.M) {
	flag.Parse()
	// The CDK's Node child uses the Node that package.json pins, when make
	// installed it, as the app does.
	if node, err := filepath.Abs(filepath.Join(repoRoot, "node_modules", ".bin", "node")); err == nil && os.Getenv("JSII_NODE") == "" {
		if _, err := os.Stat(node); err == nil {
			os.Setenv("JSII_NODE", node)
			// And first on PATH: the jsii runtime's launcher starts its
			// kernel with the Node that runs it, and tools the tests start
			// (the CDK CLI) look Node up on PATH.
			os.Setenv("PATH", filepath.Dir(node)+string(os.PathListSeparator)+os.Getenv("PATH"))
		}
	}
	var err error
	if tmpRoot, err = os.MkdirTemp("", "baseline-test-"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	jsii.Close()
	os.RemoveAll(tmpRoot)
	os.Exit(code)
}

// cdkContext is the "context" of cdk.json: the feature flags that `cdk
// synth` passes to the app. Test apps get the same, or the golden files
// would not be what users deploy.
func cdkContext(t testing.TB) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	// What the CLI adds on its own (cdk.json: versionReporting false, path
	// metadata on by default).
	c.Context["aws:cdk:enable-path-metadata"] = true
	c.Context["aws:cdk:enable-asset-metadata"] = true
	return c.Context
}

// synthConfig synthesizes cfg the way main does, into a fresh directory,
// and reads the result back.
func synthConfig(t testing.TB, cfg *config.Config) *assembly.Assembly {
	t.Helper()
	outdir, err := os.MkdirTemp(tmpRoot, "cdk.out-")
	if err != nil {
		t.Fatal(err)
	}
	context := cdkContext(t)
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &context})
	stacks.Build(app, cfg)
	app.Synth(nil)
	asm, err := assembly.Read(outdir)
	if err != nil {
		t.Fatal(err)
	}
	return asm
}

type cached struct {
	once sync.Once
	asm  *assembly.Assembly
	fail string
}

// cachedSynth synthesizes once per test binary, however many tests ask.
func (c *cached) get(t testing.TB, build func(testing.TB) *assembly.Assembly) *assembly.Assembly {
	t.Helper()
	c.once.Do(func() {
		defer func() {
			if r := recover(); r != nil {
				c.fail = app.CleanPanic(r)
			}
		}()
		c.asm = build(t)
	})
	if c.fail != "" {
		t.Fatalf("synth failed: %s", c.fail)
	}
	return c.asm
}

var example cached

// config synthesizes the config text (named name in error messages) once
// per test binary, however many tests ask.
func (c *cached) config(t testing.TB, text, name string) *assembly.Assembly {
	t.Helper()
	return c.get(t, func(t testing.TB) *assembly.Assembly {
		cfg, err := config.Parse([]byte(text), name)
		if err != nil {
			t.Fatal(err)
		}
		return synthConfig(t, cfg)
	})
}

// exampleAssembly is the example config, synthesized once.
func exampleAssembly(t testing.TB) *assembly.Assembly {
	return example.get(t, func(t testing.TB) *assembly.Assembly { return synthConfig(t, config.Example()) })
}

// stack returns the named stack of an assembly.
func stack(t testing.TB, asm *assembly.Assembly, name string) assembly.Stack {
	t.Helper()
	for _, s := range asm.Stacks {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stack %s in the assembly", name)
	return assembly.Stack{}
}

// resourcesOfType lists a stack's resources of one type, by logical id.
func resourcesOfType(s assembly.Stack, typ string) map[string]assembly.Resource {
	out := map[string]assembly.Resource{}
	for id, r := range s.Template.Resources {
		if r.Type == typ {
			out[id] = r
		}
	}
	return out
}

// one returns the only resource of a type in a stack.
func one(t testing.TB, s assembly.Stack, typ string) assembly.Resource {
	t.Helper()
	rs := resourcesOfType(s, typ)
	if len(rs) != 1 {
		t.Fatalf("%s: want exactly one %s, found %d", s.Name, typ, len(rs))
	}
	for _, r := range rs {
		return r
	}
	return assembly.Resource{}
}

var assetHash = regexp.MustCompile(`[0-9a-f]{64}`)

// normalizeTemplate makes a template file comparable across machines and
// CDK asset rebuilds: asset hashes become a placeholder.
func normalizeTemplate(data []byte) []byte {
	return assetHash.ReplaceAll(data, []byte("<asset-hash>"))
}

// jsonOf round-trips v through JSON, to compare template fragments with Go
// literals regardless of their Go types.
func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
