# t/lib-keyless.sh: keyless (Sigstore) signatures made by the tests, offline, against a
# test Sigstore instance of their own (t/sigstore_fixture.py does the DER, the log and the
# signing; openssl the cryptography). Sourced after t/lib.sh and t/lib-sign.sh (the registry
# helpers: REG_URL, REG_CURL, REPO_PATH, reg_put_blob, reg_put_manifest, descriptor,
# signed_repository). Needs python3 and openssl.
#
# The instance (keyless_instance):
#   $KL_DIR                       its keys and certificates (unencrypted: tests only)
#   $KL_ROOT                      trusted_root.json naming all of it: a Fulcio-like CA
#                                 (root and intermediate), a CT log, a Rekor-like log
#                                 (baseUrl https://rekor.dreichor.test), a timestamp authority
#   $KL_ROOT_LOG_ENDED            the same, the log key's validFor ending before any entry
#   $KL_IDENTITY, $KL_ISSUER      the default signer: the release workflow of
#                                 github.com/ceerkle/dreichor-trading, GitHub's OIDC issuer
#   $KL_SOURCE_REPOSITORY, $KL_COMMIT, $KL_RUN_URL   what its certificates carry (.1.12,
#                                 .1.13, .1.21), as the agent should report them
#
# Signing (each makes a fresh leaf certificate valid ten minutes around an integrated time
# two minutes ago, with an embedded SCT, and a log entry with a SET and an inclusion proof
# with a signed checkpoint; the log index grows by one each time, from 0). Environment
# read by all of them:
#   KL_SIGN_IDENTITY   the certificate's SAN URI (default $KL_IDENTITY)
#   KL_SIGN_ISSUER     its OIDC issuer, .1.8 and .1.1 (default $KL_ISSUER)
#   KL_VARIANT         good (default); expired (the certificate's window ended before the
#                      integrated time); other-artifact (the log entry is for another
#                      payload); untrusted-ca (a CA the root does not name); issuer-v1 (only
#                      the deprecated .1.1 issuer extension, no .1.12/.1.13/.1.21); no-sct;
#                      bad-sct; bad-set (the SET does not verify)
#   KL_TSA=1           add an RFC 3161 timestamp over the signature by the test TSA
#   KL_PREDICATE       cosign (https://sigstore.dev/cosign/sign/v1, default) or slsa
#                      (https://slsa.dev/provenance/v1 as actions/attest-build-provenance)
#   SIGNED_REPOSITORY  the statement's subject name (lib-sign.sh's signed_repository;
#                      "-" for none, as cosign 3 writes it)
#
#   keyless_instance                     make the instance (once per test)
#   keyless_bundle_file OUT DIGEST       a Sigstore bundle v0.3 into OUT: a DSSE envelope over
#                                        an in-toto statement v1, subject = the repository
#                                        with DIGEST (sha256:<hex>); a dsse 0.0.1 log entry
#   keyless_sign_bundle DIGEST [SIGNED-DIGEST]
#                                        such a bundle over SIGNED-DIGEST (default DIGEST)
#                                        pushed as an OCI referrer of DIGEST, listed in the
#                                        fallback index at tag sha256-<hex> (entries already
#                                        there are kept), or with REFERRERS_INDEX=FILE in
#                                        FILE only (as lib-sign.sh's sign_bundle)
#   keyless_classic_files OUTDIR PAYLOAD cosign's classic signature material for PAYLOAD's
#                                        bytes into OUTDIR: signature (base64), cert.pem,
#                                        chain.pem (intermediate, root), rekor-bundle.json
#                                        ({"SignedEntryTimestamp", "Payload": {"body",
#                                        "integratedTime", "logIndex", "logID"}}, a
#                                        hashedrekord 0.0.1 body), bundle.json (the same as a
#                                        Sigstore bundle v0.1, for verify-bundle)
#   keyless_sign_simple DIGEST [SIGNED-DIGEST]
#                                        the classic signature at tag sha256-<hex>.sig: a
#                                        simple-signing payload naming SIGNED-DIGEST and the
#                                        repository, the layer annotated with
#                                        dev.cosignproject.cosign/signature,
#                                        dev.sigstore.cosign/certificate, .../chain, .../bundle
#                                        (and .../rfc3161timestamp with KL_TSA=1)
#   keyless_last                         the directory of the last signature pushed: its
#                                        bundle.json (keyless_sign_bundle), or payload and the
#                                        classic files (keyless_sign_simple); the log index is
#                                        in the bundle's tlogEntries or rekor-bundle.json

