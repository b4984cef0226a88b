#!/bin/bash
# Benchmark: `dreichor-registry verify-bundle` of a GitHub provenance bundle
# against sigstore-js verifying the same bundle, in the same hyperfine run
# (medians; the target: under 10 ms, and faster than sigstore-js). The
# bundle is the conformance case happy-path-intoto-in-dsse-v3: an SLSA
# provenance v1 statement in a DSSE envelope, signed in GitHub Actions by
# Sigstore's public-good Fulcio, logged in Rekor (dsse 0.0.1), verified
# against the public-good trusted root the package installs. Each side is
# one process per run doing the same work: read the bundle, the trusted
# root and the artifact, verify (log entry, certificate chain, SCT,
# signature, in-toto subject, exact identity and issuer), exit. sigstore-js
# is bench/sigstore-js/verify.cjs with the versions pinned in
# bench/sigstore-js/package.json, installed by npm into the temp dir.
# Then what linking lib/sigstore (GnuTLS, libtasn1) costs each start of
# dreichor-registry: its usage exit against the same program linked without
# lib/sigstore (verify-bundle replaced by a stub; built here from the build
# tree's objects), with dreichor-agent --version as the floor, an empty
# program with and without GnuTLS and libtasn1, and the shared libraries
# each loads. From a built tree (no root needed):
# bench/verify-bundle.sh [RUNS]
set -u
top_srcdir=$(cd "$(dirname "$0")/.." && pwd)
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/t/lib.sh"
need_cmd hyperfine node npm jq cc bc readelf
runs=${1:-100}
REGISTRY=$top_builddir/dreichor-registry
AGENT=$top_builddir/dreichor-agent
CASES=$top_srcdir/t/data/sigstore-conformance/bundle-verify
BUNDLE=$CASES/happy-path-intoto-in-dsse-v3/bundle.sigstore.json
ROOT=$top_srcdir/data/sigstore/trusted_root.json
ARTIFACT=$CASES/a.txt
IDENTITY=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
ISSUER=https://token.actions.githubusercontent.com
[ -x "$REGISTRY" ] && [ -x "$AGENT" ] || hard_error "build the tree first (no $REGISTRY or $AGENT)"

mkdir -p "$T/js"
cp "$top_srcdir/bench/sigstore-js/package.json" "$top_srcdir/bench/sigstore-js/verify.cjs" "$T/js/"
(cd "$T/js" && npm install --no-audit --no-fund --loglevel=error >"$T/npm.log" 2>&1) ||
	{ cat "$T/npm.log"; hard_error "npm could not install bench/sigstore-js/package.json"; }
dreichor="$REGISTRY verify-bundle --bundle $BUNDLE --trusted-root $ROOT --certificate-identity $IDENTITY --certificate-oidc-issuer $ISSUER $ARTIFACT"
sigstore_js="node $T/js/verify.cjs $BUNDLE $ROOT $ARTIFACT $IDENTITY $ISSUER"
# Both must verify it, and both must refuse it for another identity, before anything is timed.
$dreichor >"$T/dreichor.out" || hard_error "verify-bundle refused the bundle"
$sigstore_js || hard_error "sigstore-js refused the bundle"
! $REGISTRY verify-bundle --bundle "$BUNDLE" --trusted-root "$ROOT" --certificate-identity "$IDENTITY.x" \
	--certificate-oidc-issuer "$ISSUER" "$ARTIFACT" 2>/dev/null || hard_error "verify-bundle took another identity"
! node "$T/js/verify.cjs" "$BUNDLE" "$ROOT" "$ARTIFACT" "$IDENTITY.x" "$ISSUER" 2>/dev/null ||
	hard_error "sigstore-js took another identity"
hyperfine -N --warmup 5 --runs "$runs" --export-json "$T/verify.json" \
	-n dreichor "$dreichor" -n sigstore-js "$sigstore_js" >"$T/hyperfine-verify.txt" 2>&1 ||
	{ cat "$T/hyperfine-verify.txt"; exit 1; }

# The same dreichor-registry without lib/sigstore: the build's own objects and libraries, less
# libdreichor-sigstore and GnuTLS, libtasn1 (SIGSTORE_LIBS), verify-bundle a stub.
make_var() { sed -n "s/^$1 = //p" "$top_builddir/Makefile"; }
printf 'int dr_verify_bundle_main(int argc, char **argv);\nint dr_verify_bundle_main(int argc, char **argv) { (void)argc; (void)argv; return 2; }\n' >"$T/stub.c"
# shellcheck disable=SC2046
cc -O2 -o "$T/registry-without-sigstore" "$top_builddir/cgi/services/dreichor_registry-registry.o" "$T/stub.c" \
	"$top_builddir/.libs/libdreichor-registry.a" "$top_builddir/.libs/libdreichor-core.a" \
	$(make_var CURL_LIBS) $(make_var JSONC_LIBS) $(make_var CRYPTO_LIBS) $(make_var NETTLE_LIBS) $(make_var SECCOMP_LIBS) \
	$(make_var SYSTEMD_LIBS) $(make_var LIBS) 2>"$T/cc.log" ||
	{ cat "$T/cc.log"; hard_error "cannot link dreichor-registry without lib/sigstore"; }
