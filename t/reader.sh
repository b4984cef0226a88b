#!/bin/bash
# The read-only service token (CF_ACCESS_READER_CLIENT_ID and its secret):
# it may plan and read status and history, and gets 403 on deploy and
# stop, which then touch nothing. With the JWT check, a token whose
# common_name is the reader's id is the same role. The configuration
# refuses half a reader, and a reader that is the deploying token.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd openssl basenc perl

start_journald
start_dockerd
start_registry
make_image 1.0.0 "$RUNTIME_SCRIPT"
setup_env dev
READER_ID=reader-$CLIENT_ID
READER_SECRET=$(openssl rand -hex 32)
printf '%s\n' "$READER_SECRET" >"$T/reader-secret"
set_agent_var dev CF_ACCESS_READER_CLIENT_ID "$READER_ID"
set_agent_var dev CF_ACCESS_READER_CLIENT_SECRET_FILE "$T/reader-secret"
start_agent dev
name=dreichor-runtime-dev
as_reader() { CLIENT_ID=$READER_ID CLIENT_SECRET=$READER_SECRET call "$@"; }

deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "the deploying token deploys: 200" status_is 200
deployed=$(jq -r .request_id <<<"$BODY")
started=$(container_field $name '{{.State.StartedAt}}')

as_reader dev GET /v1/status
check "reader: status 200" status_is 200
check "... it shows the container" json_is .running true
as_reader dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "reader: plan 200" status_is 200
check "... planned" json_is .status planned
as_reader dev GET /v1/deploys
check "reader: history 200" json_is '.deploys[0].request_id' "$deployed"
as_reader dev GET "/v1/deploys/$deployed"
check "reader: a deploy's state 200" json_is .status deployed

as_reader dev POST /v1/deploy "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "reader: deploy 403" answer_is 403 "read-only service token"
check "... the container untouched" test "$(container_field $name '{{.State.StartedAt}}')" = "$started"
refused=$(jq -r .request_id <<<"$BODY")
audited_refused() {
	journal_entry "$1" | jq_holds --arg id "$READER_ID" 'select(.DREICHOR_ACTION == "refused" and .DREICHOR_CLIENT_ID == $id and
		.DREICHOR_METHOD == "POST" and .DREICHOR_PATH == "/v1/deploy" and .DREICHOR_HTTP_STATUS == "403")'
}
check "... audited as refused, with the reader's id, method and path" audited_refused "$refused"
as_reader dev POST /v1/stop
check "reader: stop 403" answer_is 403 "read-only service token"
check "... still running" test "$(container_field $name '{{.State.Running}}')" = true
check "... no history entry for either refusal" test "$(jq -s 'length' "$T/dev/state/deploys.jsonl")" = 1

CLIENT_ID=$READER_ID call dev GET /v1/status
check "the reader's id with the deploying secret: 403" answer_is 403 "service token not accepted"
CLIENT_SECRET=$READER_SECRET call dev GET /v1/status
check "the deploying id with the reader's secret: 403" answer_is 403 "service token not accepted"

# With the JWT check: the token's common_name names the role.
. "$top_srcdir/t/lib-jwt.sh"
jwt_keys "$T"
stop_agent dev
set_agent_var dev CF_ACCESS_AUD "$JWT_AUD"
set_agent_var dev CF_ACCESS_ISSUER "$JWT_ISS"
set_agent_var dev CF_ACCESS_CERTS_FILE "$T/certs.json"
start_agent dev
reader_jwt=$(token "$T/key.pem" "$JWT_H1" "$(claims ".common_name = \"$READER_ID\"")")
RAW_PATH=/v1/status raw dev -H "Cf-Access-Jwt-Assertion: $reader_jwt"
check "JWT for the reader: status 200" status_is 200
RAW_PATH=/v1/stop raw dev -X POST -H "Cf-Access-Jwt-Assertion: $reader_jwt"
check "JWT for the reader: stop 403" status_is 403
check "... still running" test "$(container_field $name '{{.State.Running}}')" = true
RAW_PATH=/v1/status raw dev -H "Cf-Access-Jwt-Assertion: $reader_jwt" -H "CF-Access-Client-Id: $CLIENT_ID" -H "CF-Access-Client-Secret: $CLIENT_SECRET"
check "JWT for the reader with the deploying token's headers: 403" status_is 403

# Half a reader, or the deploying token named twice: a config error naming the variable.
stop_agent dev
for var in CF_ACCESS_AUD CF_ACCESS_ISSUER CF_ACCESS_CERTS_FILE; do set_agent_var dev $var -; done
set_agent_var dev CF_ACCESS_READER_CLIENT_SECRET_FILE -
start_agent dev
call dev GET /v1/status
check "reader id without a secret: 500 naming it" answer_is 500 "CF_ACCESS_READER_CLIENT_ID"
stop_agent dev
set_agent_var dev CF_ACCESS_READER_CLIENT_ID "$CLIENT_ID"
set_agent_var dev CF_ACCESS_READER_CLIENT_SECRET_FILE "$T/reader-secret"
start_agent dev
call dev GET /v1/status
check "reader id equal to the deploying id: 500" answer_is 500 "must be another service token"
check "... the secret is not in the answer" bash -c "! grep -qF -- '$READER_SECRET' '$T/body'"
finish
