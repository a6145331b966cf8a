package constructstest_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/accessanalyzer"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
	"github.com/secure-baseline/cdk-baseline/constructs/configrecorder"
	"github.com/secure-baseline/cdk-baseline/constructs/findingroutes"
	"github.com/secure-baseline/cdk-baseline/constructs/hardening"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/constructs/securityhub"
)

func TestAlertTopic(t *testing.T) {
	t.Run("default: names from naming, own key, TLS only; needs a subscriber", func(t *testing.T) {
		s := newStack()
		alerttopic.New(s, "Alarms", alerttopic.Props{})
		if got, want := synthError(s), alerttopic.NoSubscriberError; !strings.Contains(got, want) {
			t.Errorf("synth error %q, want it to contain %q", got, want)
		}
	})
	t.Run("a subscriber added after New satisfies the rule", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			topic := alerttopic.New(s, "Alarms", alerttopic.Props{})
			topic.Topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String("later@example.com"), nil))
		})
		if n := len(tm.ofType("AWS::SNS::Subscription")); n != 1 {
			t.Errorf("%d subscriptions", n)
		}
	})
	t.Run("a subscription of another topic does not", func(t *testing.T) {
		s := newStack()
		alerttopic.New(s, "Alarms", alerttopic.Props{})
		alerttopic.New(s, "Other", alerttopic.Props{TopicName: "other", KeyAlias: "alias/other", Emails: []string{"a@example.com"}})
		if got := synthError(s); !strings.Contains(got, "[Test/Alarms] "+alerttopic.NoSubscriberError) {
			t.Errorf("synth error %q", got)
		}
	})
	t.Run("AllowNoSubscriber", func(t *testing.T) {
		synth(t, func(s awscdk.Stack) { alerttopic.New(s, "Alarms", alerttopic.Props{AllowNoSubscriber: true}) })
	})
	t.Run("subscribers, and the defaults", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			alerttopic.New(s, "Alarms", alerttopic.Props{Emails: []string{"sec@example.com"}, HTTPSEndpoints: []string{"https://chat.example.com/hook"}})
		})
		topic := tm.one(t, "AWS::SNS::Topic")
		if topic.Properties["TopicName"] != naming.AlarmTopic || topic.Properties["KmsMasterKeyId"] == nil {
			t.Errorf("topic %v", topic.Properties)
		}
		if a := tm.one(t, "AWS::KMS::Alias"); a.Properties["AliasName"] != naming.AlarmKeyAlias {
			t.Errorf("alias %v", a.Properties["AliasName"])
		}
		var protocols []string
		for _, sub := range tm.ofType("AWS::SNS::Subscription") {
			protocols = append(protocols, sub.Properties["Protocol"].(string))
		}
		if strings.Join(protocols, ",") != "email,https" && strings.Join(protocols, ",") != "https,email" {
			t.Errorf("protocols %v", protocols)
		}
		if !strings.Contains(jsonOf(t, tm.one(t, "AWS::SNS::TopicPolicy").Properties), `"aws:SecureTransport":"false"`) {
			t.Errorf("the topic policy does not deny requests without TLS")
		}
	})
	checkPanics(t, []panicCase{
		{"an AWS managed key alias", func(s awscdk.Stack) { alerttopic.New(s, "A", alerttopic.Props{KeyAlias: "alias/aws/sns"}) },
			`alerttopic: KeyAlias "alias/aws/sns" must start with alias/ and not with alias/aws/`},
	})
}

