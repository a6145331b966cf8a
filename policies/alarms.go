package policies

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/secure-baseline/cdk-baseline/policies/filterpattern"
)

//go:embed alarms.yaml
var alarmsYAML []byte

// Alarm is one entry of the security alarm catalog (alarms.yaml): a CloudWatch
// Logs metric filter on the CloudTrail log group plus the alarm on its metric.
type Alarm struct {
	ID          string   `yaml:"id"`          // PascalCase, stable: construct ids and names derive from it
	Title       string   `yaml:"title"`       // one line for people
	Controls    []string `yaml:"controls"`    // compliance ids the entry satisfies (CloudWatch.1, CIS 1.4.0 4.3)
	Source      string   `yaml:"source"`      // URL of the page the pattern comes from
	SecurityHub string   `yaml:"securityHub"` // the CloudWatch.N control whose exact pattern this is; "" for none
	// VariantOf names the entry whose pattern this one changes (a quieter
	// variant). A variant is opt-in, lists no controls, and fails the
	// Security Hub and CIS checks of the entry it varies.
	VariantOf         string  `yaml:"variantOf"`
	Pattern           string  `yaml:"pattern"`  // the filter pattern; after Resolve, rendered
	Template          bool    `yaml:"template"` // Pattern is a text/template over AlarmParams
	Requires          string  `yaml:"requires"` // the AlarmParams field a templated entry needs
	MetricName        string  `yaml:"metricName"`
	Namespace         string  `yaml:"namespace"`
	Statistic         string  `yaml:"statistic"`
	Threshold         float64 `yaml:"threshold"` // the alarm fires when the statistic reaches it
	Period            int     `yaml:"period"`    // seconds
	EvaluationPeriods int     `yaml:"evaluationPeriods"`
	Description       string  `yaml:"description"` // what happened and why it matters
	Runbook           string  `yaml:"runbook"`     // what to do first
	OptIn             bool    `yaml:"optIn"`       // off unless a deployment enables it
}

// AlarmParams are the deployment-specific values that templated patterns
// (Template: true) are rendered with.
type AlarmParams struct {
	LargeInstanceSizes []string // EC2 size suffixes, e.g. "4xlarge"
	AdminRoleName      string   // IAM role name (no path) of the admin role
	BreakGlassUsers    []string // IAM user names of the break-glass users
}

// DefaultAlarmParams returns the defaults: LargeInstanceSizes is the AWS
// sample's [4xlarge, 8xlarge]; the admin role and break-glass users are unset,
// so the entries that require them are skipped.
func DefaultAlarmParams() AlarmParams {
	return AlarmParams{LargeInstanceSizes: []string{"4xlarge", "8xlarge"}}
}

// Values accepted for Alarm.Requires, each naming an AlarmParams field.
const (
	RequiresLargeInstanceSizes = "largeInstanceSizes"
	RequiresAdminRoleName      = "adminRoleName"
	RequiresBreakGlassUsers    = "breakGlassUsers"
)

// RequirementMet reports whether p provides what the entry requires; an entry
// whose requirement is not met must be skipped.
func (a Alarm) RequirementMet(p AlarmParams) bool {
	switch a.Requires {
	case "":
		return true
	case RequiresLargeInstanceSizes:
		return len(p.LargeInstanceSizes) > 0
	case RequiresAdminRoleName:
		return p.AdminRoleName != ""
	case RequiresBreakGlassUsers:
		return len(p.BreakGlassUsers) > 0
	}
	return false
}

// RenderPattern returns the metric filter pattern: Pattern itself, or for a
// templated entry the template executed over p. Parameter values are checked
// so that nothing can break out of the quoted strings of the pattern.
func (a Alarm) RenderPattern(p AlarmParams) (string, error) {
	if !a.Template {
		return a.Pattern, nil
	}
	if !a.RequirementMet(p) {
		return "", fmt.Errorf("alarm %s: requires %s", a.ID, a.Requires)
	}
	if err := p.validate(); err != nil {
		return "", fmt.Errorf("alarm %s: %w", a.ID, err)
	}
	tmpl, err := parseTemplate(a.ID, a.Pattern)
	if err != nil {
		return "", fmt.Errorf("alarm %s: %w", a.ID, err)
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, p); err != nil {
		return "", fmt.Errorf("alarm %s: %w", a.ID, err)
	}
	return b.String(), nil
}

