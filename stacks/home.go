package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/constructs/alerttopic"
	"github.com/secure-baseline/cdk-baseline/constructs/audittrail"
	"github.com/secure-baseline/cdk-baseline/constructs/chat"
)

// globalParts are the parts of the home-region stack that its regional
// services use.
type globalParts struct {
	// alarms is the alarm topic, which the home region's finding routes use
	// too.
	alarms *alerttopic.AlertTopic
	// archive is the log archive when this stack owns it, else nil.
	archive *audittrail.Archive
}

// addGlobalParts adds the account-global parts to the home-region stack.
func addGlobalParts(stack awscdk.Stack, cfg *config.Config, acc config.Account) globalParts {
	topic := alerttopic.New(stack, "Alarms", alerttopic.Props{
		Emails:         acc.Notifications.Emails,
		HTTPSEndpoints: acc.Notifications.HTTPSEndpoints,
	})
	addChat(stack, acc, topic.Topic)
	archive, trail := addAuditTrail(stack, cfg, acc)
	addSecurityAlarms(stack, cfg, acc, topic.Topic, trail)
	addAccess(stack, cfg, acc)
	return globalParts{alarms: topic, archive: archive}
}

// LogArchive returns the account whose home stack owns the log bucket that
// acc's trail and Config deliver to: the config's log archive account, or
// acc itself.
func LogArchive(cfg *config.Config, acc config.Account) config.Account {
	for _, a := range cfg.Accounts {
		if a.LogArchive {
			return a
		}
	}
	return acc
}

// LogBucketName is the log bucket acc's trail and Config deliver to.
func LogBucketName(cfg *config.Config, acc config.Account) string {
	archive := LogArchive(cfg, acc)
	return audittrail.BucketName(archive.ID, archive.HomeRegion)
}

// addAuditTrail adds the log archive (when acc owns it) and acc's trail
// (unless trail.mode is skip). It returns both, each possibly nil.
func addAuditTrail(stack awscdk.Stack, cfg *config.Config, acc config.Account) (*audittrail.Archive, *audittrail.Trail) {
	archiveAcc := LogArchive(cfg, acc)
	var archive *audittrail.Archive
	if archiveAcc.ID == acc.ID {
		var writers []audittrail.Writer
		if acc.Trail.Mode == config.ModeCreate {
			writers = append(writers, audittrail.Writer{AccountID: acc.ID, Region: acc.HomeRegion})
		}
		for _, a := range cfg.Accounts {
			if acc.LogArchive && a.ID != acc.ID && a.Trail.Mode == config.ModeCreate {
				writers = append(writers, audittrail.Writer{AccountID: a.ID, Region: a.HomeRegion})
			}
		}
		if w, ok := organizationTrailWriter(cfg, acc); ok {
			writers = append(writers, w)
		}
		if acc.Trail.Mode != config.ModeCreate && acc.StackSetMember && acc.RegionalServices.AWSConfig.Mode == config.ModeCreate {
			// A member without its own trail (MemberAccount) keeps its
			// bucket and key for AWS Config's snapshots.
			writers = append(writers, audittrail.Writer{AccountID: acc.ID, NoTrail: true})
		}
		if len(writers) > 0 {
			b := acc.Trail.Bucket
			props := audittrail.ArchiveProps{
				BucketName:               audittrail.BucketName(acc.ID, acc.HomeRegion),
				Writers:                  writers,
				TransitionDays:           b.TransitionDays,
				ExpirationDays:           b.ExpirationDays,
				NoncurrentExpirationDays: b.NoncurrentExpirationDays,
				ObjectLockMode:           b.ObjectLock.Mode,
				ObjectLockDays:           b.ObjectLock.Days,
				BreakGlassRoleArns:       acc.Trail.BreakGlassRoleArns,
			}
			if acc.StackSetMember {
				props.DeployRoleArn = audittrail.StackSetDeployRoleArn(stack)
			}
			if acc.Trail.Mode == config.ModeCreate {
				props.LogGroupNames = []string{audittrail.DefaultLogGroup}
			}
			archive = audittrail.NewArchive(stack, archiveID, props)
			// The key's ARN, for trail.archiveKeyArn (archivekey.go). A
			// StackSet member has no entry of its own to set it in.
			if !acc.StackSetMember {
				awscdk.NewCfnOutput(stack, jsii.String("LogArchiveKeyArn"), &awscdk.CfnOutputProps{
					Value:       archive.Key.KeyArn(),
					Description: jsii.String("The log archive key's ARN: set it as trail.archiveKeyArn of this account, so that the stacks of other regions and accounts name the key by ARN"),
				})
			}
		}
	}
	if acc.Trail.Mode != config.ModeCreate {
		return archive, nil
	}
	t := acc.Trail
	props := audittrail.TrailProps{
		LogRetentionDays:     t.LogRetentionDays,
		ManagementEvents:     t.ManagementEvents.Value(),
		S3DataEvents:         t.DataEvents.S3,
		LambdaDataEvents:     t.DataEvents.Lambda,
		APICallRateInsights:  t.Insights.APICallRate,
		APIErrorRateInsights: t.Insights.APIErrorRate,
	}
	if archive != nil {
		props.Archive = archive
	} else {
		// Another account's bucket and key (archivekey.go).
		props.BucketName = audittrail.BucketName(archiveAcc.ID, archiveAcc.HomeRegion)
		props.KeyArn = ArchiveKeyArn(stack, cfg, acc, acc.HomeRegion)
	}
	return archive, audittrail.NewTrail(stack, "AuditTrail", props)
}

// addChat subscribes the account's Slack and Teams channels, if any, to a
// topic of this stack: the alarm topic, or a region's own finding topic.
func addChat(stack awscdk.Stack, acc config.Account, topic awssns.ITopic) {
	n := acc.Notifications
	if len(n.Slack)+len(n.Teams) == 0 {
		return
	}
	props := chat.Props{Topics: []awssns.ITopic{topic}}
	for _, s := range n.Slack {
		props.Slack = append(props.Slack, chat.SlackChannel{WorkspaceID: s.WorkspaceID, ChannelID: s.ChannelID})
	}
	for _, t := range n.Teams {
		props.Teams = append(props.Teams, chat.TeamsChannel{TenantID: t.TenantID, TeamID: t.TeamID, ChannelID: t.ChannelID})
	}
	chat.New(stack, "Chat", props)
}
