package verify

import (
	"context"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
	"github.com/aws/aws-sdk-go-v2/service/securityhub/types"
)

// securityHub checks that every standard of the template is enabled and
// READY (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_StandardsSubscription.html),
// and that its controls are disabled exactly as the template says
// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_DescribeStandardsControls.html):
// a control disabled outside the baseline fails (a check someone turned
// off); one the template disables but that is enabled is a warning
// (duplicate findings, no lost coverage).
func (r *run) securityHub(ctx context.Context, c *Clients, at scope, standards []Standard) {
	if len(standards) == 0 {
		return
	}
	enabled := map[string]types.StandardsSubscription{}
	var token *string
	for {
		out, err := c.SecurityHub.GetEnabledStandards(ctx, &securityhub.GetEnabledStandardsInput{NextToken: token})
		if err != nil {
			for _, s := range standards {
				if errorCode(err) == "InvalidAccessException" {
					// Security Hub answers InvalidAccessException when the
					// account is not subscribed in this region
					// (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetEnabledStandards.html#API_GetEnabledStandards_Errors).
					r.fail("securityhub-standards", at, standardName(s.Arn), "Security Hub is not enabled in %s (%s)", at.region, describe(err))
					r.fail("securityhub-controls", at, standardName(s.Arn), "Security Hub is not enabled in %s", at.region)
					continue
				}
				r.cannot("securityhub-standards", at, standardName(s.Arn), err)
				r.cannot("securityhub-controls", at, standardName(s.Arn), err)
			}
			return
		}
		for _, s := range out.StandardsSubscriptions {
			enabled[aws.ToString(s.StandardsArn)] = s
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	for _, want := range standards {
		sub, ok := enabled[want.Arn]
		if !ok {
			r.fail("securityhub-standards", at, standardName(want.Arn), "not enabled")
			r.fail("securityhub-controls", at, standardName(want.Arn), "the standard is not enabled")
			continue
		}
		switch sub.StandardsStatus {
		case types.StandardsStatusReady:
			r.pass("securityhub-standards", at, standardName(want.Arn), "enabled, READY")
		case types.StandardsStatusPending:
			r.warn("securityhub-standards", at, standardName(want.Arn), "enabled, status PENDING (not evaluating yet)")
		default:
			r.fail("securityhub-standards", at, standardName(want.Arn), "status %s", sub.StandardsStatus)
		}
		r.controls(ctx, c, at, want, aws.ToString(sub.StandardsSubscriptionArn))
	}
}

func (r *run) controls(ctx context.Context, c *Clients, at scope, want Standard, subscription string) {
	wantOff := map[string]bool{}
	for _, arn := range want.Disabled {
		wantOff[arn] = true
	}
	var offOutside, onInside []string
	seen := map[string]bool{}
	var token *string
	for {
		out, err := c.SecurityHub.DescribeStandardsControls(ctx, &securityhub.DescribeStandardsControlsInput{StandardsSubscriptionArn: aws.String(subscription), NextToken: token})
		if err != nil {
			r.cannot("securityhub-controls", at, standardName(want.Arn), err)
			return
		}
		for _, ctl := range out.Controls {
			arn := aws.ToString(ctl.StandardsControlArn)
			seen[arn] = true
			off := ctl.ControlStatus == types.ControlStatusDisabled
			switch {
			case off && !wantOff[arn]:
				offOutside = append(offOutside, lastPart(arn)+" ("+aws.ToString(ctl.DisabledReason)+")")
			case !off && wantOff[arn]:
				onInside = append(onInside, lastPart(arn))
			}
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	for arn := range wantOff {
		if !seen[arn] {
			onInside = append(onInside, lastPart(arn)+" (no such control)")
		}
	}
	sort.Strings(offOutside)
	sort.Strings(onInside)
	switch {
	case len(offOutside) > 0:
		r.fail("securityhub-controls", at, standardName(want.Arn), "disabled, but not by the baseline: %s", strings.Join(offOutside, ", "))
	case len(onInside) > 0:
		r.warn("securityhub-controls", at, standardName(want.Arn), "the template disables these, but they are enabled: %s", strings.Join(onInside, ", "))
	default:
		r.pass("securityhub-controls", at, standardName(want.Arn), "controls disabled as the template says")
	}
}

// standardName is the part of a standard's ARN after "standards/", e.g.
// cis-aws-foundations-benchmark/v/5.0.0 (the region is in its own column).
func standardName(arn string) string {
	if _, name, ok := strings.Cut(arn, ":standards/"); ok {
		return name
	}
	return arn
}

func lastPart(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }
