// Package keypolicy holds key-policy statements that every KMS key of the
// baseline carries, whatever it encrypts.
package keypolicy

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"
)

// DenyGrantsSid is the statement id of DenyGrants.
const DenyGrantsSid = "DenyGrantsExceptForAWSResources"

// DenyGrants adds to key's policy a statement that refuses kms:CreateGrant
// to every principal unless an AWS service asks for it (the caller is a
// service principal, aws:PrincipalIsAWSService) or asks on behalf of an
// AWS resource (kms:GrantIsForAWSResource, set when an integrated service
// such as EBS creates the grant). A grant is a second, policy-less way to
// use a key; none of the baseline's services (CloudTrail, CloudWatch Logs,
// AWS Config, SNS, S3) need one, so nobody in the account may hand out
// grants on these keys.
//
// This is AWS Control Tower's proactive control CT.KMS.PR.3, in the exact
// form its cfn-guard rule checks (Deny, Principal "*", Resource "*",
// BoolIfExists false on both keys):
// https://docs.aws.amazon.com/controltower/latest/controlreference/kms-rules.html#ct-kms-pr-3-description
// Condition keys: kms:GrantIsForAWSResource
// https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-grant-is-for-aws-resource
// and aws:PrincipalIsAWSService
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalisawsservice
// BoolIfExists: a direct call by a user or role has no
// kms:GrantIsForAWSResource key at all, and must be denied too.
func DenyGrants(key awskms.Key) {
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(DenyGrantsSid),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"BoolIfExists": map[string]any{
				"kms:GrantIsForAWSResource": "false",
				"aws:PrincipalIsAWSService": "false",
			},
		},
	}), jsii.Bool(false))
}
