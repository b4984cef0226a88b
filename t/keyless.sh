#!/bin/bash
# Keyless signatures (CONTRACT 10.1): images signed by a test Sigstore
# instance of its own (t/lib-keyless.sh: a Fulcio-like CA, a CT log, a
# Rekor-like log, a timestamp authority and their trusted_root.json) in both
# places cosign and GitHub write them (the tag sha256-<hex>.sig with the
# certificate and Rekor bundle annotations; Sigstore bundles in the fallback
# index, cosign's and an SLSA provenance attestation's), pushed to a real
# docker-registry. Prod with IMAGE_SIGNATURE_IDENTITY deploys them and names
# the signer (identity, source repository, commit, run, log index) in the
# answer, plan, history and audit entry; every refusal is a 422 naming why
# (another identity, another issuer, a certificate outside its window, a
# log entry for another artifact, a bundle or payload for another repository
# or digest, an untrusted CA, a log key whose validity ended, a broken SET),
# checked against what the engine did: nothing pulled, the running container
# untouched. Keys and identities together: either kind satisfies the check.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
. "$top_srcdir/t/lib-sign.sh" || hard_error "t/lib-sign.sh is missing"
. "$top_srcdir/t/lib-keyless.sh" || hard_error "t/lib-keyless.sh is missing"
need_cmd openssl jq sha256sum python3

start_journald
start_dockerd
start_registry
REG_URL=http://$REGISTRY
keyless_instance
tags="2.0.0 2.0.1 2.0.2 2.0.3 2.0.4 2.0.5 2.0.6 2.0.7 2.0.8 2.0.9 2.1.0 2.1.1 2.1.2 2.1.3 2.1.4 2.1.5 2.1.6 2.2.0 2.2.1 2.2.2 2.2.3 2.2.4 2.2.5 2.2.6 2.2.7"
for tag in $tags; do
	make_image "$tag" "echo image $tag; $RUNTIME_SCRIPT"
	eval "d_${tag//./_}=\$(image_digest $tag)"
done
setup_env prod
set_agent_var prod IMAGE_SIGNATURES -
# Two identities, space-separated, quoted as systemd's EnvironmentFile= reads them.
set_agent_var prod IMAGE_SIGNATURE_IDENTITY "\"https://github.com/ceerkle/dreichor-trading/.github/workflows/other.yml@refs/heads/main $KL_IDENTITY\""
set_agent_var prod SIGSTORE_TRUSTED_ROOT "$KL_ROOT"
start_agent prod
name=dreichor-runtime-prod
pulled() { docker_cli image inspect "$IMAGE_REPOSITORY@$1" >/dev/null 2>&1; }
not_pulled() { ! pulled "$1"; }
restart_with() { stop_agent "$1"; set_agent_var "$1" "$2" "$3"; start_agent "$1"; }

call prod GET /v1/status
check "prod with IMAGE_SIGNATURE_IDENTITY: image_signatures required" json_is .image_signatures required

# 1. Unsigned: refused before the pull.
deploy prod "$IMAGE_REPOSITORY:2.0.0"
check "an unsigned image, keyless required: 422" answer_is 422 "has no cosign signature"
check "... nothing pulled" not_pulled "$d_2_0_0"

# 2. The classic format, keyless: the certificate and the Rekor bundle in the layer's annotations.
keyless_sign_simple "$d_2_0_0"
log_index=$(jq -r .Payload.logIndex "$(keyless_last)/rekor-bundle.json")
deploy prod "$IMAGE_REPOSITORY:2.0.0"
rid=$(jq -r .request_id <<<"$BODY")
check "signed keyless (tag sha256-<hex>.sig): 200" status_is 200
signer='[.format, .identity, .issuer, .source_repository, .source_commit, .run_url, .time_source, has("key")]'
want="simple-signing	$KL_IDENTITY	$KL_ISSUER	$KL_SOURCE_REPOSITORY	$KL_COMMIT	$KL_RUN_URL	tlog	false"
check "... the answer names the signer, its source, commit and run" json_is ".signature | $signer | @tsv" "$want"
check "... and the log entry that proved the time" json_is '[.signature.log_index, (.signature.verified_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))] | @tsv' "$log_index	true"
running=$(container_field $name '{{.Id}}')
call prod GET "/v1/deploys?limit=1"
check "... so does the history entry" json_is ".deploys[0] | [.request_id] + (.signature | $signer) | @tsv" "$rid	$want"
audit_names_signer() {
	journal_entry "$1" | jq_holds --arg i "$KL_IDENTITY" --arg c "$KL_COMMIT" --arg r "$KL_RUN_URL" --arg s "$KL_SOURCE_REPOSITORY" --arg l "$2" \
		'.DREICHOR_SIGNER == $i and .DREICHOR_SOURCE_COMMIT == $c and .DREICHOR_BUILD_RUN == $r and
		 .DREICHOR_SOURCE_REPOSITORY == $s and (.DREICHOR_SIGNATURE_PROOF | startswith("log index " + $l + " at ")) and
		 .DREICHOR_SIGNATURE_FORMAT == "simple-signing" and (has("DREICHOR_SIGNATURE_KEY") | not)'
}
check "... and the audit entry (DREICHOR_SIGNER, DREICHOR_SOURCE_COMMIT, DREICHOR_BUILD_RUN)" audit_names_signer "$rid" "$log_index"

