package report

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/secure-baseline/cdk-baseline/policies"
	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// ControlTowerRow is one AWS Control Tower proactive control that a
// resource fails on purpose (policies/controltower.yaml), and the stacks
// of this assembly that hold that resource.
type ControlTowerRow struct {
	policies.ControlTowerException
	Stacks []string
}

// ControlTowerExceptions lists every entry of policies/controltower.yaml
// with the stacks of asm whose template holds its resource (by the
// resource's aws:cdk:path under the stack).
func ControlTowerExceptions(asm *assembly.Assembly) ([]ControlTowerRow, error) {
	list, err := policies.ControlTowerExceptionList()
	if err != nil {
		return nil, err
	}
	var rows []ControlTowerRow
	for _, e := range list.Exceptions {
		row := ControlTowerRow{ControlTowerException: e}
		for _, s := range asm.Stacks {
			for _, r := range s.Template.Resources {
				if p, _ := r.Metadata["aws:cdk:path"].(string); p == s.Name+"/"+e.Resource {
					row.Stacks = append(row.Stacks, s.Name)
					break
				}
			}
		}
		sort.Strings(row.Stacks)
		rows = append(rows, row)
	}
	return rows, nil
}

func (r *Review) controlTowerSection(b *bytes.Buffer) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("## AWS Control Tower proactive controls\n\n")
	if r.ControlTowerError != "" {
		p("**The list of exceptions could not be read:** %s\n\n", r.ControlTowerError)
		return
	}
	p("The baseline's tests run [AWS Control Tower's proactive controls](%s) (the cfn-guard rules of `@cdklabs/cdk-validator-cfnguard`) ", r.ControlTowerSource)
	p("on the templates of its example configs. The resources below fail a control on purpose; every other resource passes every control. ")
	p("The list is [`policies/controltower.yaml`](policies/controltower.yaml). If you enable these controls in Control Tower, expect these findings.\n\n")
	p("| Control | Resource | In this assembly | Why |\n|---|---|---|---|\n")
	for _, row := range r.ControlTower {
		where := "none of its stacks"
		if len(row.Stacks) > 0 {
			where = strings.Join(row.Stacks, ", ")
		}
		p("| %s | %s | %s | %s ([AWS](%s)) |\n", row.Rule, code(row.Resource), cell(where), cell(strings.Join(strings.Fields(row.Reason), " ")), row.Doc)
	}
	p("\n")
}
