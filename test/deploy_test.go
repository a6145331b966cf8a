//go:build unix

package test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// TestDeploy is the deploy proof gate. It deploys the example config the
// way a user does, with the pinned CDK CLI (cdk bootstrap, then cdk deploy
// --all --concurrency 4, with cdk.json's context; the app is the binary buildApp built
// instead of cdk.json's "go run .", to compile it once), into moto, a local
// AWS emulator, and reads every resource back through the AWS APIs: the
// buckets' encryption, versioning and public access block, the keys'
// rotation and policies, the log groups' retention, the IAM roles' trust
// policies and the policies, the finding rules, the alarm topic and, where
// moto creates them, the IAM groups and the topic's subscriptions.
//
// moto's CloudFormation skips some resource types without creating them
// (trails, alarms, bucket policies, groups, subscriptions, ...) and drops
// some properties. The test checks nothing it cannot see: it logs the
// template types moto did not create (from DescribeStackResources, next to
// what the services' APIs list) and the properties it could not see.
//
// The deploy runs up to four stacks at once, as the CLI allows "while
// accounting for inter-stack dependencies"
// (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-deploy.html): the
// test records the CloudFormation calls in the order moto receives them and
// requires, for every stack dependency of the cloud assembly (the ones
// TestDeployOrder proves necessary), that the stack's change set was
// created only after its dependency's change set was executed. moto does
// not itself order anything, so this checks the manifest and the CLI. Run
// it alone with
//
//	go test ./test -run TestDeploy -v
func TestDeploy(t *testing.T) {
	started := time.Now()
	defer func() { t.Logf("TestDeploy took %s", time.Since(started).Round(100*time.Millisecond)) }()

	if _, err := exec.LookPath("moto_server"); err != nil {
		t.Skip("moto_server is not on PATH (pip install 'moto[server]'); skipping the deploy into the local AWS emulator, which CI runs")
	}
	cdk := pinnedCDK(t)
	if out, err := exec.Command("python3", "-c", "import moto.server, boto3").CombinedOutput(); err != nil {
		t.Skipf("moto_server is on PATH but python3 cannot import moto and boto3 (%v: %s); skipping the deploy into the local AWS emulator", err, bytes.TrimSpace(out))
	}
	app := buildApp(t)
	cfg := config.Example()

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	emu := startMoto(t)
	front := startFront(t, emu)
	env := emulatorEnv(t, cdk, front, cfg.Accounts[0].HomeRegion)

	// moto serves the account whose role a caller assumed; the CLI checks
	// that the caller's account is the stack's, so each account bootstraps
	// with its own credentials, and the deploy assumes the bootstrap's
	// deploy role in each account, as against AWS.
	var ids []string
	for _, acc := range cfg.Accounts {
		ids = append(ids, acc.ID)
	}
	var creds map[string]awsCreds
	emu.readBack(ctx, t, env, "creds", map[string]any{"accounts": ids}, &creds)
	for _, acc := range cfg.Accounts {
		args := []string{"bootstrap", "--no-notices"}
		for _, region := range acc.Regions {
			args = append(args, "aws://"+acc.ID+"/"+region)
		}
		// From an empty directory: bootstrapping needs no app.
		emu.run(ctx, t, t.TempDir(), creds[acc.ID].env(env), cdk, args...)
	}
	out := filepath.Join(t.TempDir(), "cdk.out")
	emu.run(ctx, t, repoRoot, creds[ids[0]].env(env), cdk, "deploy", "--all", "--concurrency", strconv.Itoa(deployConcurrency),
		"--require-approval", "never", "--no-notices", "--app", app, "--output", out)
	asm, err := assembly.Read(out)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("stacks deploy after the stacks they depend on", func(t *testing.T) {
		held, problems := deployOrderProblems(manifestStackDeps(t, out), front.calls())
		for _, p := range problems {
			t.Error(p)
		}
		t.Logf("%d stack dependencies held, with --concurrency %d", held, deployConcurrency)
	})

	req := map[string]map[string]any{}
	for _, s := range asm.Stacks {
		if req[s.Account] == nil {
			req[s.Account] = map[string]any{"creds": creds[s.Account], "stacks": []map[string]string{}}
		}
		req[s.Account]["stacks"] = append(req[s.Account]["stacks"].([]map[string]string), map[string]string{"name": s.Name, "region": s.Region})
	}
	var state map[string]*accountState
	emu.readBack(ctx, t, env, "dump", map[string]any{"accounts": req}, &state)

	seen := newDeploySeen()
	for _, s := range asm.Stacks {
		t.Run(s.Name, func(t *testing.T) {
			acct := state[s.Account]
			if acct == nil || acct.Regions[s.Region] == nil || acct.Regions[s.Region].Stacks[s.Name] == nil {
				t.Fatalf("the emulator has no stack %s in %s/%s", s.Name, s.Account, s.Region)
			}
			c := newDeployCheck(t, s, acct, seen)
			c.checkStack(front)
		})
	}
	seen.log(t)
}