# 3. Sigstore bundles in the fallback index: cosign 3's, and GitHub's SLSA provenance attestation.
keyless_sign_bundle "$d_2_0_1"
deploy prod "$IMAGE_REPOSITORY:2.0.1"
check "signed keyless (cosign 3's Sigstore bundle): 200" json_is '[.status, .signature.format, .signature.identity] | @tsv' \
	"deployed	sigstore-bundle	$KL_IDENTITY"
KL_PREDICATE=slsa keyless_sign_bundle "$d_2_0_2"
deploy prod "$IMAGE_REPOSITORY:2.0.2"
check "attested keyless (actions/attest-build-provenance, SLSA provenance v1): 200" \
	json_is '[.status, .signature.format, .signature.source_commit] | @tsv' "deployed	sigstore-bundle	$KL_COMMIT"
KL_TSA=1 keyless_sign_simple "$d_2_0_3"
deploy prod "$IMAGE_REPOSITORY:2.0.3"
check "signed keyless with an RFC 3161 timestamp too: 200" json_is '[.status, .signature.identity] | @tsv' "deployed	$KL_IDENTITY"
KL_VARIANT=issuer-v1 keyless_sign_simple "$d_2_2_5"
deploy prod "$IMAGE_REPOSITORY:2.2.5"
check "a certificate with only the deprecated issuer extension (.1.1) and no source fields: 200" \
	json_is '[.status, .signature.identity, .signature.issuer, has("source_commit"), has("run_url")] | @tsv' \
	"deployed	$KL_IDENTITY	$KL_ISSUER	false	false"
running=$(container_field $name '{{.Id}}')

# refused TAG WORDS: a deploy of TAG is 422 naming WORDS in phase signature; nothing pulled, the
# running container untouched.
refused() {
	local digest; eval "digest=\$d_${1//./_}"
	deploy prod "$IMAGE_REPOSITORY:$1"
	[ -n "${KEYLESS_DEBUG:-}" ] && log "$1: $(jq -r .reason <<<"$BODY")"
	answer_is 422 "$2" && json_is .phase signature && ! pulled "$digest" &&
		[ "$(container_field $name '{{.Id}}')" = "$running" ] &&
		[ "$(container_field $name '{{.State.Running}}')" = true ]
}

# 4. Each refusal.
KL_SIGN_IDENTITY=https://github.com/ceerkle/dreichor-trading/.github/workflows/release.yml@refs/heads/evil \
	keyless_sign_simple "$d_2_0_4"
check "keyless by another identity: 422" refused 2.0.4 \
	"signed by another identity: https://github.com/ceerkle/dreichor-trading/.github/workflows/release.yml@refs/heads/evil is not one of IMAGE_SIGNATURE_IDENTITY"
