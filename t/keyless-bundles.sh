#!/bin/bash
# The keyless fixtures of t/lib-keyless.sh (a test Sigstore instance made here, offline),
# checked by two verifiers: dreichor-registry verify-bundle and sigstore-js (npm
# @sigstore/verify, pinned in t/npm, installed with npm ci; t/sigstore-js-verify.cjs gives it
# verify-bundle's command line). Each good fixture must verify and each bad one be refused,
# by verify-bundle for its own reason; sigstore-js must reach the same verdict on every
# fixture and on every sigstore-conformance bundle-verify case (t/data/sigstore-conformance,
# with the artifact's path and with its digest where sigstore-js can take it), except the
# cases listed in JS_DISAGREES below with the reason. The closing lines give both counts.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
. "$top_srcdir/t/lib-sign.sh"
. "$top_srcdir/t/lib-keyless.sh"
for c in python3 openssl node npm jq sha256sum; do
	command -v "$c" >/dev/null 2>&1 || hard_error "$c is not installed (scripts/debian-packages)"
done
DR_REGISTRY=$top_builddir/dreichor-registry
[ -x "$DR_REGISTRY" ] || hard_error "dreichor-registry is not built"
CASES=$top_srcdir/t/data/sigstore-conformance/bundle-verify
[ -d "$CASES" ] || hard_error "no conformance cases at $CASES"
PUBLIC_ROOT=$top_srcdir/data/sigstore/trusted_root.json
[ -f "$PUBLIC_ROOT" ] || hard_error "no $PUBLIC_ROOT"

npm_modules @sigstore/verify
SIGSTORE_JS=$top_srcdir/t/sigstore-js-verify.cjs
log "sigstore-js: @sigstore/verify $(jq -r .version "$NODE_PATH/@sigstore/verify/package.json"), node $(node --version)"

# The cases (by name, in either form) on which sigstore-js's verdict differs from
# verify-bundle's, each with the reason. @sigstore/verify 2.x is the last line whose engines
# include Debian 12's nodejs 18.
JS_UNANCHORED="sigstore-js matches the identity as an unanchored regular expression (String.match), verify-bundle exactly (CONTRACT 10.1)"
JS_REKOR2="a Rekor v2 entry: sigstore-js 2.x looks the checkpoint's signer up by the Rekor v1 key hint (the first 4 bytes of the log ID), not C2SP's (a hash of name, type and key), and requires every signature line (witness cosignatures too) to be a trusted log's, so refuses; sigstore-js 4 (Node 22) verifies it"
JS_UNSIGNED_TIME="sigstore-js 2.x picks the log's key by the entry's integratedTime even when no SET signs it (here 0, before the key's validFor) and refuses; verify-bundle holds an entry without a SET to the timestamp's time"
declare -A JS_DISAGREES=(
	["proof only, the time from a timestamp"]=$JS_UNSIGNED_TIME
	["identity that only starts with the required one"]=$JS_UNANCHORED
	["required identity is a prefix of the certificate's"]=$JS_UNANCHORED
)
for c in bundle-with-sct-with-extensions rekor2-checkpoint-cosigned rekor2-checkpoint-multiple-cosigs \
	rekor2-checkpoint-origin-not-first rekor2-checkpoint-two-sigs-cosigned rekor2-checkpoint-two-sigs-from-origin \
	rekor2-dsse-happy-path rekor2-happy-path rekor2-timestamp-with-embedded-cert \
	rekor2-timestamp-with-expired-cert-chain rekor2-timestamp-without-embedded-cert trust-root-tsa-validity-end-inclusive; do
	JS_DISAGREES[$c]=$JS_REKOR2
done

DR_PASS=0 DR_TOTAL=0 JS_PASS=0 JS_TOTAL=0 JS_CANNOT=0 AGREE=0 DISAGREE=0

