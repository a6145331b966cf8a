package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"
)

// Access is the access model: people sign in as IAM users of the identity
// account, each in one of three groups; a group lets its members assume one
// role, with MFA, in every account they may reach; the role holds the
// permissions. Every key has its default in defaults.yaml.
type Access struct {
	// IdentityAccount is where people's IAM users, the groups and the
	// break-glass users live: the id or the name of an account in accounts.
	// Every account's roles then trust only that account (hub mode).
	// Default: "" (single-account mode: each account has its own groups and
	// users, and its roles trust only itself).
	IdentityAccount string `yaml:"identityAccount"`
	// Roles are the three roles every account gets.
	Roles AccessRoles `yaml:"roles"`
	// Groups name the three groups.
	Groups AccessGroups `yaml:"groups"`
	// MFAMaxAgeSeconds is how long after the MFA sign-in a user may still
	// assume a role. Default: 3600.
	MFAMaxAgeSeconds int `yaml:"mfaMaxAgeSeconds"`
	// AllowedSourceIPs, when set, are the only networks (CIDRs) from which
	// a user may assume a role. Default: none (any address).
	AllowedSourceIPs []string `yaml:"allowedSourceIps"`
	// BreakGlassUsers are IAM users created next to the groups, in the
	// group BaselineBreakGlass: AdministratorAccess without a role or a
	// source-IP rule, but still nothing without MFA. They get no password
	// or access key here; every console sign-in of theirs raises an alarm.
	// Default: none.
	BreakGlassUsers []string `yaml:"breakGlassUsers"`
}

// AccessRoles are the admin, operator and read-only roles.
type AccessRoles struct {
	// Admin: AdministratorAccess. Default: BaselineAdmin, 1 hour.
	Admin AccessRole `yaml:"admin"`
	// Operator: PowerUserAccess with an explicit deny on changing the
	// baseline. Default: BaselineOperator, 4 hours.
	Operator AccessRole `yaml:"operator"`
	// ReadOnly: job-function/ViewOnlyAccess and SecurityAudit with an
	// explicit deny on reading data.
	// Default: BaselineReadOnly, 8 hours.
	ReadOnly AccessRole `yaml:"readOnly"`
}

// AccessRole is one role.
type AccessRole struct {
	// Name of the IAM role, the same in every account (so that groups in
	// the identity account can name it). Default: see AccessRoles.
	Name string `yaml:"name"`
	// ManagedPolicy is the role's permissions: the name of an AWS managed
	// policy (ReadOnlyAccess, job-function/ViewOnlyAccess) or a managed
	// policy ARN. Default: see AccessRoles.
	ManagedPolicy string `yaml:"managedPolicy"`
	// MaxSessionHours is the longest session the role grants, 1 to 12.
	// Default: see AccessRoles.
	MaxSessionHours int `yaml:"maxSessionHours"`
}

// AccessGroups are the IAM group names.
type AccessGroups struct {
	// Admin group. Default: BaselineAdmins.
	Admin string `yaml:"admin"`
	// Operator group. Default: BaselineOperators.
	Operator string `yaml:"operator"`
	// ReadOnly group. Default: BaselineReadOnlyUsers.
	ReadOnly string `yaml:"readOnly"`
}

// Limits of the access settings.
const (
	MinMFAMaxAgeSeconds = 60
	MaxMFAMaxAgeSeconds = 129600 // 36 hours: the longest MFA session (sts:GetSessionToken)
	MaxSessionHours     = 12     // IAM's limit for a role's maximum session duration
)

var (
	// IAM names: https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
	iamRoleNamePattern  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	iamGroupNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	// A managed policy name, with the path AWS gives some of its own
	// (job-function/ViewOnlyAccess, service-role/...).
	managedPolicyNamePattern = regexp.MustCompile(`^([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
	managedPolicyArnPattern  = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::(aws|[0-9]{12}):policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128}$`)
)