# Debian's libcurl already loads GnuTLS (through librtmp), so the pair above shows what lib/sigstore
# adds to dreichor-registry; what GnuTLS and libtasn1 cost a program that loads neither: an empty
# main with and without them.
printf 'int main(void) { return 0; }\n' >"$T/empty.c"
cc -O2 -o "$T/empty" "$T/empty.c" && cc -O2 -o "$T/empty-gnutls" "$T/empty.c" -Wl,--no-as-needed \
	$(make_var GNUTLS_LIBS) $(make_var LIBTASN1_LIBS) || hard_error "cannot link an empty program"
hyperfine -N -i --warmup 10 --runs "$((runs * 3))" --export-json "$T/start.json" \
	-n registry "$REGISTRY" -n registry-without-sigstore "$T/registry-without-sigstore" \
	-n agent-version "$AGENT --version" -n empty "$T/empty" -n empty-gnutls "$T/empty-gnutls" \
	>"$T/hyperfine-start.txt" 2>&1 ||
	{ cat "$T/hyperfine-start.txt"; exit 1; }

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median * 1000' "$1"; }
# CPU time (user + system, mean) of one run: what a loaded machine's waits leave out.
cpu() { jq -r --arg n "$2" '.results[] | select(.command == $n) | (.user + .system) * 1000' "$1"; }
libs() { ldd "$1" | grep -c '=>'; }
# Whether the program loads GnuTLS: itself (NEEDED), through another library, or not at all.
gnutls() {
	if readelf -d "$1" | grep -q 'NEEDED.*libgnutls'; then echo "linked"
	elif ldd "$1" | grep -q libgnutls; then echo "through $(for l in $(ldd "$1" | awk '/=>/ { print $3 }'); do
		readelf -d "$l" 2>/dev/null | grep -q 'NEEDED.*libgnutls' && basename "$l"; done | head -1)"
	else echo "not loaded"; fi
}
d=$(median "$T/verify.json" dreichor); j=$(median "$T/verify.json" sigstore-js)
r=$(median "$T/start.json" registry); w=$(median "$T/start.json" registry-without-sigstore)
a=$(median "$T/start.json" agent-version)
printf '\nverify-bundle of a GitHub SLSA provenance bundle (DSSE, Rekor v1), %d runs (ms; load average %s)\n' \
	"$runs" "$(cut -d' ' -f1 /proc/loadavg)"
printf '  %-44s %8s %8s\n' "" median "cpu/run"
printf '  %-44s %8.2f %8.2f   (target: under 10)\n' "dreichor-registry verify-bundle" "$d" "$(cpu "$T/verify.json" dreichor)"
printf '  %-44s %8.2f %8.2f   (@sigstore/verify %s, node %s)\n' "sigstore-js, one node process" "$j" \
	"$(cpu "$T/verify.json" sigstore-js)" "$(jq -r .version "$T/js/node_modules/@sigstore/verify/package.json")" "$(node --version)"
printf '  %-44s %8.1f   (target: above 1)\n' "sigstore-js / dreichor" "$(echo "$j / $d" | bc -l)"
printf 'start and usage exit, %d runs (ms); shared libraries loaded\n' "$((runs * 3))"
printf '  %-44s %8.2f %8.2f   %3d libraries, GnuTLS %s\n' \
	"dreichor-registry (lib/sigstore linked)" "$r" "$(cpu "$T/start.json" registry)" "$(libs "$REGISTRY")" \
	"$(gnutls "$REGISTRY")" "dreichor-registry without lib/sigstore" "$w" \
	"$(cpu "$T/start.json" registry-without-sigstore)" "$(libs "$T/registry-without-sigstore")" \
	"$(gnutls "$T/registry-without-sigstore")" "dreichor-agent --version" "$a" \
	"$(cpu "$T/start.json" agent-version)" "$(libs "$AGENT")" "$(gnutls "$AGENT")"
printf '  %-44s %8.2f %8.2f\n' "lib/sigstore's cost per start" "$(echo "$r - $w" | bc -l)" \
	"$(echo "$(cpu "$T/start.json" registry) - $(cpu "$T/start.json" registry-without-sigstore)" | bc -l)"
e=$(median "$T/start.json" empty); g=$(median "$T/start.json" empty-gnutls)
printf '  %-44s %8.2f %8.2f   %3d libraries\n' "empty program" "$e" "$(cpu "$T/start.json" empty)" "$(libs "$T/empty")" \
	"empty program linked with GnuTLS, libtasn1" "$g" "$(cpu "$T/start.json" empty-gnutls)" "$(libs "$T/empty-gnutls")"
printf '  %-44s %8.2f %8.2f\n' "GnuTLS and libtasn1 alone, per start" "$(echo "$g - $e" | bc -l)" \
	"$(echo "$(cpu "$T/start.json" empty-gnutls) - $(cpu "$T/start.json" empty)" | bc -l)"
awk 'NF' "$T/hyperfine-verify.txt" | sed -n '/Summary/,$p'
