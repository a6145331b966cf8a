package report

import (
	"bytes"
	"encoding/json"
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
		p("the administrator activates the existing members once (README, organization mode).")
		unused := func(a administered) bool {
			return slices.ContainsFunc(a.administration, func(s string) bool { return strings.HasSuffix(s, "unused-access analyzer") })
		}
		if slices.ContainsFunc(admins, unused) {
			a := r.Assumptions
			n, price := a.u("iamPrincipalsPerAccount"), a.p("accessAnalyzerUnusedAccessPerPrincipalMonth")
			p(" The unused-access analyzer is charged per IAM role and user it analyzes, in every account of the organization: %s roles and users a member (`report/pricing.yaml`, an assumption) x %s = %s a member a month, billed to the audit account ([pricing](https://aws.amazon.com/iam/access-analyzer/pricing/)).", num(n), usd(price), money(n*price))
		}
		p("\n\n")
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
	p("\nThe same stack turns on centralized root access (trusted access for IAM, root credentials management, root sessions); the management account's alarm CentralizedRootSessions fires on every sts:AssumeRoot.\n\n")
	r.organizationTrailSection(b)
	r.securityHubAdministration(b)
}

// organizationTrailSection describes the organization trail, read from the
// assembly (the trail with IsOrganizationTrail and the alarms beside it),
// and what it costs a member account a month against per-account trails,
// with the cost model's prices and usage (pricing.yaml). Without an
// organization trail it says that members keep their own trail.
func (r *Review) organizationTrailSection(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	var stack, trail, bucket, key string
	alarms := 0
	for _, a := range r.Accounts {
		for _, s := range a.Stacks {
			found := false
			for _, res := range s.Stack.Template.Resources {
				if res.Type == "AWS::CloudTrail::Trail" && res.Properties["IsOrganizationTrail"] == true {
					found = true
					stack, trail = s.Stack.Name, fmt.Sprint(res.Properties["TrailName"])
					bucket, key = fmt.Sprint(res.Properties["S3BucketName"]), fmt.Sprint(res.Properties["KMSKeyId"])
				}
			}
			if found {
				for _, res := range s.Stack.Template.Resources {
					if res.Type == "AWS::CloudWatch::Alarm" {
						alarms++
					}
				}
			}
		}
	}
	p("### Organization trail\n\n")
	if trail == "" {
		p("No organization trail (`organization.organizationTrail: false`, e.g. under Control Tower): every member keeps its own trail through the StackSets.\n\n")
		return
	}
	p("%s in %s logs every account of the organization into bucket %s with key %s, and to a log group of the management account whose %d alarms name the account of each event (a metric dimension from `recipientAccountId`, one Metrics Insights contributor per account). ",
		code(trail), code(stack), code(bucket), code(key), alarms)
	p("Unless `organization.memberTrails` is true, StackSet members have no trail of their own; Security Hub CloudWatch.1-14 then fail in the members, whose accounts hold no metric filter.\n\n")
	a := r.Assumptions
	events, size := a.u("managementEventsPerMonth"), a.u("eventSizeKB")
	gb := events * size / kbPerGB
	ingest := gb * a.p("logsIngestionPerGB")
	n := float64(alarms)
	orgAlarms := n * a.p("metricsInsightsAlarmPerMetric")
	ownAlarms := n * a.p("alarmPerMonth")
	metrics := n * a.p("customMetricPerMonth")
	second := events / 1e5 * a.p("cloudTrailManagementAdditionalCopyPer100k")
	p("Cost of one member account a month, with the cost model's assumptions (%s management events, %s KB each; prices of %s, `report/pricing.yaml`, not a quote). ", count(events), num(size), a.AsOf)
	p("The first copy of management events in each region is free and every further copy costs %s per 100,000 ([CloudTrail pricing](https://aws.amazon.com/cloudtrail/pricing/)); S3 storage of the log files is the same in every design and left out.\n\n", usd(a.p("cloudTrailManagementAdditionalCopyPer100k")))
	p("| Design | CloudTrail | CloudWatch Logs ingestion | Alarms | Custom metrics | Total |\n|---|---|---|---|---|---|\n")
	row := func(name string, ct, logs, al, m float64) {
		p("| %s | %s | %s | %s | %s | %s |\n", name, money(ct), money(logs), money(al), money(m), money(ct+logs+al+m))
	}
	row("Organization trail only (default)", 0, ingest, orgAlarms, metrics)
	row("Per-account trails only (`organizationTrail: false`)", 0, ingest, ownAlarms, metrics)
	row("Both (`memberTrails: true`)", second, 2*ingest, orgAlarms+ownAlarms, 2*metrics)
	p("\nIngestion: %s events x %s KB = %s GB x %s, in the management account for the organization trail, in the member for its own. ", count(events), num(size), num(round(gb, 2)), usd(a.p("logsIngestionPerGB")))
	p("Alarms: %d per account, as Metrics Insights alarms at %s per account's time series, or as standard alarms at %s; custom metrics: %d per account at %s (an upper bound: a dimensioned metric exists only for accounts with a matching event). ",
		alarms, usd(a.p("metricsInsightsAlarmPerMetric")), usd(a.p("alarmPerMonth")), alarms, usd(a.p("customMetricPerMonth")))
	p("Both trails add the second copy: %s events / 100,000 x %s = %s a member a month.\n\n", count(events), usd(a.p("cloudTrailManagementAdditionalCopyPer100k")), money(second))
}

// securityHubAdministration writes who administers Security Hub, read
// from the templates: the designation of the delegated administrator, and
// its configuration policies and their targets. Without a designation it
// writes nothing.
func (r *Review) securityHubAdministration(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	var admins, lines, associations []string
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
					associations = append(associations, fmt.Sprintf("  - %v %v: %s", res.Properties["TargetType"], res.Properties["TargetId"], what))
				}
			}
		}
	}
	if len(admins) == 0 {
		return
	}
	p("\n### Who administers what: Security Hub\n\n")
	p("Central configuration ([AWS](https://docs.aws.amazon.com/securityhub/latest/userguide/central-configuration-intro.html)): %s. ", strings.Join(admins, "; "))
	p("The delegated administrator configures every account of the targets below from its home region, in every linked region of its finding aggregator; neither the member StackSets nor the audit account's own stacks create a hub (the designation turns Security Hub on in the audit account). ")
	p("Outside the home region Security Hub disables the controls that check global resources itself ([AWS](https://docs.aws.amazon.com/securityhub/latest/userguide/controls-to-disable.html)).\n\n")
	// The policy first, then its associations (one policy: central
	// configuration's policies are all in the administrator's home stack).
	for _, l := range append(lines, associations...) {
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
			for _, lid := range slices.Sorted(maps.Keys(s.Template.Resources)) {
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
	for _, k := range slices.Sorted(maps.Keys(by)) {
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
