package report

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// AlarmRow is one security alarm as it deploys: its metric filter's
// pattern, the alarm's threshold, and who gets the notification.
type AlarmRow struct {
	Name       string   // AlarmName
	Entry      string   // the alarm catalog's entry id ("" for none)
	Controls   []string // the entry's controls
	Pattern    string   // the metric filter's pattern
	Threshold  string   // in words
	Recipients []string // the subscriptions of the alarm's topics
	Path       string
}

// Alarms lists a stack's alarms in alarm catalog order (alarms the catalog
// does not know come last, by name). Filters and alarms are joined by
// metric; catalog entries by metric name.
func Alarms(s *assembly.Stack) []AlarmRow {
	catalogOnce.Do(func() { catalog, catalogErr = policies.Alarms() })
	order := map[string]int{}
	for i, a := range catalog {
		order[a.Namespace+"/"+a.MetricName] = i + 1
	}
	var rows []AlarmRow
	for _, a := range s.All("AWS::CloudWatch::Alarm") {
		ns, metric := a.Str("Namespace"), a.Str("MetricName")
		row := AlarmRow{Name: a.Str("AlarmName"), Path: a.Path(), Threshold: threshold(a)}
		if row.Name == "" {
			row.Name = a.Path()
		}
		for _, f := range s.All("AWS::Logs::MetricFilter") {
			if fns, fm := metricOf(f); fns == ns && fm == metric {
				row.Pattern = f.Str("FilterPattern")
			}
		}
		if i := order[ns+"/"+metric]; i > 0 {
			e := catalog[i-1]
			row.Entry, row.Controls = e.ID, e.Controls
		}
		for _, action := range a.List("AlarmActions") {
			row.Recipients = append(row.Recipients, recipients(s, action)...)
		}
		rows = append(rows, row)
	}
	sort.SliceStable(rows, func(i, j int) bool {
		oi, oj := order[rowKey(s, rows[i])], order[rowKey(s, rows[j])]
		if (oi == 0) != (oj == 0) {
			return oi != 0
		}
		if oi != oj {
			return oi < oj
		}
		return rows[i].Name < rows[j].Name
	})
	return rows
}

func rowKey(s *assembly.Stack, r AlarmRow) string {
	for _, a := range s.All("AWS::CloudWatch::Alarm") {
		if a.Path() == r.Path {
			return a.Str("Namespace") + "/" + a.Str("MetricName")
		}
	}
	return ""
}

var comparisons = map[string]string{
	"GreaterThanOrEqualToThreshold": ">=",
	"GreaterThanThreshold":          ">",
	"LessThanThreshold":             "<",
	"LessThanOrEqualToThreshold":    "<=",
}

func threshold(a assembly.Res) string {
	op := comparisons[a.Str("ComparisonOperator")]
	if op == "" {
		op = a.Str("ComparisonOperator")
	}
	t, _ := a.Num("Threshold")
	period, _ := a.Num("Period")
	periods, _ := a.Num("EvaluationPeriods")
	out := fmt.Sprintf("%s %v of %s in %v s", op, t, a.Str("Statistic"), period)
	if periods > 1 {
		out += fmt.Sprintf(", %v periods", periods)
	}
	if m := a.Str("TreatMissingData"); m != "" {
		out += "; missing data " + m
	}
	return out
}

// recipients are the endpoints subscribed to the topic an alarm action or
// rule target names. A topic of another stack shows as its ARN.
func recipients(s *assembly.Stack, action any) []string {
	id := assembly.RefTarget(action)
	if id == "" {
		return []string{assembly.Render(action)}
	}
	topic, ok := s.ByID(id)
	if !ok || topic.Type != "AWS::SNS::Topic" {
		return []string{assembly.Render(action)}
	}
	subs := subscriptions(s, id)
	if len(subs) == 0 {
		return []string{topic.Str("TopicName") + " (no subscriber)"}
	}
	var out []string
	for _, sub := range subs {
		out = append(out, sub.Str("Protocol")+" "+assembly.Render(sub.Prop("Endpoint")))
	}
	return out
}

// RouteRow is one EventBridge rule that sends findings to people.
type RouteRow struct {
	Name, Description string
	Targets           []string
}