// KeyedRole is a role with its key under access.roles.
type KeyedRole struct {
	Key  string // admin, operator or readOnly
	Role *AccessRole
}

// RoleList returns the roles in a fixed order with their config keys.
func (r *AccessRoles) RoleList() []KeyedRole {
	return []KeyedRole{{"admin", &r.Admin}, {"operator", &r.Operator}, {"readOnly", &r.ReadOnly}}
}

// problems checks one effective access section.
func (a *Access) problems() problems {
	var ps problems
	names := map[string]string{}
	for _, r := range a.Roles.RoleList() {
		path := "access.roles." + r.Key
		switch {
		case !iamRoleNamePattern.MatchString(r.Role.Name):
			ps.addf(path+".name", "%q is not an IAM role name: 1 to 64 letters, digits and +=,.@_-", r.Role.Name)
		case strings.HasPrefix(strings.ToLower(r.Role.Name), "cdk-"):
			ps.addf(path+".name", "%q starts with cdk-, which the operator role may never assume (the CDK bootstrap roles); pick another name", r.Role.Name)
		default:
			if other, dup := names[strings.ToLower(r.Role.Name)]; dup {
				ps.addf(path+".name", "%q is already the name of access.roles.%s; each role needs its own name", r.Role.Name, other)
			} else {
				names[strings.ToLower(r.Role.Name)] = r.Key
			}
		}
		if !managedPolicyNamePattern.MatchString(r.Role.ManagedPolicy) && !managedPolicyArnPattern.MatchString(r.Role.ManagedPolicy) {
			ps.addf(path+".managedPolicy", "%q is neither a managed policy name (e.g. ReadOnlyAccess) nor a managed policy ARN (e.g. arn:aws:iam::aws:policy/ReadOnlyAccess)", r.Role.ManagedPolicy)
		}
		if h := r.Role.MaxSessionHours; h < 1 || h > MaxSessionHours {
			ps.addf(path+".maxSessionHours", "%d is not between 1 and %d hours (IAM's limits for a role session)", h, MaxSessionHours)
		}
	}
	groups := map[string]string{}
	for _, g := range []struct{ key, name string }{{"admin", a.Groups.Admin}, {"operator", a.Groups.Operator}, {"readOnly", a.Groups.ReadOnly}} {
		path := "access.groups." + g.key
		if !iamGroupNamePattern.MatchString(g.name) {
			ps.addf(path, "%q is not an IAM group name: 1 to 128 letters, digits and +=,.@_-", g.name)
		} else if other, dup := groups[strings.ToLower(g.name)]; dup {
			ps.addf(path, "%q is already the name of access.groups.%s; each group needs its own name", g.name, other)
		} else {
			groups[strings.ToLower(g.name)] = g.key
		}
	}
	if age := a.MFAMaxAgeSeconds; age < MinMFAMaxAgeSeconds || age > MaxMFAMaxAgeSeconds {
		ps.addf("access.mfaMaxAgeSeconds", "%d is not between %d and %d seconds (36 hours)", age, MinMFAMaxAgeSeconds, MaxMFAMaxAgeSeconds)
	}
	for i, cidr := range a.AllowedSourceIPs {
		path := fmt.Sprintf("access.allowedSourceIps[%d]", i)
		if msg := cidrProblem(cidr); msg != "" {
			ps.addf(path, "%s", msg)
		} else if slices.Index(a.AllowedSourceIPs, cidr) < i {
			ps.addf(path, "%q is listed twice", cidr)
		}
	}
	for i, u := range a.BreakGlassUsers {
		path := fmt.Sprintf("access.breakGlassUsers[%d]", i)
		if !iamRoleNamePattern.MatchString(u) {
			ps.addf(path, "%q is not an IAM user name: 1 to 64 letters, digits and +=,.@_-", u)
		} else if slices.IndexFunc(a.BreakGlassUsers, func(v string) bool { return strings.EqualFold(u, v) }) < i {
			ps.addf(path, "%q is listed twice", u)
		}
	}
	return ps
}

