package verify_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/verify"
)

// isolate gives Main an environment with no AWS configuration of the
// machine's: no profiles, no instance metadata, no keys.
func isolate(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AWS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", none)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", none)
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_REGION", "ap-northeast-1")
}

// TestMainRefusesBadInput: every way verify cannot start exits 2 with one
// line naming the flag or the fix, and never a stack trace.
func TestMainRefusesBadInput(t *testing.T) {
	isolate(t)
	asm := writeAssembly(t, prodStacks...)
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "manifest.json"), []byte(`{"name": "not an assembly"}`), 0o644)
	// An STS that refuses the caller's keys, as AWS does for unknown ones.
	sts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		w.Write([]byte(`<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>`))
	}))
	defer sts.Close()

	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"an unknown flag", nil, []string{"--acount", "Prod"}, "error: flag provided but not defined: -acount; usage: verify [--assembly cdk.out]"},
		{"a stray argument", nil, []string{"cdk.out"}, `error: unexpected argument "cdk.out"; pass the assembly with --assembly cdk.out`},
		{"an unknown format", nil, []string{"--format", "yaml"}, `error: --format "yaml": use text, markdown or json`},
		{"an unknown --fail-on", nil, []string{"--fail-on", "error"}, `error: --fail-on "error": use failure or warning`},
		{"zero days", nil, []string{"--unused-days", "0"}, "error: --unused-days 0: use a number of days of at least 1"},
		{"a negative drift timeout", nil, []string{"--drift-timeout", "-1s"}, "error: --drift-timeout -1s: use a positive duration such as 5m"},
		{"a missing cdk.out", nil, []string{"--assembly", filepath.Join(asm, "missing")}, "is not a cloud assembly (no manifest.json); run 'make synth' first"},
		{"a foreign cdk.out", nil, []string{"--assembly", foreign}, "manifest.json is not a cloud assembly manifest; run 'make synth' to rebuild"},
		{"no credentials", nil, []string{"--assembly", asm}, "error: cannot sign in to AWS: "},
		{"an unknown profile", nil, []string{"--assembly", asm, "--profile", "nope"}, "error: cannot load the AWS configuration: "},
		{"refused credentials", map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wrong", "AWS_ENDPOINT_URL": sts.URL},
			[]string{"--assembly", asm}, "error: cannot sign in to AWS: STS GetCallerIdentity: InvalidClientTokenId: The security token included in the request is invalid.; give credentials with --profile NAME"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := verify.Main(append([]string{}, tc.args...), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit code %d, want 2", code)
			}
			t.Logf("stderr: %s", stderr.String())
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr %q, want it to contain %q", stderr.String(), tc.want)
			}
			if strings.Count(strings.TrimSpace(stderr.String()), "\n") > 0 || strings.Contains(stderr.String(), "goroutine") {
				t.Errorf("stderr is not one line: %q", stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q, want nothing", stdout.String())
			}
		})
	}
}

// TestReportFormatsAndExitCodes: the three formats carry the same results,
// and the exit code follows --fail-on.
func TestReportFormatsAndExitCodes(t *testing.T) {
	stacks := fixture(t)
	w := healthy(t, stacks)
	w.regions[home].recorder.LastStatus = "Pending" // one warning
	w.report[1][7] = "false"                        // one failure: root without MFA
	rep := verify.Report{Account: account, Caller: "arn:aws:iam::" + account + ":user/auditor", Assembly: "cdk.out", Results: runFake(t, w, stacks, nil)}

	var js bytes.Buffer
	if err := rep.Write(&js, "json"); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Results []verify.Result
		Summary map[verify.Status]int
	}
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != len(rep.Results) || back.Summary[verify.Warn] != 1 || back.Summary[verify.Fail] != 1 || back.Summary[verify.Pass] != len(rep.Results)-2 {
		t.Errorf("json summary %v of %d results", back.Summary, len(back.Results))
	}
	var text, md bytes.Buffer
	rep.Write(&text, "text")
	rep.Write(&md, "markdown")
	for name, out := range map[string]string{"text": text.String(), "markdown": md.String()} {
		for _, want := range []string{"FAIL", "root-mfa", "IAM.9", "the root user has no MFA: mfa_active is false", "WARN", "config-recorder", "55 passed, 1 warnings, 1 failed, 0 could not be checked"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s report lacks %q:\n%s", name, want, out)
			}
		}
	}
	if got := strings.Count(md.String(), "\n| "); got != len(rep.Results)+2 {
		t.Errorf("markdown table has %d rows, want %d results + header + separator", got, len(rep.Results))
	}
	if rep.ExitCode(false) != 1 || rep.ExitCode(true) != 1 {
		t.Errorf("a failure exits 1 under both --fail-on")
	}
	w.report[1][7] = "true"
	rep.Results = runFake(t, w, stacks, nil)
	if rep.ExitCode(false) != 0 || rep.ExitCode(true) != 1 {
		t.Errorf("a warning alone: exit %d with --fail-on failure (want 0), %d with --fail-on warning (want 1)", rep.ExitCode(false), rep.ExitCode(true))
	}
	w.denied["GetAccountPasswordPolicy"] = true
	rep.Results = runFake(t, w, stacks, nil)
	if rep.ExitCode(false) != 1 {
		t.Errorf("a check that could not run must fail the exit code")
	}
}
