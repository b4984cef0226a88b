#!/bin/bash
# The production stand: Debian 12 with systemd as PID 1 (in a container),
# the agent installed from its .deb the way docs/operations.md says, both
# sockets enabled, and the contract exercised through 127.0.0.1:3005/3006
# inside: auth, deploy, replace, status, stop, prod's image signatures (by
# a key and keyless), refusals, audit entries, the sandbox as a live
# instance sees it, a flood, a socket restart during a deploy, operator
# mistakes, upgrade and purge.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
. "$top_srcdir/t/lib-stand.sh"
. "$top_srcdir/t/lib-sign.sh" || hard_error "t/lib-sign.sh is missing"
. "$top_srcdir/t/lib-keyless.sh" || hard_error "t/lib-keyless.sh is missing"
# DREICHOR_STAND_KEEP=1 leaves the stand running for a look inside
# (nsenter -t PID -m -u -i -n -p); its PID is printed.
if [ "${DREICHOR_STAND_KEEP:-0}" = 1 ]; then
	trap 'log "stand kept: PID 1 is $STAND_PID, root $STAND_ROOT"' EXIT
else
	trap 'stand_stop; cleanup' EXIT
fi

stand_start
stand_install_package
check "package: users created" stand id dreichor-dev
check "package: sockets not enabled by the install" test "$(stand systemctl is-enabled dreichor-agent-dev.socket)" = disabled
for env in dev prod; do
	check "package: $env .env is root:dreichor-$env 0640" \
		test "$(stand stat -c '%U:%G %a' /opt/dreichor/$env/deploy-agent/.env)" = "root:dreichor-$env 640"
	check "package: $env runtime.env is root:dreichor-$env 0640" \
		test "$(stand stat -c '%U:%G %a' /opt/dreichor/$env/deploy-agent/runtime.env)" = "root:dreichor-$env 640"
	check "package: $env configuration directory is root:dreichor-$env 0750" \
		test "$(stand stat -c '%U:%G %a' /opt/dreichor/$env/deploy-agent)" = "root:dreichor-$env 750"
done
check "package: the users the .env example names exist" stand_sh '
	users=$(grep -oE "User=dreichor-[a-z]+" /opt/dreichor/dev/deploy-agent/.env | sort -u | cut -d= -f2)
	[ -n "$users" ] && for u in $users; do id "$u" >/dev/null || exit 1; done'
stand_configure dev
stand_configure prod
stand_push_image 1.0.0 'echo runtime 1.0.0 in $ENVIRONMENT; exec sleep 3600'
stand_push_image 1.0.1 'echo runtime 1.0.1 in $ENVIRONMENT; exec sleep 3600'
stand_push_image 2.0.0 'echo runtime 2.0.0 slow start; exec sleep 3600'

# --- Authentication, on both sockets.
sreq dev GET /v1/status
check "status with the dev token: 200" test "$STATUS" = 200
sraw 3005
check "no auth headers: 401" test "$STATUS" = 401
sraw 3005 -H "CF-Access-Client-Id: stand-dev.access" -H "CF-Access-Client-Secret: wrong-secret"
check "wrong secret: 403" test "$STATUS" = 403
sraw 3005 -H @/root/headers-prod
check "the prod token on the dev socket: 403" test "$STATUS" = 403
sraw 3006 -H @/root/headers-dev
check "the dev token on the prod socket: 403" test "$STATUS" = 403
sreq prod GET /v1/status
check "status with the prod token on 3006: 200" test "$STATUS" = 200

# --- Deploy, replace, status, stop.
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\",\"environment\":\"dev\"}"
check "deploy 1.0.0: 200" test "$STATUS" = 200 || echo "$BODY"
check "deploy answer carries the start logs" bash -c 'jq -e ".logs | index(\"runtime 1.0.0 in dev\")" <<<"$1" >/dev/null' _ "$BODY"
DEPLOY_RID=$(jq -r .request_id <<<"$BODY")
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.1\"}"
check "replace with 1.0.1: 200" test "$STATUS" = 200 || echo "$BODY"
sreq dev GET /v1/status
check "status: running 1.0.1" bash -c 'jq -e ".running == true and .image == \"$2\"" <<<"$1" >/dev/null' _ "$BODY" "$STAND_REPO:1.0.1"
check "one runtime container for dev" test "$(stand docker ps -q --filter name=^/dreichor-runtime-dev$ | wc -l)" = 1
# Prod deploys only what CI signed: the key file is root:dreichor-prod 0640.
check "prod's image signature keys: root:dreichor-prod 0640" \
	test "$(stand stat -c '%U:%G %a' /etc/dreichor/prod/image-signature-keys.pem)" = "root:dreichor-prod 640"
sreq prod GET /v1/status
check "prod status: image_signatures required" bash -c 'jq -e ".image_signatures == \"required\"" <<<"$1" >/dev/null' _ "$BODY"
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\"}"
check "prod deploy of an unsigned 1.0.0: 422, phase signature" \
	bash -c 'jq -e ".phase == \"signature\" and (.reason | contains(\"no cosign signature\"))" <<<"$1" >/dev/null' _ "$BODY" || echo "# $BODY"
check "... nothing made for prod" test "$(stand docker ps -aq --filter name=^/dreichor-runtime-prod$ | wc -l)" = 0
stand_sign 1.0.0 simple
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\"}"
check "prod deploy 1.0.0, signed by CI's key: 200" test "$STATUS" = 200 || echo "$BODY"
check "... naming the key (the fingerprint of the installed file) and the format" \
	bash -c 'jq -e ".signature == {\"key\": \"$2\", \"format\": \"simple-signing\"}" <<<"$1" >/dev/null' _ "$BODY" \
	"$(key_fingerprint stand-ci)" || echo "# $BODY"
DEV_IMAGE=$(stand docker inspect -f '{{index .Config.Labels "dreichor.image"}}' dreichor-runtime-dev)
check "dev's runtime untouched by the prod deploy" test "$DEV_IMAGE" = "$STAND_REPO:1.0.1" || echo "# $DEV_IMAGE"

# --- Keyless signatures (CONTRACT 10.1) through the installed units: prod trusts the release
# workflow's identity instead of a key. A test Sigstore instance made here (t/lib-keyless.sh: CA,
# CT log, Rekor-like log, TSA) stands in for the public-good one; the operator installs its
# trusted root and names the identity in prod's .env, which the registry helper (its own user)
# reads afresh for each question. Each refusal is a 422 naming why, nothing pulled, prod's
# running container untouched.
keyless_instance
stand_keyless_root
check "keyless: the trusted root in the stand is root:root 0644" \
	test "$(stand stat -c '%U:%G %a' "$STAND_TRUSTED_ROOT")" = "root:root 644"
check "keyless: the registry helper's user reads it (its group dreichor-prod opens the directory)" \
	stand_sh 'setpriv --reuid=dreichor-registry-prod --regid=dreichor-registry-prod --groups=dreichor-prod cat "$1" >/dev/null' \
	"$STAND_TRUSTED_ROOT"
stand cp /opt/dreichor/prod/deploy-agent/.env /root/prod.env.before-keyless
# The operator's edit: the keys line commented out, the three keyless lines of the example set.
stand_sh 'sed -i -e "s|^IMAGE_SIGNATURE_KEYS=|#&|" -e "s|^#IMAGE_SIGNATURE_IDENTITY=.*|IMAGE_SIGNATURE_IDENTITY=\"$2\"|" \
	-e "s|^#IMAGE_SIGNATURE_ISSUER=|IMAGE_SIGNATURE_ISSUER=|" -e "s|^#SIGSTORE_TRUSTED_ROOT=.*|SIGSTORE_TRUSTED_ROOT=$3|" "$1"' \
	/opt/dreichor/prod/deploy-agent/.env "$KL_IDENTITY" "$STAND_TRUSTED_ROOT"
check "keyless: prod's .env names the identity, GitHub's issuer and the trusted root, and no key" stand_sh '
	grep -qxF "IMAGE_SIGNATURE_IDENTITY=\"$2\"" "$1" && grep -qxF "IMAGE_SIGNATURE_ISSUER=$3" "$1" &&
	grep -qxF "SIGSTORE_TRUSTED_ROOT=$4" "$1" && ! grep -q "^IMAGE_SIGNATURE_KEYS=" "$1"' \
	/opt/dreichor/prod/deploy-agent/.env "$KL_IDENTITY" "$KL_ISSUER" "$STAND_TRUSTED_ROOT"
OUT=$(stand systemd-run --quiet --pipe --wait -p User=dreichor-prod -p EnvironmentFile=/opt/dreichor/prod/deploy-agent/.env \
	-p StateDirectory=dreichor-agent/prod -p Environment=CF_ACCESS_CLIENT_SECRET_FILE=/etc/dreichor/prod/cf-access-client-secret \
	/usr/bin/dreichor-agent --check-config 2>&1)
