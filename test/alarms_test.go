package test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/securityalarms"
	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/policies/policiestest"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// logicalID returns the logical id of the only resource of a type.
func logicalID(t testing.TB, s assembly.Stack, typ string) string {
	t.Helper()
	rs := resourcesOfType(s, typ)
	if len(rs) != 1 {
		t.Fatalf("%s: want exactly one %s, found %d", s.Name, typ, len(rs))
	}
	for id := range rs {
		return id
	}
	return ""
}

// trailLogGroupID is the logical id of the baseline trail's log group.
func trailLogGroupID(t testing.TB, s assembly.Stack) string {
	t.Helper()
	var ids []string
	for id, r := range resourcesOfType(s, "AWS::Logs::LogGroup") {
		if r.Properties["LogGroupName"] == audittrail.DefaultLogGroup {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%s: want one log group named %s, found %d", s.Name, audittrail.DefaultLogGroup, len(ids))
	}
	return ids[0]
}

// byProperty indexes resources of a type by one string property.
func byProperty(s assembly.Stack, typ, property string) map[string]assembly.Resource {
	out := map[string]assembly.Resource{}
	for _, r := range resourcesOfType(s, typ) {
		if name, ok := r.Properties[property].(string); ok {
			out[name] = r
		}
	}
	return out
}

// checkSecurityAlarms asserts that stack s holds exactly one metric filter
// and one alarm per entry of want, as the catalog says, on logGroup (the
// JSON of the filters' LogGroupName), each alarm notifying the alarm topic.
func checkSecurityAlarms(t *testing.T, s assembly.Stack, want []policies.Alarm, logGroup string) {
	t.Helper()
	filters := byProperty(s, "AWS::Logs::MetricFilter", "FilterName")
	alarms := byProperty(s, "AWS::CloudWatch::Alarm", "AlarmName")
	if len(filters) != len(want) || len(alarms) != len(want) ||
		len(resourcesOfType(s, "AWS::Logs::MetricFilter")) != len(want) || len(resourcesOfType(s, "AWS::CloudWatch::Alarm")) != len(want) {
		t.Fatalf("%s: %d metric filters and %d alarms, want %d of each", s.Name, len(filters), len(alarms), len(want))
	}
	topic := jsonOf(t, []any{map[string]any{"Ref": logicalID(t, s, "AWS::SNS::Topic")}})
	for _, a := range want {
		name := "baseline-" + a.ID
		f, ok := filters[name]
		if !ok {
			t.Errorf("%s: no metric filter named %s", s.Name, name)
			continue
		}
		t.Run(s.Name+"/"+a.ID+" filter", func(t *testing.T) {
			if got := f.Properties["FilterPattern"]; got != a.Pattern {
				t.Errorf("FilterPattern:\n got %v\nwant %s", got, a.Pattern)
			}
			if got := jsonOf(t, f.Properties["LogGroupName"]); got != logGroup {
				t.Errorf("LogGroupName = %s, want %s", got, logGroup)
			}
			wantMetric := jsonOf(t, []any{map[string]any{"DefaultValue": 0, "MetricName": a.MetricName, "MetricNamespace": a.Namespace, "MetricValue": "1"}})
			if got := jsonOf(t, f.Properties["MetricTransformations"]); got != wantMetric {
				t.Errorf("MetricTransformations = %s, want %s", got, wantMetric)
			}
			if got := f.Metadata["aws:cdk:path"]; got != s.Name+"/SecurityAlarms/"+a.ID+"/Filter/Resource" {
				t.Errorf("construct path %v: construct ids are part of the contract", got)
			}
		})
		al, ok := alarms[name]
		if !ok {
			t.Errorf("%s: the metric of filter %s has no alarm named %s", s.Name, name, name)
			continue
		}
		t.Run(s.Name+"/"+a.ID+" alarm", func(t *testing.T) {
			p := al.Properties
			for key, want := range map[string]any{
				"MetricName":         a.MetricName,
				"Namespace":          a.Namespace,
				"Statistic":          "Sum",
				"Period":             300.0,
				"EvaluationPeriods":  1.0,
				"Threshold":          a.Threshold,
				"ComparisonOperator": "GreaterThanOrEqualToThreshold",
				"TreatMissingData":   "notBreaching",
				"ActionsEnabled":     true,
			} {
				if p[key] != want {
					t.Errorf("%s = %v, want %v", key, p[key], want)
				}
			}
			if got := jsonOf(t, p["AlarmActions"]); got != topic {
				t.Errorf("AlarmActions = %s, want the alarm topic %s", got, topic)
			}
			desc, _ := p["AlarmDescription"].(string)
			for _, c := range a.Controls {
				if !strings.Contains(desc, c) {
					t.Errorf("description does not name control %s: %s", c, desc)
				}
			}
			if !strings.Contains(desc, "Runbook: "+a.Runbook) {
				t.Errorf("description does not carry the runbook: %s", desc)
			}
			if got := al.Metadata["aws:cdk:path"]; got != s.Name+"/SecurityAlarms/"+a.ID+"/Alarm/Resource" {
				t.Errorf("construct path %v: construct ids are part of the contract", got)
			}
		})
	}
}

// TestSecurityAlarmsInTheExample checks every home stack of the example: a
// filter and an alarm per deployed catalog entry on the trail's log group,
// and every Security Hub pattern exactly as the Security Hub guide prints
// it (policiestest.SecurityHubPatterns, a copy independent of the catalog).
func TestSecurityAlarmsInTheExample(t *testing.T) {
	asm := exampleAssembly(t)
	for _, acc := range config.Example().Accounts {
		s := stack(t, asm, stacks.StackName(acc, acc.HomeRegion))
		rs, err := stacks.ResolveAlarms(config.Example(), acc)
		if err != nil {
			t.Fatal(err)
		}
		want := policies.Deployed(rs)
		logGroup := jsonOf(t, map[string]any{"Ref": trailLogGroupID(t, s)})
		checkSecurityAlarms(t, s, want, logGroup)

		patterns := map[string]string{}
		for _, f := range resourcesOfType(s, "AWS::Logs::MetricFilter") {
			patterns[f.Properties["FilterName"].(string)] = f.Properties["FilterPattern"].(string)
		}
		for control, text := range policiestest.SecurityHubPatterns {
			i := slices.IndexFunc(want, func(a policies.Alarm) bool { return a.SecurityHub == control })
			if i < 0 {
				t.Errorf("%s: no alarm for %s", s.Name, control)
				continue
			}
			if got := patterns["baseline-"+want[i].ID]; got != text {
				t.Errorf("%s: %s pattern differs from the Security Hub text:\n got %s\nwant %s", s.Name, control, got, text)
			}
		}
	}
	for _, region := range config.Example().Accounts[0].Regions[1:] {
		s := stack(t, asm, "Prod-"+region)
		if n := len(resourcesOfType(s, "AWS::CloudWatch::Alarm")); n != 0 {
			t.Errorf("%s: %d alarms outside the home region", s.Name, n)
		}
	}
}

// alarmOptionsConfig exercises the alarm settings: an account whose trail
// is not the baseline's, with every kind of override, and one whose alarms
// have no log group.
const alarmOptionsConfig = `homeRegion: us-east-1
regions: [us-east-1]
notifications: {emails: [sec@example.com]}
alarms:
  enable: [Ec2InstanceChanges]
accounts:
  - name: External
    id: "666666666666"
    trail: {mode: skip}
    awsConfig: {mode: skip}   # Config delivers to the baseline trail's bucket only
    alarms:
      logGroupName: org-trail/CloudTrailLogs
      largeInstanceSizes: [16xlarge]
      disable: [ConsoleAuthFailures]
      thresholds: [{id: UnauthorizedApiCalls, threshold: 5}]
  - name: NoLogGroup
    id: "777777777777"
    trail: {mode: skip}
    awsConfig: {mode: skip}
`

var alarmOptions cached

// alarmOptionsAssembly synthesizes alarmOptionsConfig and, next to it, a
// stack "AllAlarms" that holds every catalog entry (opt-in and templated
// ones too, rendered with the proof's parameters), all in one synth.
func alarmOptionsAssembly(t testing.TB) *assembly.Assembly {
	return alarmOptions.get(t, func(t testing.TB) *assembly.Assembly {
		cfg, err := config.Parse([]byte(alarmOptionsConfig), "alarm-options.yaml")
		if err != nil {
			t.Fatal(err)
		}
		outdir, err := os.MkdirTemp(tmpRoot, "cdk.out-")
		if err != nil {
			t.Fatal(err)
		}
		context := cdkContext(t)
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir), Context: &context})
		stacks.Build(app, cfg)
		s := awscdk.NewStack(app, jsii.String("AllAlarms"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("888888888888"), Region: jsii.String("us-east-1")},
		})
		topic := alerttopic.New(s, "Alarms", alerttopic.Props{Emails: []string{"sec@example.com"}})
		securityalarms.New(s, "SecurityAlarms", securityalarms.Props{
			LogGroup: awslogs.LogGroup_FromLogGroupName(s, jsii.String("Trail"), jsii.String("trail")),
			Topic:    topic.Topic,
			Alarms:   proofCatalog(t),
		})
		app.Synth(nil)
		asm, err := assembly.Read(outdir)
		if err != nil {
			t.Fatal(err)
		}
		return asm
	})
}

