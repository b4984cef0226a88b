#!/bin/bash
# Only images CI signed: cosign signatures made here with openssl in both
# formats cosign writes (the tag sha256-<hex>.sig, a Sigstore bundle in the
# fallback index), pushed to a real docker-registry. Signed deploys pass and
# name the key and the format (answer, history, audit); every refusal is a
# 422 naming why, after the registry lookups and before the pull: nothing is
# pulled, the running container is untouched. A signature binds the
# repository too: one the right key made for the right digest but for
# another repository is refused like one over another digest. Two keys in
# the file (a rotation); plan reports the signature and pulls nothing; a
# registry that is down is 502; prod without keys is a configuration error.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
. "$top_srcdir/t/lib-sign.sh" || hard_error "t/lib-sign.sh is missing"
need_cmd openssl jq sha256sum od
EDGE=$top_builddir/t/edge-proxy
[ -x "$EDGE" ] || hard_error "t/edge-proxy is not built (make check builds it)"

start_journald
start_dockerd
start_registry
REG_URL=http://$REGISTRY
for tag in 1.0.0 1.0.1 1.0.2 1.0.3 1.0.4 1.0.5 1.0.6 1.0.7 1.0.8 1.0.9 1.1.0 1.2.0 1.3.0 1.4.0 1.4.1 1.4.2; do
	make_image "$tag" "echo image $tag; $RUNTIME_SCRIPT"
	eval "d_${tag//./_}=\$(image_digest $tag)"
done
make_signing_key ci
make_signing_key next
make_signing_key stranger
CI_KEY=$(key_fingerprint ci)
NEXT_KEY=$(key_fingerprint next)
setup_env dev
set_agent_var dev IMAGE_SIGNATURE_KEYS "$T/keys/ci.pub"
start_agent dev
name=dreichor-runtime-dev
pulled() { docker_cli image inspect "$IMAGE_REPOSITORY@$1" >/dev/null 2>&1; }
not_pulled() { ! pulled "$1"; }

call dev GET /v1/status
check "status: image_signatures required" json_is .image_signatures required

# 1. Unsigned: refused before the pull.
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "an unsigned image: 422" answer_is 422 "has no cosign signature"
check "... in phase signature, naming the digest" json_is '[.phase, (.reason | contains("'"$d_1_0_0"'"))] | @tsv' "signature	true"
check "... nothing pulled" not_pulled "$d_1_0_0"
check "... no container made" test "$(container_count $name)" = 0

# 2. The classic format.
sign_simple ci "$d_1_0_0"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
rid=$(jq -r .request_id <<<"$BODY")
check "signed (tag sha256-<hex>.sig): 200" status_is 200
check "... the answer names the key and the format" json_is '[.signature.key, .signature.format] | @tsv' "$CI_KEY	simple-signing"
check "... the key is sha256 of the public key's DER" bash -c '[[ $1 =~ ^sha256:[0-9a-f]{64}$ ]]' _ "$CI_KEY"
running=$(container_field $name '{{.Id}}')
call dev GET "/v1/deploys?limit=1"
check "... so does the history entry" json_is '.deploys[0] | [.request_id, .signature.key, .signature.format] | @tsv' "$rid	$CI_KEY	simple-signing"
audit_names_key() { journal_entry "$1" | jq_holds --arg k "$2" '.DREICHOR_SIGNATURE_KEY == $k and .DREICHOR_SIGNATURE_FORMAT == "simple-signing"'; }
check "... and the audit entry" audit_names_key "$rid" "$CI_KEY"

# 3. The Sigstore bundle, found through the fallback tag (docker-registry has no referrers API).
sign_bundle ci "$d_1_0_1"
deploy dev "$IMAGE_REPOSITORY:1.0.1"
check "signed (Sigstore bundle): 200" status_is 200
check "... format sigstore-bundle, the same key" json_is '[.signature.key, .signature.format] | @tsv' "$CI_KEY	sigstore-bundle"
running=$(container_field $name '{{.Id}}')