check "keyless: --check-config as dreichor-prod names the identity and the issuer" \
	bash -c 'grep -qx "image signature identity 1: $1 (keyless, compared exactly)" <<<"$3" &&
		grep -qx "image signature issuer: $2" <<<"$3" && grep -q "^image signatures: required: keyless" <<<"$3"' _ \
	"$KL_IDENTITY" "$KL_ISSUER" "$OUT" || sed 's/^/# /' <<<"$OUT"
sreq prod GET /v1/status
check "keyless: prod status 200, image_signatures required" \
	bash -c '[ "$2" = 200 ] && jq -e ".image_signatures == \"required\"" <<<"$1" >/dev/null' _ "$BODY" "$STATUS" || echo "# $STATUS $BODY"
for tag in 4.0.0 4.0.1 4.0.2 4.0.3 4.0.4 4.0.5 4.0.6 4.0.7 4.0.8; do
	stand_push_image "$tag" "echo runtime $tag keyless in \$ENVIRONMENT; exec sleep 3600"
done
stand_pulled() { stand docker image inspect "$STAND_REPO@$(stand_image_digest "$1")" >/dev/null 2>&1; }
# keyless_signer BODY FORMAT LOG-INDEX: the answer names the default signer, its source, commit, run and log entry.
keyless_signer() {
	jq -e --arg f "$2" --arg l "$3" --arg i "$KL_IDENTITY" --arg is "$KL_ISSUER" --arg s "$KL_SOURCE_REPOSITORY" \
		--arg c "$KL_COMMIT" --arg r "$KL_RUN_URL" '.status == "deployed" and (.signature | .format == $f and
		.identity == $i and .issuer == $is and .source_repository == $s and .source_commit == $c and .run_url == $r and
		(.log_index | tostring) == $l and (has("key") | not))' <<<"$1" >/dev/null
}
# keyless_audited RID LOG-INDEX FORMAT: the request's journal entry in the stand names the signer.
keyless_audited() {
	sjournal "$1" | jq_holds --arg i "$KL_IDENTITY" --arg c "$KL_COMMIT" --arg r "$KL_RUN_URL" --arg s "$KL_SOURCE_REPOSITORY" \
		--arg l "$2" --arg f "$3" '.DREICHOR_ENVIRONMENT == "prod" and .DREICHOR_RESULT == "ok" and .DREICHOR_SIGNER == $i and
		.DREICHOR_SOURCE_REPOSITORY == $s and .DREICHOR_SOURCE_COMMIT == $c and .DREICHOR_BUILD_RUN == $r and
		(.DREICHOR_SIGNATURE_PROOF | startswith("log index " + $l + " at ")) and .DREICHOR_SIGNATURE_FORMAT == $f and
		(has("DREICHOR_SIGNATURE_KEY") | not)'
}
stand_keyless_sign 4.0.0 simple
KL_INDEX=$(jq -r .Payload.logIndex "$STAND_KL_LAST/rekor-bundle.json")
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:4.0.0\"}"
check "keyless (tag sha256-<hex>.sig): prod deploy of 4.0.0: 200" test "$STATUS" = 200 || echo "# $STATUS $BODY"
check "... the answer names the signer: identity, issuer, source repository, commit, run, log index $KL_INDEX" \
	keyless_signer "$BODY" simple-signing "$KL_INDEX" || echo "# $BODY"
check "... the journal too (DREICHOR_SIGNER, DREICHOR_SOURCE_*, DREICHOR_BUILD_RUN, the log index)" \
	keyless_audited "$(jq -r .request_id <<<"$BODY")" "$KL_INDEX" simple-signing
check "... prod's container runs 4.0.0" \
	test "$(stand docker inspect -f '{{index .Config.Labels "dreichor.image"}} {{.State.Running}}' dreichor-runtime-prod)" = "$STAND_REPO:4.0.0 true"
stand_keyless_sign 4.0.1 bundle
KL_INDEX=$(jq -r '.verificationMaterial.tlogEntries[0].logIndex' "$STAND_KL_LAST/bundle.json")
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:4.0.1\"}"
check "keyless (a Sigstore bundle in the fallback index): prod deploy of 4.0.1: 200" test "$STATUS" = 200 || echo "# $STATUS $BODY"
check "... the answer names the signer and log index $KL_INDEX" keyless_signer "$BODY" sigstore-bundle "$KL_INDEX" || echo "# $BODY"
check "... the journal too" keyless_audited "$(jq -r .request_id <<<"$BODY")" "$KL_INDEX" sigstore-bundle
PROD_RUNNING=$(stand docker inspect -f '{{.Id}}' dreichor-runtime-prod)
# keyless_refused TAG WORDS: prod's deploy of TAG is a 422 in phase signature naming WORDS, its
# journal entry too; nothing pulled, prod's container the same one and running.
keyless_refused() {
	sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:$1\"}"
	[ "$STATUS" = 422 ] && jq -e --arg w "$2" '.phase == "signature" and (.reason | contains($w))' <<<"$BODY" >/dev/null &&
		! stand_pulled "$1" &&
		[ "$(stand docker inspect -f '{{.Id}} {{.State.Running}}' dreichor-runtime-prod)" = "$PROD_RUNNING true" ] &&
		sjournal "$(jq -r .request_id <<<"$BODY")" | jq_holds --arg w "$2" \
			'.DREICHOR_HTTP_STATUS == "422" and .DREICHOR_PHASE == "signature" and ((.DREICHOR_REASON // "") + " " + (.DREICHOR_DETAIL // "") | contains($w))' ||
		{ echo "# $STATUS $BODY"; return 1; }
}
KL_SIGN_IDENTITY=https://github.com/ceerkle/dreichor-trading/.github/workflows/release.yml@refs/heads/evil stand_keyless_sign 4.0.2 simple
check "keyless by another identity: 422 naming it (answer and journal), nothing pulled, prod's container untouched" keyless_refused 4.0.2 \
	"signed by another identity: https://github.com/ceerkle/dreichor-trading/.github/workflows/release.yml@refs/heads/evil is not one of IMAGE_SIGNATURE_IDENTITY"
KL_VARIANT=untrusted-ca stand_keyless_sign 4.0.3 bundle
check "keyless from a CA the trusted root does not name: 422, nothing pulled, untouched" keyless_refused 4.0.3 \
	"keyless Sigstore bundle is refused: certificate"
KL_VARIANT=other-artifact stand_keyless_sign 4.0.4 simple
check "keyless with a log entry for another artifact: 422, nothing pulled, untouched" keyless_refused 4.0.4 \
	"log entry: the logged digest is not the artifact's"
KL_SIGN_ISSUER=https://accounts.google.com stand_keyless_sign 4.0.5 bundle
check "keyless for another OIDC issuer: 422, nothing pulled, untouched" keyless_refused 4.0.5 \
	"signed for another OIDC issuer: https://accounts.google.com, not IMAGE_SIGNATURE_ISSUER $KL_ISSUER"
KL_VARIANT=expired stand_keyless_sign 4.0.6 simple
check "keyless by a certificate outside its window at the log's time: 422, nothing pulled, untouched" keyless_refused 4.0.6 \
	"is refused: certificate at"
SIGNED_REPOSITORY=127.0.0.1:5000/someone/else stand_keyless_sign 4.0.7 bundle
check "keyless bundle for another repository: 422, nothing pulled, untouched" keyless_refused 4.0.7 \
	"statement is signed for another repository: 127.0.0.1:5000/someone/else"
# A trusted root whose log key's validity ended before the entry (the operator's root, swapped).
stand_keyless_sign 4.0.8 simple
stand_sh 'install -m 0644 -o root -g root /dev/stdin "$1.ended"' "$STAND_TRUSTED_ROOT" <"$KL_ROOT_LOG_ENDED"
stand_sh 'sed -i "s|^SIGSTORE_TRUSTED_ROOT=.*|SIGSTORE_TRUSTED_ROOT=$1.ended|" /opt/dreichor/prod/deploy-agent/.env' "$STAND_TRUSTED_ROOT"
check "keyless under a root whose log key ended before the entry: 422, nothing pulled, untouched" keyless_refused 4.0.8 \
	"outside the log key's validity"
stand_sh 'sed -i "s|^SIGSTORE_TRUSTED_ROOT=.*|SIGSTORE_TRUSTED_ROOT=$1|" /opt/dreichor/prod/deploy-agent/.env' "$STAND_TRUSTED_ROOT"
# What a keyless signature costs a request, measured once here: a plan (the registry's digest and
# the signature check, nothing pulled) of the keyless-signed 4.0.0 on prod (which runs 4.0.1)
# against one of the unsigned 1.0.0 on dev (which runs 1.0.1), through the installed units.
stand_sh 'printf "{\"image\":\"%s:4.0.0\"}" "$1" >/root/plan-keyless.json; printf "{\"image\":\"%s:1.0.0\"}" "$1" >/root/plan-unsigned.json
	plan() { echo "curl -sf -o /dev/null -H @/root/headers-$1 -H Content-Type:application/json --data-binary @/root/plan-$2.json http://127.0.0.1:$3/v1/plan"; }
	hyperfine -N --warmup 2 --runs 10 --export-json /root/keyless-plan.json -n keyless-prod "$(plan prod keyless 3006)" \
		-n unsigned-dev "$(plan dev unsigned 3005)"' "$STAND_REPO" >"$T/keyless-hyperfine.log" 2>&1
