package policies

import "regexp"

// The id formats of AWS Chatbot's channel configurations, from the
// CloudFormation resource schemas of AWS::Chatbot::SlackChannelConfiguration
// and AWS::Chatbot::MicrosoftTeamsChannelConfiguration (cfn-lint ships
// them; test/chat_test.go compares these with the schemas). The config and
// constructs/chat check ids with them, so a bad id fails before a deploy.
var (
	// SlackWorkspaceID is SlackWorkspaceId's pattern, e.g. T0123456789.
	SlackWorkspaceID = regexp.MustCompile(`^[0-9A-Z]{1,255}$`)
	// SlackChannelID is SlackChannelId's pattern (1 to 256 characters), e.g. C0123456789.
	SlackChannelID = regexp.MustCompile(`^[A-Za-z0-9]{1,256}$`)
	// TeamsUUID is TeamId's and TeamsTenantId's pattern.
	TeamsUUID = regexp.MustCompile(`^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$`)
	// TeamsChannelID is TeamsChannelId's pattern: the id from the channel's
	// link, URL-encoded, 19%3a...%40thread.tacv2.
	TeamsChannelID = regexp.MustCompile(`^([a-zA-Z0-9-_=+/.,])*%3[aA]([a-zA-Z0-9-_=+/.,])*%40([a-zA-Z0-9-_=+/.,])*$`)
)
