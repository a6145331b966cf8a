package orgadmin

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/secure-baseline/cdk-baseline/constructs/accessanalyzer"
	"github.com/secure-baseline/cdk-baseline/constructs/guardduty"
	"github.com/secure-baseline/cdk-baseline/constructs/inspector"
	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// Names of what Administration makes.
const (
	// AggregatorName is the organization Config aggregator.
	AggregatorName = naming.NamePrefix + "organization"
	// AggregatorManagedPolicy is the AWS managed policy of that role
	// (https://docs.aws.amazon.com/config/latest/developerguide/security-iam-awsmanpol.html#security-iam-awsmanpol-AWSConfigRoleForOrganizations).
	AggregatorManagedPolicy = "service-role/AWSConfigRoleForOrganizations"
)

// AdministrationProps configure Administration, in the administrator
// account of one region. The zero value administers all four services
// with every GuardDuty plan and Inspector scan type.
type AdministrationProps struct {
	// Skip leaves these services out.
	// Default: none.
	Skip []Service
	// RegionalOnly leaves out the parts that belong in one region only:
	// the organization aggregator and the unused-access analyzer, for the
	// stacks of the other regions.
	// Default: false, the stack's region holds them.
	RegionalOnly bool
	// GuardDutyDisabledPlans are the protection plans auto-enable turns
	// off (NONE) in every member, and the administrator's own detector
	// too; every other plan is turned on (ALL).
	// Default: none, every plan is on.
	GuardDutyDisabledPlans []guardduty.Plan
	// GuardDutyFindingFrequency of the administrator's own detector.
	// Default: guardduty.Every15Minutes.
	GuardDutyFindingFrequency guardduty.Frequency
	// GuardDutyAvailability leaves out the plans that do not exist in the
	// stack's region, as the detector does (guardduty.Props.Availability).
	// Default: nil, every plan is taken to exist.
	GuardDutyAvailability guardduty.Availability
	// InspectorScans are the scan types auto-enabled for new members.
	// Default: all of inspector.ScanTypes.
	InspectorScans []inspector.ScanType
	// AggregatorRegions are the regions the aggregator collects.
	// Default: every region (AllAwsRegions), present and future.
	AggregatorRegions []string
}

// Administration is what the delegated administrator turns on for the
// organization in one region.
type Administration struct {
	constructs.Construct
	// Settings are the custom resources by construct id (GuardDutyDetector,
	// GuardDutyAdministratorDetector, GuardDutyOrganizationConfiguration,
	// InspectorOrganizationConfiguration), for tests.
	Settings map[string]*sdkcall.Setting
	// Calls are the settings' Apply calls, in the order made, with their
	// construct ids (also their resource types, Custom::<ID>), for review
	// and tests.
	Calls []NamedCall
	// Aggregator is the organization aggregator, or nil.
	Aggregator awsconfig.CfnConfigurationAggregator
	// Analyzers are the organization analyzers made here.
	Analyzers []*accessanalyzer.Analyzer
}

