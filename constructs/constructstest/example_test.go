package constructstest_test

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/accessmodel"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/securityalarms"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// A user's own stack with the audit trail, the security alarms on its log
// group, and the access model: roles reached only with MFA from the
// groups of the same account. This is the README's "Use the constructs in
// your own app", run by go test.
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("MySecurity"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})

	// The log archive (bucket, access-log bucket, key) and the trail that
	// writes to it; the archive's key also encrypts the trail's log group.
	archive := audittrail.NewArchive(stack, "LogArchive", audittrail.ArchiveProps{
		LogGroupNames: []string{audittrail.DefaultLogGroup},
	})
	trail := audittrail.NewTrail(stack, "AuditTrail", audittrail.TrailProps{Archive: archive})

	// The alarm topic: without a subscriber, synth fails.
	topic := alerttopic.New(stack, "Alarms", alerttopic.Props{Emails: []string{"security@example.com"}})

	// The alarm catalog (policies/alarms.yaml), with its defaults.
	catalog, err := policies.Alarms()
	if err != nil {
		panic(err)
	}
	resolved, err := policies.Resolve(catalog, policies.AlarmChoices{},
		policies.AlarmParams{AdminRoleName: accessmodel.DefaultAdminRoleName})
	if err != nil {
		panic(err)
	}
	securityalarms.New(stack, "SecurityAlarms", securityalarms.Props{
		LogGroup: trail.LogGroup,
		Topic:    topic.Topic,
		Alarms:   policies.Deployed(resolved),
	})

	// The access model: three roles, and the groups that reach them.
	accessmodel.NewRoles(stack, "Roles", accessmodel.RolesProps{})
	accessmodel.NewGroups(stack, "Groups", accessmodel.GroupsProps{
		Targets: []accessmodel.Target{{AccountID: "111111111111"}},
	})

	// Synthesize, as `cdk synth` would, and list what the stack holds.
	raw := app.Synth(nil).GetStackByName(stack.StackName()).Template()
	var tmpl struct {
		Resources map[string]struct {
			Type       string
			Properties map[string]any
		}
	}
	data, _ := json.Marshal(raw)
	_ = json.Unmarshal(data, &tmpl)
	var names []string
	alarmsOnTopic := 0
	for _, r := range tmpl.Resources {
		switch r.Type {
		case "AWS::CloudTrail::Trail":
			names = append(names, "trail "+r.Properties["TrailName"].(string))
		case "AWS::Logs::LogGroup":
			names = append(names, "log group "+r.Properties["LogGroupName"].(string))
		case "AWS::SNS::Topic":
			names = append(names, "topic "+r.Properties["TopicName"].(string))
		case "AWS::IAM::Role":
			if n, ok := r.Properties["RoleName"].(string); ok {
				names = append(names, "role "+n)
			}
		case "AWS::CloudWatch::Alarm":
			alarmsOnTopic++
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Println(n)
	}
	fmt.Println("alarms:", alarmsOnTopic == len(policies.Deployed(resolved)))
	// Output:
	// log group /baseline/cloudtrail
	// role BaselineAdmin
	// role BaselineOperator
	// role BaselineReadOnly
	// topic baseline-alarms
	// trail baseline-trail
	// alarms: true
}