# verdicts WANT NAME REASON BUNDLE ROOT SUBJECT POLICY...: run both verifiers; verify-bundle must
# give WANT (verified or refused, with REASON in its message when refused); sigstore-js must
# agree unless JS_DISAGREES[NAME] says why not.
verdicts() {
	local want=$1 name=$2 reason=$3 bundle=$4 root=$5 subject=$6 dr js rc
	shift 6
	DR_TOTAL=$((DR_TOTAL + 1))
	$VALGRIND_WRAP "$DR_REGISTRY" verify-bundle --bundle "$bundle" "$@" --trusted-root "$root" "$subject" >"$T/dr.out" 2>"$T/dr.err"
	rc=$?
	case $rc in 0) dr=verified ;; 1) dr=refused ;; *) dr="exit $rc" ;; esac
	if [ "$dr" = "$want" ] && { [ "$want" = verified ] || { [ -s "$T/dr.err" ] && grep -qF -- "$reason" "$T/dr.err"; }; }; then
		DR_PASS=$((DR_PASS + 1))
		ok "verify-bundle: $name $want${reason:+ ($reason)}"
	else
		not_ok "verify-bundle: $name $want${reason:+ ($reason)}: $dr: $(head -c 300 "$T/dr.err")"
	fi
	node "$SIGSTORE_JS" verify-bundle --bundle "$bundle" "$@" --trusted-root "$root" "$subject" >"$T/js.out" 2>"$T/js.err"
	rc=$?
	case $rc in 0) js=verified ;; 1) js=refused ;; 2) js=cannot ;; *) js="exit $rc" ;; esac
	if [ "$js" = cannot ]; then
		JS_CANNOT=$((JS_CANNOT + 1))
		log "sigstore-js cannot judge $name: $(head -c 200 "$T/js.err")"
		return
	fi
	JS_TOTAL=$((JS_TOTAL + 1))
	[ "$js" = "$want" ] && JS_PASS=$((JS_PASS + 1))
	local known=${JS_DISAGREES[${name#*: }]:-}
	if [ "$js" = "$dr" ]; then
		AGREE=$((AGREE + 1))
		if [ -n "$known" ]; then not_ok "sigstore-js: $name now agrees ($js); drop it from JS_DISAGREES"; else ok "sigstore-js: $name $js"; fi
	else
		DISAGREE=$((DISAGREE + 1))
		if [ -n "$known" ]; then
			ok "sigstore-js: $name $js, verify-bundle $dr: known: $known"
		else
			not_ok "sigstore-js: $name $js, verify-bundle $dr: $(head -c 300 "$T/js.err")"
		fi
	fi
}

# --- the fixtures ---
keyless_instance
ID=(--certificate-identity "$KL_IDENTITY" --certificate-oidc-issuer "$KL_ISSUER")
printf 'an image manifest stands in here\n' >"$T/artifact"
DIGEST=sha256:$(sha256sum "$T/artifact" | cut -d' ' -f1)
export SIGNED_REPOSITORY=127.0.0.1:5000/$REPO_PATH
F=$T/fixtures
mkdir -p "$F"

# fixture NAME [VAR=VALUE...]: a DSSE bundle over DIGEST made with the settings given.
fixture() {
	local name=$1
	shift
	( [ $# = 0 ] || export "$@"; keyless_bundle_file "$F/$name.json" "$DIGEST") || hard_error "fixture $name"
}
# classic NAME [VAR=VALUE...]: cosign's classic signature of a simple-signing payload naming
# DIGEST, as a Sigstore bundle v0.1 ($F/NAME/bundle.json), the payload in $F/NAME/payload.
classic() {
	local name=$1
	shift
	mkdir -p "$F/$name"
	jq -cn --arg r "$SIGNED_REPOSITORY" --arg g "$DIGEST" \
		'{critical: {identity: {"docker-reference": $r}, image: {"docker-manifest-digest": $g}, type: "cosign container image signature"}, optional: null}' |
		tr -d '\n' >"$F/$name/payload"
	( [ $# = 0 ] || export "$@"; keyless_classic_files "$F/$name" "$F/$name/payload") || hard_error "fixture $name"
}

OTHER_IDENTITY=https://github.com/ceerkle/dreichor-trading/.github/workflows/other.yml@refs/heads/main
fixture good KL_PREDICATE=cosign
fixture good-slsa KL_PREDICATE=slsa
fixture good-tsa KL_TSA=1 KL_PREDICATE=slsa
fixture good-issuer-v1 KL_VARIANT=issuer-v1
fixture good-no-name SIGNED_REPOSITORY=-
fixture other-repository SIGNED_REPOSITORY=127.0.0.1:5000/someone/else
fixture other-identity KL_SIGN_IDENTITY=$OTHER_IDENTITY
fixture identity-prefix "KL_SIGN_IDENTITY=${KL_IDENTITY}-evil"
fixture other-issuer KL_SIGN_ISSUER=https://accounts.google.com
fixture issuer-prefix KL_SIGN_ISSUER=$KL_ISSUER.evil.example
fixture expired KL_VARIANT=expired
# The entry with its inclusion proof alone (no SET, integrated time 0), its time left to the timestamp:
# a log key the root says ended must not log it either (an attacker's finding).
jq '.verificationMaterial.tlogEntries[0] |= (del(.inclusionPromise) | .integratedTime = "0")' \
	"$F/good-tsa.json" >"$F/proof-only-tsa.json" || hard_error "fixture proof-only-tsa"
fixture other-artifact KL_VARIANT=other-artifact
fixture untrusted-ca KL_VARIANT=untrusted-ca
fixture no-sct KL_VARIANT=no-sct
fixture bad-sct KL_VARIANT=bad-sct
fixture bad-set KL_VARIANT=bad-set
classic classic-good
classic classic-tsa KL_TSA=1
classic classic-other-issuer KL_SIGN_ISSUER=https://accounts.google.com
classic classic-expired KL_VARIANT=expired
classic classic-other-artifact KL_VARIANT=other-artifact
classic classic-untrusted-ca KL_VARIANT=untrusted-ca

# The statements say what they should.
check "the good bundle's statement: cosign's predicate, the repository, the digest" jq_holds \
	--arg r "$SIGNED_REPOSITORY" --arg h "${DIGEST#sha256:}" \
	'.dsseEnvelope.payload | @base64d | fromjson | .predicateType == "https://sigstore.dev/cosign/sign/v1" and .subject == [{name: $r, digest: {sha256: $h}}]' \
	<"$F/good.json"
check "the SLSA bundle's statement: provenance v1 naming the workflow" jq_holds \
	'.dsseEnvelope.payload | @base64d | fromjson | .predicateType == "https://slsa.dev/provenance/v1" and
	 .predicate.buildDefinition.externalParameters.workflow.path == ".github/workflows/release.yml"' <"$F/good-slsa.json"
check "the other repository's statement names it" jq_holds \
	'.dsseEnvelope.payload | @base64d | fromjson | .subject[0].name == "127.0.0.1:5000/someone/else"' <"$F/other-repository.json"
cat "$F/classic-good/rekor-bundle.json" "$F/classic-good/bundle.json" |
	check "cosign's Rekor bundle annotation is the v0.1 bundle's log entry" jq_holds -s \
	'.[0] as $a | .[1].verificationMaterial.tlogEntries[0] as $e |
	 $a.Payload.body == $e.canonicalizedBody and ($a.Payload.integratedTime | tostring) == $e.integratedTime and
	 ($a.Payload.logIndex | tostring) == $e.logIndex and $a.SignedEntryTimestamp == $e.inclusionPromise.signedEntryTimestamp and
	 ($a.Payload.body | @base64d | fromjson | .kind == "hashedrekord" and .apiVersion == "0.0.1")'
check "the classic chain annotation holds the intermediate and the root" \
	test "$(grep -c 'BEGIN CERTIFICATE' "$F/classic-good/chain.pem")" = 2

# What verify-bundle reports of the good one: the signer as the agent reports it.
"$DR_REGISTRY" verify-bundle --bundle "$F/good.json" "${ID[@]}" --trusted-root "$KL_ROOT" "$DIGEST" >"$T/signer" 2>&1
check "verify-bundle names the signer, source, commit, run and log entry" jq_holds \
	--arg i "$KL_IDENTITY" --arg s "$KL_SOURCE_REPOSITORY" --arg c "$KL_COMMIT" --arg u "$KL_RUN_URL" \
	'.identity == $i and .source_repository == $s and .source_commit == $c and .run_url == $u and
	 (.log_index | type) == "number" and .time_source == "tlog"' <"$T/signer" || cat "$T/signer" >&2

for form in path digest; do
	subject=$T/artifact
	[ "$form" = digest ] && subject=$DIGEST
	for good in good good-slsa good-tsa good-issuer-v1 good-no-name; do
		verdicts verified "$form: $good" "" "$F/$good.json" "$KL_ROOT" "$subject" "${ID[@]}"
	done
	# verify-bundle binds the digest only; the repository is the agent's check (CONTRACT 10).
	verdicts verified "$form: other-repository (the agent refuses it, not verify-bundle)" "" \
		"$F/other-repository.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: other-identity" "identity is not the one required" "$F/other-identity.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: identity that only starts with the required one" "identity is not the one required" \
		"$F/identity-prefix.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: required identity is a prefix of the certificate's" "identity is not the one required" \
		"$F/good.json" "$KL_ROOT" "$subject" --certificate-identity "${KL_IDENTITY%main}" --certificate-oidc-issuer "$KL_ISSUER"
	verdicts refused "$form: other-issuer" "OIDC issuer is not the one required" "$F/other-issuer.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: issuer that only starts with the required one" "OIDC issuer is not the one required" \
		"$F/issuer-prefix.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: expired at the integrated time" "certificate at" "$F/expired.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: log entry for another artifact" "log entry: the logged" "$F/other-artifact.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: untrusted CA" "certificate" "$F/untrusted-ca.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: log key ended before the entry" "outside the log key's validity" "$F/good.json" "$KL_ROOT_LOG_ENDED" "$subject" "${ID[@]}"
	verdicts verified "$form: proof only, the time from a timestamp" "" "$F/proof-only-tsa.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: proof only, log key ended before the timestamp" "the log's key was not valid at the timestamp's time" \
		"$F/proof-only-tsa.json" "$KL_ROOT_LOG_ENDED" "$subject" "${ID[@]}"
	verdicts refused "$form: no SCT" "SCT" "$F/no-sct.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: SCT over another certificate" "SCT" "$F/bad-sct.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: SET does not verify" "signed entry timestamp does not verify" "$F/bad-set.json" "$KL_ROOT" "$subject" "${ID[@]}"
	verdicts refused "$form: public-good root" "" "$F/good.json" "$PUBLIC_ROOT" "$subject" "${ID[@]}"
	other=$T/other-artifact
	printf 'another artifact\n' >"$other"
	[ "$form" = digest ] && other=sha256:$(sha256sum "$other" | cut -d' ' -f1)
	verdicts refused "$form: good bundle, another artifact" "" "$F/good.json" "$KL_ROOT" "$other" "${ID[@]}"

	for c in classic-good classic-tsa; do
		subject=$F/$c/payload
		[ "$form" = digest ] && subject=sha256:$(sha256sum "$F/$c/payload" | cut -d' ' -f1)
		verdicts verified "$form: $c" "" "$F/$c/bundle.json" "$KL_ROOT" "$subject" "${ID[@]}"
	done
	# The classic signature over another payload (naming another digest).
	subject=$T/other-payload
	jq -c --arg g "sha256:$(printf 0%.0s {1..64})" '.critical.image."docker-manifest-digest" = $g' \
		"$F/classic-good/payload" | tr -d '\n' >"$subject"
	[ "$form" = digest ] && subject=sha256:$(sha256sum "$subject" | cut -d' ' -f1)
	verdicts refused "$form: classic, another payload" "" "$F/classic-good/bundle.json" "$KL_ROOT" "$subject" "${ID[@]}"
	for c in classic-other-issuer:"OIDC issuer is not the one required" classic-expired:"certificate at" \
		classic-other-artifact:"log entry: the logged" classic-untrusted-ca:certificate; do
		subject=$F/${c%%:*}/payload
		[ "$form" = digest ] && subject=sha256:$(sha256sum "$subject" | cut -d' ' -f1)
		verdicts refused "$form: ${c%%:*}" "${c#*:}" "$F/${c%%:*}/bundle.json" "$KL_ROOT" "$subject" "${ID[@]}"
	done
done

# --- pushed to a registry as t/keyless.sh's deploys read them ---
command -v docker-registry >/dev/null 2>&1 || hard_error "docker-registry is not installed (scripts/debian-packages)"
start_registry
REG_URL=http://$REGISTRY
export SIGNED_REPOSITORY=$REGISTRY/$REPO_PATH
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}' >"$T/img-config"
printf 'a layer\n' >"$T/img-layer"
jq -cn --argjson c "$(descriptor application/vnd.docker.container.image.v1+json "$T/img-config" "$(reg_put_blob "$T/img-config")")" \
	--argjson l "$(descriptor application/vnd.docker.image.rootfs.diff.tar.gzip "$T/img-layer" "$(reg_put_blob "$T/img-layer")")" \
	'{schemaVersion: 2, mediaType: "application/vnd.docker.distribution.manifest.v2+json", config: $c, layers: [$l]}' | tr -d '\n' >"$T/img"
reg_put_manifest "$T/img" 1.0.0 application/vnd.docker.distribution.manifest.v2+json
IMG=$(image_digest 1.0.0)
check "the test image is in the registry" test "$IMG" = "sha256:$(sha256sum "$T/img" | cut -d' ' -f1)"
make_signing_key ci
sign_bundle ci "$IMG"
KL_PREDICATE=slsa keyless_sign_bundle "$IMG"
pushed=$(keyless_last)
keyless_sign_simple "$IMG"
simple=$(keyless_last)
reg_get() { curl -sf "${REG_CURL[@]}" -H "Accept: $OCI_MANIFEST, $OCI_INDEX" "$REG_URL/v2/$REPO_PATH/$1"; }
reg_get "manifests/sha256-${IMG#sha256:}" >"$T/index"
check "the fallback index lists the keyed bundle and the keyless one" jq_holds \
	'.manifests | length == 2 and all(.artifactType == "application/vnd.dev.sigstore.bundle.v0.3+json") and
	 .[1].annotations."dev.sigstore.bundle.predicateType" == "https://slsa.dev/provenance/v1"' <"$T/index"
reg_get "manifests/$(jq -r '.manifests[1].digest' "$T/index")" >"$T/referrer"
check "the referrer's subject is the image" jq_holds --arg d "$IMG" '.subject.digest == $d and .subject.mediaType == "application/vnd.docker.distribution.manifest.v2+json" and .artifactType == "application/vnd.dev.sigstore.bundle.v0.3+json"' <"$T/referrer"
reg_get "blobs/$(jq -r '.layers[0].digest' "$T/referrer")" >"$T/pulled-bundle.json"
check "the referrer's layer is the bundle made" cmp -s "$T/pulled-bundle.json" "$pushed/bundle.json"
verdicts verified "registry: the pushed SLSA bundle" "" "$T/pulled-bundle.json" "$KL_ROOT" "$IMG" "${ID[@]}"
reg_get "manifests/sha256-${IMG#sha256:}.sig" >"$T/sig-manifest"
check "the .sig layer carries signature, certificate, chain and Rekor bundle" jq_holds \
	'.layers[0].annotations | has("dev.cosignproject.cosign/signature") and has("dev.sigstore.cosign/certificate") and
	 has("dev.sigstore.cosign/chain") and (."dev.sigstore.cosign/bundle" | fromjson | has("SignedEntryTimestamp") and (.Payload | has("body") and has("integratedTime") and has("logIndex") and has("logID")))' \
	<"$T/sig-manifest"
reg_get "blobs/$(jq -r '.layers[0].digest' "$T/sig-manifest")" >"$T/pulled-payload"
check "the .sig payload names the image and the repository" jq_holds --arg d "$IMG" --arg r "$SIGNED_REPOSITORY" \
	'.critical.image."docker-manifest-digest" == $d and .critical.identity."docker-reference" == $r' <"$T/pulled-payload"
check "the .sig certificate annotation is the signing certificate" \
	test "$(jq -r '.layers[0].annotations."dev.sigstore.cosign/certificate"' "$T/sig-manifest")" = "$(cat "$simple/cert.pem")"
verdicts verified "registry: the pushed classic signature" "" "$simple/bundle.json" "$KL_ROOT" "$T/pulled-payload" "${ID[@]}"

log "fixtures: verify-bundle $DR_PASS of $DR_TOTAL as expected; sigstore-js $JS_PASS of $JS_TOTAL as expected ($JS_CANNOT it cannot judge); $AGREE agree, $DISAGREE disagree"

# --- the conformance cases ---
DR_PASS=0 DR_TOTAL=0 JS_PASS=0 JS_TOTAL=0 JS_CANNOT=0 AGREE=0 DISAGREE=0
DEFAULT_IDENTITY=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
DEFAULT_ISSUER=https://token.actions.githubusercontent.com
for form in path digest; do
	for dir in "$CASES"/*/; do
		dir=${dir%/}
		name=$(basename "$dir")
		[ -f "$dir/bundle.sigstore.json" ] || continue
		artifact=$dir/artifact
		[ -f "$artifact" ] || artifact=$CASES/a.txt
		root=$PUBLIC_ROOT
		[ -f "$dir/trusted_root.json" ] && root=$dir/trusted_root.json
		if [ -f "$dir/key.pub" ]; then
			policy=(--key "$dir/key.pub")
		else
			identity=$DEFAULT_IDENTITY issuer=$DEFAULT_ISSUER
			[ -f "$dir/identity" ] && identity=$(cat "$dir/identity")
			[ -f "$dir/issuer" ] && issuer=$(cat "$dir/issuer")
			policy=(--certificate-identity "$identity" --certificate-oidc-issuer "$issuer")
		fi
		subject=$artifact
		[ "$form" = digest ] && subject=sha256:$(sha256sum "$artifact" | cut -d' ' -f1)
		want=verified
		case $name in *_fail) want=refused ;; esac
		verdicts "$want" "$form: $name" "" "$dir/bundle.sigstore.json" "$root" "$subject" "${policy[@]}"
	done
done
log "conformance: verify-bundle $DR_PASS of $DR_TOTAL as expected; sigstore-js $JS_PASS of $JS_TOTAL as expected ($JS_CANNOT it cannot judge: a message signature given by digest); $AGREE agree, $DISAGREE disagree"
finish
