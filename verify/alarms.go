package verify

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
)

// alarms checks each alarm of the template: it exists, its actions are
// enabled (ActionsEnabled false silences it), and it is not in ALARM
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricAlarm.html).
func (r *run) alarms(ctx context.Context, c *Clients, at scope, alarms []Alarm) {
	got := map[string]cwtypes.MetricAlarm{}
	// DescribeAlarms takes at most 100 names a call.
	for start := 0; start < len(alarms); start += 100 {
		var names []string
		for _, a := range alarms[start:min(start+100, len(alarms))] {
			names = append(names, a.Name)
		}
		var token *string
		for {
			out, err := c.CloudWatch.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: names, NextToken: token})
			if err != nil {
				for _, a := range alarms {
					r.cannot("alarms", at, a.Name, err)
				}
				return
			}
			for _, m := range out.MetricAlarms {
				got[aws.ToString(m.AlarmName)] = m
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
	}
	for _, a := range alarms {
		m, ok := got[a.Name]
		switch {
		case !ok:
			r.fail("alarms", at, a.Name, "the alarm does not exist")
		case a.ActionsEnabled && !aws.ToBool(m.ActionsEnabled):
			r.fail("alarms", at, a.Name, "ActionsEnabled is false: it notifies nobody")
		case m.StateValue == cwtypes.StateValueAlarm:
			r.fail("alarms", at, a.Name, "in ALARM since %s: %s", aws.ToTime(m.StateUpdatedTimestamp).UTC().Format("2006-01-02 15:04 MST"), aws.ToString(m.StateReason))
		default:
			r.pass("alarms", at, a.Name, fmt.Sprintf("actions enabled, state %s", m.StateValue))
		}
		r.results[len(r.results)-1].Control = a.Control
	}
}

// pendingConfirmation is the SubscriptionArn SNS lists for a subscription
// that was never confirmed: an e-mail endpoint receives nothing until
// someone follows the link in the confirmation message
// (https://docs.aws.amazon.com/sns/latest/dg/sns-email-notifications.html,
// https://docs.aws.amazon.com/sns/latest/api/API_Subscription.html).
const pendingConfirmation = "PendingConfirmation"

// topics checks that each subscription of the template is listed on its
// topic and confirmed.
func (r *run) topics(ctx context.Context, c *Clients, at scope, topics []Topic) {
	for _, t := range topics {
		arn := fmt.Sprintf("arn:%s:sns:%s:%s:%s", r.opts.Partition, at.region, r.opts.Account, t.Name)
		listed := map[string]string{} // protocol endpoint -> subscription ARN
		var token *string
		var err error
		for {
			var out *sns.ListSubscriptionsByTopicOutput
			out, err = c.SNS.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn), NextToken: token})
			if err != nil {
				break
			}
			for _, s := range out.Subscriptions {
				listed[aws.ToString(s.Protocol)+" "+aws.ToString(s.Endpoint)] = aws.ToString(s.SubscriptionArn)
			}
			if token = out.NextToken; token == nil {
				break
			}
		}
		for _, s := range t.Subscriptions {
			resource := t.Name + " " + s.Protocol + ":" + s.Endpoint
			sub, ok := listed[s.Protocol+" "+s.Endpoint]
			switch {
			case errorCode(err) == "NotFound":
				r.fail("topic-subscriptions", at, resource, "topic %s does not exist", arn)
			case err != nil:
				r.cannot("topic-subscriptions", at, resource, err)
			case !ok:
				r.fail("topic-subscriptions", at, resource, "no such subscription on %s", arn)
			case sub == pendingConfirmation || !strings.HasPrefix(sub, "arn:"):
				r.fail("topic-subscriptions", at, resource, "SubscriptionArn is %q: the confirmation link was never followed", sub)
			default:
				r.pass("topic-subscriptions", at, resource, "confirmed")
			}
		}
	}
}