// cidrProblem says what is wrong with a source network, or "".
func cidrProblem(s string) string {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		if addr, aerr := netip.ParseAddr(s); aerr == nil {
			return fmt.Sprintf("%q is an address, not a network; write %s/%d for that one address", s, addr, addr.BitLen())
		}
		return fmt.Sprintf("%q is not a CIDR network like 203.0.113.0/24 or 2001:db8::/32", s)
	}
	if p.Masked() != p {
		return fmt.Sprintf("%q has bits set after the /%d prefix; did you mean %s?", s, p.Bits(), p.Masked())
	}
	if p.Bits() == 0 {
		return fmt.Sprintf("%q allows every address; leave allowedSourceIps empty to allow any address", s)
	}
	return ""
}

// IdentityAccount returns the account whose IAM users may assume acc's
// roles: acc's access.identityAccount, or acc itself in single-account
// mode. It only looks up accounts that exist: validation rejects the rest.
func (c *Config) IdentityAccount(acc Account) Account {
	if id, ok := c.findAccount(acc.Access.IdentityAccount); ok {
		return id
	}
	return acc
}

// AccessMembers lists the accounts whose roles the groups of acc reach, in
// config order: every account whose identity account is acc. Empty means
// acc holds no groups (hub mode, acc is not the identity account).
func (c *Config) AccessMembers(acc Account) []Account {
	var out []Account
	for _, a := range c.Accounts {
		if c.IdentityAccount(a).ID == acc.ID {
			out = append(out, a)
		}
	}
	return out
}

// findAccount finds an account by id or by name (ignoring case).
func (c *Config) findAccount(ref string) (Account, bool) {
	if ref == "" {
		return Account{}, false
	}
	for _, a := range c.Accounts {
		if a.ID == ref || strings.EqualFold(a.Name, ref) {
			return a, true
		}
	}
	return Account{}, false
}

// accessProblems checks what needs the list of accounts: the identity
// account exists, and a customer managed policy belongs to the account of
// its role. Paths are relative to the config file; set tells whether an
// account's own entry sets a path.
func accessProblems(cfg *Config, set func(path string) bool) problems {
	var ps problems
	var accountList []string
	for _, a := range cfg.Accounts {
		accountList = append(accountList, a.Name)
	}
	unknown := func(path, ref string) {
		ps.addf(path, "%q is not the id or name of an account in accounts (%s); the identity account must be one of them, so that its stack holds the groups", ref, strings.Join(accountList, ", "))
	}
	if ref := cfg.Access.IdentityAccount; ref != "" && len(cfg.Accounts) > 0 {
		if _, ok := cfg.findAccount(ref); !ok {
			unknown("access.identityAccount", ref)
		}
	}
	for i, acc := range cfg.Accounts {
		prefix := fmt.Sprintf("accounts[%d].access.", i)
		if ref := acc.Access.IdentityAccount; ref != "" && set(prefix+"identityAccount") {
			if _, ok := cfg.findAccount(ref); !ok {
				unknown(prefix+"identityAccount", ref)
			}
		}
		for _, r := range acc.Access.Roles.RoleList() {
			m := managedPolicyArnPattern.FindStringSubmatch(r.Role.ManagedPolicy)
			if m == nil || m[2] == "aws" || m[2] == acc.ID {
				continue
			}
			ps.addf(prefix+"roles."+r.Key+".managedPolicy", "%s is a policy of account %s, but this role is in %s (%s); use an AWS managed policy, or set a policy of %s in this account's entry", r.Role.ManagedPolicy, m[2], acc.Name, acc.ID, acc.Name)
		}
	}
	return ps
}

// topLevelPath turns accounts[i].x.y into x.y: where an account's value
// came from when its own entry does not set it.
func topLevelPath(path string) string {
	if strings.HasPrefix(path, "accounts[") {
		if _, rest, ok := strings.Cut(path, "]."); ok {
			return rest
		}
	}
	return path
}
