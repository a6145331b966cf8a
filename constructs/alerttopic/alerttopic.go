// Package alerttopic builds the SNS topic that carries the baseline's alarms
// and findings to people: encrypted with its own customer-managed KMS key
// (an AWS-managed key silently drops CloudWatch alarm notifications), open
// to CloudWatch and EventBridge of this account only, TLS-only.
//
// Security Hub's CloudWatch.1-14 checks need the topic to have at least one
// subscriber. An e-mail subscription delivers nothing until its recipient
// confirms it from the e-mail AWS sends.
package alerttopic

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/keypolicy"
)

// Publishers are the AWS services allowed to publish to the topic and to use
// its key, each only on behalf of the topic's own account.
var Publishers = []string{"cloudwatch.amazonaws.com", "events.amazonaws.com"}

// Props configure an AlertTopic.
type Props struct {
	// TopicName is the topic's name.
	// Default: "baseline-alarms".
	TopicName string
	// KeyAlias names the topic's KMS key.
	// Default: "alias/baseline/alarms".
	KeyAlias string
	// Emails subscribe to the topic. Each must confirm its subscription.
	// Default: none.
	Emails []string
	// HTTPSEndpoints subscribe to the topic over HTTPS.
	// Default: none.
	HTTPSEndpoints []string
}

// AlertTopic is the encrypted alarm topic and its key.
type AlertTopic struct {
	constructs.Construct
	Topic awssns.Topic
	Key   awskms.Key
}

// New builds the topic, its key, its policy and its subscriptions.
func New(scope constructs.Construct, id string, props Props) *AlertTopic {
	if props.TopicName == "" {
		props.TopicName = "baseline-alarms"
	}
	if props.KeyAlias == "" {
		props.KeyAlias = "alias/baseline/alarms"
	}
	if !strings.HasPrefix(props.KeyAlias, "alias/") || strings.HasPrefix(props.KeyAlias, "alias/aws/") {
		panic(fmt.Sprintf("alerttopic: KeyAlias %q must start with alias/ and not with alias/aws/", props.KeyAlias))
	}

	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)

	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the baseline's alarm topic " + props.TopicName),
		Alias:             jsii.String(props.KeyAlias),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN,
	})
	for _, service := range Publishers {
		statement := &awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowPublisher" + serviceName(service)),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
			Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
			Resources:  jsii.Strings("*"),
		}
		// EventBridge's statement has no condition, on purpose. The SNS
		// guide: "Adding the aws:SourceAccount, aws:SourceArn, and
		// aws:SourceOrgID to a AWS KMS policy is not supported for
		// EventBridge-to-encrypted topics"
		// (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html),
		// and no AWS page names an encryption context EventBridge's
		// requests carry. A condition here would make every finding
		// delivery fail, with nothing but the rule's FailedInvocations
		// metric to show it. The account boundary is the topic policy:
		// sns:Publish by EventBridge needs aws:SourceAccount of this
		// account. What stays open: EventBridge acting for another account
		// could use this key for that account's own data if it names the
		// key; that reveals none of this topic's messages.
		// test/delivery_test.go proves both sides (paths rule-kms and
		// rule-sns, and a negative test that adds a condition here).
		if service != "events.amazonaws.com" {
			statement.Conditions = &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			}
		}
		key.AddToResourcePolicy(awsiam.NewPolicyStatement(statement), jsii.Bool(false))
	}
	keypolicy.DenyGrants(key)

	topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
		TopicName:   jsii.String(props.TopicName),
		DisplayName: jsii.String("Security baseline alarms"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	for _, service := range Publishers {
		topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AllowPublish" + serviceName(service)),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
			Actions:    jsii.Strings("sns:Publish"),
			Resources:  &[]*string{topic.TopicArn()},
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			},
		}))
	}

	// Subscriptions are keyed by their endpoint, not their position, so that
	// reordering the list does not re-create (and un-confirm) them.
	for _, email := range props.Emails {
		awssns.NewSubscription(c, jsii.String("Email-"+email), &awssns.SubscriptionProps{
			Topic:    topic,
			Protocol: awssns.SubscriptionProtocol_EMAIL,
			Endpoint: jsii.String(email),
		})
	}
	for _, url := range props.HTTPSEndpoints {
		awssns.NewSubscription(c, jsii.String("Https-"+strings.ReplaceAll(url, "/", "_")), &awssns.SubscriptionProps{
			Topic:    topic,
			Protocol: awssns.SubscriptionProtocol_HTTPS,
			Endpoint: jsii.String(url),
		})
	}
	return &AlertTopic{Construct: c, Topic: topic, Key: key}
}

// serviceName turns "cloudwatch.amazonaws.com" into "CloudWatch"-like Sid text.
func serviceName(principal string) string {
	name, _, _ := strings.Cut(principal, ".")
	switch name {
	case "cloudwatch":
		return "CloudWatch"
	case "events":
		return "EventBridge"
	}
	return strings.ToUpper(name[:1]) + name[1:]
}
