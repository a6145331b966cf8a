package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// S3: the account's S3 Block Public Access, the log buckets, and the
// trail's S3 data events.
//
// This file is the S3 pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var s3Rules = []Control{
	{"S3.1", "S3 general purpose buckets should have block public access settings enabled",
		"all four account-level Block Public Access settings are on", AccountScope, accountPublicAccessBlock},
	{"S3.2", "S3 general purpose buckets should block public read access", "the bucket permits no public read", AccountScope, logBuckets(publicAccessBlocked)},
	{"S3.3", "S3 general purpose buckets should block public write access", "the bucket permits no public write", AccountScope, logBuckets(publicAccessBlocked)},
	{"S3.5", "S3 general purpose buckets should require requests to use SSL", "the bucket policy denies requests without aws:SecureTransport", AccountScope, logBuckets(tlsOnly)},
	{"S3.6", "S3 general purpose bucket policies should restrict access to other AWS accounts",
		"the bucket policy allows no other account to change its policy, ACL or encryption", AccountScope, logBuckets(noForeignAdmin)},
	{"S3.7", "S3 general purpose buckets should use cross-Region replication", "the bucket replicates to another region", AccountScope,
		constant(notCovered("the baseline keeps one copy of the logs and sets up no replication; replicate the log bucket outside the baseline if you need a second region"))},
	{"S3.8", "S3 general purpose buckets should block public access", "all four bucket-level Block Public Access settings are on", AccountScope, logBuckets(publicAccessBlocked)},
	{"S3.9", "S3 general purpose buckets should have server access logging enabled", "the bucket has server access logging", AccountScope, logBuckets(accessLogged)},
	{"S3.10", "S3 general purpose buckets with versioning enabled should have Lifecycle configurations",
		"a versioned bucket has a lifecycle rule", AccountScope, logBuckets(versionedWithLifecycle)},
	{"S3.11", "S3 general purpose buckets should have event notifications enabled", "the bucket sends event notifications", AccountScope,
		constant(notCovered("the log buckets send no event notifications; the alarms watch the trail's log group instead"))},
	{"S3.12", "ACLs should not be used to manage user access to S3 general purpose buckets", "the bucket grants no access through ACLs", AccountScope, logBuckets(aclsDisabled)},
	{"S3.13", "S3 general purpose buckets should have Lifecycle configurations", "the bucket has a lifecycle rule", AccountScope, logBuckets(hasLifecycle)},
	{"S3.14", "S3 general purpose buckets should have versioning enabled", "versioning is on", AccountScope, logBuckets(versioned)},
	{"S3.15", "S3 general purpose buckets should have Object Lock enabled", "Object Lock is on", AccountScope, logBuckets(objectLocked)},
	{"S3.17", "S3 general purpose buckets should be encrypted at rest with AWS KMS keys", "default encryption is SSE-KMS", AccountScope, logBuckets(kmsEncrypted)},
	{"S3.20", "S3 general purpose buckets should have MFA delete enabled", "versioning has MFA delete", AccountScope,
		constant(notCovered("CloudFormation cannot turn on MFA delete; only the root user can, with the CLI; the bucket policy denies deleting log files instead"))},
	{"S3.22", "S3 general purpose buckets should log object-level write events",
		"a multi-Region trail logs write data events of every bucket", AccountScope, s3DataEvents("WriteOnly")},
	{"S3.23", "S3 general purpose buckets should log object-level read events",
		"a multi-Region trail logs read data events of every bucket", AccountScope, s3DataEvents("ReadOnly")},
}

// bucketCheck decides one bucket: ok, or the config key that turned the
// setting off, and why.
type bucketCheck func(t *Target, b assembly.Res) (ok bool, key, why string)

