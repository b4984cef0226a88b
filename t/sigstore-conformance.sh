#!/bin/bash
# Every bundle-verify case of the Sigstore conformance suite
# (github.com/sigstore/sigstore-conformance, test/assets/bundle-verify; a
# copy in t/data/sigstore-conformance), run against dreichor-registry verify-bundle
# as the suite's own runner would (docs/cli_protocol.md), twice: with the
# artifact's path and with its digest (sha256:<hex>). A case whose name ends
# in _fail must be refused (exit 1, one line on stderr); every other case
# must verify (exit 0). The counts of each form are printed.
. "${top_srcdir:-$(dirname "$0")/..}/t/lib.sh"
need_cmd sha256sum
CASES=$top_srcdir/t/data/sigstore-conformance/bundle-verify
REGISTRY=$top_builddir/dreichor-registry
# A case without a root of its own is verified against the public-good root the package installs,
# found the way the installed program finds a root it is not given.
export SIGSTORE_TRUSTED_ROOT=$top_srcdir/data/sigstore/trusted_root.json
[ -d "$CASES" ] || hard_error "no conformance cases at $CASES"
[ -f "$SIGSTORE_TRUSTED_ROOT" ] || hard_error "no $SIGSTORE_TRUSTED_ROOT"
[ -x "$REGISTRY" ] || hard_error "dreichor-registry is not built"
DEFAULT_IDENTITY=https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main
DEFAULT_ISSUER=https://token.actions.githubusercontent.com

# run_case DIR FORM: verify-bundle's exit status for the case in DIR, the artifact given as FORM
# (path or digest); its stderr in $T/err.
run_case() {
	local dir=$1 form=$2 artifact subject args=()
	artifact=$dir/artifact
	[ -f "$artifact" ] || artifact=$CASES/a.txt
	[ -f "$dir/trusted_root.json" ] && args=(--trusted-root "$dir/trusted_root.json")
	if [ -f "$dir/key.pub" ]; then
		args+=(--key "$dir/key.pub")
	else
		local identity=$DEFAULT_IDENTITY issuer=$DEFAULT_ISSUER
		[ -f "$dir/identity" ] && identity=$(cat "$dir/identity")
		[ -f "$dir/issuer" ] && issuer=$(cat "$dir/issuer")
		args+=(--certificate-identity "$identity" --certificate-oidc-issuer "$issuer")
	fi
	if [ "$form" = digest ]; then
		subject=sha256:$(sha256sum "$artifact" | cut -d' ' -f1)
	else
		subject=$artifact
	fi
	$VALGRIND_WRAP "$REGISTRY" verify-bundle --bundle "$dir/bundle.sigstore.json" "${args[@]}" \
		"$subject" >"$T/out" 2>"$T/err"
}

for form in path digest; do
	passed=0 failed=0 total=0
	for dir in "$CASES"/*/; do
		dir=${dir%/}
		name=$(basename "$dir")
		[ -f "$dir/bundle.sigstore.json" ] || continue
		total=$((total + 1))
		run_case "$dir" "$form"
		rc=$?
		case $name in
		*_fail) want="refused"; [ "$rc" = 1 ] && [ -s "$T/err" ] ;;
		*) want="verified"; [ "$rc" = 0 ] ;;
		esac
		if [ $? = 0 ]; then
			passed=$((passed + 1))
			ok "$form: $name $want"
		else
			failed=$((failed + 1))
			not_ok "$form: $name $want (exit $rc: $(head -c 300 "$T/err"))"
		fi
	done
	log "$form form: $passed of $total cases as expected, $failed not"
done
check "the suite has cases" test "$total" -gt 0
finish
