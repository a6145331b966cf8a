package report

import (
	"fmt"
	"strings"
	"sync"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// CloudWatch.1-14: a metric filter with the exact CIS pattern on the
// trail's log group, an alarm on its metric, a topic with a subscriber.
//
// This file is the CloudWatch pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var cloudWatchRules = []Control{
	{"CloudWatch.1", `A log metric filter and alarm should exist for usage of the "root" user`, cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.1")},
	{"CloudWatch.2", "Ensure a log metric filter and alarm exist for unauthorized API calls", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.2")},
	{"CloudWatch.3", "Ensure a log metric filter and alarm exist for Management Console sign-in without MFA", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.3")},
	{"CloudWatch.4", "Ensure a log metric filter and alarm exist for IAM policy changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.4")},
	{"CloudWatch.5", "Ensure a log metric filter and alarm exist for CloudTrail configuration changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.5")},
	{"CloudWatch.6", "Ensure a log metric filter and alarm exist for AWS Management Console authentication failures", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.6")},
	{"CloudWatch.7", "Ensure a log metric filter and alarm exist for disabling or scheduled deletion of customer managed keys", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.7")},
	{"CloudWatch.8", "Ensure a log metric filter and alarm exist for S3 bucket policy changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.8")},
	{"CloudWatch.9", "Ensure a log metric filter and alarm exist for AWS Config configuration changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.9")},
	{"CloudWatch.10", "Ensure a log metric filter and alarm exist for security group changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.10")},
	{"CloudWatch.11", "Ensure a log metric filter and alarm exist for changes to Network Access Control Lists (NACL)", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.11")},
	{"CloudWatch.12", "Ensure a log metric filter and alarm exist for changes to network gateways", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.12")},
	{"CloudWatch.13", "Ensure a log metric filter and alarm exist for route table changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.13")},
	{"CloudWatch.14", "Ensure a log metric filter and alarm exist for VPC changes", cisAlarmChecks, AccountScope, cisAlarm("CloudWatch.14")},
	{"CloudWatch.15", "CloudWatch alarms should have specified actions configured",
		"every metric alarm has an action for the ALARM state", AccountScope, everyAlarm("AlarmActions", "has no alarm action")},
	{"CloudWatch.16", "CloudWatch log groups should be retained for a specified time period",
		"every log group keeps its events at least 365 days", RegionScope, logRetention},
	{"CloudWatch.17", "CloudWatch alarm actions should be activated",
		"no metric alarm has ActionsEnabled false", AccountScope, everyAlarm("ActionsEnabled", "has its actions turned off")},
}

const cisAlarmChecks = "a metric filter with the exact CIS pattern on a multi-Region trail's log group, an alarm on its metric, a topic with a subscriber"

var (
	catalogOnce sync.Once
	catalog     []policies.Alarm
	catalogErr  error
)

// securityHubEntry is the alarm catalog's entry holding a CloudWatch.N
// control's exact pattern.
func securityHubEntry(control string) (policies.Alarm, error) {
	catalogOnce.Do(func() { catalog, catalogErr = policies.Alarms() })
	if catalogErr != nil {
		return policies.Alarm{}, catalogErr
	}
	for _, a := range catalog {
		if a.SecurityHub == control {
			return a, nil
		}
	}
	return policies.Alarm{}, fmt.Errorf("no entry of the alarm catalog holds the pattern of %s", control)
}

// noAlarms is the verdict for an account without any security alarm.
func noAlarms(t *Target) Result {
	if _, ok := homeTrail(t); !ok {
		return optOut("trail.mode", "no trail, and alarms.logGroupName names no other log group: the account has no security alarms")
	}
	return optOut("alarms.disable", "the home stack has no security alarms")
}

// metricOf is the metric a filter publishes (namespace, name).
func metricOf(f assembly.Res) (string, string) {
	return f.Str("MetricTransformations", "0", "MetricNamespace"), f.Str("MetricTransformations", "0", "MetricName")
}

// alarmOn is the alarm on a metric.
func alarmOn(s *assembly.Stack, namespace, name string) (assembly.Res, bool) {
	for _, a := range s.All("AWS::CloudWatch::Alarm") {
		if a.Str("Namespace") == namespace && a.Str("MetricName") == name {
			return a, true
		}
	}
	return assembly.Res{}, false
}

// subscriptions lists the subscriptions of a topic of the stack.
func subscriptions(s *assembly.Stack, topicID string) []assembly.Res {
	var out []assembly.Res
	for _, sub := range s.All("AWS::SNS::Subscription") {
		if assembly.RefTarget(sub.Prop("TopicArn")) == topicID {
			out = append(out, sub)
		}
	}
	return out
}

func cisAlarm(control string) func(*Target) Result {
	return func(t *Target) Result {
		entry, err := securityHubEntry(control)
		if err != nil {
			return notCovered(err.Error())
		}
		h := t.Home
		filters := h.All("AWS::Logs::MetricFilter")
		if len(filters) == 0 {
			return noAlarms(t)
		}
		var filter assembly.Res
		found := false
		for _, f := range filters {
			if f.Str("FilterPattern") == entry.Pattern {
				filter, found = f, true
				break
			}
		}
		if !found {
			for _, f := range filters {
				if _, name := metricOf(f); name == entry.MetricName {
					return notCovered("the filter's pattern is not the Security Hub text, which Security Hub compares byte for byte", f)
				}
			}
			return optOut("alarms.disable", entry.ID+" is turned off")
		}
		note := ""
		if id := assembly.RefTarget(filter.Prop("LogGroupName")); id != "" {
			tr, ok := homeTrail(t)
			if !ok || assembly.RefTarget(tr.Prop("CloudWatchLogsLogGroupArn")) != id {
				return notCovered("the filter watches a log group no trail delivers to", filter)
			}
		} else {
			note = fmt.Sprintf("on the existing log group %s (alarms.logGroupName), which a multi-Region trail must deliver to", assembly.Render(filter.Prop("LogGroupName")))
		}
		namespace, metric := metricOf(filter)
		alarm, ok := alarmOn(h, namespace, metric)
		if !ok {
			return notCovered("no alarm on the filter's metric", filter)
		}
		topics := alarm.List("AlarmActions")
		if len(topics) == 0 {
			return notCovered("the alarm has no action", alarm)
		}
		if id := assembly.RefTarget(topics[0]); id != "" && len(subscriptions(h, id)) == 0 {
			return notCovered("the alarm's topic has no subscriber", alarm)
		}
		r := pass(alarm)
		r.Why = note
		return r
	}
}

// everyAlarm checks one property of every alarm of the home stack.
func everyAlarm(prop, failure string) func(*Target) Result {
	return func(t *Target) Result {
		alarms := t.Home.All("AWS::CloudWatch::Alarm")
		if len(alarms) == 0 {
			return noAlarms(t)
		}
		for _, a := range alarms {
			bad := false
			if prop == "AlarmActions" {
				bad = len(a.List(prop)) == 0
			} else if on, set := a.Flag(prop); set && !on {
				bad = true
			}
			if bad {
				return notCovered(a.Path()+" "+failure, a)
			}
		}
		r := pass(alarms[0])
		if len(alarms) > 1 {
			r.Why = fmt.Sprintf("and the other %d alarms", len(alarms)-1)
		}
		return r
	}
}

func logRetention(t *Target) Result {
	groups := t.Stack.All("AWS::Logs::LogGroup")
	if len(groups) == 0 {
		return notCovered("this stack creates no log group")
	}
	trailGroup := ""
	if t.Stack == t.Home {
		if tr, ok := homeTrail(t); ok {
			trailGroup = assembly.RefTarget(tr.Prop("CloudWatchLogsLogGroupArn"))
		}
	}
	var short []string
	key := ""
	for _, g := range groups {
		days, set := g.Num("RetentionInDays")
		if !set || days >= 365 {
			continue
		}
		short = append(short, fmt.Sprintf("%s keeps %v days", g.Path(), days))
		if g.ID == trailGroup {
			key = "trail.logRetentionDays"
		}
	}
	switch {
	case len(short) == 0:
		return pass(groups...)
	case key != "" && len(short) == 1:
		return optOut(key, short[0], groups...)
	}
	return notCovered(strings.Join(short, "; "), groups...)
}
