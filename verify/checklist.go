package verify

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The credential report's columns and values are documented in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html:
// the root user's row is named <root_account>; dates are ISO 8601; a date
// that does not apply is N/A, and password_last_used is no_information
// when a password was never used (or not since IAM began tracking it).
const rootRow = "<root_account>"

// reportWait bounds the wait for IAM to generate the credential report
// (IAM generates at most one report every four hours and answers from the
// existing one meanwhile, per the page above).
const reportWait = 2 * time.Minute

var credentialChecks = []string{"root-mfa", "root-access-keys", "root-recent-use", "user-password-and-keys", "access-key-unused", "access-key-age", "console-user-mfa"}

// checklist runs the account self-audit checklist: root MFA, root keys,
// recent root use, and IAM users' credentials, from one credential
// report; then users holding AdministratorAccess directly.
func (r *run) checklist(ctx context.Context, c *Clients, at scope) {
	rows, err := r.credentialReport(ctx, c)
	if err != nil {
		for _, id := range credentialChecks {
			r.cannot(id, at, "credential report", err)
		}
	} else {
		r.root(at, rows)
		r.users(at, rows)
	}
	r.admins(ctx, c, at, rows, err)
}

// credentialReport generates the report, waits for it, and reads it as
// one map (column -> value) per row.
func (r *run) credentialReport(ctx context.Context, c *Clients) ([]map[string]string, error) {
	fmt.Fprintln(r.opts.Progress, "verify: generating the IAM credential report...")
	deadline := r.opts.Now().Add(reportWait)
	for {
		out, err := c.IAM.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, err
		}
		if out.State == iamtypes.ReportStateTypeComplete {
			break
		}
		if !r.opts.Now().Before(deadline) {
			return nil, fmt.Errorf("IAM did not finish the credential report within %s (state %s)", reportWait, out.State)
		}
		if err := sleep(ctx, r.opts.Poll); err != nil {
			return nil, err
		}
	}
	out, err := c.IAM.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	if err != nil {
		return nil, err
	}
	return parseCredentialReport(out.Content)
}

