package policies_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
)

// prowlerCheck is one of Prowler's metric-filter checks, as
// testdata/prowler_metric_filters.yaml records it.
type prowlerCheck struct {
	Check       string     `yaml:"check"`
	Alarm       string     `yaml:"alarm"`
	Ordered     bool       `yaml:"ordered"`
	EventSource string     `yaml:"eventSource"`
	EventNames  []string   `yaml:"eventNames"`
	Clauses     [][]string `yaml:"clauses"`
	ExpectFail  string     `yaml:"expectFail"`
}

func loadProwler(t *testing.T) []prowlerCheck {
	t.Helper()
	data, err := os.ReadFile("testdata/prowler_metric_filters.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Source string         `yaml:"source"`
		Checks []prowlerCheck `yaml:"checks"`
	}
	if err := yaml.UnmarshalWithOptions(data, &doc, yaml.Strict()); err != nil {
		t.Fatalf("prowler_metric_filters.yaml: %v", err)
	}
	return doc.Checks
}

// clauseRegexps are the regular expressions a check's terms come to, in
// the shape Prowler's build_metric_filter_pattern documents: a field, the
// operator with any spacing, an optional quote, the value; an event name
// not followed by a letter.
func (c prowlerCheck) clauseRegexps() []string {
	var out []string
	if c.EventSource != "" {
		out = append(out, `\$\.eventSource\s*=\s*.?`+regexp.QuoteMeta(c.EventSource))
	}
	for _, n := range c.EventNames {
		out = append(out, `\$\.eventName\s*=\s*.?`+regexp.QuoteMeta(n)+`(?:[^A-Za-z]|$)`)
	}
	for _, cl := range c.Clauses {
		field, op, value := cl[0], cl[1], cl[2]
		if op == "NOT EXISTS" {
			out = append(out, `\$\.`+regexp.QuoteMeta(field)+` NOT EXISTS`)
			continue
		}
		out = append(out, `\$\.`+regexp.QuoteMeta(field)+`\s*`+regexp.QuoteMeta(op)+`\s*.?`+regexp.QuoteMeta(value))
	}
	return out
}

// prowlerMissing lists the terms of a check that pattern lacks (or has out
// of order, for an ordered check).
func prowlerMissing(c prowlerCheck, pattern string) []string {
	var missing []string
	rest := pattern
	for _, re := range c.clauseRegexps() {
		r := regexp.MustCompile(`(?s)` + re)
		in := pattern
		if c.Ordered {
			in = rest
		}
		loc := r.FindStringIndex(in)
		if loc == nil {
			missing = append(missing, re)
			continue
		}
		if c.Ordered {
			rest = rest[loc[1]:]
		}
	}
	return missing
}

// TestCatalogAgainstProwler checks every entry of the catalog that a
// Prowler metric-filter check looks at: it passes, or fails for the reason
// the data file gives.
func TestCatalogAgainstProwler(t *testing.T) {
	checks := loadProwler(t)
	if len(checks) != 15 {
		t.Errorf("%d Prowler checks in the data, want the 15 metric-filter checks", len(checks))
	}
	pass := 0
	for _, c := range checks {
		t.Run(c.Check, func(t *testing.T) {
			missing := prowlerMissing(c, byID(t, c.Alarm).Pattern)
			switch {
			case c.ExpectFail == "" && len(missing) > 0:
				t.Errorf("%s fails %s: the pattern lacks %s", c.Alarm, c.Check, strings.Join(missing, ", "))
			case c.ExpectFail != "" && len(missing) == 0:
				t.Errorf("%s now passes %s: drop expectFail from the data", c.Alarm, c.Check)
			case c.ExpectFail != "":
				t.Logf("%s fails %s on purpose: %s", c.Alarm, c.Check, c.ExpectFail)
			default:
				pass++
			}
		})
	}
	t.Logf("%d of %d Prowler metric-filter checks pass", pass, len(checks))
}

// TestProwlerCheckCatchesMissingTerms is the negative test: each entry
// with one required term removed, and a longer name standing in for a
// shorter one, must fail its check.
func TestProwlerCheckCatchesMissingTerms(t *testing.T) {
	for _, c := range loadProwler(t) {
		if c.ExpectFail != "" || len(c.EventNames) == 0 {
			continue
		}
		pattern := byID(t, c.Alarm).Pattern
		last := c.EventNames[len(c.EventNames)-1]
		broken := regexp.MustCompile(fmt.Sprintf(`\|\|\s*\(\$\.eventName\s*=\s*"?%s"?\)|\(\$\.eventName\s*=\s*"?%s"?\)\s*\|\|`, last, last)).ReplaceAllString(pattern, "")
		if broken == pattern {
			broken = strings.Replace(pattern, last, last+"X", 1)
		}
		if len(prowlerMissing(c, broken)) == 0 {
			t.Errorf("%s without %s still passes %s", c.Alarm, last, c.Check)
		}
	}
	// CreateOrganizationalUnit does not stand in for CreateOrganization.
	orgs := prowlerCheck{EventNames: []string{"CreateOrganization"}}
	if len(prowlerMissing(orgs, `{ ($.eventName = "CreateOrganizationalUnit") }`)) == 0 {
		t.Error("CreateOrganizationalUnit satisfies CreateOrganization")
	}
	// An ordered check wants its clauses in order.
	root := prowlerCheck{Ordered: true, Clauses: [][]string{{"userIdentity.type", "=", "Root"}, {"eventType", "!=", "AwsServiceEvent"}}}
	if len(prowlerMissing(root, `{$.eventType != "AwsServiceEvent" && $.userIdentity.type = "Root"}`)) == 0 {
		t.Error("an ordered check accepts its clauses out of order")
	}
}