KL_FIXTURE=$top_srcdir/t/sigstore_fixture.py
KL_IDENTITY=https://github.com/ceerkle/dreichor-trading/.github/workflows/release.yml@refs/heads/main
KL_ISSUER=https://token.actions.githubusercontent.com
KL_SOURCE_REPOSITORY=https://github.com/ceerkle/dreichor-trading
KL_COMMIT=0123456789abcdef0123456789abcdef01234567
KL_RUN_URL=https://github.com/ceerkle/dreichor-trading/actions/runs/4242/attempts/1
KL_LAST=

keyless_instance() {
	command -v python3 >/dev/null || hard_error "python3 is required for keyless signatures"
	command -v openssl >/dev/null || hard_error "openssl is required for keyless signatures"
	KL_DIR=$T/sigstore
	python3 "$KL_FIXTURE" init "$KL_DIR" || hard_error "cannot make the test Sigstore instance"
	KL_ROOT=$KL_DIR/trusted_root.json
	KL_ROOT_LOG_ENDED=$KL_DIR/trusted_root-log-ended.json
}

# The options every signing takes, from the environment.
keyless_opts() {
	KL_OPTS=(--identity "${KL_SIGN_IDENTITY:-$KL_IDENTITY}" --issuer "${KL_SIGN_ISSUER:-$KL_ISSUER}"
		--commit "$KL_COMMIT" --variant "${KL_VARIANT:-good}")
	[ "${KL_SIGN_IDENTITY:-$KL_IDENTITY}" = "$KL_IDENTITY" ] && KL_OPTS+=(--run-url "$KL_RUN_URL")
	[ "${KL_TSA:-0}" = 1 ] && KL_OPTS+=(--tsa)
	return 0
}

keyless_last() { printf '%s' "$KL_LAST"; }

keyless_bundle_file() {
	local out=$1 digest=$2
	[ -n "${KL_DIR:-}" ] || hard_error "keyless_instance first"
	keyless_opts
	python3 "$KL_FIXTURE" dsse "$KL_DIR" "$out" --digest "$digest" --repository "$(signed_repository)" \
		--predicate "${KL_PREDICATE:-cosign}" "${KL_OPTS[@]}" || hard_error "cannot make a keyless bundle"
}

# keyless_fallback_index DIGEST FILE: FILE holds the index at tag sha256-<hex> of DIGEST, or an empty one.
keyless_fallback_index() {
	curl -sf "${REG_CURL[@]}" -H "Accept: $OCI_INDEX" "$REG_URL/v2/$REPO_PATH/manifests/sha256-${1#sha256:}" -o "$2" &&
		jq -e '.manifests | type == "array"' "$2" >/dev/null 2>&1 ||
		printf '{"schemaVersion":2,"mediaType":"%s","manifests":[]}' "$OCI_INDEX" >"$2"
}

