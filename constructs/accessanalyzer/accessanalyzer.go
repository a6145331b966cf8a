// Package accessanalyzer builds the region's IAM Access Analyzer, which
// reports resources shared outside the account (or the organization).
package accessanalyzer

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsaccessanalyzer"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/naming"
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
	// Default: naming.Analyzer(Zone), "baseline-account" or
	// "baseline-organization".
	Name string
}

// Analyzer is the region's IAM Access Analyzer.
type Analyzer struct {
	constructs.Construct
	// Resource is the analyzer; its logical id is that of <id>/Resource,
	// as before Analyzer wrapped it.
	Resource awsaccessanalyzer.CfnAnalyzer
}

// New builds the analyzer. Its L1 child id is "Resource".
func New(scope constructs.Construct, id string, props Props) *Analyzer {
	if props.Zone == "" {
		props.Zone = Account
	}
	if props.Zone != Account && props.Zone != Organization {
		panic(fmt.Sprintf("accessanalyzer: Zone %q must be %s or %s", props.Zone, Account, Organization))
	}
	if props.Name == "" {
		props.Name = naming.Analyzer(string(props.Zone))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	analyzer := awsaccessanalyzer.NewCfnAnalyzer(c, jsii.String("Resource"), &awsaccessanalyzer.CfnAnalyzerProps{
		Type:         jsii.String(string(props.Zone)),
		AnalyzerName: jsii.String(props.Name),
	})
	return &Analyzer{Construct: c, Resource: analyzer}
}
