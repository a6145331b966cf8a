// Package config reads the baseline's YAML file: the accounts to protect and
// the settings that apply to them.
//
// Settings layer in three steps, and the first is visible in defaults.yaml:
//
//	defaults.yaml  ->  the file's top level  ->  the account's own entry
//
// An account entry may repeat any settings section of the top level
// (regions, homeRegion, notifications, ...). Its keys replace the inherited
// ones key by key: a mapping merges, a list or a scalar replaces. So
// `accounts[1].notifications.emails` replaces the top-level e-mail list for
// that account only, and leaves every other setting inherited.
package config

import (
	"bytes"
	_ "embed"
	"fmt"
	"os"
	"reflect"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
)

// ExampleYAML is the example configuration (example.yaml), used when no
// config file is given.
//
//go:embed example.yaml
var ExampleYAML []byte

//go:embed defaults.yaml
var defaultsYAML []byte

// Config is a whole configuration file after defaults and overrides are
// applied.
type Config struct {
	// Source names where the config came from, for messages.
	Source string `yaml:"-"`
	// Settings are the file's top-level settings: what every account
	// inherits.
	Settings `yaml:",inline"`
	// Accounts, in file order. Each carries its effective settings.
	Accounts []Account `yaml:"accounts"`
	// Organization turns on StackSet mode (organization.go). It is not a
	// per-account setting.
	Organization Organization `yaml:"organization"`
}

// Account is one AWS account and its effective settings.
type Account struct {
	// Name prefixes the account's stack names ("Prod" -> "Prod-ap-northeast-1").
	Name string `yaml:"name"`
	// ID is the 12-digit account id, as a string.
	ID string `yaml:"id"`
	// LogArchive marks the one account whose home-region stack owns the log
	// bucket and key that every account's trail writes to. Without one,
	// each account keeps its own. Default: false.
	LogArchive bool `yaml:"logArchive"`
	// StackSetMember marks the account the StackSet member templates are
	// built for: its ID is the AWS::AccountId pseudo parameter and
	// StackSets, not the CDK, deploy it. Never set from YAML.
	StackSetMember bool `yaml:"-"`
	// Settings are the top-level settings with this entry's overrides applied.
	Settings `yaml:",inline"`
}

// Settings are the sections every account inherits from the top level and
// may override in its own entry.
type Settings struct {
	// HomeRegion is where the account-global parts live (trail, alarms,
	// IAM, the alarm topic). It must be one of Regions.
	HomeRegion string `yaml:"homeRegion"`
	// Regions get a regional stack each.
	Regions []string `yaml:"regions"`
	// Notifications say who hears about alarms and findings.
	Notifications Notifications `yaml:"notifications"`
	// Checks are the cdk-nag rule packs run at synth.
	Checks Checks `yaml:"checks"`
	// Trail is the audit trail, its log bucket and log group (trail.go).
	Trail Trail `yaml:"trail"`
	// Access is the access model: roles, groups, MFA rules (access.go).
	Access Access `yaml:"access"`
	// RegionalServices are Config, GuardDuty, Security Hub, findings
	// routing and account hardening (services.go).
	RegionalServices `yaml:",inline"`
	// Alarms are the security alarms on the CloudTrail log group (alarms.go).
	Alarms Alarms `yaml:"alarms"`
}

// Checks choose the cdk-nag packs. AWS Solutions and NIST 800-53 rev 5
// always run.
type Checks struct {
	// PCIDSS321 also runs the PCI DSS 3.2.1 pack. Default: false.
	PCIDSS321 bool `yaml:"pciDss321"`
}

// Notifications are the recipients of alarms and findings.
type Notifications struct {
	// Emails subscribe to the alarm topic. Each address must confirm the
	// subscription from the e-mail AWS sends before it receives anything.
	Emails []string `yaml:"emails"`
	// HTTPSEndpoints subscribe to the alarm topic over HTTPS (a chat
	// webhook, an incident tool). Default: none.
	HTTPSEndpoints []string `yaml:"httpsEndpoints"`
	// Slack channels get the alarm topic's messages through AWS Chatbot
	// (Amazon Q Developer in chat applications). The workspace must be
	// authorized once in the console first (README "Chat"). Default: none.
	Slack []SlackChannel `yaml:"slack"`
	// Teams channels, likewise. Default: none.
	Teams []TeamsChannel `yaml:"teams"`
}

