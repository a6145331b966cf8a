package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
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
