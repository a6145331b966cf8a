// Command bench measures synthesis of generated configs: wall time and the
// peak resident memory of the app and its Node child, with and without AWS's
// template validation, for growing account counts. Run it with `make bench`.
//
//	go run ./test/bench [-accounts 1,10,50,100] [-regions 2] [-runs 1] [-stacksets]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func main() {
	accounts := flag.String("accounts", "1,10,50,100", "comma-separated account counts")
	regions := flag.Int("regions", 2, "regions per account")
	runs := flag.Int("runs", 1, "runs per cell; the fastest is reported")
	stackSets := flag.Bool("stacksets", true, "also measure StackSet mode at the largest account count")
	flag.Parse()

	counts, err := parseCounts(*accounts)
	if err != nil || *regions < 1 || *regions > 4 || *runs < 1 {
		fmt.Fprintln(os.Stderr, "bench: -accounts takes positive numbers like 1,10,50; -regions 1 to 4; -runs 1 or more")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "baseline-bench-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "app")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fail(fmt.Errorf("go build: %v\n%s", err, out))
	}

	fmt.Printf("machine: %s/%s, %d CPUs, %s; node: %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), memTotal(), nodeVersion())
	const row = "| %-9s | %8v | %6v | %-10s | %6v | %12v | %13v |\n"
	fmt.Printf(row, "mode", "accounts", "stacks", "validation", "wall s", "peak RSS MiB", "s per account")
	fmt.Printf(row, "---", "---", "---", "---", "---", "---", "---")
	type cell struct {
		wall float64
	}
	prev := map[bool]cell{}
	prevN := 0
	measure := func(mode string, n int, body string) {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d.yaml", mode, n))
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			fail(err)
		}
		for _, validation := range []bool{true, false} {
			best := result{wall: 1e9}
			for range *runs {
				r := synth(bin, path, filepath.Join(dir, "out"), validation)
				if r.wall < best.wall {
					best = r
				}
			}
			marginal := "-"
			if p, ok := prev[validation]; ok && mode == "accounts" && n > prevN {
				marginal = fmt.Sprintf("%.2f", (best.wall-p.wall)/float64(n-prevN))
			}
			if mode == "accounts" {
				prev[validation] = cell{best.wall}
			}
			fmt.Printf(row, mode, n, best.stacks, onOff(validation), fmt.Sprintf("%.1f", best.wall), fmt.Sprintf("%.0f", best.peakMiB), marginal)
		}
		if mode == "accounts" {
			prevN = n
		}
	}
	for _, n := range counts {
		measure("accounts", n, accountsConfig(n, *regions))
	}
	if *stackSets {
		measure("stacksets", counts[len(counts)-1], stackSetConfig(counts[len(counts)-1], *regions))
	}
}

type result struct {
	wall    float64
	peakMiB float64
	stacks  int
}

// synth runs the app once, as the CDK CLI does, and samples the resident
// memory of its whole process tree (the Go app and its Node child).
func synth(bin, config, outdir string, validation bool) result {
	os.RemoveAll(outdir)
	cmd := exec.Command(bin)
	context := cdkContext()
	context["config"] = config
	contextJSON, err := json.Marshal(context)
	if err != nil {
		fail(err)
	}
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+outdir, "CDK_CONTEXT_JSON="+string(contextJSON))
	if !validation {
		cmd.Env = append(cmd.Env, "CDK_VALIDATION=false")
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fail(err)
	}
	var peak atomic.Int64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if rss := treeRSS(cmd.Process.Pid); rss > peak.Load() {
					peak.Store(rss)
				}
			}
		}
	}()
	err = cmd.Wait()
	close(done)
	wall := time.Since(start).Seconds()
	if err != nil {
		fail(fmt.Errorf("synth of %s failed: %v\n%s", config, err, stderr.String()))
	}
	entries, _ := filepath.Glob(filepath.Join(outdir, "*.template.json"))
	return result{wall: wall, peakMiB: float64(peak.Load()) / (1 << 20), stacks: len(entries)}
}

// cdkContext is what the CDK CLI passes the app: cdk.json's context (the
// feature flags) and path metadata.
func cdkContext() map[string]any {
	data, err := os.ReadFile("cdk.json")
	if err != nil {
		fail(fmt.Errorf("run from the repository root: %w", err))
	}
	var c struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		fail(fmt.Errorf("cdk.json: %w", err))
	}
	c.Context["aws:cdk:enable-path-metadata"] = true
	c.Context["aws:cdk:enable-asset-metadata"] = true
	return c.Context
}

// treeRSS sums the resident memory of pid and its descendants, from /proc.
func treeRSS(root int) int64 {
	children := map[int][]int{}
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		s := string(data)
		end := strings.LastIndexByte(s, ')')
		fields := strings.Fields(s[end+1:])
		if len(fields) < 2 {
			continue
		}
		pid, _ := strconv.Atoi(strings.Fields(s)[0])
		ppid, _ := strconv.Atoi(fields[1])
		children[ppid] = append(children[ppid], pid)
	}
	var total int64
	var walk func(int)
	walk = func(pid int) {
		total += rss(pid)
		for _, c := range children[pid] {
			walk(c)
		}
	}
	walk(root)
	return total
}

func rss(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

var benchRegions = []string{"us-east-1", "eu-west-1", "ap-northeast-1", "us-west-2"}

func accountsConfig(n, regions int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "homeRegion: %s\nregions: [%s]\nnotifications: {emails: [security@example.com]}\naccounts:\n",
		benchRegions[0], strings.Join(benchRegions[:regions], ", "))
	for i := range n {
		fmt.Fprintf(&b, "  - {name: Acct%d, id: \"%012d\"}\n", i+1, 100000000000+i)
	}
	return b.String()
}

// stackSetConfig is the same organization rolled out by StackSets: the
// accounts live in OUs, so the config names only the deployer account.
func stackSetConfig(n, regions int) string {
	return fmt.Sprintf(`homeRegion: %s
regions: [%s]
notifications: {emails: [security@example.com]}
organization:
  deployerAccount: Deployer
  organizationalUnits: [ou-ab12-%08d]
accounts:
  - {name: Deployer, id: "999999999999"}
`, benchRegions[0], strings.Join(benchRegions[:regions], ", "), n)
}

func parseCounts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad count %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func memTotal() string {
	data, _ := os.ReadFile("/proc/meminfo")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return fmt.Sprintf("%.0f GiB RAM", float64(kb)/(1<<20))
		}
	}
	return "unknown RAM"
}

func nodeVersion() string {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return "not found"
	}
	return strings.TrimSpace(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "bench:", err)
	os.Exit(1)
}