KL_SIGN_IDENTITY="${KL_IDENTITY%main}" keyless_sign_bundle "$d_2_0_5"
check "keyless by a prefix of the identity (exact, not a pattern): 422" refused 2.0.5 "signed by another identity"
KL_SIGN_ISSUER=https://accounts.google.com keyless_sign_simple "$d_2_0_6"
check "keyless for another OIDC issuer: 422" refused 2.0.6 "signed for another OIDC issuer: https://accounts.google.com, not IMAGE_SIGNATURE_ISSUER $KL_ISSUER"
KL_VARIANT=expired keyless_sign_simple "$d_2_0_7"
check "a certificate outside its window at the log's time: 422" refused 2.0.7 "keyless signature on tag sha256-${d_2_0_7#sha256:}.sig is refused: certificate at"
KL_VARIANT=other-artifact keyless_sign_simple "$d_2_0_8"
check "a log entry for another artifact: 422" refused 2.0.8 "log entry: the logged digest is not the artifact's"
KL_VARIANT=untrusted-ca keyless_sign_bundle "$d_2_0_9"
check "a certificate from a CA the trusted root does not name: 422" refused 2.0.9 "keyless Sigstore bundle is refused: certificate"
KL_VARIANT=bad-set keyless_sign_simple "$d_2_1_0"
check "a Rekor entry whose signed entry timestamp does not verify: 422" refused 2.1.0 "signed entry timestamp does not verify"
KL_VARIANT=no-sct keyless_sign_simple "$d_2_2_6"
check "a certificate without an SCT of a CT log the root names: 422" refused 2.2.6 "SCT"
KL_VARIANT=bad-sct keyless_sign_bundle "$d_2_2_7"
check "a certificate whose SCT does not verify: 422" refused 2.2.7 "SCT"
OTHER_REPOSITORY=$REGISTRY/ceerkle/another-project/runtime
SIGNED_REPOSITORY=$OTHER_REPOSITORY keyless_sign_bundle "$d_2_1_1"
check "a keyless bundle for another repository: 422" refused 2.1.1 "statement is signed for another repository: $OTHER_REPOSITORY"
SIGNED_REPOSITORY=$OTHER_REPOSITORY keyless_sign_simple "$d_2_1_2"
check "a keyless payload for another repository: 422" refused 2.1.2 "signed for another repository: $OTHER_REPOSITORY"
keyless_sign_simple "$d_2_1_3" "$d_2_0_0"
check "a keyless payload naming another digest: 422" refused 2.1.3 "signs another digest, $d_2_0_0"
KL_PREDICATE=slsa keyless_sign_bundle "$d_2_1_4" "$d_2_0_0"
check "an attestation whose subject is another digest: 422" refused 2.1.4 "keyless Sigstore bundle is refused"
make_signing_key ci
CI_KEY=$(key_fingerprint ci)
sign_simple ci "$d_2_1_6"
check "identities only: a key-signed image: 422" refused 2.1.6 "made with a key (no certificate), but IMAGE_SIGNATURE_KEYS is not set"
call prod GET "/v1/deploys?limit=1"
check "a keyless refusal is in the history, phase signature" json_is '.deploys[0] | [.result, .http_status, .phase] | @tsv' "error	422	signature"

# 5. Plan names the signer and pulls nothing.
keyless_sign_bundle "$d_2_1_5"
call prod POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:2.1.5\"}"
check "plan of a keyless-signed image: the check passes, naming the signer" \
	json_is '[.would_deploy, (.checks[] | select(.check == "signature") | .ok), .signature.identity, .image_signatures] | @tsv' \
	"true	true	$KL_IDENTITY	required"
check "... and pulls nothing" not_pulled "$d_2_1_5"

# 6. A log key whose validity in the trusted root ended before the entry.
restart_with prod SIGSTORE_TRUSTED_ROOT "$KL_ROOT_LOG_ENDED"
check "a log whose key's validity ended before the entry: 422" refused 2.1.5 "outside the log key's validity"
printf '{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"' >"$T/broken-root.json"
restart_with prod SIGSTORE_TRUSTED_ROOT "$T/broken-root.json"
deploy prod "$IMAGE_REPOSITORY:2.1.5"
check "a SIGSTORE_TRUSTED_ROOT that is not a trusted root: 500" answer_is 500 "SIGSTORE_TRUSTED_ROOT $T/broken-root.json cannot be used"
check "... nothing pulled" not_pulled "$d_2_1_5"
restart_with prod SIGSTORE_TRUSTED_ROOT "$T/nonexistent.json"
call prod GET /v1/status
check "a SIGSTORE_TRUSTED_ROOT that cannot be read: 500" answer_is 500 "SIGSTORE_TRUSTED_ROOT: must be the absolute path of a readable file"
restart_with prod SIGSTORE_TRUSTED_ROOT "$KL_ROOT"

