#!/bin/bash
# The bad-input catalogue (docs/bad-input.md) is generated from the tests:
# every scenario check named "<input>: <status>" with a 4xx or 5xx status
# is a row (checks built from shell variables excepted), every JWT case
# given to t/jwt.sh's refused_for (403), and every CUnit case of the
# request parser named "... is NNN".
# This test regenerates it and fails when the committed file has drifted.
# t/catalogue.sh --write rewrites docs/bad-input.md.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}

generate() {
	cat <<'EOT'
# Bad-input catalogue

Generated from the tests by `t/catalogue.sh --write`; `make check` fails
when this file and the tests disagree. Each row is an input or failure, the
answer the agent gives, and the test that proves it.

| input | answer | test |
| --- | --- | --- |
EOT
	(
		cd "$top_srcdir" || exit 1
		for f in t/*.sh; do
			grep -oE 'check "[^"$]*: [45][0-9]{2}"' "$f" | sed -E "s|^check \"(.*): ([0-9]{3})\"\$|\\2\t\\1\t$f|"
			grep -oE '^refused_for "[^"$]*"' "$f" | sed -E "s|^refused_for \"(.*)\"\$|403\tJWT: \\1\t$f|"
		done
		grep -oE '\{ "[^"]* is [45][0-9]{2}[^"]*"' t/test_http.c |
			sed -E 's|^\{ "(.*) is ([0-9]{3})(.*)"$|\2\t\1\3\tt/test_http.c|'
	) | sort -t "$(printf '\t')" -k1,1n -k3,3 -k2,2 | uniq |
		awk -F '\t' '{ gsub(/\|/, "\\|", $2); printf "| %s | %s | `%s` |\n", $2, $1, $3 }'
}

if [ "${1:-}" = --write ]; then
	generate >"$top_srcdir/docs/bad-input.md"
	exit 0
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
generate >"$T/catalogue.md"
rows=$(grep -c '^| [^-i]' "$T/catalogue.md")
if diff -u "$top_srcdir/docs/bad-input.md" "$T/catalogue.md"; then
	echo "ok 1 - docs/bad-input.md matches the tests ($rows rows)"
	echo "catalogue: 1 checks, 0 failed"
	exit 0
fi
echo "not ok 1 - docs/bad-input.md has drifted from the tests: run t/catalogue.sh --write"
echo "catalogue: 1 checks, 1 failed"
exit 1