func TestSecurityAlarmOptions(t *testing.T) {
	asm := alarmOptionsAssembly(t)
	cfg, err := config.Parse([]byte(alarmOptionsConfig), "alarm-options.yaml")
	if err != nil {
		t.Fatal(err)
	}
	external := cfg.Accounts[0]
	rs, err := stacks.ResolveAlarms(cfg, external)
	if err != nil {
		t.Fatal(err)
	}
	want := policies.Deployed(rs)

	t.Run("the overrides reach the resolved catalog", func(t *testing.T) {
		ids := map[string]policies.Alarm{}
		for _, a := range want {
			ids[a.ID] = a
		}
		if _, on := ids["ConsoleAuthFailures"]; on {
			t.Error("ConsoleAuthFailures is on; alarms.disable lists it")
		}
		if _, on := ids["Ec2InstanceChanges"]; !on {
			t.Error("Ec2InstanceChanges is off; the top level enables it")
		}
		if got := ids["UnauthorizedApiCalls"].Threshold; got != 5 {
			t.Errorf("UnauthorizedApiCalls threshold = %v, want 5", got)
		}
		if got := ids["Ec2LargeInstanceLaunches"].Pattern; !strings.Contains(got, "($.requestParameters.instanceType = *.16xlarge)") || strings.Contains(got, "4xlarge") {
			t.Errorf("Ec2LargeInstanceLaunches pattern = %s, want the configured size only", got)
		}
	})
	t.Run("an account without the baseline trail watches the named log group", func(t *testing.T) {
		checkSecurityAlarms(t, stack(t, asm, "External-us-east-1"), want, `"org-trail/CloudTrailLogs"`)
	})
	t.Run("an account without a log group gets no alarms", func(t *testing.T) {
		s := stack(t, asm, "NoLogGroup-us-east-1")
		if n := len(resourcesOfType(s, "AWS::Logs::MetricFilter")) + len(resourcesOfType(s, "AWS::CloudWatch::Alarm")); n != 0 {
			t.Errorf("%d filters and alarms without a log group", n)
		}
	})
	t.Run("every catalog entry deploys, templated ones rendered", func(t *testing.T) {
		all := proofCatalog(t)
		checkSecurityAlarms(t, stack(t, asm, "AllAlarms"), all, `"trail"`)
	})
}