// Routes lists a stack's EventBridge rules and where they send events.
func Routes(s *assembly.Stack) []RouteRow {
	var out []RouteRow
	for _, r := range s.All("AWS::Events::Rule") {
		row := RouteRow{Name: r.Str("Name"), Description: r.Str("Description")}
		if row.Name == "" {
			row.Name = r.Path()
		}
		for _, tgt := range r.List("Targets") {
			arn := assembly.Dig(tgt, "Arn")
			if assembly.RefTarget(arn) != "" {
				row.Targets = append(row.Targets, recipients(s, arn)...)
			} else {
				row.Targets = append(row.Targets, describeArn(assembly.Render(arn)))
			}
		}
		out = append(out, row)
	}
	return out
}

// describeArn says in words what an event bus ARN is.
func describeArn(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 && parts[2] == "events" && strings.HasPrefix(parts[5], "event-bus/") {
		return fmt.Sprintf("the %s event bus of %s in %s", strings.TrimPrefix(parts[5], "event-bus/"), parts[4], parts[3])
	}
	return arn
}

// RoleRow is one IAM role: who may assume it, on which conditions, and
// what it may do.
type RoleRow struct {
	Name        string
	Path        string
	Trusted     string // the principals, in words
	Conditions  string // the trust conditions, in words
	MaxSession  string
	Permissions string
}

// Roles lists a stack's IAM roles by construct path.
func Roles(s *assembly.Stack) []RoleRow {
	var out []RoleRow
	for _, r := range s.All("AWS::IAM::Role") {
		row := RoleRow{Name: assembly.Render(r.Prop("RoleName")), Path: r.Path()}
		if row.Name == "" {
			row.Name = "(generated name)"
		}
		var who, when []string
		for _, st := range r.List("AssumeRolePolicyDocument", "Statement") {
			if assembly.Dig(st, "Effect") != "Allow" {
				continue
			}
			who = append(who, principals(assembly.Dig(st, "Principal"))...)
			if c, ok := assembly.Dig(st, "Condition").(map[string]any); ok {
				when = append(when, conditions(c)...)
			}
		}
		row.Trusted = strings.Join(dedupe(who), "; ")
		row.Conditions = strings.Join(dedupe(when), "; ")
		if row.Conditions == "" {
			row.Conditions = "none"
		}
		if d, ok := r.Num("MaxSessionDuration"); ok {
			row.MaxSession = fmt.Sprintf("%v s", d)
		} else {
			row.MaxSession = "3600 s (default)"
		}
		var perms []string
		for _, p := range r.List("ManagedPolicyArns") {
			perms = append(perms, inWords(shortArn(assembly.Render(p)), ""))
		}
		for _, p := range r.List("Policies") {
			perms = append(perms, inWords(assembly.Render(assembly.Dig(p, "PolicyName")), "inline"))
		}
		for _, p := range s.All("AWS::IAM::ManagedPolicy", "AWS::IAM::Policy") {
			for _, role := range p.List("Roles") {
				if assembly.RefTarget(role) == r.ID {
					perms = append(perms, p.Path())
				}
			}
		}
		row.Permissions = strings.Join(perms, ", ")
		out = append(out, row)
	}
	return out
}

// policyWords say in plain words what the access model's policies do, as
// AWS describes its managed policies
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/<name>.html)
// and as policies/iam/README.md describes the baseline's denies. Other
// policies are shown by name only.
var policyWords = map[string]string{
	"AdministratorAccess":         "everything",
	"PowerUserAccess":             "everything except IAM, Organizations and account management",
	"ReadOnlyAccess":              "reads every service, stored data included",
	"job-function/ViewOnlyAccess": "lists resources and their basic settings in every service, no stored data",
	"SecurityAudit":               "reads security configuration: policies, findings, trail and logging settings",
	"BaselineOperatorDeny":        "denies changing or stopping the baseline and acting through the CDK bootstrap roles",
	"BaselineReadOnlyDeny":        "denies reading stored data, secrets, credentials, log events, messages, query results and code",
}

// inWords is a policy's name with what it does, e.g.
// "SecurityAudit (reads security configuration: ...)".
func inWords(name, kind string) string {
	words := policyWords[name]
	switch {
	case kind != "" && words != "":
		return name + " (" + kind + ": " + words + ")"
	case kind != "":
		return name + " (" + kind + ")"
	case words != "":
		return name + " (" + words + ")"
	}
	return name
}

func principals(p any) []string {
	if p == "*" {
		return []string{"anyone"}
	}
	m, _ := p.(map[string]any)
	var out []string
	for _, a := range assembly.Strings(m["AWS"]) {
		switch {
		case a == "*":
			out = append(out, "any AWS principal")
		case strings.HasSuffix(a, ":root"):
			out = append(out, "account "+accountOf(a))
		default:
			out = append(out, a)
		}
	}
	for _, svc := range assembly.Strings(m["Service"]) {
		out = append(out, "the service "+svc)
	}
	for _, f := range assembly.Strings(m["Federated"]) {
		out = append(out, "the identity provider "+f)
	}
	return out
}

