package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/naming"
)

// ArchiveKeyArn is how acc's stack in region names the log archive's key,
// for the trail (CloudTrail KmsKeyId) and for AWS Config's delivery channel
// (S3KmsKeyArn). A key ARN wherever one can be known, because:
//
//   - AWS Config documents s3KmsKeyArn as "the Amazon Resource Name (ARN) of
//     the ... KMS key" and nothing else
//     (https://docs.aws.amazon.com/config/latest/APIReference/API_DeliveryChannel.html);
//   - S3, which Config and CloudTrail write through, says "If you are using
//     encryption with cross-account or AWS service operations, you must use
//     a fully qualified KMS key ARN"
//     (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html).
//
// So:
//
//  1. In the stack that holds the archive (its owner's home region), the
//     key's own ARN, a reference that also makes CloudFormation create the
//     key before anything that names it.
//  2. Elsewhere, the owner's trail.archiveKeyArn, once the operator has set
//     it from the owner stack's output LogArchiveKeyArn. CloudFormation
//     cannot read another region's or another account's stack outputs or
//     SSM parameters, and KMS gives a key its id only when it is created, so
//     no stack can know it before that first deploy.
//  3. Until then, the alias ARN. CloudTrail documents it for KmsKeyId ("a
//     fully specified ARN to an alias",
//     https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
//     For Config it is undocumented; if Config refused it, the deploy would
//     fail with InvalidS3KmsKeyArnException, loudly, rather than lose
//     snapshots quietly; setting archiveKeyArn removes the doubt.
func ArchiveKeyArn(stack awscdk.Stack, cfg *config.Config, acc config.Account, region string) *string {
	archive := LogArchive(cfg, acc)
	if archive.ID == acc.ID && region == acc.HomeRegion {
		if c := stack.Node().TryFindChild(jsii.String(archiveID)); c != nil {
			if k, ok := c.Node().TryFindChild(jsii.String("Key")).(awskms.IKey); ok {
				return k.KeyArn()
			}
		}
	}
	if arn := archive.Trail.ArchiveKeyArn; arn != "" {
		return jsii.String(arn)
	}
	return jsii.String(audittrail.KeyAliasArn(*stack.Partition(), archive.HomeRegion, archive.ID))
}

// archiveID is the construct id of the log archive in its owner's home
// stack.
const archiveID = "LogArchive"

// organizationTrailWriter is the organization trail as a writer of acc's
// archive, when acc is the organization's log archive account and the
// organization trail is on.
func organizationTrailWriter(cfg *config.Config, acc config.Account) (audittrail.Writer, bool) {
	o := cfg.Organization
	if !o.OrganizationTrailOn() || acc.Name != o.LogArchiveAccount || acc.StackSetMember {
		return audittrail.Writer{}, false
	}
	mgmt, ok := cfg.OrgAccount(o.ManagementAccount)
	if !ok {
		return audittrail.Writer{}, false
	}
	return audittrail.Writer{AccountID: mgmt.ID, Region: mgmt.HomeRegion, TrailName: naming.OrganizationTrailName, OrganizationID: o.ID}, true
}

// OrganizationTrailKeyArn is how the organization trail, in the management
// account, names the log archive account's key: by the key ARN that
// account's trail.archiveKeyArn gives, or else by the key's alias ARN.
// Another account's key can only be named by one of those two: "To specify
// a KMS key in a different AWS account, you must use its key ARN or alias
// ARN" (https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id),
// and CloudTrail's KmsKeyId takes "a fully specified ARN to an alias" or
// "to a key" (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html).
// Both are literals known before the first deploy of the organization
// stack (the alias is deterministic, alias/baseline/cloudtrail); the key
// ARN, once set, does not change when someone re-points the alias.
func OrganizationTrailKeyArn(cfg *config.Config, partition string) string {
	archive, _ := cfg.OrgAccount(cfg.Organization.LogArchiveAccount)
	if arn := archive.Trail.ArchiveKeyArn; arn != "" {
		return arn
	}
	return audittrail.KeyAliasArn(partition, archive.HomeRegion, archive.ID)
}