// pinnedCDK is the CDK CLI pinned in package.json.
func pinnedCDK(t *testing.T) string {
	t.Helper()
	cdk, err := filepath.Abs(filepath.Join(repoRoot, "node_modules", ".bin", "cdk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(cdk); err != nil {
		t.Skip("the pinned CDK CLI is not installed (run make deps); skipping the deploy into the local AWS emulator")
	}
	return cdk
}

// emulator is a running moto_server.
type emulator struct {
	url string
	log string // its output, shown when a step fails
}

// startMoto starts moto_server on a free loopback port and stops it, and
// everything it started, when the test ends, however it ends. It runs
// moto's server through emulator/serve.py, which keeps moto from invoking
// the Lambda functions behind custom resources (see there why).
func startMoto(t *testing.T) *emulator {
	t.Helper()
	for attempt := 1; ; attempt++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		emu := &emulator{url: fmt.Sprintf("http://127.0.0.1:%d", port), log: filepath.Join(t.TempDir(), "moto.log")}
		logFile, err := os.Create(emu.log)
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("python3", filepath.Join("emulator", "serve.py"), "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		dieWithTest(cmd.SysProcAttr)
		err = cmd.Start()
		logFile.Close()
		if err != nil {
			t.Fatalf("moto_server: %v", err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		t.Cleanup(func() { stopGroup(cmd.Process.Pid, exited) })

		if waitReady(t, emu, exited) {
			return emu
		}
		// It exited: most likely another process took the port first.
		if attempt == 3 {
			t.Fatalf("moto_server exited before answering:\n%s", emu.tail())
		}
	}
}

// waitReady waits until moto answers; false if it exited first.
func waitReady(t *testing.T, emu *emulator, exited <-chan struct{}) bool {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if resp, err := http.Get(emu.url + "/moto-api/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return true
			}
		}
		select {
		case <-exited:
			return false
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 30s:\n%s", emu.url, emu.tail())
		}
	}
}

// stopGroup ends a process group started with Setpgid: politely, then not.
func stopGroup(pid int, exited <-chan struct{}) {
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	<-exited
}

// successLine is moto's log line of a request that succeeded.
var successLine = regexp.MustCompile(`" [23]\d\d -$`)

// tail is the end of moto's log, without the requests that succeeded.
func (e *emulator) tail() string {
	data, _ := os.ReadFile(e.log)
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if !successLine.MatchString(l) {
			lines = append(lines, l)
		}
	}
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	return "moto_server's last lines, without the requests that succeeded:\n" + strings.Join(lines, "\n")
}

// run runs a command in its own process group, killed with the test.
func (e *emulator) run(ctx context.Context, t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Env = dir, env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	dieWithTest(cmd.SysProcAttr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	step := time.Now()
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // anything it left behind
	}
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%v (the test's time limit)", ctx.Err())
		}
		t.Fatalf("cdk %s: %v\n%s\n%s", strings.Join(args, " "), err, lastLines(out, 60), e.tail())
	}
	t.Logf("cdk %s: %s", strings.Join(args[:1], " "), time.Since(step).Round(100*time.Millisecond))
}

// readBack runs test/emulator/readback.py: a JSON request in, what the AWS
// APIs return out.
func (e *emulator) readBack(ctx context.Context, t *testing.T, env []string, command string, req, resp any) {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "python3", filepath.Join("emulator", "readback.py"), command)
	cmd.Env, cmd.Stdin = env, bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("readback.py %s: %v\n%s\n%s", command, err, lastLines(stderr.Bytes(), 30), e.tail())
	}
	if err := json.Unmarshal(out, resp); err != nil {
		t.Fatalf("readback.py %s: %v", command, err)
	}
}

func lastLines(out []byte, n int) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// emulatorEnv is the environment of every command: the caller's, minus
// anything that could reach a real AWS account (AWS_*, CDK_*, profiles),
// plus the emulator's endpoint and dummy credentials, with the pinned Node
// first on PATH.
func emulatorEnv(t *testing.T, cdk string, front *emulatorFront, region string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "CDK_") && !strings.HasPrefix(kv, "PATH=") {
			env = append(env, kv)
		}
	}
	none := filepath.Join(t.TempDir(), "none")
	return append(env,
		"PATH="+filepath.Dir(cdk)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"AWS_ENDPOINT_URL="+front.url,
		// The CLI hands CloudFormation the template's S3 URL; moto reads
		// the bucket and key from a localhost URL's path.
		"AWS_ENDPOINT_URL_S3_FOR_CLOUDFORMATION="+strings.Replace(front.url, "127.0.0.1", "localhost", 1),
		"AWS_ACCESS_KEY_ID=testing",
		"AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION="+region,
		"AWS_DEFAULT_REGION="+region,
		"AWS_CONFIG_FILE="+none,
		"AWS_SHARED_CREDENTIALS_FILE="+none,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=2",
	)
}

type awsCreds struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
}

// env replaces the dummy credentials of base with c.
func (c awsCreds) env(base []string) []string {
	var out []string
	for _, kv := range base {
		if !strings.HasPrefix(kv, "AWS_ACCESS_KEY_ID=") && !strings.HasPrefix(kv, "AWS_SECRET_ACCESS_KEY=") {
			out = append(out, kv)
		}
	}
	return append(out, "AWS_ACCESS_KEY_ID="+c.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+c.SecretAccessKey, "AWS_SESSION_TOKEN="+c.SessionToken)
}

