package policies

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
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

// ParseContentReads decodes a list strictly (see internal/strictyaml) and
// checks every entry: a well-formed action listed once, a known verdict, a
// reason, and regular expressions that compile. It reports every problem,
// each as "source:line: path: message".
func ParseContentReads(data []byte, source string) (ContentReads, error) {
	var c ContentReads
	d := strictyaml.Unmarshal(data, source, &c)
	if len(c.Rule.AccessLevels) == 0 {
		d.Problemf("rule.accessLevels", "is empty; list the access levels that can return content, e.g. [Read, List]")
	}
	var err error
	if c.Rule.Keywords == "" {
		d.Problemf("rule.keywords", "required; a regular expression of the words that name content")
	} else if c.Rule.keywords, err = regexp.Compile(c.Rule.Keywords); err != nil {
		d.Problemf("rule.keywords", "%v", err)
	}
	if c.Rule.SensitiveMembers == "" {
		d.Problemf("rule.sensitiveMembers", "required; a regular expression of sensitive response member names")
	} else if c.Rule.sensitive, err = regexp.Compile(c.Rule.SensitiveMembers); err != nil {
		d.Problemf("rule.sensitiveMembers", "%v", err)
	}
	seen := map[string]int{}
	for i, r := range c.Reads {
		p := fmt.Sprintf("reads[%d]", i)
		if !actionPattern.MatchString(r.Action) {
			d.Problemf(p+".action", "%q is not service:Action", r.Action)
		}
		if r.Verdict != VerdictContent && r.Verdict != VerdictMetadata {
			d.Problemf(p+".verdict", "%q is neither %s nor %s", r.Verdict, VerdictContent, VerdictMetadata)
		}
		if strings.TrimSpace(r.Reason) == "" {
			d.Problemf(p+".reason", "%s has no reason; say in one line what the response holds", r.Action)
		}
		key := strings.ToLower(r.Action)
		if j, dup := seen[key]; dup {
			d.Problemf(p+".action", "%s is already reads[%d]", r.Action, j)
		} else {
			seen[key] = i
		}
	}
	if err := d.Err(); err != nil {
		return ContentReads{}, err
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