// accountOf is the account id of an IAM ARN (arn:aws:iam::ID:...).
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return arn
}

// conditions renders trust policy conditions in words. Known keys get a
// sentence; anything else is written out as key, operator and values.
func conditions(c map[string]any) []string {
	get := func(op, key string) []string { return assembly.Strings(assembly.Dig(c, op, key)) }
	var out []string
	done := map[string]bool{}
	use := func(op, key string) { done[op+" "+key] = true }

	if v := get("Bool", "aws:MultiFactorAuthPresent"); len(v) == 1 && v[0] == "true" {
		use("Bool", "aws:MultiFactorAuthPresent")
		s := "MFA required"
		for _, op := range []string{"NumericLessThan", "NumericLessThanEquals"} {
			if age := get(op, "aws:MultiFactorAuthAge"); len(age) == 1 {
				use(op, "aws:MultiFactorAuthAge")
				s += ", at most " + age[0] + " s old"
			}
		}
		out = append(out, s)
	}
	if ips := get("IpAddress", "aws:SourceIp"); len(ips) > 0 {
		use("IpAddress", "aws:SourceIp")
		out = append(out, "source IP in "+strings.Join(ips, ", "))
	}
	if ips := get("NotIpAddress", "aws:SourceIp"); len(ips) > 0 {
		use("NotIpAddress", "aws:SourceIp")
		out = append(out, "source IP not in "+strings.Join(ips, ", "))
	}
	userType := false
	if t := get("StringEquals", "aws:PrincipalType"); len(t) == 1 && t[0] == "User" {
		userType = true
	}
	for _, op := range []string{"ArnLike", "ArnEquals", "StringLike", "StringEquals"} {
		arns := get(op, "aws:PrincipalArn")
		if len(arns) == 0 {
			continue
		}
		use(op, "aws:PrincipalArn")
		var who []string
		for _, a := range arns {
			acct, resource := accountOf(a), ""
			if parts := strings.SplitN(a, ":", 6); len(parts) == 6 {
				resource = parts[5]
			}
			switch {
			case strings.HasSuffix(a, ":user/*"):
				who = append(who, "an IAM user of "+acct)
			case strings.Contains(a, ":user/"):
				who = append(who, "the IAM user "+strings.TrimPrefix(resource, "user/")+" of "+acct)
			case strings.Contains(a, ":role/"):
				who = append(who, "the role "+strings.TrimPrefix(resource, "role/")+" of "+acct)
			default:
				who = append(who, a)
			}
		}
		if userType {
			use("StringEquals", "aws:PrincipalType")
		}
		out = append(out, "caller must be "+strings.Join(who, " or "))
	}
	if userType && !done["StringEquals aws:PrincipalType"] {
		use("StringEquals", "aws:PrincipalType")
		out = append(out, "caller must be an IAM user")
	}
	for _, op := range []string{"StringEquals", "ArnEquals", "ArnLike", "StringLike"} {
		if v := get(op, "aws:SourceArn"); len(v) > 0 {
			use(op, "aws:SourceArn")
			out = append(out, "only on behalf of "+strings.Join(v, ", "))
		}
		if v := get(op, "aws:SourceAccount"); len(v) > 0 {
			use(op, "aws:SourceAccount")
			out = append(out, "only on behalf of account "+strings.Join(v, ", "))
		}
		if v := get(op, "aws:PrincipalOrgID"); len(v) > 0 {
			use(op, "aws:PrincipalOrgID")
			out = append(out, "caller in organization "+strings.Join(v, ", "))
		}
		if v := get(op, "sts:ExternalId"); len(v) > 0 {
			use(op, "sts:ExternalId")
			out = append(out, "external ID required")
		}
	}
	// Everything else, verbatim, in a stable order.
	ops := make([]string, 0, len(c))
	for op := range c {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		keys, _ := c[op].(map[string]any)
		names := make([]string, 0, len(keys))
		for k := range keys {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if !done[op+" "+k] {
				out = append(out, fmt.Sprintf("%s %s %s", k, op, strings.Join(assembly.Strings(keys[k]), ", ")))
			}
		}
	}
	return out
}

func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// shortArn shortens the ARNs of AWS managed policies to their names.
func shortArn(s string) string {
	if _, name, ok := strings.Cut(s, ":iam::aws:policy/"); ok {
		return name
	}
	return s
}
