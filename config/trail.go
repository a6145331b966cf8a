package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
)

// Trail configures the account's CloudTrail, its log bucket and its log
// group. Every key has its default in defaults.yaml.
type Trail struct {
	// Mode is "create" (the baseline's own multi-region trail) or "skip"
	// (the account already has an organization or Control Tower trail; set
	// alarms.logGroupName so that the alarms watch that trail's log group).
	Mode string `yaml:"mode"`
	// ManagementEvents is "all" (read and write) or "writeOnly". writeOnly
	// halves the event volume but fails Security Hub CloudTrail.1.
	ManagementEvents ManagementEvents `yaml:"managementEvents"`
	// DataEvents logs object- and function-level calls, at extra cost.
	DataEvents DataEvents `yaml:"dataEvents"`
	// Insights turns on CloudTrail Insights.
	Insights Insights `yaml:"insights"`
	// LogRetentionDays keeps events in CloudWatch Logs this long; one of the
	// values CloudWatch Logs supports.
	LogRetentionDays int `yaml:"logRetentionDays"`
	// Bucket sets the log bucket's lifecycle and Object Lock.
	Bucket TrailBucket `yaml:"bucket"`
	// BreakGlassRoleArns may delete log objects and change the log bucket's
	// policy and lifecycle; nobody else can (the account root user can
	// always replace a bucket policy).
	BreakGlassRoleArns []string `yaml:"breakGlassRoleArns"`
	// ArchiveKeyArn is the key ARN of the log archive key this account's
	// home stack owns (alias/baseline/cloudtrail), as the stack's output
	// LogArchiveKeyArn shows after its first deploy. Stacks that cannot
	// reference the key directly (the account's other regions, and in
	// central-archive mode the other accounts) then name the key by this ARN
	// instead of by its alias ARN: AWS Config documents a key ARN for its
	// delivery channel, and S3 asks for a key ARN in service and
	// cross-account requests (README "Which key ARN each stack uses").
	// Default: "", the alias ARN.
	ArchiveKeyArn string `yaml:"archiveKeyArn"`
}

// DataEvents selects data events: [] logs none, [all] logs every bucket or
// function, otherwise the listed bucket names or function ARNs.
type DataEvents struct {
	// S3 logs object-level calls (GetObject, PutObject, ...): [all] for
	// every bucket, or bucket names. Default: [] (none).
	S3 []string `yaml:"s3"`
	// Lambda logs Invoke calls: [all] for every function, or function
	// ARNs. Default: [] (none).
	Lambda []string `yaml:"lambda"`
}

// Insights selects the CloudTrail Insights types.
type Insights struct {
	// APICallRate detects unusual volumes of write management API calls,
	// at extra cost. Default: false.
	APICallRate bool `yaml:"apiCallRate"`
	// APIErrorRate detects unusual rates of API calls that fail, at extra
	// cost. Default: false.
	APIErrorRate bool `yaml:"apiErrorRate"`
}

// TrailBucket is the log bucket's retention.
type TrailBucket struct {
	// TransitionDays moves log files to S3 Glacier Instant Retrieval.
	TransitionDays int `yaml:"transitionDays"`
	// ExpirationDays deletes log files after this many days.
	ExpirationDays int `yaml:"expirationDays"`
	// NoncurrentExpirationDays deletes overwritten or deleted versions.
	NoncurrentExpirationDays int `yaml:"noncurrentExpirationDays"`
	// ObjectLock protects log files from deletion for a time.
	ObjectLock ObjectLock `yaml:"objectLock"`
}

// ObjectLock is S3 Object Lock's default retention. Mode "" is off.
type ObjectLock struct {
	// Mode is "" (off), GOVERNANCE or COMPLIANCE; choose before the first
	// deploy. Default: "".
	Mode audittrail.ObjectLockMode `yaml:"mode"`
	// Days is how long each log file stays locked; 1 or more when Mode is
	// set, and no longer than the bucket's expirationDays. Default: 0.
	Days int `yaml:"days"`
}

// LogRetentionValues are the retention periods CloudWatch Logs accepts.
var LogRetentionValues = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

