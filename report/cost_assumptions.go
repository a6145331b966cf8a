package report

import (
	_ "embed"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"
)

//go:embed pricing.yaml
var pricingYAML []byte

// Input is one number of the cost model: a price or a usage assumption.
type Input struct {
	Name       string  `yaml:"name"`
	Value      float64 `yaml:"value"`
	Unit       string  `yaml:"unit"`
	Source     string  `yaml:"source"`
	Overridden bool    `yaml:"-"`
}

// Assumptions are the cost model's inputs: the embedded prices and usage
// (pricing.yaml), with any overrides applied.
type Assumptions struct {
	AsOf     string   `yaml:"asOf"`
	Region   string   `yaml:"region"`
	Currency string   `yaml:"currency"`
	Prices   []*Input `yaml:"prices"`
	Usage    []*Input `yaml:"usage"`
	// Source names the override file, or "" for the defaults.
	Source string `yaml:"-"`
}

// DefaultAssumptions are the embedded prices and usage.
func DefaultAssumptions() *Assumptions {
	var a Assumptions
	if err := yaml.UnmarshalWithOptions(pricingYAML, &a, yaml.DisallowUnknownField()); err != nil {
		panic("report: pricing.yaml: " + err.Error())
	}
	return &a
}

// LoadAssumptions reads an override file (see pricing.yaml) and applies it
// to the defaults.
func LoadAssumptions(path string) (*Assumptions, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("assumptions: %w", err)
	}
	return ParseAssumptions(data, path)
}

// ParseAssumptions applies overrides to the defaults. The file may hold
// two mappings, usage and prices, of known names to non-negative numbers;
// anything else is an error, and every problem is reported.
func ParseAssumptions(data []byte, source string) (*Assumptions, error) {
	var doc struct {
		Usage  map[string]any `yaml:"usage"`
		Prices map[string]any `yaml:"prices"`
	}
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.DisallowUnknownField()); err != nil {
		return nil, fmt.Errorf("%s: %s", source, yaml.FormatError(err, false, false))
	}
	a := DefaultAssumptions()
	a.Source = source
	var problems []string
	apply := func(section string, inputs []*Input, values map[string]any) {
		names := make([]string, 0, len(values))
		for n := range values {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			in := find(inputs, n)
			if in == nil {
				problems = append(problems, fmt.Sprintf("%s.%s: unknown name; the names are %s", section, n, strings.Join(inputNames(inputs), ", ")))
				continue
			}
			v, ok := toNumber(values[n])
			if !ok || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				problems = append(problems, fmt.Sprintf("%s.%s: must be a number >= 0, got %v", section, n, values[n]))
				continue
			}
			in.Value, in.Overridden = v, true
		}
	}
	apply("usage", a.Usage, doc.Usage)
	apply("prices", a.Prices, doc.Prices)
	if share := a.u("writeEventShare"); share > 1 {
		problems = append(problems, fmt.Sprintf("usage.writeEventShare: must be between 0 and 1, got %v", share))
	}
	if share := a.u("dailyTypeShare"); share > 1 {
		problems = append(problems, fmt.Sprintf("usage.dailyTypeShare: must be between 0 and 1, got %v", share))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%s: %s", source, strings.Join(problems, "; "))
	}
	return a, nil
}

func toNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func find(inputs []*Input, name string) *Input {
	for _, in := range inputs {
		if in.Name == name {
			return in
		}
	}
	return nil
}

func inputNames(inputs []*Input) []string {
	out := make([]string, len(inputs))
	for i, in := range inputs {
		out[i] = in.Name
	}
	return out
}

// p is a price, u a usage number. An unknown name is a programming error.
func (a *Assumptions) p(name string) float64 { return a.get(a.Prices, name) }
func (a *Assumptions) u(name string) float64 { return a.get(a.Usage, name) }

func (a *Assumptions) get(inputs []*Input, name string) float64 {
	in := find(inputs, name)
	if in == nil {
		panic(errors.New("report: no cost input " + name))
	}
	return in.Value
}
