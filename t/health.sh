#!/bin/bash
# An image with a Docker HEALTHCHECK: the deploy succeeds once it is
# healthy, and fails (container removed, 500 with the last check outputs)
# when it turns unhealthy or is still starting at the end of the grace
# period. Images without one behave as before.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"

start_dockerd
start_registry
check_cmd() { printf 'CMD %s' "$1"; }  # shell form: /bin/sh -c
# Healthy after its first check (1 s), well inside the grace period.
make_image 1.0.0 'echo ready >/ok; echo runtime up; exec sleep 3600' \
	"HEALTHCHECK --interval=1s --timeout=5s --retries=1 $(check_cmd 'cat /ok')"
make_image 1.0.1 'echo runtime up; exec sleep 3600' \
	"HEALTHCHECK --interval=1s --timeout=5s --retries=1 $(check_cmd 'echo database unreachable at check; exit 1')"
make_image 1.0.2 'echo runtime up; exec sleep 3600' \
	"HEALTHCHECK --interval=600s --timeout=5s --retries=1 $(check_cmd 'true')"
make_image 1.0.3 "$RUNTIME_SCRIPT"
# The database password (t/lib-agent.sh) where a cut falls inside it, and in other spellings.
make_image 1.0.4 "printf '%01018d db-pass-dev tail\\n' 0; exec sleep 3600" \
	"HEALTHCHECK --interval=1s --timeout=5s --retries=1 $(check_cmd "printf '%0250d' 0; echo db-pass-dev; echo 'db%2dpass%2Ddev db\\u002dpass-dev'; exit 1")"
setup_env dev
set_agent_var dev STARTUP_GRACE_SECONDS 30
start_agent dev
name=dreichor-runtime-dev

deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "healthy image: 200" status_is 200
check "... the container reports healthy" test "$(container_field $name '{{.State.Health.Status}}')" = healthy
call dev GET /v1/status
check "status shows the health" json_is .health healthy

deploy dev "$IMAGE_REPOSITORY:1.0.1"
check "unhealthy image: 500" answer_is 500 "turned unhealthy within the 30 s startup grace period"
check "... the reason carries the health check output" reason_has "database unreachable at check"
check "... and the log lines" reason_has "runtime up"
check "... health_outputs in the answer" json_is '.health_outputs[-1]' "database unreachable at check"
check "... phase grace" json_is .phase grace
check "... the container was removed" test "$(container_count $name)" = 0

deploy dev "$IMAGE_REPOSITORY:1.0.4"
check "a secret across the cut of a health output and a log line: 500" answer_is 500 "turned unhealthy"
check "... the output is masked, then cut" json_is '.health_outputs[-1] | .[245:]' "00000***?**"
check "... the log line too" json_is '.logs[0] | .[1015:]' "000 *** t"
check "... no part of the password in the answer (percent, either case, JSON-escaped)" \
	bash -c "! grep -qE 'db-p|db%2[dD]p|u002dp' '$T/body'"
check "... nor in the history or the record" \
	bash -c "! grep -qrE 'db-p|db%2[dD]p|u002dp' '$T/dev/state'"

stop_agent dev
set_agent_var dev STARTUP_GRACE_SECONDS 3
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.2"
check "still starting at the end of the grace period: 500" answer_is 500 "was still starting, not healthy, at the end of the 3 s"
check "... removed" test "$(container_count $name)" = 0

stop_agent dev
set_agent_var dev STARTUP_GRACE_SECONDS 1
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.3"
check "image without a health check: 200 as before" status_is 200
no_health() { curl -s -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET" "http://127.0.0.1:$PORT_dev/v1/status" | jq_holds 'has("health") | not'; }
check "... no health in status" no_health
finish
