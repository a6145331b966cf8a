package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// Report is one run's results and where they came from.
type Report struct {
	Account  string   `json:"account"`
	Caller   string   `json:"caller"`
	Assembly string   `json:"assembly"`
	Seconds  float64  `json:"seconds"`
	Results  []Result `json:"results"`
}

// Counts counts the results by status.
func (r Report) Counts() map[Status]int {
	out := map[Status]int{Pass: 0, Warn: 0, Fail: 0, Error: 0}
	for _, res := range r.Results {
		out[res.Status]++
	}
	return out
}

// ExitCode is 1 when a check failed or could not run (or warned, with
// failOnWarning), else 0.
func (r Report) ExitCode(failOnWarning bool) int {
	c := r.Counts()
	if c[Fail] > 0 || c[Error] > 0 || (failOnWarning && c[Warn] > 0) {
		return 1
	}
	return 0
}

func (r Report) summary() string {
	c := r.Counts()
	return fmt.Sprintf("%d passed, %d warnings, %d failed, %d could not be checked", c[Pass], c[Warn], c[Fail], c[Error])
}

// Write writes the report as text, markdown or json.
func (r Report) Write(w io.Writer, format string) error {
	switch format {
	case "json":
		out := struct {
			Report
			Summary map[Status]int `json:"summary"`
		}{r, r.Counts()}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "markdown":
		fmt.Fprintf(w, "# Verify: account %s\n\nCaller %s, assembly %s. %s.\n\n", r.Account, r.Caller, r.Assembly, r.summary())
		fmt.Fprintln(w, "| Status | Check | Control | Region | Resource | Detail |")
		fmt.Fprintln(w, "| --- | --- | --- | --- | --- | --- |")
		for _, res := range r.Results {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", res.Status, res.Check, res.Control, res.Region, mdEscape(res.Resource), mdEscape(res.Detail))
		}
		return nil
	default:
		fmt.Fprintf(w, "Account %s (caller %s), assembly %s\n\n", r.Account, r.Caller, r.Assembly)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "STATUS\tCHECK\tCONTROL\tREGION\tRESOURCE\tDETAIL")
		for _, res := range r.Results {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", res.Status, res.Check, dash(res.Control), dash(res.Region), res.Resource, res.Detail)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "\n%s (%.1fs)\n", r.summary(), r.Seconds)
		return err
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