// theLogBuckets are the buckets that keep the account's logs: those of its
// home stack, or else the bucket its trail or Config delivers to (in the
// log archive account) and that bucket's access-log bucket.
func theLogBuckets(t *Target) ([]assembly.Res, Result, bool) {
	if own := t.Home.All("AWS::S3::Bucket"); len(own) > 0 {
		return own, Result{}, true
	}
	var names []string
	if tr, ok := homeTrail(t); ok && tr.Str("S3BucketName") != "" {
		names = append(names, tr.Str("S3BucketName"))
	}
	for _, ch := range t.Home.All("AWS::Config::DeliveryChannel") {
		if n := ch.Str("S3BucketName"); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, noTrail, false
	}
	var out []assembly.Res
	for _, n := range names {
		b, ok := t.named("AWS::S3::Bucket", "BucketName", n)
		if !ok {
			return nil, notCovered(fmt.Sprintf("the logs go to %s, which no stack of this assembly creates (another account's log archive): review that account", n)), false
		}
		out = append(out, b)
		if target := assembly.RefTarget(b.Prop("LoggingConfiguration", "DestinationBucketName")); target != "" {
			if lb, ok := b.Stack.ByID(target); ok {
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

func combine(t *Target, buckets []assembly.Res, check bucketCheck) Result {
	var passed []assembly.Res
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
		name := tr.Str("S3BucketName")
		b, ok := t.named("AWS::S3::Bucket", "BucketName", name)
		if !ok {
			return notCovered(fmt.Sprintf("the trail writes to %s, which no stack of this assembly creates: Security Hub evaluates it in the account that owns it", assembly.Render(tr.Prop("S3BucketName"))))
		}
		return combine(t, []assembly.Res{b}, check)
	}
}

// isAccessLogTarget tells whether another bucket logs into b.
func isAccessLogTarget(b assembly.Res) bool {
	for _, other := range b.Stack.All("AWS::S3::Bucket") {
		if assembly.RefTarget(other.Prop("LoggingConfiguration", "DestinationBucketName")) == b.ID {
			return true
		}
	}
	return false
}

func publicAccessBlocked(_ *Target, b assembly.Res) (bool, string, string) {
	for _, s := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if on, _ := b.Flag("PublicAccessBlockConfiguration", s); !on {
			return false, "", s + " is off"
		}
	}
	return true, "", ""
}

func accessLogged(_ *Target, b assembly.Res) (bool, string, string) {
	if b.Prop("LoggingConfiguration") != nil {
		return true, "", ""
	}
	if isAccessLogTarget(b) {
		return false, "", "it is the target of the access logs and does not log into itself"
	}
	return false, "", "no server access logging"
}

// bucketPolicy returns the statements of the bucket's policy.
func bucketPolicy(b assembly.Res) []map[string]any {
	var out []map[string]any
	for _, p := range b.Stack.All("AWS::S3::BucketPolicy") {
		if assembly.RefTarget(p.Prop("Bucket")) != b.ID && p.Str("Bucket") != b.Str("BucketName") {
			continue
		}
		for _, st := range p.List("PolicyDocument", "Statement") {
			if m, ok := st.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

func tlsOnly(_ *Target, b assembly.Res) (bool, string, string) {
	for _, st := range bucketPolicy(b) {
		if st["Effect"] == "Deny" && assembly.Dig(st, "Condition", "Bool", "aws:SecureTransport") == "false" {
			return true, "", ""
		}
	}
	return false, "", "the bucket policy does not deny requests without TLS"
}

func noForeignAdmin(t *Target, b assembly.Res) (bool, string, string) {
	admin := []string{"s3:*", "s3:DeleteBucketPolicy", "s3:PutBucketAcl", "s3:PutBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutObjectAcl"}
	for _, st := range bucketPolicy(b) {
		if st["Effect"] != "Allow" {
			continue
		}
		for _, p := range assembly.Strings(assembly.Dig(st, "Principal", "AWS")) {
			if strings.Contains(p, ":"+b.Stack.Account+":") {
				continue
			}
			for _, a := range assembly.Strings(st["Action"]) {
				if slices.Contains(admin, a) {
					return false, "", fmt.Sprintf("the bucket policy lets %s call %s", p, a)
				}
			}
		}
	}
	return true, "", ""
}

func versioned(_ *Target, b assembly.Res) (bool, string, string) {
	if b.Str("VersioningConfiguration", "Status") == "Enabled" {
		return true, "", ""
	}
	return false, "", "versioning is off"
}

func hasLifecycle(_ *Target, b assembly.Res) (bool, string, string) {
	for _, r := range b.List("LifecycleConfiguration", "Rules") {
		if assembly.Dig(r, "Status") == "Enabled" {
			return true, "", ""
		}
	}
	return false, "", "no enabled lifecycle rule"
}

func versionedWithLifecycle(t *Target, b assembly.Res) (bool, string, string) {
	if ok, _, _ := versioned(t, b); !ok {
		return true, "", "" // the control checks versioned buckets only
	}
	return hasLifecycle(t, b)
}

func aclsDisabled(_ *Target, b assembly.Res) (bool, string, string) {
	for _, r := range b.List("OwnershipControls", "Rules") {
		if assembly.Dig(r, "ObjectOwnership") == "BucketOwnerEnforced" {
			return true, "", ""
		}
	}
	return false, "", "object ownership is not BucketOwnerEnforced, so ACLs still apply"
}

func objectLocked(_ *Target, b assembly.Res) (bool, string, string) {
	if on, _ := b.Flag("ObjectLockEnabled"); on {
		return true, "", ""
	}
	if isAccessLogTarget(b) {
		return false, "", "the baseline sets no Object Lock on the access-log bucket"
	}
	return false, "trail.bucket.objectLock", "Object Lock is off"
}

func kmsEncrypted(_ *Target, b assembly.Res) (bool, string, string) {
	for _, r := range b.List("BucketEncryption", "ServerSideEncryptionConfiguration") {
		if alg, _ := assembly.Dig(r, "ServerSideEncryptionByDefault", "SSEAlgorithm").(string); strings.HasPrefix(alg, "aws:kms") {
			return true, "", ""
		}
	}
	if isAccessLogTarget(b) {
		return false, "", "SSE-S3, because S3 cannot deliver server access logs to an SSE-KMS bucket"
	}
	return false, "", "default encryption is not SSE-KMS"
}

func accountPublicAccessBlock(t *Target) Result {
	calls := t.Home.SDKCalls("putPublicAccessBlock")
	if len(calls) == 0 {
		return optOut("hardening.mode", "the account's S3 Block Public Access is not set by the baseline")
	}
	c := calls[0]
	for _, s := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if assembly.Dig(c.Call.Parameters, "PublicAccessBlockConfiguration", s) != true {
			return notCovered(s+" is not turned on", c.Res)
		}
	}
	return pass(c.Res)
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
		for _, sel := range tr.List("EventSelectors") {
			rw, _ := assembly.Dig(sel, "ReadWriteType").(string)
			for _, dr := range asList(assembly.Dig(sel, "DataResources")) {
				if assembly.Dig(dr, "Type") != "AWS::S3::Object" {
					continue
				}
				some = true
				all := false
				for _, v := range assembly.Strings(assembly.Dig(dr, "Values")) {
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