func TestAlarmConfigErrors(t *testing.T) {
	catalog, err := policies.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, a := range catalog {
		ids = append(ids, a.ID)
	}
	dev := validConfig + "    alarms:\n"
	cases := []configCase{
		{"an unknown id suggests the closest", dev + "      disable: [RootAcountUsage]\n",
			`b.yaml:11: accounts[1].alarms.disable[0]: "RootAcountUsage" is not an alarm of the catalog; did you mean "RootAccountUsage"?`},
		{"an unknown id far from any lists them all", dev + "      disable: [Nope]\n",
			`b.yaml:11: accounts[1].alarms.disable[0]: "Nope" is not an alarm of the catalog; the ids are ` + strings.Join(ids, ", ")},
		{"an unknown id in a threshold override", dev + "      thresholds: [{id: UnauthorisedApiCalls, threshold: 5}]\n",
			`b.yaml:11: accounts[1].alarms.thresholds[0].id: "UnauthorisedApiCalls" is not an alarm of the catalog; did you mean "UnauthorizedApiCalls"?`},
		{"a threshold of 0", dev + "      thresholds: [{id: UnauthorizedApiCalls, threshold: 0}]\n",
			`b.yaml:11: accounts[1].alarms.thresholds[0].threshold: must be greater than 0, got 0; it is how many matching events in one period fire the alarm`},
		{"a negative threshold", dev + "      thresholds: [{id: UnauthorizedApiCalls, threshold: -2.5}]\n",
			`b.yaml:11: accounts[1].alarms.thresholds[0].threshold: must be greater than 0, got -2.5; it is how many matching events in one period fire the alarm`},
		{"a threshold that is not a number", dev + "      thresholds: [{id: UnauthorizedApiCalls, threshold: many}]\n",
			`b.yaml:11: accounts[1].alarms.thresholds[0].threshold: must be a number, got the string "many"`},
		{"two overrides of one entry", dev + "      thresholds: [{id: VpcChanges, threshold: 2}, {id: VpcChanges, threshold: 3}]\n",
			`b.yaml:11: accounts[1].alarms.thresholds[1].id: "VpcChanges" is listed twice`},
		{"enabling an entry that is on anyway", dev + "      enable: [RootAccountUsage]\n",
			`b.yaml:11: accounts[1].alarms.enable[0]: RootAccountUsage is on unless disabled; enable lists only opt-in entries (Ec2InstanceChanges)`},
		{"an entry both enabled and disabled", strings.Replace(validConfig, "accounts:", "alarms: {enable: [Ec2InstanceChanges]}\naccounts:", 1) + "    alarms:\n      disable: [Ec2InstanceChanges]\n",
			`b.yaml:12: accounts[1].alarms.disable[0]: Ec2InstanceChanges is also in alarms.enable; keep it in one of the two lists (an account's own enable list replaces the inherited one)`},
		{"an entry disabled twice", dev + "      disable: [VpcChanges, VpcChanges]\n",
			`b.yaml:11: accounts[1].alarms.disable[1]: "VpcChanges" is listed twice`},
		{"a malformed instance size", dev + "      largeInstanceSizes: [4XL]\n",
			`b.yaml:11: accounts[1].alarms.largeInstanceSizes[0]: "4XL" is not an instance size like 4xlarge (the part after the dot of c5.4xlarge, in lower case)`},
		{"no instance size", dev + "      largeInstanceSizes: []\n",
			`b.yaml:11: accounts[1].alarms.largeInstanceSizes: list at least one size, e.g. [4xlarge, 8xlarge], or turn the entry off with alarms.disable: [Ec2LargeInstanceLaunches]`},
		{"a log group for an account with the baseline trail", dev + "      logGroupName: org-trail\n",
			`b.yaml:11: accounts[1].alarms.logGroupName: is for accounts whose trail is not the baseline's (trail.mode: skip); with trail.mode create the alarms watch the baseline trail's log group, so remove logGroupName`},
		{"a malformed log group name", dev + "      logGroupName: \"bad name!\"\n",
			`b.yaml:11: accounts[1].alarms.logGroupName: "bad name!" is not a log group name (1 to 512 letters, digits and . - _ / #)`},
		{"a misspelt key", dev + "      treshold: []\n",
			`b.yaml:11: accounts[1].alarms.treshold: unknown key; did you mean "thresholds"?`},
		{"a top-level mistake is reported once, at the top level", strings.Replace(validConfig, "accounts:", "alarms: {disable: [Nope]}\naccounts:", 1),
			`b.yaml:5: alarms.disable[0]: "Nope" is not an alarm of the catalog; the ids are ` + strings.Join(ids, ", ")},
	}
	checkConfigCases(t, "b.yaml", cases)
}

