package report

import (
	"fmt"
	"strings"
	"sync"

	"github.com/secure-baseline/cdk-baseline/policies"
)

// The rule functions of the rule table (review_rules.go). Each reads the
// templates of a Target and nothing else.

// --- the trail ---

// homeTrail is the account's trail: the multi-Region one when there are
// several.
func homeTrail(t *Target) (res, bool) {
	trails := t.Home.all("AWS::CloudTrail::Trail")
	for _, tr := range trails {
		if multi, _ := tr.flag("IsMultiRegionTrail"); multi {
			return tr, true
		}
	}
	if len(trails) > 0 {
		return trails[0], true
	}
	return res{}, false
}

var noTrail = optOut("trail.mode", "the account has no baseline trail (an organization or Control Tower trail may cover it)")

// managementEvents is what a trail logs of management events: All,
// WriteOnly, ReadOnly or None. A trail without event selectors logs all.
func managementEvents(tr res) string {
	selectors := tr.list("EventSelectors")
	if tr.prop("EventSelectors") == nil && tr.prop("AdvancedEventSelectors") == nil {
		return "All"
	}
	best := "None"
	for i := range selectors {
		s := res{Resource: Resource{Properties: map[string]any{"s": selectors[i]}}}
		if include, set := s.flag("s", "IncludeManagementEvents"); set && !include {
			continue
		}
		if excluded := s.list("s", "ExcludeManagementEventSources"); len(excluded) > 0 {
			continue
		}
		rw := s.str("s", "ReadWriteType")
		if rw == "" || rw == "All" {
			return "All"
		}
		best = rw
	}
	return best
}

func trailMultiRegionReadWrite(t *Target) Result {
	tr, ok := homeTrail(t)
	if !ok {
		return noTrail
	}
	if multi, _ := tr.flag("IsMultiRegionTrail"); !multi {
		return notCovered("the trail logs one region only", tr)
	}
	if logging, set := tr.flag("IsLogging"); set && !logging {
		return notCovered("the trail is not logging", tr)
	}
	switch rw := managementEvents(tr); rw {
	case "All":
		return pass(tr)
	case "WriteOnly":
		return optOut("trail.managementEvents", "the trail logs write management events only", tr)
	default:
		return notCovered(fmt.Sprintf("the trail logs management events %s", rw), tr)
	}
}

// trailCheck passes when the trail has a property set (true, or any
// value).
func trailCheck(prop, missing string) func(*Target) Result {
	return func(t *Target) Result {
		tr, ok := homeTrail(t)
		if !ok {
			return noTrail
		}
		v := tr.prop(prop)
		if b, set := tr.flag(prop); (set && !b) || v == nil || v == "" {
			return notCovered(missing, tr)
		}
		return pass(tr)
	}
}

// --- buckets ---

// bucketCheck decides one bucket: ok, or the config key that turned the
// setting off, and why.
type bucketCheck func(t *Target, b res) (ok bool, key, why string)

// theLogBuckets are the buckets that keep the account's logs: those of its
// home stack, or else the bucket its trail or Config delivers to (in the
// log archive account) and that bucket's access-log bucket.
func theLogBuckets(t *Target) ([]res, Result, bool) {
	if own := t.Home.all("AWS::S3::Bucket"); len(own) > 0 {
		return own, Result{}, true
	}
	var names []string
	if tr, ok := homeTrail(t); ok && tr.str("S3BucketName") != "" {
		names = append(names, tr.str("S3BucketName"))
	}
	for _, ch := range t.Home.all("AWS::Config::DeliveryChannel") {
		if n := ch.str("S3BucketName"); n != "" && !contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, noTrail, false
	}
	var out []res
	for _, n := range names {
		b, ok := t.named("AWS::S3::Bucket", "BucketName", n)
		if !ok {
			return nil, notCovered(fmt.Sprintf("the logs go to %s, which no stack of this assembly creates (another account's log archive): review that account", n)), false
		}
		out = append(out, b)
		if target := refTarget(b.prop("LoggingConfiguration", "DestinationBucketName")); target != "" {
			if lb, ok := b.Stack.byID(target); ok {
				out = append(out, lb)
			}
		}
	}
	return out, Result{}, true
}

