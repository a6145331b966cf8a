package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// organizationSection describes organization mode's guardrails, read from
// the AWS::Organizations::Policy resources of the assembly. Without any,
// it writes nothing.
func (r *Review) organizationSection(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	type policy struct {
		stack, name, typ string
		targets          []string
		statements       []map[string]any
	}
	var found []policy
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			for _, res := range s.Stack.Template.Resources {
				if res.Type != "AWS::Organizations::Policy" {
					continue
				}
				pol := policy{stack: s.Stack.Name, name: fmt.Sprint(res.Properties["Name"]), typ: fmt.Sprint(res.Properties["Type"])}
				if ts, ok := res.Properties["TargetIds"].([]any); ok {
					for _, t := range ts {
						pol.targets = append(pol.targets, fmt.Sprint(t))
					}
				}
				if c, ok := res.Properties["Content"].(map[string]any); ok {
					if sts, ok := c["Statement"].([]any); ok {
						for _, st := range sts {
							if m, ok := st.(map[string]any); ok {
								pol.statements = append(pol.statements, m)
							}
						}
					}
				}
				found = append(found, pol)
			}
		}
	}
	admins := r.delegatedAdministration()
	if len(found) == 0 && len(admins) == 0 {
		return
	}
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	p("## Organization\n\n")
	if len(admins) > 0 {
		p("### Who administers what\n\n")
		p("The management account designates a delegated administrator per service (custom resources `Custom::*DelegatedAdmin`); ")
		p("that account's stacks then turn the service on for the organization. Read from the templates:\n\n")
		p("| Service | Administrator | Designated by | Administration |\n|---|---|---|---|\n")
		for _, a := range admins {
			p("| %s | %s | %s | %s |\n", a.service, a.account, strings.Join(a.designatedBy, ", "), strings.Join(a.administration, "; "))
		}
		p("\nGuardDuty's auto-enable `ALL` creates the detector of every account of the organization but the management account, which keeps its own; ")
		p("the StackSet members get no detector and, with Inspector delegated, no scans of their own. Inspector's auto-enable covers accounts that join after it: ")
		p("the administrator activates the existing members once (README, organization mode).\n\n")
		if len(found) > 0 {
			p("### Guardrails\n\n")
		}
	}
	if len(found) == 0 {
		return
	}
	p("The management account's stack attaches these organization policies. SCPs do not apply to the management account itself ")
	p("([AWS](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)). ")
	p("The tests prove them with the IAM evaluator (`test/orgguardrails_test.go`): a member account's AdministratorAccess role and root user are denied ")
	p("every changing action on every resource of the StackSet member templates; the StackSet execution role and the break-glass roles get exactly what they get without the SCPs; ")
	p("a session from centralized root access (`sts:AssumeRoot`) keeps its task actions; outside the configured regions only the exempted global services answer. ")
	p("Removing any statement makes the proof fail.\n\n")
	p("| Policy | Type | Attached to | Statement | Denies | Except |\n|---|---|---|---|---|---|\n")
	for _, pol := range found {
		for _, st := range pol.statements {
			what := "actions " + code(short(st["Action"]))
			if na, ok := st["NotAction"]; ok {
				what = "every action but " + code(short(na))
			}
			what += " on " + code(short(st["Resource"]))
			except := ""
			if c, ok := st["Condition"].(map[string]any); ok {
				var parts []string
				for op, kv := range c {
					if m, ok := kv.(map[string]any); ok {
						for k, v := range m {
							parts = append(parts, fmt.Sprintf("%s %s %s", op, k, short(v)))
						}
					}
				}
				sort.Strings(parts)
				except = code(strings.Join(parts, "; "))
			}
			p("| %s (%s) | %s | %s | %s | %s | %s |\n", pol.name, pol.stack, pol.typ, strings.Join(pol.targets, ", "), st["Sid"], what, except)
		}
	}
	p("\nNot built yet in organization mode: the organization trail, Security Hub's delegated administrator and central configuration, and the alarms on `AssumeRoot`; members keep their own trail through the StackSets. The same stack turns on centralized root access (trusted access for IAM, root credentials management, root sessions).\n\n")
}

