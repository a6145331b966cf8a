package config

import (
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/secure-baseline/cdk-baseline/internal/strictyaml"
	"github.com/secure-baseline/cdk-baseline/policies"
)

// problem is a rule broken by a value, by field path relative to the
// settings or account it was found in.
type problem struct{ path, msg string }

type problems []problem

func (ps *problems) addf(path, format string, args ...any) {
	*ps = append(*ps, problem{path, fmt.Sprintf(format, args...)})
}

var (
	accountIDPattern   = regexp.MustCompile(`^[0-9]{12}$`)
	accountNamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]{0,63}$`)
)

// validate checks the rules that hold across fields and accounts, after
// decoding. Settings rules run on the top level and on every account's
// effective settings; an account reports only what its own entry changed.
func validate(cfg *Config, d *strictyaml.Decoder) Errors {
	var errs Errors
	report := func(path, msg string, fallback string) {
		if d.Failed(path) {
			return // the decoder already said what is wrong with this value
		}
		ln, ok := d.Line(path)
		if !ok {
			ln, _ = d.Line(fallback)
		}
		errs = append(errs, FieldError{Source: d.Source(), Line: ln, Path: path, Msg: msg})
	}

	for _, p := range cfg.organizationProblems() {
		report(p.path, p.msg, "organization")
	}
	for _, p := range cfg.orgModeProblems() {
		report(p.path, p.msg, "organization")
	}
	top := settingsProblems(&cfg.Settings)
	inherited := map[problem]bool{}
	for _, p := range top {
		inherited[p] = true
		report(p.path, p.msg, "")
	}

	if len(cfg.Accounts) == 0 {
		report("accounts", "list at least one account, each with a name and an id", "")
	}
	names, ids := map[string]int{}, map[string]int{}
	archive := -1
	for i, acc := range cfg.Accounts {
		prefix := fmt.Sprintf("accounts[%d]", i)
		var ps problems
		switch {
		case acc.Name == "":
			if d.Has(prefix + ".name") {
				break // the decoder reported the wrong type
			}
			ps.addf("name", "required; a name such as Prod prefixes the account's stack names")
		case !accountNamePattern.MatchString(acc.Name):
			ps.addf("name", "%q must start with a letter and hold only letters and digits, at most 64 (it prefixes stack names, and 'cdk deploy %s-*' must select this account alone)", acc.Name, acc.Name)
		default:
			key := strings.ToLower(acc.Name)
			if first, dup := names[key]; dup {
				ps.addf("name", "%q is already the name of accounts[%d]; names must be unique (ignoring case)", acc.Name, first)
			} else {
				names[key] = i
			}
		}
		switch {
		case acc.ID == "":
			if !d.Has(prefix + ".id") {
				ps.addf("id", "required; the 12-digit account id, quoted: id: \"111111111111\"")
			}
		case !accountIDPattern.MatchString(acc.ID):
			ps.addf("id", "%q is not a 12-digit account id", acc.ID)
		default:
			if first, dup := ids[acc.ID]; dup {
				ps.addf("id", "%s is already the id of accounts[%d]; list each account once", acc.ID, first)
			} else {
				ids[acc.ID] = i
			}
		}
		if acc.LogArchive {
			if archive >= 0 {
				ps.addf("logArchive", "accounts[%d] is already the log archive; mark one account only", archive)
			} else {
				archive = i
			}
		}
		for _, p := range ps {
			report(prefix+"."+p.path, p.msg, prefix)
		}
		for _, p := range settingsProblems(&acc.Settings) {
			path := prefix + "." + p.path
			if set := d.Has(path); !set && inherited[p] {
				continue // inherited unchanged from the top level, reported there
			}
			report(path, p.msg, prefix)
		}
	}
	for _, p := range accessProblems(cfg, d.Has) {
		report(p.path, p.msg, topLevelPath(p.path))
	}
	for _, p := range archiveKeyArnProblems(cfg, d.Has) {
		account, _, _ := strings.Cut(p.path, ".")
		report(p.path, p.msg, account)
	}
	for _, p := range stackSetRegionProblems(cfg) {
		report(p.path, p.msg, "organization")
	}
	for _, p := range archiveDeliveryProblems(cfg) {
		account, _, _ := strings.Cut(p.path, ".")
		report(p.path, p.msg, account)
	}
	return errs
}

// settingsProblems checks one effective set of settings.
func settingsProblems(s *Settings) problems {
	var ps problems
	for i, r := range s.Regions {
		if !slices.Contains(Regions, r) {
			ps.addf(fmt.Sprintf("regions[%d]", i), "%q is not an AWS region this tool knows (%s)", r, regionHint(r))
		} else if slices.Index(s.Regions, r) < i {
			ps.addf(fmt.Sprintf("regions[%d]", i), "%q is listed twice", r)
		}
	}
	switch {
	case len(s.Regions) == 0:
		ps.addf("regions", "list at least one region, e.g. [%s]", exampleRegion)
	case s.HomeRegion == "":
		ps.addf("homeRegion", "required; the region for the account-global parts, e.g. %s", s.Regions[0])
	case !slices.Contains(Regions, s.HomeRegion):
		ps.addf("homeRegion", "%q is not an AWS region this tool knows (%s)", s.HomeRegion, regionHint(s.HomeRegion))
	case !slices.Contains(s.Regions, s.HomeRegion):
		ps.addf("homeRegion", "%s is not in regions [%s]; add it to regions, or pick a home region from that list", s.HomeRegion, strings.Join(s.Regions, ", "))
	}

	if len(s.Notifications.Emails) == 0 && len(s.Notifications.HTTPSEndpoints) == 0 {
		ps.addf("notifications.emails", "list at least one address (or an https endpoint): otherwise alarms reach no one")
	}
	ps = append(ps, s.Notifications.chatProblems()...)
	for i, e := range s.Notifications.Emails {
		if !isEmail(e) {
			ps.addf(fmt.Sprintf("notifications.emails[%d]", i), "%q is not an e-mail address like security@example.com", e)
		} else if slices.Index(s.Notifications.Emails, e) < i {
			ps.addf(fmt.Sprintf("notifications.emails[%d]", i), "%q is listed twice", e)
		}
	}
	for i, e := range s.Notifications.HTTPSEndpoints {
		if u, err := url.Parse(e); err != nil || u.Scheme != "https" || u.Host == "" {
			ps.addf(fmt.Sprintf("notifications.httpsEndpoints[%d]", i), "%q is not an https:// URL", e)
		}
	}
	ps = append(ps, s.Trail.problems()...)
	ps = append(ps, s.Access.problems()...)
	ps = append(ps, s.RegionalServices.problems(s)...)
	ps = append(ps, s.Alarms.problems(s.Trail.Mode)...)
	return ps
}

// isEmail accepts a bare address with a dotted domain: what SNS can deliver to.
func isEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	_, domain, _ := strings.Cut(s, "@")
	return strings.Contains(strings.Trim(domain, "."), ".") && !strings.ContainsAny(s, " \t")
}

// chatProblems checks the Slack and Teams channels: id formats, and no
// channel twice.
func (n Notifications) chatProblems() problems {
	var ps problems
	check := func(path, value string, re *regexp.Regexp, what string) {
		if !re.MatchString(value) {
			ps.addf(path, "%q is not %s", value, what)
		}
	}
	for i, c := range n.Slack {
		p := fmt.Sprintf("notifications.slack[%d]", i)
		check(p+".workspaceId", c.WorkspaceID, policies.SlackWorkspaceID, "a Slack workspace id like T0123456789 (upper-case letters and digits; in the Chatbot console, or the workspace URL's /client/<id>)")
		check(p+".channelId", c.ChannelID, policies.SlackChannelID, "a Slack channel id like C0123456789 (letters and digits; the last part of the channel's link), not its name")
		if slices.Index(n.Slack, c) < i {
			ps.addf(p, "workspace %s channel %s is listed twice", c.WorkspaceID, c.ChannelID)
		}
	}
	for i, c := range n.Teams {
		p := fmt.Sprintf("notifications.teams[%d]", i)
		check(p+".tenantId", c.TenantID, policies.TeamsUUID, "a Microsoft Entra tenant id (a UUID like 2d5c4f2e-0d8a-4c1b-9e3a-6f7b8c9d0e1f)")
		check(p+".teamId", c.TeamID, policies.TeamsUUID, "a Teams team id (a UUID: groupId= in the team's link)")
		check(p+".channelId", c.ChannelID, policies.TeamsChannelID, "a Teams channel id as its link has it, URL-encoded: 19%3a...%40thread.tacv2")
		if slices.Index(n.Teams, c) < i {
			ps.addf(p, "team %s channel %s is listed twice", c.TeamID, c.ChannelID)
		}
	}
	return ps
}