// TestAlarmSettingsLayer: an account's lists replace the inherited ones.
func TestAlarmSettingsLayer(t *testing.T) {
	yaml := strings.Replace(validConfig, "accounts:", `alarms:
  enable: [Ec2InstanceChanges]
  thresholds: [{id: UnauthorizedApiCalls, threshold: 10}]
accounts:`, 1) + "    alarms: {enable: [], thresholds: [{id: RootAccountUsage, threshold: 2}]}\n"
	cfg, err := config.Parse([]byte(yaml), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	state := func(acc config.Account) map[string]string {
		rs, err := stacks.ResolveAlarms(cfg, acc)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, r := range rs {
			out[r.ID] = r.Off
			if r.Off == "" {
				out[r.ID] = "on"
				if r.Threshold != 1 {
					out[r.ID] = fmt.Sprintf("on, threshold %v", r.Threshold)
				}
			}
		}
		return out
	}
	prod, dev := state(cfg.Accounts[0]), state(cfg.Accounts[1])
	for _, c := range []struct{ got, want string }{
		{prod["Ec2InstanceChanges"], "on"},
		{prod["UnauthorizedApiCalls"], "on, threshold 10"},
		{prod["RootAccountUsage"], "on"},
		{dev["Ec2InstanceChanges"], policies.OffNotEnabled},
		{dev["UnauthorizedApiCalls"], "on"},
		{dev["RootAccountUsage"], "on, threshold 2"},
		{dev["AdminRoleUsage"], "on"}, // the admin role exists in every account
		{dev["BreakGlassConsoleLogin"], "requires breakGlassUsers, which is not set"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestAlarmTopic checks the topic against what the alarms need: CloudWatch
// may use the key and publish on behalf of this account only; EventBridge
// may use the key without aws:SourceAccount (the SNS guide: that condition
// is not supported for EventBridge and silently drops its deliveries);
// publishing needs TLS; every configured e-mail subscribes.
func TestAlarmTopic(t *testing.T) {
	for _, acc := range config.Example().Accounts {
		s := stack(t, exampleAssembly(t), stacks.StackName(acc, acc.HomeRegion))
		key := statementsOf(t, resourceWithPrefix(t, s, "AWS::KMS::Key", "AlarmsKey").Properties["KeyPolicy"])
		sourceAccount := `{"StringEquals":{"aws:SourceAccount":"` + acc.ID + `"}}`
		if got := jsonOf(t, bySid(t, key, "AllowPublisherCloudWatch")["Condition"]); got != sourceAccount {
			t.Errorf("%s: CloudWatch's key statement condition = %s, want %s", s.Name, got, sourceAccount)
		}
		if c, ok := bySid(t, key, "AllowPublisherEventBridge")["Condition"]; ok {
			t.Errorf("%s: EventBridge's key statement has a condition %s; EventBridge cannot deliver with it", s.Name, jsonOf(t, c))
		}
		topic := statementsOf(t, one(t, s, "AWS::SNS::TopicPolicy").Properties["PolicyDocument"])
		if got := jsonOf(t, bySid(t, topic, "AllowPublishCloudWatch")["Condition"]); got != sourceAccount {
			t.Errorf("%s: CloudWatch may publish with condition %s, want %s", s.Name, got, sourceAccount)
		}
		tls := bySid(t, topic, "AllowPublishThroughSSLOnly")
		if tls["Effect"] != "Deny" || jsonOf(t, tls["Condition"]) != `{"Bool":{"aws:SecureTransport":"false"}}` {
			t.Errorf("%s: no deny of publishing without TLS: %s", s.Name, jsonOf(t, tls))
		}
		var emails []string
		for _, sub := range resourcesOfType(s, "AWS::SNS::Subscription") {
			if sub.Properties["Protocol"] == "email" {
				emails = append(emails, sub.Properties["Endpoint"].(string))
			}
		}
		slices.Sort(emails)
		if want := slices.Sorted(slices.Values(acc.Notifications.Emails)); !slices.Equal(emails, want) {
			t.Errorf("%s: e-mail subscriptions %v, want %v", s.Name, emails, want)
		}
	}
}