// emulatorFront sits between the CLI and moto. It forwards everything but
// CloudFormation's UpdateTerminationProtection, which moto lacks and the
// CLI calls after creating a protected stack: the front records the
// request (the test checks it) and answers it as CloudFormation does. It
// also records, in order of arrival, every call that names a stack.
type emulatorFront struct {
	url        string
	mu         sync.Mutex
	protection map[string]string // stack name -> EnableTerminationProtection
	stackCalls []stackCall
}

// stackCall is a CloudFormation call that names a stack.
type stackCall struct{ action, stack string }

// deployConcurrency is how many stacks the deploy runs at once.
const deployConcurrency = 4

func (f *emulatorFront) calls() []stackCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]stackCall(nil), f.stackCalls...)
}

// deployOrderProblems requires every stack's first CreateChangeSet to come
// after the ExecuteChangeSet of every stack it depends on. It returns how
// many dependencies held, and what went wrong.
func deployOrderProblems(deps map[string][]string, calls []stackCall) (held int, problems []string) {
	first := func(action, stack string) int {
		for i, c := range calls {
			if c.action == action && c.stack == stack {
				return i
			}
		}
		return -1
	}
	names := make([]string, 0, len(deps))
	for stack := range deps {
		names = append(names, stack)
	}
	sort.Strings(names)
	for _, stack := range names {
		create := first("CreateChangeSet", stack)
		if create < 0 {
			problems = append(problems, stack+": the CLI created no change set")
			continue
		}
		for _, d := range deps[stack] {
			execute := first("ExecuteChangeSet", d)
			if execute < 0 || execute > create {
				problems = append(problems, fmt.Sprintf("%s's change set was created (call %d) before its dependency %s's was executed (call %d)", stack, create, d, execute))
				continue
			}
			held++
		}
	}
	if held == 0 && len(problems) == 0 {
		problems = append(problems, "the assembly has no stack dependencies, so nothing shows the order; the example's regional stack must depend on its home stack")
	}
	return held, problems
}

// TestDeployOrderCheck feeds deployOrderProblems the calls of a deploy that
// starts a stack before its dependency is done, and of one that waits.
func TestDeployOrderCheck(t *testing.T) {
	deps := map[string][]string{"Prod-us-east-1": {"Prod-ap-northeast-1"}}
	raced := []stackCall{
		{"CreateChangeSet", "Prod-ap-northeast-1"}, {"CreateChangeSet", "Prod-us-east-1"},
		{"ExecuteChangeSet", "Prod-ap-northeast-1"}, {"ExecuteChangeSet", "Prod-us-east-1"},
	}
	if held, p := deployOrderProblems(deps, raced); held != 0 || len(p) != 1 || !strings.Contains(p[0], "Prod-us-east-1's change set was created (call 1) before its dependency Prod-ap-northeast-1's was executed (call 2)") {
		t.Errorf("a raced deploy: held %d, problems %q", held, p)
	}
	waited := []stackCall{
		{"CreateChangeSet", "Prod-ap-northeast-1"}, {"ExecuteChangeSet", "Prod-ap-northeast-1"},
		{"DescribeStacks", "Prod-ap-northeast-1"}, {"CreateChangeSet", "Prod-us-east-1"}, {"ExecuteChangeSet", "Prod-us-east-1"},
	}
	if held, p := deployOrderProblems(deps, waited); held != 1 || len(p) != 0 {
		t.Errorf("an ordered deploy: held %d, problems %q", held, p)
	}
	if _, p := deployOrderProblems(map[string][]string{}, waited); len(p) != 1 {
		t.Errorf("no dependencies must fail the check, got %q", p)
	}
}

