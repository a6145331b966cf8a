// Package verify checks a live AWS account against the synthesized
// baseline (what each stack's template asks for) and against the account
// self-audit checklist (root and IAM users' credentials), and reports
// every check as pass, warn, fail or "cannot check".
//
//	go run . verify [--assembly cdk.out] [--account NAME|ID] [--profile NAME]
//	                [--format text|markdown|json] [--fail-on warning|failure] ...
//
// Exit codes: 0 nothing at or above --fail-on, 1 findings (a failed check,
// a check that could not run, or a warning with --fail-on warning), 2
// verify could not start (bad flags, no assembly, no credentials, an
// account not in the assembly).
package verify

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// Status is a check's outcome.
type Status string

// The outcomes, best first. Error means the check could not run: it is
// never counted as passing.
const (
	Pass  Status = "PASS"
	Warn  Status = "WARN"
	Fail  Status = "FAIL"
	Error Status = "ERROR"
)

// Result is one outcome of one check on one resource.
type Result struct {
	Check    string `json:"check"`
	Control  string `json:"control,omitempty"`
	Source   string `json:"source"`
	Stack    string `json:"stack,omitempty"`
	Region   string `json:"region,omitempty"`
	Resource string `json:"resource"`
	Status   Status `json:"status"`
	Detail   string `json:"detail"`
}

// Options are what a run checks and how.
type Options struct {
	Account   string // 12-digit id: the caller's, checked against the stacks
	Partition string // aws, aws-cn, aws-us-gov: from the caller's ARN
	// UnusedDays: an active access key unused (or, never used, created)
	// longer ago fails access-key-unused. Default: 45, Security Hub IAM.22.
	UnusedDays int
	// KeyAgeDays: an active access key created longer ago fails
	// access-key-age. Default: 90, Security Hub IAM.3.
	KeyAgeDays int
	// RootDays: a root sign-in or root key use this recent fails
	// root-recent-use. Default: 90.
	RootDays int
	// NoDrift skips drift detection. Default: false (detect drift).
	NoDrift bool
	// DriftTimeout bounds the wait for one stack's drift detection.
	// Default: 5 minutes.
	DriftTimeout time.Duration
	// Poll is the interval between status reads of drift detection and
	// the credential report. Default: 2 seconds.
	Poll time.Duration
	// Now is the clock. Default: time.Now.
	Now func() time.Time
	// Progress receives a line before each slow step. Default: discarded.
	Progress io.Writer
}

