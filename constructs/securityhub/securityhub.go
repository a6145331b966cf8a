// Package securityhub turns on Security Hub CSPM in one region: the hub with
// consolidated control findings, the chosen standards, and, in the home
// region, the optional finding aggregator.
package securityhub

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// DefaultStandards are the standards a Hub enables unless told otherwise:
// AWS Foundational Security Best Practices and CIS AWS Foundations
// Benchmark v5.0.0, the two that check an account's own configuration
// (https://docs.aws.amazon.com/securityhub/latest/userguide/standards-reference.html).
var DefaultStandards = []string{
	"aws-foundational-security-best-practices/v/1.0.0",
	"cis-aws-foundations-benchmark/v/5.0.0",
}

// Props configure a Hub. The zero value enables DefaultStandards.
type Props struct {
	// Standards to enable, by their ARN after "standards/", e.g.
	// "aws-foundational-security-best-practices/v/1.0.0".
	// Default: DefaultStandards.
	Standards []string
	// NoStandards enables no standard at all: Security Hub then only
	// gathers the findings of other services and checks nothing itself.
	// Default: false.
	NoStandards bool
	// AggregateRegions are linked to this region by a finding aggregator,
	// which makes it the account's Security Hub home region: its console and
	// its EventBridge bus get the findings of those regions too.
	// Default: none, no aggregator.
	AggregateRegions []string
	// GlobalResourcesRegion is the account's region where AWS Config records
	// the global resource types (IAM). Set in any other region, it disables
	// there, in each standard, the controls that check global resources
	// (policies/globalcontrols.yaml), as AWS advises: this region's
	// recorder leaves those types out, so the controls would have no data
	// and Config.1 would fail; the recording region checks them. Controls
	// that do not exist in this region (policies/regions.yaml) are left
	// out of the list.
	// Default: "", every control of the standards stays enabled.
	GlobalResourcesRegion string
	// GlobalResourceControls are the controls that check global resources,
	// as each standard names them: the ones GlobalResourcesRegion disables
	// (policies.GlobalResourceControls holds AWS's list). Required with
	// GlobalResourcesRegion.
	// Default: none.
	GlobalResourceControls []Control
	// Availability leaves out of the disabled list the controls that do
	// not exist in the stack's region: there is nothing to disable, and
	// naming one could only fail the deploy. A region only known at deploy
	// time (a StackSet template) cannot be looked up. A
	// policies.RegionalLimits (policies/regions.yaml) is one.
	// Default: nil, every control is taken to exist in every region.
	Availability Availability
}

// Control is a security control as one standard names it.
type Control struct {
	// Standard is the standard's ARN after "standards/". Required.
	Standard string
	// Control is the security control id, e.g. IAM.9. Required.
	Control string
	// ID is the standard's own id of the control, e.g. 1.4 in CIS v5.0.0.
	// Required.
	ID string
}

// Availability says which Security Hub controls exist in a region.
type Availability interface {
	// ControlAvailable reports whether a security control (e.g. IAM.1)
	// exists in region.
	ControlAvailable(control, region string) bool
}

// Hub is Security Hub in one region.
type Hub struct {
	constructs.Construct
	// Hub is the hub itself. Its construct id is "Hub", not "Resource": it
	// was so before Hub was a library, and a new id would be a new logical
	// id, a replacement that fails (one hub per account and region).
	Hub       awssecurityhub.CfnHub
	Standards map[string]awssecurityhub.CfnStandard
	// Aggregator is nil without AggregateRegions.
	Aggregator awssecurityhub.CfnFindingAggregator
}

// New builds the hub, its standards and the aggregator. The hub is retained
// when removed from the stack: disabling Security Hub deletes its findings.
// Standards and the aggregator are not: removing one from the props turns
// it off.
func New(scope constructs.Construct, id string, props Props) *Hub {
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	hub := awssecurityhub.NewCfnHub(c, jsii.String("Hub"), &awssecurityhub.CfnHubProps{
		// The standards are ours to choose, below, not Security Hub's.
		EnableDefaultStandards: jsii.Bool(false),
		// One finding per control, not one per standard that has it.
		ControlFindingGenerator: jsii.String("SECURITY_CONTROL"),
		AutoEnableControls:      jsii.Bool(true),
	})
	hub.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN, nil)
	h := &Hub{Construct: c, Hub: hub, Standards: map[string]awssecurityhub.CfnStandard{}}

	region := *stack.Region()
	if g := props.GlobalResourcesRegion; g != "" && g == region {
		panic(fmt.Sprintf("securityhub: GlobalResourcesRegion %s is this stack's region; set it only in the regions that do not record global resource types", g))
	}
	if props.GlobalResourcesRegion != "" && len(props.GlobalResourceControls) == 0 {
		panic("securityhub: GlobalResourcesRegion needs GlobalResourceControls, the controls to disable (policies.GlobalResourceControls has AWS's list)")
	}
	if props.NoStandards && len(props.Standards) > 0 {
		panic("securityhub: NoStandards and Standards are both set; leave one out")
	}
	props.Standards = props.EnabledStandards()
	if len(props.Standards) > 0 {
		standards := constructs.NewConstruct(c, jsii.String("Standards"))
		for _, s := range props.Standards {
			if strings.Count(s, "/v/") != 1 || strings.HasPrefix(s, "arn:") {
				panic(fmt.Sprintf("securityhub: standard %q must be the part of its ARN after standards/, like aws-foundational-security-best-practices/v/1.0.0", s))
			}
			// The id is the standard with its version: a new version is a
			// new subscription.
			standard := awssecurityhub.NewCfnStandard(standards, jsii.String(strings.ReplaceAll(s, "/", "-")), &awssecurityhub.CfnStandardProps{
				StandardsArn:              jsii.String(StandardArn(*stack.Partition(), region, s)),
				DisabledStandardsControls: disabledControls(stack, s, props),
			})
			standard.AddResourceDependency(hub, jsii.String("a standard needs Security Hub on"))
			h.Standards[s] = standard
		}
	}
	if len(props.AggregateRegions) > 0 {
		h.Aggregator = newAggregator(c, props.AggregateRegions)
		h.Aggregator.AddResourceDependency(hub, jsii.String("an aggregator needs Security Hub on"))
	}
	return h
}

