#!/bin/bash
# The bad-input catalogue (docs/bad-input.md) is generated from the tests:
# every scenario check named "<input>: <status>" with a 4xx or 5xx status
# is a row (checks built from shell variables excepted), every JWT case
# given to t/jwt.sh's refused_for (403), and every CUnit case of the
# request parser named "... is NNN".
# This test regenerates it and fails when the committed file has drifted,
# and checks that docs/api.md lists the phases of lib/core/phase.c and docs/architecture.md
# the deploy's steps of lib/endpoint/pipeline.c.
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
failed=0
# The phase table of docs/api.md lists lib/core/phase.c's names, in its order.
grep -oE '^\s*\[DR_PHASE_[A-Z_]+\] = "[a-z-]+"' "$top_srcdir/lib/core/phase.c" | sed -E 's/.*"(.*)"/\1/' >"$T/phases.code"
sed -n '/^| phase | endpoints | the step |/,/^$/p' "$top_srcdir/docs/api.md" | grep -oE '^\| `[a-z-]+`' | tr -d '|` ' >"$T/phases.doc"
if [ -s "$T/phases.code" ] && diff -u "$T/phases.code" "$T/phases.doc"; then
	echo "ok 1 - docs/api.md lists the $(wc -l <"$T/phases.code") phases of lib/core/phase.c in order"
else
	echo "not ok 1 - docs/api.md's phase table and lib/core/phase.c disagree"
	failed=1
fi
# The deploy's steps in docs/architecture.md are lib/endpoint/pipeline.c's table, in its order.
sed -n '/^static const struct dr_step pipeline_steps\[\] = {/,/^};/p' "$top_srcdir/lib/endpoint/pipeline.c" |
	grep -oE '^\s*\{ "[a-z-]+"' | grep -oE '[a-z-]+' >"$T/steps.code"
sed -n '/The steps, by the names the table gives them/,/^Whatever the outcome/p' "$top_srcdir/docs/architecture.md" |
	perl -ne 'print "$_\n" for /^- ((?:`[a-z-]+`(?:, | and )?)+)/ ? $1 =~ /`([a-z-]+)`/g : ()' >"$T/steps.doc"
if [ -s "$T/steps.code" ] && diff -u "$T/steps.code" "$T/steps.doc"; then
	echo "ok 3 - docs/architecture.md lists the $(wc -l <"$T/steps.code") steps of lib/endpoint/pipeline.c in order"
else
	echo "not ok 3 - docs/architecture.md's deploy steps and lib/endpoint/pipeline.c's table disagree"
	failed=$((failed + 1))
fi
generate >"$T/catalogue.md"
rows=$(grep -c '^| [^-i]' "$T/catalogue.md")
if diff -u "$top_srcdir/docs/bad-input.md" "$T/catalogue.md"; then
	echo "ok 2 - docs/bad-input.md matches the tests ($rows rows)"
else
	echo "not ok 2 - docs/bad-input.md has drifted from the tests: run t/catalogue.sh --write"
	failed=$((failed + 1))
fi
echo "catalogue: 3 checks, $failed failed"
exit $((failed > 0))