# refused TAG WORDS: a deploy of TAG is 422 naming WORDS in phase signature; nothing pulled, the
# running container untouched.
refused() {
	local digest; eval "digest=\$d_${1//./_}"
	deploy dev "$IMAGE_REPOSITORY:$1"
	answer_is 422 "$2" && json_is .phase signature && ! pulled "$digest" &&
		[ "$(container_field $name '{{.Id}}')" = "$running" ] &&
		[ "$(container_field $name '{{.State.Running}}')" = true ]
}

# 4. Each refusal.
sign_simple stranger "$d_1_0_2"
check "an image signed by a key not trusted: 422" refused 1.0.2 "is not by a key in IMAGE_SIGNATURE_KEYS"
sign_simple ci "$d_1_0_3" "$d_1_0_0"
check "a payload naming another digest: 422" refused 1.0.3 "signs another digest, $d_1_0_0"
sign_simple ci "$d_1_0_4" "" flip
check "a signature with a bit flipped: 422" refused 1.0.4 "is not by a key in IMAGE_SIGNATURE_KEYS"
sign_bundle stranger "$d_1_0_5"
check "a bundle by a key not trusted: 422" refused 1.0.5 "bundle is not signed by a key in IMAGE_SIGNATURE_KEYS"
sign_simple ci "$d_1_0_6" "" bad-blob
check "a blob whose digest does not match its descriptor: 422" refused 1.0.6 "does not match its descriptor's digest and size"
sign_simple ci "$d_1_0_7" "" huge
check "an oversized signature manifest: 422" refused 1.0.7 "is larger than 65536 bytes"
sign_simple ci "$d_1_0_8" "" not-json
check "a signature manifest that is not strict JSON: 422" refused 1.0.8 "is not JSON"
sign_bundle ci "$d_1_0_9" "$d_1_0_0"
check "a bundle whose statement names another digest: 422" refused 1.0.9 "statement signs another digest"

# 4a. The right key, the right digest, another repository (a signature copied from a repository the
# key also signs for): refused in both formats, and the engine's image list shows nothing pulled.
OTHER_REPOSITORY=$REGISTRY/ceerkle/another-project/runtime
images_of_repository() { docker_cli image ls --no-trunc --digests --format '{{.ID}} {{.Digest}}' "$IMAGE_REPOSITORY" | sort; }
images_before=$(images_of_repository)
SIGNED_REPOSITORY=$OTHER_REPOSITORY sign_simple ci "$d_1_4_0"
check "a payload signed for another repository: 422" refused 1.4.0 "signed for another repository: $OTHER_REPOSITORY"
check "... the engine's image list unchanged: nothing pulled" test "$(images_of_repository)" = "$images_before"
SIGNED_REPOSITORY=$OTHER_REPOSITORY sign_bundle ci "$d_1_4_1"
check "a bundle whose statement is signed for another repository: 422" \
	refused 1.4.1 "statement is signed for another repository: $OTHER_REPOSITORY"
check "... the engine's image list unchanged: nothing pulled" test "$(images_of_repository)" = "$images_before"
SIGNED_REPOSITORY=- sign_bundle ci "$d_1_4_2"
check "a bundle whose statement names no repository (cosign 3's sign): 422" refused 1.4.2 "statement names no repository"
check "... the engine's image list unchanged: nothing pulled" test "$(images_of_repository)" = "$images_before"
call dev GET "/v1/deploys?limit=1"
check "a refusal is in the history, phase signature" json_is '.deploys[0] | [.result, .http_status, .phase] | @tsv' "error	422	signature"

# 5. Rotation: two keys in the file; the image signed by the next key passes and names it.
cat "$T/keys/ci.pub" "$T/keys/next.pub" >"$T/keys/both.pub"
stop_agent dev
set_agent_var dev IMAGE_SIGNATURE_KEYS "$T/keys/both.pub"
start_agent dev
sign_bundle next "$d_1_1_0"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.1.0\"}"
check "plan of a signed image: the signature check passes, naming the key" \
	json_is '[.would_deploy, (.checks[] | select(.check == "signature") | .ok), .signature.key, .image_signatures] | @tsv' \
	"true	true	$NEXT_KEY	required"