var (
	// IAM role and user names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
	iamNameRe      = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	instanceSizeRe = regexp.MustCompile(`^[a-z0-9]+$`)
)

// ValidInstanceSize reports whether s can be one of LargeInstanceSizes: the
// size part of an instance type (4xlarge in c5.4xlarge).
func ValidInstanceSize(s string) bool { return instanceSizeRe.MatchString(s) }

func (p AlarmParams) validate() error {
	for _, s := range p.LargeInstanceSizes {
		if !instanceSizeRe.MatchString(s) {
			return fmt.Errorf("large instance size %q: want lower-case letters and digits, e.g. 4xlarge", s)
		}
	}
	if p.AdminRoleName != "" && !iamNameRe.MatchString(p.AdminRoleName) {
		return fmt.Errorf("admin role name %q: not a valid IAM role name", p.AdminRoleName)
	}
	for _, u := range p.BreakGlassUsers {
		if !iamNameRe.MatchString(u) {
			return fmt.Errorf("break-glass user %q: not a valid IAM user name", u)
		}
	}
	return nil
}

func parseTemplate(name, text string) (*template.Template, error) {
	return template.New(name).Option("missingkey=error").Parse(text)
}

// sampleParams render every template during validation, including the ones
// whose parameters are unset by default.
func sampleParams() AlarmParams {
	p := DefaultAlarmParams()
	p.AdminRoleName = "ExampleAdminRole"
	p.BreakGlassUsers = []string{"example-break-glass-1", "example-break-glass-2"}
	return p
}

var (
	catalogOnce sync.Once
	catalog     []Alarm
	catalogErr  error
)

// Alarms returns the embedded catalog in file order. It is parsed once; each
// call returns a fresh copy that the caller may modify.
func Alarms() ([]Alarm, error) {
	catalogOnce.Do(func() {
		catalog, catalogErr = ParseAlarms(alarmsYAML, "policies/alarms.yaml")
	})
	if catalogErr != nil {
		return nil, catalogErr
	}
	out := make([]Alarm, len(catalog))
	for i, a := range catalog {
		a.Controls = slices.Clone(a.Controls)
		out[i] = a
	}
	return out, nil
}

// ParseAlarms decodes and validates a catalog. It is strict: unknown and
// duplicate keys, wrong types, missing fields and invalid values are errors.
// It reports every problem it finds, one per line, each as
// "source:line: alarms[i].field: message".
func ParseAlarms(data []byte, source string) ([]Alarm, error) {
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		// Syntax errors, including duplicate keys (goccy/go-yaml rejects them
		// unless AllowDuplicateMapKey is given), stop parsing.
		return nil, fmt.Errorf("%s:%d: %s", source, yamlErrorLine(err), yamlErrorMessage(err))
	}
	v := &validator{source: source}
	entries := v.checkDocument(file)
	if len(v.problems) == 0 {
		// Everything has the right shape; let the decoder fill the values.
		var doc struct {
			Alarms []Alarm `yaml:"alarms"`
		}
		if err := yaml.UnmarshalWithOptions(data, &doc, yaml.DisallowUnknownField()); err != nil {
			v.add(yamlErrorLine(err), "", "%s", yamlErrorMessage(err))
		} else {
			for i := range doc.Alarms {
				v.checkAlarm(i, &doc.Alarms[i], entries[i])
			}
			v.checkUnique(doc.Alarms, entries)
			if len(v.problems) == 0 {
				return doc.Alarms, nil
			}
		}
	}
	return nil, v.err()
}

func yamlErrorLine(err error) int {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil {
		return ye.GetToken().Position.Line
	}
	return 0
}

func yamlErrorMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	return err.Error()
}

type problem struct {
	line int
	seq  int
	msg  string
}

type validator struct {
	source   string
	problems []problem
}

func (v *validator) add(line int, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	v.problems = append(v.problems, problem{line, len(v.problems), msg})
}

func (v *validator) err() error {
	sort.SliceStable(v.problems, func(i, j int) bool {
		if v.problems[i].line != v.problems[j].line {
			return v.problems[i].line < v.problems[j].line
		}
		return v.problems[i].seq < v.problems[j].seq
	})
	errs := make([]error, len(v.problems))
	for i, p := range v.problems {
		errs[i] = fmt.Errorf("%s:%d: %s", v.source, p.line, p.msg)
	}
	return errors.Join(errs...)
}

