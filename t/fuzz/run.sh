#!/bin/bash
# Build the libFuzzer harnesses with clang (fuzzer, address, undefined) and
# run each for FUZZ_SECONDS (default 60), two at a time, from the seed
# corpus in t/fuzz/corpus/NAME (and, for the Sigstore harnesses, seeds made
# here from the conformance bundles in t/data/sigstore-conformance), with the
# dictionary t/fuzz/NAME.dict where there is one. New inputs go to a working
# corpus under the build directory; the tree is not written. Fails on any
# crash, leak or timeout.
# Usage: t/fuzz/run.sh SRCDIR BUILDDIR
set -eu
src=$1
out=$2/fuzz
secs=${FUZZ_SECONDS:-60}
command -v clang >/dev/null || { echo "run.sh: clang is required (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
mkdir -p "$out"
flags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -std=c11 -D_GNU_SOURCE
	-DPACKAGE_VERSION='"fuzz"' -I"$src/lib/core" -I"$src/lib/endpoint" -I"$src/lib/gate")
json=($(pkg-config --cflags --libs json-c))
build() { # build NAME SOURCES...
	local name=$1; shift
	local sources=() libs=() a
	for a in "$@"; do case $a in -*) libs+=("$a") ;; *) sources+=("$(ls "$src"/lib/*/"$a")") ;; esac; done
	clang "${flags[@]}" -o "$out/fuzz_$name" "$src/t/fuzz/fuzz_$name.c" "${sources[@]}" "${json[@]}" "${libs[@]}"
}
build http_head http.c fdio.c buf.c error.c jsonstr.c clock.c mask.c percent.c number.c
build deploy_request deploy_request.c json_strict.c runtime_env.c percent.c config.c sigstore_root.c number.c image_ref.c error.c mask.c buf.c jsonstr.c
build image_ref image_ref.c error.c mask.c buf.c jsonstr.c percent.c number.c
build runtime_env runtime_env.c percent.c config.c sigstore_root.c number.c image_ref.c error.c mask.c buf.c jsonstr.c
build jwt jwt.c base64.c json_read.c json_strict.c crypto.c number.c $(pkg-config --libs hogweed nettle gmp)
build chunked chunked.c fdio.c clock.c number.c
build text_clean mask.c percent.c jsonstr.c buf.c number.c
build gate gate_check.c gate_json.c gate_create.c gate_relay.c container.c runtime_env.c config.c sigstore_root.c base64.c json_strict.c number.c \
	image_ref.c error.c mask.c percent.c jsonstr.c buf.c chunked.c fdio.c clock.c $(pkg-config --libs nettle)
build signatures signing_keys.c crypto.c base64.c error.c mask.c percent.c jsonstr.c buf.c number.c $(pkg-config --libs hogweed nettle gmp)
# Sigstore (lib/sigstore): bundles through the whole verifier, certificates and timestamps
# through their decoders, against one fixed trusted root.
sigstore=(decode.c trusted_root.c bundle.c dsse.c verify.c pubkey.c reason.c cert.c sct.c tsa.c merkle.c checkpoint.c tlog.c clock.c
	json_strict.c jsonstr.c buf.c number.c -I"$src/lib/sigstore" -DFUZZ_TRUSTED_ROOT="\"$src/t/fuzz/trusted_root.json\""
	-DFUZZ_ARTIFACT="\"$src/t/data/sigstore-conformance/bundle-verify/a.txt\"" $(pkg-config --libs gnutls libtasn1 nettle))
build bundle "${sigstore[@]}"
build cert "${sigstore[@]}"
# TUF metadata (lib/tuf): decoded, counted against the pinned public-good root, and served for every
# file of a repository the client workflow runs against.
build tuf canonical.c metadata.c signatures.c update.c decode.c pubkey.c reason.c json_strict.c buf.c number.c crypto.c \
	error.c mask.c percent.c jsonstr.c clock.c -I"$src/lib/tuf" -I"$src/lib/sigstore" \
	-DFUZZ_TUF_ROOT="\"$src/data/sigstore/tuf/tuf-repo-cdn.sigstore.dev.root.json\"" $(pkg-config --libs gnutls hogweed nettle gmp)

# Seeds from the conformance bundles: each bundle whole (fuzz_bundle); each leaf certificate
# after a 0 byte, each timestamp after a 1 byte and the signature it is over (fuzz_cert).
seed_sigstore() {
	local dir f n=0 sig len ts
	rm -rf "$out/seeds-bundle" "$out/seeds-cert"
	mkdir -p "$out/seeds-bundle" "$out/seeds-cert"
	for f in "$src"/t/data/sigstore-conformance/bundle-verify/*/bundle.sigstore.json; do
		dir=$(basename "$(dirname "$f")")
		cp "$f" "$out/seeds-bundle/$dir"
		jq -r '.verificationMaterial | (.certificate.rawBytes // .x509CertificateChain.certificates[0].rawBytes // empty)' \
			"$f" 2>/dev/null | base64 -d 2>/dev/null >"$out/cert.der" || continue
		[ -s "$out/cert.der" ] && { printf '\0'; cat "$out/cert.der"; } >"$out/seeds-cert/$dir-leaf"
		sig=$(jq -r '.messageSignature.signature // .dsseEnvelope.signatures[0].sig // empty' "$f" 2>/dev/null) || continue
		printf '%s' "$sig" | base64 -d >"$out/sig.bin" 2>/dev/null || continue
		len=$(stat -c %s "$out/sig.bin")
		n=0
		for ts in $(jq -r '.verificationMaterial.timestampVerificationData.rfc3161Timestamps[]?.signedTimestamp' "$f" 2>/dev/null); do
			{ printf '\1'; printf "\\x$(printf %02x $((len >> 8)))\\x$(printf %02x $((len & 255)))"
			  cat "$out/sig.bin"; printf '%s' "$ts" | base64 -d; } >"$out/seeds-cert/$dir-ts$n"
			n=$((n + 1))
		done
	done
	rm -f "$out/cert.der" "$out/sig.bin"
}
seed_sigstore
# Seeds for fuzz_tuf: the pinned roots, each after a 0 byte (decoded as a root).
rm -rf "$out/seeds-tuf" && mkdir -p "$out/seeds-tuf"
for f in "$src"/data/sigstore/tuf/*.root.json; do { printf '\0'; cat "$f"; } >"$out/seeds-tuf/$(basename "$f")"; done

run() { # run NAME: fuzz for $secs seconds
	local name=$1 work=$out/corpus-$1 seeds=() dict=()
	mkdir -p "$work"
	[ -f "$src/t/fuzz/$name.dict" ] && dict=(-dict="$src/t/fuzz/$name.dict")
	[ -d "$out/seeds-$name" ] && seeds=("$out/seeds-$name")
	[ -d "$src/t/fuzz/corpus/$name" ] && seeds+=("$src/t/fuzz/corpus/$name")
	"$out/fuzz_$name" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$out/crash-$name-" "$work" "${seeds[@]}" >"$out/$name.log" 2>&1
	local rc=$?
	echo "fuzz $name: exit $rc, $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name.log" | grep -o '[0-9]*$') runs in ${secs}s"
	[ $rc = 0 ] || { tail -40 "$out/$name.log"; return 1; }
}
failed=0
for pair in "http_head deploy_request" "image_ref runtime_env" "jwt chunked" "text_clean signatures" "gate bundle" "cert tuf"; do
	pids=()
	for name in $pair; do run "$name" & pids+=($!); done
	for p in "${pids[@]}"; do wait "$p" || failed=1; done
done
exit $failed
