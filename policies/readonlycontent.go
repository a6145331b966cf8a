package policies

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
)

//go:embed iam/readonly-content-reads.yaml
var readOnlyContentYAML []byte

// Verdicts of a content-read candidate.
const (
	VerdictContent  = "content"
	VerdictMetadata = "metadata"
)

// ContentReads is iam/readonly-content-reads.yaml: the rule that finds the
// read-only role's candidate content reads, and the reviewed verdict of
// every candidate. The file's header says how the rule works.
type ContentReads struct {
	Rule  ContentRule   `yaml:"rule"`
	Reads []ContentRead `yaml:"reads"`
}

// ContentRule finds candidates among the actions a role's managed
// policies allow.
type ContentRule struct {
	// AccessLevels are the Service Authorization Reference access levels
	// that can return content (Read, List).
	AccessLevels []string `yaml:"accessLevels"`
	// Keywords is a regular expression (Go syntax) matched against the
	// action name split into words and against its description.
	Keywords string `yaml:"keywords"`
	// SensitiveMembers is a regular expression matched against the names
	// of the response members an SDK model marks sensitive.
	SensitiveMembers string `yaml:"sensitiveMembers"`

	keywords, sensitive *regexp.Regexp
}

// ContentRead is one candidate and its verdict.
type ContentRead struct {
	Action  string `yaml:"action"`  // service:Action as the SAR spells it
	Verdict string `yaml:"verdict"` // content or metadata
	Reason  string `yaml:"reason"`  // one line: what the response holds
}

var (
	contentOnce sync.Once
	contentList ContentReads
	contentErr  error
)

// ReadOnlyContentReads returns the embedded list, parsed and checked once.
func ReadOnlyContentReads() (ContentReads, error) {
	contentOnce.Do(func() {
		contentList, contentErr = ParseContentReads(readOnlyContentYAML, "policies/iam/readonly-content-reads.yaml")
	})
	return contentList, contentErr
}

var actionPattern = regexp.MustCompile(`^[a-z0-9-]+:[A-Za-z0-9]+$`)

// ParseContentReads decodes a list strictly (unknown keys, wrong types)
// and checks every entry: a well-formed action listed once, a known
// verdict, a reason, and regular expressions that compile.
func ParseContentReads(data []byte, source string) (ContentReads, error) {
	var c ContentReads
	if err := yaml.UnmarshalWithOptions(data, &c, yaml.DisallowUnknownField(), yaml.Strict()); err != nil {
		return ContentReads{}, fmt.Errorf("%s:%d: %s", source, yamlErrorLine(err), yamlErrorMessage(err))
	}
	var err error
	switch {
	case len(c.Rule.AccessLevels) == 0:
		return ContentReads{}, fmt.Errorf("%s: rule.accessLevels is empty; list the access levels that can return content, e.g. [Read, List]", source)
	case c.Rule.Keywords == "" || c.Rule.SensitiveMembers == "":
		return ContentReads{}, fmt.Errorf("%s: rule.keywords and rule.sensitiveMembers are required", source)
	}
	if c.Rule.keywords, err = regexp.Compile(c.Rule.Keywords); err != nil {
		return ContentReads{}, fmt.Errorf("%s: rule.keywords: %v", source, err)
	}
	if c.Rule.sensitive, err = regexp.Compile(c.Rule.SensitiveMembers); err != nil {
		return ContentReads{}, fmt.Errorf("%s: rule.sensitiveMembers: %v", source, err)
	}
	seen := map[string]int{}
	for i, r := range c.Reads {
		p := fmt.Sprintf("%s: reads[%d]", source, i)
		key := strings.ToLower(r.Action)
		switch {
		case !actionPattern.MatchString(r.Action):
			return ContentReads{}, fmt.Errorf("%s: action %q is not service:Action", p, r.Action)
		case r.Verdict != VerdictContent && r.Verdict != VerdictMetadata:
			return ContentReads{}, fmt.Errorf("%s: %s: verdict %q is neither %s nor %s", p, r.Action, r.Verdict, VerdictContent, VerdictMetadata)
		case strings.TrimSpace(r.Reason) == "":
			return ContentReads{}, fmt.Errorf("%s: %s has no reason; say in one line what the response holds", p, r.Action)
		}
		if j, dup := seen[key]; dup {
			return ContentReads{}, fmt.Errorf("%s: %s is already reads[%d]", p, r.Action, j)
		}
		seen[key] = i
	}
	return c, nil
}

var (
	camelLower = regexp.MustCompile(`([a-z0-9])([A-Z])`)
	camelUpper = regexp.MustCompile(`([A-Z]+)([A-Z][a-z])`)
)

// ActionWords splits an action name into words at case changes:
// GetHLSStreamingSessionURL is "Get HLS Streaming Session URL".
func ActionWords(name string) string {
	return camelLower.ReplaceAllString(camelUpper.ReplaceAllString(name, "$1 $2"), "$1 $2")
}

// MatchesKeywords tells whether an action (service:Name) or its
// description matches the rule's keywords.
func (r ContentRule) MatchesKeywords(action, description string) bool {
	_, name, _ := strings.Cut(action, ":")
	return r.keywords.MatchString(ActionWords(name)) || r.keywords.MatchString(description)
}

// IsSensitiveMember tells whether a response member of this name, marked
// sensitive by its SDK model, holds what the rule looks for.
func (r ContentRule) IsSensitiveMember(name string) bool { return r.sensitive.MatchString(name) }

// CoversLevel tells whether the access level is one the rule looks at.
func (r ContentRule) CoversLevel(level string) bool { return slices.Contains(r.AccessLevels, level) }

// Verdict returns the verdict of an action, case-insensitively.
func (c ContentReads) Verdict(action string) (ContentRead, bool) {
	for _, r := range c.Reads {
		if strings.EqualFold(r.Action, action) {
			return r, true
		}
	}
	return ContentRead{}, false
}