// logBuckets applies a check to every log bucket. All pass: PASS. Any
// fails: NOT COVERED, or OPT-OUT when every failure names a config key.
func logBuckets(check bucketCheck) func(*Target) Result {
	return func(t *Target) Result {
		buckets, none, ok := theLogBuckets(t)
		if !ok {
			return none
		}
		return combine(t, buckets, check)
	}
}

func combine(t *Target, buckets []res, check bucketCheck) Result {
	var passed []res
	var whys []string
	key, allKeyed := "", true
	for _, b := range buckets {
		ok, k, why := check(t, b)
		if ok {
			passed = append(passed, b)
			continue
		}
		if k == "" {
			allKeyed = false
		} else if key == "" {
			key = k
		}
		if k != "" {
			why += " (" + k + ")"
		}
		whys = append(whys, b.Path()+": "+why)
	}
	if len(whys) == 0 {
		return pass(passed...)
	}
	if len(passed) > 0 {
		var names []string
		for _, b := range passed {
			names = append(names, b.Path())
		}
		whys = append(whys, strings.Join(names, ", ")+" passes")
	}
	if allKeyed {
		return optOut(key, strings.Join(whys, "; "))
	}
	return notCovered(strings.Join(whys, "; "))
}

// trailBucket applies a check to the bucket the trail writes to.
func trailBucket(check bucketCheck) func(*Target) Result {
	return func(t *Target) Result {
		tr, ok := homeTrail(t)
		if !ok {
			return noTrail
		}
		name := tr.str("S3BucketName")
		b, ok := t.named("AWS::S3::Bucket", "BucketName", name)
		if !ok {
			return notCovered(fmt.Sprintf("the trail writes to %s, which no stack of this assembly creates: Security Hub evaluates it in the account that owns it", render(tr.prop("S3BucketName"))))
		}
		return combine(t, []res{b}, check)
	}
}

// isAccessLogTarget tells whether another bucket logs into b.
func isAccessLogTarget(b res) bool {
	for _, other := range b.Stack.all("AWS::S3::Bucket") {
		if refTarget(other.prop("LoggingConfiguration", "DestinationBucketName")) == b.ID {
			return true
		}
	}
	return false
}

func publicAccessBlocked(_ *Target, b res) (bool, string, string) {
	for _, s := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if on, _ := b.flag("PublicAccessBlockConfiguration", s); !on {
			return false, "", s + " is off"
		}
	}
	return true, "", ""
}

func accessLogged(_ *Target, b res) (bool, string, string) {
	if b.prop("LoggingConfiguration") != nil {
		return true, "", ""
	}
	if isAccessLogTarget(b) {
		return false, "", "it is the target of the access logs and does not log into itself"
	}
	return false, "", "no server access logging"
}

