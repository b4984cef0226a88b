#!/bin/bash
# The deploy workflow's logic, runnable locally: check the inputs, deploy
# one image to one environment through dreichorctl, verify it runs, and
# write the outcome (or the agent's reason) to the job summary.
# No retries, no rollback, no runtime configuration: the agent owns that.
#
# Inputs (environment): INPUT_ENVIRONMENT (dev|prod), INPUT_IMAGE_TAG,
# INPUT_CONFIRM (must repeat the tag for prod), IMAGE_REPOSITORY,
# DREICHOR_URL, CF_ACCESS_CLIENT_ID, CF_ACCESS_CLIENT_SECRET,
# DREICHORCTL (default: dreichorctl on PATH), GITHUB_STEP_SUMMARY (optional).
set -uo pipefail
summary_file=${GITHUB_STEP_SUMMARY:-/dev/null}
ctl=${DREICHORCTL:-dreichorctl}

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
echo "Deploying $image to $env"
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
"$ctl" --json deploy "$image" --environment "$env" --wait-running >"$out" 2>"$err"
rc=$?
answer=$(head -1 "$out")
cat "$err" >&2
if [ $rc -eq 0 ]; then
	digest=$(jq -r '.image_digest // "?"' <<<"$answer")
	summary "## Deployed $image to $env" "" "- digest: \`$digest\`" \
		"- container: \`$(jq -r '.container_name // "?"' <<<"$answer")\`" \
		"- request id: \`$(jq -r '.request_id // "?"' <<<"$answer")\`" "- verified running through /v1/status"
	jq -r '.logs // [] | .[]' <<<"$answer" | sed 's/^/    /' | { summary "" "Container output:" ""; cat >>"$summary_file"; }
	exit 0
fi
reason=$(jq -r '.reason // empty' <<<"$answer" 2>/dev/null)
[ -n "$reason" ] || reason=$(tail -1 "$err")
echo "::error title=Deploy failed::$reason"
summary "## Deploy of $image to $env failed" "" "**Reason:** $reason" ""
case $rc in
1) summary "The agent refused or failed the deploy (dreichorctl exit 1). Nothing is retried or rolled back." ;;
3) summary "The agent could not be reached (dreichorctl exit 3)." ;;
4) summary "The deploy answered 200 but status does not show the image running (dreichorctl exit 4)." ;;
*) summary "dreichorctl exited with $rc." ;;
esac
if jq -e '.logs | length > 0' <<<"$answer" >/dev/null 2>&1; then
	summary "" "Container output:" ""
	jq -r '.logs[]' <<<"$answer" | sed 's/^/    /' >>"$summary_file"
fi
exit 1