func TestSecurityHub(t *testing.T) {
	t.Run("default: consolidated findings, FSBP and CIS v5.0.0, no aggregator, retained", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { securityhub.New(s, "SecurityHub", securityhub.Props{}) })
		hub := tm.one(t, "AWS::SecurityHub::Hub")
		if hub.Properties["EnableDefaultStandards"] != false || hub.Properties["ControlFindingGenerator"] != "SECURITY_CONTROL" || hub.DeletionPolicy != "Retain" {
			t.Errorf("hub %v %s", hub.Properties, hub.DeletionPolicy)
		}
		var arns []string
		for _, s := range tm.ofType("AWS::SecurityHub::Standard") {
			arns = append(arns, jsonOf(t, s.Properties["StandardsArn"]))
		}
		if len(arns) != 2 || !strings.Contains(strings.Join(arns, " "), "standards/aws-foundational-security-best-practices/v/1.0.0") ||
			!strings.Contains(strings.Join(arns, " "), "standards/cis-aws-foundations-benchmark/v/5.0.0") {
			t.Errorf("standards %v, want DefaultStandards", arns)
		}
		if len(tm.ofType("AWS::SecurityHub::FindingAggregator")) != 0 {
			t.Errorf("an aggregator without AggregateRegions")
		}
	})
	t.Run("NoStandards: the hub alone", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { securityhub.New(s, "SecurityHub", securityhub.Props{NoStandards: true}) })
		if n := len(tm.ofType("AWS::SecurityHub::Standard")); n != 0 {
			t.Errorf("%d standards with NoStandards", n)
		}
	})
	t.Run("standards, an aggregator, and global controls disabled from the props' list", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			securityhub.New(s, "SecurityHub", securityhub.Props{
				Standards:             []string{"nist-800-53/v/5.0.0"},
				AggregateRegions:      []string{"us-east-1"},
				GlobalResourcesRegion: "us-east-1",
				GlobalResourceControls: []securityhub.Control{
					{Standard: "nist-800-53/v/5.0.0", Control: "IAM.1", ID: "IAM.1"},
					{Standard: "nist-800-53/v/5.0.0", Control: "IAM.2", ID: "IAM.2"},
					{Standard: "cis-aws-foundations-benchmark/v/5.0.0", Control: "IAM.1", ID: "1.14"},
				},
				Availability: noControl{"IAM.2"},
			})
		})
		std := tm.one(t, "AWS::SecurityHub::Standard")
		got := jsonOf(t, std.Properties["DisabledStandardsControls"])
		if !strings.Contains(got, ":control/nist-800-53/v/5.0.0/IAM.1") || strings.Contains(got, "IAM.2") || strings.Contains(got, "1.14") {
			t.Errorf("DisabledStandardsControls %s: want IAM.1 of NIST only (IAM.2 does not exist here)", got)
		}
		if agg := tm.one(t, "AWS::SecurityHub::FindingAggregator"); jsonOf(t, agg.Properties["Regions"]) != `["us-east-1"]` {
			t.Errorf("aggregator %v", agg.Properties)
		}
	})
	checkPanics(t, []panicCase{
		{"a standard given as a whole ARN", func(s awscdk.Stack) {
			securityhub.New(s, "S", securityhub.Props{Standards: []string{"arn:aws:securityhub:us-east-1::standards/nist-800-53/v/5.0.0"}})
		}, `securityhub: standard "arn:aws:securityhub:us-east-1::standards/nist-800-53/v/5.0.0" must be the part of its ARN after standards/, like aws-foundational-security-best-practices/v/1.0.0`},
		{"global controls disabled in the region that records them", func(s awscdk.Stack) {
			securityhub.New(s, "S", securityhub.Props{GlobalResourcesRegion: Region})
		}, "securityhub: GlobalResourcesRegion eu-west-1 is this stack's region; set it only in the regions that do not record global resource types"},
		{"no standards and standards", func(s awscdk.Stack) {
			securityhub.New(s, "S", securityhub.Props{NoStandards: true, Standards: []string{"nist-800-53/v/5.0.0"}})
		}, "securityhub: NoStandards and Standards are both set; leave one out"},
		{"a global region without the list of controls", func(s awscdk.Stack) {
			securityhub.New(s, "S", securityhub.Props{GlobalResourcesRegion: "us-east-1"})
		}, "securityhub: GlobalResourcesRegion needs GlobalResourceControls, the controls to disable (policies.GlobalResourceControls has AWS's list)"},
	})
}

// noControl is a region where one control does not exist.
type noControl struct{ missing string }

func (n noControl) ControlAvailable(control, _ string) bool { return control != n.missing }

