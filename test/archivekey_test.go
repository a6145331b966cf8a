package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secure-baseline/cdk-baseline/config"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
	"github.com/secure-baseline/cdk-baseline/stacks"
)

// archiveKeyConfig has a central log archive whose key ARN the operator
// has copied into the config, in two regions, and a member account.
const archiveKeyConfig = `homeRegion: eu-west-1
regions: [eu-west-1, us-east-1]
notifications: {emails: [sec@example.com]}
accounts:
  - name: Archive
    id: "333333333333"
    logArchive: true
    trail: {archiveKeyArn: "arn:aws:kms:eu-west-1:333333333333:key/0c6f1b5e-1f43-4c1e-9a52-6f1d9a0e7b21"}
  - name: Member
    id: "444444444444"
`

const archiveKeyArn = "arn:aws:kms:eu-west-1:333333333333:key/0c6f1b5e-1f43-4c1e-9a52-6f1d9a0e7b21"

var archiveKeyAsm cached

func archiveKeyAssembly(t testing.TB) *assembly.Assembly {
	return archiveKeyAsm.config(t, archiveKeyConfig, "archive-key.yaml")
}

// keyReference is one place a template names the log archive key.
type keyReference struct {
	stack, what string
	got         string // the template's value, as JSON
}

// keyReferences lists where each stack names the archive key: the
// delivery channel's S3KmsKeyArn and the trail's KMSKeyId.
func keyReferences(t testing.TB, name string, res map[string]svcResource) []keyReference {
	var out []keyReference
	for _, r := range svcOfType(res, "AWS::Config::DeliveryChannel") {
		out = append(out, keyReference{name, "Config delivery channel S3KmsKeyArn", jsonOf(t, r.Properties["S3KmsKeyArn"])})
	}
	for _, r := range svcOfType(res, "AWS::CloudTrail::Trail") {
		out = append(out, keyReference{name, "trail KMSKeyId", jsonOf(t, r.Properties["KMSKeyId"])})
	}
	return out
}

// wantKeyReference is what a stack must name the key by, from the config
// and the template alone: the key's own ARN where the template holds the
// key; else the owner's trail.archiveKeyArn; else the alias ARN, the one
// form both services accept without a key ARN being known.
func wantKeyReference(t testing.TB, cfg *config.Config, acc config.Account, res map[string]svcResource) string {
	if id, _, ok := svcAt(res, "LogArchive/Key/Resource"); ok {
		return jsonOf(t, map[string]any{"Fn::GetAtt": []any{id, "Arn"}})
	}
	owner := stacks.LogArchive(cfg, acc)
	if owner.Trail.ArchiveKeyArn != "" {
		return jsonOf(t, owner.Trail.ArchiveKeyArn)
	}
	return jsonOf(t, fmt.Sprintf("arn:aws:kms:%s:%s:alias/baseline/cloudtrail", owner.HomeRegion, owner.ID))
}

// archiveKeyProblems checks every reference to the archive key in every
// per-account stack of an assembly.
func archiveKeyProblems(t testing.TB, cfg *config.Config, templates map[string]map[string]svcResource) (problems []string, checked int) {
	for _, acc := range cfg.Accounts {
		for _, region := range acc.Regions {
			name := stacks.StackName(acc, region)
			res, ok := templates[name]
			if !ok {
				problems = append(problems, name+": no template")
				continue
			}
			want := wantKeyReference(t, cfg, acc, res)
			for _, ref := range keyReferences(t, name, res) {
				checked++
				if ref.got != want {
					problems = append(problems, fmt.Sprintf("%s: %s is %s, want %s", ref.stack, ref.what, ref.got, want))
				}
			}
		}
	}
	return problems, checked
}

func templatesOf(t testing.TB, asm *assembly.Assembly) map[string]map[string]svcResource {
	out := map[string]map[string]svcResource{}
	for _, s := range asm.Stacks {
		out[s.Name] = svcTemplate(t, asm, s)
	}
	return out
}

// The proof: in the example, the every-region config and a central archive
// with its key ARN configured, every trail and delivery channel names the
// archive key by the best form that can be known.
func TestArchiveKeyReferences(t *testing.T) {
	everyRegion, err := config.Parse([]byte(everyRegionConfig()), "every-region.yaml")
	if err != nil {
		t.Fatal(err)
	}
	archive, err := config.Parse([]byte(archiveKeyConfig), "archive-key.yaml")
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range []struct {
		name string
		cfg  *config.Config
		asm  *assembly.Assembly
	}{
		{"example", config.Example(), exampleAssembly(t)},
		{"every region", everyRegion, everyRegionAssembly(t)},
		{"central archive with its key ARN", archive, archiveKeyAssembly(t)},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems, checked := archiveKeyProblems(t, c.cfg, templatesOf(t, c.asm))
			for _, p := range problems {
				t.Error(p)
			}
			if checked == 0 {
				t.Fatal("no key reference checked")
			}
			total += checked
		})
	}
	t.Logf("%d key references checked", total)

	// The key ARN set in the config is what the other stacks use.
	asm := archiveKeyAssembly(t)
	for _, name := range []string{"Archive-us-east-1", "Member-eu-west-1", "Member-us-east-1"} {
		for _, ref := range keyReferences(t, name, svcTemplate(t, asm, stack(t, asm, name))) {
			if ref.got != jsonOf(t, archiveKeyArn) {
				t.Errorf("%s: %s is %s, want the configured key ARN", name, ref.what, ref.got)
			}
		}
	}
}