// short renders a policy value on one line, lists joined by ", " and cut
// after 6 entries.
func short(v any) string {
	switch x := v.(type) {
	case []any:
		var parts []string
		for i, e := range x {
			if i == 6 {
				parts = append(parts, fmt.Sprintf("... (%d in all)", len(x)))
				break
			}
			parts = append(parts, fmt.Sprint(e))
		}
		return strings.Join(parts, ", ")
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// administered is one service's delegated administration in the assembly.
type administered struct {
	service, account string
	designatedBy     []string // "stack (region)"
	administration   []string // "stack: what"
}

// designations are the calls that designate an administrator, by client
// and method: the service's name, the parameter with the account, and the
// principal (empty: the call's ServicePrincipal parameter).
var designations = map[string]struct{ service, account, principal string }{
	"organizations register_delegated_administrator": {"", "AccountId", ""},
	"guardduty enable_organization_admin_account":    {"GuardDuty", "AdminAccountId", ""},
	"inspector2 enable_delegated_admin_account":      {"Inspector", "delegatedAdminAccountId", ""},
}

var principalServices = map[string]string{
	"config.amazonaws.com":          "AWS Config",
	"access-analyzer.amazonaws.com": "IAM Access Analyzer",
}

// administrations are the resources with which an administrator turns a
// service on for the organization: custom resource types, and resource
// types with a property value.
var administrations = []struct{ typ, service, what string }{
	{"Custom::GuardDutyOrganizationConfiguration", "GuardDuty", "auto-enable ALL"},
	{"Custom::InspectorOrganizationConfiguration", "Inspector", "auto-enable for new members"},
	{"AWS::Config::ConfigurationAggregator", "AWS Config", "organization aggregator"},
	{"AWS::AccessAnalyzer::Analyzer", "IAM Access Analyzer", ""},
}

// delegatedAdministration reads the designations and the administration
// from the templates, sorted by service.
func (r *Review) delegatedAdministration() []administered {
	by := map[string]*administered{}
	get := func(service string) *administered {
		if by[service] == nil {
			by[service] = &administered{service: service}
		}
		return by[service]
	}
	for _, a := range r.Accounts {
		for _, st := range a.Stacks {
			s := st.Stack
			for _, lid := range sortedResourceIDs(s.Template.Resources) {
				res := s.Template.Resources[lid]
				create, _ := res.Properties["Create"].(map[string]any)
				if d, ok := designations[fmt.Sprint(create["Client"], " ", create["Method"])]; ok && create != nil {
					var params map[string]any
					if text, ok := create["Parameters"].(string); ok && json.Unmarshal([]byte(text), &params) == nil {
						service := d.service
						if service == "" {
							service = principalServices[fmt.Sprint(params["ServicePrincipal"])]
						}
						if service != "" {
							ad := get(service)
							ad.account = fmt.Sprint(params[d.account])
							ad.designatedBy = appendOnce(ad.designatedBy, fmt.Sprintf("%s (%s)", s.Name, s.Region))
						}
					}
				}
				for _, m := range administrations {
					if res.Type != m.typ {
						continue
					}
					what := m.what
					if m.typ == "AWS::AccessAnalyzer::Analyzer" {
						zone := fmt.Sprint(res.Properties["Type"])
						if !strings.HasPrefix(zone, "ORGANIZATION") {
							continue
						}
						what = map[string]string{"ORGANIZATION": "organization analyzer", "ORGANIZATION_UNUSED_ACCESS": "unused-access analyzer"}[zone]
					}
					ad := get(m.service)
					ad.administration = append(ad.administration, fmt.Sprintf("%s: %s", s.Name, what))
				}
			}
		}
	}
	var out []administered
	for _, k := range sortedKeysOf(by) {
		if by[k].account != "" {
			out = append(out, *by[k])
		}
	}
	return out
}

func appendOnce(l []string, s string) []string {
	for _, e := range l {
		if e == s {
			return l
		}
	}
	return append(l, s)
}

func sortedKeysOf[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedResourceIDs[V any](m map[string]V) []string { return sortedKeysOf(m) }