// entry records where an alarm and each of its fields are in the file.
type entry struct {
	line   int
	fields map[string]int // yaml key -> line of its value
}

// fieldKind is what the YAML value of a field must be.
type fieldKind int

const (
	kindString fieldKind = iota
	kindStringList
	kindBool
	kindInt
	kindNumber
)

var kindNames = map[fieldKind]string{
	kindString:     "a string",
	kindStringList: "a list of strings",
	kindBool:       "true or false",
	kindInt:        "an integer",
	kindNumber:     "a number",
}

type fieldSpec struct {
	kind     fieldKind
	required bool
}

// alarmFields is derived from the yaml tags of Alarm, so the validator and the
// decoder cannot disagree about which keys exist.
var alarmFields, alarmFieldOrder = func() (map[string]fieldSpec, []string) {
	optional := map[string]bool{"securityHub": true, "variantOf": true, "template": true, "requires": true}
	specs := map[string]fieldSpec{}
	var order []string
	t := reflect.TypeFor[Alarm]()
	for i := range t.NumField() {
		f := t.Field(i)
		key := f.Tag.Get("yaml")
		var k fieldKind
		switch f.Type.Kind() {
		case reflect.String:
			k = kindString
		case reflect.Slice:
			k = kindStringList
		case reflect.Bool:
			k = kindBool
		case reflect.Int:
			k = kindInt
		case reflect.Float64:
			k = kindNumber
		default:
			panic("policies: unsupported Alarm field type " + f.Type.String())
		}
		// bools default to false; everything else must be written out.
		specs[key] = fieldSpec{kind: k, required: !optional[key] && k != kindBool}
		order = append(order, key)
	}
	return specs, order
}()

func nodeLine(n ast.Node) int {
	if n == nil || n.GetToken() == nil {
		return 0
	}
	return n.GetToken().Position.Line
}

// describe names a node's type for error messages.
func describe(n ast.Node) string {
	switch n := n.(type) {
	case *ast.NullNode:
		return "null"
	case *ast.StringNode, *ast.LiteralNode:
		return "a string"
	case *ast.IntegerNode:
		return "an integer"
	case *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "a float"
	case *ast.BoolNode:
		return "a bool"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.AliasNode:
		return "an alias"
	case *ast.AnchorNode:
		return "an anchor"
	case *ast.TagNode:
		return "a tagged value"
	default:
		return strings.ToLower(n.Type().String())
	}
}

func isString(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return true
	}
	return false
}

// checkValue reports whether n has the kind a field needs.
func checkValue(kind fieldKind, n ast.Node) (ok bool, why string) {
	switch kind {
	case kindString:
		return isString(n), describe(n)
	case kindBool:
		_, ok := n.(*ast.BoolNode)
		return ok, describe(n)
	case kindInt:
		in, ok := n.(*ast.IntegerNode)
		if !ok {
			return false, describe(n)
		}
		switch x := in.Value.(type) {
		case int64:
			return x >= math.MinInt32 && x <= math.MaxInt32, "an integer out of range"
		case uint64:
			return x <= math.MaxInt32, "an integer out of range"
		}
		return false, describe(n)
	case kindNumber:
		switch n.(type) {
		case *ast.IntegerNode, *ast.FloatNode:
			return true, ""
		}
		return false, describe(n)
	case kindStringList:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			return false, describe(n)
		}
		for _, item := range seq.Values {
			if !isString(item) {
				return false, "a list containing " + describe(item)
			}
		}
		return true, ""
	}
	return false, describe(n)
}

