// Package assembly reads a synthesized cloud assembly (cdk.out): its stacks
// with their manifest settings and tags, their templates, and their
// accounts, each with its home stack. The reports (package report and its
// other subpackages) read templates only through it; it reads no config and
// writes nothing.
package assembly

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Assembly is the part of a cloud assembly the reports read.
type Assembly struct {
	Dir    string
	Stacks []Stack // sorted by name
}

// Stack is one CloudFormation stack artifact.
type Stack struct {
	Name         string
	Account      string
	Region       string
	TemplateFile string
	Template     Template
	// TerminationProtection and Tags are stack-level settings from the
	// manifest. Stack tags are not in the template: the CDK CLI passes them
	// to CloudFormation, which puts them on the stack and its resources.
	TerminationProtection bool
	Tags                  map[string]string
}

// Template is a CloudFormation template.
type Template struct {
	Description string              `json:"Description"`
	Resources   map[string]Resource `json:"Resources"`
}

// Resource is one resource of a template.
type Resource struct {
	Type           string         `json:"Type"`
	Properties     map[string]any `json:"Properties"`
	DeletionPolicy string         `json:"DeletionPolicy"`
	Metadata       map[string]any `json:"Metadata"`
}

type manifest struct {
	Version   string `json:"version"`
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile          string            `json:"templateFile"`
			TerminationProtection bool              `json:"terminationProtection"`
			Tags                  map[string]string `json:"tags"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// Read reads the cloud assembly in dir.
func Read(dir string) (*Assembly, error) {
	data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a cloud assembly (no manifest.json); run 'make synth' first", dir)
	}
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil || m.Version == "" {
		return nil, fmt.Errorf("%s/manifest.json is not a cloud assembly manifest; run 'make synth' to rebuild %s", dir, dir)
	}
	a := &Assembly{Dir: dir}
	for name, art := range m.Artifacts {
		if art.Type != "aws:cloudformation:stack" {
			continue
		}
		s := Stack{
			Name:                  name,
			TemplateFile:          art.Properties.TemplateFile,
			TerminationProtection: art.Properties.TerminationProtection,
			Tags:                  art.Properties.Tags,
		}
		env := strings.TrimPrefix(art.Environment, "aws://")
		s.Account, s.Region, _ = strings.Cut(env, "/")
		raw, err := os.ReadFile(filepath.Join(dir, s.TemplateFile))
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", name, err)
		}
		if err := json.Unmarshal(raw, &s.Template); err != nil {
			return nil, fmt.Errorf("stack %s: %s is not a JSON template: %v", name, s.TemplateFile, err)
		}
		a.Stacks = append(a.Stacks, s)
	}
	if len(a.Stacks) == 0 {
		return nil, fmt.Errorf("%s holds no CloudFormation stacks", dir)
	}
	sort.Slice(a.Stacks, func(i, j int) bool { return a.Stacks[i].Name < a.Stacks[j].Name })
	return a, nil
}

// ResourceTypes counts the stack's resources by type.
func (s Stack) ResourceTypes() map[string]int {
	out := map[string]int{}
	for _, r := range s.Template.Resources {
		out[r.Type]++
	}
	return out
}

// CheckBaseline rejects an assembly that this app did not synthesize: each
// stack must carry the baseline:tool tag.
func CheckBaseline(asm *Assembly) error {
	for _, s := range asm.Stacks {
		if s.Tags[TagTool] != Tool {
			return fmt.Errorf("%s is not a cdk-baseline assembly: stack %s has no %s tag %s", asm.Dir, s.Name, TagTool, Tool)
		}
	}
	return nil
}