// NewAdministration turns the services on for the organization from the
// stack of scope, which must be the delegated administrator's (the
// services refuse these calls from any other account), deployed after
// the management account designated it (New).
func NewAdministration(scope constructs.Construct, id string, props AdministrationProps) *Administration {
	for i, s := range props.Skip {
		if !slices.Contains(Services, s) {
			panic(fmt.Sprintf("orgadmin: Skip[%d] %q is not one of %v", i, s, Services))
		}
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	a := &Administration{Construct: c, Settings: map[string]*sdkcall.Setting{}}
	on := func(s Service) bool { return !slices.Contains(props.Skip, s) }
	if on(GuardDuty) {
		a.guardDuty(props)
	}
	if on(Inspector) {
		scans := props.InspectorScans
		if len(scans) == 0 {
			scans = inspector.ScanTypes
		}
		auto := map[string]any{}
		for _, t := range inspector.ScanTypes {
			auto[string(t)] = slices.Contains(scans, t)
		}
		if auto[string(inspector.LambdaCode)] == true && auto[string(inspector.Lambda)] == false {
			panic("orgadmin: InspectorScans has lambdaCode without lambda; Lambda code scanning needs Lambda standard scanning")
		}
		// autoEnable's keys are the ScanType values (botocore's AutoEnable
		// shape: ec2, ecr, lambda, lambdaCode). It applies to accounts that
		// join the organization; the administrator activates the members
		// there already once (README, organization mode)
		// (https://docs.aws.amazon.com/inspector/v2/APIReference/API_UpdateOrganizationConfiguration.html).
		a.setting("InspectorOrganizationConfiguration", Inspector, sdkcall.Call{
			Service: "Inspector2", Action: "updateOrganizationConfiguration",
			Parameters: map[string]any{"autoEnable": auto},
			Permission: "inspector2:UpdateOrganizationConfiguration",
		})
	}
	if on(AccessAnalyzer) {
		a.Analyzers = append(a.Analyzers, accessanalyzer.New(c, "OrganizationAnalyzer", accessanalyzer.Props{Zone: accessanalyzer.Organization}))
		if !props.RegionalOnly {
			a.Analyzers = append(a.Analyzers, accessanalyzer.New(c, "UnusedAccessAnalyzer", accessanalyzer.Props{Zone: accessanalyzer.OrganizationUnusedAccess}))
		}
	}
	if on(AWSConfig) && !props.RegionalOnly {
		a.aggregator(props)
	}
	return a
}

// setting makes one sdkcall setting, Custom::<id>, and records its call.
func (a *Administration) setting(id string, s Service, call sdkcall.Call) *sdkcall.Setting {
	setting := sdkcall.New(a.Construct, id, sdkcall.Props{ResourceType: "Custom::" + id, Apply: call})
	a.Settings[id] = setting
	a.Calls = append(a.Calls, NamedCall{ID: id, Service: s, Call: call})
	return setting
}

// guardDuty adopts the detector GuardDuty made when the account became the
// administrator, sets its plans, and turns on auto-enable ALL.
func (a *Administration) guardDuty(props AdministrationProps) {
	stack := awscdk.Stack_Of(a.Construct)
	frequency := props.GuardDutyFindingFrequency
	if frequency == "" {
		frequency = guardduty.Every15Minutes
	}
	if guardduty.FrequencyName(frequency) == "" {
		panic(fmt.Sprintf("orgadmin: GuardDutyFindingFrequency %q is not one of 15m, 1h, 6h", frequency))
	}
	guardduty.Disabled(props.GuardDutyDisabledPlans) // checks the plans
	// "For this administrator account, GuardDuty gets enabled
	// automatically" when the management account designates it
	// (https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_organizations.html),
	// so the account has exactly one detector, made by GuardDuty (or by an
	// earlier deploy of its own stack, which retains it): read its id.
	detector := a.setting("GuardDutyDetector", GuardDuty, sdkcall.Call{
		Service: "GuardDuty", Action: "listDetectors",
		Permission: "guardduty:ListDetectors",
		Output:     "DetectorIds[0]",
	})
	detectorID := detector.Value()
	detectorArn := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("guardduty"), Resource: jsii.String("detector"), ResourceName: detectorID,
	})
	region := *stack.Region()
	var own, org []any
	for _, p := range guardduty.Plans {
		if props.GuardDutyAvailability != nil && !*awscdk.Token_IsUnresolved(jsii.String(region)) && !props.GuardDutyAvailability.PlanAvailable(string(p), region) {
			continue // as the detector does: the plan cannot be set here
		}
		enabled := !slices.Contains(props.GuardDutyDisabledPlans, p)
		status, auto := "DISABLED", "NONE"
		if enabled {
			status, auto = "ENABLED", "ALL"
		}
		f := map[string]any{"Name": guardduty.Feature(p), "Status": status}
		o := map[string]any{"Name": guardduty.Feature(p), "AutoEnable": auto}
		if p == guardduty.Runtime && enabled {
			var agents, orgAgents []any
			for _, n := range guardduty.RuntimeAgents() {
				agents = append(agents, map[string]any{"Name": n, "Status": "ENABLED"})
				orgAgents = append(orgAgents, map[string]any{"Name": n, "AutoEnable": "ALL"})
			}
			f["AdditionalConfiguration"] = agents
			o["AdditionalConfiguration"] = orgAgents
		}
		own = append(own, f)
		org = append(org, o)
	}
	a.setting("GuardDutyAdministratorDetector", GuardDuty, sdkcall.Call{
		Service: "GuardDuty", Action: "updateDetector",
		Parameters: map[string]any{
			"DetectorId": detectorID, "Enable": true,
			"FindingPublishingFrequency": guardduty.FrequencyName(frequency), "Features": own,
		},
		Permission: "guardduty:UpdateDetector",
		Resource:   *detectorArn,
	})
	// ALL: "all accounts in the organization have GuardDuty enabled
	// automatically", new ones and existing ones
	// (https://docs.aws.amazon.com/guardduty/latest/APIReference/API_UpdateOrganizationConfiguration.html),
	// each with the plans of Features.
	a.setting("GuardDutyOrganizationConfiguration", GuardDuty, sdkcall.Call{
		Service: "GuardDuty", Action: "updateOrganizationConfiguration",
		Parameters: map[string]any{
			"DetectorId": detectorID, "AutoEnableOrganizationMembers": "ALL", "Features": org,
		},
		Permission: "guardduty:UpdateOrganizationConfiguration",
	})
}

// aggregator is the organization aggregator and its role.
func (a *Administration) aggregator(props AdministrationProps) {
	// The role's name is CloudFormation's, which starts with the stack's
	// name: the access model's operator deny protects the roles of the
	// baseline's stacks by that prefix (policies/iam/operator-deny.json).
	role := awsiam.NewRole(a.Construct, jsii.String("AggregatorRole"), &awsiam.RoleProps{
		Description:     jsii.String("AWS Config reads the organization's accounts for the organization aggregator " + AggregatorName),
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(AggregatorManagedPolicy))},
	})
	cdknag.NagSuppressions_AddResourceSuppressions(role, &[]*cdknag.NagPackSuppression{{
		Id:        jsii.String("AwsSolutions-IAM4"),
		Reason:    jsii.String("AWSConfigRoleForOrganizations is the policy AWS Config documents for an organization aggregator's role; AWS keeps it to the Organizations read calls the aggregator makes"),
		AppliesTo: &[]any{"Policy::arn:<AWS::Partition>:iam::aws:policy/" + AggregatorManagedPolicy},
	}}, jsii.Bool(true))
	source := &awsconfig.CfnConfigurationAggregator_OrganizationAggregationSourceProperty{RoleArn: role.RoleArn()}
	if len(props.AggregatorRegions) > 0 {
		source.AwsRegions = jsii.Strings(props.AggregatorRegions...)
		source.AllAwsRegions = jsii.Bool(false)
	} else {
		source.AllAwsRegions = jsii.Bool(true)
	}
	agg := awsconfig.NewCfnConfigurationAggregator(a.Construct, jsii.String("Aggregator"), &awsconfig.CfnConfigurationAggregatorProps{
		ConfigurationAggregatorName:   jsii.String(AggregatorName),
		OrganizationAggregationSource: source,
	})
	// The role and its managed policy must be in place when AWS Config
	// first reads the organization.
	agg.Node().AddDependency(role)
	a.Aggregator = agg
}
