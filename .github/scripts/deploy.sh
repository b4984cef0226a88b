#!/bin/bash
# The deploy workflow's logic, runnable locally, in two steps:
#   deploy.sh plan    check the inputs, ask the agent for the plan, print it
#                     in the job summary and hand its expect_current_digest
#                     to the next job (GITHUB_OUTPUT); fail when the plan
#                     says the deploy would be refused.
#   deploy.sh deploy  deploy exactly over what the plan saw (the agent
#                     answers 412 if anything changed since), verify it
#                     runs, and write the outcome, the container's start
#                     logs and the last history entries to the job summary.
# No rollback, no runtime configuration: the agent owns that. The deploy
# is followed to its end (dreichorctl's asynchronous mode, so a deploy of
# any length outlives Cloudflare's 100 s limit): its phases reach the job's
# log as they begin, and the phase timeline the job summary.
#
# Inputs (environment): INPUT_ENVIRONMENT (dev|prod), INPUT_IMAGE_TAG,
# INPUT_CONFIRM (must repeat the tag for prod), IMAGE_REPOSITORY,
# DREICHOR_URL, CF_ACCESS_CLIENT_ID, CF_ACCESS_CLIENT_SECRET,
# INPUT_EXPECT_CURRENT_DIGEST (deploy: the plan's value),
# DREICHORCTL (default: dreichorctl on PATH), GITHUB_STEP_SUMMARY and
# GITHUB_OUTPUT (optional).
set -uo pipefail
summary_file=${GITHUB_STEP_SUMMARY:-/dev/null}
output_file=${GITHUB_OUTPUT:-/dev/null}
ctl=${DREICHORCTL:-dreichorctl}
mode=${1:-}
case "$mode" in
plan | deploy) ;;
*) echo "usage: deploy.sh plan|deploy" >&2; exit 2 ;;
esac

summary() { printf '%s\n' "$@" >>"$summary_file"; }
refuse() {
	echo "::error title=Deploy refused::$1"
	summary "## Deploy refused" "" "$1"
	exit 1
}

