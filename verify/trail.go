package verify

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
)

// trails checks each trail of the template: it exists, is logging, covers
// every region with global service events, validates log files, and its
// latest S3 and CloudWatch Logs deliveries had no error. GetTrailStatus's
// LatestDeliveryError and LatestCloudWatchLogsDeliveryError are empty
// while deliveries succeed
// (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html).
func (r *run) trails(ctx context.Context, c *Clients, at scope, trails []Trail) {
	for _, t := range trails {
		got, err := c.CloudTrail.GetTrail(ctx, &cloudtrail.GetTrailInput{Name: aws.String(t.Name)})
		if err != nil {
			if errorCode(err) == "TrailNotFoundException" {
				for _, id := range []string{"trail-logging", "trail-multi-region", "trail-validation", "trail-delivery"} {
					r.fail(id, at, t.Name, "trail %s does not exist", t.Name)
				}
				continue
			}
			r.cannot("trail-multi-region", at, t.Name, err)
			r.cannot("trail-validation", at, t.Name, err)
		} else {
			tr := got.Trail
			switch {
			case t.MultiRegion && !aws.ToBool(tr.IsMultiRegionTrail):
				r.fail("trail-multi-region", at, t.Name, "IsMultiRegionTrail is false; the template sets it true")
			case t.GlobalEvents && !aws.ToBool(tr.IncludeGlobalServiceEvents):
				r.fail("trail-multi-region", at, t.Name, "IncludeGlobalServiceEvents is false: IAM and STS events are missing")
			default:
				r.pass("trail-multi-region", at, t.Name, "multi-region, with global service events")
			}
			if t.Validation && !aws.ToBool(tr.LogFileValidationEnabled) {
				r.fail("trail-validation", at, t.Name, "LogFileValidationEnabled is false")
			} else {
				r.pass("trail-validation", at, t.Name, "log file validation on")
			}
		}
		st, err := c.CloudTrail.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: aws.String(t.Name)})
		if err != nil {
			r.cannot("trail-logging", at, t.Name, err)
			r.cannot("trail-delivery", at, t.Name, err)
			continue
		}
		if aws.ToBool(st.IsLogging) {
			r.pass("trail-logging", at, t.Name, "logging")
		} else {
			r.fail("trail-logging", at, t.Name, "IsLogging is false (stopped at %s)", aws.ToTime(st.StopLoggingTime).UTC().Format("2006-01-02 15:04 MST"))
		}
		s3Err, cwErr := aws.ToString(st.LatestDeliveryError), aws.ToString(st.LatestCloudWatchLogsDeliveryError)
		switch {
		case s3Err != "":
			r.fail("trail-delivery", at, t.Name, "LatestDeliveryError (S3) is %q", s3Err)
		case t.CloudWatch && cwErr != "":
			r.fail("trail-delivery", at, t.Name, "LatestCloudWatchLogsDeliveryError is %q", cwErr)
		default:
			r.pass("trail-delivery", at, t.Name, "no delivery error")
		}
	}
}
