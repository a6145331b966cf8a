package report

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"slices"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
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
	if err := strictyaml.Unmarshal(pricingYAML, "report/pricing.yaml", &a).Err(); err != nil {
		panic("report: the embedded pricing.yaml is invalid: " + err.Error())
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
// anything else is an error. It is decoded strictly (see
// internal/strictyaml) and reports every problem, each as
// "source:line: path: message".
func ParseAssumptions(data []byte, source string) (*Assumptions, error) {
	var doc struct {
		Usage  map[string]float64 `yaml:"usage"`
		Prices map[string]float64 `yaml:"prices"`
	}
	d := strictyaml.Unmarshal(data, source, &doc)
	a := DefaultAssumptions()
	a.Source = source
	apply := func(section string, inputs []*Input, values map[string]float64) {
		for _, n := range slices.Sorted(maps.Keys(values)) {
			path := section + "." + n
			in := find(inputs, n)
			if in == nil {
				d.Problemf(path, "unknown name%s", strictyaml.Suggest(n, inputNames(inputs)))
				continue
			}
			if v := values[n]; v < 0 || math.IsInf(v, 0) || math.IsNaN(v) {
				d.Problemf(path, "must be a number >= 0, got %v", v)
				continue
			}
			in.Value, in.Overridden = values[n], true
		}
	}
	apply("usage", a.Usage, doc.Usage)
	apply("prices", a.Prices, doc.Prices)
	for _, n := range []string{"writeEventShare", "dailyTypeShare"} {
		if share := a.u(n); share > 1 {
			d.Problemf("usage."+n, "must be between 0 and 1, got %v", share)
		}
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	return a, nil
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