env=${INPUT_ENVIRONMENT:-}
tag=${INPUT_IMAGE_TAG:-}
case "$env" in
dev | prod) ;;
*) refuse "environment must be dev or prod, not '$env'" ;;
esac
[ "$tag" != latest ] || refuse "the latest tag is refused: choose an immutable tag (commit SHA or X.Y.Z)"
if [[ $tag =~ ^[0-9a-f]{7,40}$ || $tag =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
	:
elif [[ $tag =~ ^[0-9]+\.[0-9]+\.[0-9]+-dev$ ]]; then
	[ "$env" = dev ] || refuse "tag $tag is a dev pre-release and cannot go to prod"
else
	refuse "tag '$tag' is not a commit SHA (7-40 lowercase hex) or X.Y.Z[-dev]"
fi
if [ "$env" = prod ] && [ "${INPUT_CONFIRM:-}" != "$tag" ]; then
	refuse "prod deploys need confirmation: type the tag ($tag) again in the confirm input"
fi
for v in IMAGE_REPOSITORY DREICHOR_URL CF_ACCESS_CLIENT_ID CF_ACCESS_CLIENT_SECRET; do
	[ -n "${!v:-}" ] || refuse "$v is not set for the $env GitHub Environment"
done

image=$IMAGE_REPOSITORY:$tag
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# The history's newest entries, as a table.
history_table() {
	"$ctl" --json history --limit 5 2>/dev/null | jq -r '
		"| time | action | result | HTTP | phase | image | digest |", "| --- | --- | --- | --- | --- | --- | --- |",
		(.deploys[] | "| \(.time) | \(.action) | \(.result) | \(.http_status) | \(.phase // "") | \(.image // "") | `\(.image_digest // "")` |")'
}

if [ "$mode" = plan ]; then
	echo "Planning $image for $env"
	"$ctl" --json plan "$image" --environment "$env" >"$out" 2>"$err"
	rc=$?
	cat "$err" >&2
	answer=$(head -1 "$out")
	if ! jq -e .checks >/dev/null 2>&1 <<<"$answer"; then
		reason=$(tail -1 "$err")
		echo "::error title=Plan failed::$reason"
		summary "## Plan of $image for $env failed" "" "**Reason:** $reason"
		exit 1
	fi
	expect=$(jq -r '.expect_current_digest // empty' <<<"$answer")
	summary "## Plan: $image to $env" "" \
		"- running now: \`$(jq -r '.current.image // "nothing"' <<<"$answer")\` \`$(jq -r '.current.image_digest // "-"' <<<"$answer")\`" \
		"- target: \`$(jq -r '.target.image_digest // "unknown"' <<<"$answer")\`" \
		"- expect_current_digest: \`$expect\`" "" "| check | result |" "| --- | --- |"
	jq -r '.checks[] | "| \(.check) | \(if .ok then "ok" else "refused (\(.status)): \(.reason)" end) |"' <<<"$answer" >>"$summary_file"
	if [ $rc -ne 0 ]; then
		reason=$(jq -r '[.checks[] | select(.ok | not) | "\(.check): \(.reason)"] | join("; ")' <<<"$answer")
		echo "::error title=Plan refused::$reason"
		summary "" "**A deploy would be refused:** $reason"
		exit 1
	fi
	printf 'expect_current_digest=%s\n' "$expect" >>"$output_file"
	exit 0
fi

expect=${INPUT_EXPECT_CURRENT_DIGEST:-}
[[ $expect == none || $expect =~ ^sha256:[0-9a-f]{64}$ ]] ||
	refuse "INPUT_EXPECT_CURRENT_DIGEST must be the plan's expect_current_digest, not '$expect'"
echo "Deploying $image to $env over $expect"
"$ctl" --json deploy "$image" --environment "$env" --expect-current "$expect" --wait-running >"$out" 2> >(tee "$err" >&2)
rc=$?
wait
answer=$(head -1 "$out")
# When each phase began and how long it took, from the agent's record.
phase_table() {
	jq -r 'if (.phases | length) > 0 then "| phase | began | took |", "| --- | --- | --- |",
		(.phases[] | "| \(.phase) | \(.at) | \(.duration_ms // "") ms |") else empty end' <<<"$answer" 2>/dev/null
}
if [ $rc -eq 0 ]; then
	digest=$(jq -r '.image_digest // "?"' <<<"$answer")
	summary "## Deployed $image to $env" "" "- digest: \`$digest\`" \
		"- container: \`$(jq -r '.container_name // "?"' <<<"$answer")\`" \
		"- request id: \`$(jq -r '.request_id // "?"' <<<"$answer")\`" "- verified running through /v1/status"
	jq -r '.logs // [] | .[]' <<<"$answer" | sed 's/^/    /' | { summary "" "Container output:" ""; cat >>"$summary_file"; }
	summary "" "Phases:" ""
	phase_table >>"$summary_file"
	summary "" "Recent history:" ""
	history_table >>"$summary_file"
	exit 0
fi
reason=$(jq -r '.reason // empty' <<<"$answer" 2>/dev/null)
[ -n "$reason" ] || reason=$(tail -1 "$err")
echo "::error title=Deploy failed::$reason"
summary "## Deploy of $image to $env failed" "" "**Reason:** $reason" ""
case $rc in
1) summary "The agent refused or failed the deploy (dreichorctl exit 1). Nothing is retried or rolled back." ;;&
1) ! jq -e '.phase == "expect-current"' >/dev/null 2>&1 <<<"$answer" ||
	summary "What runs changed after the plan was approved: run the workflow again to plan anew." ;;
3) summary "The agent could not be reached (dreichorctl exit 3)." ;;
4) summary "The deploy answered 200 but status does not show the image running (dreichorctl exit 4)." ;;
*) summary "dreichorctl exited with $rc." ;;
esac
if jq -e '.logs | length > 0' <<<"$answer" >/dev/null 2>&1; then
	summary "" "Container output:" ""
	jq -r '.logs[]' <<<"$answer" | sed 's/^/    /' >>"$summary_file"
fi
if jq -e '.phases | length > 0' <<<"$answer" >/dev/null 2>&1; then
	summary "" "Phases:" ""
	phase_table >>"$summary_file"
fi
summary "" "Recent history:" ""
history_table >>"$summary_file"
exit 1
