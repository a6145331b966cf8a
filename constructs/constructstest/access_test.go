package constructstest_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/accessmodel"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
	"github.com/secure-baseline/cdk-baseline/constructs/securityalarms"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// operatorDeny is the operator role's inline deny, as JSON.
func operatorDeny(t *testing.T, tm template) string {
	t.Helper()
	for _, r := range tm.ofType("AWS::IAM::Role") {
		if r.Properties["RoleName"] == naming.OperatorRole {
			return jsonOf(t, r.Properties["Policies"])
		}
	}
	t.Fatal("no operator role")
	return ""
}

func TestAccessModel(t *testing.T) {
	t.Run("default roles: names from naming, MFA in the trust, 1/4/8 hours", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{}) })
		hours := map[string]float64{}
		for _, r := range tm.ofType("AWS::IAM::Role") {
			hours[r.Properties["RoleName"].(string)] = r.Properties["MaxSessionDuration"].(float64) / 3600
			trust := jsonOf(t, r.Properties["AssumeRolePolicyDocument"])
			if !strings.Contains(trust, `"aws:MultiFactorAuthPresent":"true"`) || !strings.Contains(trust, `"aws:MultiFactorAuthAge":"3600"`) {
				t.Errorf("%s: trust %s", r.Properties["RoleName"], trust)
			}
		}
		if jsonOf(t, hours) != `{"BaselineAdmin":1,"BaselineOperator":4,"BaselineReadOnly":8}` {
			t.Errorf("session hours %v", hours)
		}
	})
	t.Run("the operator deny protects the names the other constructs use by default", func(t *testing.T) {
		deny := operatorDeny(t, synth(t, func(s awscdk.Stack) { accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{}) }))
		for _, name := range []string{
			":trail/" + naming.TrailName,
			":log-group:" + naming.TrailLogGroup,
			":log-group:" + naming.LogGroupPrefix + "*",
			":" + naming.AlarmTopic,
			":alarm:" + naming.AlarmPrefix + "*",
			":rule/" + naming.RulePrefix + "*",
			":::" + naming.NamePrefix + "*",
			naming.KeyAliasPattern() + "*",
		} {
			if !strings.Contains(deny, name) {
				t.Errorf("the operator deny does not name %s", name)
			}
		}
	})
	t.Run("negative: a renamed trail is what the deny protects, not the default", func(t *testing.T) {
		deny := operatorDeny(t, synth(t, func(s awscdk.Stack) {
			accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{Protected: accessmodel.Protected{TrailName: "org-trail", LogGroupPrefix: "/org/"}})
		}))
		if strings.Contains(deny, ":trail/"+naming.TrailName) || !strings.Contains(deny, ":trail/org-trail") ||
			strings.Contains(deny, ":log-group:"+naming.LogGroupPrefix+"*") || !strings.Contains(deny, ":log-group:/org/*") {
			t.Errorf("deny %s", deny)
		}
	})
	t.Run("groups: one per role, each reaching its role with MFA", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			accessmodel.NewGroups(s, "Groups", accessmodel.GroupsProps{Targets: []accessmodel.Target{{AccountID: "222222222222"}}, BreakGlassUsers: []string{"alice"}})
		})
		var names []string
		for _, g := range tm.ofType("AWS::IAM::Group") {
			names = append(names, g.Properties["GroupName"].(string))
		}
		for _, want := range []string{naming.AdminGroup, naming.OperatorGroup, naming.ReadOnlyGroup, naming.BreakGlassGroup} {
			if !strings.Contains(strings.Join(names, ","), want) {
				t.Errorf("groups %v lack %s", names, want)
			}
		}
		if !strings.Contains(jsonOf(t, tm.Resources), ":iam::222222222222:role/"+naming.OperatorRole) {
			t.Errorf("no group reaches the operator role of 222222222222")
		}
		if u := tm.one(t, "AWS::IAM::User"); u.Properties["UserName"] != "alice" {
			t.Errorf("user %v", u.Properties)
		}
	})
	checkPanics(t, []panicCase{
		{"a trusted account that is not an id", func(s awscdk.Stack) {
			accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{TrustedAccountID: "Identity"})
		}, `accessmodel: TrustedAccountID "Identity" is not a 12-digit account id`},
		{"a network with host bits", func(s awscdk.Stack) {
			accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{Rule: accessmodel.Rule{AllowedSourceIPs: []string{"10.1.2.3/8"}}})
		}, `accessmodel: AllowedSourceIPs: "10.1.2.3/8" is not a CIDR network like 203.0.113.0/24`},
		{"a managed policy that is not one", func(s awscdk.Stack) {
			accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{ReadOnly: accessmodel.Role{ManagedPolicy: "Read Only"}})
		}, `accessmodel: role BaselineReadOnly: "Read Only" is neither a managed policy name (e.g. ReadOnlyAccess) nor a managed policy ARN`},
		{"a session longer than IAM allows", func(s awscdk.Stack) {
			accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{Admin: accessmodel.Role{MaxSessionHours: 13}})
		}, `accessmodel: role BaselineAdmin: MaxSessionHours 13 is not between 1 and 12`},
		{"a negative MFA age", func(s awscdk.Stack) {
			accessmodel.NewRoles(s, "Roles", accessmodel.RolesProps{Rule: accessmodel.Rule{MFAMaxAgeSeconds: -1}})
		}, `accessmodel: MFAMaxAgeSeconds -1 must be positive`},
		{"groups that reach no account", func(s awscdk.Stack) { accessmodel.NewGroups(s, "Groups", accessmodel.GroupsProps{}) },
			`accessmodel: Groups need at least one target account whose roles they may assume`},
		{"a target that is not an account id", func(s awscdk.Stack) {
			accessmodel.NewGroups(s, "Groups", accessmodel.GroupsProps{Targets: []accessmodel.Target{{AccountID: "1"}}})
		}, `accessmodel: Targets[0].AccountID "1" is not a 12-digit account id`},
		{"a break-glass user name IAM refuses", func(s awscdk.Stack) {
			accessmodel.NewGroups(s, "Groups", accessmodel.GroupsProps{Targets: []accessmodel.Target{{AccountID: "111111111111"}}, BreakGlassUsers: []string{"break glass"}})
		}, `accessmodel: break-glass user "break glass" is not an IAM user name: 1 to 64 letters, digits and +=,.@_-`},
	})
}

