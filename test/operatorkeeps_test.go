package test

import (
	"testing"
)

// TestOperatorKeepsFileIsStrict: a keep turns denied cells of the tamper
// matrix into allowed ones, so a mistyped key or an entry without its
// reason must stop the test, not be dropped.
func TestOperatorKeepsFileIsStrict(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"a misspelt key", "keeps:\n  - action: kms:Decrypt\n    reson: x\n",
			// The entry has no reason either: both are said, at their lines.
			"k.yaml:2: keeps[0].reason: required; say in one line why the operator keeps kms:Decrypt\n" +
				"k.yaml:3: keeps[0].reson: unknown key; did you mean \"reason\"?"},
		{"no reason", "keeps:\n  - action: kms:Decrypt\n    reason: \" \"\n",
			"k.yaml:3: keeps[0].reason: required; say in one line why the operator keeps kms:Decrypt"},
		{"an action listed twice", "keeps:\n  - {action: kms:Decrypt, reason: a}\n  - {action: KMS:decrypt, reason: b}\n",
			"k.yaml:3: keeps[1].action: KMS:decrypt is already keeps[0]"},
		{"every problem at once", "keeps:\n  - {action: kms:Decrypt}\n  - {action: 3, reason: b}\n",
			"k.yaml:2: keeps[0].reason: required; say in one line why the operator keeps kms:Decrypt\n" +
				"k.yaml:3: keeps[1].action: must be a quoted string, got the number 3 (YAML reads unquoted digits as a number and drops leading zeros); write \"3\""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseOperatorKeeps([]byte(c.yaml), "k.yaml")
			if err == nil || err.Error() != c.want {
				t.Errorf("error:\n got %v\nwant %s", err, c.want)
			}
		})
	}
	keeps := loadOperatorKeeps(t)
	if len(keeps) == 0 || keeps["kms:decrypt"] == "" {
		t.Errorf("the embedded keeps were not read: %d entries", len(keeps))
	}
}
