package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// stack checks that the baseline stack is deployed in a healthy COMPLETE
// state and has not drifted. Of the COMPLETE states
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_Stack.html),
// UPDATE_ROLLBACK_COMPLETE and ROLLBACK_COMPLETE fail: the last deploy did
// not apply. A stack still IN_PROGRESS is a warning, and is not drift
// checked (DetectStackDrift refuses it).
func (r *run) stack(ctx context.Context, c *Clients, at scope) {
	out, err := c.CloudFormation.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(at.stack)})
	if err != nil {
		// DescribeStacks answers ValidationError "Stack with id X does
		// not exist" for a stack that is not there.
		if errorCode(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
			r.fail("stack-status", at, at.stack, "the stack is not deployed in %s", at.region)
			r.fail("stack-drift", at, at.stack, "the stack is not deployed")
			return
		}
		r.cannot("stack-status", at, at.stack, err)
		r.cannot("stack-drift", at, at.stack, err)
		return
	}
	if len(out.Stacks) == 0 {
		r.fail("stack-status", at, at.stack, "the stack is not deployed in %s", at.region)
		r.fail("stack-drift", at, at.stack, "the stack is not deployed")
		return
	}
	status := out.Stacks[0].StackStatus
	switch s := string(status); {
	case s == "CREATE_COMPLETE" || s == "UPDATE_COMPLETE" || s == "IMPORT_COMPLETE":
		r.pass("stack-status", at, at.stack, s)
	case strings.HasSuffix(s, "_IN_PROGRESS") && !strings.Contains(s, "ROLLBACK"):
		r.warn("stack-status", at, at.stack, "%s: a deployment is under way; verify again when it ends", s)
		r.warn("stack-drift", at, at.stack, "not checked while %s", s)
		return
	default:
		r.fail("stack-status", at, at.stack, "%s: %s", s, aws.ToString(out.Stacks[0].StackStatusReason))
	}
	r.drift(ctx, c, at)
}

// drift starts drift detection and waits for it, at most DriftTimeout.
// Drift detection does not cover every resource type: custom resources
// and properties CloudFormation does not read back are not compared
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html),
// which is why the other checks read the live state themselves.
func (r *run) drift(ctx context.Context, c *Clients, at scope) {
	if r.opts.NoDrift {
		r.warn("stack-drift", at, at.stack, "not checked: --no-drift")
		return
	}
	fmt.Fprintf(r.opts.Progress, "verify: detecting drift of %s in %s (up to %s)...\n", at.stack, at.region, r.opts.DriftTimeout)
	started, err := c.CloudFormation.DetectStackDrift(ctx, &cloudformation.DetectStackDriftInput{StackName: aws.String(at.stack)})
	if err != nil {
		r.cannot("stack-drift", at, at.stack, err)
		return
	}
	deadline := r.opts.Now().Add(r.opts.DriftTimeout)
	for {
		st, err := c.CloudFormation.DescribeStackDriftDetectionStatus(ctx, &cloudformation.DescribeStackDriftDetectionStatusInput{StackDriftDetectionId: started.StackDriftDetectionId})
		if err != nil {
			r.cannot("stack-drift", at, at.stack, err)
			return
		}
		switch st.DetectionStatus {
		case cftypes.StackDriftDetectionStatusDetectionInProgress:
			if !r.opts.Now().Before(deadline) {
				r.add("stack-drift", at, Error, at.stack, fmt.Sprintf("cannot check: drift detection did not finish within %s (--drift-timeout)", r.opts.DriftTimeout))
				return
			}
			if err := sleep(ctx, r.opts.Poll); err != nil {
				r.cannot("stack-drift", at, at.stack, err)
				return
			}
			continue
		case cftypes.StackDriftDetectionStatusDetectionComplete, cftypes.StackDriftDetectionStatusDetectionFailed:
		default:
			r.add("stack-drift", at, Error, at.stack, fmt.Sprintf("cannot check: detection status %q", st.DetectionStatus))
			return
		}
		// DETECTION_FAILED still reports the resources that were checked
		// (API_DescribeStackDriftDetectionStatus): drift among them fails,
		// otherwise the check could not run.
		switch {
		case st.StackDriftStatus == cftypes.StackDriftStatusDrifted:
			r.fail("stack-drift", at, at.stack, "%d resource(s) drifted; see 'aws cloudformation describe-stack-resource-drifts --stack-name %s --region %s'", aws.ToInt32(st.DriftedStackResourceCount), at.stack, at.region)
		case st.DetectionStatus == cftypes.StackDriftDetectionStatusDetectionFailed:
			r.add("stack-drift", at, Error, at.stack, "cannot check: drift detection failed: "+aws.ToString(st.DetectionStatusReason))
		case st.StackDriftStatus == cftypes.StackDriftStatusInSync:
			r.pass("stack-drift", at, at.stack, "IN_SYNC")
		default:
			r.add("stack-drift", at, Error, at.stack, fmt.Sprintf("cannot check: drift status %q", st.StackDriftStatus))
		}
		return
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