// parseCredentialReport reads the CSV report; a report without the
// columns verify reads is an error, never an empty (passing) report.
func parseCredentialReport(content []byte) ([]map[string]string, error) {
	records, err := csv.NewReader(bytes.NewReader(content)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("the credential report is not CSV: %v", err)
	}
	if len(records) == 0 {
		return nil, fmt.Errorf("the credential report is empty")
	}
	header := records[0]
	have := map[string]bool{}
	for _, h := range header {
		have[h] = true
	}
	for _, col := range []string{"user", "password_enabled", "password_last_used", "mfa_active",
		"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
		"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date"} {
		if !have[col] {
			return nil, fmt.Errorf("the credential report has no column %s", col)
		}
	}
	var rows []map[string]string
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, h := range header {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// reportTime parses a report date; ok is false for N/A, no_information,
// not_supported and the like.
func reportTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

func (r *run) root(at scope, rows []map[string]string) {
	var root map[string]string
	for _, row := range rows {
		if row["user"] == rootRow {
			root = row
		}
	}
	if root == nil {
		for _, id := range credentialChecks[:3] {
			r.add(id, at, Error, "root user", "cannot check: the credential report has no "+rootRow+" row")
		}
		return
	}
	if root["mfa_active"] == "true" {
		r.pass("root-mfa", at, "root user", "MFA active")
	} else {
		r.fail("root-mfa", at, "root user", "mfa_active is %s", root["mfa_active"])
	}
	if root["access_key_1_active"] == "true" || root["access_key_2_active"] == "true" {
		r.fail("root-access-keys", at, "root user", "access_key_1_active %s, access_key_2_active %s; delete root access keys", root["access_key_1_active"], root["access_key_2_active"])
	} else {
		r.pass("root-access-keys", at, "root user", "no active access key")
	}
	since := r.opts.Now().AddDate(0, 0, -r.opts.RootDays)
	var used []string
	for _, col := range []string{"password_last_used", "access_key_1_last_used_date", "access_key_2_last_used_date"} {
		if t, ok := reportTime(root[col]); ok && t.After(since) {
			used = append(used, fmt.Sprintf("%s %s", col, t.UTC().Format("2006-01-02")))
		}
	}
	if len(used) > 0 {
		r.fail("root-recent-use", at, "root user", "used within the last %d days (%v)", r.opts.RootDays, used)
	} else {
		r.pass("root-recent-use", at, "root user", fmt.Sprintf("not used in the last %d days", r.opts.RootDays))
	}
}

func (r *run) users(at scope, rows []map[string]string) {
	now := r.opts.Now()
	found := map[string]bool{}
	n := 0
	for _, row := range rows {
		user := row["user"]
		if user == rootRow {
			continue
		}
		n++
		password := row["password_enabled"] == "true"
		var active []int
		for _, k := range []int{1, 2} {
			if row[fmt.Sprintf("access_key_%d_active", k)] == "true" {
				active = append(active, k)
			}
		}
		if password && len(active) > 0 {
			found["user-password-and-keys"] = true
			r.fail("user-password-and-keys", at, user, "console password and %d active access key(s); give people the console and roles, machines keys", len(active))
		}
		if password && row["mfa_active"] != "true" {
			found["console-user-mfa"] = true
			r.fail("console-user-mfa", at, user, "password enabled, mfa_active %s", row["mfa_active"])
		}
		for _, k := range active {
			created, okCreated := reportTime(row[fmt.Sprintf("access_key_%d_last_rotated", k)])
			last, used := reportTime(row[fmt.Sprintf("access_key_%d_last_used_date", k)])
			if !used {
				last = created // never used: unused since it was made
			}
			if (used || okCreated) && now.Sub(last) > days(r.opts.UnusedDays) {
				found["access-key-unused"] = true
				what := "last used " + last.UTC().Format("2006-01-02")
				if !used {
					what = "never used, created " + created.UTC().Format("2006-01-02")
				}
				r.fail("access-key-unused", at, user, "access key %d %s, over %d days ago", k, what, r.opts.UnusedDays)
			}
			if okCreated && now.Sub(created) > days(r.opts.KeyAgeDays) {
				found["access-key-age"] = true
				r.fail("access-key-age", at, user, "access key %d created %s, over %d days ago", k, created.UTC().Format("2006-01-02"), r.opts.KeyAgeDays)
			}
		}
	}
	for _, id := range credentialChecks[3:] {
		if !found[id] {
			r.pass(id, at, "IAM users", fmt.Sprintf("%d user(s) checked", n))
		}
	}
}

func days(n int) time.Duration { return time.Duration(n) * 24 * time.Hour }

// admins fails each user with the AWS managed AdministratorAccess policy
// attached directly: administrators assume the baseline's admin role
// (with MFA), so a user holding it directly bypasses that.
func (r *run) admins(ctx context.Context, c *Clients, at scope, rows []map[string]string, reportErr error) {
	if reportErr != nil {
		r.cannot("admin-attached-directly", at, "IAM users", fmt.Errorf("no user list: %w", reportErr))
		return
	}
	admin := fmt.Sprintf("arn:%s:iam::aws:policy/AdministratorAccess", r.opts.Partition)
	n, bad := 0, 0
	for _, row := range rows {
		user := row["user"]
		if user == rootRow {
			continue
		}
		n++
		var marker *string
		for {
			out, err := c.IAM.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user), Marker: marker})
			if err != nil {
				r.cannot("admin-attached-directly", at, user, err)
				bad++
				break
			}
			for _, p := range out.AttachedPolicies {
				if aws.ToString(p.PolicyArn) == admin {
					r.fail("admin-attached-directly", at, user, "%s is attached to the user", admin)
					bad++
				}
			}
			if !out.IsTruncated {
				break
			}
			marker = out.Marker
		}
	}
	if bad == 0 {
		r.pass("admin-attached-directly", at, "IAM users", fmt.Sprintf("%d user(s) checked", n))
	}
}
