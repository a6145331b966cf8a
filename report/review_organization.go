package report

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
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
	if len(found) == 0 {
		return
	}
	sort.Slice(found, func(i, j int) bool { return found[i].name < found[j].name })
	p("## Organization\n\n")
	p("The management account's stack attaches these organization policies. SCPs do not apply to the management account itself ")
	p("([AWS](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html)). ")
	p("The tests prove them with the IAM evaluator (`test/orgguardrails_test.go`): a member account's AdministratorAccess role and root user are denied ")
	p("every changing action on every resource of the StackSet member templates; the StackSet execution role and the break-glass roles get exactly what they get without the SCPs; ")
	p("a session from centralized root access (`sts:AssumeRoot`) keeps its task actions; outside the configured regions only the exempted global services answer. ")
	p("Removing any statement makes the proof fail.\n\n")
	for _, pol := range found {
		if pol.typ == "RESOURCE_CONTROL_POLICY" {
			p("The resource control policy %s keeps the baseline's log buckets and log keys from principals outside the organization and from AWS services acting for accounts outside it; ", pol.name)
			p("RCPs do not apply to the management account either ([AWS](https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html)), and it only takes effect once the RCP policy type is enabled on the root. ")
			p("The evaluator proves it (`test/orgrcp_test.go`) over every S3 and KMS action of the Service Authorization Reference on the log archive's and a member's log buckets, objects and keys: ")
			p("an outsider whose bucket or key policy allows the request is denied, a principal of the organization gets what it gets without the RCP, ")
			p("and CloudTrail, AWS Config, S3 server access logging and CloudWatch Logs are allowed when they act for an account of the organization and denied when they act for one outside it. ")
			p("Its Except column holds the conditions under which a statement denies.\n\n")
		}
	}
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
	r.securityHubAdministration(b)
	p("\nNot built yet in organization mode: the organization trail, the other delegated administrators (GuardDuty, Config aggregator, Access Analyzer, Inspector); members keep their own trail through the StackSets. The same stack turns on centralized root access (trusted access for IAM, root credentials management, root sessions); the management account's alarm CentralizedRootSessions fires on every sts:AssumeRoot.\n\n")
}

// securityHubAdministration writes who administers Security Hub, read
// from the templates: the designation of the delegated administrator, and
// its configuration policies and their targets. Without a designation it
// writes nothing.
func (r *Review) securityHubAdministration(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	var admins, lines []string
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			st := s.Stack
			for _, id := range slices.Sorted(maps.Keys(st.Template.Resources)) {
				res := st.Template.Resources[id]
				switch res.Type {
				case "AWS::SecurityHub::DelegatedAdmin":
					admins = append(admins, fmt.Sprintf("%s designates account %v in %s", st.Name, res.Properties["AdminAccountId"], st.Region))
				case "AWS::SecurityHub::ConfigurationPolicy":
					var standards []string
					if c, ok := res.Properties["ConfigurationPolicy"].(map[string]any); ok {
						if sh, ok := c["SecurityHub"].(map[string]any); ok {
							if l, ok := sh["EnabledStandardIdentifiers"].([]any); ok {
								for _, v := range l {
									text := fmt.Sprint(v)
									if m, ok := v.(map[string]any); ok {
										text = fmt.Sprint(m) // a Fn::Join: its last part names the standard
										if j, ok := m["Fn::Join"].([]any); ok && len(j) == 2 {
											if parts, ok := j[1].([]any); ok && len(parts) > 0 {
												text = fmt.Sprint(parts[len(parts)-1])
											}
										}
									}
									if _, after, ok := strings.Cut(text, "standards/"); ok {
										text = after
									}
									standards = append(standards, text)
								}
							}
						}
					}
					lines = append(lines, fmt.Sprintf("- %s (%s, account %s): configuration policy %v with %s", st.Name, st.Region, st.Account, res.Properties["Name"], strings.Join(standards, ", ")))
				case "AWS::SecurityHub::PolicyAssociation":
					what := "the policy"
					if res.Properties["ConfigurationPolicyId"] == "SELF_MANAGED_SECURITY_HUB" {
						what = "self-managed (its own stacks keep its hub)"
					}
					lines = append(lines, fmt.Sprintf("  - %v %v: %s", res.Properties["TargetType"], res.Properties["TargetId"], what))
				}
			}
		}
	}
	if len(admins) == 0 {
		return
	}
	p("\n### Who administers what: Security Hub\n\n")
	p("Central configuration ([AWS](https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-intro.html)): %s. ", strings.Join(admins, "; "))
	p("The delegated administrator configures every account of the targets below from its home region, in every linked region of its finding aggregator; the member StackSets create no hub. ")
	p("Outside the home region Security Hub disables the controls that check global resources itself ([AWS](https://docs.aws.amazon.com/securityhub/latest/userguide/controls-to-disable.html)).\n\n")
	for _, l := range lines {
		p("%s\n", l)
	}
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
