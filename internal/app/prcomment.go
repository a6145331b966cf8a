package app

import (
	"flag"
	"fmt"
	"io"

	"github.com/secure-baseline/cdk-baseline/report"
)

const prCommentArgs = "--review head.json [--previous base.json] [--allow-replacement] [--allow-label NAME]"

// prComment runs `pr-comment`: the pull-request comment of the CI workflow
// (examples/ci), from the head's review --previous ... --format json and
// the base's review --format json. It prints the comment, and then returns
// a *report.PolicyFailure (exit 3) when the rule blocks the change, so
// that the workflow posts the comment either way.
func prComment(stdout io.Writer, args []string) error {
	usage := "pr-comment " + prCommentArgs
	fl := flag.NewFlagSet("pr-comment", flag.ContinueOnError)
	fl.SetOutput(io.Discard)
	headPath := fl.String("review", "", "")
	basePath := fl.String("previous", "", "")
	allow := fl.Bool("allow-replacement", false, "")
	label := fl.String("allow-label", report.DefaultAllowLabel, "")
	if help, err := parseFlags(stdout, fl, usage, args); help || err != nil {
		return err
	}
	if *headPath == "" {
		return fmt.Errorf("pr-comment: --review is required (the head's review --previous ... --format json); usage: %s", usage)
	}
	head, err := report.ReadReviewJSON(*headPath)
	if err != nil {
		return err
	}
	var base *report.ReviewJSON
	if *basePath != "" {
		if base, err = report.ReadReviewJSON(*basePath); err != nil {
			return err
		}
	}
	text, blocked, err := report.PRComment(head, base, report.PRCommentOptions{AllowReplacement: *allow, AllowLabel: *label})
	if err != nil {
		return err
	}
	if _, err := io.WriteString(stdout, text); err != nil {
		return err
	}
	if blocked {
		return &report.PolicyFailure{Reasons: []string{fmt.Sprintf("%d stateful resource(s) replaced or removed, and the pull request has no label %s", head.Changes.StatefulReplacedOrRemoved, *label)}}
	}
	return nil
}