# 6b. The trusted root's source: status and plan name it. One the TUF client wrote (refresh.json
# beside it, vouching for its sha256, as dreichor-sigstore-root leaves it: t/tuf.sh) shows its
# repository, last refresh and earliest expiry; past that expiry every keyless refusal says so.
call prod GET /v1/status
check "status names the trusted root in use: its path, source file, no refresh" \
	json_is '.trusted_root | [.path, .source, has("refreshed"), has("stale")] | @tsv' "$KL_ROOT	file	false	false"
tuf_dir=$T/sigstore-root
mkdir -p "$tuf_dir"
cp "$KL_ROOT" "$tuf_dir/trusted_root.json"
# refresh_record EXPIRES [SHA256]: the client's record of the last good refresh.
refresh_record() {
	printf '{"source":"https://tuf.example.test","refreshed":"2026-01-01T00:00:00Z","expires":"%s","root_version":3,"timestamp_version":9,"snapshot_version":9,"targets_version":4,"sha256":"%s"}\n' \
		"$1" "${2:-$(sha256sum "$tuf_dir/trusted_root.json" | cut -d' ' -f1)}" >"$tuf_dir/refresh.json"
}
refresh_record 2099-01-01T00:00:00Z
restart_with prod SIGSTORE_TRUSTED_ROOT "$tuf_dir/trusted_root.json"
call prod GET /v1/status
check "a root the TUF client refreshed: source tuf, its repository, refresh and expiry, not stale" \
	json_is '.trusted_root | [.source, .repository, .refreshed, .expires, .stale] | @tsv' \
	"tuf	https://tuf.example.test	2026-01-01T00:00:00Z	2099-01-01T00:00:00Z	false"
call prod POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:2.1.5\"}"
check "... plan names it too, and the signature still verifies with it" \
	json_is '[.would_deploy, .trusted_root.source, .trusted_root.stale] | @tsv' "true	tuf	false"
OUT=$(set -a; . "$T/prod/agent.env"; "$top_builddir/dreichor-agent" --check-config 2>&1)
check "... so does --check-config" grep -qx "sigstore trusted root source: tuf https://tuf.example.test, refreshed 2026-01-01T00:00:00Z, metadata expires 2099-01-01T00:00:00Z" <<<"$OUT"
refresh_record 2026-01-02T00:00:00Z
stale="the Sigstore trusted root is stale: last refreshed 2026-01-01T00:00:00Z from https://tuf.example.test, its TUF metadata expired 2026-01-02T00:00:00Z"
call prod GET /v1/status
check "past the metadata's expiry: status says stale" json_is '.trusted_root | [.source, .stale] | @tsv' "tuf	true"
check "a keyless refusal under a stale trusted root, named first, then why: 422" refused 2.0.4 "$stale (is dreichor-sigstore-root's timer running?); "
check "... and still says why" answer_is 422 "signed by another identity"
check "... so does a refusal of an unsigned image" refused 2.2.0 "$stale"
call prod POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:2.1.5\"}"
check "... while a good signature still verifies (the root is stale, not wrong)" json_is '[.would_deploy, .trusted_root.stale] | @tsv' "true	true"
refresh_record 2099-01-01T00:00:00Z 0000000000000000000000000000000000000000000000000000000000000000
call prod GET /v1/status
check "a record for other bytes than the root's is not believed: source file" \
	json_is '.trusted_root | [.source, has("expires")] | @tsv' "file	false"
printf '{"source":"https://tuf.example.test","source":"https://evil.example","refreshed":"x"}' >"$tuf_dir/refresh.json"
call prod GET /v1/status
check "a record that is not strict JSON is not believed either: source file, status 200" \
	json_is '[.trusted_root.source] | @tsv' "file"
restart_with prod SIGSTORE_TRUSTED_ROOT "$KL_ROOT"

# 7. Keys and identities together: either kind satisfies the check; keys alone refuse keyless.
restart_with prod IMAGE_SIGNATURE_KEYS "$T/keys/ci.pub"
sign_simple ci "$d_2_2_0"
deploy prod "$IMAGE_REPOSITORY:2.2.0"
check "keys and identities: a key-signed image deploys, naming the key" \
	json_is '[.status, .signature.key, .signature.format, has("identity")] | @tsv' "deployed	$CI_KEY	simple-signing	false"
