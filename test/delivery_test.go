package test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// Every delivery path into the baseline, simulated with the request the AWS
// service really makes. For each service that writes logs, snapshots or
// notifications into the baseline's buckets, keys, log groups, topics and
// event buses, the cases below are built from the synthesized templates
// (which trail writes where, with which key; which alarm and rule publish to
// which topic; ...) and evaluated by @cloud-copilot/iam-simulate through
// test/iamsim/simulate.mjs, with the policies exactly as the templates hold
// them.
//
// What a request carries comes from deliveryPaths alone: each path names the
// condition keys its AWS documentation says the service sends, with the
// link. A case gives a value for exactly those keys, no more and no fewer
// (buildCase fails the test otherwise), so a policy that relies on a key the
// service does not send fails here instead of losing logs in production.
// Every allowed case has negative twins: the same request for a foreign
// account, a foreign trail, rule or bucket, or a wrong encryption context,
// which must be denied.

// foreignAccount is an account that is none of a config's accounts.
const foreignAccount = "999999999999"

// deliveryPath is one documented way an AWS service writes into the
// baseline.
type deliveryPath struct {
	// Service is the principal that makes the request.
	Service string
	// Sends are the condition keys the documentation says the request
	// carries. A case must give each of them, and no other.
	Sends []string
	// Doc is the AWS page that says so.
	Doc string
}

