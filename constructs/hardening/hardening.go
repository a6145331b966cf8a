// Package hardening makes the account settings that CloudFormation has no
// resource type for, each with one least-privilege SDK call: EBS encryption
// by default (per region), and, once per account, the IAM password policy
// and S3 Block Public Access for the whole account.
//
// Deleting the stack leaves the settings in place unless RevertOnDelete is
// set: a posture that disappears silently with a stack is a defect.
package hardening

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/constructs/internal/sdkcall"
)

// PasswordPolicy is the IAM password policy. It always requires upper and
// lower case letters, digits and symbols, lets users change their own
// password, and prevents reuse of the last 24 passwords (CIS, Security Hub
// IAM.7 and IAM.11-16).
type PasswordPolicy struct {
	// MinimumLength of a password, 14 to 128.
	// Default: 14 (CIS, Security Hub IAM.15).
	MinimumLength int
	// MaxAgeDays makes passwords expire, 1 to 1095.
	// Default: 0, passwords never expire (Security Hub IAM.17 wants 90 or less).
	MaxAgeDays int
}

// ReusePrevention is how many earlier passwords a new one may not repeat.
const ReusePrevention = 24

// Props configure Hardening.
type Props struct {
	// AccountWide adds the settings that hold for the whole account: the
	// password policy and S3 Block Public Access. Set it in one region of
	// the account only.
	// Default: false, only this region's EBS default encryption.
	AccountWide bool
	// PasswordPolicy applies with AccountWide.
	// Default: see PasswordPolicy (14 characters, no expiry).
	PasswordPolicy PasswordPolicy
	// RevertOnDelete turns the settings back off when they are removed from
	// the stack: EBS default encryption off, no password policy, no account
	// Block Public Access.
	// Default: false, they stay.
	RevertOnDelete bool
}

// Hardening is the account settings of one region.
type Hardening struct {
	constructs.Construct
}

// New builds the settings.
func New(scope constructs.Construct, id string, props Props) *Hardening {
	pp := props.PasswordPolicy
	if pp.MinimumLength == 0 {
		pp.MinimumLength = 14
	}
	if pp.MinimumLength < 14 || pp.MinimumLength > 128 {
		panic(fmt.Sprintf("hardening: PasswordPolicy.MinimumLength %d must be from 14 (CIS) to 128", pp.MinimumLength))
	}
	if pp.MaxAgeDays < 0 || pp.MaxAgeDays > 1095 {
		panic(fmt.Sprintf("hardening: PasswordPolicy.MaxAgeDays %d must be from 1 to 1095, or 0 for no expiry", pp.MaxAgeDays))
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	revert := func(call sdkcall.Call) *sdkcall.Call {
		if !props.RevertOnDelete {
			return nil
		}
		return &call
	}

	sdkcall.New(c, "EbsEncryptionByDefault", sdkcall.Props{
		ResourceType: "Custom::EbsEncryptionByDefault",
		Apply:        sdkcall.Call{Service: "EC2", Action: "enableEbsEncryptionByDefault", Permission: "ec2:EnableEbsEncryptionByDefault"},
		Revert:       revert(sdkcall.Call{Service: "EC2", Action: "disableEbsEncryptionByDefault", Permission: "ec2:DisableEbsEncryptionByDefault"}),
	})
	if !props.AccountWide {
		return &Hardening{Construct: c}
	}

	policy := map[string]any{
		"MinimumPasswordLength":      pp.MinimumLength,
		"RequireUppercaseCharacters": true,
		"RequireLowercaseCharacters": true,
		"RequireNumbers":             true,
		"RequireSymbols":             true,
		"AllowUsersToChangePassword": true,
		"PasswordReusePrevention":    ReusePrevention,
		"HardExpiry":                 false,
	}
	if pp.MaxAgeDays > 0 {
		policy["MaxPasswordAge"] = pp.MaxAgeDays
	}
	sdkcall.New(c, "PasswordPolicy", sdkcall.Props{
		ResourceType: "Custom::AccountPasswordPolicy",
		Apply:        sdkcall.Call{Service: "IAM", Action: "updateAccountPasswordPolicy", Parameters: policy, Permission: "iam:UpdateAccountPasswordPolicy"},
		Revert: revert(sdkcall.Call{Service: "IAM", Action: "deleteAccountPasswordPolicy", Permission: "iam:DeleteAccountPasswordPolicy",
			IgnoreErrors: "^NoSuchEntityException$"}),
	})

	account := awscdk.Stack_Of(c).Account()
	sdkcall.New(c, "S3BlockPublicAccess", sdkcall.Props{
		ResourceType: "Custom::AccountPublicAccessBlock",
		Apply: sdkcall.Call{Service: "S3Control", Action: "putPublicAccessBlock", Permission: "s3:PutAccountPublicAccessBlock",
			Parameters: map[string]any{
				"AccountId": account,
				"PublicAccessBlockConfiguration": map[string]any{
					"BlockPublicAcls":       true,
					"IgnorePublicAcls":      true,
					"BlockPublicPolicy":     true,
					"RestrictPublicBuckets": true,
				},
			}},
		// DeletePublicAccessBlock is authorized by s3:PutAccountPublicAccessBlock.
		Revert: revert(sdkcall.Call{Service: "S3Control", Action: "deletePublicAccessBlock", Permission: "s3:PutAccountPublicAccessBlock",
			Parameters: map[string]any{"AccountId": account}}),
	})
	return &Hardening{Construct: c}
}
