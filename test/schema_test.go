package test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	jsv "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/schema"
)

// compiledSchema compiles schema/baseline.schema.json with an independent
// validator (santhosh-tekuri/jsonschema, not the generator's library).
func compiledSchema(t testing.TB, data []byte) *jsv.Schema {
	t.Helper()
	doc, err := jsv.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsv.NewCompiler()
	if err := c.AddResource(schema.ID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(schema.ID)
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	return s
}

func schemaFile(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, schema.File))
	if err != nil {
		t.Fatalf("%v; run make schema", err)
	}
	return data
}

// validateYAML validates a YAML config against the schema, as the YAML
// language server does: YAML to JSON, then the schema.
func validateYAML(t testing.TB, s *jsv.Schema, src string) error {
	t.Helper()
	js, err := yaml.YAMLToJSON([]byte(src))
	if err != nil {
		return err // e.g. a duplicate key: the editor's YAML parser reports it
	}
	v, err := jsv.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(v)
}

func TestSchemaIsUpToDate(t *testing.T) {
	want, err := schema.Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if got := schemaFile(t); !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run make schema and commit it", schema.File)
	}
	// Draft-07, which the YAML language server supports in full (it warns on
	// 2020-12); the validator below reads the same $schema.
	if !bytes.Contains(want, []byte(`"$schema": "http://json-schema.org/draft-07/schema#"`)) || bytes.Contains(want, []byte("$defs")) {
		t.Error("the schema must be draft-07, with definitions, not $defs")
	}
	// The check is byte for byte: a schema with one region less is stale.
	stale := bytes.Replace(want, []byte(`"us-east-2",`), nil, 1)
	if bytes.Equal(stale, want) {
		t.Fatal("could not make a stale copy")
	}
}

// TestExampleStartsWithSchemaLine: the first line makes editors with the
// YAML language server check the file against the schema.
func TestExampleStartsWithSchemaLine(t *testing.T) {
	first, _, _ := strings.Cut(string(config.ExampleYAML), "\n")
	const prefix = "# yaml-language-server: $schema="
	if !strings.HasPrefix(first, prefix) {
		t.Fatalf("config/example.yaml starts with %q, want %s...", first, prefix)
	}
	target := filepath.Join(repoRoot, "config", strings.TrimPrefix(first, prefix))
	if _, err := os.Stat(target); err != nil {
		t.Fatalf("the schema line names %s: %v", target, err)
	}
}

// testConfigs are every valid config written in the tests: each Go string
// literal of test/*.go that the loader accepts.
func testConfigs(t testing.TB) map[string]string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || !strings.Contains(lit.Value, "accounts:") {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if _, err := config.Parse([]byte(s), f); err == nil {
				out[fset.Position(lit.Pos()).String()] = s
			}
			return true
		})
	}
	return out
}

func TestSchemaAcceptsTheExampleAndTheTestConfigs(t *testing.T) {
	s := compiledSchema(t, schemaFile(t))
	configs := testConfigs(t)
	configs["config/example.yaml"] = string(config.ExampleYAML)
	if len(configs) < 5 {
		t.Fatalf("found only %d configs", len(configs))
	}
	for name, src := range configs {
		if err := validateYAML(t, s, src); err != nil {
			t.Errorf("%s: the loader accepts it, the schema does not:\n%v", name, err)
		}
	}
	t.Logf("the schema accepts all %d configs the loader accepts (the example and every config literal of test/*.go)", len(configs))
}

