// Package organizationtrail builds an organization trail from the
// organization's management account: CloudTrail's trusted access in AWS
// Organizations, then an audittrail.Trail with IsOrganizationTrail that
// logs every account of the organization, multi-region, with log file
// validation, into a log archive bucket and key that another account owns
// (audittrail.Archive with an organization Writer), and into a CloudWatch
// Logs group of this account.
package organizationtrail

import (
	"fmt"

	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// CloudTrailServicePrincipal is CloudTrail's service principal for trusted
// access
// (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-cloudtrail.html).
const CloudTrailServicePrincipal = "cloudtrail.amazonaws.com"

// Props configure an OrganizationTrail.
type Props struct {
	// OrganizationID is the organization's id, o-.... Required.
	OrganizationID string
	// BucketName is the log archive's bucket, in the log archive account;
	// its policy must admit this trail (audittrail.Writer.OrganizationID).
	// Required.
	BucketName string
	// KeyArn is the log archive's key: its key ARN or alias ARN, the only
	// two ways to name another account's key. Required.
	KeyArn string
	// TrailName. Default: naming.OrganizationTrailName.
	TrailName string
	// LogGroupName of the trail's log group in this account.
	// Default: naming.OrganizationTrailLogGroup.
	LogGroupName string
	// LogsKeyAlias of the log group's key.
	// Default: naming.OrganizationTrailLogsKeyAlias.
	LogsKeyAlias string
	// LogRetentionDays of the log group.
	// Default: audittrail.DefaultLogRetentionDays (365).
	LogRetentionDays int
	// ManagementEvents recorded. Default: audittrail.AllManagementEvents.
	ManagementEvents audittrail.ManagementEvents
}

// OrganizationTrail is the trusted access and the trail.
type OrganizationTrail struct {
	constructs.Construct
	// Trail is the organization trail, its log group and delivery role.
	Trail *audittrail.Trail
	// TrustedAccess is the Organizations call the trail waits for.
	TrustedAccess sdkcall.Call
}

// TrustedAccessCall turns on trusted access for CloudTrail. CreateTrail
// with IsOrganizationTrail fails with CloudTrailAccessNotEnabledException
// without it ("trusted access has not been enabled between CloudTrail and
// Organizations",
// https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html),
// and enabling it creates the service-linked role AWSServiceRoleForCloudTrail
// in the management account
// (https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-cloudtrail.html).
// The permission is conditioned on CloudTrail's principal, so the
// function can enable trusted access for no other service.
func TrustedAccessCall() sdkcall.Call {
	return sdkcall.Call{
		Service: "Organizations", Action: "enableAWSServiceAccess",
		Parameters: map[string]any{"ServicePrincipal": CloudTrailServicePrincipal},
		Permission: "organizations:EnableAWSServiceAccess",
		Conditions: map[string]any{"StringEquals": map[string]any{"organizations:ServicePrincipal": CloudTrailServicePrincipal}},
	}
}

// New builds the organization trail in scope's stack, which must be in the
// organization's management account. Removing it deletes the trail (the
// log files stay in the archive, whose bucket and key are retained) but
// leaves trusted access on: other organization features may rely on it.
func New(scope constructs.Construct, id string, props Props) *OrganizationTrail {
	switch {
	case props.OrganizationID == "":
		panic("organizationtrail: OrganizationID is required: the organization's id, o-...")
	case props.BucketName == "" || props.KeyArn == "":
		panic(fmt.Sprintf("organizationtrail: BucketName (%q) and KeyArn (%q) are required: the log archive's bucket and key", props.BucketName, props.KeyArn))
	}
	if props.TrailName == "" {
		props.TrailName = naming.OrganizationTrailName
	}
	if props.LogGroupName == "" {
		props.LogGroupName = naming.OrganizationTrailLogGroup
	}
	if props.LogsKeyAlias == "" {
		props.LogsKeyAlias = naming.OrganizationTrailLogsKeyAlias
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	call := TrustedAccessCall()
	access := sdkcall.New(c, "CloudTrailTrustedAccess", sdkcall.Props{ResourceType: "Custom::CloudTrailTrustedAccess", ApplyOnCreateOnly: true, Apply: call})
	trail := audittrail.NewTrail(c, "Trail", audittrail.TrailProps{
		TrailName:        props.TrailName,
		OrganizationID:   props.OrganizationID,
		BucketName:       props.BucketName,
		KeyArn:           jsii.String(props.KeyArn),
		LogGroupName:     props.LogGroupName,
		LogsKeyAlias:     props.LogsKeyAlias,
		LogRetentionDays: props.LogRetentionDays,
		ManagementEvents: props.ManagementEvents,
		DependsOn:        []constructs.IConstruct{access.Resource},
	})
	return &OrganizationTrail{Construct: c, Trail: trail, TrustedAccess: call}
}