// NewAggregator builds only the finding aggregator that links regions to
// the stack's region, for an account whose Security Hub is turned on by
// others: the delegated administrator's, which its designation turns on
// (https://docs.aws.amazon.com/securityhub/latest/userguide/designate-orgs-admin-account.html).
// Its construct path is that of New's aggregator under the same id, so an
// account that moves from New to NewAggregator keeps the aggregator's
// logical id: a new one would be a second aggregator, which Security Hub
// refuses (one per account and region). Required: at least one region.
func NewAggregator(scope constructs.Construct, id string, regions []string) awssecurityhub.CfnFindingAggregator {
	if len(regions) == 0 {
		panic("securityhub: NewAggregator needs a region to link; CloudFormation's aggregator has no NO_REGIONS mode")
	}
	return newAggregator(constructs.NewConstruct(scope, jsii.String(id)), regions)
}

func newAggregator(c constructs.Construct, regions []string) awssecurityhub.CfnFindingAggregator {
	return awssecurityhub.NewCfnFindingAggregator(c, jsii.String("FindingAggregator"), &awssecurityhub.CfnFindingAggregatorProps{
		RegionLinkingMode: jsii.String("SPECIFIED_REGIONS"),
		Regions:           jsii.Strings(regions...),
	})
}

// disabledControls are the global-resource controls of a standard, each
// with its reason, when GlobalResourcesRegion is set; nil otherwise.
func disabledControls(stack awscdk.Stack, standard string, props Props) *[]*awssecurityhub.CfnStandard_StandardsControlProperty {
	var out []*awssecurityhub.CfnStandard_StandardsControlProperty
	for _, c := range DisabledControls(props, *stack.Region()) {
		if c.Standard != standard {
			continue
		}
		out = append(out, &awssecurityhub.CfnStandard_StandardsControlProperty{
			StandardsControlArn: jsii.String(ControlArn(*stack.Partition(), *stack.Region(), *stack.Account(), standard, c.ID)),
			Reason:              jsii.String(fmt.Sprintf("%s checks global resources, which AWS Config records in %s only; Security Hub checks it there", c.Control, props.GlobalResourcesRegion)),
		})
	}
	if len(out) == 0 {
		return nil
	}
	return &out
}

// DisabledControls are the controls a Hub with props disables in region,
// in props order: the global-resource controls of its standards when
// GlobalResourcesRegion is set, except those that do not exist in region.
// Organization mode's configuration policy (constructs/securityhubcentral)
// is derived from the same list. region may be an unresolved token (a
// StackSet template), which cannot be looked up.
func DisabledControls(props Props, region string) []Control {
	if props.GlobalResourcesRegion == "" {
		return nil
	}
	standards := props.EnabledStandards()
	var out []Control
	for _, c := range props.GlobalResourceControls {
		if !slices.Contains(standards, c.Standard) {
			continue
		}
		// A control that does not exist in this region does not run here:
		// there is nothing to disable, and naming it could only fail the
		// deploy (policies/regions.yaml). A region only known at deploy
		// time (a StackSet template) cannot be looked up; config
		// validation rejects that case.
		if props.Availability != nil && !*awscdk.Token_IsUnresolved(jsii.String(region)) && !props.Availability.ControlAvailable(c.Control, region) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// EnabledStandards are the standards a Hub with props enables: Standards,
// DefaultStandards when it is empty, none with NoStandards.
func (p Props) EnabledStandards() []string {
	switch {
	case p.NoStandards:
		return nil
	case len(p.Standards) == 0:
		return DefaultStandards
	}
	return p.Standards
}

// ControlArn is the ARN of a standard's control in an account and region;
// id is the standard's own id of the control (IAM.9 in FSBP, 1.4 in CIS
// v5.0.0).
func ControlArn(partition, region, account, standard, id string) string {
	return fmt.Sprintf("arn:%s:securityhub:%s:%s:control/%s/%s", partition, region, account, standard, id)
}

// StandardArn is the ARN of a standard in a region.
func StandardArn(partition, region, standard string) string {
	return fmt.Sprintf("arn:%s:securityhub:%s::standards/%s", partition, region, standard)
}
