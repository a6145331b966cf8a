package verify

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
)

// passwordPolicy compares the account's password policy with the
// parameters the template's custom resource passes to
// UpdateAccountPasswordPolicy: numbers must be at least as strict
// (a longer minimum length, a longer reuse history, a shorter maximum
// age), switches equal
// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_PasswordPolicy.html).
// GetAccountPasswordPolicy answers NoSuchEntity when the account has no
// policy (https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountPasswordPolicy.html).
func (r *run) passwordPolicy(ctx context.Context, c *Clients, at scope, want map[string]any) {
	if want == nil {
		return
	}
	const res = "account password policy"
	out, err := c.IAM.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	if errorCode(err) == "NoSuchEntity" {
		r.fail("password-policy", at, res, "the account has no password policy (IAM's defaults apply)")
		return
	}
	if err != nil {
		r.cannot("password-policy", at, res, err)
		return
	}
	p := out.PasswordPolicy
	got := map[string]any{
		"AllowUsersToChangePassword": p.AllowUsersToChangePassword,
		"HardExpiry":                 aws.ToBool(p.HardExpiry),
		"MaxPasswordAge":             float64(aws.ToInt32(p.MaxPasswordAge)),
		"MinimumPasswordLength":      float64(aws.ToInt32(p.MinimumPasswordLength)),
		"PasswordReusePrevention":    float64(aws.ToInt32(p.PasswordReusePrevention)),
		"RequireLowercaseCharacters": p.RequireLowercaseCharacters,
		"RequireNumbers":             p.RequireNumbers,
		"RequireSymbols":             p.RequireSymbols,
		"RequireUppercaseCharacters": p.RequireUppercaseCharacters,
	}
	var keys []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var diffs []string
	for _, k := range keys {
		w, g := want[k], got[k]
		wn, isNum := w.(float64)
		gn, _ := g.(float64)
		switch {
		case g == nil:
			diffs = append(diffs, fmt.Sprintf("%s: verify does not know this parameter", k))
		case !isNum:
			if w != g {
				diffs = append(diffs, fmt.Sprintf("%s is %v, the template sets %v", k, g, w))
			}
		case k == "MaxPasswordAge" && (gn == 0 || gn > wn):
			diffs = append(diffs, fmt.Sprintf("%s is %v (0: never expires), the template sets %v", k, g, w))
		case k != "MaxPasswordAge" && gn < wn:
			diffs = append(diffs, fmt.Sprintf("%s is %v, the template sets %v", k, g, w))
		}
	}
	if len(diffs) > 0 {
		r.fail("password-policy", at, res, "%s", strings.Join(diffs, "; "))
	} else {
		r.pass("password-policy", at, res, "at least as strict as the template's")
	}
}

// publicAccess compares the account-level S3 Block Public Access with the
// template's (https://docs.aws.amazon.com/AmazonS3/latest/API/API_control_GetPublicAccessBlock.html;
// NoSuchPublicAccessBlockConfiguration means none is set).
func (r *run) publicAccess(ctx context.Context, c *Clients, at scope, want map[string]bool) {
	if want == nil {
		return
	}
	const res = "account S3 Block Public Access"
	out, err := c.S3Control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(r.opts.Account)})
	if errorCode(err) == "NoSuchPublicAccessBlockConfiguration" {
		r.fail("s3-account-public-access-block", at, res, "not configured")
		return
	}
	if err != nil {
		r.cannot("s3-account-public-access-block", at, res, err)
		return
	}
	cfg := out.PublicAccessBlockConfiguration
	got := map[string]bool{
		"BlockPublicAcls":       aws.ToBool(cfg.BlockPublicAcls),
		"BlockPublicPolicy":     aws.ToBool(cfg.BlockPublicPolicy),
		"IgnorePublicAcls":      aws.ToBool(cfg.IgnorePublicAcls),
		"RestrictPublicBuckets": aws.ToBool(cfg.RestrictPublicBuckets),
	}
	var keys, diffs []string
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if g, ok := got[k]; !ok || (want[k] && !g) {
			diffs = append(diffs, fmt.Sprintf("%s is %v", k, g))
		}
	}
	if len(diffs) > 0 {
		r.fail("s3-account-public-access-block", at, res, "%s", strings.Join(diffs, "; "))
	} else {
		r.pass("s3-account-public-access-block", at, res, "all four settings on")
	}
}

// ebs checks EBS encryption by default in the region
// (https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetEbsEncryptionByDefault.html).
func (r *run) ebs(ctx context.Context, c *Clients, at scope, want bool) {
	if !want {
		return
	}
	const res = "EBS encryption by default"
	out, err := c.EC2.GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	switch {
	case err != nil:
		r.cannot("ebs-default-encryption", at, res, err)
	case !aws.ToBool(out.EbsEncryptionByDefault):
		r.fail("ebs-default-encryption", at, res, "EbsEncryptionByDefault is false in %s", at.region)
	default:
		r.pass("ebs-default-encryption", at, res, "on")
	}
}

// analyzers checks that each analyzer of the template exists with its
// type and is ACTIVE (https://docs.aws.amazon.com/access-analyzer/latest/APIReference/API_AnalyzerSummary.html).
func (r *run) analyzers(ctx context.Context, c *Clients, at scope, want []Analyzer) {
	if len(want) == 0 {
		return
	}
	got := map[string]aatypes.AnalyzerSummary{}
	var token *string
	for {
		out, err := c.AccessAnalyzer.ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{NextToken: token})
		if err != nil {
			for _, a := range want {
				r.cannot("access-analyzer", at, a.Name, err)
			}
			return
		}
		for _, a := range out.Analyzers {
			got[aws.ToString(a.Name)] = a
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	for _, a := range want {
		g, ok := got[a.Name]
		switch {
		case !ok:
			r.fail("access-analyzer", at, a.Name, "no analyzer %s in %s", a.Name, at.region)
		case string(g.Type) != a.Type:
			r.fail("access-analyzer", at, a.Name, "type %s, the template sets %s", g.Type, a.Type)
		case g.Status != aatypes.AnalyzerStatusActive:
			r.fail("access-analyzer", at, a.Name, "status %s (%s)", g.Status, statusReason(g.StatusReason))
		default:
			r.pass("access-analyzer", at, a.Name, "active, type "+a.Type)
		}
	}
}

func statusReason(s *aatypes.StatusReason) string {
	if s == nil {
		return "no reason given"
	}
	return string(s.Code)
}
