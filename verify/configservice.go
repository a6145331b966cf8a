package verify

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// config checks each recorder and delivery channel of the template.
//
// A recorder's lastStatus is Pending, Success or Failure
// (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigurationRecorderStatus.html):
// Failure fails; Pending (a recording in progress, or just started) is a
// warning, since it is neither proof of recording nor of a fault.
// A delivery channel's snapshot and history deliveries carry lastStatus
// Success, Failure or Not_Applicable
// (https://docs.aws.amazon.com/config/latest/APIReference/API_ConfigExportDeliveryInfo.html).
func (r *run) config(ctx context.Context, c *Clients, at scope, recorders, channels []string) {
	for _, name := range recorders {
		out, err := c.ConfigService.DescribeConfigurationRecorderStatus(ctx, &configservice.DescribeConfigurationRecorderStatusInput{ConfigurationRecorderNames: []string{name}})
		if errorCode(err) == "NoSuchConfigurationRecorderException" || (err == nil && len(out.ConfigurationRecordersStatus) == 0) {
			r.fail("config-recorder", at, name, "recorder %s does not exist", name)
			continue
		}
		if err != nil {
			r.cannot("config-recorder", at, name, err)
			continue
		}
		st := out.ConfigurationRecordersStatus[0]
		switch last := string(st.LastStatus); {
		case !st.Recording:
			r.fail("config-recorder", at, name, "recording is false (stopped)")
		case strings.EqualFold(last, string(types.RecorderStatusFailure)):
			r.fail("config-recorder", at, name, "last status Failure: %s %s", aws.ToString(st.LastErrorCode), aws.ToString(st.LastErrorMessage))
		case strings.EqualFold(last, string(types.RecorderStatusSuccess)):
			r.pass("config-recorder", at, name, "recording, last status Success")
		default:
			r.warn("config-recorder", at, name, "recording, but the last status is %q, not Success yet", last)
		}
	}
	for _, name := range channels {
		out, err := c.ConfigService.DescribeDeliveryChannelStatus(ctx, &configservice.DescribeDeliveryChannelStatusInput{DeliveryChannelNames: []string{name}})
		if errorCode(err) == "NoSuchDeliveryChannelException" || (err == nil && len(out.DeliveryChannelsStatus) == 0) {
			r.fail("config-delivery", at, name, "delivery channel %s does not exist", name)
			continue
		}
		if err != nil {
			r.cannot("config-delivery", at, name, err)
			continue
		}
		st := out.DeliveryChannelsStatus[0]
		var failed []string
		for what, info := range map[string]*types.ConfigExportDeliveryInfo{"configSnapshotDeliveryInfo": st.ConfigSnapshotDeliveryInfo, "configHistoryDeliveryInfo": st.ConfigHistoryDeliveryInfo} {
			if info != nil && info.LastStatus == types.DeliveryStatusFailure {
				failed = append(failed, what+" lastStatus Failure: "+aws.ToString(info.LastErrorCode)+" "+aws.ToString(info.LastErrorMessage))
			}
		}
		if len(failed) > 0 {
			sortStrings(failed)
			r.fail("config-delivery", at, name, "%s", strings.Join(failed, "; "))
		} else {
			r.pass("config-delivery", at, name, "no failed delivery")
		}
	}
}
