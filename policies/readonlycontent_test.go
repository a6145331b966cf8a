package policies_test

import (
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/policies"
)

func TestContentReadsListIsValid(t *testing.T) {
	c, err := policies.ReadOnlyContentReads()
	if err != nil {
		t.Fatalf("embedded list: %v", err)
	}
	content := 0
	for _, r := range c.Reads {
		if r.Verdict == policies.VerdictContent {
			content++
		}
	}
	if len(c.Reads) < 100 || content == 0 {
		t.Errorf("%d verdicts, %d content: the list was not read", len(c.Reads), content)
	}
	if v, ok := c.Verdict("COGNITO-IDP:describeuserpoolclient"); !ok || v.Verdict != policies.VerdictContent {
		t.Errorf("Verdict is case-insensitive and DescribeUserPoolClient is content: %v %v", v, ok)
	}
}

func TestContentReadsListRejectsMistakes(t *testing.T) {
	const head = "rule:\n  accessLevels: [Read]\n  keywords: secret\n  sensitiveMembers: Secret\nreads:\n"
	for _, c := range []struct{ name, yaml, want string }{
		{"an unknown verdict", head + "  - {action: s3:GetObject, verdict: data, reason: x}\n",
			`c.yaml:6: reads[0].verdict: "data" is neither content nor metadata`},
		{"no reason", head + "  - {action: s3:GetObject, verdict: content, reason: \" \"}\n",
			`c.yaml:6: reads[0].reason: s3:GetObject has no reason; say in one line what the response holds`},
		{"an action listed twice", head + "  - {action: s3:GetObject, verdict: content, reason: x}\n  - {action: s3:getobject, verdict: metadata, reason: y}\n",
			`c.yaml:7: reads[1].action: s3:getobject is already reads[0]`},
		{"not an action", head + "  - {action: s3:Get*, verdict: content, reason: x}\n",
			`c.yaml:6: reads[0].action: "s3:Get*" is not service:Action`},
		{"a keyword pattern that does not compile", strings.Replace(head, "keywords: secret", "keywords: \"(secret\"", 1),
			"c.yaml:3: rule.keywords: error parsing regexp: missing closing ): `(secret`\nc.yaml:5: reads: has no value; give one or remove the key"},
		{"no access levels", strings.Replace(head, "[Read]", "[]", 1),
			"c.yaml:2: rule.accessLevels: is empty; list the access levels that can return content, e.g. [Read, List]\nc.yaml:5: reads: has no value; give one or remove the key"},
		{"an unknown key", head + "  - {action: s3:GetObject, verdict: content, reason: x, why: y}\n", "c.yaml:6: reads[0].why: unknown key; expected one of action, reason, verdict"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := policies.ParseContentReads([]byte(c.yaml), "c.yaml")
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v, want %s", err, c.want)
			}
		})
	}
}
