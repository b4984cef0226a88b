#!/bin/bash
# dreichorctl against the real agent: human and JSON output, --wait-running,
# and one exit code per kind of outcome (0 ok, 1 refused, 2 usage,
# 3 transport, 4 not running after a 200, 5 a plan that would be refused);
# plan, history, --expect-current and --previous.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
make_image 1.0.2 'echo boom-from-container; exit 5'
setup_env dev
start_agent dev
CTL=$top_builddir/dreichorctl
export DREICHOR_URL=http://127.0.0.1:$PORT_dev CF_ACCESS_CLIENT_ID=$CLIENT_ID CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET
run() { "$CTL" "$@" >"$T/out" 2>"$T/err"; RC=$?; }

run status
check "status: exit 0" test $RC = 0
check "status: human output" grep -q '^dreichor-runtime-dev (dev): absent$' "$T/out"
run deploy "$IMAGE_REPOSITORY:1.0.0" --wait-running
check "deploy --wait-running: exit 0" test $RC = 0
check "deploy: says what it deployed" grep -q "^deployed $IMAGE_REPOSITORY:1.0.0 to dreichor-runtime-dev (dev)" "$T/out"
check "deploy: verified through status" grep -q "^verified: $IMAGE_REPOSITORY:1.0.0 is running" "$T/out"
check "deploy: shows the container output" grep -q '| runtime starting in dev' "$T/out"
check "deploy: followed the deploy through its phases" grep -q "^\[ *[0-9.]*s\] grace$" "$T/out"
run deploy "$IMAGE_REPOSITORY:1.0.0" --sync
check "deploy --sync: exit 0, one synchronous request" bash -c '[ "$1" = 0 ] && ! grep -q "accepted as" "$2" && grep -q "^deployed " "$2"' _ "$RC" "$T/out"
run deploy "$IMAGE_REPOSITORY:1.0.0" --idempotency-key 'bad key'
check "deploy --idempotency-key with a space: usage, exit 2" test $RC = 2
run deploy "$IMAGE_REPOSITORY:1.0.0" --idempotency-key fixed-key-1
check "deploy --idempotency-key: exit 0" test $RC = 0
first=$(sed -n 's/^  container //p' "$T/out")
run deploy "$IMAGE_REPOSITORY:1.0.0" --idempotency-key fixed-key-1
check "deploy with the same key again: the first deploy's answer, nothing started" \
	bash -c '[ "$1" = 0 ] && [ -n "$2" ] && grep -qx "  container $2" "$3" && [ "$4" = "$2" ]' _ "$RC" "$first" "$T/out" \
	"$(container_field dreichor-runtime-dev '{{.Id}}')"
DREICHOR_URL=http://deploy-dev.example.com run status
check "plain http to another host: refused before sending the secret, exit 2" \
	bash -c '[ "$1" = 2 ] && grep -q "must be https" "$2"' _ "$RC" "$T/err"
run --json status
check "status --json: exit 0" test $RC = 0
check "status --json: the agent's JSON" test "$(jq -r .image "$T/out")" = "$IMAGE_REPOSITORY:1.0.0"
run deploy "$IMAGE_REPOSITORY:9.9.9"
check "unknown tag: exit 1" test $RC = 1
check "unknown tag: the agent's reason on stderr" grep -q "deploy refused: HTTP 502: pull of $IMAGE_REPOSITORY:9.9.9 failed" "$T/err"
run --json deploy "$IMAGE_REPOSITORY:1.0.2" --environment dev
check "crashing image: exit 1" test $RC = 1
check "crashing image --json: logs in the JSON" test "$(jq -r '.logs[0]' "$T/out")" = boom-from-container
run deploy "$IMAGE_REPOSITORY:1.0.0" --environment prod
check "environment mismatch: exit 1" test $RC = 1
CF_ACCESS_CLIENT_SECRET=wrong run status
check "wrong secret: exit 1 (403)" bash -c "[ $RC = 1 ] && grep -q 'HTTP 403' '$T/err'"

# The secret is never taken from argv; usage errors are exit 2.
run --secret "$CLIENT_SECRET" status
check "--secret on argv: exit 2" test $RC = 2
check "--secret on argv: says why" grep -q 'never accepted on the command line' "$T/err"
DREICHOR_URL= run status
check "no URL: exit 2" test $RC = 2
run deploy
check "deploy without image: exit 2" test $RC = 2
run frobnicate
check "unknown command: exit 2" test $RC = 2
printf '%s\n' "$CLIENT_SECRET" >"$T/secret"
CF_ACCESS_CLIENT_SECRET= run --secret-file "$T/secret" status
check "--secret-file works" test $RC = 0

