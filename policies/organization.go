package policies

import (
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// The organization guardrails of policies/organization (see its
// README.md): service control policies for the target OUs, and the
// resource control policy for the target OUs and the member accounts the
// CDK deploys.
//
//go:embed organization/*.json
var orgFS embed.FS

// Guardrail policy templates, by file name without .json.
const (
	// GuardrailLogs: no leaving the organization, no root user outside
	// centralized root sessions, and no change to the trail, log buckets,
	// keys, log groups, alarms, topic, finding routes, stacks, functions.
	GuardrailLogs = "scp-baseline-logs"
	// GuardrailServices: no change to Config, GuardDuty, Security Hub,
	// Access Analyzer, account hardening, the baseline's and the exempt
	// roles.
	GuardrailServices = "scp-baseline-services"
	// GuardrailRegions: no request outside the allowed regions, except to
	// global services.
	GuardrailRegions = "scp-regions"
	// GuardrailResourceControl is the resource control policy: the
	// baseline's log buckets and log keys only for principals of the
	// organization and AWS services acting for it.
	GuardrailResourceControl = "rcp-baseline-logs"
)

// GuardrailLists are the placeholders a guardrail template may use as a
// whole JSON string ("${ExemptRoleArns}"): the string becomes a list.
var GuardrailLists = []string{"ExemptRoleArns", "AllowedRegions", "LogBucketArns", "LogKeyAliases"}

// GuardrailTokens are the plain placeholders the guardrail templates may
// use besides IAMTokens: ${OrganizationId}, the organization's o-... id.
var GuardrailTokens = []string{"OrganizationId"}

// SCPMaxChars is the size limit of a service control policy
// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html:
// "Maximum size of a policy document", SCPs 5,120 characters).
const SCPMaxChars = 5120

// RCPMaxChars is the size limit of a resource control policy, the same
// page's "Maximum size of a policy document", RCPs 5,120 characters.
const RCPMaxChars = 5120

// GuardrailNames lists the guardrail templates, sorted.
func GuardrailNames() []string {
	entries, _ := orgFS.ReadDir("organization")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, n)
		}
	}
	return out
}

// GuardrailPolicy returns the named template with every ${Token} of
// IAMTokens or GuardrailTokens replaced by values[Token] (plain text, as IAMPolicy does) and
// every string that is exactly "${List}" of GuardrailLists replaced by the
// list lists[List]. A placeholder without a value, an empty list, or a
// document over SCPMaxChars (minified) is an error.
func GuardrailPolicy(name string, values map[string]string, lists map[string][]string) (map[string]any, error) {
	doc, size, err := fillOrgPolicy(name, values, lists)
	if err != nil {
		return nil, err
	}
	if size > SCPMaxChars {
		return nil, fmt.Errorf("guardrail %s: %d characters, over the SCP limit of %d; list fewer organization.guardrails.breakGlassRoles", name, size, SCPMaxChars)
	}
	return doc, nil
}

// ResourceControlPolicy is GuardrailPolicy for the resource control policy
// (GuardrailResourceControl), with the RCP size limit.
func ResourceControlPolicy(values map[string]string, lists map[string][]string) (map[string]any, error) {
	name := GuardrailResourceControl
	doc, size, err := fillOrgPolicy(name, values, lists)
	if err != nil {
		return nil, err
	}
	if size > RCPMaxChars {
		return nil, fmt.Errorf("guardrail %s: %d characters, over the RCP limit of %d", name, size, RCPMaxChars)
	}
	return doc, nil
}

// fillOrgPolicy fills in a template of policies/organization and returns
// it with its minified size.
func fillOrgPolicy(name string, values map[string]string, lists map[string][]string) (map[string]any, int, error) {
	raw, err := orgFS.ReadFile("organization/" + name + ".json")
	if err != nil {
		return nil, 0, fmt.Errorf("guardrail %q: no such file in policies/organization (have %s)", name, strings.Join(GuardrailNames(), ", "))
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, 0, fmt.Errorf("guardrail %s: %w", name, err)
	}
	var problems []string
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				x[k] = walk(e)
			}
			return x
		case []any:
			for i, e := range x {
				x[i] = walk(e)
			}
			return x
		case string:
			if m := tokenPattern.FindStringSubmatch(x); m != nil && m[0] == x && slices.Contains(GuardrailLists, m[1]) {
				l := lists[m[1]]
				if len(l) == 0 {
					problems = append(problems, "no list for "+x)
					return x
				}
				out := make([]any, len(l))
				for i, s := range l {
					out[i] = s
				}
				return out
			}
			return tokenPattern.ReplaceAllStringFunc(x, func(t string) string {
				token := t[2 : len(t)-1]
				val, ok := values[token]
				known := slices.Contains(IAMTokens, token) || slices.Contains(GuardrailTokens, token)
				if !ok || !known || tokenPattern.MatchString(val) {
					problems = append(problems, "no value for "+t)
					return t
				}
				return val
			})
		}
		return v
	}
	doc = walk(doc)
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, 0, fmt.Errorf("guardrail %s: %s", name, strings.Join(slices.Compact(problems), ", "))
	}
	min, _ := json.Marshal(doc)
	return doc.(map[string]any), len(min), nil
}