// schemaCases are bad configs, each rejected by the loader. Where a JSON
// Schema can express the rule, the schema must reject the config too; the
// others are the loader-only rules (README "In your own pipeline").
var schemaCases = []struct {
	name        string
	yaml        string
	schemaCan   bool
	loaderOnlyW string // why a schema cannot say it, for the loader-only rules
}{
	{name: "the example with a misspelt key, as typed in an editor", yaml: string(config.ExampleYAML) + "notification: {emails: [ops@example.com]}\n", schemaCan: true},
	{name: "an unknown top-level key", yaml: strings.Replace(validConfig, "notifications:", "notificatons:", 1), schemaCan: true},
	{name: "an unknown key in an account entry", yaml: validConfig + "    regoins: [us-east-1]\n", schemaCan: true},
	{name: "an unknown nested key", yaml: validConfig + "trail: {mod: skip}\n", schemaCan: true},
	{name: "a scalar where a list belongs", yaml: strings.Replace(validConfig, "regions: [ap-northeast-1, us-east-1]", "regions: us-east-1", 1), schemaCan: true},
	{name: "an unquoted account id", yaml: strings.Replace(validConfig, `id: "111111111111"`, `id: 111111111111`, 1), schemaCan: true},
	{name: "an account id without 12 digits", yaml: strings.Replace(validConfig, `"222222222222"`, `"12345"`, 1), schemaCan: true},
	{name: "an account name with a dash", yaml: strings.Replace(validConfig, "name: Dev", "name: Dev-EU", 1), schemaCan: true},
	{name: "a missing account id", yaml: strings.Replace(validConfig, "    id: \"222222222222\"\n", "", 1), schemaCan: true},
	{name: "an unknown region", yaml: strings.Replace(validConfig, "us-east-1]", "us-eats-1]", 1), schemaCan: true},
	{name: "a region listed twice", yaml: strings.Replace(validConfig, "us-east-1]", "us-east-1, us-east-1]", 1), schemaCan: true},
	{name: "a home region that is no region", yaml: strings.Replace(validConfig, "homeRegion: ap-northeast-1", "homeRegion: tokyo", 1), schemaCan: true},
	{name: "a malformed e-mail", yaml: strings.Replace(validConfig, "[security@example.com]", "[security@]", 1), schemaCan: true},
	{name: "an e-mail listed twice", yaml: strings.Replace(validConfig, "[security@example.com]", "[security@example.com, security@example.com]", 1), schemaCan: true},
	{name: "no accounts", yaml: strings.Split(validConfig, "accounts:")[0] + "accounts: []\n", schemaCan: true},
	{name: "a missing accounts list", yaml: strings.Split(validConfig, "accounts:")[0], schemaCan: true},
	{name: "an unknown trail mode", yaml: validConfig + "trail: {mode: off}\n", schemaCan: true},
	{name: "a retention CloudWatch Logs does not support", yaml: validConfig + "trail: {logRetentionDays: 100}\n", schemaCan: true},
	{name: "a lower-case Object Lock mode", yaml: validConfig + "trail: {bucket: {objectLock: {mode: governance, days: 1}}}\n", schemaCan: true},
	{name: "a break-glass role that is no role ARN", yaml: validConfig + "trail: {breakGlassRoleArns: [BreakGlass]}\n", schemaCan: true},
	{name: "an unknown GuardDuty protection plan", yaml: validConfig + "guardDuty: {protection: [s3, ebs]}\n", schemaCan: true},
	{name: "an unknown Security Hub standard", yaml: validConfig + "securityHub: {standards: [cis]}\n", schemaCan: true},
	{name: "a snapshot frequency AWS Config lacks", yaml: validConfig + "awsConfig: {snapshotFrequency: 2h}\n", schemaCan: true},
	{name: "a GuardDuty severity above 10", yaml: validConfig + "findings: {guardDutyMinSeverity: 11}\n", schemaCan: true},
	{name: "a password shorter than CIS allows", yaml: validConfig + "hardening: {passwordPolicy: {minimumLength: 8}}\n", schemaCan: true},
	{name: "a role session longer than IAM allows", yaml: validConfig + "access: {roles: {admin: {maxSessionHours: 13}}}\n", schemaCan: true},
	{name: "an MFA age below a minute", yaml: validConfig + "access: {mfaMaxAgeSeconds: 30}\n", schemaCan: true},
	{name: "enabling an alarm that is not opt-in", yaml: validConfig + "alarms: {enable: [RootAccountUsage]}\n", schemaCan: true},
	{name: "an alarm threshold of 0", yaml: validConfig + "alarms: {thresholds: [{id: RootAccountUsage, threshold: 0}]}\n", schemaCan: true},
	{name: "an unknown callAs", yaml: validConfig + "organization: {deployerAccount: Prod, callAs: ME, organizationalUnits: [r-ab12]}\n", schemaCan: true},
	{name: "an instance size in upper case", yaml: validConfig + "alarms: {largeInstanceSizes: [4XLARGE]}\n", schemaCan: true},
	// The YAML parser rejects it before the schema, in the YAML language
	// server as here.
	{name: "a duplicate key", yaml: validConfig + "homeRegion: us-east-1\n", schemaCan: true},

	{name: "homeRegion not in regions", yaml: strings.Replace(validConfig, "homeRegion: ap-northeast-1", "homeRegion: eu-west-1", 1),
		loaderOnlyW: "a value that must be in another key's list, after inheritance"},
	{name: "an account override against what it inherits", yaml: validConfig + "    regions: [us-east-1]\n",
		loaderOnlyW: "the layering of defaults, the top level and the account entry"},
	{name: "two accounts with one id", yaml: validConfig + "  - name: Other\n    id: \"111111111111\"\n",
		loaderOnlyW: "uniqueness of one key across list items"},
	{name: "two accounts whose names differ only in case", yaml: validConfig + "  - name: prod\n    id: \"333333333333\"\n",
		loaderOnlyW: "uniqueness of one key across list items, ignoring case"},
	{name: "two log archive accounts", yaml: strings.Replace(strings.Replace(validConfig, "name: Prod\n", "name: Prod\n    logArchive: true\n", 1), "name: Dev\n", "name: Dev\n    logArchive: true\n", 1),
		loaderOnlyW: "at most one list item with a key set"},
	{name: "expiration before transition", yaml: validConfig + "trail: {bucket: {transitionDays: 90, expirationDays: 60}}\n",
		loaderOnlyW: "a comparison of two keys"},
	{name: "a source network that is no CIDR", yaml: validConfig + "access: {allowedSourceIps: [10.0.0.300/8]}\n",
		loaderOnlyW: "a CIDR check (JSON Schema has no CIDR format)"},
	{name: "a log group name with trail mode create", yaml: validConfig + "alarms: {logGroupName: aws-controltower/CloudTrailLogs}\n",
		loaderOnlyW: "a key allowed only with another key's value, after inheritance"},
	{name: "an identity account that is no account", yaml: validConfig + "access: {identityAccount: Nobody}\n",
		loaderOnlyW: "a reference to another list's items"},
	{name: "a role name with the cdk- prefix", yaml: validConfig + "access: {roles: {admin: {name: cdk-admin}}}\n",
		loaderOnlyW: "the reserved prefix is the loader's; the schema's pattern checks only IAM's characters"},
	{name: "no recipient", yaml: strings.Replace(validConfig, "[security@example.com]", "[]", 1),
		loaderOnlyW: "at least one e-mail or https endpoint in the effective settings of each account"},
	{name: "StackSet mode without organizational units", yaml: validConfig + "organization: {deployerAccount: Prod}\n",
		loaderOnlyW: "a list required only when another key is set"},
}