// The owner's home stack prints the key ARN that trail.archiveKeyArn takes.
func TestArchiveKeyArnIsAnOutput(t *testing.T) {
	asm := archiveKeyAssembly(t)
	s := stack(t, asm, "Archive-eu-west-1")
	raw, err := os.ReadFile(filepath.Join(asm.Dir, s.TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Outputs map[string]struct {
			Value any `json:"Value"`
		} `json:"Outputs"`
	}
	if err := json.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	keyID, _ := svcMust(t, s.Name, svcTemplate(t, asm, s), "LogArchive/Key/Resource")
	out, ok := tpl.Outputs["LogArchiveKeyArn"]
	if want := jsonOf(t, map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}}); !ok || jsonOf(t, out.Value) != want {
		t.Errorf("output LogArchiveKeyArn is %v, want %s", out.Value, want)
	}
	member, err := os.ReadFile(filepath.Join(asm.Dir, stack(t, asm, "Member-eu-west-1").TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(member), `"LogArchiveKeyArn"`) {
		t.Error("a member account, which owns no archive, prints an archive key ARN")
	}
}

// The negative of the proof: name the key by its alias where the template
// holds the key, or ignore the configured key ARN, and the check says so.
func TestArchiveKeyCheckCatchesAliasReferences(t *testing.T) {
	cfg, err := config.Parse([]byte(archiveKeyConfig), "archive-key.yaml")
	if err != nil {
		t.Fatal(err)
	}
	alias := "arn:aws:kms:eu-west-1:333333333333:alias/baseline/cloudtrail"
	cases := []struct {
		name, stack, typ, prop string
	}{
		{"the home stack's channel by alias, next to the key", "Archive-eu-west-1", "AWS::Config::DeliveryChannel", "S3KmsKeyArn"},
		{"another region's channel by alias, though the key ARN is configured", "Archive-us-east-1", "AWS::Config::DeliveryChannel", "S3KmsKeyArn"},
		{"a member trail by alias, though the key ARN is configured", "Member-eu-west-1", "AWS::CloudTrail::Trail", "KMSKeyId"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			templates := templatesOf(t, archiveKeyAssembly(t))
			if p, _ := archiveKeyProblems(t, cfg, templates); len(p) > 0 {
				t.Fatalf("unbroken templates already fail: %v", p)
			}
			rs := svcOfType(templates[tc.stack], tc.typ)
			if len(rs) != 1 {
				t.Fatalf("%d %s in %s", len(rs), tc.typ, tc.stack)
			}
			rs[0].Properties[tc.prop] = alias
			p, _ := archiveKeyProblems(t, cfg, templates)
			if len(p) != 1 || !strings.HasPrefix(p[0], tc.stack+": ") || !strings.Contains(p[0], alias) {
				t.Errorf("problems %q, want one for %s naming the alias", p, tc.stack)
			}
		})
	}
}

func TestArchiveKeyArnConfigErrors(t *testing.T) {
	const central = `homeRegion: eu-west-1
regions: [eu-west-1]
notifications: {emails: [sec@example.com]}
accounts:
  - name: Archive
    id: "333333333333"
    logArchive: true
  - name: Member
    id: "444444444444"
`
	key := func(account, region string) string {
		return "arn:aws:kms:" + region + ":" + account + ":key/0c6f1b5e-1f43-4c1e-9a52-6f1d9a0e7b21"
	}
	cases := []configCase{
		{"the archive's own key in its home region is taken",
			strings.Replace(central, "logArchive: true", "logArchive: true\n    trail: {archiveKeyArn: \""+key("333333333333", "eu-west-1")+"\"}", 1), ""},
		{"an alias ARN is not a key ARN",
			strings.Replace(central, "logArchive: true", "logArchive: true\n    trail: {archiveKeyArn: \"arn:aws:kms:eu-west-1:333333333333:alias/baseline/cloudtrail\"}", 1),
			`b.yaml:8: accounts[0].trail.archiveKeyArn: "arn:aws:kms:eu-west-1:333333333333:alias/baseline/cloudtrail" is not a key of this account in its home region; use arn:aws:kms:eu-west-1:333333333333:key/<key id>, as the output LogArchiveKeyArn of stack Archive-eu-west-1 shows after its first deploy`},
		{"a key of another region",
			strings.Replace(central, "logArchive: true", "logArchive: true\n    trail: {archiveKeyArn: \""+key("333333333333", "us-east-1")+"\"}", 1),
			`b.yaml:8: accounts[0].trail.archiveKeyArn: "` + key("333333333333", "us-east-1") + `" is not a key of this account in its home region; use arn:aws:kms:eu-west-1:333333333333:key/<key id>, as the output LogArchiveKeyArn of stack Archive-eu-west-1 shows after its first deploy`},
		{"a member account names no archive key",
			central + "    trail: {archiveKeyArn: \"" + key("444444444444", "eu-west-1") + "\"}\n",
			`b.yaml:10: accounts[1].trail.archiveKeyArn: the log archive's key belongs to accounts[0] (logArchive: true); set archiveKeyArn there, or remove it here`},
		{"not at the top level",
			strings.Replace(central, "accounts:", "trail: {archiveKeyArn: \""+key("333333333333", "eu-west-1")+"\"}\naccounts:", 1),
			`b.yaml:4: trail.archiveKeyArn: is the key of one account's log archive; set it in the entry of the account that owns the archive, not at the top level`},
		{"an account without an archive of its own",
			strings.Replace(validConfig, `id: "222222222222"`, `id: "222222222222"`+"\n    trail: {mode: skip, archiveKeyArn: \""+key("222222222222", "ap-northeast-1")+"\"}\n    awsConfig: {mode: skip}", 1),
			`b.yaml:10: accounts[1].trail.archiveKeyArn: this account has no log archive (trail.mode skip); remove archiveKeyArn`},
	}
	checkConfigCases(t, "b.yaml", cases)
}
