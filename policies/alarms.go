package policies

import (
	_ "embed"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"text/template"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
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
	// ManagementAccount says the account is organization mode's management
	// account, the one account that starts centralized root sessions
	// (sts:AssumeRoot). Not a template value: entries that require it have
	// a fixed pattern that only makes sense there.
	ManagementAccount bool
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
	// RequiresManagementAccount keeps an entry to organization mode's
	// management account (AlarmParams.ManagementAccount); the entry need
	// not be templated.
	RequiresManagementAccount = "managementAccount"
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
	case RequiresManagementAccount:
		return p.ManagementAccount
	}
	return false
}

// RenderPattern returns the metric filter pattern: Pattern itself, or for a
// templated entry the template executed over p. Parameter values are checked
// so that nothing can break out of the quoted strings of the pattern.
func (a Alarm) RenderPattern(p AlarmParams) (string, error) {
	if !a.RequirementMet(p) {
		return "", fmt.Errorf("alarm %s: requires %s", a.ID, a.Requires)
	}
	if !a.Template {
		return a.Pattern, nil
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
	p.ManagementAccount = true
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

// ParseAlarms decodes and validates a catalog. It is strict (see
// internal/strictyaml): unknown and duplicate keys, wrong types, missing
// fields and invalid values are errors. It reports every problem it finds,
// one per line, each as "source:line: alarms[i].field: message".
func ParseAlarms(data []byte, source string) ([]Alarm, error) {
	var doc struct {
		Alarms []Alarm `yaml:"alarms"`
	}
	d := strictyaml.Unmarshal(data, source, &doc)
	v := &validator{d: d}
	switch {
	case !d.Has("alarms"):
		d.Problemf("alarms", "required field missing")
	case len(doc.Alarms) == 0:
		d.Problemf("alarms", "must not be empty")
	}
	var clean []int // entries whose every field decoded
	for i := range doc.Alarms {
		path := fmt.Sprintf("alarms[%d]", i)
		complete := true
		for _, key := range alarmRequired {
			if !d.Has(path+"."+key) && !d.Failed(path+"."+key) {
				d.Problemf(path+"."+key, "required field missing")
				complete = false
			}
		}
		if complete && d.Clean(path) {
			v.checkAlarm(path, &doc.Alarms[i])
			clean = append(clean, i)
		}
	}
	v.checkUnique(doc.Alarms, clean)
	if err := d.Err(); err != nil {
		return nil, err
	}
	return doc.Alarms, nil
}

type validator struct{ d *strictyaml.Decoder }

// alarmRequired are the keys every entry writes out, derived from the yaml
// tags of Alarm: all but the optional ones and the booleans (false unless
// set).
var alarmRequired = func() []string {
	optional := map[string]bool{"securityHub": true, "variantOf": true, "template": true, "requires": true}
	var keys []string
	t := reflect.TypeFor[Alarm]()
	for i := range t.NumField() {
		f := t.Field(i)
		if key := f.Tag.Get("yaml"); !optional[key] && f.Type.Kind() != reflect.Bool {
			keys = append(keys, key)
		}
	}
	return keys
}()

var (
	pascalCaseRe  = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*$`)
	securityHubRe = regexp.MustCompile(`^CloudWatch\.[1-9][0-9]*$`)
	statistics    = []string{"Average", "Maximum", "Minimum", "SampleCount", "Sum"}
	requirements  = []string{RequiresAdminRoleName, RequiresBreakGlassUsers, RequiresLargeInstanceSizes, RequiresManagementAccount}
)

// checkAlarm checks the values of one decoded entry, at path.
func (v *validator) checkAlarm(path string, a *Alarm) {
	bad := func(key, format string, args ...any) {
		v.d.Problemf(path+"."+key, format, args...)
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
	if msg := ThresholdProblem(a.Threshold); msg != "" {
		bad("threshold", "%s", msg)
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
		if !a.Template && a.Requires != RequiresManagementAccount {
			bad("requires", "only templated entries can require a parameter")
		}
	}
	v.checkPattern(a, path)
}

func (v *validator) checkPattern(a *Alarm, path string) {
	bad := func(format string, args ...any) { v.d.Problemf(path+".pattern", format, args...) }
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

// checkUnique reports ids, metric names and Security Hub controls used
// twice, among the clean entries (indexes into alarms).
func (v *validator) checkUnique(alarms []Alarm, clean []int) {
	type first struct {
		index int
		line  int
	}
	ids := map[string]first{}
	metrics := map[[2]string]first{}
	hub := map[string]first{}
	for _, i := range clean {
		a := alarms[i]
		path := fmt.Sprintf("alarms[%d]", i)
		line := func(key string) int { l, _ := v.d.Line(path + "." + key); return l }
		if f, dup := ids[a.ID]; dup {
			v.d.Problemf(path+".id", "duplicate id %q, first used by alarms[%d] at line %d", a.ID, f.index, f.line)
		} else {
			ids[a.ID] = first{i, line("id")}
		}
		k := [2]string{a.Namespace, a.MetricName}
		if f, dup := metrics[k]; dup {
			v.d.Problemf(path+".metricName", "duplicate metric %s/%s, first used by alarms[%d] at line %d", a.Namespace, a.MetricName, f.index, f.line)
		} else {
			metrics[k] = first{i, line("metricName")}
		}
		if a.VariantOf != "" {
			j := slices.IndexFunc(alarms, func(b Alarm) bool { return b.ID == a.VariantOf })
			switch {
			case j < 0:
				v.d.Problemf(path+".variantOf", "names no entry of the catalog: %q", a.VariantOf)
			case alarms[j].VariantOf != "" || len(alarms[j].Controls) == 0:
				v.d.Problemf(path+".variantOf", "%s must be an entry with controls, not a variant or a product-specific entry", a.VariantOf)
			}
		}
		if a.SecurityHub == "" {
			continue
		}
		if f, dup := hub[a.SecurityHub]; dup {
			v.d.Problemf(path+".securityHub", "duplicate Security Hub control %s, first used by alarms[%d] at line %d", a.SecurityHub, f.index, f.line)
		} else {
			hub[a.SecurityHub] = first{i, line("securityHub")}
		}
	}
}