// SlackChannel is one Slack channel of an authorized workspace.
type SlackChannel struct {
	// WorkspaceID is the workspace (team) id, e.g. T0123456789.
	WorkspaceID string `yaml:"workspaceId"`
	// ChannelID is the channel's id, e.g. C0123456789 (its link's last part).
	ChannelID string `yaml:"channelId"`
}

// TeamsChannel is one Microsoft Teams channel of an authorized team.
type TeamsChannel struct {
	// TenantID is the Microsoft Entra tenant id, a UUID.
	TenantID string `yaml:"tenantId"`
	// TeamID is the team's id, a UUID.
	TeamID string `yaml:"teamId"`
	// ChannelID is the channel's id from its link, URL-encoded as Teams
	// shows it: 19%3a...%40thread.tacv2.
	ChannelID string `yaml:"channelId"`
}

// FieldError is one problem in a config file, printed as
// "file:line: path: message" (strictyaml's format, shared by every YAML
// file of the repository).
type FieldError = strictyaml.Error

// Errors are all the problems found in one config file, in file order.
type Errors = strictyaml.Errors

// Load reads and validates the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w; pass an existing file with -c config=<path>", err)
	}
	return Parse(data, path)
}

// Example returns the embedded example configuration.
func Example() *Config {
	cfg, err := Parse(ExampleYAML, "config/example.yaml")
	if err != nil {
		panic("config: the embedded example is invalid: " + err.Error())
	}
	return cfg
}

// Parse decodes and validates a config file's bytes. source names the file
// in messages. Every problem is reported, as Errors, each with its line and
// field path.
func Parse(data []byte, source string) (*Config, error) {
	var cfg Config
	if err := strictyaml.Unmarshal(defaultsYAML, "config/defaults.yaml", &cfg).Err(); err != nil {
		panic("config: the embedded defaults are invalid: " + err.Error())
	}
	cfg.Source = source

	if len(bytes.TrimSpace(data)) == 0 {
		return nil, Errors{{Source: source, Msg: "the file is empty; start from config/example.yaml"}}
	}
	root, err := strictyaml.Parse(data, source)
	if err != nil {
		return nil, err
	}
	d := strictyaml.NewDecoder(source)
	var accountsNode ast.Node
	if m, ok := root.(*ast.MappingNode); ok {
		d.DecodeMapping(m, reflect.ValueOf(&cfg).Elem(), "", map[string]bool{"accounts": true})
		for _, kv := range m.Values {
			if kv.Key.GetToken().Value == "accounts" && accountsNode == nil {
				accountsNode = kv.Value
			}
		}
	} else {
		d.Errorf(root, "", "the file must be a mapping with keys homeRegion, regions, notifications and accounts, got %s", strictyaml.Describe(root))
	}
	decodeAccounts(d, accountsNode, &cfg)

	errs := d.Errors()
	errs = append(errs, validate(&cfg, d)...)
	if len(errs) > 0 {
		errs.Sort()
		return nil, errs
	}
	return &cfg, nil
}

// decodeAccounts decodes each account entry on top of the top-level settings.
func decodeAccounts(d *strictyaml.Decoder, n ast.Node, cfg *Config) {
	if n == nil {
		return // validate reports the missing list
	}
	n = d.Resolve(n, "accounts")
	if n == nil {
		return
	}
	seq, ok := n.(*ast.SequenceNode)
	if !ok {
		d.Errorf(n, "accounts", "must be a list of accounts, each with a name and an id, got %s", strictyaml.Describe(n))
		return
	}
	d.SetLine("accounts", seq)
	for i, item := range seq.Values {
		path := fmt.Sprintf("accounts[%d]", i)
		item = d.Resolve(item, path)
		acc := Account{Settings: cfg.Settings}
		m, ok := item.(*ast.MappingNode)
		if !ok {
			if item != nil {
				d.Errorf(item, path, "must be a mapping with a name and an id, got %s", strictyaml.Describe(item))
			}
		} else {
			d.SetLine(path, item)
			d.DecodeMapping(m, reflect.ValueOf(&acc).Elem(), path, nil)
		}
		cfg.Accounts = append(cfg.Accounts, acc)
	}
}

// Effective renders each account's effective settings as YAML, so that a
// reviewer can see every default and override in one place.
func (c *Config) Effective() ([]byte, error) {
	return yaml.MarshalWithOptions(struct {
		Accounts []Account `yaml:"accounts"`
	}{c.Accounts}, yaml.IndentSequence(true))
}