check "... and pulls nothing" not_pulled "$d_1_1_0"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.2\"}"
check "plan of an image signed by a stranger: would not deploy, the check says why" \
	json_is '[.would_deploy, (.checks[] | select(.check == "signature") | .ok, .status)] | @tsv' "false	false	422"
deploy dev "$IMAGE_REPOSITORY:1.1.0"
check "two keys in the file (a rotation): the next key's signature deploys" \
	json_is '[.status, .signature.key, .signature.format] | @tsv' "deployed	$NEXT_KEY	sigstore-bundle"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "... and the old key's still does" json_is '[.status, .signature.key] | @tsv' "deployed	$CI_KEY"

# 5a. A digest a trusted key's signature was verified for (by a deploy) is not asked about again,
# while that key stays in the file; plan never remembers.
reg_delete_manifest "sha256-${d_1_0_0#sha256:}.sig"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.0.0\"}"
check "a deployed digest whose signature left the registry: plan still names the key that verified it" \
	json_is '[(.checks[] | select(.check == "signature") | .ok), .signature.key] | @tsv' "true	$CI_KEY"
sign_simple ci "$d_1_3_0"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.3.0\"}"
check "a plan of a signed digest: ok" json_is '.checks[] | select(.check == "signature") | .ok' true
reg_delete_manifest "sha256-${d_1_3_0#sha256:}.sig"
call dev POST /v1/plan "{\"image\": \"$IMAGE_REPOSITORY:1.3.0\"}"
check "... its signature gone: the next plan asks the registry again and refuses (plan remembered nothing)" \
	json_is '.checks[] | select(.check == "signature") | [.ok, .status] | @tsv' "false	422"
stop_agent dev
set_agent_var dev IMAGE_SIGNATURE_KEYS "$T/keys/next.pub"
start_agent dev
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "the key that verified it taken out of the file: the remembered digest is refused, 422" answer_is 422 "has no cosign signature"
stop_agent dev
set_agent_var dev IMAGE_SIGNATURE_KEYS "$T/keys/both.pub"
start_agent dev

# 5b. A registry with the OCI referrers API (a stand-in answers it in front of the real registry,
# which has none): the bundle is found there, with no fallback tag at all. The agent names the
# repository by the stand-in's address, so that is the repository the signatures are made for.
referrers_port=$(free_port)
REFERRERS_REPOSITORY=127.0.0.1:$referrers_port/$REPO_PATH
SIGNED_REPOSITORY=$REFERRERS_REPOSITORY REFERRERS_INDEX=$T/referrers.json sign_bundle ci "$d_1_2_0"
deploy dev "$IMAGE_REPOSITORY:1.2.0"
check "a bundle listed only by a referrers API, asked of a registry without one: 422" answer_is 422 "has no cosign signature"
"$EDGE" "$referrers_port" "$REGISTRY_PORT" --referrers "$T/referrers.json" --lifetime 600 >"$T/referrers.log" 2>&1 &
BG_PIDS="$BG_PIDS $!"
wait_for 10 grep -q listening "$T/referrers.log" || hard_error "the referrers stand-in did not listen"
restart_with() { stop_agent "$1"; set_agent_var "$1" "$2" "$3"; start_agent "$1"; }
restart_with dev IMAGE_REPOSITORY "127.0.0.1:$referrers_port/$REPO_PATH"
deploy dev "127.0.0.1:$referrers_port/$REPO_PATH:1.2.0"
check "... through the referrers API: verified, 200" json_is '[.status, .signature.key, .signature.format] | @tsv' \
	"deployed	$CI_KEY	sigstore-bundle"
check "... the stand-in answered the referrers request" grep -q "referrers answered" "$T/referrers.log"
OUT=$(DREICHOR_URL=http://127.0.0.1:$PORT_dev CF_ACCESS_CLIENT_ID=$CLIENT_ID CF_ACCESS_CLIENT_SECRET=$CLIENT_SECRET \
	"$top_builddir/dreichorctl" deploy "127.0.0.1:$referrers_port/$REPO_PATH:1.2.0" 2>&1)