// deliveryPaths are the paths, by id. The ids name the cases.
var deliveryPaths = map[string]deliveryPath{
	// "The value of aws:SourceArn is always the ARN of the trail"; the bucket
	// policy's GetBucketAcl and PutObject statements (with s3:x-amz-acl
	// bucket-owner-full-control) are AWS's own example.
	"cloudtrail-s3-acl": {"cloudtrail.amazonaws.com", []string{"aws:SourceArn"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"},
	"cloudtrail-s3-logs": {"cloudtrail.amazonaws.com", []string{"aws:SourceArn", "s3:x-amz-acl"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"},
	// Digest files go to AWSLogs/<account>/CloudTrail-Digest/<region>/...,
	// written by the trail like its log files.
	"cloudtrail-s3-digest": {"cloudtrail.amazonaws.com", []string{"aws:SourceArn", "s3:x-amz-acl"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-digest-file-structure.html"},
	// GenerateDataKey with the encryption context aws:cloudtrail:arn (the
	// trail ARN) and aws:SourceArn; DescribeKey with aws:SourceArn.
	"cloudtrail-kms-encrypt": {"cloudtrail.amazonaws.com", []string{"aws:SourceArn", "kms:EncryptionContext:aws:cloudtrail:arn"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html"},
	"cloudtrail-kms-describe": {"cloudtrail.amazonaws.com", []string{"aws:SourceArn"},
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html"},
	// "Confused deputy prevention is not applicable to the role policy for
	// CloudWatch Logs monitoring. The role policy doesn't support the use of
	// aws:SourceArn and aws:SourceAccount." CloudTrail assumes the role with
	// no source keys, and creates streams <account>_CloudTrail_<region>.
	"cloudtrail-logs-assume": {"cloudtrail.amazonaws.com", nil,
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html"},
	"cloudtrail-logs-put": {"", nil,
		"https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html"},
	// CloudWatch Logs uses the key with the encryption context
	// aws:logs:arn, the log group's ARN.
	"logs-kms": {"logs.<region>.amazonaws.com", []string{"kms:EncryptionContext:aws:logs:arn"},
		"https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html"},
	// With the service-linked role, Config delivers as config.amazonaws.com,
	// with aws:SourceAccount, and puts objects with bucket-owner-full-control.
	"config-s3-check": {"config.amazonaws.com", []string{"aws:SourceAccount"},
		"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html"},
	"config-s3-put": {"config.amazonaws.com", []string{"aws:SourceAccount", "s3:x-amz-acl"},
		"https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-policy.html"},
	"config-kms": {"config.amazonaws.com", []string{"aws:SourceAccount"},
		"https://docs.aws.amazon.com/config/latest/developerguide/s3-kms-key-policy.html"},
	// CloudWatch alarms publish for the alarm (aws:SourceArn) of the account
	// (aws:SourceAccount); SNS lists cloudwatch.amazonaws.com among the
	// sources whose KMS statement takes both keys.
	"alarm-sns": {"cloudwatch.amazonaws.com", []string{"aws:SourceAccount", "aws:SourceArn"},
		"https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html"},
	"alarm-kms": {"cloudwatch.amazonaws.com", []string{"aws:SourceAccount", "aws:SourceArn"},
		"https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"},
	// "For EventBridge event bus rule targets, the value of aws:SourceArn
	// must be the rule ARN."
	"rule-sns": {"events.amazonaws.com", []string{"aws:SourceAccount", "aws:SourceArn"},
		"https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html"},
	// "Adding the aws:SourceAccount, aws:SourceArn, and aws:SourceOrgID to a
	// AWS KMS policy is not supported for EventBridge-to-encrypted topics":
	// the key sees none of them. The topic policy (rule-sns) is where the
	// account is checked.
	"rule-kms": {"events.amazonaws.com", nil,
		"https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html"},
	// A rule whose target is an event bus uses the target's role; EventBridge
	// assumes it for the rule (aws:SourceArn) of the account
	// (aws:SourceAccount).
	"forward-assume": {"events.amazonaws.com", []string{"aws:SourceAccount", "aws:SourceArn"},
		"https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html"},
	"forward-put": {"", nil,
		"https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-bus-perms.html"},
	// Server access logs: logging.s3.amazonaws.com, with aws:SourceArn the
	// source bucket and aws:SourceAccount its owner.
	"s3-access-logs": {"logging.s3.amazonaws.com", []string{"aws:SourceArn", "aws:SourceAccount"},
		"https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html"},
}

// deliveryCase is one request, what it must come to, and which path it
// takes.
type deliveryCase struct {
	simCase
	path string
	// allowed is what the request must come to: allowed, or denied (either
	// kind).
	allowed bool
	// twinOf is the allowed case this negative twin changes, "" for an
	// allowed case.
	twinOf string
}

// buildCase makes a request of path p with the given context, which must
// hold exactly the keys the path's documentation says the service sends.
func buildCase(t testing.TB, pathID, name, principal, action, resource, resourceAccount string, ctx map[string]any) deliveryCase {
	t.Helper()
	p, ok := deliveryPaths[pathID]
	if !ok {
		t.Fatalf("no delivery path %q", pathID)
	}
	want := map[string]bool{}
	for _, k := range p.Sends {
		want[k] = true
		if _, ok := ctx[k]; !ok {
			t.Fatalf("%s: path %s documents %s, the case gives none", name, pathID, k)
		}
	}
	for k := range ctx {
		if !want[k] {
			t.Fatalf("%s: context key %s is not what path %s documents (%v, %s)", name, k, pathID, p.Sends, p.Doc)
		}
	}
	if principal == "" {
		principal = p.Service
	}
	return deliveryCase{
		simCase: simCase{Name: pathID + ": " + name, Principal: principal, Action: action, Resource: resource,
			ResourceAccount: resourceAccount, IdentityPolicies: []iamPolicy{}, Context: ctx},
		path: pathID, allowed: true,
	}
}

// twin is c changed by change, and must be denied.
func twin(c deliveryCase, label string, change func(*deliveryCase)) deliveryCase {
	d := c
	d.Context = map[string]any{}
	for k, v := range c.Context {
		d.Context[k] = v
	}
	d.IdentityPolicies = append([]iamPolicy{}, c.IdentityPolicies...)
	change(&d)
	d.Name = c.Name + " / twin: " + label
	d.allowed, d.twinOf = false, c.Name
	return d
}

// foreign puts an ARN in the foreign account.
func foreign(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[4] == "" {
		return arn
	}
	parts[4] = foreignAccount
	return strings.Join(parts, ":")
}

// dStack is one stack of a world with its resources' ARNs.
type dStack struct {
	assembly.Stack
	iam *iamStack
}

// arn is the ARN (for Fn::GetAtt Arn, and Ref of topics) or the name (Ref
// of buckets, roles) of a resource of the stack, as CloudFormation gives
// it. Key ids are not known before deployment: a stable stand-in is used.
func (s *dStack) ref(id string, getAtt bool) (string, bool) {
	res, ok := s.Template.Resources[id]
	if !ok {
		return "", false
	}
	p := res.Properties
	name := func(prop string) string {
		n, _ := p[prop].(string)
		return n
	}
	switch res.Type {
	case "AWS::S3::Bucket":
		if getAtt {
			return "arn:aws:s3:::" + name("BucketName"), true
		}
		return name("BucketName"), true
	case "AWS::KMS::Key":
		sum := sha256.Sum256([]byte(s.Name + "/" + id))
		keyID := fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
		if getAtt {
			return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", s.Region, s.Account, keyID), true
		}
		return keyID, true
	case "AWS::SNS::Topic":
		return fmt.Sprintf("arn:aws:sns:%s:%s:%s", s.Region, s.Account, name("TopicName")), true
	case "AWS::Logs::LogGroup":
		if getAtt {
			return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s:*", s.Region, s.Account, name("LogGroupName")), true
		}
		return name("LogGroupName"), true
	case "AWS::IAM::Role":
		n := name("RoleName")
		if n == "" {
			n = id // as readIAM names it
		}
		if getAtt {
			return fmt.Sprintf("arn:aws:iam::%s:role/%s", s.Account, n), true
		}
		return n, true
	}
	return "", false
}

// resolve resolves a template value: Fn::GetAtt Arn and Ref of the
// resources ref knows, then what resolver knows (Fn::Join, pseudo
// parameters). Anything else fails the test.
func (s *dStack) resolve(t testing.TB, v any, where string) any {
	t.Helper()
	var walk func(v any) any
	walk = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 1 {
				if ga, ok := x["Fn::GetAtt"].([]any); ok && len(ga) == 2 && ga[1] == "Arn" {
					if id, _ := ga[0].(string); id != "" {
						if arn, ok := s.ref(id, true); ok {
							return arn
						}
					}
				}
				if id, ok := x["Ref"].(string); ok {
					if r, ok := s.ref(id, false); ok {
						return r
					}
				}
			}
			out := map[string]any{}
			for k, e := range x {
				out[k] = walk(e)
			}
			return out
		case []any:
			out := make([]any, len(x))
			for i, e := range x {
				out[i] = walk(e)
			}
			return out
		}
		return v
	}
	return resolver{t: t, stack: s.Stack}.value(walk(v), where)
}

func (s *dStack) str(t testing.TB, v any, where string) string {
	t.Helper()
	out, ok := s.resolve(t, v, where).(string)
	if !ok || strings.HasPrefix(out, "ref:") {
		t.Fatalf("%s %s: %v does not resolve to a name or ARN", s.Name, where, v)
	}
	return out
}

func (s *dStack) doc(t testing.TB, v any, where string) map[string]any {
	t.Helper()
	d, ok := s.resolve(t, v, where).(map[string]any)
	if !ok {
		t.Fatalf("%s %s: not a policy document", s.Name, where)
	}
	return d
}

// dKey is a KMS key with its policy.
type dKey struct {
	arn, account, region string
	policy               map[string]any
}

// dWorld is a config's templates, indexed by what the delivery cases need.
type dWorld struct {
	label   string
	cfg     *config.Config
	stacks  []*dStack
	buckets map[string]string         // bucket name -> account
	bPolicy map[string]map[string]any // bucket name -> policy
	keys    map[string]*dKey          // key ARN and alias ARN -> key
	topics  map[string]map[string]any // topic ARN -> policy
	topicKy map[string]string         // topic ARN -> key ARN
	roles   map[string]*iamRole       // role ARN -> role
}

func newDWorld(t testing.TB, label string, cfg *config.Config, asm *assembly.Assembly) *dWorld {
	t.Helper()
	w := &dWorld{label: label, cfg: cfg, buckets: map[string]string{}, bPolicy: map[string]map[string]any{},
		keys: map[string]*dKey{}, topics: map[string]map[string]any{}, topicKy: map[string]string{}, roles: map[string]*iamRole{}}
	for _, st := range asm.Stacks {
		if len(resourcesOfType(st, "AWS::CloudFormation::StackSet")) > 0 {
			if cfg.Organization.OrgMode() {
				// The deployer stack delivers nothing itself; its member
				// templates deliver into each member's own bucket, in an
				// account known only at deploy time.
				continue
			}
			t.Fatalf("%s: StackSet templates are not read here", label)
		}
		s := &dStack{Stack: st, iam: readIAM(t, st)}
		w.stacks = append(w.stacks, s)
		for _, r := range s.iam.Roles {
			w.roles[r.Arn] = r
		}
		for _, id := range sortedIDs(st) {
			res := st.Template.Resources[id]
			p := res.Properties
			switch res.Type {
			case "AWS::S3::Bucket":
				w.buckets[s.str(t, p["BucketName"], id)] = st.Account
			case "AWS::S3::BucketPolicy":
				w.bPolicy[s.str(t, p["Bucket"], id)] = s.doc(t, p["PolicyDocument"], id)
			case "AWS::KMS::Key":
				arn, _ := s.ref(id, true)
				w.keys[arn] = &dKey{arn: arn, account: st.Account, region: st.Region, policy: s.doc(t, p["KeyPolicy"], id)}
			case "AWS::SNS::TopicPolicy":
				for _, topic := range s.resolve(t, p["Topics"], id).([]any) {
					w.topics[topic.(string)] = s.doc(t, p["PolicyDocument"], id)
				}
			case "AWS::SNS::Topic":
				arn, _ := s.ref(id, false)
				w.topicKy[arn] = s.str(t, p["KmsMasterKeyId"], id)
			}
		}
	}
	// Aliases last: their keys are known by now.
	for _, s := range w.stacks {
		for _, id := range sortedIDs(s.Stack) {
			res := s.Template.Resources[id]
			if res.Type != "AWS::KMS::Alias" {
				continue
			}
			key := w.keys[s.str(t, res.Properties["TargetKeyId"], id)]
			if key == nil {
				t.Fatalf("%s: alias %s targets no key of the stack", s.Name, id)
			}
			w.keys[fmt.Sprintf("arn:aws:kms:%s:%s:%s", s.Region, s.Account, s.str(t, res.Properties["AliasName"], id))] = key
		}
	}
	return w
}

func sortedIDs(s assembly.Stack) []string {
	ids := make([]string, 0, len(s.Template.Resources))
	for id := range s.Template.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func (w *dWorld) key(t testing.TB, arn, where string) *dKey {
	t.Helper()
	k := w.keys[arn]
	if k == nil {
		t.Fatalf("%s %s: key %s is created by no stack of this config", w.label, where, arn)
	}
	return k
}

func (w *dWorld) bucket(t testing.TB, name, where string) (account string, policy map[string]any) {
	t.Helper()
	account, ok := w.buckets[name]
	if !ok || w.bPolicy[name] == nil {
		t.Fatalf("%s %s: bucket %s (with a policy) is created by no stack of this config", w.label, where, name)
	}
	return account, w.bPolicy[name]
}

// s3Case is a request on an S3 ARN, whose account is the bucket owner's.
func s3Case(c deliveryCase, account string, policy map[string]any) deliveryCase {
	c.ResourceAccount, c.ResourcePolicy = account, policy
	return c
}

// regionsLogged are the regions a multi-region trail writes log files and
// log streams for: every region the config knows.
var regionsLogged = config.Regions

// cases builds every delivery case of the world.
func (w *dWorld) cases(t testing.TB) []deliveryCase {
	var out []deliveryCase
	add := func(cs ...deliveryCase) { out = append(out, cs...) }
	const acl = "bucket-owner-full-control"
	for _, s := range w.stacks {
		label := w.label + "/" + s.Name
		for _, id := range sortedIDs(s.Stack) {
			res := s.Template.Resources[id]
			p := res.Properties
			switch res.Type {
			case "AWS::CloudTrail::Trail":
				trail := fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/%s", s.Region, s.Account, s.str(t, p["TrailName"], id))
				bucketName := s.str(t, p["S3BucketName"], id)
				owner, bp := w.bucket(t, bucketName, id)
				bucketArn := "arn:aws:s3:::" + bucketName
				c := buildCase(t, "cloudtrail-s3-acl", label+" trail checks the bucket ACL", "", "s3:GetBucketAcl", bucketArn, "", map[string]any{"aws:SourceArn": trail})
				c = s3Case(c, owner, bp)
				add(c, twin(c, "foreign trail", func(d *deliveryCase) { d.Context["aws:SourceArn"] = foreign(trail) }))
				for _, region := range regionsLogged {
					for _, f := range []struct{ path, key string }{
						{"cloudtrail-s3-logs", fmt.Sprintf("AWSLogs/%s/CloudTrail/%s/2026/12/01/%s_CloudTrail_%s_20261201T1205Z_a1B2c3D4e5F6g7H8.json.gz", s.Account, region, s.Account, region)},
						{"cloudtrail-s3-digest", fmt.Sprintf("AWSLogs/%s/CloudTrail-Digest/%s/2026/12/01/%s_CloudTrail-Digest_%s_%s_%s_20261201T120000Z.json.gz", s.Account, region, s.Account, region, p["TrailName"], s.Region)},
					} {
						c := buildCase(t, f.path, fmt.Sprintf("%s trail writes %s", label, f.key), "", "s3:PutObject", bucketArn+"/"+f.key, "",
							map[string]any{"aws:SourceArn": trail, "s3:x-amz-acl": acl})
						c = s3Case(c, owner, bp)
						add(c,
							twin(c, "foreign trail", func(d *deliveryCase) { d.Context["aws:SourceArn"] = foreign(trail) }),
							twin(c, "without bucket-owner-full-control", func(d *deliveryCase) { d.Context["s3:x-amz-acl"] = "private" }))
						// Another account's trail may not write into this account's folder.
						for _, other := range w.cfg.Accounts {
							if other.ID != s.Account && strings.Contains(jsonOf(t, bp), "trail/") && strings.Contains(jsonOf(t, bp), ":"+other.ID+":trail/") {
								add(twin(c, "trail of "+other.Name+" into this account's folder", func(d *deliveryCase) {
									d.Context["aws:SourceArn"] = strings.Replace(trail, ":"+s.Account+":", ":"+other.ID+":", 1)
								}))
							}
						}
					}
				}
				if p["IsOrganizationTrail"] == true {
					add(w.organizationTrailCases(t, label, trail, p["TrailName"], bucketArn, owner, bp)...)
				}
				key := w.key(t, s.str(t, p["KMSKeyId"], id), id)
				c = buildCase(t, "cloudtrail-kms-encrypt", label+" trail encrypts a log file", "", "kms:GenerateDataKey", key.arn, "",
					map[string]any{"aws:SourceArn": trail, "kms:EncryptionContext:aws:cloudtrail:arn": trail})
				c.ResourcePolicy = key.policy
				add(c,
					twin(c, "foreign trail", func(d *deliveryCase) {
						d.Context["aws:SourceArn"], d.Context["kms:EncryptionContext:aws:cloudtrail:arn"] = foreign(trail), foreign(trail)
					}),
					twin(c, "wrong encryption context", func(d *deliveryCase) { d.Context["kms:EncryptionContext:aws:cloudtrail:arn"] = foreign(trail) }))
				c = buildCase(t, "cloudtrail-kms-describe", label+" trail describes its key", "", "kms:DescribeKey", key.arn, "", map[string]any{"aws:SourceArn": trail})
				c.ResourcePolicy = key.policy
				add(c, twin(c, "foreign trail", func(d *deliveryCase) { d.Context["aws:SourceArn"] = foreign(trail) }))

				// CloudWatch Logs, through the trail's role.
				roleArn := s.str(t, p["CloudWatchLogsRoleArn"], id)
				role := w.roles[roleArn]
				if role == nil {
					t.Fatalf("%s: the trail's role %s is not in the stack", label, roleArn)
				}
				c = buildCase(t, "cloudtrail-logs-assume", label+" trail assumes its CloudWatch Logs role", "", "sts:AssumeRole", roleArn, "", map[string]any{})
				c.ResourcePolicy = role.Trust
				add(c, twin(c, "another service", func(d *deliveryCase) { d.Principal = "events.amazonaws.com" }))
				groupArn := strings.TrimSuffix(s.str(t, p["CloudWatchLogsLogGroupArn"], id), ":*")
				session := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/CloudTrailSession", s.Account, role.Name)
				streams := []string{"%s:log-stream:" + s.Account + "_CloudTrail_%s"}
				if p["IsOrganizationTrail"] == true {
					// A member account's stream, under the prefix AWS's
					// role policy for organization trails names,
					// <organization id>_*.
					streams = append(streams, "%s:log-stream:"+w.cfg.Organization.ID+"_"+orgMemberAccount+"_CloudTrail_%s")
				}
				for _, region := range regionsLogged {
					for _, format := range streams {
						stream := fmt.Sprintf(format, groupArn, region)
						for _, action := range []string{"logs:CreateLogStream", "logs:PutLogEvents"} {
							c := buildCase(t, "cloudtrail-logs-put", fmt.Sprintf("%s trail role %s on %s", label, action, stream), session, action, stream, "", map[string]any{})
							c.IdentityPolicies = role.Policies
							add(c,
								twin(c, "another log group", func(d *deliveryCase) { d.Resource = strings.Replace(stream, ":log-group:", ":log-group:other", 1) }),
								twin(c, "foreign account's log group", func(d *deliveryCase) { d.Resource = foreign(stream) }))
						}
					}
				}
			case "AWS::Logs::LogGroup":
				if p["KmsKeyId"] == nil {
					continue
				}
				group := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:%s", s.Region, s.Account, s.str(t, p["LogGroupName"], id))
				key := w.key(t, s.str(t, p["KmsKeyId"], id), id)
				for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
					c := buildCase(t, "logs-kms", fmt.Sprintf("%s %s for %s", label, action, group), "logs."+s.Region+".amazonaws.com", action, key.arn, "",
						map[string]any{"kms:EncryptionContext:aws:logs:arn": group})
					c.ResourcePolicy = key.policy
					add(c,
						twin(c, "another log group", func(d *deliveryCase) { d.Context["kms:EncryptionContext:aws:logs:arn"] = group + "-other" }),
						twin(c, "foreign account's log group", func(d *deliveryCase) { d.Context["kms:EncryptionContext:aws:logs:arn"] = foreign(group) }))
				}
			case "AWS::Config::DeliveryChannel":
				bucketName := s.str(t, p["S3BucketName"], id)
				owner, bp := w.bucket(t, bucketName, id)
				bucketArn := "arn:aws:s3:::" + bucketName
				prefix := s.str(t, p["S3KeyPrefix"], id)
				src := map[string]any{"aws:SourceAccount": s.Account}
				for _, action := range []string{"s3:GetBucketAcl", "s3:ListBucket"} {
					c := s3Case(buildCase(t, "config-s3-check", label+" Config "+action, "", action, bucketArn, "", src), owner, bp)
					add(c, twin(c, "foreign account", func(d *deliveryCase) { d.Context["aws:SourceAccount"] = foreignAccount }))
				}
				for _, key := range []string{
					fmt.Sprintf("%s/AWSLogs/%s/Config/ConfigWritabilityCheckFile", prefix, s.Account),
					fmt.Sprintf("%s/AWSLogs/%s/Config/%s/2026/12/1/ConfigSnapshot/%s_Config_%s_ConfigSnapshot_20261201T120000Z_0a1b2c3d.json.gz", prefix, s.Account, s.Region, s.Account, s.Region),
					fmt.Sprintf("%s/AWSLogs/%s/Config/%s/2026/12/1/ConfigHistory/%s_Config_%s_ConfigHistory_AWS::S3::Bucket_20261201T110000Z_20261201T120000Z_1.json.gz", prefix, s.Account, s.Region, s.Account, s.Region),
				} {
					c := s3Case(buildCase(t, "config-s3-put", label+" Config writes "+key, "", "s3:PutObject", bucketArn+"/"+key, "",
						map[string]any{"aws:SourceAccount": s.Account, "s3:x-amz-acl": acl}), owner, bp)
					add(c,
						twin(c, "foreign account", func(d *deliveryCase) { d.Context["aws:SourceAccount"] = foreignAccount }),
						twin(c, "without bucket-owner-full-control", func(d *deliveryCase) { d.Context["s3:x-amz-acl"] = "private" }))
					for _, other := range w.cfg.Accounts {
						if other.ID != s.Account && strings.Contains(jsonOf(t, bp), "/AWSLogs/"+other.ID+"/Config/") {
							add(twin(c, "Config of "+other.Name+" into this account's folder", func(d *deliveryCase) { d.Context["aws:SourceAccount"] = other.ID }))
						}
					}
				}
				key := w.key(t, s.str(t, p["S3KmsKeyArn"], id), id)
				for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
					c := buildCase(t, "config-kms", label+" Config "+action, "", action, key.arn, "", map[string]any{"aws:SourceAccount": s.Account})
					c.ResourcePolicy = key.policy
					add(c, twin(c, "foreign account", func(d *deliveryCase) { d.Context["aws:SourceAccount"] = foreignAccount }))
				}
			case "AWS::CloudWatch::Alarm":
				alarm := fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", s.Region, s.Account, s.str(t, p["AlarmName"], id))
				for _, a := range s.resolve(t, p["AlarmActions"], id).([]any) {
					out = append(out, w.publishCases(t, label, "alarm-sns", "alarm-kms", a.(string), alarm, s.Account)...)
				}
			case "AWS::Events::Rule":
				rule := fmt.Sprintf("arn:aws:events:%s:%s:rule/%s", s.Region, s.Account, s.str(t, p["Name"], id))
				for _, tg := range s.resolve(t, p["Targets"], id).([]any) {
					target := tg.(map[string]any)
					arn := target["Arn"].(string)
					switch {
					case strings.HasPrefix(arn, "arn:aws:sns:"):
						out = append(out, w.publishCases(t, label, "rule-sns", "rule-kms", arn, rule, s.Account)...)
					case strings.HasPrefix(arn, "arn:aws:events:"):
						roleArn, _ := target["RoleArn"].(string)
						role := w.roles[roleArn]
						if role == nil {
							t.Fatalf("%s: rule %s forwards to %s without a role of the stack", label, rule, arn)
						}
						c := buildCase(t, "forward-assume", label+" EventBridge assumes the forwarding role for "+rule, "", "sts:AssumeRole", roleArn, "",
							map[string]any{"aws:SourceAccount": s.Account, "aws:SourceArn": rule})
						c.ResourcePolicy = role.Trust
						add(c, twin(c, "foreign account's rule", func(d *deliveryCase) {
							d.Context["aws:SourceAccount"], d.Context["aws:SourceArn"] = foreignAccount, foreign(rule)
						}))
						session := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/EventBridgeSession", s.Account, role.Name)
						c = buildCase(t, "forward-put", label+" forwarding role of "+rule+" puts events on "+arn, session, "events:PutEvents", arn, "", map[string]any{})
						c.IdentityPolicies = role.Policies
						add(c,
							twin(c, "this region's bus", func(d *deliveryCase) {
								d.Resource = fmt.Sprintf("arn:aws:events:%s:%s:event-bus/default", s.Region, s.Account)
							}),
							twin(c, "foreign account's bus", func(d *deliveryCase) { d.Resource = foreign(arn) }))
					default:
						t.Fatalf("%s: rule %s has a target %s this test does not know", label, rule, arn)
					}
				}
			case "AWS::S3::Bucket":
				lc, ok := p["LoggingConfiguration"].(map[string]any)
				if !ok {
					continue
				}
				source := "arn:aws:s3:::" + s.str(t, p["BucketName"], id)
				dest := s.str(t, lc["DestinationBucketName"], id)
				owner, bp := w.bucket(t, dest, id)
				logKey := s.str(t, lc["LogFilePrefix"], id) + "2026-12-01-12-05-09-0A1B2C3D4E5F6A7B"
				c := s3Case(buildCase(t, "s3-access-logs", fmt.Sprintf("%s access log of %s", label, source), "", "s3:PutObject", "arn:aws:s3:::"+dest+"/"+logKey, "",
					map[string]any{"aws:SourceArn": source, "aws:SourceAccount": s.Account}), owner, bp)
				add(c,
					twin(c, "another bucket of the account", func(d *deliveryCase) { d.Context["aws:SourceArn"] = "arn:aws:s3:::team-data" }),
					twin(c, "foreign account's bucket of the same name", func(d *deliveryCase) { d.Context["aws:SourceAccount"] = foreignAccount }))
			}
		}
	}
	return out
}

// orgMemberAccount is a member account of the organization that no
// accounts entry names: the organization trail logs it all the same.
const orgMemberAccount = "123456789012"

// otherOrganization is an organization that is not the config's.
const otherOrganization = "o-zzzzzzzzzz"

// organizationTrailCases are an organization trail writing a member
// account's log and digest files under AWSLogs/<organization id>/<member>/,
// the folder AWS's bucket policy for an organization trail grants
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html#org-trail-bucket-policy),
// with twins: a trail of another account, a member account's own trail of
// the same name, another organization's trail into its own folder, and a
// write without bucket-owner-full-control.
func (w *dWorld) organizationTrailCases(t testing.TB, label, trail string, trailName any, bucketArn, owner string, bp map[string]any) []deliveryCase {
	t.Helper()
	org := w.cfg.Organization.ID
	if org == "" {
		t.Fatalf("%s: an organization trail in a config without organization.id", label)
	}
	home := strings.Split(trail, ":")[3]
	var out []deliveryCase
	for _, region := range regionsLogged {
		for _, f := range []struct{ path, key string }{
			{"cloudtrail-s3-logs", fmt.Sprintf("AWSLogs/%s/%s/CloudTrail/%s/2026/12/01/%s_CloudTrail_%s_20261201T1205Z_a1B2c3D4e5F6g7H8.json.gz", org, orgMemberAccount, region, orgMemberAccount, region)},
			{"cloudtrail-s3-digest", fmt.Sprintf("AWSLogs/%s/%s/CloudTrail-Digest/%s/2026/12/01/%s_CloudTrail-Digest_%s_%s_%s_20261201T120000Z.json.gz", org, orgMemberAccount, region, orgMemberAccount, region, trailName, home)},
		} {
			c := buildCase(t, f.path, fmt.Sprintf("%s organization trail writes %s", label, f.key), "", "s3:PutObject", bucketArn+"/"+f.key, "",
				map[string]any{"aws:SourceArn": trail, "s3:x-amz-acl": "bucket-owner-full-control"})
			c = s3Case(c, owner, bp)
			out = append(out, c,
				twin(c, "foreign trail", func(d *deliveryCase) { d.Context["aws:SourceArn"] = foreign(trail) }),
				twin(c, "the member's own trail of the same name", func(d *deliveryCase) {
					d.Context["aws:SourceArn"] = strings.Replace(trail, ":"+strings.Split(trail, ":")[4]+":", ":"+orgMemberAccount+":", 1)
				}),
				twin(c, "another organization's trail into its own folder", func(d *deliveryCase) {
					d.Context["aws:SourceArn"] = foreign(trail)
					d.Resource = strings.Replace(d.Resource, "/AWSLogs/"+org+"/", "/AWSLogs/"+otherOrganization+"/", 1)
				}),
				twin(c, "without bucket-owner-full-control", func(d *deliveryCase) { d.Context["s3:x-amz-acl"] = "private" }))
		}
	}
	return out
}

// publishCases are a service publishing to a topic for source (an alarm or
// a rule) of account, and using the topic's key.
func (w *dWorld) publishCases(t testing.TB, label, snsPath, kmsPath, topic, source, account string) []deliveryCase {
	t.Helper()
	policy, ok := w.topics[topic]
	if !ok {
		t.Fatalf("%s: %s publishes to %s, which no stack of this config creates with a policy", label, source, topic)
	}
	ctx := map[string]any{"aws:SourceAccount": account, "aws:SourceArn": source}
	c := buildCase(t, snsPath, fmt.Sprintf("%s %s publishes to %s", label, source, topic), "", "sns:Publish", topic, "", ctx)
	c.ResourcePolicy = policy
	out := []deliveryCase{c, twin(c, "foreign account", func(d *deliveryCase) {
		d.Context["aws:SourceAccount"], d.Context["aws:SourceArn"] = foreignAccount, foreign(source)
	})}
	key := w.key(t, w.topicKy[topic], topic)
	for _, action := range []string{"kms:GenerateDataKey", "kms:Decrypt"} {
		kctx := map[string]any{}
		for _, k := range deliveryPaths[kmsPath].Sends {
			kctx[k] = ctx[k]
		}
		c := buildCase(t, kmsPath, fmt.Sprintf("%s %s uses %s for %s", label, source, action, topic), "", action, key.arn, "", kctx)
		c.ResourcePolicy = key.policy
		out = append(out, c)
		if len(kctx) > 0 {
			out = append(out, twin(c, "foreign account", func(d *deliveryCase) {
				d.Context["aws:SourceAccount"], d.Context["aws:SourceArn"] = foreignAccount, foreign(source)
			}))
		}
	}
	return out
}

// deliveryHubConfig is hub mode with a central log archive: every account's
// trail and every region's Config deliver to Archive's bucket and key; Dev
// lives in another home region and sends findings to regional topics.
const deliveryHubConfig = `homeRegion: eu-west-1
regions: [eu-west-1, us-east-1]
notifications:
  emails: [security@example.com]
access:
  identityAccount: Identity
accounts:
  - name: Identity
    id: "333333333333"
  - name: Archive
    id: "444444444444"
    logArchive: true
  - name: Prod
    id: "111111111111"
    regions: [eu-west-1, us-east-1, ap-northeast-1]
  - name: Dev
    id: "222222222222"
    homeRegion: us-east-1
    regions: [us-east-1, eu-west-1]
    findings: {route: regional}
`

var deliveryHub cached

func deliveryHubAssembly(t testing.TB) *assembly.Assembly {
	return deliveryHub.config(t, deliveryHubConfig, "delivery-hub.yaml")
}

func deliveryWorlds(t testing.TB) []*dWorld {
	hubCfg, err := config.Parse([]byte(deliveryHubConfig), "delivery-hub.yaml")
	if err != nil {
		t.Fatal(err)
	}
	optsCfg, err := config.Parse([]byte(trailOptionsConfig), "trail-options.yaml")
	if err != nil {
		t.Fatal(err)
	}
	orgCfg, err := config.Parse([]byte(deliveryOrgConfig), "delivery-org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return []*dWorld{
		newDWorld(t, "example", config.Example(), exampleAssembly(t)),
		newDWorld(t, "central-hub", hubCfg, deliveryHubAssembly(t)),
		newDWorld(t, "trail-options", optsCfg, trailOptionsAssembly(t)),
		newDWorld(t, "organization-mode", orgCfg, deliveryOrgAssembly(t)),
	}
}

// deliveryFailure is a case whose decision is not the one it must come to.
type deliveryFailure struct {
	name, decision, want string
}

// evaluateDelivery runs the cases through simulate.mjs and returns the
// cases that do not come to what they must, and the decisions by path.
func evaluateDelivery(t testing.TB, cases []deliveryCase) ([]deliveryFailure, map[string]map[string]int) {
	t.Helper()
	node, dir := nodeTools(t)
	seen := map[string]bool{}
	in := make([]simCase, len(cases))
	for i, c := range cases {
		if seen[c.Name] {
			t.Fatalf("two cases are named %q", c.Name)
		}
		seen[c.Name] = true
		in[i] = c.simCase
	}
	out, code := runNode(t, node, map[string]any{"cases": in}, dir+"/simulate.mjs")
	var rep struct {
		Results []struct {
			Name     string   `json:"name"`
			Decision string   `json:"decision"`
			Errors   []string `json:"errors"`
			Adapted  *struct {
				EncryptionContext struct {
					ContextKeys []string `json:"contextKeys"`
				} `json:"encryptionContext"`
			} `json:"adapted"`
		} `json:"results"`
		Errors []string `json:"errors"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("simulate.mjs (exit %d) printed no report: %v\n%.2000s", code, err, out)
	}
	if len(rep.Errors) > 0 || len(rep.Results) != len(cases) {
		t.Fatalf("simulate.mjs: %v; %d results for %d cases", rep.Errors, len(rep.Results), len(cases))
	}
	var failures []deliveryFailure
	counts := map[string]map[string]int{}
	for i, c := range cases {
		r := rep.Results[i]
		if r.Name != c.Name {
			t.Fatalf("result %d is for %q, not %q", i, r.Name, c.Name)
		}
		if r.Decision == "Error" || len(r.Errors) > 0 {
			t.Fatalf("%s: not evaluated: %s", c.Name, strings.Join(r.Errors, "; "))
		}
		// A case with an encryption context must have gone through the
		// adapter, or iam-simulate would have ignored the context.
		for k := range c.Context {
			if strings.HasPrefix(strings.ToLower(k), "kms:encryptioncontext:") && (r.Adapted == nil || len(r.Adapted.EncryptionContext.ContextKeys) == 0) {
				t.Fatalf("%s: the encryption context was not evaluated", c.Name)
			}
		}
		kind := map[bool]string{true: "allowed", false: "denied"}[c.allowed]
		if counts[c.path] == nil {
			counts[c.path] = map[string]int{}
		}
		counts[c.path][kind]++
		ok := (c.allowed && r.Decision == "Allowed") || (!c.allowed && strings.HasSuffix(r.Decision, "Denied"))
		if !ok {
			want := map[bool]string{true: "Allowed", false: "Denied"}[c.allowed]
			failures = append(failures, deliveryFailure{c.Name, r.Decision, want})
		}
	}
	return failures, counts
}

// TestDeliveryPaths: every delivery path of the example, a hub-mode config
// with a central log archive, and the trail-options config, is allowed with
// the context its service documents, and each negative twin is denied.
func TestDeliveryPaths(t *testing.T) {
	var cases []deliveryCase
	for _, w := range deliveryWorlds(t) {
		cases = append(cases, w.cases(t)...)
	}
	failures, counts := evaluateDelivery(t, cases)
	for _, f := range failures {
		t.Errorf("%s: %s, want %s", f.name, f.decision, f.want)
	}
	ids := make([]string, 0, len(deliveryPaths))
	for id := range deliveryPaths {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	allowed, denied := 0, 0
	for _, id := range ids {
		c := counts[id]
		t.Logf("%-24s %5d allowed %5d denied   %s", id, c["allowed"], c["denied"], deliveryPaths[id].Doc)
		allowed += c["allowed"]
		denied += c["denied"]
		if c["allowed"] == 0 {
			t.Errorf("path %s has no case in any config: the table lists a path the templates do not have", id)
		}
		// Every path with a context to get wrong has negative twins.
		if c["denied"] == 0 && id != "rule-kms" {
			t.Errorf("path %s has no negative twin", id)
		}
	}
	t.Logf("%d delivery cases: %d allowed, %d denied twins; %d failed", len(cases), allowed, denied, len(failures))
}

// copyDoc returns a deep copy of a policy document and its
// statements, to break one in a negative test.
func copyDoc(t testing.TB, doc map[string]any) (map[string]any, []map[string]any) {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(jsonOf(t, doc)), &out); err != nil {
		t.Fatal(err)
	}
	var sts []map[string]any
	switch s := out["Statement"].(type) {
	case []any:
		for _, e := range s {
			sts = append(sts, e.(map[string]any))
		}
	case map[string]any:
		sts = append(sts, s)
	}
	return out, sts
}

// principalIs reports whether a statement's principal is the service.
func principalIs(st map[string]any, service string) bool {
	p, _ := st["Principal"].(map[string]any)
	b, _ := json.Marshal(p["Service"])
	return strings.Contains(string(b), `"`+service+`"`)
}

// TestDeliveryProofCatchesBrokenPolicies breaks each kind of condition the
// delivery proof relies on, in the example's cases, and checks that the
// proof then fails: a condition on a key the service does not send turns
// its allowed cases denied; a dropped condition turns its twins allowed.
func TestDeliveryProofCatchesBrokenPolicies(t *testing.T) {
	w := deliveryWorlds(t)[0]
	all := w.cases(t)
	type breakage struct {
		name  string
		paths []string
		// change edits the resource policy of a case of one of the paths;
		// it reports whether it changed anything.
		change func(t testing.TB, sts []map[string]any) bool
		// want is the kind of case that must then fail.
		wantAllowedFail, wantTwinFail bool
	}
	dropCondition := func(service, operator, key string) func(testing.TB, []map[string]any) bool {
		return func(t testing.TB, sts []map[string]any) bool {
			changed := false
			for _, st := range sts {
				cond, _ := st["Condition"].(map[string]any)
				block, _ := cond[operator].(map[string]any)
				if principalIs(st, service) && block != nil && block[key] != nil {
					delete(block, key)
					changed = true
				}
			}
			return changed
		}
	}
	addCondition := func(service, key, value string) func(testing.TB, []map[string]any) bool {
		return func(t testing.TB, sts []map[string]any) bool {
			changed := false
			for _, st := range sts {
				if principalIs(st, service) && st["Effect"] == "Allow" {
					st["Condition"] = map[string]any{"StringEquals": map[string]any{key: value}}
					changed = true
				}
			}
			return changed
		}
	}
	for _, b := range []breakage{
		{"the CloudTrail role trust asks for aws:SourceArn again", []string{"cloudtrail-logs-assume"},
			addCondition("cloudtrail.amazonaws.com", "aws:SourceArn", "arn:aws:cloudtrail:ap-northeast-1:111111111111:trail/baseline-trail"), true, false},
		{"the EventBridge key statement asks for aws:SourceAccount", []string{"rule-kms"},
			addCondition("events.amazonaws.com", "aws:SourceAccount", "111111111111"), true, false},
		{"the CloudTrail key statement loses its encryption-context condition", []string{"cloudtrail-kms-encrypt"},
			dropCondition("cloudtrail.amazonaws.com", "StringLike", "kms:EncryptionContext:aws:cloudtrail:arn"), false, true},
		{"the CloudWatch Logs key statement loses its encryption-context condition", []string{"logs-kms"},
			dropCondition("logs.ap-northeast-1.amazonaws.com", "ArnEquals", "kms:EncryptionContext:aws:logs:arn"), false, true},
		{"the CloudTrail bucket statements lose aws:SourceArn", []string{"cloudtrail-s3-logs", "cloudtrail-s3-digest", "cloudtrail-s3-acl"},
			dropCondition("cloudtrail.amazonaws.com", "StringEquals", "aws:SourceArn"), false, true},
		{"the CloudTrail bucket statement loses s3:x-amz-acl", []string{"cloudtrail-s3-logs"},
			dropCondition("cloudtrail.amazonaws.com", "StringEquals", "s3:x-amz-acl"), false, true},
		{"the Config bucket statements lose aws:SourceAccount", []string{"config-s3-put", "config-s3-check"},
			dropCondition("config.amazonaws.com", "StringEquals", "aws:SourceAccount"), false, true},
		{"the topic policy loses aws:SourceAccount", []string{"alarm-sns", "rule-sns"},
			dropCondition("events.amazonaws.com", "StringEquals", "aws:SourceAccount"), false, true},
		{"the access-log bucket loses aws:SourceArn", []string{"s3-access-logs"},
			dropCondition("logging.s3.amazonaws.com", "ArnLike", "aws:SourceArn"), false, true},
		{"the forwarding role trust loses aws:SourceAccount", []string{"forward-assume"},
			dropCondition("events.amazonaws.com", "StringEquals", "aws:SourceAccount"), false, true},
	} {
		t.Run(b.name, func(t *testing.T) {
			var cases []deliveryCase
			changed := 0
			for _, c := range all {
				if !containsString(b.paths, c.path) {
					continue
				}
				doc, sts := copyDoc(t, c.ResourcePolicy)
				if b.change(t, sts) {
					changed++
				}
				doc["Statement"] = sts
				c.ResourcePolicy = doc
				cases = append(cases, c)
			}
			if changed == 0 {
				t.Fatalf("the breakage changed no policy of paths %v: it tests nothing", b.paths)
			}
			failures, _ := evaluateDelivery(t, cases)
			var allowedFail, twinFail int
			for _, f := range failures {
				if f.want == "Allowed" {
					allowedFail++
				} else {
					twinFail++
				}
			}
			t.Logf("%d cases, %d policies broken: %d allowed cases and %d twins fail", len(cases), changed, allowedFail, twinFail)
			if b.wantAllowedFail && allowedFail == 0 {
				t.Error("no allowed case fails: the proof misses a condition on a key the service does not send")
			}
			if b.wantTwinFail && twinFail == 0 {
				t.Error("no twin fails: the proof misses a dropped condition")
			}
		})
	}
}

func containsString(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// deliveryOrgConfig is organization mode with the organization trail; its
// management account is not foreignAccount, which the twins use.
var deliveryOrgConfig = strings.Replace(orgModeConfig, `"999999999999"`, `"666666666666"`, 1)

var deliveryOrg cached

func deliveryOrgAssembly(t testing.TB) *assembly.Assembly {
	return deliveryOrg.config(t, deliveryOrgConfig, "delivery-org.yaml")
}

// TestOrganizationDeliveryProofCatchesBrokenPolicies breaks the log
// archive's statement for the organization's folder and requires the
// organization trail's cases to fail: without it the member accounts' log
// files are denied; without its aws:SourceArn any trail may write there.
func TestOrganizationDeliveryProofCatchesBrokenPolicies(t *testing.T) {
	w := deliveryWorlds(t)[3]
	if w.label != "organization-mode" {
		t.Fatalf("world %s", w.label)
	}
	var orgCases []deliveryCase
	for _, c := range w.cases(t) {
		if strings.Contains(c.Name, "organization trail writes") {
			orgCases = append(orgCases, c)
		}
	}
	if len(orgCases) == 0 {
		t.Fatal("the organization-mode world has no organization trail case")
	}
	if failures, _ := evaluateDelivery(t, orgCases); len(failures) > 0 {
		t.Fatalf("the intact policies fail %d cases: %v", len(failures), failures[0])
	}
	orgStatement := func(st map[string]any) bool {
		sid, _ := st["Sid"].(string)
		return strings.HasPrefix(sid, "CloudTrailWritesOrganizationLogsOf")
	}
	for _, b := range []struct {
		name                          string
		change                        func([]map[string]any) []map[string]any
		wantAllowedFail, wantTwinFail bool
	}{
		{"the statement for AWSLogs/<organization id>/ is gone", func(sts []map[string]any) []map[string]any {
			var out []map[string]any
			for _, st := range sts {
				if !orgStatement(st) {
					out = append(out, st)
				}
			}
			return out
		}, true, false},
		{"the statement loses aws:SourceArn", func(sts []map[string]any) []map[string]any {
			for _, st := range sts {
				if orgStatement(st) {
					delete(st["Condition"].(map[string]any)["StringEquals"].(map[string]any), "aws:SourceArn")
				}
			}
			return sts
		}, false, true},
	} {
		t.Run(b.name, func(t *testing.T) {
			var cases []deliveryCase
			for _, c := range orgCases {
				doc, sts := copyDoc(t, c.ResourcePolicy)
				before := len(jsonOf(t, sts))
				sts = b.change(sts)
				if len(jsonOf(t, sts)) == before {
					t.Fatalf("%s: the breakage changed nothing", c.Name)
				}
				doc["Statement"] = sts
				c.ResourcePolicy = doc
				cases = append(cases, c)
			}
			failures, _ := evaluateDelivery(t, cases)
			var allowedFail, twinFail int
			for _, f := range failures {
				if f.want == "Allowed" {
					allowedFail++
				} else {
					twinFail++
				}
			}
			t.Logf("%d cases: %d allowed cases and %d twins fail", len(cases), allowedFail, twinFail)
			if b.wantAllowedFail && allowedFail == 0 {
				t.Error("no allowed case fails")
			}
			if b.wantTwinFail && twinFail == 0 {
				t.Error("no twin fails")
			}
		})
	}
}
