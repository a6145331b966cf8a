package report

import (
	"fmt"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// IAM: the account password policy (home region), and the analyzer.
//
// This file is the IAM pack of the rule table (Controls, rules.go): one
// row per Security Hub control, and the rule functions behind them.
var iamRules = []Control{
	{"IAM.7", "Password policies for IAM users should have strong configurations",
		"upper case, lower case, symbols, numbers, at least 8 characters", AccountScope, passwordPolicy(iam7)},
	{"IAM.8", "Unused IAM user credentials should be removed", "no IAM user has a password or key unused for 90 days", AccountScope,
		constant(notCovered("about the IAM users' own credentials, which the baseline neither creates nor removes"))},
	{"IAM.9", "MFA should be enabled for the root user", "the root user has MFA", AccountScope,
		constant(notCovered("CloudFormation cannot set the root user's MFA; set it up by hand (the root alarms watch root use)"))},
	{"IAM.10", "Password policies for IAM users should have strong configurations",
		"PCI DSS minimums: upper, lower, numbers, 7+ characters, no reuse of the last 4, expiry within 90 days", AccountScope, passwordPolicy(iam10)},
	{"IAM.11", "Ensure IAM password policy requires at least one uppercase letter", "RequireUppercaseCharacters", AccountScope, passwordPolicy(requires("RequireUppercaseCharacters"))},
	{"IAM.12", "Ensure IAM password policy requires at least one lowercase letter", "RequireLowercaseCharacters", AccountScope, passwordPolicy(requires("RequireLowercaseCharacters"))},
	{"IAM.13", "Ensure IAM password policy requires at least one symbol", "RequireSymbols", AccountScope, passwordPolicy(requires("RequireSymbols"))},
	{"IAM.14", "Ensure IAM password policy requires at least one number", "RequireNumbers", AccountScope, passwordPolicy(requires("RequireNumbers"))},
	{"IAM.15", "Ensure IAM password policy requires minimum password length of 14 or greater", "MinimumPasswordLength is 14 or more", AccountScope, passwordPolicy(iam15)},
	{"IAM.16", "Ensure IAM password policy prevents password reuse", "PasswordReusePrevention is 24", AccountScope, passwordPolicy(iam16)},
	{"IAM.17", "Ensure IAM password policy expires passwords within 90 days or less", "MaxPasswordAge is 1-90", AccountScope, passwordPolicy(iam17)},
	{"IAM.28", "IAM Access Analyzer external access analyzer should be enabled", "the region has an external access analyzer", RegionScope, accessAnalyzer},
}

func accessAnalyzer(t *Target) Result {
	as := t.Stack.All("AWS::AccessAnalyzer::Analyzer")
	for _, a := range as {
		if typ := a.Str("Type"); typ == "ACCOUNT" || typ == "ORGANIZATION" {
			return pass(a)
		}
	}
	if len(as) > 0 {
		return notCovered("the analyzer is not an external access analyzer", as[0])
	}
	return optOut("accessAnalyzer.mode", "no analyzer in this region")
}

type policyCheck func(p map[string]any) (ok bool, key, why string)

func passwordPolicy(check policyCheck) func(*Target) Result {
	return func(t *Target) Result {
		calls := t.Home.SDKCalls("updateAccountPasswordPolicy")
		if len(calls) == 0 {
			return optOut("hardening.mode", "the baseline sets no account password policy")
		}
		c := calls[0]
		ok, key, why := check(c.Call.Parameters)
		switch {
		case ok:
			return pass(c.Res)
		case key != "":
			return optOut(key, why, c.Res)
		}
		return notCovered(why, c.Res)
	}
}

func pnum(p map[string]any, k string) float64 {
	n, _ := assembly.Number(p[k])
	return n
}

func requires(k string) policyCheck {
	return func(p map[string]any) (bool, string, string) {
		if p[k] == true {
			return true, "", ""
		}
		return false, "", k + " is off"
	}
}

func iam7(p map[string]any) (bool, string, string) {
	for _, k := range []string{"RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireSymbols", "RequireNumbers"} {
		if p[k] != true {
			return false, "", k + " is off"
		}
	}
	if pnum(p, "MinimumPasswordLength") < 8 {
		return false, "", "shorter than 8 characters"
	}
	return true, "", ""
}

func iam10(p map[string]any) (bool, string, string) {
	for _, k := range []string{"RequireUppercaseCharacters", "RequireLowercaseCharacters", "RequireNumbers"} {
		if p[k] != true {
			return false, "", k + " is off"
		}
	}
	switch {
	case pnum(p, "MinimumPasswordLength") < 7:
		return false, "", "shorter than 7 characters"
	case pnum(p, "PasswordReusePrevention") < 4:
		return false, "", "remembers fewer than 4 passwords"
	}
	return iam17(p)
}

func iam15(p map[string]any) (bool, string, string) {
	if n := pnum(p, "MinimumPasswordLength"); n < 14 {
		return false, "", fmt.Sprintf("minimum length %v", n)
	}
	return true, "", ""
}

func iam16(p map[string]any) (bool, string, string) {
	if n := pnum(p, "PasswordReusePrevention"); n != 24 {
		return false, "", fmt.Sprintf("remembers %v passwords, not 24", n)
	}
	return true, "", ""
}

func iam17(p map[string]any) (bool, string, string) {
	switch n := pnum(p, "MaxPasswordAge"); {
	case n == 0:
		return false, "hardening.passwordPolicy.maxAgeDays", "passwords never expire"
	case n > 90:
		return false, "hardening.passwordPolicy.maxAgeDays", fmt.Sprintf("passwords expire after %v days", n)
	}
	return true, "", ""
}
