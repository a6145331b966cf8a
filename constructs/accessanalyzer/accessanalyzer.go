// Package accessanalyzer builds the region's IAM Access Analyzer, which
// reports resources shared outside the account (or the organization).
package accessanalyzer

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsaccessanalyzer"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Zone says whose boundary the analyzer watches.
type Zone string

const (
	// Account reports access from outside this account.
	Account Zone = "ACCOUNT"
	// Organization reports access from outside the organization; deploy it
	// only in the organization's management or delegated-admin account.
	Organization Zone = "ORGANIZATION"
)

// Props configure an Analyzer.
type Props struct {
	// Zone of trust.
	// Default: Account.
	Zone Zone
	// Name of the analyzer.
	// Default: "baseline-<zone in lower case>".
	Name string
}

// New builds the analyzer. Its L1 child id is "Resource".
func New(scope constructs.Construct, id string, props Props) awsaccessanalyzer.CfnAnalyzer {
	if props.Zone == "" {
		props.Zone = Account
	}
	if props.Zone != Account && props.Zone != Organization {
		panic(fmt.Sprintf("accessanalyzer: Zone %q must be %s or %s", props.Zone, Account, Organization))
	}
	if props.Name == "" {
		props.Name = "baseline-" + map[Zone]string{Account: "account", Organization: "organization"}[props.Zone]
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	return awsaccessanalyzer.NewCfnAnalyzer(c, jsii.String("Resource"), &awsaccessanalyzer.CfnAnalyzerProps{
		Type:         jsii.String(string(props.Zone)),
		AnalyzerName: jsii.String(props.Name),
	})
}