# Transport failure: exit 3, no retry.
DREICHOR_URL=http://127.0.0.1:$(free_port) run status
check "nothing listening: exit 3" test $RC = 3

# plan, history, --expect-current and --previous.
make_image 1.1.0 "$RUNTIME_SCRIPT"
run deploy "$IMAGE_REPOSITORY:1.0.0"
check "1.0.0 runs again: exit 0" test $RC = 0
run plan "$IMAGE_REPOSITORY:1.1.0"
check "plan: exit 0 when the deploy would go ahead" test $RC = 0
check "plan: prints the checks" grep -q '^  digest-pin      ok$' "$T/out"
now=$(sed -n 's/^  expect_current_digest: //p' "$T/out")
check "plan: prints the expect_current_digest to pass" test "$now" = "$(jq -r .expect_current_digest <<<"$(curl -s -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" "$DREICHOR_URL/v1/status")")"
run plan "$IMAGE_REPOSITORY:latest"
check "plan of a refused image: exit 5" test $RC = 5
check "plan of a refused image: names the refusal" grep -q '^  image-policy    REFUSED: ' "$T/out"
run --json plan "$IMAGE_REPOSITORY:1.1.0"
check "plan --json: the agent's JSON" test "$(jq -r .status "$T/out")" = planned
run deploy "$IMAGE_REPOSITORY:1.1.0" --expect-current none
check "deploy --expect-current none while 1.0.0 runs: exit 1 (412)" bash -c "[ $RC = 1 ] && grep -q 'HTTP 412' '$T/err'"
run deploy "$IMAGE_REPOSITORY:1.1.0" --expect-current "$now"
check "deploy --expect-current with the plan's value: exit 0" test $RC = 0
run history --limit 3
check "history: exit 0" test $RC = 0
check "history: newest first, one line each" bash -c "sed -n 2p '$T/out' | grep -q 'deploy  ok     200  -              $IMAGE_REPOSITORY:1.1.0'"
check "history: three entries" test "$(($(wc -l <"$T/out") - 1))" = 3
run --json history
check "history --json: the agent's JSON" test "$(jq -r '.deploys[0].image' "$T/out")" = "$IMAGE_REPOSITORY:1.1.0"
run history --limit 0
check "history --limit 0: exit 2" test $RC = 2
run deploy --previous --wait-running
check "deploy --previous: exit 0" test $RC = 0
check "deploy --previous: names what it goes back to" grep -q "^previous deploy: $IMAGE_REPOSITORY@$now (running now: sha256:" "$T/out"
check "deploy --previous: 1.0.0's digest runs again" test "$(container_field dreichor-runtime-dev '{{index .Config.Labels "dreichor.image-digest"}}')" = "$now"
run --json history --limit 1
check "deploy --previous went through the agent as an ordinary deploy with expect_current_digest" \
	test "$(jq -r '.deploys[0] | [.action, .result, .image] | @tsv' "$T/out")" = "$(printf 'deploy\tok\t%s' "$IMAGE_REPOSITORY@$now")"
run deploy --previous "$IMAGE_REPOSITORY:1.0.0"
check "deploy --previous with an IMAGE: exit 2" test $RC = 2

run stop
check "stop: exit 0" bash -c "[ $RC = 0 ] && grep -q '^stopped dreichor-runtime-dev' '$T/out'"
run deploy --previous
check "deploy --previous with nothing running: exit 1, says why" bash -c "[ $RC = 1 ] && grep -q 'nothing with a known digest runs now' '$T/err'"

# Exit 4: the agent says deployed, but status shows nothing running
# (stand-in endpoints behind the real dispatcher).
mkdir -p "$T/fake"
printf '#!/bin/sh\nb=%s\nprintf "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %%d\\r\\n\\r\\n%%s" ${#b} "$b"\n' \
	"'{\"status\":\"deployed\",\"container_name\":\"dreichor-runtime-dev\",\"environment\":\"dev\",\"image\":\"x\"}'" >"$T/fake/dreichor-deploy"
printf '#!/bin/sh\nb=%s\nprintf "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: %%d\\r\\n\\r\\n%%s" ${#b} "$b"\n' \
	"'{\"container_name\":\"dreichor-runtime-dev\",\"environment\":\"dev\",\"running\":false}'" >"$T/fake/dreichor-status"
chmod +x "$T/fake/"*
stop_agent dev
set_agent_var dev DREICHOR_LIBEXECDIR "$T/fake"
start_agent dev
DREICHOR_URL=http://127.0.0.1:$PORT_dev run deploy "$IMAGE_REPOSITORY:1.0.0" --wait-running
check "deployed but not running: exit 4" test $RC = 4
check "deployed but not running: says so" grep -q 'verification failed' "$T/err"

finish
