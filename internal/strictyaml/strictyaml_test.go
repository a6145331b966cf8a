package strictyaml_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
)

type inner struct {
	Name  string   `yaml:"name"`
	Count int      `yaml:"count"`
	Tags  []string `yaml:"tags"`
}

type shared struct {
	Region string `yaml:"region"`
}

type doc struct {
	Title   string             `yaml:"title"`
	Enabled bool               `yaml:"enabled"`
	Ratio   float64            `yaml:"ratio"`
	Items   []inner            `yaml:"items"`
	Limits  map[string]float64 `yaml:"limits"`
	Owner   *inner             `yaml:"owner"`
	Shared  shared             `yaml:",inline"`
	Skipped string             `yaml:"-"`
	hidden  string
}

// decode runs the decoder over text and returns the value and the error
// text ("" for none).
func decode(t *testing.T, text string) (doc, string) {
	t.Helper()
	var d doc
	err := strictyaml.Unmarshal([]byte(text), "f.yaml", &d).Err()
	if err == nil {
		return d, ""
	}
	var es strictyaml.Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, want strictyaml.Errors", err)
	}
	return d, err.Error()
}

func TestDecodesEverySupportedKind(t *testing.T) {
	got, err := decode(t, `
title: hello
enabled: true
ratio: 2
items:
  - {name: a, count: 3, tags: [x, y]}
limits: {cpu: 0.5, disk: 10}
owner: {name: o}
region: eu-west-1
anchor: &n 1
`[1:])
	if err != `f.yaml:9: anchor: unknown key; expected one of enabled, items, limits, owner, ratio, region, title` {
		t.Fatalf("error = %s", err)
	}
	if got.Title != "hello" || !got.Enabled || got.Ratio != 2 || len(got.Items) != 1 || got.Items[0].Count != 3 ||
		strings.Join(got.Items[0].Tags, ",") != "x,y" || got.Limits["cpu"] != 0.5 || got.Limits["disk"] != 10 ||
		got.Owner == nil || got.Owner.Name != "o" || got.Shared.Region != "eu-west-1" {
		t.Errorf("decoded %+v", got)
	}
}

func TestAliasToAnEarlierAnchorIsItsValue(t *testing.T) {
	got, err := decode(t, "title: &t hello\nitems:\n  - name: *t\n")
	if err != "" || got.Items[0].Name != "hello" {
		t.Errorf("got %+v, error %q", got, err)
	}
}

// Each rejected input, and the exact message a user sees.
func TestRejects(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"an unknown key close to a known one suggests it", "titel: x\n",
			`f.yaml:1: titel: unknown key; did you mean "title"?`},
		{"an unknown key far from any lists the known ones", "colour: red\n",
			"f.yaml:1: colour: unknown key; expected one of enabled, items, limits, owner, ratio, region, title"},
		{"an unknown key in a list entry has its full path", "items:\n  - name: a\n    cont: 1\n",
			`f.yaml:3: items[0].cont: unknown key; did you mean "count"?`},
		{"a key tagged - is unknown to YAML", "Skipped: x\n",
			"f.yaml:1: Skipped: unknown key; expected one of enabled, items, limits, owner, ratio, region, title"},
		{"a number for a string", "title: 0123\n",
			`f.yaml:1: title: must be a quoted string, got the number 0123 (YAML reads unquoted digits as a number and drops leading zeros); write "0123"`},
		{"a string for a bool", "enabled: yes please\n",
			`f.yaml:1: enabled: must be true or false, got the string "yes please"`},
		{"a fraction for a whole number", "items: [{count: 1.5}]\n",
			"f.yaml:1: items[0].count: must be a whole number, got the number 1.5"},
		{"a string for a number", "ratio: half\n",
			`f.yaml:1: ratio: must be a number, got the string "half"`},
		{"a scalar for a list", "items: one\n",
			`f.yaml:1: items: must be a list, got the string "one"; write [one] for a list of one`},
		{"a list for a mapping", "owner: [a]\n",
			"f.yaml:1: owner: must be a mapping of keys to values, got a list"},
		{"a colon inside [ ] makes a mapping, not a string", "items: [{tags: [AWS::EC2::Instance]}]\n",
			`f.yaml:1: items[0].tags[0]: must be a string, got a mapping; inside [ ], quote a value with colons ("AWS::EC2::Instance") or list it on its own line`},
		{"a duplicate key", "title: a\nratio: 1\ntitle: b\n",
			"f.yaml:3: title: duplicate key (first set on line 1); remove one of them"},
		{"a duplicate key in a map", "limits:\n  cpu: 1\n  cpu: 2\n",
			"f.yaml:3: limits.cpu: duplicate key (first set on line 2); remove one of them"},
		{"null", "title:\n",
			"f.yaml:1: title: has no value; give one or remove the key"},
		{"null in a list", "items:\n  - ~\n",
			"f.yaml:2: items[0]: has no value; give one or remove the key"},
		{"an alias with no anchor above it", "items:\n  - name: *later\ntitle: &later x\n",
			"f.yaml:2: items[0].name: alias *later refers to no anchor defined above it"},
		{"a merge key", "base: &b {name: a}\nowner:\n  <<: *b\n",
			"f.yaml:1: base: unknown key; expected one of enabled, items, limits, owner, ratio, region, title\n" +
				"f.yaml:3: owner: merge keys (<<) are not supported; repeat the keys"},
		{"a number too large for an int", "items: [{count: 18446744073709551615}]\n",
			"f.yaml:1: items[0].count: must be a whole number from -9223372036854775808 to 9223372036854775807, got 18446744073709551615"},
		{"a number too large for any integer is read as a string", "items: [{count: 99999999999999999999}]\n",
			`f.yaml:1: items[0].count: must be a whole number, got the string "99999999999999999999"`},
		{"a syntax error", "items: [\n",
			"f.yaml:1: yaml: sequence end token ']' not found"},
		{"two documents", "title: a\n---\ntitle: b\n",
			"f.yaml: expected one YAML document, found 2"},
		{"an empty file", "  \n",
			"f.yaml: the file is empty"},
		{"a top level that is not a mapping", "- a\n",
			"f.yaml:1: must be a mapping of keys to values, got a list"},
		{"several problems at once, in line order", "items:\n  - name: 1\n    count: x\ntitel: t\nenabled: 1\nratio:\nratio: 2\n",
			"f.yaml:2: items[0].name: must be a quoted string, got the number 1 (YAML reads unquoted digits as a number and drops leading zeros); write \"1\"\n" +
				"f.yaml:3: items[0].count: must be a whole number, got the string \"x\"\n" +
				"f.yaml:4: titel: unknown key; did you mean \"title\"?\n" +
				"f.yaml:5: enabled: must be true or false, got the number 1\n" +
				"f.yaml:6: ratio: has no value; give one or remove the key\n" +
				"f.yaml:7: ratio: duplicate key (first set on line 6); remove one of them"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := decode(t, c.yaml); err != c.want {
				t.Errorf("error:\n got %s\nwant %s", err, c.want)
			}
		})
	}
}