func TestSchemaRejectsWhatTheLoaderRejects(t *testing.T) {
	s := compiledSchema(t, schemaFile(t))
	readme, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	both, loaderOnly := 0, 0
	for _, c := range schemaCases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := config.Parse([]byte(c.yaml), "b.yaml"); err == nil {
				t.Fatal("the loader accepts it: not a bad config")
			}
			err := validateYAML(t, s, c.yaml)
			switch {
			case c.schemaCan && err == nil:
				t.Error("the schema accepts it")
			case !c.schemaCan && err != nil:
				t.Errorf("listed as loader-only (%s), but the schema rejects it: %v; move it to the schema's cases and README", c.loaderOnlyW, err)
			case c.schemaCan:
				both++
			default:
				loaderOnly++
				if line := "- " + c.name + ": " + c.loaderOnlyW + "\n"; !strings.Contains(string(readme), line) {
					t.Errorf("README's list of loader-only rules lacks %q", line)
				}
			}
		})
	}
	t.Logf("%d bad configs rejected by loader and schema, %d by the loader only", both, loaderOnly)
}

// TestSchemaCatchesAWeakerSchema is the negative test: a schema without
// additionalProperties false, or without the region enum, accepts bad
// configs, and the cases above would fail.
func TestSchemaCatchesAWeakerSchema(t *testing.T) {
	good := schemaFile(t)
	for _, c := range []struct {
		what, old, new, caseName string
	}{
		{"unknown keys allowed", `"additionalProperties": false`, `"additionalProperties": true`, "an unknown top-level key"},
		{"a misspelt region added to the enum", `"af-south-1",`, `"us-eats-1", "af-south-1",`, "an unknown region"},
	} {
		weak := bytes.ReplaceAll(good, []byte(c.old), []byte(c.new))
		if bytes.Equal(weak, good) {
			t.Fatalf("%s: could not weaken the schema", c.what)
		}
		s := compiledSchema(t, weak)
		for _, sc := range schemaCases {
			if sc.name == c.caseName && validateYAML(t, s, sc.yaml) != nil {
				t.Errorf("%s: the weakened schema still rejects %q; the case proves nothing", c.what, sc.name)
			}
		}
	}
}
