#!/usr/bin/env bash
# Review a change to the baseline, for any CI system: the same steps as
# examples/ci/github-actions.yml, without posting. Run it in a checkout of
# the change (the head), with the base branch's commit fetched:
#
#   BASE_REF=origin/main examples/ci/review-pr.sh
#
# It runs the tests, synthesizes the base and the head, reviews the head
# against the base, and writes to $OUT (default review/):
#
#   base.json, head.json   review --format json of each (README "The review as JSON")
#   REVIEW.md              the head's full report, with "What changed"
#   comment.md             the pull-request comment (go run . pr-comment)
#
# Exit status: 0 pass; 3 a stateful resource is replaced or removed and
# ALLOW_REPLACEMENT is not true (post comment.md anyway: it says why);
# anything else, the review could not run.
#
# Environment:
#   BASE_REF           the base commit or branch (required)
#   CONFIG             your config file (default baseline.yaml; "" = the example)
#   OUT                where to write (default review)
#   ALLOW_REPLACEMENT  true when the change may replace stateful resources
#                      (the workflow sets it from the label baseline-allow-replacement)
#   RUN_TESTS          false skips `make test` (default true)
set -euo pipefail

: "${BASE_REF:?set BASE_REF to the base branch or commit, e.g. origin/main}"
CONFIG=${CONFIG-baseline.yaml}
OUT=${OUT:-review}
ALLOW_REPLACEMENT=${ALLOW_REPLACEMENT:-false}
RUN_TESTS=${RUN_TESTS:-true}

head_dir=$(pwd)
work=$(mktemp -d)
cleanup() {
	git -C "$head_dir" worktree remove --force "$work/base" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$OUT"
out=$(cd "$OUT" && pwd)

context=()
if [ -n "$CONFIG" ]; then
	context=(-c "config=$CONFIG")
fi

# The head: tests, then the assembly and the tool that reviews both (the
# head's tool, so both reviews have the same JSON version).
npm ci --no-audit --no-fund --loglevel=error
if [ "$RUN_TESTS" = true ]; then
	make test
fi
export PATH="$head_dir/node_modules/.bin:$PATH"
cdk synth --quiet "${context[@]}" --output "$work/head.out"
go build -o "$work/baseline" .

# The base: its own code and config, in a worktree of the same clone.
git worktree add --detach "$work/base" "$BASE_REF" >/dev/null
(
	cd "$work/base"
	npm ci --no-audit --no-fund --loglevel=error
	PATH="$work/base/node_modules/.bin:$PATH" cdk synth --quiet "${context[@]}" --output "$work/base.out"
)

"$work/baseline" review --assembly "$work/base.out" --format json >"$out/base.json"
"$work/baseline" review --assembly "$work/head.out" --previous "$work/base.out" --format json >"$out/head.json"
cp "$work/head.out/REVIEW.md" "$out/REVIEW.md"

allow=()
if [ "$ALLOW_REPLACEMENT" = true ]; then
	allow=(--allow-replacement)
fi
status=0
"$work/baseline" pr-comment --review "$out/head.json" --previous "$out/base.json" "${allow[@]}" >"$out/comment.md" || status=$?
echo "wrote $out/comment.md (pr-comment exit $status)"
exit "$status"
