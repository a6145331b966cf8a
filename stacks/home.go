package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
)

// addGlobalParts adds the account-global parts to the home-region stack.
func addGlobalParts(stack awscdk.Stack, acc config.Account) {
	alerttopic.New(stack, "Alarms", alerttopic.Props{
		Emails:         acc.Notifications.Emails,
		HTTPSEndpoints: acc.Notifications.HTTPSEndpoints,
	})
}
