package policies

import (
	"embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// The static IAM policy documents of policies/iam (see its README.md): the
// operator and read-only denies and the self-service MFA policy.
//
//go:embed iam/*.json
var iamFS embed.FS

// IAM policy templates, by file name without .json.
const (
	OperatorDeny   = "operator-deny"
	ReadOnlyDeny   = "readonly-deny"
	SelfServiceMFA = "self-service-mfa"
)

// IAMTokens are the placeholders a template may use, written ${Name}.
// policies/iam/README.md says what each one means.
var IAMTokens = []string{
	"Partition", "AccountId", "Region",
	"TrailName", "LogBucketPrefix", "KeyAliasPrefix", "AlarmPrefix", "TopicName", "LogGroupName", "LogGroupPrefix",
	"StackPrefix",
	"AdminRoleName", "OperatorRoleName", "ReadOnlyRoleName",
	"AdminGroupName", "OperatorGroupName", "ReadOnlyGroupName",
	"RulePrefix", "OwnerTagKey",
}

// tokenPattern matches our placeholders. IAM's own policy variables, such as
// ${aws:username}, hold a colon and do not match.
var tokenPattern = regexp.MustCompile(`\$\{([A-Za-z][A-Za-z0-9]*)\}`)

// IAMPolicy returns the named template of policies/iam with every
// placeholder replaced by its value from values. A placeholder that is not
// an IAMToken, or that has no value, is an error, so no half-filled
// document reaches a template. Values are plain text: they cannot bring in a
// placeholder or break out of the JSON string they land in.
func IAMPolicy(name string, values map[string]string) (map[string]any, error) {
	raw, err := iamFS.ReadFile("iam/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("iam policy %q: no such file in policies/iam (have %s)", name, strings.Join(IAMPolicyNames(), ", "))
	}
	for k, v := range values {
		if tokenPattern.MatchString(v) {
			return nil, fmt.Errorf("iam policy %s: the value of %s (%q) holds a placeholder", name, k, v)
		}
	}
	var missing []string
	filled := tokenPattern.ReplaceAllStringFunc(string(raw), func(m string) string {
		token := m[2 : len(m)-1]
		v, ok := values[token]
		if !ok || !slices.Contains(IAMTokens, token) {
			missing = append(missing, m)
			return m
		}
		quoted, _ := json.Marshal(v)
		return string(quoted[1 : len(quoted)-1])
	})
	if len(missing) > 0 {
		slices.Sort(missing)
		return nil, fmt.Errorf("iam policy %s: no value for %s", name, strings.Join(slices.Compact(missing), ", "))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(filled), &doc); err != nil {
		return nil, fmt.Errorf("iam policy %s: %w", name, err)
	}
	return doc, nil
}

// IAMPolicyTokens lists the placeholders the named template uses, sorted.
func IAMPolicyTokens(name string) ([]string, error) {
	raw, err := iamFS.ReadFile("iam/" + name + ".json")
	if err != nil {
		return nil, fmt.Errorf("iam policy %q: no such file in policies/iam", name)
	}
	var out []string
	for _, m := range tokenPattern.FindAllStringSubmatch(string(raw), -1) {
		out = append(out, m[1])
	}
	sort.Strings(out)
	return slices.Compact(out), nil
}

// IAMPolicyNames lists the templates in policies/iam, sorted.
func IAMPolicyNames() []string {
	entries, _ := iamFS.ReadDir("iam")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