// checkDocument checks the shape of the file: a mapping with one key,
// alarms, holding a list of mappings whose keys are Alarm fields with values
// of the right type. It returns the position of each entry.
func (v *validator) checkDocument(file *ast.File) []entry {
	if len(file.Docs) != 1 || file.Docs[0].Body == nil {
		v.add(1, "", "want exactly one YAML document with an alarms list")
		return nil
	}
	body := file.Docs[0].Body
	top, ok := body.(*ast.MappingNode)
	if !ok {
		v.add(nodeLine(body), "", "top level: must be a mapping with key alarms, got %s", describe(body))
		return nil
	}
	var list ast.Node
	for _, kv := range top.Values {
		key := kv.Key.String()
		if key != "alarms" {
			v.add(nodeLine(kv.Key), key, "unknown field")
			continue
		}
		list = kv.Value
	}
	if list == nil {
		v.add(nodeLine(top), "alarms", "required field missing")
		return nil
	}
	seq, ok := list.(*ast.SequenceNode)
	if !ok {
		v.add(nodeLine(list), "alarms", "must be a list, got %s", describe(list))
		return nil
	}
	if len(seq.Values) == 0 {
		v.add(nodeLine(seq), "alarms", "must not be empty")
	}
	entries := make([]entry, len(seq.Values))
	for i, item := range seq.Values {
		path := fmt.Sprintf("alarms[%d]", i)
		m, ok := item.(*ast.MappingNode)
		if !ok {
			v.add(nodeLine(item), path, "must be a mapping, got %s", describe(item))
			continue
		}
		e := entry{line: nodeLine(m), fields: map[string]int{}}
		for _, kv := range m.Values {
			key := kv.Key.String()
			spec, known := alarmFields[key]
			if !known {
				v.add(nodeLine(kv.Key), path+"."+key, "unknown field")
				continue
			}
			e.fields[key] = nodeLine(kv.Value)
			if ok, got := checkValue(spec.kind, kv.Value); !ok {
				v.add(nodeLine(kv.Value), path+"."+key, "must be %s, got %s", kindNames[spec.kind], got)
			}
		}
		for _, key := range alarmFieldOrder {
			if _, present := e.fields[key]; !present && alarmFields[key].required {
				v.add(e.line, path+"."+key, "required field missing")
			}
		}
		entries[i] = e
	}
	return entries
}

var (
	pascalCaseRe  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	securityHubRe = regexp.MustCompile(`^CloudWatch\.[1-9][0-9]*$`)
	statistics    = []string{"Average", "Maximum", "Minimum", "SampleCount", "Sum"}
	requirements  = []string{RequiresAdminRoleName, RequiresBreakGlassUsers, RequiresLargeInstanceSizes}
)

// checkAlarm checks the values of one decoded entry.
func (v *validator) checkAlarm(i int, a *Alarm, e entry) {
	path := fmt.Sprintf("alarms[%d]", i)
	at := func(key string) int {
		if l, ok := e.fields[key]; ok {
			return l
		}
		return e.line
	}
	bad := func(key, format string, args ...any) {
		v.add(at(key), path+"."+key, format, args...)
	}

	if !pascalCaseRe.MatchString(a.ID) {
		bad("id", "must be PascalCase (letters and digits, starting with an upper-case letter), got %q", a.ID)
	}
	for _, f := range []struct{ key, value string }{
		{"title", a.Title}, {"source", a.Source}, {"metricName", a.MetricName},
		{"namespace", a.Namespace}, {"description", a.Description}, {"runbook", a.Runbook},
	} {
		if strings.TrimSpace(f.value) == "" {
			bad(f.key, "must not be empty")
		}
	}
	if a.Source != "" && !strings.HasPrefix(a.Source, "https://") {
		bad("source", "must be an https:// URL, got %q", a.Source)
	}
	seen := map[string]bool{}
	for _, c := range a.Controls {
		switch {
		case strings.TrimSpace(c) == "":
			bad("controls", "must not contain an empty string")
		case seen[c]:
			bad("controls", "duplicate control %q", c)
		}
		seen[c] = true
	}
	for _, c := range a.Controls {
		if securityHubRe.MatchString(c) && c != a.SecurityHub {
			bad("controls", "%s is a Security Hub control, which only its exact pattern satisfies: set securityHub: %s and use that pattern, or remove %s", c, c, c)
		}
	}
	if a.VariantOf != "" {
		if a.SecurityHub != "" {
			bad("variantOf", "a variant cannot set securityHub: a changed pattern fails the Security Hub check of %s", a.SecurityHub)
		}
		if len(a.Controls) > 0 {
			bad("controls", "must be empty for a variant of %s: a changed pattern satisfies none of its controls", a.VariantOf)
		}
		if !a.OptIn {
			bad("optIn", "must be true for a variant of %s: a quieter pattern fails the control checks, so it is never on by default", a.VariantOf)
		}
	}
	if a.SecurityHub != "" {
		switch {
		case !securityHubRe.MatchString(a.SecurityHub):
			bad("securityHub", "must be a Security Hub CloudWatch control id like CloudWatch.1, got %q", a.SecurityHub)
		case !seen[a.SecurityHub]:
			bad("securityHub", "%s must also be listed in controls", a.SecurityHub)
		}
		if a.Template {
			bad("template", "must be false when securityHub is set: Security Hub needs the exact text")
		}
	}
	if !slices.Contains(statistics, a.Statistic) {
		bad("statistic", "unknown statistic %q, want one of %s", a.Statistic, strings.Join(statistics, ", "))
	}
	if !(a.Threshold > 0) || math.IsInf(a.Threshold, 0) {
		bad("threshold", "must be > 0, got %v", a.Threshold)
	}
	switch {
	case a.Period <= 0:
		bad("period", "must be > 0, got %d", a.Period)
	case a.Period != 10 && a.Period != 30 && a.Period%60 != 0:
		bad("period", "must be 10, 30 or a multiple of 60 seconds, got %d", a.Period)
	}
	if a.EvaluationPeriods <= 0 {
		bad("evaluationPeriods", "must be > 0, got %d", a.EvaluationPeriods)
	}
	if a.Requires != "" {
		if !slices.Contains(requirements, a.Requires) {
			bad("requires", "unknown requirement %q, want one of %s", a.Requires, strings.Join(requirements, ", "))
		}
		if !a.Template {
			bad("requires", "only templated entries can require a parameter")
		}
	}
	v.checkPattern(a, path, at("pattern"))
}

