# t/lib-sign.sh: cosign signatures made here with openssl (no cosign
# package exists for Debian 12), in both formats cosign writes, pushed to
# a real docker-registry through its HTTP API. Sourced by tests that need
# signed images; REG_URL (scheme://host:port), REG_CURL (curl arguments:
# CA, credentials) and REPO_PATH say where. A signature names the repository
# it is made for as cosign does (host/path, no tag or digest):
# SIGNED_REPOSITORY, else IMAGE_REPOSITORY.

SIG_SIMPLE_TYPE=application/vnd.dev.cosign.simplesigning.v1+json
SIG_BUNDLE_TYPE=application/vnd.dev.sigstore.bundle.v0.3+json
OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
OCI_INDEX=application/vnd.oci.image.index.v1+json
REG_CURL=()

# make_signing_key NAME: an ECDSA P-256 pair as cosign makes it: $T/keys/NAME.key and NAME.pub (PEM).
make_signing_key() {
	mkdir -p "$T/keys"
	openssl ecparam -name prime256v1 -genkey -noout -out "$T/keys/$1.key" 2>/dev/null &&
		openssl ec -in "$T/keys/$1.key" -pubout -out "$T/keys/$1.pub" 2>/dev/null || hard_error "openssl cannot make key $1"
}
# key_fingerprint NAME: sha256:<hex> of the public key's SubjectPublicKeyInfo DER.
key_fingerprint() { printf 'sha256:%s' "$(openssl pkey -pubin -in "$T/keys/$1.pub" -outform DER | sha256sum | cut -d' ' -f1)"; }
# flip_last_bit BASE64: the same bytes with the last one's lowest bit flipped.
flip_last_bit() {
	local hex last
	hex=$(printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n')
	last=$(printf '%02x' $(( 0x${hex: -2} ^ 1 )))
	hex=${hex:0:${#hex}-2}$last
	printf "$(sed 's/../\\x&/g' <<<"$hex")" | base64 -w0
}
# sign_bytes NAME FILE: base64 of the DER ECDSA-SHA256 signature of FILE's bytes.
sign_bytes() { openssl dgst -sha256 -sign "$T/keys/$1.key" "$2" | base64 -w0; }

# reg_put_blob FILE: upload FILE as a blob of REPO_PATH; prints its digest.
reg_put_blob() {
	local digest location
	digest=sha256:$(sha256sum "$1" | cut -d' ' -f1)
	location=$(curl -sf "${REG_CURL[@]}" -X POST -D - -o /dev/null "$REG_URL/v2/$REPO_PATH/blobs/uploads/" |
		tr -d '\r' | sed -n 's/^[Ll]ocation: //p')
	[ -n "$location" ] || hard_error "the registry gave no upload location"
	case $location in http*) ;; *) location=$REG_URL$location ;; esac
	case $location in *\?*) location="$location&digest=$digest" ;; *) location="$location?digest=$digest" ;; esac
	curl -sf "${REG_CURL[@]}" -X PUT -H 'Content-Type: application/octet-stream' --data-binary "@$1" "$location" -o /dev/null ||
		hard_error "blob upload of $1 failed"
	printf '%s' "$digest"
}
# reg_put_manifest FILE REFERENCE MEDIA-TYPE: put FILE as a manifest at REFERENCE (a tag or digest).
reg_put_manifest() {
	curl -sf "${REG_CURL[@]}" -X PUT -H "Content-Type: $3" --data-binary "@$1" "$REG_URL/v2/$REPO_PATH/manifests/$2" -o /dev/null ||
		hard_error "manifest upload to $2 failed"
}
# reg_delete_tag_manifest REFERENCE: delete the manifest a tag names (so that it is gone).
reg_delete_manifest() {
	local digest
	digest=$(curl -s "${REG_CURL[@]}" -I -H "Accept: $OCI_MANIFEST, $OCI_INDEX" "$REG_URL/v2/$REPO_PATH/manifests/$1" |
		tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
	[ -z "$digest" ] || curl -s "${REG_CURL[@]}" -X DELETE "$REG_URL/v2/$REPO_PATH/manifests/$digest" -o /dev/null
}
# image_digest TAG: the digest TAG resolves to, as a deploy resolves it.
image_digest() {
	curl -s "${REG_CURL[@]}" -I -H "Accept: $OCI_INDEX, $OCI_MANIFEST, application/vnd.docker.distribution.manifest.v2+json" \
		"$REG_URL/v2/$REPO_PATH/manifests/$1" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p'
}

# signed_repository: the repository a signature made now names.
signed_repository() { printf '%s' "${SIGNED_REPOSITORY:-${IMAGE_REPOSITORY:-repo}}"; }
# descriptor MEDIA-TYPE FILE DIGEST: a descriptor of FILE.
descriptor() { jq -cn --arg m "$1" --arg d "$3" --argjson s "$(stat -c %s "$2")" '{mediaType: $m, size: $s, digest: $d}'; }

# sign_simple KEY DIGEST [SIGNED-DIGEST [MODE]]: the classic signature of DIGEST (a payload naming
# SIGNED-DIGEST, by default DIGEST) at tag sha256-<hex>.sig. MODE: flip (a bit of the signature
# flipped), bad-blob (the layer's digest does not match its blob), not-json (the manifest is not
# strict JSON: a key twice), huge (a manifest over the agent's limit).
sign_simple() {
	local key=$1 digest=$2 signed=${3:-$2} mode=${4:-} d=$T/sig-$RANDOM sig payload_digest config_digest
	mkdir -p "$d"
	jq -cn --arg r "$(signed_repository)" --arg g "$signed" \
		'{critical: {identity: {"docker-reference": $r}, image: {"docker-manifest-digest": $g}, type: "cosign container image signature"}, optional: null}' \
		| tr -d '\n' >"$d/payload"
	sig=$(sign_bytes "$key" "$d/payload")
	[ "$mode" = flip ] && sig=$(flip_last_bit "$sig")
	payload_digest=$(reg_put_blob "$d/payload")
	printf '{}' >"$d/config"
	config_digest=$(reg_put_blob "$d/config")
	[ "$mode" = bad-blob ] && payload_digest=$config_digest
	jq -cn --argjson c "$(descriptor application/vnd.oci.image.config.v1+json "$d/config" "$config_digest")" \
		--argjson l "$(descriptor "$SIG_SIMPLE_TYPE" "$d/payload" "$payload_digest")" --arg s "$sig" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: $c,
		  layers: [$l + {annotations: {"dev.cosignproject.cosign/signature": $s}}]}' >"$d/manifest"
	[ "$mode" = huge ] && jq -c --arg pad "$(head -c 70000 /dev/zero | tr '\0' x)" '.annotations = {pad: $pad}' \
		"$d/manifest" >"$d/m2" && mv "$d/m2" "$d/manifest"
	# The registry stores only JSON it can parse; a key twice is JSON to it, not to the agent.
	[ "$mode" = not-json ] && sed -i 's/^{/{"layers":[],/' "$d/manifest"
	reg_put_manifest "$d/manifest" "sha256-${digest#sha256:}.sig" "$OCI_MANIFEST"
}