var (
	bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
	lambdaArnPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9_$-]+)?$`)
	iamRoleArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$`)
	kmsKeyArnPattern  = regexp.MustCompile(`^arn:aws[a-z-]*:kms:([a-z0-9-]+):([0-9]{12}):key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	validModes        = []string{ModeCreate, ModeSkip}
)

func (t *Trail) problems() problems {
	var ps problems
	if !slices.Contains(validModes, t.Mode) {
		ps.addf("trail.mode", "%q is not a mode; use create or skip", t.Mode)
	}
	if !slices.Contains(ManagementEventChoices, t.ManagementEvents) {
		ps.addf("trail.managementEvents", "%q is not a choice; use %s (writeOnly fails Security Hub CloudTrail.1)", t.ManagementEvents, orList(ManagementEventChoices))
	}
	dataEvents := func(path string, values []string, valid func(string) bool, what string) {
		for i, v := range values {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case v == "all" && len(values) > 1:
				ps.addf(p, "all already covers everything; list all alone, or only the %s", what)
			case v != "all" && !valid(v):
				ps.addf(p, "%q is not all or a %s", v, what)
			}
		}
	}
	dataEvents("trail.dataEvents.s3", t.DataEvents.S3, bucketNamePattern.MatchString, "bucket name")
	dataEvents("trail.dataEvents.lambda", t.DataEvents.Lambda, lambdaArnPattern.MatchString, "Lambda function ARN")
	if !slices.Contains(LogRetentionValues, t.LogRetentionDays) {
		ps.addf("trail.logRetentionDays", "%d is not a retention CloudWatch Logs supports; use one of %s (365 or more for audit)", t.LogRetentionDays, joinInts(LogRetentionValues))
	}
	b := t.Bucket
	if b.TransitionDays < 1 {
		ps.addf("trail.bucket.transitionDays", "must be 1 or more, got %d", b.TransitionDays)
	}
	if b.ExpirationDays <= b.TransitionDays {
		ps.addf("trail.bucket.expirationDays", "must be more than transitionDays (%d), got %d", b.TransitionDays, b.ExpirationDays)
	}
	if b.NoncurrentExpirationDays < 1 {
		ps.addf("trail.bucket.noncurrentExpirationDays", "must be 1 or more, got %d", b.NoncurrentExpirationDays)
	}
	switch lock := b.ObjectLock; {
	case lock.Mode == "" && lock.Days != 0:
		ps.addf("trail.bucket.objectLock.days", "set objectLock.mode (GOVERNANCE or COMPLIANCE) too, or remove days")
	case lock.Mode != "" && !slices.Contains(ObjectLockModes, lock.Mode):
		ps.addf("trail.bucket.objectLock.mode", "%q is not a mode; use %s", lock.Mode, orList(ObjectLockModes))
	case lock.Mode != "" && lock.Days < 1:
		ps.addf("trail.bucket.objectLock.days", "must be 1 or more when objectLock.mode is set, got %d", lock.Days)
	case lock.Mode != "" && lock.Days > b.ExpirationDays:
		ps.addf("trail.bucket.objectLock.days", "%d is longer than expirationDays (%d): expiry could never delete a locked file", lock.Days, b.ExpirationDays)
	}
	for i, arn := range t.BreakGlassRoleArns {
		if !iamRoleArnPattern.MatchString(arn) {
			ps.addf(fmt.Sprintf("trail.breakGlassRoleArns[%d]", i), "%q is not an IAM role ARN like arn:aws:iam::111111111111:role/BreakGlass", arn)
		}
	}
	return ps
}

func joinInts(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}

// archiveKeyArnProblems checks trail.archiveKeyArn. It names one account's
// key, so it belongs in the entry of the account that owns the log archive
// (the logArchive account, or without one each account itself), and must
// be that account's key in its home region. isSet tells whether a path was
// written in the file. Paths are full.
func archiveKeyArnProblems(cfg *Config, isSet func(path string) bool) problems {
	var ps problems
	top := cfg.Trail.ArchiveKeyArn
	if top != "" {
		ps.addf("trail.archiveKeyArn", "is the key of one account's log archive; set it in the entry of the account that owns the archive, not at the top level")
	}
	archive := slices.IndexFunc(cfg.Accounts, func(a Account) bool { return a.LogArchive })
	for i, acc := range cfg.Accounts {
		path := fmt.Sprintf("accounts[%d].trail.archiveKeyArn", i)
		arn := acc.Trail.ArchiveKeyArn
		if arn == "" || (arn == top && !isSet(path)) {
			continue // unset, or inherited from the top level and reported there
		}
		m := kmsKeyArnPattern.FindStringSubmatch(arn)
		switch {
		case archive >= 0 && archive != i:
			ps.addf(path, "the log archive's key belongs to accounts[%d] (logArchive: true); set archiveKeyArn there, or remove it here", archive)
		case acc.Trail.Mode != ModeCreate && archive != i && !(cfg.Organization.OrganizationTrailOn() && acc.Name == cfg.Organization.LogArchiveAccount):
			// (The organization trail's log archive holds an archive
			// whatever its own trail.)
			ps.addf(path, "this account has no log archive (trail.mode %s); remove archiveKeyArn", acc.Trail.Mode)
		case m == nil || m[1] != acc.HomeRegion || m[2] != acc.ID:
			ps.addf(path, "%q is not a key of this account in its home region; use arn:aws:kms:%s:%s:key/<key id>, as the output LogArchiveKeyArn of stack %s-%s shows after its first deploy", arn, acc.HomeRegion, acc.ID, acc.Name, acc.HomeRegion)
		}
	}
	return ps
}