func (v *validator) checkPattern(a *Alarm, path string, line int) {
	bad := func(format string, args ...any) { v.add(line, path+".pattern", format, args...) }
	if strings.TrimSpace(a.Pattern) != a.Pattern {
		bad("must not start or end with white space")
		return
	}
	pattern := a.Pattern
	if a.Template {
		tmpl, err := parseTemplate(a.ID, a.Pattern)
		if err != nil {
			bad("bad template: %s", strings.TrimPrefix(err.Error(), "template: "))
			return
		}
		var b strings.Builder
		if err := tmpl.Execute(&b, sampleParams()); err != nil {
			bad("bad template: %s", strings.TrimPrefix(err.Error(), "template: "))
			return
		}
		pattern = b.String()
	} else if strings.Contains(a.Pattern, "{{") {
		bad("contains a template action but template is false")
		return
	}
	if _, err := filterpattern.Parse(pattern); err != nil {
		if a.Template {
			bad("rendered with sample parameters: %s", err)
		} else {
			bad("%s", err)
		}
	}
}

// checkUnique reports ids, metric names and Security Hub controls used twice.
func (v *validator) checkUnique(alarms []Alarm, entries []entry) {
	type first struct {
		index int
		line  int
	}
	ids := map[string]first{}
	metrics := map[[2]string]first{}
	hub := map[string]first{}
	for i, a := range alarms {
		e := entries[i]
		path := fmt.Sprintf("alarms[%d]", i)
		line := func(key string) int { return e.fields[key] }
		if f, dup := ids[a.ID]; dup {
			v.add(line("id"), path+".id", "duplicate id %q, first used by alarms[%d] at line %d", a.ID, f.index, f.line)
		} else {
			ids[a.ID] = first{i, line("id")}
		}
		k := [2]string{a.Namespace, a.MetricName}
		if f, dup := metrics[k]; dup {
			v.add(line("metricName"), path+".metricName", "duplicate metric %s/%s, first used by alarms[%d] at line %d", a.Namespace, a.MetricName, f.index, f.line)
		} else {
			metrics[k] = first{i, line("metricName")}
		}
		if a.VariantOf != "" {
			j := slices.IndexFunc(alarms, func(b Alarm) bool { return b.ID == a.VariantOf })
			switch {
			case j < 0:
				v.add(line("variantOf"), path+".variantOf", "names no entry of the catalog: %q", a.VariantOf)
			case alarms[j].VariantOf != "" || len(alarms[j].Controls) == 0:
				v.add(line("variantOf"), path+".variantOf", "%s must be an entry with controls, not a variant or a product-specific entry", a.VariantOf)
			}
		}
		if a.SecurityHub == "" {
			continue
		}
		if f, dup := hub[a.SecurityHub]; dup {
			v.add(line("securityHub"), path+".securityHub", "duplicate Security Hub control %s, first used by alarms[%d] at line %d", a.SecurityHub, f.index, f.line)
		} else {
			hub[a.SecurityHub] = first{i, line("securityHub")}
		}
	}
}