func TestAccessAnalyzer(t *testing.T) {
	for _, c := range []struct {
		zone accessanalyzer.Zone
		name string
		typ  string
	}{{"", "baseline-account", "ACCOUNT"}, {accessanalyzer.Organization, "baseline-organization", "ORGANIZATION"},
		{accessanalyzer.OrganizationUnusedAccess, "baseline-organization_unused_access", "ORGANIZATION_UNUSED_ACCESS"}} {
		t.Run("zone "+c.typ, func(t *testing.T) {
			s := newStack()
			a := accessanalyzer.New(s, "AccessAnalyzer", accessanalyzer.Props{Zone: c.zone})
			if *a.Resource.Node().Path() != "Test/AccessAnalyzer/Resource" {
				t.Errorf("path %s", *a.Resource.Node().Path())
			}
			r := synthStack(t, s).one(t, "AWS::AccessAnalyzer::Analyzer")
			if r.Properties["AnalyzerName"] != c.name || r.Properties["Type"] != c.typ {
				t.Errorf("analyzer %v", r.Properties)
			}
			// The unused-access analyzer reports access unused for the
			// default 90 days; the others take no configuration.
			cfg := jsonOf(t, r.Properties["AnalyzerConfiguration"])
			if want := map[bool]string{true: `{"UnusedAccessConfiguration":{"UnusedAccessAge":90}}`, false: "null"}[c.zone == accessanalyzer.OrganizationUnusedAccess]; cfg != want {
				t.Errorf("configuration %s, want %s", cfg, want)
			}
		})
	}
	checkPanics(t, []panicCase{
		{"an unknown zone", func(s awscdk.Stack) { accessanalyzer.New(s, "A", accessanalyzer.Props{Zone: "account"}) },
			`accessanalyzer: Zone "account" must be ACCOUNT, ORGANIZATION or ORGANIZATION_UNUSED_ACCESS`},
		{"an unused-access age on an external-access analyzer", func(s awscdk.Stack) {
			accessanalyzer.New(s, "A", accessanalyzer.Props{Zone: accessanalyzer.Organization, UnusedAccessAgeDays: 30})
		}, `accessanalyzer: UnusedAccessAgeDays is for Zone ORGANIZATION_UNUSED_ACCESS only, not ORGANIZATION`},
		{"an unused-access age over a year", func(s awscdk.Stack) {
			accessanalyzer.New(s, "A", accessanalyzer.Props{Zone: accessanalyzer.OrganizationUnusedAccess, UnusedAccessAgeDays: 400})
		}, `accessanalyzer: UnusedAccessAgeDays 400 must be 1 to 365`},
	})
}

func TestConfigRecorder(t *testing.T) {
	t.Run("required bucket and key; everything else default", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			configrecorder.New(s, "Config", configrecorder.Props{BucketName: "logs", KeyArn: "arn:aws:kms:eu-west-1:111111111111:key/k"})
		})
		rec := tm.one(t, "AWS::Config::ConfigurationRecorder")
		if rec.Properties["Name"] != naming.ConfigRecorder || rec.DeletionPolicy != "Retain" {
			t.Errorf("recorder %v", rec.Properties)
		}
		// Global types excluded by default: recorded once, in the region
		// that sets RecordGlobalTypes.
		if !strings.Contains(jsonOf(t, rec.Properties["RecordingGroup"]), "EXCLUSION_BY_RESOURCE_TYPES") {
			t.Errorf("recording group %v", rec.Properties["RecordingGroup"])
		}
		ch := tm.one(t, "AWS::Config::DeliveryChannel")
		if ch.Properties["S3KeyPrefix"] != naming.ConfigKeyPrefix ||
			jsonOf(t, ch.Properties["ConfigSnapshotDeliveryProperties"]) != `{"DeliveryFrequency":"TwentyFour_Hours"}` {
			t.Errorf("channel %v", ch.Properties)
		}
	})
	t.Run("an existing recorder with managed rules named from naming", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			configrecorder.New(s, "Config", configrecorder.Props{UseExistingRecorder: true, ManagedRules: []string{"IAM_ROOT_ACCESS_KEY_CHECK"}})
		})
		if len(tm.ofType("AWS::Config::ConfigurationRecorder")) != 0 {
			t.Errorf("a recorder with UseExistingRecorder")
		}
		if r := tm.one(t, "AWS::Config::ConfigRule"); r.Properties["ConfigRuleName"] != naming.ConfigRule("IAM_ROOT_ACCESS_KEY_CHECK") {
			t.Errorf("rule %v", r.Properties["ConfigRuleName"])
		}
	})
	checkPanics(t, []panicCase{
		{"a recorder with nowhere to deliver", func(s awscdk.Stack) { configrecorder.New(s, "C", configrecorder.Props{}) },
			"configrecorder: BucketName and KeyArn are required to create a recorder; set UseExistingRecorder to add only rules"},
		{"an unknown snapshot frequency", func(s awscdk.Stack) { configrecorder.New(s, "C", configrecorder.Props{SnapshotFrequency: "2h"}) },
			`configrecorder: SnapshotFrequency "2h" is not one of 1h, 3h, 6h, 12h, 24h`},
	})
}

