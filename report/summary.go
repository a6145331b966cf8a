package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/secure-baseline/cdk-baseline/report/assembly"
)

// Summary prints each stack of the assembly with its account, region and
// resource counts.
func Summary(w io.Writer, a *assembly.Assembly) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STACK\tACCOUNT\tREGION\tRESOURCES\tBY TYPE")
	total := 0
	for _, s := range a.Stacks {
		types := s.ResourceTypes()
		names := make([]string, 0, len(types))
		for t := range types {
			names = append(names, t)
		}
		sort.Strings(names)
		parts := make([]string, len(names))
		for i, t := range names {
			parts[i] = fmt.Sprintf("%s %d", strings.TrimPrefix(t, "AWS::"), types[t])
		}
		total += len(s.Template.Resources)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Name, s.Account, s.Region, len(s.Template.Resources), strings.Join(parts, ", "))
	}
	fmt.Fprintf(tw, "%d stacks\t\t\t%d\t\n", len(a.Stacks), total)
	return tw.Flush()
}