KL_MEDIANS=$(stand jq -r '[.results[] | "\(.command) \(.median * 1000 | round) ms (mean \(.mean * 1000 | round), sd \(.stddev * 1000 | round), range \(.min * 1000 | round)-\(.max * 1000 | round))"] | join(", ")' /root/keyless-plan.json 2>/dev/null)
echo "# keyless cost in the stand, plan medians of 10: ${KL_MEDIANS:-not measured}"
[ -n "$KL_MEDIANS" ] || sed 's/^/# hyperfine: /' "$T/keyless-hyperfine.log"
# --- The trusted root kept current: dreichor-sigstore-root-prod.timer in the stand. A TUF
# repository made here (t/tuf_repo.py) whose target is the test instance's trusted root, served
# inside the stand by busybox httpd on its loopback; prod's .env names the repository and its
# pinned root instead of SIGSTORE_TRUSTED_ROOT. The timer (its random delay dropped, its first run
# moved to its start by a drop-in) starts the service, which writes /var/lib/dreichor-sigstore/prod
# as its own user; the agent then verifies with the file it wrote. A tampered target is refused
# and the last good copy kept.
STAND_TUF=$T/stand-tuf
STAND_TUF_DIR=/var/lib/dreichor-sigstore/prod
python3 "$top_srcdir/t/tuf_repo.py" init --target "$KL_ROOT" "$STAND_TUF" >"$T/stand-tuf.log" 2>&1 ||
	{ cat "$T/stand-tuf.log" >&2; hard_error "cannot make the stand's TUF repository"; }
# The served tree replaced in place: busybox httpd keeps serving the directory it started in.
stand_tuf_publish() {
	stand_sh 'mkdir -p /srv/tuf && find /srv/tuf -mindepth 1 -delete && tar -C /srv/tuf -xf -' < <(tar -C "$STAND_TUF/www" -cf - .)
}
stand_tuf_publish
# The pinned root where the client's own user reads it: /etc/dreichor/prod opens to the agent's group only.
stand_sh 'install -m 0644 -o root -g root /dev/stdin /etc/dreichor/prod-tuf-root.json' <"$STAND_TUF/www/1.root.json"
stand systemd-run --quiet --unit=stand-tuf-httpd -p DynamicUser=yes /bin/busybox httpd -f -p 127.0.0.1:8700 -h /srv/tuf ||
	hard_error "cannot serve the stand's TUF repository"
stand_sh 'sed -i -e "s|^SIGSTORE_TRUSTED_ROOT=|#&|" "$1" && printf "%s\n" "SIGSTORE_TUF_URL=http://127.0.0.1:8700" \
	"SIGSTORE_TUF_ROOT=/etc/dreichor/prod-tuf-root.json" >>"$1"' /opt/dreichor/prod/deploy-agent/.env
for tag in 4.1.0 4.1.1; do
	stand_push_image "$tag" "echo runtime $tag keyless in \$ENVIRONMENT; exec sleep 3600"
done
stand_keyless_sign 4.1.0 bundle
stand_keyless_sign 4.1.1 simple
sreq prod GET /v1/status
check "TUF: before the first refresh, prod uses the package's root" \
	jq_holds '.trusted_root == {"path": "/usr/share/dreichor-agent/trusted_root.json", "source": "package"}' <<<"$BODY" ||
	echo "# $STATUS $BODY"
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:4.1.0\"}"
check "... which does not name the test instance: a keyless deploy is refused (422), nothing pulled" \
	eval '[ "$STATUS" = 422 ] && ! stand_pulled 4.1.0' || echo "# $STATUS $BODY"
stand_sh 'mkdir -p /etc/systemd/system/dreichor-sigstore-root-prod.timer.d &&
	printf "[Timer]\nOnBootSec=\nOnActiveSec=1s\nRandomizedDelaySec=0\n" >/etc/systemd/system/dreichor-sigstore-root-prod.timer.d/stand.conf &&
	systemctl daemon-reload && systemctl enable --now dreichor-sigstore-root-prod.timer' >"$T/stand-timer.log" 2>&1 ||
	{ cat "$T/stand-timer.log" >&2; hard_error "cannot enable the TUF timer in the stand"; }
stand_sh 'for i in $(seq 120); do
	[ "$(systemctl show -p Result --value dreichor-sigstore-root-prod.service)" = success ] &&
		[ "$(systemctl show -p ExecMainExitTimestampMonotonic --value dreichor-sigstore-root-prod.service)" != 0 ] && exit 0
	sleep 0.5; done; exit 1'
check "TUF: the timer started dreichor-sigstore-root-prod.service, which succeeded" test $? = 0 ||
	stand journalctl -u dreichor-sigstore-root-prod.service --no-pager | sed 's/^/# /'
check "... the timer stays enabled and waiting for its next run" \
	test "$(stand systemctl is-enabled dreichor-sigstore-root-prod.timer) $(stand systemctl is-active dreichor-sigstore-root-prod.timer)" = "enabled active"
check "... its journal line names the repository and the versions" \
	stand_sh 'for i in $(seq 50); do journalctl -u dreichor-sigstore-root-prod.service -o cat |
		grep -q "^dreichor-sigstore-root: trusted_root.json from http://127.0.0.1:8700: root v1, timestamp v1" && exit 0; sleep 0.2; done
		exit 1'
stand cat "$STAND_TUF_DIR/trusted_root.json" >"$T/stand-tuf-root.json"
check "... it wrote the target, byte for byte" cmp -s "$T/stand-tuf-root.json" "$KL_ROOT"
check "... as dreichor-sigstore-prod:dreichor-sigstore-prod 0640, in a 0750 directory" \
	test "$(stand stat -c '%U:%G %a' "$STAND_TUF_DIR/trusted_root.json" "$STAND_TUF_DIR" | tr '\n' ' ')" = \
	"dreichor-sigstore-prod:dreichor-sigstore-prod 640 dreichor-sigstore-prod:dreichor-sigstore-prod 750 "
check "... and refresh.json: the repository and the root's sha256" \
	jq_holds --arg h "$(sha256sum "$KL_ROOT" | cut -d' ' -f1)" '.source == "http://127.0.0.1:8700" and .sha256 == $h and .root_version == 1' \
	<<<"$(stand cat "$STAND_TUF_DIR/refresh.json")"
check "... which the agent's user reads (its unit adds the group dreichor-sigstore-prod) and cannot change" \
	stand_sh 'as() { setpriv --reuid=dreichor-prod --regid=dreichor-prod --groups=dreichor-prod,dreichor-sigstore-prod "$@"; }
		as cat "$1/trusted_root.json" >/dev/null && ! as touch "$1/trusted_root.json" 2>/dev/null && ! as touch "$1/other" 2>/dev/null' \
	"$STAND_TUF_DIR"
check "... nor dev's agent read" \
	stand_sh '! setpriv --reuid=dreichor-dev --regid=dreichor-dev --groups=dreichor-dev,dreichor-sigstore-dev cat "$1/trusted_root.json" 2>/dev/null' \
	"$STAND_TUF_DIR"