check "dreichorctl prints the key that verified and the format" grep -qx "  signed    by $CI_KEY (sigstore-bundle)" <<<"$OUT" ||
	log "$OUT"
printf '{"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": []}' >"$T/referrers.json"
rm "$T/dev/state/verified-signatures"   # so that the registry is asked about 1.1.0 again
deploy dev "$REFERRERS_REPOSITORY:1.1.0"
check "a bundle signed for the registry's other name (the one CI pushed to): 422" \
	answer_is 422 "statement is signed for another repository: $IMAGE_REPOSITORY, not $REFERRERS_REPOSITORY"
SIGNED_REPOSITORY=$REFERRERS_REPOSITORY sign_bundle next "$d_1_1_0"
deploy dev "$REFERRERS_REPOSITORY:1.1.0"
check "a referrers API that lists nothing: the fallback tag is read too" \
	json_is '[.status, .signature.key, .signature.format] | @tsv' "deployed	$NEXT_KEY	sigstore-bundle"
restart_with dev IMAGE_REPOSITORY "$IMAGE_REPOSITORY"

# 6. A registry that cannot be asked: a deploy by digest needs no tag lookup, so the signature
# lookup (of a digest no deploy verified) is the first to find it down.
kill "$REGISTRY_PID"; wait "$REGISTRY_PID" 2>/dev/null
deploy dev "$IMAGE_REPOSITORY@$d_1_3_0"
down_refused() { answer_is 502 "image signatures could not be read" && json_is .phase signature; }
check "a registry down when its signatures are asked for: 502" down_refused
run_registry

# 7. Broken key files and the configuration.
printf 'not a key\n' >"$T/keys/broken.pub"
restart_with dev IMAGE_SIGNATURE_KEYS "$T/keys/broken.pub"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "IMAGE_SIGNATURE_KEYS without a key: 500" answer_is 500 "holds no BEGIN PUBLIC KEY block"
cat "$T/keys/ci.key" "$T/keys/ci.pub" >"$T/keys/private.pub"
restart_with dev IMAGE_SIGNATURE_KEYS "$T/keys/private.pub"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "a private key in IMAGE_SIGNATURE_KEYS: 500" answer_is 500 "holds a private key"
openssl genrsa 2048 2>/dev/null | openssl rsa -pubout 2>/dev/null >"$T/keys/rsa.pub"
restart_with dev IMAGE_SIGNATURE_KEYS "$T/keys/rsa.pub"
deploy dev "$IMAGE_REPOSITORY:1.0.0"
check "an RSA key in IMAGE_SIGNATURE_KEYS: 500" answer_is 500 "not an ECDSA P-256 key"
restart_with dev IMAGE_SIGNATURE_KEYS -
call dev GET /v1/status
check "dev without keys: image_signatures off" json_is .image_signatures off
deploy dev "$IMAGE_REPOSITORY:1.0.2"
check "... and an image signed by a stranger deploys (nothing is checked)" json_is '[.status, has("signature")] | @tsv' "deployed	false"
setup_env prod
set_agent_var prod IMAGE_SIGNATURES -
start_agent prod
call prod GET /v1/status
check "prod without IMAGE_SIGNATURE_KEYS: 500" answer_is 500 "IMAGE_SIGNATURE_KEYS: required in prod"
restart_with prod IMAGE_SIGNATURES off
call prod GET /v1/status
check "prod with IMAGE_SIGNATURES=off, said out loud: image_signatures off" json_is .image_signatures off
restart_with prod IMAGE_SIGNATURE_KEYS "$T/keys/ci.pub"
call prod GET /v1/status
check "IMAGE_SIGNATURES=off with IMAGE_SIGNATURE_KEYS: 500" answer_is 500 "IMAGE_SIGNATURES: off while IMAGE_SIGNATURE_KEYS is set"
finish