keyless_sign_simple "$d_2_2_1"
deploy prod "$IMAGE_REPOSITORY:2.2.1"
check "... and a keyless-signed one, naming the signer" json_is '[.status, .signature.identity] | @tsv' "deployed	$KL_IDENTITY"
running=$(container_field $name '{{.Id}}')
keyless_sign_simple "$d_2_2_2"
restart_with prod IMAGE_SIGNATURE_IDENTITY -
check "keys only: a keyless signature: 422" refused 2.2.2 "keyless (a certificate), but IMAGE_SIGNATURE_IDENTITY is not set"

# 8. As the units run it: Landlock (the trusted root among the reads, as the endpoint runs
# dreichor-registry itself) and the system call filters (GnuTLS and libtasn1 under them); then
# dreichor-registry --listen (its own unit: Accept=no, a child per question reading the keyless
# settings afresh from the .env, under its filter) as DREICHOR_REGISTRY_SOCKET.
set_agent_var prod IMAGE_SIGNATURE_IDENTITY "\"$KL_IDENTITY\""
set_agent_var prod DREICHOR_LANDLOCK on
export DREICHOR_SYSCALL_FILTER=on # the gate's and the registry helper's
restart_with prod DREICHOR_SYSCALL_FILTER on
deploy prod "$IMAGE_REPOSITORY:2.2.2"
check "under Landlock and the system call filter, dreichor-registry run by the endpoint: 200" \
	json_is '[.status, .signature.identity] | @tsv' "deployed	$KL_IDENTITY"
running=$(container_field $name '{{.Id}}')
cp "$T/prod/agent.env" "$T/registry.env"
DREICHOR_REGISTRY_CONFIG=$T/registry.env DREICHOR_REGISTRY_IDLE_SECONDS=0 \
	systemd-socket-activate -l "$T/registry.sock" -E DREICHOR_REGISTRY_CONFIG -E DREICHOR_REGISTRY_IDLE_SECONDS \
	-E DREICHOR_SYSCALL_FILTER "$top_builddir/dreichor-registry" --listen >"$T/registry-listen.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q '^Listening on' "$T/registry-listen.log" || hard_error "the registry helper did not listen"
restart_with prod DREICHOR_REGISTRY_SOCKET "$T/registry.sock"
keyless_sign_bundle "$d_2_2_3"
deploy prod "$IMAGE_REPOSITORY:2.2.3"
check "dreichor-registry --listen under its filter, the keyless settings from its .env: 200" \
	json_is '[.status, .signature.identity, .signature.format] | @tsv' "deployed	$KL_IDENTITY	sigstore-bundle"
running=$(container_field $name '{{.Id}}')
sed -i "s|^IMAGE_SIGNATURE_IDENTITY=.*|IMAGE_SIGNATURE_IDENTITY=https://github.com/ceerkle/dreichor-trading/.github/workflows/other.yml@refs/heads/main|" "$T/registry.env"
keyless_sign_simple "$d_2_2_4"
check "another identity in the registry helper's .env, read afresh for each question: 422" refused 2.2.4 "signed by another identity"
set_agent_var prod DREICHOR_REGISTRY_SOCKET -
set_agent_var prod DREICHOR_LANDLOCK -
set_agent_var prod DREICHOR_SYSCALL_FILTER -
unset DREICHOR_SYSCALL_FILTER

# 9. The configuration.
set_agent_var prod IMAGE_SIGNATURE_IDENTITY -
restart_with prod IMAGE_SIGNATURE_KEYS -
call prod GET /v1/status
check "prod with neither keys nor identities: 500" answer_is 500 "or IMAGE_SIGNATURE_IDENTITY"
set_agent_var prod IMAGE_SIGNATURES off
restart_with prod IMAGE_SIGNATURE_IDENTITY "$KL_IDENTITY"
call prod GET /v1/status
check "IMAGE_SIGNATURES=off with IMAGE_SIGNATURE_IDENTITY: 500" answer_is 500 "IMAGE_SIGNATURES: off while IMAGE_SIGNATURE_IDENTITY is set"
set_agent_var prod IMAGE_SIGNATURES -
OUT=$(set -a; . "$T/prod/agent.env"; "$top_builddir/dreichor-agent" --check-config 2>&1)
check "--check-config names the identities, the issuer and the trusted root" \
	bash -c 'grep -qx "image signature identity 1: $1 (keyless, compared exactly)" <<<"$3" &&
		grep -qx "image signature issuer: $2" <<<"$3" && grep -q "^image signatures: required: keyless" <<<"$3"' _ \
	"$KL_IDENTITY" "$KL_ISSUER" "$OUT" || log "$OUT"
finish
