package test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
)

// validConfig is a small valid file that the cases below break one way each.
const validConfig = `homeRegion: ap-northeast-1
regions: [ap-northeast-1, us-east-1]
notifications:
  emails: [security@example.com]
accounts:
  - name: Prod
    id: "111111111111"
  - name: Dev
    id: "222222222222"
`

func TestConfigRejectsBadInput(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want []string // every line of the error report, in order
	}{
		{
			name: "an unknown key is named with a suggestion",
			yaml: strings.Replace(validConfig, "notifications:", "notificatons:", 1),
			want: []string{
				`b.yaml:3: notificatons: unknown key; did you mean "notifications"?`,
				`b.yaml: notifications.emails: list at least one address (or an https endpoint): otherwise alarms reach no one`,
			},
		},
		{
			name: "a wrong type names the expected one",
			yaml: strings.Replace(validConfig, "regions: [ap-northeast-1, us-east-1]", "regions: us-east-1", 1),
			want: []string{`b.yaml:2: regions: must be a list, got the string "us-east-1"; write [us-east-1] for a list of one`},
		},
		{
			name: "duplicate keys are all reported",
			yaml: validConfig + "homeRegion: us-east-1\n" + "regions: [us-east-1]\n",
			want: []string{
				`b.yaml:10: homeRegion: duplicate key (first set on line 1); remove one of them`,
				`b.yaml:11: regions: duplicate key (first set on line 2); remove one of them`,
			},
		},
		{
			name: "an unquoted account id loses leading zeros and is told to quote it",
			yaml: strings.Replace(validConfig, `id: "111111111111"`, `id: 011111111111`, 1),
			want: []string{`b.yaml:7: accounts[0].id: must be a quoted string, got the number 011111111111 (YAML reads unquoted digits as a number and drops leading zeros); write "011111111111"`},
		},
		{
			name: "an account id must have 12 digits",
			yaml: strings.Replace(validConfig, `"222222222222"`, `"12345"`, 1),
			want: []string{`b.yaml:9: accounts[1].id: "12345" is not a 12-digit account id`},
		},
		{
			name: "account names and ids are unique",
			yaml: validConfig + "  - name: prod\n    id: \"111111111111\"\n",
			want: []string{
				`b.yaml:10: accounts[2].name: "prod" is already the name of accounts[0]; names must be unique (ignoring case)`,
				`b.yaml:11: accounts[2].id: 111111111111 is already the id of accounts[0]; list each account once`,
			},
		},
		{
			name: "a name must be able to prefix a stack name on its own",
			yaml: strings.Replace(validConfig, "name: Dev", "name: Dev-EU", 1),
			want: []string{`b.yaml:8: accounts[1].name: "Dev-EU" must start with a letter and hold only letters and digits, at most 64 (it prefixes stack names, and 'cdk deploy Dev-EU-*' must select this account alone)`},
		},
		{
			name: "an unknown region suggests the nearest",
			yaml: strings.Replace(validConfig, "us-east-1]", "us-eats-1]", 1),
			want: []string{`b.yaml:2: regions[1]: "us-eats-1" is not an AWS region this tool knows (did you mean us-east-1?)`},
		},
		{
			name: "homeRegion must be one of regions",
			yaml: strings.Replace(validConfig, "homeRegion: ap-northeast-1", "homeRegion: eu-west-1", 1),
			want: []string{`b.yaml:1: homeRegion: eu-west-1 is not in regions [ap-northeast-1, us-east-1]; add it to regions, or pick a home region from that list`},
		},
		{
			name: "an account override is checked against what it inherits",
			yaml: validConfig + "    regions: [us-east-1]\n",
			want: []string{`b.yaml:8: accounts[1].homeRegion: ap-northeast-1 is not in regions [us-east-1]; add it to regions, or pick a home region from that list`},
		},
		{
			name: "a malformed e-mail is named",
			yaml: strings.Replace(validConfig, "[security@example.com]", "[security@example.com, security@]", 1),
			want: []string{`b.yaml:4: notifications.emails[1]: "security@" is not an e-mail address like security@example.com`},
		},
		{
			name: "at least one account",
			yaml: strings.Split(validConfig, "accounts:")[0] + "accounts: []\n",
			want: []string{`b.yaml:5: accounts: list at least one account, each with a name and an id`},
		},
		{
			name: "a missing accounts list",
			yaml: strings.Split(validConfig, "accounts:")[0],
			want: []string{`b.yaml: accounts: list at least one account, each with a name and an id`},
		},
		{
			name: "a YAML syntax error has its line",
			yaml: "homeRegion: [ap-northeast-1\n",
			want: []string{`b.yaml:1: yaml: sequence end token ']' not found`},
		},
		{
			name: "an empty file",
			yaml: "\n",
			want: []string{`b.yaml: the file is empty; start from config/example.yaml`},
		},
		{
			name: "every problem is reported at once",
			yaml: `homeRegion: ap-northeast-1
regions: [ap-northeast-1]
notifications: {emails: [nobody]}
acounts: []
`,
			want: []string{
				`b.yaml:3: notifications.emails[0]: "nobody" is not an e-mail address like security@example.com`,
				`b.yaml:4: acounts: unknown key; did you mean "accounts"?`,
				`b.yaml: accounts: list at least one account, each with a name and an id`,
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.yaml), "b.yaml")
			if err == nil {
				t.Fatal("the config was accepted")
			}
			if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestConfigOverridesLayer(t *testing.T) {
	cfg, err := config.Parse([]byte(validConfig+"    regions: [ap-northeast-1]\n    notifications: {emails: [dev@example.com]}\n"), "b.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prod, dev := cfg.Accounts[0], cfg.Accounts[1]
	if strings.Join(prod.Regions, ",") != "ap-northeast-1,us-east-1" || prod.Notifications.Emails[0] != "security@example.com" {
		t.Errorf("Prod should inherit the top level, got %+v", prod.Settings)
	}
	if strings.Join(dev.Regions, ",") != "ap-northeast-1" || strings.Join(dev.Notifications.Emails, ",") != "dev@example.com" {
		t.Errorf("Dev should use its overrides, got %+v", dev.Settings)
	}
	if dev.HomeRegion != "ap-northeast-1" {
		t.Errorf("Dev should inherit homeRegion, got %q", dev.HomeRegion)
	}
}

func TestExampleConfigIsValid(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "config", "example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := config.Parse(data, "config/example.yaml"); err != nil {
		t.Fatal(err)
	}
}

// TestRejectedConfigWritesNothing runs the real app, as the CDK CLI does,
// with a bad config: it must exit non-zero with a clean report and leave
// the output directory without a template.
func TestRejectedConfigWritesNothing(t *testing.T) {
	bin := buildApp(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte(strings.Replace(validConfig, `"222222222222"`, "222", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	outdir := filepath.Join(dir, "cdk.out")
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, `CDK_CONTEXT_JSON={"config":"`+bad+`"}`)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the app accepted a bad config:\n%s", out)
	}
	want := "error: " + bad + " has 1 problem(s):\n" + bad + `:9: accounts[1].id: must be a quoted string, got the number 222 (YAML reads unquoted digits as a number and drops leading zeros); write "222"` + "\n"
	if string(out) != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("a rejected config wrote %d files to %s", len(entries), outdir)
	}
}

// buildApp compiles the app once per test binary.
func buildApp(t testing.TB) string {
	t.Helper()
	appOnce.Do(func() {
		appBin = filepath.Join(tmpRoot, "cdk-baseline")
		cmd := exec.Command("go", "build", "-o", appBin, ".")
		cmd.Dir = repoRoot
		if out, err := cmd.CombinedOutput(); err != nil {
			appErr = string(out)
		}
	})
	if appErr != "" {
		t.Fatalf("go build: %s", appErr)
	}
	return appBin
}

var (
	appOnce sync.Once
	appBin  string
	appErr  string
)

// configCase is a config text and the whole error config.Parse must give
// for it, one problem per line; "" means the config must be accepted.
type configCase struct{ name, yaml, want string }

// checkConfigCases parses each case's text as file and compares the
// error, exactly, with the case's want.
func checkConfigCases(t *testing.T, file string, cases []configCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse([]byte(tc.yaml), file)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("error:\n%v\nwant:\n%s", err, tc.want)
			}
		})
	}
}