func TestFindingRoutes(t *testing.T) {
	t.Run("to a topic: GuardDuty 7 or more, Inspector HIGH and CRITICAL, Security Hub too, names from naming", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			topic := alerttopic.New(s, "Alarms", alerttopic.Props{AllowNoSubscriber: true})
			findingroutes.New(s, "Findings", findingroutes.Props{Topic: topic.Topic})
		})
		rules := map[string]*resource{}
		for _, r := range tm.ofType("AWS::Events::Rule") {
			rules[r.Properties["Name"].(string)] = r
		}
		gd, sh, in := rules[naming.GuardDutyRule], rules[naming.SecurityHubRule], rules[naming.InspectorRule]
		if gd == nil || sh == nil || in == nil || len(rules) != 3 {
			t.Fatalf("rules %v", rules)
		}
		if got := jsonOf(t, in.Properties["EventPattern"]); !strings.Contains(got, `"source":["aws.inspector2"]`) || !strings.Contains(got, `"severity":["CRITICAL","HIGH"]`) {
			t.Errorf("Inspector pattern %s", got)
		}
		if jsonOf(t, gd.Properties["EventPattern"]) != jsonOf(t, findingroutes.GuardDutyPattern(7)) {
			t.Errorf("GuardDuty pattern %v", gd.Properties["EventPattern"])
		}
	})
	t.Run("forwarded to the home region, without Security Hub", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			findingroutes.New(s, "Findings", findingroutes.Props{ForwardToRegion: "us-east-1", OmitSecurityHub: true, GuardDutyMinSeverity: 4})
		})
		var r *resource
		for _, rule := range tm.ofType("AWS::Events::Rule") {
			if rule.Properties["Name"] == naming.GuardDutyRule {
				r = rule
			}
			if rule.Properties["Name"] == naming.SecurityHubRule {
				t.Errorf("a Security Hub rule although OmitSecurityHub")
			}
		}
		if r == nil {
			t.Fatal("no GuardDuty rule")
		}
		if !strings.Contains(jsonOf(t, r.Properties["Targets"]), ":events:us-east-1:111111111111:event-bus/default") {
			t.Errorf("targets %v", r.Properties["Targets"])
		}
		if jsonOf(t, r.Properties["EventPattern"]) != jsonOf(t, findingroutes.GuardDutyPattern(4)) {
			t.Errorf("pattern %v", r.Properties["EventPattern"])
		}
	})
	checkPanics(t, []panicCase{
		{"no destination", func(s awscdk.Stack) { findingroutes.New(s, "F", findingroutes.Props{}) },
			"findingroutes: set exactly one of Topic and ForwardToRegion"},
		{"a severity out of range", func(s awscdk.Stack) {
			findingroutes.New(s, "F", findingroutes.Props{ForwardToRegion: "us-east-1", GuardDutyMinSeverity: 12})
		}, "findingroutes: GuardDutyMinSeverity 12 must be from 1 to 10"},
		{"an Inspector severity that does not exist", func(s awscdk.Stack) {
			findingroutes.New(s, "F", findingroutes.Props{ForwardToRegion: "us-east-1", InspectorSeverities: []string{"HIGH", "SEVERE"}})
		}, "findingroutes: InspectorSeverities[1] \"SEVERE\" is not one of CRITICAL, HIGH, MEDIUM, LOW, INFORMATIONAL, UNTRIAGED"},
		{"no Inspector severity", func(s awscdk.Stack) {
			findingroutes.New(s, "F", findingroutes.Props{ForwardToRegion: "us-east-1", InspectorSeverities: []string{}})
		}, "findingroutes: InspectorSeverities is empty; leave it nil for HIGH and CRITICAL"},
	})
}

func TestHardening(t *testing.T) {
	t.Run("default: EBS encryption by default only, kept on delete", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { hardening.New(s, "Hardening", hardening.Props{}) })
		if n := len(tm.ofType("Custom::EbsEncryptionByDefault")); n != 1 {
			t.Errorf("%d EBS settings", n)
		}
		if n := len(tm.ofType("Custom::AccountPasswordPolicy")); n != 0 {
			t.Errorf("a password policy without AccountWide")
		}
	})
	t.Run("AccountWide: a 14-character password policy and account Block Public Access", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { hardening.New(s, "Hardening", hardening.Props{AccountWide: true}) })
		pp := jsonOf(t, tm.one(t, "Custom::AccountPasswordPolicy").Properties)
		if !strings.Contains(pp, `\"MinimumPasswordLength\":14`) && !strings.Contains(pp, `"MinimumPasswordLength":14`) {
			t.Errorf("password policy %s", pp)
		}
		tm.one(t, "Custom::AccountPublicAccessBlock")
	})
	checkPanics(t, []panicCase{
		{"a short password", func(s awscdk.Stack) {
			hardening.New(s, "H", hardening.Props{AccountWide: true, PasswordPolicy: hardening.PasswordPolicy{MinimumLength: 8}})
		}, "hardening: PasswordPolicy.MinimumLength 8 must be from 14 (CIS) to 128"},
		{"an expiry too long", func(s awscdk.Stack) {
			hardening.New(s, "H", hardening.Props{PasswordPolicy: hardening.PasswordPolicy{MaxAgeDays: 2000}})
		}, "hardening: PasswordPolicy.MaxAgeDays 2000 must be from 1 to 1095, or 0 for no expiry"},
	})
}
