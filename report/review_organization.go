package report

import (
	"bytes"
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
	p("\nThe same stack turns on centralized root access (trusted access for IAM, root credentials management, root sessions).\n\n")
	r.organizationTrailSection(b)
	p("Not built yet in organization mode: the delegated administrators (GuardDuty, Security Hub central configuration, Config aggregator, Access Analyzer) and the alarms on `AssumeRoot`.\n\n")
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