keyless_sign_bundle() {
	local digest=$1 signed=${2:-$1} d predicate_type bundle_digest empty_digest manifest_digest size subject_type
	d=$(mktemp -d "$T/keyless-bundle.XXXXXX")
	KL_LAST=$d
	keyless_bundle_file "$d/bundle.json" "$signed"
	predicate_type=https://sigstore.dev/cosign/sign/v1
	[ "${KL_PREDICATE:-cosign}" = slsa ] && predicate_type=https://slsa.dev/provenance/v1
	bundle_digest=$(reg_put_blob "$d/bundle.json")
	printf '{}' >"$d/empty"
	empty_digest=$(reg_put_blob "$d/empty")
	curl -s "${REG_CURL[@]}" -I -H "Accept: $OCI_INDEX, $OCI_MANIFEST, application/vnd.docker.distribution.manifest.v2+json" \
		"$REG_URL/v2/$REPO_PATH/manifests/$digest" | tr -d '\r' >"$d/head"
	size=$(sed -n 's/^[Cc]ontent-[Ll]ength: //p' "$d/head")
	subject_type=$(sed -n 's/^[Cc]ontent-[Tt]ype: //p' "$d/head")
	[ -n "$size" ] && [ -n "$subject_type" ] || hard_error "the registry does not know $digest"
	jq -cn --argjson c "$(descriptor application/vnd.oci.empty.v1+json "$d/empty" "$empty_digest")" \
		--argjson l "$(descriptor "$SIG_BUNDLE_TYPE" "$d/bundle.json" "$bundle_digest")" \
		--arg a "$SIG_BUNDLE_TYPE" --arg sd "$digest" --argjson ss "$size" --arg st "$subject_type" --arg pt "$predicate_type" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: $a, config: $c, layers: [$l],
		  subject: {mediaType: $st, digest: $sd, size: $ss},
		  annotations: {"dev.sigstore.bundle.content": "dsse-envelope", "dev.sigstore.bundle.predicateType": $pt}}' |
		tr -d '\n' >"$d/manifest"
	manifest_digest=sha256:$(sha256sum "$d/manifest" | cut -d' ' -f1)
	reg_put_manifest "$d/manifest" "$manifest_digest" "$OCI_MANIFEST"
	if [ -n "${REFERRERS_INDEX:-}" ]; then
		[ -s "$REFERRERS_INDEX" ] || printf '{"schemaVersion":2,"mediaType":"%s","manifests":[]}' "$OCI_INDEX" >"$REFERRERS_INDEX"
		cp "$REFERRERS_INDEX" "$d/index.old"
	else
		keyless_fallback_index "$digest" "$d/index.old"
	fi
	jq -c --argjson m "$(descriptor "$OCI_MANIFEST" "$d/manifest" "$manifest_digest")" --arg a "$SIG_BUNDLE_TYPE" \
		--arg pt "$predicate_type" \
		'.manifests += [$m + {artifactType: $a, annotations: {"dev.sigstore.bundle.predicateType": $pt}}]' \
		"$d/index.old" >"$d/index"
	if [ -n "${REFERRERS_INDEX:-}" ]; then cp "$d/index" "$REFERRERS_INDEX"; return; fi
	reg_put_manifest "$d/index" "sha256-${digest#sha256:}" "$OCI_INDEX"
}

keyless_classic_files() {
	local outdir=$1 payload=$2
	[ -n "${KL_DIR:-}" ] || hard_error "keyless_instance first"
	keyless_opts
	python3 "$KL_FIXTURE" classic "$KL_DIR" "$outdir" --payload "$payload" "${KL_OPTS[@]}" ||
		hard_error "cannot make a keyless classic signature"
}

keyless_sign_simple() {
	local digest=$1 signed=${2:-$1} d payload_digest config_digest
	d=$(mktemp -d "$T/keyless-sig.XXXXXX")
	KL_LAST=$d
	jq -cn --arg r "$(signed_repository)" --arg g "$signed" \
		'{critical: {identity: {"docker-reference": $r}, image: {"docker-manifest-digest": $g}, type: "cosign container image signature"}, optional: null}' \
		| tr -d '\n' >"$d/payload"
	keyless_classic_files "$d" "$d/payload"
	payload_digest=$(reg_put_blob "$d/payload")
	printf '{}' >"$d/config"
	config_digest=$(reg_put_blob "$d/config")
	jq -cn --argjson c "$(descriptor application/vnd.oci.image.config.v1+json "$d/config" "$config_digest")" \
		--argjson l "$(descriptor "$SIG_SIMPLE_TYPE" "$d/payload" "$payload_digest")" \
		--arg s "$(cat "$d/signature")" --arg cert "$(cat "$d/cert.pem")" --arg chain "$(cat "$d/chain.pem")" \
		--arg b "$(cat "$d/rekor-bundle.json")" --arg ts "$(cat "$d/rfc3161timestamp.der.b64" 2>/dev/null)" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
		  layers: [$l + {annotations: ({"dev.cosignproject.cosign/signature": $s,
			"dev.sigstore.cosign/certificate": ($cert + "\n"), "dev.sigstore.cosign/chain": ($chain + "\n"),
			"dev.sigstore.cosign/bundle": $b} +
			(if $ts == "" then {} else {"dev.sigstore.cosign/rfc3161timestamp": ({SignedRFC3161Timestamp: $ts} | tojson)} end))}]}' \
		>"$d/manifest"
	reg_put_manifest "$d/manifest" "sha256-${digest#sha256:}.sig" "$OCI_MANIFEST"
}