func TestSecurityAlarms(t *testing.T) {
	catalog, err := policies.Alarms()
	if err != nil {
		t.Fatal(err)
	}
	resolved, err := policies.Resolve(catalog, policies.AlarmChoices{}, policies.AlarmParams{AdminRoleName: naming.AdminRole})
	if err != nil {
		t.Fatal(err)
	}
	deployed := policies.Deployed(resolved)
	build := func(s awscdk.Stack, mutate func(*securityalarms.Props)) {
		props := securityalarms.Props{
			LogGroup: awslogs.LogGroup_FromLogGroupName(s, jsii.String("Trail"), jsii.String(naming.TrailLogGroup)),
			Topic:    alerttopic.New(s, "Alarms", alerttopic.Props{AllowNoSubscriber: true}).Topic,
			Alarms:   deployed,
		}
		if mutate != nil {
			mutate(&props)
		}
		securityalarms.New(s, "SecurityAlarms", props)
	}
	t.Run("default: one filter and one alarm per entry, named with naming.AlarmPrefix", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { build(s, nil) })
		alarms, filters := tm.ofType("AWS::CloudWatch::Alarm"), tm.ofType("AWS::Logs::MetricFilter")
		if len(alarms) != len(deployed) || len(filters) != len(deployed) {
			t.Fatalf("%d alarms, %d filters, want %d each", len(alarms), len(filters), len(deployed))
		}
		for _, a := range alarms {
			if !strings.HasPrefix(a.Properties["AlarmName"].(string), naming.AlarmPrefix) || a.Properties["ActionsEnabled"] != true {
				t.Errorf("alarm %v", a.Properties["AlarmName"])
			}
		}
	})
	t.Run("NamePrefix", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) {
			build(s, func(p *securityalarms.Props) { p.NamePrefix = "org-"; p.Alarms = deployed[:1] })
		})
		if a := tm.one(t, "AWS::CloudWatch::Alarm"); a.Properties["AlarmName"] != "org-"+deployed[0].ID {
			t.Errorf("alarm name %v", a.Properties["AlarmName"])
		}
	})
	t.Run("PerAccount: the filter's dimension Account is the event's recipientAccountId; the alarm a Metrics Insights query grouped by it", func(t *testing.T) {
		tm := synth(t, func(s awscdk.Stack) { build(s, func(p *securityalarms.Props) { p.PerAccount = true }) })
		alarms, filters := tm.ofType("AWS::CloudWatch::Alarm"), tm.ofType("AWS::Logs::MetricFilter")
		if len(alarms) != len(deployed) || len(filters) != len(deployed) {
			t.Fatalf("%d alarms, %d filters, want %d each", len(alarms), len(filters), len(deployed))
		}
		named := func(rs []*resource, key, name string) *resource {
			for _, r := range rs {
				if r.Properties[key] == name {
					return r
				}
			}
			t.Fatalf("no %s %s", key, name)
			return nil
		}
		for _, a := range deployed {
			mt := named(filters, "FilterName", naming.AlarmPrefix+a.ID).Properties["MetricTransformations"].([]any)[0].(map[string]any)
			if got := jsonOf(t, mt["Dimensions"]); got != `[{"Key":"Account","Value":"$.recipientAccountId"}]` || mt["DefaultValue"] != nil {
				t.Errorf("%s: filter dimensions %s, default value %v", a.ID, got, mt["DefaultValue"])
			}
			p := named(alarms, "AlarmName", naming.AlarmPrefix+a.ID).Properties
			want := fmt.Sprintf(`[{"Expression":"SELECT %s(\"%s\") FROM SCHEMA(\"%s\", Account) GROUP BY Account","Id":"perAccount","Label":"%s by account","Period":%d,"ReturnData":true}]`,
				map[string]string{"Sum": "SUM", "Maximum": "MAX"}[a.Statistic], a.MetricName, a.Namespace, a.ID, a.Period)
			if got := jsonOf(t, p["Metrics"]); got != want || p["MetricName"] != nil || p["Namespace"] != nil || p["Statistic"] != nil {
				t.Errorf("%s: alarm metrics %s, want %s (MetricName %v)", a.ID, got, want, p["MetricName"])
			}
			if p["Threshold"] != a.Threshold || p["TreatMissingData"] != "notBreaching" {
				t.Errorf("%s: threshold %v, missing data %v", a.ID, p["Threshold"], p["TreatMissingData"])
			}
		}
	})
	good := deployed[0]
	checkPanics(t, []panicCase{
		{"no log group", func(s awscdk.Stack) { build(s, func(p *securityalarms.Props) { p.LogGroup = nil }) },
			"securityalarms: LogGroup is required: the log group that receives the CloudTrail events"},
		{"no topic", func(s awscdk.Stack) { build(s, func(p *securityalarms.Props) { p.Topic = nil }) },
			"securityalarms: Topic is required: the SNS topic every alarm notifies"},
		{"no alarms", func(s awscdk.Stack) { build(s, func(p *securityalarms.Props) { p.Alarms = nil }) },
			"securityalarms: Alarms is empty; pass the resolved catalog (policies.Deployed of policies.Resolve), or build no SecurityAlarms"},
		{"a threshold of 0", func(s awscdk.Stack) {
			bad := good
			bad.Threshold = 0
			build(s, func(p *securityalarms.Props) { p.Alarms = []policies.Alarm{bad} })
		}, "securityalarms: alarm " + good.ID + ": threshold must be greater than 0, got 0; it is how many matching events in one period fire the alarm"},
		{"a pattern the matcher cannot parse", func(s awscdk.Stack) {
			bad := good
			bad.Pattern = `{ $.eventName = }`
			build(s, func(p *securityalarms.Props) { p.Alarms = []policies.Alarm{bad} })
		}, "securityalarms: alarm " + good.ID + ": pattern { $.eventName = }: filter pattern: column 17: expected a value after \"=\", found \"}\""},
		{"an unrendered template", func(s awscdk.Stack) {
			build(s, func(p *securityalarms.Props) { p.Alarms = []policies.Alarm{templated(t, catalog)} })
		}, "securityalarms: alarm " + templated(t, catalog).ID + ": pattern is not rendered; resolve the catalog with policies.Resolve first"},
		{"a description CloudWatch would refuse", func(s awscdk.Stack) {
			bad := good
			bad.Runbook = strings.Repeat("x", securityalarms.MaxDescription)
			build(s, func(p *securityalarms.Props) { p.Alarms = []policies.Alarm{bad} })
		}, fmt.Sprintf("securityalarms: alarm %s: description is %d characters, CloudWatch accepts 1024; shorten its description or runbook",
			good.ID, len(securityalarms.Description(good))-len(strings.TrimSpace(good.Runbook))+securityalarms.MaxDescription)},
		{"an entry listed twice", func(s awscdk.Stack) {
			build(s, func(p *securityalarms.Props) { p.Alarms = []policies.Alarm{good, good} })
		}, "securityalarms: alarm " + good.ID + " is listed twice (Alarms[0] and Alarms[1])"},
	})
}

// templated is the catalog's first entry with a pattern still to render.
func templated(t *testing.T, catalog []policies.Alarm) policies.Alarm {
	t.Helper()
	for _, a := range catalog {
		if a.Template && strings.Contains(a.Pattern, "{{") {
			return a
		}
	}
	t.Fatal("the catalog has no templated entry")
	return policies.Alarm{}
}