// Decoding onto a value that holds data replaces only what the YAML sets:
// a list as a whole, a mapping key by key.
func TestDecodingLayersOntoExistingValues(t *testing.T) {
	v := doc{Title: "kept", Items: []inner{{Name: "old"}}, Limits: map[string]float64{"cpu": 1, "disk": 2}}
	if err := strictyaml.Unmarshal([]byte("items: [{name: new}]\nlimits: {disk: 3}\n"), "f.yaml", &v).Err(); err != nil {
		t.Fatal(err)
	}
	if v.Title != "kept" || len(v.Items) != 1 || v.Items[0].Name != "new" || v.Limits["cpu"] != 1 || v.Limits["disk"] != 3 {
		t.Errorf("layered value %+v", v)
	}
}

// Problemf puts a check's problem on the line of the field it names (or of
// the nearest value the YAML set), in line order with the decoder's, and
// says nothing about a value the decoder already rejected.
func TestProblemfPlacesChecksAmongDecodingProblems(t *testing.T) {
	var v doc
	d := strictyaml.Unmarshal([]byte("title: x\nitems:\n  - name: a\n    count: many\n  - name: b\n"), "f.yaml", &v)
	d.Problemf("items[1].name", "must differ from %q", "a")
	d.Problemf("items[1].count", "required")     // not set: the line of items[1]
	d.Problemf("items[0].count", "must be even") // rejected by the decoder: silent
	d.Problemf("ratio", "required")              // nothing set: the document's line
	want := "f.yaml:1: ratio: required\n" +
		"f.yaml:4: items[0].count: must be a whole number, got the string \"many\"\n" +
		"f.yaml:5: items[1].name: must differ from \"a\"\n" +
		"f.yaml:5: items[1].count: required"
	if err := d.Err(); err == nil || err.Error() != want {
		t.Errorf("error:\n got %v\nwant %s", err, want)
	}
	if d.Clean("items[0]") || !d.Clean("items[1]") || d.Clean("items") {
		t.Errorf("Clean: items[0] holds a decoding problem, items[1] only checks' problems")
	}
	if !d.Has("items[1].name") || d.Has("items[1].count") {
		t.Error("Has reports the values the YAML set")
	}
}

// After a syntax error nothing was decoded, so checks of the (empty) value
// would only add noise.
func TestProblemfIsSilentWhenTheFileDoesNotParse(t *testing.T) {
	var v doc
	d := strictyaml.Unmarshal([]byte("title: [\n"), "f.yaml", &v)
	d.Problemf("title", "required")
	if err := d.Err(); err == nil || strings.Count(err.Error(), "\n") != 0 || !strings.Contains(err.Error(), "yaml: ") {
		t.Errorf("error = %v, want the syntax error alone", err)
	}
}

func TestSuggest(t *testing.T) {
	for _, c := range []struct {
		name  string
		known []string
		want  string
	}{
		{"VpcChange", []string{"VpcChanges", "NaclChanges"}, `; did you mean "VpcChanges"?`},
		{"REGION", []string{"region"}, `; did you mean "region"?`},
		{"zzz", []string{"b", "a"}, "; expected one of a, b"},
	} {
		if got := strictyaml.Suggest(c.name, c.known); got != c.want {
			t.Errorf("Suggest(%q) = %q, want %q", c.name, got, c.want)
		}
	}
	if got := strictyaml.Closest("eu-west-9", []string{"eu-west-1", "us-west-1"}, 1); got != "eu-west-1" {
		t.Errorf("Closest = %q", got)
	}
	if got := strictyaml.Closest("eu-west-9", []string{"us-east-2"}, 3); got != "" {
		t.Errorf("Closest beyond the limit = %q, want none", got)
	}
}

// A Go type the decoder cannot fill is a programming error, found at once.
func TestUnsupportedTypesPanicWithTheField(t *testing.T) {
	var v struct {
		C complex128 `yaml:"c"`
	}
	defer func() {
		if r := recover(); r != "strictyaml: field c has unsupported Go kind complex128" {
			t.Errorf("panic = %v", r)
		}
	}()
	strictyaml.Unmarshal([]byte("c: 1\n"), "f.yaml", &v)
}
