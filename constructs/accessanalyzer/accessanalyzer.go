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
	// OrganizationUnusedAccess reports the organization's unused roles,
	// users' keys and passwords, and unused permissions; deploy it only in
	// the organization's management or delegated-admin account. It is
	// charged per IAM role and user analyzed a month, and its findings do
	// not change by region: one analyzer, in one region, covers the
	// organization
	// (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-create-unused.html).
	OrganizationUnusedAccess Zone = "ORGANIZATION_UNUSED_ACCESS"
)

// DefaultUnusedAccessAgeDays is how long access must have gone unused
// before an unused-access analyzer reports it, unless Props say otherwise.
const DefaultUnusedAccessAgeDays = 90

// Props configure an Analyzer.
type Props struct {
	// Zone of trust.
	// Default: Account.
	Zone Zone
	// Name of the analyzer.
	// Default: naming.Analyzer(Zone), "baseline-account",
	// "baseline-organization" or "baseline-organization_unused_access".
	Name string
	// UnusedAccessAgeDays is how many days a role, key, password or
	// permission must have gone unused to be reported, 1 to 365; only for
	// OrganizationUnusedAccess.
	// Default: DefaultUnusedAccessAgeDays (90).
	UnusedAccessAgeDays int
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
	if props.Zone != Account && props.Zone != Organization && props.Zone != OrganizationUnusedAccess {
		panic(fmt.Sprintf("accessanalyzer: Zone %q must be %s, %s or %s", props.Zone, Account, Organization, OrganizationUnusedAccess))
	}
	if props.UnusedAccessAgeDays != 0 && props.Zone != OrganizationUnusedAccess {
		panic(fmt.Sprintf("accessanalyzer: UnusedAccessAgeDays is for Zone %s only, not %s", OrganizationUnusedAccess, props.Zone))
	}
	if props.UnusedAccessAgeDays < 0 || props.UnusedAccessAgeDays > 365 {
		panic(fmt.Sprintf("accessanalyzer: UnusedAccessAgeDays %d must be 1 to 365", props.UnusedAccessAgeDays))
	}
	if props.Name == "" {
		props.Name = naming.Analyzer(string(props.Zone))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	cfn := &awsaccessanalyzer.CfnAnalyzerProps{
		Type:         jsii.String(string(props.Zone)),
		AnalyzerName: jsii.String(props.Name),
	}
	if props.Zone == OrganizationUnusedAccess {
		if props.UnusedAccessAgeDays == 0 {
			props.UnusedAccessAgeDays = DefaultUnusedAccessAgeDays
		}
		cfn.AnalyzerConfiguration = &awsaccessanalyzer.CfnAnalyzer_AnalyzerConfigurationProperty{
			UnusedAccessConfiguration: &awsaccessanalyzer.CfnAnalyzer_UnusedAccessConfigurationProperty{
				UnusedAccessAge: jsii.Number(float64(props.UnusedAccessAgeDays)),
			},
		}
	}
	analyzer := awsaccessanalyzer.NewCfnAnalyzer(c, jsii.String("Resource"), cfn)
	return &Analyzer{Construct: c, Resource: analyzer}
}