func (o *Options) defaults() {
	if o.UnusedDays == 0 {
		o.UnusedDays = 45
	}
	if o.KeyAgeDays == 0 {
		o.KeyAgeDays = 90
	}
	if o.RootDays == 0 {
		o.RootDays = 90
	}
	if o.DriftTimeout == 0 {
		o.DriftTimeout = 5 * time.Minute
	}
	if o.Poll == 0 {
		o.Poll = 2 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Partition == "" {
		o.Partition = "aws"
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
}

// UsageError is an error of the command line, the assembly or the
// credentials: verify could not start (exit code 2).
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// Run checks the stacks (all of one account) with the clients of each
// stack's region. The account-wide checklist runs once, with the clients
// of the region of the stack that holds the trail (the home region), or of
// the first stack.
func Run(ctx context.Context, opts Options, stacks []assembly.Stack, clients ClientsFor) ([]Result, error) {
	opts.defaults()
	r := &run{opts: opts}
	var expects []*Expect
	for _, s := range stacks {
		e, err := Expectations(s)
		if err != nil {
			return nil, usagef("--assembly: %v; run 'make synth' to rebuild it", err)
		}
		expects = append(expects, e)
	}
	home := ""
	for _, e := range expects {
		if len(e.Trails) > 0 && home == "" {
			home = e.Region
		}
	}
	if home == "" && len(expects) > 0 {
		home = expects[0].Region
	}
	byRegion := map[string]*Clients{}
	clientsOf := func(region string) *Clients {
		if byRegion[region] == nil {
			byRegion[region] = clients(region)
		}
		return byRegion[region]
	}
	for _, e := range expects {
		c := clientsOf(e.Region)
		at := scope{stack: e.Stack, region: e.Region}
		r.stack(ctx, c, at)
		r.trails(ctx, c, at, e.Trails)
		r.config(ctx, c, at, e.Recorders, e.DeliveryChannels)
		r.guardDuty(ctx, c, at, e.Detectors)
		r.securityHub(ctx, c, at, e.Standards)
		r.alarms(ctx, c, at, e.Alarms)
		r.topics(ctx, c, at, e.Topics)
		r.passwordPolicy(ctx, c, at, e.PasswordPolicy)
		r.publicAccess(ctx, c, at, e.PublicAccess)
		r.ebs(ctx, c, at, e.EbsEncryption)
		r.analyzers(ctx, c, at, e.Analyzers)
	}
	if home != "" {
		r.checklist(ctx, clientsOf(home), scope{region: home})
	}
	return r.results, nil
}

// scope is where a result was found.
type scope struct{ stack, region string }

type run struct {
	opts    Options
	results []Result
}

func (r *run) add(id string, at scope, status Status, resource, detail string) {
	c := check(id)
	if status == Fail {
		detail = c.Finding + ": " + detail
	}
	r.results = append(r.results, Result{Check: id, Control: c.Control, Source: c.Source, Stack: at.stack, Region: at.region,
		Resource: resource, Status: status, Detail: detail})
}

func (r *run) pass(id string, at scope, resource, detail string) {
	r.add(id, at, Pass, resource, detail)
}
func (r *run) fail(id string, at scope, resource, format string, args ...any) {
	r.add(id, at, Fail, resource, fmt.Sprintf(format, args...))
}
func (r *run) warn(id string, at scope, resource, format string, args ...any) {
	r.add(id, at, Warn, resource, fmt.Sprintf(format, args...))
}

// cannot records that a check could not run, and why, with the fix for a
// missing permission.
func (r *run) cannot(id string, at scope, resource string, err error) {
	r.add(id, at, Error, resource, "cannot check: "+describe(err))
}

var accessDenied = regexp.MustCompile(`(?i)^(AccessDenied|AccessDeniedException|UnauthorizedOperation|AuthorizationError|UnauthorizedAccess)$`)

// describe turns an AWS error into one line; a denied call names the
// permissions the check needs.
func describe(err error) string {
	var api smithy.APIError
	var op *smithy.OperationError
	msg := err.Error()
	if errors.As(err, &api) {
		msg = api.ErrorCode() + ": " + api.ErrorMessage()
		if errors.As(err, &op) {
			msg = op.Service() + " " + op.Operation() + ": " + msg
		}
		if accessDenied.MatchString(api.ErrorCode()) {
			msg += " (the caller lacks a permission verify needs; see README \"Verify a live account\" for the policy)"
		}
	}
	return msg
}

// errorCode is the AWS error code of err, or "".
func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// Select picks the stacks of one account: --account by name (the stack
// name's prefix, e.g. Prod for Prod-ap-northeast-1) or id, or else the
// caller's account. The account must be the caller's: verify reads the
// account it is signed in to.
func Select(asm *assembly.Assembly, account, caller string) ([]assembly.Stack, error) {
	names := map[string]string{} // id -> name
	var ids []string
	for _, s := range asm.Stacks {
		if !accountID.MatchString(s.Account) {
			continue // StackSet templates: no environment of their own
		}
		if _, ok := names[s.Account]; !ok {
			ids = append(ids, s.Account)
		}
		name, _, _ := strings.Cut(s.Name, "-")
		names[s.Account] = name
	}
	sort.Strings(ids)
	var known []string
	for _, id := range ids {
		known = append(known, names[id]+" ("+id+")")
	}
	want := caller
	if account != "" {
		want = ""
		for _, id := range ids {
			if account == id || strings.EqualFold(account, names[id]) {
				want = id
			}
		}
		if want == "" {
			return nil, usagef("--account %s: no such account in %s; it has %s", account, asm.Dir, strings.Join(known, ", "))
		}
		if want != caller {
			return nil, usagef("--account %s is account %s, but your credentials are for account %s; sign in to %s (--profile, AWS_PROFILE) or pass --account %s", account, want, caller, want, caller)
		}
	}
	var out []assembly.Stack
	for _, s := range asm.Stacks {
		if s.Account == want {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, usagef("%s has no stacks for account %s (your credentials' account); it has %s; sign in to one of them (--profile, AWS_PROFILE)", asm.Dir, caller, strings.Join(known, ", "))
	}
	return out, nil
}

var accountID = regexp.MustCompile(`^\d{12}$`)

// Main runs the verify command: args without the command name.
func Main(args []string, stdout, stderr io.Writer) int { return MainWith(args, stdout, stderr) }

// MainWith is Main with extra AWS config options after the command line's
// (the tests pass an HTTP client that reaches the emulator).
func MainWith(args []string, stdout, stderr io.Writer, extra ...func(*awsconfig.LoadOptions) error) int {
	code, err := main(args, stdout, stderr, extra)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
	}
	return code
}

func main(args []string, stdout, stderr io.Writer, extra []func(*awsconfig.LoadOptions) error) (int, error) {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	assemblyDir := fs.String("assembly", "cdk.out", "the synthesized cloud assembly")
	account := fs.String("account", "", "the account to check, by name or id (default: the caller's)")
	profile := fs.String("profile", "", "the AWS profile (default: the standard credential chain)")
	region := fs.String("region", "", "the region for signing in (default: the profile's, or the account's home region)")
	format := fs.String("format", "text", "text, markdown or json")
	failOn := fs.String("fail-on", "failure", "failure or warning: the lowest status that makes the exit code 1")
	var opts Options
	fs.IntVar(&opts.UnusedDays, "unused-days", 45, "an active access key unused this many days fails (Security Hub IAM.22)")
	fs.IntVar(&opts.KeyAgeDays, "key-age-days", 90, "an active access key older than this fails (Security Hub IAM.3)")
	fs.IntVar(&opts.RootDays, "root-days", 90, "root used within this many days fails")
	fs.BoolVar(&opts.NoDrift, "no-drift", false, "skip CloudFormation drift detection")
	fs.DurationVar(&opts.DriftTimeout, "drift-timeout", 5*time.Minute, "the longest wait for one stack's drift detection")
	if err := fs.Parse(args); err != nil {
		return 2, usagef("%v; usage: verify [--assembly cdk.out] [--account NAME|ID] [--profile NAME] [--region REGION] [--format text|markdown|json] [--fail-on failure|warning] [--unused-days 45] [--key-age-days 90] [--root-days 90] [--no-drift] [--drift-timeout 5m]", err)
	}
	if fs.NArg() > 0 {
		return 2, usagef("unexpected argument %q; pass the assembly with --assembly %s", fs.Arg(0), fs.Arg(0))
	}
	if *format != "text" && *format != "markdown" && *format != "json" {
		return 2, usagef("--format %q: use text, markdown or json", *format)
	}
	if *failOn != "failure" && *failOn != "warning" {
		return 2, usagef("--fail-on %q: use failure or warning", *failOn)
	}
	for name, v := range map[string]int{"--unused-days": opts.UnusedDays, "--key-age-days": opts.KeyAgeDays, "--root-days": opts.RootDays} {
		if v < 1 {
			return 2, usagef("%s %d: use a number of days of at least 1", name, v)
		}
	}
	if opts.DriftTimeout <= 0 {
		return 2, usagef("--drift-timeout %v: use a positive duration such as 5m", opts.DriftTimeout)
	}
	asm, err := assembly.Read(*assemblyDir)
	if err != nil {
		return 2, usagef("--assembly %s: %v", *assemblyDir, err)
	}

	ctx := context.Background()
	loadOpts := []func(*awsconfig.LoadOptions) error{
		// Two attempts: a throttled read is retried once, and a denied or
		// unreachable endpoint fails fast instead of hanging the run.
		awsconfig.WithRetryer(func() aws.Retryer { return retry.AddWithMaxAttempts(retry.NewStandard(), 3) }),
	}
	if *profile != "" {
		loadOpts = append(loadOpts, awsconfig.WithSharedConfigProfile(*profile))
	}
	if *region != "" {
		loadOpts = append(loadOpts, awsconfig.WithRegion(*region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, append(loadOpts, extra...)...)
	if err != nil {
		return 2, usagef("cannot load the AWS configuration: %v; check --profile (profiles are in ~/.aws/config) or AWS_PROFILE", err)
	}
	if cfg.Region == "" {
		cfg.Region = asm.Stacks[0].Region // only to sign in; each check uses its stack's region
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return 2, usagef("cannot sign in to AWS: %s; give credentials with --profile NAME (after 'aws sso login --profile NAME' for SSO), AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", describe(err))
	}
	caller := aws.ToString(who.Account)
	stacks, err := Select(asm, *account, caller)
	if err != nil {
		return 2, err
	}
	opts.Account = caller
	if arn := strings.Split(aws.ToString(who.Arn), ":"); len(arn) > 1 {
		opts.Partition = arn[1]
	}
	opts.Progress = stderr
	start := time.Now()
	results, err := Run(ctx, opts, stacks, SDKClients(cfg))
	if err != nil {
		return 2, err
	}
	rep := Report{Account: caller, Caller: aws.ToString(who.Arn), Assembly: *assemblyDir, Results: results, Seconds: time.Since(start).Seconds()}
	if err := rep.Write(stdout, *format); err != nil {
		return 2, err
	}
	return rep.ExitCode(*failOn == "warning"), nil
}