# sign_bundle KEY DIGEST [SIGNED-DIGEST]: a Sigstore bundle v0.3 (DSSE over an in-toto statement
# naming SIGNED-DIGEST) attached to DIGEST, listed in the fallback index at tag sha256-<hex>, or,
# with REFERRERS_INDEX=FILE, in FILE only (what a registry's referrers API would answer). With
# SIGNED_REPOSITORY=- the subject has no name, as cosign 3's sign writes it.
sign_bundle() {
	local key=$1 digest=$2 signed=${3:-$2} d=$T/bundle-$RANDOM payload_b64 bundle_digest empty_digest manifest_digest
	mkdir -p "$d"
	jq -cn --arg r "$(signed_repository)" --arg h "${signed#sha256:}" \
		'{_type: "https://in-toto.io/Statement/v1", subject: [(if $r == "-" then {} else {name: $r} end) + {digest: {sha256: $h}}],
		  predicateType: "https://sigstore.dev/cosign/sign/v1", predicate: {}}' | tr -d '\n' >"$d/statement"
	payload_b64=$(base64 -w0 "$d/statement")
	{ printf 'DSSEv1 %d %s %d ' 28 application/vnd.in-toto+json "$(stat -c %s "$d/statement")"; cat "$d/statement"; } >"$d/pae"
	jq -cn --arg p "$payload_b64" --arg s "$(sign_bytes "$key" "$d/pae")" \
		'{mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json", verificationMaterial: {publicKey: {hint: "test"}},
		  dsseEnvelope: {payload: $p, payloadType: "application/vnd.in-toto+json", signatures: [{sig: $s}]}}' | tr -d '\n' >"$d/bundle"
	bundle_digest=$(reg_put_blob "$d/bundle")
	printf '{}' >"$d/empty"
	empty_digest=$(reg_put_blob "$d/empty")
	jq -cn --argjson c "$(descriptor application/vnd.oci.empty.v1+json "$d/empty" "$empty_digest")" \
		--argjson l "$(descriptor "$SIG_BUNDLE_TYPE" "$d/bundle" "$bundle_digest")" \
		--arg a "$SIG_BUNDLE_TYPE" --arg sd "$digest" --argjson ss "$(curl -s "${REG_CURL[@]}" -I -H "Accept: $OCI_INDEX, $OCI_MANIFEST, application/vnd.docker.distribution.manifest.v2+json" \
			"$REG_URL/v2/$REPO_PATH/manifests/$digest" | tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p')" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", artifactType: $a, config: $c, layers: [$l],
		  subject: {mediaType: "application/vnd.docker.distribution.manifest.v2+json", digest: $sd, size: $ss},
		  annotations: {"dev.sigstore.bundle.content": "dsse-envelope"}}' | tr -d '\n' >"$d/manifest"
	manifest_digest=sha256:$(sha256sum "$d/manifest" | cut -d' ' -f1)
	reg_put_manifest "$d/manifest" "$manifest_digest" "$OCI_MANIFEST"
	jq -cn --argjson m "$(descriptor "$OCI_MANIFEST" "$d/manifest" "$manifest_digest")" --arg a "$SIG_BUNDLE_TYPE" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [$m + {artifactType: $a}]}' >"$d/index"
	if [ -n "${REFERRERS_INDEX:-}" ]; then cp "$d/index" "$REFERRERS_INDEX"; return; fi
	reg_put_manifest "$d/index" "sha256-${digest#sha256:}" "$OCI_INDEX"
}