// bucketPolicy returns the statements of the bucket's policy.
func bucketPolicy(b res) []map[string]any {
	var out []map[string]any
	for _, p := range b.Stack.all("AWS::S3::BucketPolicy") {
		if refTarget(p.prop("Bucket")) != b.ID && p.str("Bucket") != b.str("BucketName") {
			continue
		}
		for _, st := range p.list("PolicyDocument", "Statement") {
			if m, ok := st.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func tlsOnly(_ *Target, b res) (bool, string, string) {
	for _, st := range bucketPolicy(b) {
		if st["Effect"] == "Deny" && dig(st, "Condition", "Bool", "aws:SecureTransport") == "false" {
			return true, "", ""
		}
	}
	return false, "", "the bucket policy does not deny requests without TLS"
}

func noForeignAdmin(t *Target, b res) (bool, string, string) {
	admin := []string{"s3:*", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl"}
	for _, st := range bucketPolicy(b) {
		if st["Effect"] != "Allow" {
			continue
		}
		for _, p := range strs(dig(st, "Principal", "AWS")) {
			if strings.Contains(p, ":"+b.Stack.Account+":") {
				continue
			}
			for _, a := range strs(st["Action"]) {
				if contains(admin, a) {
					return false, "", fmt.Sprintf("the bucket policy lets %s call %s", p, a)
				}
			}
		}
	}
	return true, "", ""
}

func versioned(_ *Target, b res) (bool, string, string) {
	if b.str("VersioningConfiguration", "Status") == "Enabled" {
		return true, "", ""
	}
	return false, "", "versioning is off"
}

func hasLifecycle(_ *Target, b res) (bool, string, string) {
	for _, r := range b.list("LifecycleConfiguration", "Rules") {
		if dig(r, "Status") == "Enabled" {
			return true, "", ""
		}
	}
	return false, "", "no enabled lifecycle rule"
}

func versionedWithLifecycle(t *Target, b res) (bool, string, string) {
	if ok, _, _ := versioned(t, b); !ok {
		return true, "", "" // the control checks versioned buckets only
	}
	return hasLifecycle(t, b)
}

func aclsDisabled(_ *Target, b res) (bool, string, string) {
	for _, r := range b.list("OwnershipControls", "Rules") {
		if dig(r, "ObjectOwnership") == "BucketOwnerEnforced" {
			return true, "", ""
		}
	}
	return false, "", "object ownership is not BucketOwnerEnforced, so ACLs still apply"
}

func objectLocked(_ *Target, b res) (bool, string, string) {
	if on, _ := b.flag("ObjectLockEnabled"); on {
		return true, "", ""
	}
	if isAccessLogTarget(b) {
		return false, "", "the baseline sets no Object Lock on the access-log bucket"
	}
	return false, "trail.bucket.objectLock", "Object Lock is off"
}

func kmsEncrypted(_ *Target, b res) (bool, string, string) {
	for _, r := range b.list("BucketEncryption", "ServerSideEncryptionConfiguration") {
		if alg, _ := dig(r, "ServerSideEncryptionByDefault", "SSEAlgorithm").(string); strings.HasPrefix(alg, "aws:kms") {
			return true, "", ""
		}
	}
	if isAccessLogTarget(b) {
		return false, "", "SSE-S3, because S3 cannot deliver server access logs to an SSE-KMS bucket"
	}
	return false, "", "default encryption is not SSE-KMS"
}

func accountPublicAccessBlock(t *Target) Result {
	calls := t.Home.sdkCalls("putPublicAccessBlock")
	if len(calls) == 0 {
		return optOut("hardening.mode", "the account's S3 Block Public Access is not set by the baseline")
	}
	c := calls[0]
	for _, s := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if dig(c.Call.Parameters, "PublicAccessBlockConfiguration", s) != true {
			return notCovered(s+" is not turned on", c.res)
		}
	}
	return pass(c.res)
}

// s3DataEvents passes when the trail logs S3 data events of every bucket
// for the given direction (WriteOnly: writes, ReadOnly: reads).
func s3DataEvents(direction string) func(*Target) Result {
	return func(t *Target) Result {
		tr, ok := homeTrail(t)
		if !ok {
			return noTrail
		}
		some := false
		for _, sel := range tr.list("EventSelectors") {
			rw, _ := dig(sel, "ReadWriteType").(string)
			for _, dr := range asList(dig(sel, "DataResources")) {
				if dig(dr, "Type") != "AWS::S3::Object" {
					continue
				}
				some = true
				all := false
				for _, v := range strs(dig(dr, "Values")) {
					if strings.HasSuffix(v, ":s3") || strings.HasSuffix(v, ":s3:::") {
						all = true
					}
				}
				if all && (rw == "" || rw == "All" || rw == direction) {
					return pass(tr)
				}
				if all {
					return optOut("trail.managementEvents", "the trail's selector logs "+rw+" events only, data events included", tr)
				}
			}
		}
		if some {
			return optOut("trail.dataEvents.s3", "the trail logs data events of some buckets, not all", tr)
		}
		return optOut("trail.dataEvents.s3", "the trail logs no S3 data events", tr)
	}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// --- alarms ---

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
func metricOf(f res) (string, string) {
	return f.str("MetricTransformations", "0", "MetricNamespace"), f.str("MetricTransformations", "0", "MetricName")
}

// alarmOn is the alarm on a metric.
func alarmOn(s *Stack, namespace, name string) (res, bool) {
	for _, a := range s.all("AWS::CloudWatch::Alarm") {
		if a.str("Namespace") == namespace && a.str("MetricName") == name {
			return a, true
		}
	}
	return res{}, false
}

// subscriptions lists the subscriptions of a topic of the stack.
func subscriptions(s *Stack, topicID string) []res {
	var out []res
	for _, sub := range s.all("AWS::SNS::Subscription") {
		if refTarget(sub.prop("TopicArn")) == topicID {
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
		filters := h.all("AWS::Logs::MetricFilter")
		if len(filters) == 0 {
			return noAlarms(t)
		}
		var filter res
		found := false
		for _, f := range filters {
			if f.str("FilterPattern") == entry.Pattern {
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
		if id := refTarget(filter.prop("LogGroupName")); id != "" {
			tr, ok := homeTrail(t)
			if !ok || refTarget(tr.prop("CloudWatchLogsLogGroupArn")) != id {
				return notCovered("the filter watches a log group no trail delivers to", filter)
			}
		} else {
			note = fmt.Sprintf("on the existing log group %s (alarms.logGroupName), which a multi-Region trail must deliver to", render(filter.prop("LogGroupName")))
		}
		namespace, metric := metricOf(filter)
		alarm, ok := alarmOn(h, namespace, metric)
		if !ok {
			return notCovered("no alarm on the filter's metric", filter)
		}
		topics := alarm.list("AlarmActions")
		if len(topics) == 0 {
			return notCovered("the alarm has no action", alarm)
		}
		if id := refTarget(topics[0]); id != "" && len(subscriptions(h, id)) == 0 {
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
		alarms := t.Home.all("AWS::CloudWatch::Alarm")
		if len(alarms) == 0 {
			return noAlarms(t)
		}
		for _, a := range alarms {
			bad := false
			if prop == "AlarmActions" {
				bad = len(a.list(prop)) == 0
			} else if on, set := a.flag(prop); set && !on {
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

// --- regional services ---

func logRetention(t *Target) Result {
	groups := t.Stack.all("AWS::Logs::LogGroup")
	if len(groups) == 0 {
		return notCovered("this stack creates no log group")
	}
	trailGroup := ""
	if t.Stack == t.Home {
		if tr, ok := homeTrail(t); ok {
			trailGroup = refTarget(tr.prop("CloudWatchLogsLogGroupArn"))
		}
	}
	var short []string
	key := ""
	for _, g := range groups {
		days, set := g.num("RetentionInDays")
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

func configRecorder(t *Target) Result {
	s := t.Stack
	recorders := s.all("AWS::Config::ConfigurationRecorder")
	if len(recorders) == 0 {
		if len(s.all("AWS::Config::ConfigRule")) > 0 {
			return optOut("awsConfig.mode", "the region's existing recorder is used; its settings are not in this assembly")
		}
		return optOut("awsConfig.mode", "no recorder in this region")
	}
	rec := recorders[0]
	if !strings.HasSuffix(render(rec.prop("RoleARN")), "/AWSServiceRoleForConfig") {
		return notCovered("the recorder does not use the service-linked role AWSServiceRoleForConfig", rec)
	}
	channels := s.all("AWS::Config::DeliveryChannel")
	if len(channels) == 0 {
		return notCovered("no delivery channel", rec)
	}
	all, _ := rec.flag("RecordingGroup", "AllSupported")
	global, _ := rec.flag("RecordingGroup", "IncludeGlobalResourceTypes")
	strategy := rec.str("RecordingGroup", "RecordingStrategy", "UseOnly")
	switch {
	case all && global:
		return pass(rec, channels[0])
	case strategy == "EXCLUSION_BY_RESOURCE_TYPES" || all:
		if standards, ok := globalControlsDisabled(t.Stack); ok {
			r := pass(append([]res{rec, channels[0]}, standards...)...)
			r.Why = fmt.Sprintf("the recorder leaves out the IAM global types here (they are recorded once, in the home region %s), and every enabled standard here disables the controls that check global resources (securityHub.disableGlobalControlsOutsideHome), so no enabled control needs them", t.Home.Region)
			return r
		}
		if linkedRegion(t) {
			r := pass(rec, channels[0])
			r.Why = "a linked region of the home region's finding aggregator, where Security Hub does not ask for the IAM types"
			return r
		}
		return notCovered("the recorder leaves out the IAM global types here (they are recorded once, in the home region) and no finding aggregator links this region: Security Hub fails Config.1 here while IAM controls are on in this region; securityHub.findingAggregator: true makes it a linked region", rec, channels[0])
	}
	return notCovered("the recorder records only some resource types", rec)
}

// subscription is a Security Hub standard of a stack: the part of its ARN
// after "standards/", and the ids of the controls it disables (the last
// part of their control ARNs).
type subscription struct {
	res
	Standard string
	Disabled []string
}

// standardsOf lists a stack's Security Hub standards.
func standardsOf(s *Stack) []subscription {
	var out []subscription
	for _, st := range s.all("AWS::SecurityHub::Standard") {
		_, name, ok := strings.Cut(render(st.prop("StandardsArn")), ":standards/")
		if !ok {
			continue
		}
		var disabled []string
		for _, c := range st.list("DisabledStandardsControls") {
			if _, id, ok := strings.Cut(render(dig(c, "StandardsControlArn")), ":control/"+name+"/"); ok {
				disabled = append(disabled, id)
			}
		}
		out = append(out, subscription{st, name, disabled})
	}
	return out
}

// globalControlsDisabled tells whether the stack has Security Hub
// standards and each disables every control of policies/globalcontrols.yaml
// it holds; it returns those standards.
func globalControlsDisabled(s *Stack) ([]res, bool) {
	g, err := policies.GlobalResourceControls()
	standards := standardsOf(s)
	if err != nil || len(standards) == 0 {
		return nil, false
	}
	var out []res
	for _, st := range standards {
		for _, c := range g.In(st.Standard) {
			if !contains(st.Disabled, c.ID) {
				return nil, false
			}
		}
		out = append(out, st.res)
	}
	return out, true
}

// checkedInHomeRegion qualifies the verdict of a control that checks
// global resources in a region other than the home region, where each
// enabled standard that holds the control disables it: Security Hub checks
// it in the home region only, and the verdict is the home region's (the
// rule decides it on the home stack). Other controls, and regions where
// the control stays enabled, keep the rule's verdict as it is.
func checkedInHomeRegion(control string, rule func(*Target) Result) func(*Target) Result {
	return func(t *Target) Result {
		r := rule(t)
		if t.Stack == t.Home {
			return r
		}
		g, err := policies.GlobalResourceControls()
		if err != nil || !g.IsGlobal(control) {
			return r
		}
		var in []string
		for _, st := range standardsOf(t.Stack) {
			for _, c := range g.In(st.Standard) {
				if c.Control != control {
					continue
				}
				if !contains(st.Disabled, c.ID) {
					return r // enabled here in at least one standard
				}
				in = append(in, st.Standard)
			}
		}
		if len(in) == 0 {
			return r // no enabled standard here holds it
		}
		note := fmt.Sprintf("checked in the home region %s only: disabled here in %s (securityHub.disableGlobalControlsOutsideHome), as a control of global resources", t.Home.Region, strings.Join(in, ", "))
		if r.Why != "" {
			note = r.Why + "; " + note
		}
		r.Why = note
		return r
	}
}

// linkedRegion tells whether the home stack's finding aggregator links the
// target's region.
func linkedRegion(t *Target) bool {
	for _, a := range t.Home.all("AWS::SecurityHub::FindingAggregator") {
		regions := strs(a.prop("Regions"))
		switch a.str("RegionLinkingMode") {
		case "ALL_REGIONS":
			return true
		case "SPECIFIED_REGIONS":
			return contains(regions, t.Stack.Region)
		case "ALL_REGIONS_EXCEPT_SPECIFIED":
			return !contains(regions, t.Stack.Region)
		}
	}
	return false
}

func keyRotation(t *Target) Result {
	keys := t.Stack.all("AWS::KMS::Key")
	if len(keys) == 0 {
		return notCovered("this stack creates no KMS key")
	}
	for _, k := range keys {
		if on, _ := k.flag("EnableKeyRotation"); !on {
			return notCovered(k.Path()+" does not rotate", k)
		}
	}
	return pass(keys...)
}

func topicEncryption(t *Target) Result {
	topics := t.Stack.all("AWS::SNS::Topic")
	if len(topics) == 0 {
		return notCovered("this stack creates no SNS topic")
	}
	for _, tp := range topics {
		if tp.prop("KmsMasterKeyId") == nil {
			return notCovered(tp.Path()+" has no KMS key", tp)
		}
	}
	return pass(topics...)
}

func guardDutyDetector(t *Target) Result {
	ds := t.Stack.all("AWS::GuardDuty::Detector")
	if len(ds) == 0 {
		return optOut("guardDuty.mode", "no detector in this region (an existing one may cover it)")
	}
	if on, _ := ds[0].flag("Enable"); !on {
		return notCovered("the detector is disabled", ds[0])
	}
	return pass(ds[0])
}

// inspectorScan passes where the region's Inspector custom resource enables
// the resource type (the Enable API's name, e.g. LAMBDA_CODE); scan is its
// inspector.scan name.
func inspectorScan(resourceType, scan string) func(*Target) Result {
	return func(t *Target) Result {
		calls := t.Stack.sdkCalls("enable")
		for _, c := range calls {
			if c.Call.Service != "inspector2" {
				continue
			}
			types, _ := c.Call.Parameters["resourceTypes"].([]any)
			for _, typ := range types {
				if typ == resourceType {
					return pass(c.res)
				}
			}
			return optOut("inspector.scan", "Inspector runs here without "+scan, c.res)
		}
		return optOut("inspector.mode", "the baseline does not enable Inspector here (a delegated administrator may)")
	}
}

func ebsDefaultEncryption(t *Target) Result {
	calls := t.Stack.sdkCalls("enableEbsEncryptionByDefault")
	if len(calls) == 0 {
		return optOut("hardening.mode", "the baseline does not turn on EBS encryption by default here")
	}
	return pass(calls[0].res)
}

func accessAnalyzer(t *Target) Result {
	as := t.Stack.all("AWS::AccessAnalyzer::Analyzer")
	for _, a := range as {
		if typ := a.str("Type"); typ == "ACCOUNT" || typ == "ORGANIZATION" {
			return pass(a)
		}
	}
	if len(as) > 0 {
		return notCovered("the analyzer is not an external access analyzer", as[0])
	}
	return optOut("accessAnalyzer.mode", "no analyzer in this region")
}

// --- the password policy ---

type policyCheck func(p map[string]any) (ok bool, key, why string)

func passwordPolicy(check policyCheck) func(*Target) Result {
	return func(t *Target) Result {
		calls := t.Home.sdkCalls("updateAccountPasswordPolicy")
		if len(calls) == 0 {
			return optOut("hardening.mode", "the baseline sets no account password policy")
		}
		c := calls[0]
		ok, key, why := check(c.Call.Parameters)
		switch {
		case ok:
			return pass(c.res)
		case key != "":
			return optOut(key, why, c.res)
		}
		return notCovered(why, c.res)
	}
}

func pnum(p map[string]any, k string) float64 {
	n, _ := number(p[k])
	return n
}

func requires(k string) policyCheck {
	return func(p map[string]any) (bool, string, string) {
		if p[k] == true {
			return true, "", ""
		}
		return false, "", k + " is off"
	}
}

func iam7(p map[string]any) (bool, string, string) {
	for _, k := range []string{"RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireSymbols", "RequireNumbers"} {
		if p[k] != true {
			return false, "", k + " is off"
		}
	}
	if pnum(p, "MinimumPasswordLength") < 8 {
		return false, "", "shorter than 8 characters"
	}
	return true, "", ""
}

func iam10(p map[string]any) (bool, string, string) {
	for _, k := range []string{"RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers"} {
		if p[k] != true {
			return false, "", k + " is off"
		}
	}
	switch {
	case pnum(p, "MinimumPasswordLength") < 7:
		return false, "", "shorter than 7 characters"
	case pnum(p, "PasswordReusePrevention") < 4:
		return false, "", "remembers fewer than 4 passwords"
	}
	return iam17(p)
}

func iam15(p map[string]any) (bool, string, string) {
	if n := pnum(p, "MinimumPasswordLength"); n < 14 {
		return false, "", fmt.Sprintf("minimum length %v", n)
	}
	return true, "", ""
}

func iam16(p map[string]any) (bool, string, string) {
	if n := pnum(p, "PasswordReusePrevention"); n != 24 {
		return false, "", fmt.Sprintf("remembers %v passwords, not 24", n)
	}
	return true, "", ""
}

func iam17(p map[string]any) (bool, string, string) {
	switch n := pnum(p, "MaxPasswordAge"); {
	case n == 0:
		return false, "hardening.passwordPolicy.maxAgeDays", "passwords never expire"
	case n > 90:
		return false, "hardening.passwordPolicy.maxAgeDays", fmt.Sprintf("passwords expire after %v days", n)
	}
	return true, "", ""
}