func startFront(t *testing.T, emu *emulator) *emulatorFront {
	target, err := url.Parse(emu.url)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	f := &emulatorFront{protection: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			body, err := io.ReadAll(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, err := url.ParseQuery(string(body))
			if err == nil && form.Get("StackName") != "" {
				f.mu.Lock()
				f.stackCalls = append(f.stackCalls, stackCall{form.Get("Action"), form.Get("StackName")})
				f.mu.Unlock()
			}
			if err == nil && form.Get("Action") == "UpdateTerminationProtection" {
				f.mu.Lock()
				f.protection[form.Get("StackName")] = form.Get("EnableTerminationProtection")
				f.mu.Unlock()
				var id bytes.Buffer
				xml.EscapeText(&id, []byte(form.Get("StackName")))
				w.Header().Set("Content-Type", "text/xml")
				fmt.Fprintf(w, `<UpdateTerminationProtectionResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><UpdateTerminationProtectionResult><StackId>%s</StackId></UpdateTerminationProtectionResult><ResponseMetadata><RequestId>emulator-front</RequestId></ResponseMetadata></UpdateTerminationProtectionResponse>`, id.String())
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	return f
}

// What readback.py dump returns, per account.
type accountState struct {
	IAM struct {
		Roles    []iamPrincipal `json:"roles"`
		Groups   []iamPrincipal `json:"groups"`
		Policies []struct {
			PolicyName string `json:"PolicyName"`
			Arn        string `json:"Arn"`
			Document   any    `json:"Document"`
		} `json:"policies"`
		Listings map[string]any `json:"listings"`
	} `json:"iam"`
	S3 struct {
		Buckets []struct {
			Name              string         `json:"Name"`
			Encryption        map[string]any `json:"Encryption"`
			Versioning        string         `json:"Versioning"`
			PublicAccessBlock map[string]any `json:"PublicAccessBlock"`
		} `json:"buckets"`
	} `json:"s3"`
	Regions map[string]*regionState `json:"regions"`
}

type iamPrincipal struct {
	RoleName                 string         `json:"RoleName"`
	GroupName                string         `json:"GroupName"`
	Arn                      string         `json:"Arn"`
	AssumeRolePolicyDocument any            `json:"AssumeRolePolicyDocument"`
	MaxSessionDuration       any            `json:"MaxSessionDuration"`
	InlinePolicies           map[string]any `json:"InlinePolicies"`
	AttachedPolicyArns       []string       `json:"AttachedPolicyArns"`
}

type regionState struct {
	Stacks map[string][]struct {
		LogicalID  string `json:"LogicalResourceId"`
		PhysicalID string `json:"PhysicalResourceId"`
		Type       string `json:"ResourceType"`
		Status     string `json:"ResourceStatus"`
	} `json:"stacks"`
	Keys []struct {
		KeyID           string `json:"KeyId"`
		Arn             string `json:"Arn"`
		KeyState        string `json:"KeyState"`
		RotationEnabled bool   `json:"RotationEnabled"`
		Policy          any    `json:"Policy"`
	} `json:"keys"`
	Aliases []struct {
		AliasName   string `json:"AliasName"`
		TargetKeyID string `json:"TargetKeyId"`
	} `json:"aliases"`
	LogGroups []struct {
		Name            string `json:"logGroupName"`
		RetentionInDays any    `json:"retentionInDays"`
		KmsKeyID        string `json:"kmsKeyId"`
	} `json:"logGroups"`
	Rules []struct {
		Name         string `json:"Name"`
		Arn          string `json:"Arn"`
		State        string `json:"State"`
		EventPattern any    `json:"EventPattern"`
		Targets      []any  `json:"Targets"`
	} `json:"rules"`
	Topics        []map[string]string `json:"topics"`
	Subscriptions []map[string]string `json:"subscriptions"`
	Listings      map[string]any      `json:"listings"`
}

// deploySeen collects, over all stacks, what the test could and could not
// check, for the log.
type deploySeen struct {
	checked    map[string]int             // type -> resources checked
	notCreated map[string]int             // type -> resources moto's CloudFormation skipped
	unchecked  map[string]int             // type -> created, but no check for the type
	notRun     map[string]int             // custom resource type -> resources whose Lambda moto did not run
	listed     map[string]map[string]bool // type -> what the service's API lists, where
	invisible  map[string]bool            // "type property": dropped by moto
}

func newDeploySeen() *deploySeen {
	return &deploySeen{checked: map[string]int{}, notCreated: map[string]int{}, unchecked: map[string]int{}, notRun: map[string]int{},
		listed: map[string]map[string]bool{}, invisible: map[string]bool{}}
}

func (s *deploySeen) log(t *testing.T) {
	t.Logf("verified through the AWS APIs: %s", countList(s.checked, nil))
	if len(s.notCreated) > 0 {
		t.Logf("cannot check, moto's CloudFormation did not create them (not in DescribeStackResources): %s", countList(s.notCreated, s.listed))
	}
	if len(s.notRun) > 0 {
		t.Logf("cannot check, custom resources whose Lambda moto does not run (it needs Docker; see emulator/serve.py): %s", countList(s.notRun, nil))
	}
	if len(s.unchecked) > 0 {
		t.Logf("created by moto but not inspected by this test: %s", countList(s.unchecked, nil))
	}
	if len(s.invisible) > 0 {
		var props []string
		for p := range s.invisible {
			props = append(props, p)
		}
		sort.Strings(props)
		t.Logf("cannot check, properties moto does not apply or report (a bucket's versioning and public access block are still required in the template): %s", strings.Join(props, ", "))
	}
}

func countList(counts map[string]int, listed map[string]map[string]bool) string {
	var out []string
	for typ, n := range counts {
		item := fmt.Sprintf("%s ×%d", typ, n)
		if len(listed[typ]) > 0 {
			var l []string
			for where := range listed[typ] {
				l = append(l, where)
			}
			sort.Strings(l)
			item += " (the API lists " + strings.Join(l, ", ") + ")"
		}
		out = append(out, item)
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// deployCheck compares one stack's template with what the emulator holds.
type deployCheck struct {
	t        *testing.T
	stack    assembly.Stack
	acct     *accountState
	reg      *regionState
	seen     *deploySeen
	physical map[string]string // logical id -> physical id
	types    map[string]string // logical id -> type, as CloudFormation created it
}

func newDeployCheck(t *testing.T, s assembly.Stack, acct *accountState, seen *deploySeen) *deployCheck {
	c := &deployCheck{t: t, stack: s, acct: acct, reg: acct.Regions[s.Region], seen: seen,
		physical: map[string]string{}, types: map[string]string{}}
	for _, r := range c.reg.Stacks[s.Name] {
		c.physical[r.LogicalID], c.types[r.LogicalID] = r.PhysicalID, r.Type
		if !strings.HasSuffix(r.Status, "_COMPLETE") || strings.Contains(r.Status, "ROLLBACK") {
			t.Errorf("%s %s: status %s", r.Type, r.LogicalID, r.Status)
		}
	}
	return c
}

// deployCheckers verify one deployed resource type each, against the AWS
// APIs. A type moto's CloudFormation does not create is never checked.
var deployCheckers = map[string]func(c *deployCheck, id string, r assembly.Resource){
	"AWS::S3::Bucket":         (*deployCheck).bucket,
	"AWS::KMS::Key":           (*deployCheck).key,
	"AWS::KMS::Alias":         (*deployCheck).alias,
	"AWS::Logs::LogGroup":     (*deployCheck).logGroup,
	"AWS::IAM::Role":          (*deployCheck).role,
	"AWS::IAM::Group":         (*deployCheck).group,
	"AWS::IAM::Policy":        (*deployCheck).inlinePolicy,
	"AWS::IAM::ManagedPolicy": (*deployCheck).managedPolicy,
	"AWS::SNS::Topic":         (*deployCheck).topic,
	"AWS::SNS::Subscription":  (*deployCheck).subscription,
	"AWS::Events::Rule":       (*deployCheck).rule,
}

func (c *deployCheck) checkStack(front *emulatorFront) {
	if c.stack.TerminationProtection {
		front.mu.Lock()
		got := front.protection[c.stack.Name]
		front.mu.Unlock()
		if got != "true" {
			c.t.Errorf("termination protection: the CLI did not turn it on (UpdateTerminationProtection %q)", got)
		}
	}
	ids := make([]string, 0, len(c.stack.Template.Resources))
	for id := range c.stack.Template.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := c.stack.Template.Resources[id]
		if _, created := c.physical[id]; !created {
			c.seen.notCreated[r.Type]++
			listed := ""
			if n, ok := c.reg.Listings[r.Type]; ok {
				listed = fmt.Sprintf("%v in %s/%s", n, c.stack.Account, c.stack.Region)
			} else if n, ok := c.acct.IAM.Listings[r.Type]; ok {
				listed = fmt.Sprintf("%v in %s", n, c.stack.Account)
			}
			if listed != "" {
				if c.seen.listed[r.Type] == nil {
					c.seen.listed[r.Type] = map[string]bool{}
				}
				c.seen.listed[r.Type][listed] = true
			}
			continue
		}
		check, ok := deployCheckers[r.Type]
		if !ok {
			if strings.HasPrefix(r.Type, "Custom::") || r.Type == "AWS::CloudFormation::CustomResource" {
				c.seen.notRun[r.Type]++
			} else {
				c.seen.unchecked[r.Type]++
			}
			continue
		}
		check(c, id, r)
		c.seen.checked[r.Type]++
	}
}

func (c *deployCheck) errorf(id string, format string, args ...any) {
	c.t.Helper()
	r := c.stack.Template.Resources[id]
	where := id
	if p, ok := r.Metadata["aws:cdk:path"].(string); ok {
		where = p
	}
	c.t.Errorf("%s %s: %s", r.Type, where, fmt.Sprintf(format, args...))
}

// invisible records a property moto does not apply: the test checks it in
// the template only.
func (c *deployCheck) invisible(id, property string) {
	c.seen.invisible[c.stack.Template.Resources[id].Type+" "+property] = true
}

// same reports whether the deployed value is the template's, once
// CloudFormation has resolved the template's intrinsic functions; it
// reports the first difference.
func (c *deployCheck) same(id, what string, template, deployed any) bool {
	c.t.Helper()
	if diff := c.diff(template, deployed, what); diff != "" {
		c.errorf(id, "%s\n  template: %s\n  deployed: %s", diff, jsonOf(c.t, template), jsonOf(c.t, deployed))
		return false
	}
	return true
}

func (c *deployCheck) diff(want, got any, path string) string {
	if isIntrinsic(want) {
		s, ok := scalar(got)
		if !ok || !c.matches(want, s) {
			return fmt.Sprintf("%s: deployed %s, want the template's %s", path, jsonOf(c.t, got), jsonOf(c.t, want))
		}
		return ""
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: deployed %s, want an object", path, jsonOf(c.t, got))
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, inW := w[k]
			gv, inG := g[k]
			switch {
			case !inG:
				return fmt.Sprintf("%s.%s: missing from the deployed value", path, k)
			case !inW:
				return fmt.Sprintf("%s.%s: deployed but not in the template", path, k)
			}
			if d := c.diff(wv, gv, path+"."+k); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok { // IAM reads ["x"] and "x" alike
			g = []any{got}
		}
		if len(w) != len(g) {
			return fmt.Sprintf("%s: deployed %d items, template %d", path, len(g), len(w))
		}
		for i := range w {
			if d := c.diff(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	}
	if g, ok := got.([]any); ok && len(g) == 1 {
		got = g[0]
	}
	ws, _ := scalar(want)
	gs, ok := scalar(got)
	if !ok || ws != gs {
		return fmt.Sprintf("%s: deployed %s, template %s", path, jsonOf(c.t, got), jsonOf(c.t, want))
	}
	return ""
}

func scalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64, bool:
		return fmt.Sprint(v), true
	}
	return "", false
}

func isIntrinsic(v any) bool {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// matches reports whether s is what CloudFormation makes of the template
// value v in this stack.
func (c *deployCheck) matches(v any, s string) bool {
	return regexp.MustCompile(`^(?s:` + c.pattern(v) + `)$`).MatchString(s)
}

// pattern is a regular expression for what CloudFormation makes of a
// template value: pseudo parameters, Refs and Arns of this stack's
// resources, Fn::Join and Fn::Sub resolve; anything else matches any text.
func (c *deployCheck) pattern(v any) string {
	switch v := v.(type) {
	case string:
		return regexp.QuoteMeta(v)
	case float64, bool:
		return regexp.QuoteMeta(fmt.Sprint(v))
	case map[string]any:
		if !isIntrinsic(v) {
			return ".*"
		}
		for fn, arg := range v {
			switch fn {
			case "Ref":
				name, _ := arg.(string)
				return c.ref(name)
			case "Fn::GetAtt":
				if a, ok := arg.([]any); ok && len(a) == 2 {
					id, _ := a[0].(string)
					attr, _ := a[1].(string)
					return c.getAtt(id, attr)
				}
			case "Fn::Join":
				if a, ok := arg.([]any); ok && len(a) == 2 {
					sep, _ := a[0].(string)
					parts, _ := a[1].([]any)
					var out []string
					for _, p := range parts {
						out = append(out, c.pattern(p))
					}
					return strings.Join(out, regexp.QuoteMeta(sep))
				}
			case "Fn::Sub":
				if s, ok := arg.(string); ok {
					var out strings.Builder
					rest := s
					for {
						i := strings.Index(rest, "${")
						j := strings.Index(rest[max(i, 0):], "}")
						if i < 0 || j < 0 {
							out.WriteString(regexp.QuoteMeta(rest))
							return out.String()
						}
						out.WriteString(regexp.QuoteMeta(rest[:i]))
						name := rest[i+2 : i+j]
						if id, attr, ok := strings.Cut(name, "."); ok {
							out.WriteString(c.getAtt(id, attr))
						} else {
							out.WriteString(c.ref(name))
						}
						rest = rest[i+j+1:]
					}
				}
			}
		}
	}
	return ".*"
}

func (c *deployCheck) ref(name string) string {
	switch name {
	case "AWS::Partition":
		return "aws"
	case "AWS::AccountId":
		return c.stack.Account
	case "AWS::Region":
		return regexp.QuoteMeta(c.stack.Region)
	case "AWS::URLSuffix":
		return `amazonaws\.com`
	case "AWS::StackName":
		return regexp.QuoteMeta(c.stack.Name)
	}
	if p, ok := c.physical[name]; ok {
		return regexp.QuoteMeta(p)
	}
	return ".*"
}

func (c *deployCheck) getAtt(id, attr string) string {
	p, ok := c.physical[id]
	if !ok || attr != "Arn" {
		return ".*"
	}
	switch c.types[id] {
	case "AWS::KMS::Key":
		for _, k := range c.reg.Keys {
			if k.KeyID == p {
				return regexp.QuoteMeta(k.Arn)
			}
		}
	case "AWS::IAM::Role":
		if r := c.principal(c.acct.IAM.Roles, p); r != nil {
			return regexp.QuoteMeta(r.Arn)
		}
	case "AWS::S3::Bucket":
		return regexp.QuoteMeta("arn:aws:s3:::" + p)
	}
	return ".*"
}

func (c *deployCheck) principal(list []iamPrincipal, name string) *iamPrincipal {
	for i := range list {
		if list[i].RoleName == name || list[i].GroupName == name {
			return &list[i]
		}
	}
	return nil
}

// prop reads a nested template property.
func prop(r assembly.Resource, path ...string) any {
	var v any = r.Properties
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

func (c *deployCheck) bucket(id string, r assembly.Resource) {
	name := c.physical[id]
	for _, b := range c.acct.S3.Buckets {
		if b.Name != name {
			continue
		}
		// Encryption: moto applies BucketEncryption.
		rules, _ := b.Encryption["Rules"].([]any)
		want, _ := prop(r, "BucketEncryption", "ServerSideEncryptionConfiguration").([]any)
		switch {
		case len(rules) == 0:
			c.errorf(id, "bucket %s is not encrypted (GetBucketEncryption: %v)", name, b.Encryption)
		case len(want) == 0:
			c.errorf(id, "the template leaves the encryption of bucket %s to S3's default", name)
		case len(want) != len(rules):
			c.errorf(id, "bucket %s has %d encryption rules, the template %d", name, len(rules), len(want))
		default:
			for i, w := range want {
				wm, _ := w.(map[string]any)
				gm, _ := rules[i].(map[string]any)
				c.same(id, "encryption", wm["ServerSideEncryptionByDefault"], gm["ApplyServerSideEncryptionByDefault"])
				// moto's CloudFormation drops BucketKeyEnabled: S3 then
				// reports false.
				if key, ok := wm["BucketKeyEnabled"]; ok && key == true && gm["BucketKeyEnabled"] != true {
					c.invisible(id, "BucketKeyEnabled")
				} else if ok {
					c.same(id, "bucket key", key, gm["BucketKeyEnabled"])
				}
			}
		}
		// Versioning and the public access block: moto's CloudFormation
		// drops both; checked wherever the API shows them.
		if s := prop(r, "VersioningConfiguration", "Status"); s != "Enabled" {
			c.errorf(id, "the template does not enable versioning (Status %v)", s)
		}
		switch b.Versioning {
		case "Enabled":
		case "":
			c.invisible(id, "VersioningConfiguration")
		default:
			c.errorf(id, "bucket %s versioning is %s", name, b.Versioning)
		}
		pab, _ := prop(r, "PublicAccessBlockConfiguration").(map[string]any)
		for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
			if pab[k] != true {
				c.errorf(id, "the template's public access block does not set %s", k)
			}
		}
		if b.PublicAccessBlock == nil {
			c.invisible(id, "PublicAccessBlockConfiguration")
		} else {
			c.same(id, "public access block", pab, b.PublicAccessBlock)
		}
		return
	}
	c.errorf(id, "CloudFormation created bucket %s but ListBuckets does not show it", name)
}

func (c *deployCheck) key(id string, r assembly.Resource) {
	for _, k := range c.reg.Keys {
		if k.KeyID != c.physical[id] {
			continue
		}
		switch k.KeyState {
		case "Enabled":
		case "": // DescribeKey fails in moto for keys made by CloudFormation
			c.invisible(id, "KeyState")
		default:
			c.errorf(id, "key %s is %s", k.KeyID, k.KeyState)
		}
		if prop(r, "EnableKeyRotation") != true {
			c.errorf(id, "the template does not enable key rotation")
		}
		if !k.RotationEnabled {
			c.errorf(id, "key %s: GetKeyRotationStatus says rotation is off", k.KeyID)
		}
		c.same(id, "key policy", prop(r, "KeyPolicy"), k.Policy)
		return
	}
	c.errorf(id, "CloudFormation created key %s but ListKeys does not show it", c.physical[id])
}

func (c *deployCheck) alias(id string, r assembly.Resource) {
	name, _ := prop(r, "AliasName").(string)
	for _, a := range c.reg.Aliases {
		if a.AliasName != name {
			continue
		}
		target := prop(r, "TargetKeyId")
		for _, k := range c.reg.Keys {
			if (a.TargetKeyID == k.KeyID || a.TargetKeyID == k.Arn) && (c.matches(target, k.KeyID) || c.matches(target, k.Arn)) {
				return
			}
		}
		c.errorf(id, "alias %s points at %s, want the template's %s", name, a.TargetKeyID, jsonOf(c.t, target))
		return
	}
	c.errorf(id, "ListAliases does not show %s", name)
}

func (c *deployCheck) logGroup(id string, r assembly.Resource) {
	name := c.physical[id]
	for _, g := range c.reg.LogGroups {
		if g.Name != name {
			continue
		}
		want := prop(r, "RetentionInDays")
		if want == nil {
			c.errorf(id, "the template keeps the logs of %s forever: set RetentionInDays", name)
		} else if g.RetentionInDays == nil {
			c.errorf(id, "log group %s has no retention", name)
		} else {
			c.same(id, "retention", want, g.RetentionInDays)
		}
		if key := prop(r, "KmsKeyId"); key != nil {
			if g.KmsKeyID == "" {
				c.invisible(id, "KmsKeyId")
			} else if !c.matches(key, g.KmsKeyID) {
				c.errorf(id, "log group %s is encrypted with %s, want the template's %s", name, g.KmsKeyID, jsonOf(c.t, key))
			}
		}
		return
	}
	c.errorf(id, "CloudFormation created log group %s but DescribeLogGroups does not show it", name)
}

// principalPolicies checks a role's or group's inline and managed
// policies against the template.
func (c *deployCheck) principalPolicies(id string, r assembly.Resource, p *iamPrincipal) {
	policies, _ := prop(r, "Policies").([]any)
	for _, pol := range policies {
		pm, _ := pol.(map[string]any)
		name, _ := pm["PolicyName"].(string)
		got, ok := p.InlinePolicies[name]
		if !ok {
			c.errorf(id, "inline policy %s is missing", name)
			continue
		}
		c.same(id, "inline policy "+name, pm["PolicyDocument"], got)
	}
	// moto's CloudFormation ignores a role's or group's ManagedPolicyArns
	// (it attaches only an AWS::IAM::ManagedPolicy's Roles and Groups):
	// what is not attached cannot be told from what moto dropped.
	arns, _ := prop(r, "ManagedPolicyArns").([]any)
	for _, arn := range arns {
		found := false
		for _, got := range p.AttachedPolicyArns {
			found = found || c.matches(arn, got)
		}
		if !found {
			c.invisible(id, "ManagedPolicyArns")
		}
	}
}

func (c *deployCheck) role(id string, r assembly.Resource) {
	role := c.principal(c.acct.IAM.Roles, c.physical[id])
	if role == nil || role.RoleName == "" {
		c.errorf(id, "CloudFormation created role %s but ListRoles does not show it", c.physical[id])
		return
	}
	if name := prop(r, "RoleName"); name != nil && !c.matches(name, role.RoleName) {
		c.errorf(id, "role name %s, want %s", role.RoleName, jsonOf(c.t, name))
	}
	c.same(id, "trust policy", prop(r, "AssumeRolePolicyDocument"), role.AssumeRolePolicyDocument)
	if d := prop(r, "MaxSessionDuration"); d != nil {
		c.same(id, "max session duration", d, role.MaxSessionDuration)
	}
	c.principalPolicies(id, r, role)
}

func (c *deployCheck) group(id string, r assembly.Resource) {
	group := c.principal(c.acct.IAM.Groups, c.physical[id])
	if group == nil || group.GroupName == "" {
		c.errorf(id, "CloudFormation created group %s but ListGroups does not show it", c.physical[id])
		return
	}
	c.principalPolicies(id, r, group)
}

// inlinePolicy checks an AWS::IAM::Policy on every role and group it names.
func (c *deployCheck) inlinePolicy(id string, r assembly.Resource) {
	name, _ := prop(r, "PolicyName").(string)
	for _, kind := range []string{"Roles", "Groups"} {
		list := c.acct.IAM.Roles
		if kind == "Groups" {
			list = c.acct.IAM.Groups
		}
		targets, _ := prop(r, kind).([]any)
		for _, target := range targets {
			var p *iamPrincipal
			for i := range list {
				if c.matches(target, list[i].RoleName+list[i].GroupName) {
					p = &list[i]
				}
			}
			if p == nil {
				c.errorf(id, "%s: no %s matches %s", name, strings.ToLower(kind[:len(kind)-1]), jsonOf(c.t, target))
				continue
			}
			if got, ok := p.InlinePolicies[name]; !ok {
				c.errorf(id, "%s%s has no inline policy %s", p.RoleName, p.GroupName, name)
			} else {
				c.same(id, "policy "+name, prop(r, "PolicyDocument"), got)
			}
		}
	}
}

func (c *deployCheck) managedPolicy(id string, r assembly.Resource) {
	arn := c.physical[id]
	for _, p := range c.acct.IAM.Policies {
		if p.Arn != arn {
			continue
		}
		c.same(id, "policy document", prop(r, "PolicyDocument"), p.Document)
		for _, kind := range []string{"Roles", "Groups"} {
			list := c.acct.IAM.Roles
			if kind == "Groups" {
				list = c.acct.IAM.Groups
			}
			targets, _ := prop(r, kind).([]any)
			for _, target := range targets {
				attached := false
				for _, q := range list {
					if c.matches(target, q.RoleName+q.GroupName) {
						for _, a := range q.AttachedPolicyArns {
							attached = attached || a == arn
						}
					}
				}
				if !attached {
					c.errorf(id, "%s is not attached to %s", arn, jsonOf(c.t, target))
				}
			}
		}
		return
	}
	c.errorf(id, "CloudFormation created policy %s but ListPolicies does not show it", arn)
}

func (c *deployCheck) topic(id string, r assembly.Resource) {
	arn := c.physical[id]
	for _, attrs := range c.reg.Topics {
		if attrs["TopicArn"] != arn {
			continue
		}
		if name := prop(r, "TopicName"); name != nil && !c.matches(name, arn[strings.LastIndex(arn, ":")+1:]) {
			c.errorf(id, "topic %s, want the name %s", arn, jsonOf(c.t, name))
		}
		if key := prop(r, "KmsMasterKeyId"); key != nil {
			if attrs["KmsMasterKeyId"] == "" {
				c.invisible(id, "KmsMasterKeyId")
			} else if !c.matches(key, attrs["KmsMasterKeyId"]) {
				c.errorf(id, "topic %s is encrypted with %s, want the template's %s", arn, attrs["KmsMasterKeyId"], jsonOf(c.t, key))
			}
		} else {
			c.errorf(id, "the template leaves topic %s unencrypted", arn)
		}
		return
	}
	c.errorf(id, "CloudFormation created topic %s but ListTopics does not show it", arn)
}

func (c *deployCheck) subscription(id string, r assembly.Resource) {
	for _, s := range c.reg.Subscriptions {
		if c.matches(prop(r, "TopicArn"), s["TopicArn"]) && prop(r, "Protocol") == s["Protocol"] && c.matches(prop(r, "Endpoint"), s["Endpoint"]) {
			return
		}
	}
	c.errorf(id, "ListSubscriptions shows no %v subscription of %v to %s", prop(r, "Protocol"), prop(r, "Endpoint"), jsonOf(c.t, prop(r, "TopicArn")))
}

func (c *deployCheck) rule(id string, r assembly.Resource) {
	for _, rule := range c.reg.Rules {
		if rule.Name != c.physical[id] && rule.Arn != c.physical[id] {
			continue
		}
		if state := prop(r, "State"); state != nil {
			c.same(id, "state", state, rule.State)
		}
		c.same(id, "event pattern", prop(r, "EventPattern"), rule.EventPattern)
		wantTargets, _ := prop(r, "Targets").([]any)
		var targets []any
		for _, target := range wantTargets {
			tm, _ := target.(map[string]any)
			targets = append(targets, map[string]any{"Id": tm["Id"], "Arn": tm["Arn"]})
		}
		c.same(id, "targets", targets, rule.Targets)
		return
	}
	c.errorf(id, "CloudFormation created rule %s but ListRules does not show it", c.physical[id])
}