check "... and the client's own user reaches neither prod's Docker gate nor its registry helper, nor reads the .env" \
	stand_sh 'as() { setpriv --reuid=dreichor-sigstore-prod --regid=dreichor-sigstore-prod --init-groups "$@"; }
		connect() { curl -s -o /dev/null -m 5 --unix-socket "$1" http://probe/_ping; echo $?; } # 7: could not connect
		[ "$(as bash -c "$(declare -f connect); connect /run/dreichor-docker-prod.sock")" = 7 ] &&
		[ "$(as bash -c "$(declare -f connect); connect /run/dreichor-registry-prod.sock")" = 7 ] &&
		[ "$(connect /run/dreichor-docker-prod.sock)" != 7 ] && ! as cat /opt/dreichor/prod/deploy-agent/.env >/dev/null 2>&1'
sreq prod GET /v1/status
check "TUF: prod's status names the refreshed root: path, source tuf, repository, refresh and expiry, not stale" \
	jq_holds --arg p "$STAND_TUF_DIR/trusted_root.json" '.trusted_root | .path == $p and .source == "tuf" and
		.repository == "http://127.0.0.1:8700" and (.refreshed | test("^20[0-9-]{8}T")) and (.expires | test("^20[0-9-]{8}T")) and
		.stale == false' <<<"$BODY" || echo "# $STATUS $BODY"
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:4.1.0\"}"
check "TUF: the agent verifies with the file the client wrote: keyless deploy of 4.1.0: 200" \
	jq_holds --arg i "$KL_IDENTITY" '.status == "deployed" and .signature.identity == $i and .trusted_root.source == "tuf"' \
	<<<"$BODY" || echo "# $STATUS $BODY"
STAND_TUF_SHA=$(stand sha256sum "$STAND_TUF_DIR/trusted_root.json")
# A new target published, whose bytes on the server then differ from what targets names (a target
# the state already holds is not fetched again).
python3 "$top_srcdir/t/tuf_repo.py" publish "$STAND_TUF" --target "$KL_ROOT_LOG_ENDED" >>"$T/stand-tuf.log" 2>&1 &&
	python3 "$top_srcdir/t/tuf_repo.py" corrupt-target --hash "$STAND_TUF" >>"$T/stand-tuf.log" 2>&1 || hard_error "corrupt-target"
stand_tuf_publish
stand systemctl start dreichor-sigstore-root-prod.service 2>/dev/null && STAND_TUF_START=ok || STAND_TUF_START=failed
check "TUF: a target whose hash differs: the service fails (exit 1)" \
	test "$STAND_TUF_START $(stand systemctl show -p ExecMainStatus --value dreichor-sigstore-root-prod.service)" = "failed 1"
check "... its journal line names the target" \
	stand_sh 'for i in $(seq 50); do journalctl -u dreichor-sigstore-root-prod.service -o cat |
		grep -q "^dreichor-sigstore-root: target: trusted_root.json: .*; kept the trusted root refreshed" && exit 0; sleep 0.2; done
		exit 1' || stand journalctl -u dreichor-sigstore-root-prod.service -o cat --no-pager | tail -5 | sed 's/^/# /'
check "... and the last good copy is kept" test "$(stand sha256sum "$STAND_TUF_DIR/trusted_root.json")" = "$STAND_TUF_SHA"
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:4.1.1\"}"
check "... with which prod still deploys keyless (4.1.1: 200)" \
	jq_holds '.status == "deployed" and .trusted_root.source == "tuf" and .trusted_root.stale == false' <<<"$BODY" ||
	echo "# $STATUS $BODY"
# A root in the client's directory that no refresh.json vouches for (a run that wrote the root and
# then failed): its age is unknown, so status calls it stale.
stand mv "$STAND_TUF_DIR/refresh.json" /root/refresh.json.aside
sreq prod GET /v1/status
check "TUF: a refreshed root without its record: source tuf, stale, no refresh time claimed" \
	jq_holds '.trusted_root | .source == "tuf" and .stale == true and (has("refreshed") | not)' <<<"$BODY" ||
	echo "# $STATUS $BODY"
stand mv /root/refresh.json.aside "$STAND_TUF_DIR/refresh.json"
stand systemctl stop stand-tuf-httpd.service
# Back to CI's key for the checks below: the operator's .env as it was, 1.0.0 (key-signed) running.
stand cp /root/prod.env.before-keyless /opt/dreichor/prod/deploy-agent/.env
sreq prod POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\"}"
check "keyless settings removed: prod deploys 1.0.0, signed by CI's key, again: 200" \
	bash -c '[ "$2" = 200 ] && jq -e ".signature.key == \"$3\"" <<<"$1" >/dev/null' _ "$BODY" "$STATUS" "$(key_fingerprint stand-ci)" ||
	echo "# $STATUS $BODY"

# --- The dispatcher holds the secret: it is not dumpable, so even its own user cannot read
# its environment or memory through /proc (an endpoint, which has no secret, can be read).
check "a held dispatcher's /proc/PID/environ is closed to its own user" stand_sh '
	exec 3<>/dev/tcp/127.0.0.1/3005; printf "GET /v1/sta" >&3
	for i in $(seq 50); do pid=$(pgrep -n -x dreichor-agent) && break; sleep 0.1; done
	[ -n "$pid" ] || exit 1
	[ "$(stat -c %U /proc/$pid/environ)" = root ] &&
		! setpriv --reuid=dreichor-dev --regid=dreichor-dev --clear-groups cat /proc/$pid/environ >/dev/null 2>&1
	rc=$?
	printf "tus HTTP/1.1\r\nHost: stand\r\n\r\n" >&3; cat <&3 >/dev/null   # finish the request: it is answered (401)
	exit $rc'

# --- Plan and history under the installed units' sandbox (the lock is read from /proc/locks,
# the history written in the state directory).
sreq dev POST /v1/plan "{\"image\":\"$STAND_REPO:1.0.0\"}"
check "plan of 1.0.0 over 1.0.1: 200, would deploy" bash -c 'jq -e ".would_deploy == true and .current.image == \"$2\"" <<<"$1" >/dev/null' _ "$BODY" "$STAND_REPO:1.0.1"
check "plan: every check ran, the lock read without being taken" bash -c 'jq -e "[.checks[] | select(.ok)] | length == 7" <<<"$1" >/dev/null' _ "$BODY"
sreq dev GET /v1/deploys
check "history: the two dev deploys, newest first" bash -c 'jq -e "[.deploys[] | .image] == [\"$2:1.0.1\", \"$2:1.0.0\"]" <<<"$1" >/dev/null' _ "$BODY" "$STAND_REPO"
check "history file in the state directory, the agent's own" test "$(stand stat -c %U /var/lib/dreichor-agent/dev/deploys.jsonl)" = dreichor-dev

# --- Behind the tunnel, through the installed units: a chunked body (decoded by the
# dispatcher and handed on as a memory file under the sandbox), Expect: 100-continue, the head
# cloudflared sends, and Cf-Ray in the audit entry.
out=$(stand_sh 'printf "{\"image\":\"%s:1.0.0\"}" "$1" | curl -s -w "\n%{http_code}" -H @/root/headers-dev \
	-H "Content-Type: application/json" -H "Transfer-Encoding: chunked" --data-binary @- http://127.0.0.1:3005/v1/plan' "$STAND_REPO")
check "chunked plan: 200, the body arrived whole (image and policy)" bash -c '[ "$(tail -1 <<<"$1")" = 200 ] &&
	head -1 <<<"$1" | jq -e --arg i "$2:1.0.0" ".status == \"planned\" and .target.image == \$i and
		([.checks[] | select(.check == \"request\" or .check == \"image-policy\") | .ok] == [true, true])" >/dev/null' _ "$out" "$STAND_REPO"
out=$(stand_sh 'curl -sv -o /dev/null -w "%{http_code}" -H @/root/headers-dev -H "Content-Type: application/json" \
	-H "Expect: 100-continue" --expect100-timeout 60 --data-binary "{\"image\":\"$1:1.0.0\"}" http://127.0.0.1:3005/v1/plan 2>&1' "$STAND_REPO")
check "Expect: 100-continue: an interim 100, then 200" bash -c 'grep -q "< HTTP/1.1 100 Continue" <<<"$1" && [[ $1 == *200 ]]' _ "$out" ||
	sed 's/^/# /' <<<"$out"
ray=$(printf '%016x-FRA' "$RANDOM$RANDOM")
sraw 3005 -H @/root/headers-dev -H "Cf-Ray: $ray" -H 'Accept-Encoding: gzip, br' -H 'Connection: keep-alive' \
	-H 'Cdn-Loop: cloudflare; loops=1' -H 'Cf-Connecting-Ip: 203.0.113.7' -H 'Cf-Visitor: {"scheme":"https"}' \
	-H 'X-Forwarded-For: 203.0.113.7' -H 'X-Forwarded-Proto: https'
check "cloudflared head: 200" test "$STATUS" = 200
check "cloudflared head: Cf-Ray in the audit entry" \
	test "$(sjournal "$(jq -r .request_id <<<"$BODY")" | jq -r .DREICHOR_CF_RAY)" = "$ray"

# --- Refusals: each answered, none a failed unit.
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:latest\"}"
check "latest tag: 422" test "$STATUS" = 422
sreq dev POST /v1/deploy '{"image":'
check "malformed JSON: 400" test "$STATUS" = 400
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\",\"environment\":\"prod\"}"
check "the other environment in the body: 400" test "$STATUS" = 400
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:9.9.9\"}"
check "unknown tag: 502" test "$STATUS" = 502
RAW_PATH=/v1/nothing sraw 3005 -H @/root/headers-dev
check "unknown path: 404" test "$STATUS" = 404
check "refused requests leave no failed unit" test -z "$(stand systemctl list-units --failed --no-legend 'dreichor-agent-*')"
check "no instance exited non-zero" bash -c '! grep -q "dreichor-agent.*Main process exited, code=exited" <<<"$1"' _ \
	"$(stand journalctl --no-pager -u 'dreichor-agent-*' -o cat)"

# --- Audit entries, read back with journalctl.
E=$(sjournal "$DEPLOY_RID")
check "audit: deploy entry found" test -n "$E"
for f in SYSLOG_IDENTIFIER=dreichor-agent DREICHOR_ENVIRONMENT=dev DREICHOR_ACTION=deploy DREICHOR_RESULT=ok \
	DREICHOR_HTTP_STATUS=200 DREICHOR_CLIENT_ID=stand-dev.access "DREICHOR_IMAGE=$STAND_REPO:1.0.0"; do
	check "audit: $f" bash -c 'jq -e --arg k "${2%%=*}" --arg v "${2#*=}" ".[\$k] == \$v" <<<"$1" >/dev/null' _ "$E" "$f"
done
check "audit: image digest recorded" bash -c 'jq -e ".DREICHOR_IMAGE_DIGEST | startswith(\"sha256:\")" <<<"$1" >/dev/null' _ "$E"
check "audit: duration recorded" bash -c 'jq -e ".DREICHOR_DURATION_MS | tonumber >= 0" <<<"$1" >/dev/null' _ "$E"
check "audit: refusals are entries too" \
	test -n "$(stand journalctl -o cat SYSLOG_IDENTIFIER=dreichor-agent DREICHOR_ACTION=refused DREICHOR_HTTP_STATUS=403)"
stand journalctl -o export >"$T/journal.export"
check "audit: no secret anywhere in the journal" test "$(grep -caF -e "$(stand_secret dev)" -e "$(stand_secret prod)" "$T/journal.export")" = 0

# --- The sandbox, as a live instance sees it: a probe program run in
# place of the status endpoint by the installed unit. A compiled one
# (t/lib-agent.sh): the Landlock ruleset grants no shell.
mkdir -p "$STAND_ROOT/usr/local/lib/dreichor-probe"
build_probe "$STAND_ROOT/usr/local/lib/dreichor-probe/dreichor-status" /usr/local/lib/dreichor-probe/tries
gate=/run/dreichor-docker-dev.sock
cat >"$STAND_ROOT/usr/local/lib/dreichor-probe/tries" <<TRIES
id
status CapEff CapPrm CapBnd CapAmb NoNewPrivs Seccomp
# A Landlock-confined process cannot list a directory that no rule names (ENOENT would say nothing).
landlock /srv /usr/lib
write write_etc /etc/dreichor-probe
write write_usr /usr/dreichor-probe
write write_var_tmp /var/tmp/dreichor-probe
write write_tmp /tmp/dreichor-probe
append write_own_config /opt/dreichor/dev/deploy-agent/.env
write write_volume /opt/dreichor/dev/volumes/snapshots/dreichor-probe
create-remove write_state /var/lib/dreichor-agent/dev/probe
read read_own_runtime_env /opt/dreichor/dev/deploy-agent/runtime.env
read read_own_secret /etc/dreichor/dev/cf-access-client-secret
read read_other_env /opt/dreichor/prod/deploy-agent/runtime.env
list list_other_env /opt/dreichor/prod/
list read_other_state /var/lib/dreichor-agent/prod/
list list_dreichor_etc /etc/dreichor/
list list_other_config /etc/dreichor/prod/
read read_other_secret /etc/dreichor/prod/cf-access-client-secret
read read_other_signing_keys /etc/dreichor/prod/image-signature-keys.pem
read read_passwd /etc/passwd
list list_etc /etc
exec exec_shell /bin/sh
list list_home /home
list list_root /root
tcp tcp_connect 127.0.0.1 5000
http docker_socket /run/docker.sock GET /_ping
http docker_gate $gate GET /v1.41/_ping
http gate_inspect_own $gate GET /v1.41/containers/dreichor-runtime-dev/json
http gate_inspect_prod $gate GET /v1.41/containers/dreichor-runtime-prod/json
http gate_stop_prod $gate POST /v1.41/containers/dreichor-runtime-prod/stop
http gate_replace_prod $gate DELETE /v1.41/containers/dreichor-runtime-prod?force=true
http gate_privileged_create $gate POST /v1.41/containers/create?name=dreichor-runtime-dev {"Image":"busybox","HostConfig":{"Privileged":true}}
http prod_gate /run/dreichor-docker-prod.sock GET /v1.41/_ping
$(probe_syscall_tries /var/lib/dreichor-agent/dev)
TRIES
stand_sh 'echo DREICHOR_LIBEXECDIR=/usr/local/lib/dreichor-probe >>/opt/dreichor/dev/deploy-agent/.env'
sreq dev GET /v1/status
stand_sh 'sed -i /^DREICHOR_LIBEXECDIR=/d /opt/dreichor/dev/deploy-agent/.env'
PROBE_OUT=$BODY
echo "$PROBE_OUT" | sed 's/^/# probe: /'
probe() { grep -qx "$1" <<<"$PROBE_OUT"; }
check "sandbox: runs as dreichor-dev" probe "uid=$(stand id -u dreichor-dev)"
check "sandbox: the groups are dreichor-dev and dreichor-sigstore-dev, to read its trusted root (no docker group)" \
	probe "groups=$(stand id -g dreichor-dev) $(stand getent group dreichor-sigstore-dev | cut -d: -f3)"
check "sandbox: no effective capabilities" probe CapEff=0000000000000000
check "sandbox: empty bounding set" probe CapBnd=0000000000000000
check "sandbox: no new privileges" probe NoNewPrivs=1
check "sandbox: a system call filter is on (the dispatcher's own: the unit sets none)" probe Seccomp=2
check "sandbox: the unit has systemd compile no filter" stand_sh '! systemctl cat dreichor-agent-dev@.service | grep -qE "^(SystemCallFilter|SystemCallArchitectures|RestrictAddressFamilies)="' 
check "sandbox: a unix socket allowed" probe socket_unix=allowed
# What the filter refuses, each of which dreichor-dev could otherwise do (t/syscall-filter.sh shows
# the same probe making them without it).
for denied in $PROBE_SYSCALLS_REFUSED; do
	check "sandbox: system call $denied refused by the filter (EPERM)" probe "$denied=denied errno=EPERM"
done
for denied in write_etc write_usr write_var_tmp write_tmp write_own_config write_volume read_own_secret read_other_env \
	list_other_env read_other_state list_dreichor_etc list_other_config read_other_secret read_other_signing_keys read_passwd list_etc \
	exec_shell list_home list_root tcp_connect docker_socket gate_inspect_prod gate_stop_prod gate_replace_prod \
	gate_privileged_create prod_gate; do
	check "sandbox: $denied denied" probe "$denied=denied .*"
done
# Landlock's own denials, where file permissions would let dreichor-dev through.
for denied in read_own_secret list_dreichor_etc read_passwd list_etc exec_shell list_home; do
	check "sandbox: $denied denied by Landlock (EACCES)" probe "$denied=denied errno=EACCES"
done
for allowed in write_state read_own_runtime_env docker_gate gate_inspect_own; do
	check "sandbox: $allowed allowed" probe "$allowed=allowed"
done
check "gate: dev's refusals are in the journal" \
	test -n "$(stand journalctl -o cat SYSLOG_IDENTIFIER=dreichor-agent DREICHOR_ACTION=docker-gate DREICHOR_HTTP_STATUS=403 DREICHOR_ENVIRONMENT=dev)"
check "gate: the gate runs as dreichor-gate with the docker group" stand_sh '
	curl -sf -o /dev/null --unix-socket /run/dreichor-docker-dev.sock http://d/v1.41/_ping
	pid=$(systemctl show -p MainPID --value dreichor-docker-gate-dev.service)
	[ "$pid" -gt 0 ] && grep -q "^Uid:[[:space:]]*$(id -u dreichor-gate)[[:space:]]" /proc/$pid/status &&
	grep -q "^Groups:.*$(getent group docker | cut -d: -f3)" /proc/$pid/status'
check "gate: the gate sockets are root:dreichor-ENV 0660" stand_sh '
	[ "$(stat -c "%U:%G %a" /run/dreichor-docker-dev.sock)" = "root:dreichor-dev 660" ] &&
	[ "$(stat -c "%U:%G %a" /run/dreichor-docker-prod.sock)" = "root:dreichor-prod 660" ]'
check "sandbox: nothing reached the system's /var/tmp or /tmp" stand test ! -e /var/tmp/dreichor-probe -a ! -e /tmp/dreichor-probe
EXPOSURE=$(stand_exposure 3005 'dreichor-agent-dev@*')
# systemd sees neither the Landlock ruleset nor the system call filter the probe above ran under;
# t/units.sh scores the unit with the options they replace counted (docs/performance.md).
echo "# exposure of a live dreichor-agent-dev@ instance, as systemd sees it: $EXPOSURE"
check "sandbox: systemd-analyze security scores a live instance" test -n "$EXPOSURE"
check "sandbox: the live instance is under Landlock" probe landlock=on

# --- A flood while connections are held: the socket keeps listening.
stand_sh 'for i in $(seq 32); do exec {fd}<>/dev/tcp/127.0.0.1/3005; done; sleep 4' &
HOLD=$!
sleep 1
FLOOD_T0=$(date +%s%N)
stand_sh 'ok=0; for i in $(seq 600); do (exec 3<>/dev/tcp/127.0.0.1/3005) 2>/dev/null && ok=$((ok+1)); done; echo $ok' >"$T/flood"
FLOOD_MS=$(( ($(date +%s%N) - FLOOD_T0) / 1000000 ))
wait "$HOLD"
# Connections over MaxConnections are closed by systemd; the rest are
# answered or closed by their instances. Wait (bounded) for them to drain.
DRAIN_T0=$(date +%s%N)
wait_for 300 bash -c '[ "$(nsenter -t '"$STAND_PID"' -m -u -i -n -p systemctl list-units --no-legend "dreichor-agent-dev@*" | wc -l)" = 0 ]'
DRAIN_MS=$(( ($(date +%s%N) - DRAIN_T0) / 1000000 ))
echo "# flood: $(cat "$T/flood") of 600 connections made in $FLOOD_MS ms with 32 held; instances drained $DRAIN_MS ms later"
check "flood: every instance ended" test -z "$(stand systemctl list-units --no-legend 'dreichor-agent-dev@*')"
check "flood: the dev socket is still active" test "$(stand systemctl is-active dreichor-agent-dev.socket)" = active
check "flood: no trigger limit was hit" bash -c '! grep -q "Trigger limit hit" <<<"$1"' _ "$(stand journalctl --no-pager -o cat -u dreichor-agent-dev.socket)"
sreq dev GET /v1/status
check "flood: a real client is served afterwards" test "$STATUS" = 200 || echo "# $STATUS $BODY"

# 80 idle connections held: a real client still gets a slot.
stand_sh 'for i in $(seq 80); do exec {fd}<>/dev/tcp/127.0.0.1/3005; done; sleep 6' &
HOLD=$!
sleep 2
sreq dev GET /v1/status
check "80 idle connections held: a real client is served" test "$STATUS" = 200 || echo "# $STATUS $BODY"
wait "$HOLD"

# --- A deploy survives a restart of its socket.
stand_sh 'sed -i "s/^STARTUP_GRACE_SECONDS=.*/STARTUP_GRACE_SECONDS=4/" /opt/dreichor/dev/deploy-agent/.env'
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:2.0.0\"}" >/dev/null &
DEPLOY=$!
stand_wait_deploying "$STAND_REPO:2.0.0"
check "socket restarted during a deploy" stand systemctl restart dreichor-agent-dev.socket
wait "$DEPLOY"
sreq dev GET /v1/status
check "after the socket restart the deploy finished: running 2.0.0" \
	bash -c 'jq -e ".running == true and .image == \"$2\"" <<<"$1" >/dev/null' _ "$BODY" "$STAND_REPO:2.0.0" || echo "# $BODY"
check "after the socket restart its deploy was audited ok" \
	test -n "$(stand journalctl -o cat SYSLOG_IDENTIFIER=dreichor-agent DREICHOR_ACTION=deploy DREICHOR_RESULT=ok DREICHOR_IMAGE=$STAND_REPO:2.0.0)"

# --- An asynchronous deploy through the installed units: 202, the instance goes on, status during it.
instances() { stand_sh 'systemctl list-units --no-legend --state=running "dreichor-agent-dev@*.service" | wc -l'; }
RAW_PATH=/v1/deploy sraw 3005 -X POST -H @/root/headers-dev -H 'Prefer: respond-async' \
	-H 'Content-Type: application/json' --data-binary "{\"image\":\"$STAND_REPO:1.0.1\"}"
check "async deploy through the installed units: 202" test "$STATUS" = 202 || echo "# $STATUS $BODY"
ASYNC_ID=$(jq -r .request_id <<<"$BODY")
check "... its instance keeps running after the 202" test "$(instances)" -ge 1
sreq dev GET /v1/status
check "... status during it shows the deploy in progress" \
	bash -c 'jq -e ".deploy_in_progress.request_id == \"$2\"" <<<"$1" >/dev/null' _ "$BODY" "$ASYNC_ID" || echo "# $BODY"
for i in $(seq 60); do
	sreq dev GET "/v1/deploys/$ASYNC_ID"
	[ "$(jq -r .status <<<"$BODY")" != running ] && break
	sleep 0.5
done
check "... GET /v1/deploys/<id> follows it to deployed, 200" \
	bash -c 'jq -e ".status == \"deployed\" and .http_status == 200" <<<"$1" >/dev/null' _ "$BODY" || echo "# $BODY"
no_instances() { [ "$(instances)" = 0 ]; }
check "... and the instance exits at the end" wait_for 10 no_instances
stand_sh 'sed -i "s/^STARTUP_GRACE_SECONDS=.*/STARTUP_GRACE_SECONDS=1/" /opt/dreichor/dev/deploy-agent/.env'

# --- The registry's own questions go through dreichor-registry-<env>.socket: the agent has no network.
check "registry socket enabled with the agent's socket (Also=)" test "$(stand systemctl is-enabled dreichor-registry-dev.socket)" = enabled
check "... and listening" test "$(stand systemctl is-active dreichor-registry-dev.socket)" = active
ask_registry() { # ask_registry USER ENV QUESTION: what USER gets from ENV's registry socket
	stand_sh 'runuser -u "$1" -- node -e "
		const s = require(\"net\").connect(process.argv[1]); let out = \"\";
		s.on(\"error\", e => console.log(\"refused: \" + e.code));
		s.on(\"data\", d => out += d); s.on(\"end\", () => console.log(out.trim()));
		s.end(process.argv[2] + \"\\n\");" "/run/dreichor-registry-$2.sock" "$3"' "$1" "$2" "$3"
}
ANSWER=$(ask_registry dreichor-dev dev "probe $STAND_REPO 1.0.0")
check "dreichor-dev asks its registry socket: the registry's digest for 1.0.0" \
	bash -c 'jq -e ".status == 200 and (.digest | startswith(\"sha256:\"))" <<<"$1" >/dev/null' _ "$ANSWER" || echo "# $ANSWER"
check "dreichor-dev cannot use prod's registry socket" test "$(ask_registry dreichor-dev prod "probe $STAND_REPO 1.0.0")" = "refused: EACCES"
REGISTRY_PID=$(stand systemctl show -p MainPID --value dreichor-registry-dev.service)
ask_registry dreichor-dev dev "probe $STAND_REPO 1.0.0" >/dev/null
check "registry helper: one process (Accept=no) answers question after question, under its own filter" stand_sh '
	pid=$(systemctl show -p MainPID --value dreichor-registry-dev.service)
	[ "$pid" = "$1" ] && [ "$pid" -gt 0 ] && grep -q "^Seccomp:[[:space:]]*2" /proc/$pid/status &&
	grep -q "^Uid:[[:space:]]*$(id -u dreichor-registry-dev)[[:space:]]" /proc/$pid/status &&
	! systemctl cat dreichor-registry-dev.service | grep -qE "^(SystemCallFilter|SystemCallArchitectures|RestrictAddressFamilies)=" &&
	[ -z "$(systemctl list-units --no-legend "dreichor-registry-dev@*")" ]' "$REGISTRY_PID"
check "registry helper: the agent's user cannot stop it (another user)" stand_sh '
	pid=$(systemctl show -p MainPID --value dreichor-registry-dev.service)
	! setpriv --reuid=dreichor-dev --regid=dreichor-dev --clear-groups kill -STOP "$pid" 2>/dev/null && grep -q "^State:[[:space:]]*S" /proc/$pid/status'
check "the Docker gate: under its own filter" stand_sh '
	pid=$(systemctl show -p MainPID --value dreichor-docker-gate-dev.service)
	[ "$pid" -gt 0 ] && grep -q "^Seccomp:[[:space:]]*2" /proc/$pid/status'
cp "$top_builddir/t/edge-proxy" "$STAND_ROOT/usr/local/bin/edge-proxy"
stand systemd-run --quiet --unit=dr-test-limit /usr/local/bin/edge-proxy 5001 5000 --too-many 42 --lifetime 600
stand_sh 'sed -i "s|^IMAGE_REPOSITORY=.*|IMAGE_REPOSITORY=127.0.0.1:5001/ceerkle/dreichor-trading/runtime|" /opt/dreichor/dev/deploy-agent/.env'
sreq dev POST /v1/deploy '{"image":"127.0.0.1:5001/ceerkle/dreichor-trading/runtime:1.0.0"}'
check "a registry that rate-limits, through the installed units: 503 with its retry time" \
	bash -c '[ "$2" = 503 ] && jq -r .reason <<<"$1" | grep -qF "it asks to retry after 42 s"' _ "$BODY" "$STATUS" || echo "# $STATUS $BODY"
stand_sh 'sed -i "s|^IMAGE_REPOSITORY=.*|IMAGE_REPOSITORY=$1|" /opt/dreichor/dev/deploy-agent/.env' "$STAND_REPO"
stand systemctl stop dr-test-limit

# --- The Docker gate, with prod's container running: dev's user reaches
# Docker only through dev's gate, which refuses everything of prod's.
dev_gate() { stand setpriv --reuid=dreichor-dev --regid=dreichor-dev --clear-groups \
	curl -s -o /dev/null -w '%{http_code}' --unix-socket /run/dreichor-docker-dev.sock "$@"; }
check "gate: prod's container runs" test "$(stand docker inspect -f '{{.State.Running}}' dreichor-runtime-prod)" = true
check "gate: dreichor-dev cannot open the host's Docker socket" \
	test "$(stand setpriv --reuid=dreichor-dev --regid=dreichor-dev --clear-groups curl -s -o /dev/null -w '%{http_code}' --unix-socket /run/docker.sock http://d/_ping)" = 000
check "gate: dreichor-dev cannot open prod's gate" \
	test "$(stand setpriv --reuid=dreichor-dev --regid=dreichor-dev --clear-groups curl -s -o /dev/null -w '%{http_code}' --unix-socket /run/dreichor-docker-prod.sock http://d/_ping)" = 000
check "gate: dev's gate answers dev's ping" test "$(dev_gate http://d/v1.41/_ping)" = 200
check "gate: dev cannot inspect prod's container (403)" test "$(dev_gate http://d/v1.41/containers/dreichor-runtime-prod/json)" = 403
check "gate: dev cannot stop prod's container (403)" test "$(dev_gate -X POST 'http://d/v1.41/containers/dreichor-runtime-prod/stop?t=1')" = 403
check "gate: dev cannot replace prod's container (403)" test "$(dev_gate -X DELETE 'http://d/v1.41/containers/dreichor-runtime-prod?force=true')" = 403
check "gate: dev cannot start a privileged container (403)" test "$(dev_gate -H Content-Type:application/json \
	-d '{"Image":"busybox","HostConfig":{"Privileged":true,"Binds":["/etc/dreichor/prod:/x"]}}' \
	'http://d/v1.41/containers/create?name=dreichor-runtime-dev')" = 403
check "gate: prod's container still runs after dev's attempts" test "$(stand docker inspect -f '{{.State.Running}}' dreichor-runtime-prod)" = true

# --- The engine reads what dev's installed gate checked: the five requests
# a Go engine once read differently (t/gate.sh has them in full), each judged
# by what the stand's engine did.
dev_gate_body() { # dev_gate_body TARGET BODY [CURL-ARGS...]: a POST with BODY through dev's gate, as dreichor-dev
	local target=$1 body=$2
	shift 2
	stand setpriv --reuid=dreichor-dev --regid=dreichor-dev --clear-groups curl -s -o /dev/null -w '%{http_code}' \
		--unix-socket /run/dreichor-docker-dev.sock "$@" --data-binary "$body" "http://d$target"
}
stand_no_dev_container() { [ -z "$(stand docker ps -aq --filter 'name=^/dreichor-runtime-dev$')" ]; }
stand docker rm -f dreichor-runtime-dev >/dev/null 2>&1
GATE_IMAGE=$STAND_REPO@$(stand docker inspect -f '{{index .Config.Labels "dreichor.image-digest"}}' dreichor-runtime-prod)
GATE_HOST='{"Binds":["/opt/dreichor/dev/volumes/audit-events:/var/lib/dreichor/audit-events","/opt/dreichor/dev/volumes/snapshots:/var/lib/dreichor/snapshots"],"RestartPolicy":{"Name":"unless-stopped"},"NetworkMode":"none"}'
GATE_ENV=$( (stand_sh "grep -E '^[A-Z_]+=' /opt/dreichor/dev/deploy-agent/runtime.env"; echo ENVIRONMENT=dev) | jq -R . | jq -cs .)
CREATE=/v1.41/containers/create?name=dreichor-runtime-dev
refused_and_nothing_made() { [ "$1" = 403 ] && stand_no_dev_container; }
check "gate probe 1: a name with an escaped NUL (403), and the engine made nothing" refused_and_nothing_made \
	"$(dev_gate_body "$CREATE" "{\"Image\":\"$GATE_IMAGE\",\"Env\":$GATE_ENV,\"HostConfig\":{\"Binds\":[\"/:/host\"]},\"HostConfig\\u0000\":$GATE_HOST}" -H Content-Type:application/json)"
check "gate probe 2: a duplicate name spelled with an escape (403), and the engine made nothing" refused_and_nothing_made \
	"$(dev_gate_body "$CREATE" "{\"Image\":\"$GATE_IMAGE\",\"Env\":$GATE_ENV,\"HostConfig\":$GATE_HOST,\"HostConfi\\u0067\":{\"Privileged\":true,\"PidMode\":\"host\"}}" -H Content-Type:application/json)"
check "gate: dev's allowed create goes through the installed gate (201)" \
	test "$(dev_gate_body "$CREATE" "{\"Image\":\"$GATE_IMAGE\",\"Env\":$GATE_ENV,\"HostConfig\":$GATE_HOST}" -H Content-Type:application/json)" = 201
check "gate probe 3: a start with a body under API 1.23 (403)" test "$(dev_gate_body /v1.23/containers/dreichor-runtime-dev/start \
	'{"Binds":["/:/host"],"Privileged":true}' -H Content-Type:application/json)" = 403
check "... the engine never started it and it is not privileged" test \
	"$(stand docker inspect -f '{{.State.StartedAt}} {{.HostConfig.Privileged}} {{len .HostConfig.Binds}}' dreichor-runtime-dev)" = \
	"0001-01-01T00:00:00Z false 2"
stand docker rm -f dreichor-runtime-dev >/dev/null 2>&1
IMAGES_BEFORE=$(stand docker image ls -aq | sort | tr '\n' ' ')
check "gate probe 4: a pull with a form body (403)" test "$(dev_gate_body "/v1.41/images/create?fromImage=$(jq -rn --arg s "$STAND_REPO" '$s | @uri')&tag=1.0.0" \
	"fromImage=&fromSrc=http://127.0.0.1:5000/v2/&repo=x" -H Content-Type:application/x-www-form-urlencoded)" = 403
check "... the engine made or pulled no image" test "$(stand docker image ls -aq | sort | tr '\n' ' ')" = "$IMAGES_BEFORE"
check "gate probe 5: an events filter with an escaped NUL name (403)" \
	test "$(dev_gate "http://d/v1.41/events?since=0&until=1&filters=%7B%22container%5Cu0000%22%3A%5B%22dreichor-runtime-dev%22%5D%7D")" = 403
check "gate: a call naming no API version (403)" test "$(dev_gate http://d/_ping)" = 403

# --- Image retention through the installed units: KEEP_IMAGES=2, prod's image stays.
stand_push_image 3.0.0 'echo runtime 3.0.0; exec sleep 3600'
stand_push_image 3.0.1 'echo runtime 3.0.1; exec sleep 3600'
stand_sh 'echo KEEP_IMAGES=2 >>/opt/dreichor/dev/deploy-agent/.env'
PROD_DIGEST=$(stand docker inspect -f '{{index .Config.Labels "dreichor.image-digest"}}' dreichor-runtime-prod)
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:3.0.0\"}"
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:3.0.1\"}"
PRUNED=$(jq -c '.pruned' <<<"$BODY")
echo "# retention in the stand: $PRUNED"
check "retention in the stand: the deploy removed this environment's older images" \
	bash -c '[ "$2" = 200 ] && jq -e "length > 0 and all(.bytes > 0)" <<<"$1" >/dev/null' _ "$PRUNED" "$STATUS"
check "... never the image prod's container runs" bash -c '! jq -e "any(.image_digest == \"$2\")" <<<"$1" >/dev/null' _ "$PRUNED" "$PROD_DIGEST"
image_held() { stand docker image inspect "$1" -f ok >/dev/null 2>&1; }
check "... which is still held and running" image_held "$STAND_REPO@$PROD_DIGEST"
check "... the audit entry says so" bash -c 'jq -e ".DREICHOR_PRUNED | fromjson | length > 0" <<<"$1" >/dev/null' \
	_ "$(sjournal "$(jq -r .request_id <<<"$BODY")")"
sreq dev GET /v1/status
check "... status: the two newest and prod's image held, KEEP_IMAGES=2" \
	bash -c 'jq -e ".images.keep_images == 2 and .images.count == 3 and .images.bytes > 0" <<<"$1" >/dev/null' _ "$BODY" || echo "# $BODY"
stand_sh 'sed -i /^KEEP_IMAGES=/d /opt/dreichor/dev/deploy-agent/.env'

# --- Operator mistakes: each a 500 naming it, audited, no failed unit.
mistake() { # mistake WHAT EXPECTED-REASON EXPECTED-DETAIL BREAK-SCRIPT REPAIR-SCRIPT
	stand_sh "$4"
	sreq dev GET /v1/status
	stand_sh "$5"
	check "mistake, $1: 500" test "$STATUS" = 500
	check "mistake, $1: the reason names it" bash -c 'jq -r .reason <<<"$1" | grep -qF "$2"' _ "$BODY" "$2" || echo "$BODY"
	check "mistake, $1: audited with the whole problem" bash -c 'jq -r ".DREICHOR_DETAIL // .DREICHOR_REASON" <<<"$1" | grep -qF "$2"' \
		_ "$(sjournal "$(jq -r .request_id <<<"$BODY")")" "$3"
}
# Without a usable service token the client cannot be authenticated: it learns only the variable.
mistake "missing .env" "agent configuration invalid: ENVIRONMENT" ".env file missing or empty" \
	'mv /opt/dreichor/dev/deploy-agent/.env /root/env.saved' 'mv /root/env.saved /opt/dreichor/dev/deploy-agent/.env'
mistake "missing secret file" "agent configuration invalid: CF_ACCESS_CLIENT_SECRET_FILE" "CF_ACCESS_CLIENT_SECRET_FILE: cannot read the secret file" \
	'mv /etc/dreichor/dev/cf-access-client-secret /root/secret.saved' 'mv /root/secret.saved /etc/dreichor/dev/cf-access-client-secret'
mistake "runtime.env unreadable by the agent" "RUNTIME_ENV_FILE" "RUNTIME_ENV_FILE" \
	'chown root:root /opt/dreichor/dev/deploy-agent/runtime.env' 'chown root:dreichor-dev /opt/dreichor/dev/deploy-agent/runtime.env'
mistake "stop timeout the unit would kill" "RuntimeMaxSec" "RuntimeMaxSec" \
	'sed -i "s/^STOP_TIMEOUT_SECONDS=.*/STOP_TIMEOUT_SECONDS=3600/" /opt/dreichor/dev/deploy-agent/.env' \
	'sed -i "s/^STOP_TIMEOUT_SECONDS=.*/STOP_TIMEOUT_SECONDS=2/" /opt/dreichor/dev/deploy-agent/.env'
check "mistakes leave no failed unit" test -z "$(stand systemctl list-units --failed --no-legend 'dreichor-agent-*')"
sreq dev GET /v1/status
check "repaired: status 200 again" test "$STATUS" = 200

# --- The Access JWT as the authentication, its keys fetched by the installed refresh unit from
# an HTTPS server in the stand (its CA added to the stand's trust store, as a team domain's
# certificate is trusted in production).
tls_test_ca "$T/tls"
jwt_keys "$T/tls"
mkdir -p "$STAND_ROOT/root/tls"
cp "$T/tls/srv.pem" "$T/tls/srv.key" "$T/tls/certs.json" "$STAND_ROOT/root/tls/"
cp "$T/tls/ca.pem" "$STAND_ROOT/usr/local/share/ca-certificates/dreichor-test-ca.crt"
stand_sh 'update-ca-certificates >/dev/null 2>&1 && systemd-run --quiet --unit=dr-test-access -p WorkingDirectory=/root/tls node -e "
	const fs = require(\"fs\");
	require(\"https\").createServer({ key: fs.readFileSync(\"srv.key\"), cert: fs.readFileSync(\"srv.pem\") }, (q, r) => {
		if (q.url !== \"/cdn-cgi/access/certs\") { r.statusCode = 404; return r.end(); }
		r.setHeader(\"Content-Type\", \"application/json\"); r.end(fs.readFileSync(\"certs.json\"));
	}).listen(8443, \"127.0.0.1\");"' || hard_error "cannot start the stand's Access stand-in"
wait_for 30 stand curl -sf -o /dev/null https://127.0.0.1:8443/cdn-cgi/access/certs || hard_error "the Access stand-in did not answer"
stand cp /opt/dreichor/dev/deploy-agent/.env /root/dev.env.before
stand_sh 'printf "CF_ACCESS_AUD=%s\nCF_ACCESS_ISSUER=https://127.0.0.1:8443\nCF_ACCESS_CERTS_FILE=/var/lib/dreichor-agent/dev/access-certs.json\n" "$1" \
	>>/opt/dreichor/dev/deploy-agent/.env' "$JWT_AUD"
stand systemctl start dreichor-agent-dev-certs.service
check "certs refresh unit: succeeded" test "$(stand systemctl show -p Result --value dreichor-agent-dev-certs.service)" = success
check "certs refresh unit: the keys are in the state directory, the agent's" \
	test "$(stand stat -c %U /var/lib/dreichor-agent/dev/access-certs.json)" = dreichor-dev
check "certs refresh unit: the file is the served document" cmp -s "$STAND_ROOT/var/lib/dreichor-agent/dev/access-certs.json" "$T/tls/certs.json"
stand systemctl enable --now dreichor-agent-dev-certs.timer >/dev/null 2>&1
check "certs refresh timer: active" test "$(stand systemctl is-active dreichor-agent-dev-certs.timer)" = active
stand_jwt=$(JWT_ISS=https://127.0.0.1:8443 CLIENT_ID=stand-dev.access; token "$T/tls/key.pem" "$JWT_H1" "$(claims)")
jwt_says() { echo "# $STATUS $BODY"; sjournal "$(jq -r .request_id <<<"$BODY")" | jq -r .DREICHOR_DETAIL | sed 's/^/# detail: /'; }
sraw 3005 -H "Cf-Access-Jwt-Assertion: $stand_jwt"
check "JWT alone, no service-token headers: 200" test "$STATUS" = 200 || jwt_says
sraw 3005 -H "Cookie: CF_Authorization=$stand_jwt"
check "JWT as the CF_Authorization cookie alone: 200" test "$STATUS" = 200
sraw 3005 -H @/root/headers-dev
check "service token without the JWT: 401" test "$STATUS" = 401
sraw 3005 -H "Cf-Access-Jwt-Assertion: $stand_jwt" -H "CF-Access-Client-Id: stand-dev.access" -H "CF-Access-Client-Secret: wrong-secret"
check "JWT with the wrong secret: 403" test "$STATUS" = 403
sraw 3005 -H "Cf-Access-Jwt-Assertion: $(JWT_ISS=https://127.0.0.1:8443 CLIENT_ID=stand-prod.access; token "$T/tls/key.pem" "$JWT_H1" "$(claims)")"
check "the prod token's JWT on the dev socket: 403" test "$STATUS" = 403
stand systemctl disable --now dreichor-agent-dev-certs.timer >/dev/null 2>&1
stand systemctl stop dr-test-access
stand cp /root/dev.env.before /opt/dreichor/dev/deploy-agent/.env
sreq dev GET /v1/status
check "service token alone again once the JWT settings are gone: 200" test "$STATUS" = 200

# --- Upgrade: the package installed over itself during a deploy.
stand_sh 'echo "# edited by the operator" >>/opt/dreichor/dev/deploy-agent/.env; sed -i "s/^STARTUP_GRACE_SECONDS=.*/STARTUP_GRACE_SECONDS=4/" /opt/dreichor/dev/deploy-agent/.env'
sreq dev POST /v1/deploy "{\"image\":\"$STAND_REPO:1.0.0\"}" >/dev/null &
DEPLOY=$!
stand_wait_deploying "$STAND_REPO:1.0.0" dreichor-runtime-dev
check "upgrade: reinstall during a deploy" stand_sh 'cd /root && apt-get install -y --reinstall "./$1" >/root/upgrade.log 2>&1' "$STAND_DEB_NAME"
wait "$DEPLOY"
check "upgrade: the deploy in flight finished ok" \
	test -n "$(stand journalctl -o cat SYSLOG_IDENTIFIER=dreichor-agent DREICHOR_ACTION=deploy DREICHOR_RESULT=ok DREICHOR_IMAGE=$STAND_REPO:1.0.0 DREICHOR_ENVIRONMENT=dev)"
check "upgrade: the operator's .env kept" stand grep -q "edited by the operator" /opt/dreichor/dev/deploy-agent/.env
check "upgrade: the socket still listens" test "$(stand systemctl is-active dreichor-agent-dev.socket)" = active
check "upgrade: the socket is still enabled" test "$(stand systemctl is-enabled dreichor-agent-dev.socket)" = enabled
sreq dev GET /v1/status
check "upgrade: status 200 with 1.0.0" bash -c 'jq -e ".image == \"$2\"" <<<"$1" >/dev/null' _ "$BODY" "$STAND_REPO:1.0.0"

# --- Purge: the agent goes, the operator's tree and the runtime stay.
check "purge" stand_sh 'apt-get purge -y dreichor-agent >/root/purge.log 2>&1'
check "purge: nothing listens on 3005" stand_sh '! (exec 3<>/dev/tcp/127.0.0.1/3005) 2>/dev/null'
check "purge: the units are gone" test -z "$(stand systemctl list-unit-files --no-legend 'dreichor-agent-*' 'dreichor-registry-*')"
check "purge: no registry socket is left" stand test ! -e /run/dreichor-registry-dev.sock
check "purge: /opt/dreichor kept" stand test -f /opt/dreichor/dev/deploy-agent/.env -a -f /opt/dreichor/prod/deploy-agent/runtime.env
check "purge: the secrets kept" stand test -f /etc/dreichor/prod/cf-access-client-secret
check "purge: the runtime container left running" test "$(stand docker inspect -f '{{.State.Running}}' dreichor-runtime-dev)" = true
finish
